import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import request from 'supertest';
import { createWorld, type UserKey, type World } from './world.ts';
import { policyVersionOf, schoolMachineFor } from '../../../src/cases/case-machines.ts';

const pupil = (upn: string) => ({ upn, forename: 'Ali', surname: 'Khan', dateOfBirth: '2011-02-03', yearGroup: '9', vulnerability: [], onRoll: true });
const OPEN = { type: 'OPEN' as const, at: '2024-10-14', evidence: { rule: 'test', attendancePct: 88 } };

describe('a school’s policy over the API', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
    await world.db.store.upsertPupils('s1', [pupil('A331400112901'), pupil('A331400112902')]);
  });
  afterAll(async () => world?.close());

  const call = async (user: UserKey, method: 'get' | 'post', path: string, body?: object) => {
    const agent = await world.login(user);
    const req = request(world.app)[method](path).set('Cookie', agent.cookie);
    return method === 'post' ? req.set('X-CSRF-Token', agent.csrf).send(body ?? {}) : req;
  };

  it('when staff other than the champion or an admin ask for the policy, then 403 (404 for another school’s); the champion sees version 1 and a draft copied from it', async () => {
    expect((await call('pastoral', 'get', '/api/schools/s1/policy')).status).toBe(403);
    expect((await call('lead', 'get', '/api/schools/s1/policy')).status).toBe(403);
    expect((await call('otherPastoral', 'get', '/api/schools/s1/policy')).status).toBe(404);
    const res = await call('champion', 'get', '/api/schools/s1/policy');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ currentVersion: 1, draft: { document: { base: 'west-coventry', overrides: {} }, revision: 0, saved: false }, ntiRange: { min: 20, max: 20, unit: 'schoolDays' } });
    expect(res.body.draftPolicy.diagram).toContain('stateDiagram');
  });

  it('when a file reaches for a statutory rule or an NTI period outside the LA’s code, then 422 naming it and nothing is saved', async () => {
    const cap = await call('champion', 'post', '/api/schools/s1/policy/draft', { content: 'base: west-coventry\noverrides:\n  penaltyNotice:\n    maxNotices: 3\n', revision: 0 });
    expect(cap.status).toBe(422);
    expect(cap.body.error.message).toMatch(/at most two penalty notices to one parent for one child within three years/);
    const windows = await call('champion', 'post', '/api/schools/s1/policy/draft', { document: { base: 'west-coventry', overrides: { penaltyNotice: { reducedRateDays: 30 } } }, revision: 0 });
    expect(windows.body.error.message).toMatch(/21 days and in full within 28 days/);
    const nti = await call('champion', 'post', '/api/schools/s1/policy/draft', { document: { base: 'west-coventry', overrides: { noticeToImprove: { improvementPeriod: { amount: 15, unit: 'schoolDays' } } } }, revision: 0 });
    expect(nti.status).toBe(422);
    expect(nti.body.error.message).toMatch(/15 school days is outside Coventry’s code of conduct’s range/);
    const bomb = await call('champion', 'post', '/api/schools/s1/policy/draft', { content: 'a: &a [1]\nbase: *a\n', format: 'yaml', revision: 0 });
    expect(bomb.status).toBe(400);
    expect(await world.db.store.getPolicyDraft('s1')).toBeNull();
  });

  it('when the champion saves a YAML draft and publishes it, then new cases open on version 2 and say so on their timeline; cases already open stay on version 1', async () => {
    const before = await world.deps.cases.open('s1', 'A331400112901', OPEN, 'system:test');
    const saved = await call('champion', 'post', '/api/schools/s1/policy/draft', { content: 'base: west-coventry\noverrides:\n  targetPct: 96\n  opening:\n    when: { pctBelow: 96 }\n', fileName: 'policy.yaml', revision: 0 });
    expect(saved.status).toBe(200);
    expect(saved.body.revision).toBe(1);
    expect((await call('champion', 'post', '/api/schools/s1/policy/draft', { document: { base: 'west-coventry', overrides: {} }, revision: 0 })).status).toBe(409);
    expect((await call('champion', 'post', '/api/schools/s1/policy/publish', { revision: 0 })).status).toBe(400);
    const published = await call('champion', 'post', '/api/schools/s1/policy/publish', { revision: 1, note: '96%' });
    expect(published.body).toMatchObject({ version: 2, note: '96%' });
    const exported = await call('champion', 'get', '/api/schools/s1/policy/export?version=2&format=json');
    expect(JSON.parse(exported.body.content)).toEqual({ base: 'west-coventry', overrides: { targetPct: 96, opening: { when: { pctBelow: 96 } } } });

    const after = await world.deps.cases.open('s1', 'A331400112902', OPEN, 'system:test');
    expect(policyVersionOf(after.case)).toBe(2);
    expect((await world.db.store.listTimeline(after.case.id))[0]?.evidence).toMatchObject({ event: 'OPEN', policyVersion: 2 });
    expect(policyVersionOf((await world.db.store.getCase(before.case.id))!)).toBe(1);
    // A note on the old case is recorded under its own version; the school's machines are built once per version and calendar.
    const school = (await world.db.store.getSchool('s1'))!;
    const [first, second] = [await schoolMachineFor(world.db.store, school), await schoolMachineFor(world.db.store, school)];
    expect(first.machine).toBe(second.machine);
    expect([first.policyVersion, first.workflow.policy.targetPct, first.versions?.get(1)?.workflow.policy.targetPct]).toEqual([2, 96, 95]);

    // Moving the old case: a preview first (nothing moved), then the move, which sends nothing.
    const preview = await call('champion', 'post', '/api/schools/s1/policy/migration', { from: 1, to: 2, mapping: { 'open.stage1a': 'open.considering' } });
    expect(preview.body.states).toMatchObject([{ state: 'open.stage1a', choices: ['open.stage1a', 'open.stage1b', 'open.stage2', 'open.stage3'], chosen: 'open.stage1a' }]);
    expect(policyVersionOf((await world.db.store.getCase(before.case.id))!)).toBe(1);
    const effects = (await world.db.store.listEffects({ caseId: before.case.id })).length;
    const moved = await call('champion', 'post', '/api/schools/s1/policy/migration', { from: 1, to: 2, mapping: { 'open.stage1a': 'open.stage2' }, caseIds: [before.case.id], apply: true });
    expect(moved.body).toEqual({ moved: [{ caseId: before.case.id, from: 'open.stage1a', to: 'open.stage2' }], skipped: [] });
    const record = (await world.db.store.getCase(before.case.id))!;
    expect([record.state, policyVersionOf(record)]).toEqual(['open.stage2', 2]);
    expect((await world.db.store.listEffects({ caseId: before.case.id })).length).toBe(effects);
  });
});
