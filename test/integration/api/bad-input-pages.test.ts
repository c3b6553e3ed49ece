import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import request from 'supertest';
import { createWorld, emailOf, type World } from './world.ts';

describe('bad input to pages, headers and cookies', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
  });
  afterAll(async () => world?.close());

  it('when the Origin header is malformed, then sign-in answers a 4xx, not a 500', async () => {
    for (const origin of ['http://[::1', 'not a url', '%%%', 'http://exa mple.org']) {
      const api = await request(world.app).post('/api/auth/login').set('Origin', origin).send({ email: emailOf('pastoral'), password: 'wrong-password-1' });
      expect(api.status, `API with Origin ${origin}`).toBeLessThan(500);
      const page = await request(world.app).post('/signin').set('Origin', origin).type('form').send({ email: emailOf('pastoral'), password: 'x' });
      expect(page.status, `page with Origin ${origin}`).toBeLessThan(500);
    }
  });

  it('when a cookie cannot be decoded (sid=%E0%A4%A), then every route and page still answers, as to someone signed out', async () => {
    for (const path of ['/', '/cases', '/api/cases', '/api/auth/session', '/signin']) {
      const res = await request(world.app).get(path).set('Cookie', 'sid=%E0%A4%A');
      expect(res.status, path).toBeLessThan(500);
    }
  });

  it('when a query names a filter twice (?school=a&school=b, q, stage), then the queue page answers a 4xx or the page, not a 500', async () => {
    const agent = await world.login('pastoral');
    for (const query of ['school=a&school=b', 'q=a&q=b', 'stage=x&stage=y']) {
      const res = await request(world.app).get(`/?${query}`).set('Cookie', agent.cookie);
      expect(res.status, query).toBeLessThan(500);
    }
  });

  it('when the remembered queue filters are applied, then a bare visit to the queue opens them; a hostile filters cookie is no filters, not a 500', async () => {
    const agent = await world.login('pastoral');
    const applied = await request(world.app).get('/?due=today&status=all').set('Cookie', agent.cookie);
    expect(applied.status).toBe(200);
    const remembered = [applied.headers['set-cookie']].flat().find((cookie) => String(cookie).startsWith('queue_filters='));
    expect(remembered).toMatch(/^queue_filters=[^;]*due%3Dtoday/);
    const cookie = `${agent.cookie}; ${String(remembered).split(';')[0]}`;
    const bare = await request(world.app).get('/').set('Cookie', cookie);
    expect(bare.status).toBe(303);
    expect(bare.headers.location).toBe('/?due=today&status=all');
    for (const hostile of [`q=${'x'.repeat(500)}`, 'status=%E0%A4%A', 'school=a&school=b', 'page=-1']) {
      const res = await request(world.app).get('/').set('Cookie', `${agent.cookie}; queue_filters=${encodeURIComponent(hostile)}`);
      expect(res.status, hostile).toBeLessThan(500);
    }
    const cleared = await request(world.app).get('/?clear=1').set('Cookie', cookie);
    expect(cleared.status).toBe(303);
    expect(String([cleared.headers['set-cookie']].flat().find((c) => String(c).startsWith('queue_filters=')))).toMatch(/Expires=Thu, 01 Jan 1970/);
  });

  it('when metrics are asked as of a date far outside any calendar, then the answer is a 4xx naming it, not a 500', async () => {
    const agent = await world.login('pastoral');
    for (const asOf of ['1900-01-01', '9999-12-31']) {
      const res = await request(world.app).get(`/api/schools/s1/metrics?as_of=${asOf}`).set('Cookie', agent.cookie);
      expect(res.status, asOf).toBeGreaterThanOrEqual(400);
      expect(res.status, asOf).toBeLessThan(500);
    }
  });

  it('when the what-if is asked for dates at and past the edges of the school calendar, then the page answers, never a 500', async () => {
    const agent = await world.login('champion');
    for (const [from, to] of [['1900-01-01', '1900-02-01'], ['2024-04-08', '2024-04-30'], ['9999-01-01', '9999-12-31'], ['2025-07-20', '2025-09-05']]) {
      const res = await request(world.app).get(`/workflows/west-coventry?pupil=${encodeURIComponent('s1/A331400112001')}&from=${from}&to=${to}`).set('Cookie', agent.cookie);
      expect(res.status, `${from} to ${to}`).toBeLessThan(500);
    }
  });
});
