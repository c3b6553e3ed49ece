import { createHash } from 'node:crypto';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import request from 'supertest';
import { createWorld, emailOf, PASSWORD, SCHOOLS, sessionCookie, type World } from './world.ts';
import { LOGIN_LIMITS } from '../../../src/http/auth/login.ts';
import { SESSION_CACHE_MS, SESSION_TTL_MS } from '../../../src/http/auth/sessions.ts';

describe('sign-in, sessions, CSRF, rate limiting and hardening', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
  });
  afterAll(async () => world?.close());

  it('when nobody is signed in, then API reads answer 401 without data', async () => {
    const res = await request(world.app).get(`/api/cases/${world.caseIds.s1}`);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: 'unauthenticated', message: 'sign in first' } });
  });

  it('when a user signs in on plain-http localhost, then the session cookie is HttpOnly and SameSite=Lax, and the database keeps only its hash', async () => {
    const res = await request(world.app).post('/api/auth/login').send({ email: emailOf('pastoral'), password: PASSWORD });
    expect(res.status).toBe(200);
    const cookie = [res.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('sid='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
    const id = sessionCookie(res.headers['set-cookie']).slice('sid='.length);
    expect(await world.db.store.getSession(id)).toBeNull();
    expect(res.body).toMatchObject({ user: { email: emailOf('pastoral'), role: 'pastoral', schoolId: 's1' }, csrfToken: expect.any(String) });
    expect(res.body.user).not.toHaveProperty('passwordHash');
  });

  it('when a cookie-authenticated write comes without the CSRF token or with a wrong one, then it is refused and nothing changes', async () => {
    const agent = await world.login('pastoral');
    const path = `/api/cases/${world.caseIds.s1}/events`;
    const body = { type: 'NOTE', text: 'forged', expectedVersion: 1 };
    expect((await request(world.app).post(path).set('Cookie', agent.cookie).send(body)).status).toBe(403);
    const wrong = await request(world.app).post(path).set('Cookie', agent.cookie).set('X-CSRF-Token', 'x'.repeat(43)).send(body);
    expect(wrong.body.error.code).toBe('csrf');
    expect((await world.db.store.listTimeline(world.caseIds.s1)).some((e) => e.type === 'note')).toBe(false);
    const viaForm = await request(world.app).post(path).set('Cookie', agent.cookie).send({ ...body, text: 'sent as a form field', _csrf: agent.csrf });
    expect(viaForm.status).toBe(200);
  });

  it('when sign-in is posted from another site, then it is refused', async () => {
    const res = await request(world.app).post('/api/auth/login').set('Origin', 'https://evil.example').send({ email: emailOf('admin'), password: PASSWORD });
    expect(res.status).toBe(403);
  });

  it('when an account fails to sign in too often, then it is locked out for the window even with the right password, and free again after it', async () => {
    const email = emailOf('lead');
    for (let i = 0; i < LOGIN_LIMITS.perAccount; i++) {
      const res = await request(world.app).post('/api/auth/login').send({ email, password: 'wrong' });
      expect(res.status).toBe(401);
      expect(res.body.error.message).toBe('the email or password is not right');
    }
    const locked = await request(world.app).post('/api/auth/login').send({ email, password: PASSWORD });
    expect(locked.status).toBe(429);
    expect(locked.headers['retry-after']).toBe('900');
    world.wall.advance(LOGIN_LIMITS.windowMs + 1000);
    expect((await request(world.app).post('/api/auth/login').send({ email, password: PASSWORD })).status).toBe(200);
  });

  it('when an unknown email is tried, then the answer is the same as for a wrong password', async () => {
    const res = await request(world.app).post('/api/auth/login').send({ email: 'nobody@example.org', password: 'x' });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toBe('the email or password is not right');
  });

  it('when a user signs out, then the session no longer works', async () => {
    const res = await request(world.app).post('/api/auth/login').send({ email: emailOf('admin'), password: PASSWORD });
    const cookie = sessionCookie(res.headers['set-cookie']);
    expect((await request(world.app).get('/api/auth/session').set('Cookie', cookie)).status).toBe(200);
    expect((await request(world.app).post('/api/auth/logout').set('Cookie', cookie).set('X-CSRF-Token', res.body.csrfToken)).status).toBe(204);
    expect((await request(world.app).get('/api/auth/session').set('Cookie', cookie)).status).toBe(401);
  });

  it('when a session is deleted outside this process, then this process refuses it once its short cache time has passed', async () => {
    const res = await request(world.app).post('/api/auth/login').send({ email: emailOf('pastoral'), password: PASSWORD });
    const cookie = sessionCookie(res.headers['set-cookie']);
    expect((await request(world.app).get('/api/auth/session').set('Cookie', cookie)).status).toBe(200);
    await world.db.store.deleteSession(createHash('sha256').update(cookie.slice('sid='.length)).digest('hex'));
    world.wall.advance(SESSION_CACHE_MS);
    expect((await request(world.app).get('/api/auth/session').set('Cookie', cookie)).status).toBe(401);
  });

  it('when a session outlives its expiry, then it is refused', async () => {
    const res = await request(world.app).post('/api/auth/login').send({ email: emailOf('champion'), password: PASSWORD });
    const cookie = sessionCookie(res.headers['set-cookie']);
    const before = world.wall.now();
    world.wall.advance(SESSION_TTL_MS + 1000);
    expect((await request(world.app).get('/api/cases').set('Cookie', cookie)).status).toBe(401);
    world.wall.set(before);
  });

  it('when any API answer is sent, then it carries helmet headers, no-store, and no x-powered-by', async () => {
    const res = await request(world.app).get('/api/workflows');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers).not.toHaveProperty('x-powered-by');
  });

  it('when a body is larger than the route allows, then it is 413 without a stack trace', async () => {
    const agent = await world.login('pastoral');
    const res = await request(world.app)
      .post(`/api/cases/${world.caseIds.s1}/events`)
      .set('Cookie', agent.cookie)
      .set('X-CSRF-Token', agent.csrf)
      .send({ type: 'NOTE', text: 'x'.repeat(200_000), expectedVersion: 1 });
    expect(res.status).toBe(413);
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  it('when the body is not valid, then 400 names each field at fault', async () => {
    const agent = await world.login('pastoral');
    const res = await request(world.app)
      .post(`/api/schools/s1/marks`)
      .set('Cookie', agent.cookie)
      .set('X-CSRF-Token', agent.csrf)
      .send({ rows: [{ upn: SCHOOLS.s1.upn, date: '2024-13-01', session: 'AM', code: '/' }, { upn: 'nope', date: '2024-10-01', session: 'XX', code: '/' }] });
    expect(res.status).toBe(400);
    expect(res.body.error.details.problems.map((p: { field: string }) => p.field)).toEqual(['rows.0.date', 'rows.1.upn', 'rows.1.session']);
  });
});
