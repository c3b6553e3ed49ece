// Refusals, page views, expired sessions and evidence links that end (issue 17, item 10).
import { createHash } from 'node:crypto';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import request from 'supertest';
import { createWorld, emailOf, PASSWORD, sessionCookie, type UserKey, type World } from './world.ts';
import { SESSION_TTL_MS } from '../../../src/http/auth/sessions.ts';

describe('audit of refusals and page views; sessions and evidence links that end', () => {
  let world: World;
  const as = async (user: UserKey) => {
    const agent = await world.login(user);
    return {
      get: (path: string) => request(world.app).get(path).set('Cookie', agent.cookie),
      post: (path: string, body: object = {}) => request(world.app).post(path).set('Cookie', agent.cookie).set('X-CSRF-Token', agent.csrf).send(body),
      form: (path: string) => request(world.app).post(path).set('Cookie', agent.cookie).type('form').send({ _csrf: agent.csrf }),
    };
  };
  const audited = async (actor: string, action: string) => (await world.db.store.listAudit({ actor, limit: 100 })).entries.filter((entry) => entry.action === action);

  beforeAll(async () => {
    world = await createWorld();
  });
  afterAll(async () => world?.close());

  it('when someone asks for another school’s case through the API or a page, then it is refused and the refusal is audited once each', async () => {
    const other = await as('otherPastoral');
    expect((await other.get(`/api/cases/${world.caseIds.s1}`)).status).toBe(404);
    expect((await other.post(`/api/cases/${world.caseIds.s1}/events`, { type: 'NOTE', text: 'probe', expectedVersion: 1 })).status).toBe(404);
    expect((await other.get(`/cases/${world.caseIds.s1}`)).status).toBe(404);
    const refused = await audited('u-otherPastoral', 'access.refused');
    expect(refused.map((entry) => entry.detail)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ route: '/api/cases/:id', method: 'get', status: 404, params: { id: world.caseIds.s1 } }),
        expect.objectContaining({ route: '/api/cases/:id/events', method: 'post', status: 404 }),
        expect.objectContaining({ route: '/api/cases/:id', page: `/cases/${world.caseIds.s1}`, status: 404 }),
      ]),
    );
    expect(refused).toHaveLength(3);
  });

  it('when the dashboard, a workflow page or the outbox is viewed, then each view is audited', async () => {
    const pastoral = await as('pastoral');
    for (const path of ['/dashboard', '/workflows/west-coventry', '/outbox']) expect((await pastoral.get(path)).status).toBe(200);
    expect(await audited('u-pastoral', 'dashboard.read')).toEqual([expect.objectContaining({ detail: expect.objectContaining({ schools: ['s1'] }) })]);
    expect(await audited('u-pastoral', 'workflow.read')).toEqual([expect.objectContaining({ detail: expect.objectContaining({ workflow: 'west-coventry', pupilsListed: 1 }) })]);
    expect(await audited('u-pastoral', 'outbox.read')).toHaveLength(1);
  });

  it('when an expired session is presented, then it is refused and deleted from the database', async () => {
    const res = await request(world.app).post('/api/auth/login').send({ email: emailOf('admin'), password: PASSWORD });
    const cookie = sessionCookie(res.headers['set-cookie']);
    const idHash = createHash('sha256').update(cookie.slice('sid='.length)).digest('hex');
    expect(await world.db.store.getSession(idHash)).not.toBeNull();
    const before = world.wall.now();
    world.wall.advance(SESSION_TTL_MS + 1000);
    expect((await request(world.app).get('/api/auth/session').set('Cookie', cookie)).status).toBe(401);
    expect(await world.db.store.getSession(idHash)).toBeNull();
    world.wall.set(before);
  });

  it('when the champion withdraws a case’s evidence links, then the links sent so far stop opening the pack, and only the champion may do it', async () => {
    const champion = await as('champion');
    const linkPath = async () => {
      const url = new URL((await champion.post(`/api/cases/${world.caseIds.s1}/evidence-links`)).body.url as string);
      return url.pathname + url.search;
    };
    const sent = await linkPath();
    expect((await request(world.app).get(sent)).status).toBe(200);
    expect((await (await as('pastoral')).post(`/api/cases/${world.caseIds.s1}/evidence-links/revoke`)).status).toBe(403);
    const page = await champion.get(`/cases/${world.caseIds.s1}`);
    expect(page.text).toContain('Withdraw the links sent so far');
    expect((await (await as('pastoral')).get(`/cases/${world.caseIds.s1}`)).text).not.toContain('Withdraw the links sent so far');
    const withdrawn = await champion.form(`/cases/${world.caseIds.s1}/evidence-links/revoke`);
    expect(withdrawn.status).toBe(303);
    const refused = await request(world.app).get(sent);
    expect(refused.status).toBe(410);
    expect(refused.body.error.message).toBe('the school has withdrawn this link: ask the school if you still need the evidence pack');
    world.wall.advance(1000);
    const fresh = await linkPath();
    expect((await request(world.app).get(fresh)).status).toBe(200);
    expect(await audited('u-champion', 'evidence.link.revoke')).toHaveLength(1);
    expect(await audited('link:evidence-pack', 'evidence.link.revoked')).toHaveLength(1);
  });

  it('when the case is closed, then its evidence links end', async () => {
    const champion = await as('champion');
    const made = (await champion.post(`/api/cases/${world.caseIds.s1}/evidence-links`)).body.url as string;
    const path = new URL(made).pathname + new URL(made).search;
    expect((await request(world.app).get(path)).status).toBe(200);
    const record = (await world.db.store.getCase(world.caseIds.s1))!;
    expect((await champion.post(`/api/cases/${record.id}/events`, { type: 'CASE_WITHDRAWN', reason: 'family moved abroad', expectedVersion: record.version })).status).toBe(200);
    const ended = await request(world.app).get(path);
    expect(ended.status).toBe(410);
    expect(ended.body.error.message).toContain('closed this case');
  });
});
