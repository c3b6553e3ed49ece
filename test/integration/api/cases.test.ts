import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import request from 'supertest';
import { createWorld, SCHOOLS, type UserKey, type World } from './world.ts';
import { createCaseService } from '../../../src/cases/case-service.ts';
import { createLogger } from '../../../src/logger.ts';
import { CONSIDERATIONS } from '../../../src/domain/penalty-notices.ts';

const considerations = Object.fromEntries(CONSIDERATIONS.map(({ id }) => [id, { answer: true, rationale: 'discussed at panel' }]));

describe('case reads and staff actions', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
  });
  afterAll(async () => world?.close());

  const as = async (user: UserKey) => {
    const agent = await world.login(user);
    return {
      get: (path: string) => request(world.app).get(path).set('Cookie', agent.cookie),
      post: (path: string, body: object) => request(world.app).post(path).set('Cookie', agent.cookie).set('X-CSRF-Token', agent.csrf).send(body),
    };
  };

  it('when a case at Stage 1a is read, then its allowed actions are what the machine accepts there, and an offered one is accepted', async () => {
    const admin = await as('admin');
    const detail = (await admin.get(`/api/cases/${world.caseIds.s2}`)).body;
    expect(detail.metrics).toMatchObject({ asOf: '2024-10-14' });
    expect(detail.allowedActions.map((a: { type: string }) => a.type)).toEqual(['PUPIL_LEFT', 'CASE_WITHDRAWN', 'NOTE']);
    const res = await admin.post(`/api/cases/${world.caseIds.s2}/events`, { type: 'CASE_WITHDRAWN', reason: 'moved away', expectedVersion: detail.case.version });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ case: { version: detail.case.version + 1, status: 'closed' } });
    const timeline = await world.db.store.listTimeline(world.caseIds.s2);
    expect(timeline.at(-1)).toMatchObject({ actor: 'u-admin', evidence: { event: 'CASE_WITHDRAWN', reason: 'moved away', at: '2024-10-14' } });
  });

  it('when a write names an old version, by If-Match or in the body, then it is 409 and without one it is 428', async () => {
    const agent = await world.login('admin');
    const path = `/api/cases/${world.caseIds.s2}/events`;
    const stale = await request(world.app).post(path).set('Cookie', agent.cookie).set('X-CSRF-Token', agent.csrf).set('If-Match', '"1"').send({ type: 'NOTE', text: 'late' });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'version_conflict', details: { currentVersion: 2 } });
    const admin = await as('admin');
    expect((await admin.post(path, { type: 'NOTE', text: 'late', expectedVersion: 1 })).status).toBe(409);
    expect((await admin.post(path, { type: 'NOTE', text: 'no version' })).status).toBe(428);
    expect((await admin.post(path, { type: 'NOTE', text: 'current', expectedVersion: 2 })).status).toBe(200);
  });

  it('when the case does not accept an action now, then it is 409 event_not_allowed', async () => {
    const pastoral = await as('pastoral');
    const { version } = (await pastoral.get(`/api/cases/${world.caseIds.s3}`)).body.case ?? { version: 1 };
    const other = await as('otherPastoral');
    const res = await other.post(`/api/cases/${world.caseIds.s3}/events`, { type: 'PENALTY_PAID', parentId: 'parent-1', expectedVersion: version });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('event_not_allowed');
  });

  it('when the threshold is met, then a legal decision needs the champion: the pastoral leader gets 403, the champion succeeds', async () => {
    const cases = createCaseService({ store: world.db.store, clock: world.clock, logger: createLogger('silent') });
    const met = await cases.send(world.caseIds.s1, { type: 'THRESHOLD_MET', at: '2024-10-14', evidence: { rule: 'national threshold', attendancePct: 80 } }, { actor: 'system:test' });
    const body = { type: 'CONSIDERATIONS_RECORDED', considerations, decision: 'noticeToImprove', expectedVersion: met.case.version };
    const detail = (await (await as('pastoral')).get(`/api/cases/${world.caseIds.s1}`)).body;
    expect(detail.allowedActions.find((a: { type: string }) => a.type === 'CONSIDERATIONS_RECORDED')).toMatchObject({ legal: true, decisions: expect.arrayContaining(['noticeToImprove']) });
    const refused = await (await as('pastoral')).post(`/api/cases/${world.caseIds.s1}/events`, body);
    expect(refused.status).toBe(403);
    const done = await (await as('champion')).post(`/api/cases/${world.caseIds.s1}/events`, body);
    expect(done.status).toBe(200);
    expect((await world.db.store.getCase(world.caseIds.s1))?.state).not.toBe(met.case.state);
  });

  it('when marks are imported through the API, then the school is evaluated as of today and the summary comes back', async () => {
    const res = await (await as('otherPastoral')).post('/api/schools/s3/marks', {
      rows: [
        { upn: SCHOOLS.s3.upn, date: '2024-10-11', session: 'AM', code: '/' },
        { upn: SCHOOLS.s3.upn, date: '2024-10-11', session: 'PM', code: 'O' },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ applied: true, inserted: 2, evaluation: { schoolId: 's3', asOf: '2024-10-14', pupils: 1 } });
    const rejected = await (await as('otherPastoral')).post('/api/schools/s3/marks', { rows: [{ upn: 'C999999999999', date: '2024-10-11', session: 'AM', code: '/' }] });
    expect(rejected.status).toBe(422);
    expect(rejected.body.applied).toBe(false);
  });

  it('when workflows are read, then each has its policy and diagram, and an unknown one is 404', async () => {
    const lead = await as('lead');
    const list = (await lead.get('/api/workflows')).body.workflows;
    expect(list.map((w: { id: string }) => w.id)).toContain('west-coventry');
    const one = (await lead.get('/api/workflows/west-coventry')).body;
    expect(one).toMatchObject({ id: 'west-coventry', policy: { id: 'west-coventry' }, diagram: expect.stringContaining('stateDiagram') });
    expect((await lead.get('/api/workflows/constructor')).status).toBe(404);
  });

  it('when the admin asks to move the clock outside demo mode, then it is 409, and others get 403', async () => {
    expect((await (await as('admin')).post('/api/admin/clock/advance', { duration: '1d' })).status).toBe(409);
    // Weeks are read as the CLI and the page read them: parsed, then refused only for the real-time clock.
    expect((await (await as('admin')).post('/api/admin/clock/advance', { duration: '3w' })).status).toBe(409);
    expect((await (await as('admin')).post('/api/admin/clock/advance', { duration: '3 weeks' })).status).toBe(400);
    expect((await (await as('champion')).post('/api/admin/clock/advance', { duration: '1d' })).status).toBe(403);
  });
});
