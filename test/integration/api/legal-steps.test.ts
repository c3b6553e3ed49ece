// Who may take legal steps and close a case, over the API (issue 17, item 5).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import request from 'supertest';
import { createWorld, type UserKey, type World } from './world.ts';
import { createCaseService } from '../../../src/cases/case-service.ts';
import { createLogger } from '../../../src/logger.ts';
import { considered, evidence } from '../../unit/machines/support.ts';

describe('legal steps and closing a case, by role', () => {
  let world: World;
  const post = async (user: UserKey, body: object) => {
    const agent = await world.login(user);
    const record = (await world.db.store.getCase(world.caseIds.s1))!;
    return request(world.app)
      .post(`/api/cases/${record.id}/events`)
      .set('Cookie', agent.cookie)
      .set('X-CSRF-Token', agent.csrf)
      .send({ ...body, expectedVersion: record.version });
  };

  beforeAll(async () => {
    world = await createWorld();
  });
  afterAll(async () => world?.close());

  it('when an EWO tries to close a school’s case referred to them, then it is refused: closing is for the school’s staff', async () => {
    const ewo = await post('ewo', { type: 'CASE_WITHDRAWN', reason: 'not ours to keep' });
    expect(ewo.status).toBe(403);
    expect(ewo.body.error.message).toBe('only the school’s staff may close a case');
    expect((await world.db.store.getCase(world.caseIds.s1))!.status).toBe('open');
    const cases = createCaseService({ store: world.db.store, clock: world.clock, logger: createLogger('silent') });
    await cases.send(world.caseIds.s1, { type: 'THRESHOLD_MET', at: '2024-10-15', evidence: evidence(87) }, { actor: 'system:evaluator' });
    await cases.send(world.caseIds.s1, considered('2024-10-15', 'educationSupervisionOrder'), { actor: 'u-champion' });
  });

  it('when a pastoral leader records the court granting an ESO, then it is refused as a legal step and the case does not move', async () => {
    const res = await post('pastoral', { type: 'ESO_GRANTED' });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe('a legal step needs the senior attendance champion');
    expect((await world.db.store.getCase(world.caseIds.s1))!.state).toBe('open.educationSupervisionOrder.applied');
  });

  it('when the case page lists the actions, then the ESO events are marked legal and not the pastoral leader’s to take', async () => {
    const agent = await world.login('pastoral');
    const res = await request(world.app).get(`/api/cases/${world.caseIds.s1}`).set('Cookie', agent.cookie);
    const granted = (res.body.allowedActions as { type: string; legal: boolean; youMay: boolean }[]).find((action) => action.type === 'ESO_GRANTED');
    expect(granted).toEqual({ type: 'ESO_GRANTED', legal: true, youMay: false });
  });

  it('when a case at a legal stage is to be closed, then only the champion may: a pastoral leader is refused', async () => {
    expect((await post('pastoral', { type: 'CASE_WITHDRAWN', reason: 'moved' })).status).toBe(403);
    expect((await post('champion', { type: 'ESO_GRANTED' })).status).toBe(200);
    expect((await post('champion', { type: 'CASE_WITHDRAWN', reason: 'family moved abroad' })).status).toBe(200);
    expect((await world.db.store.getCase(world.caseIds.s1))!.status).toBe('closed');
  });
});
