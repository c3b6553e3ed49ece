import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import request from 'supertest';
import { createWorld, type UserKey, type World } from '../api/world.ts';
import { considered, evidence } from '../../unit/machines/support.ts';
import { createCaseService } from '../../../src/cases/case-service.ts';
import { createLogger } from '../../../src/logger.ts';

describe('approvals API: the batch, previews and decisions, by role', () => {
  let world: World;
  let letterId: string;
  let legalId: string;
  const as = async (user: UserKey) => {
    const agent = await world.login(user);
    return {
      get: (path: string) => request(world.app).get(path).set('Cookie', agent.cookie),
      post: (path: string, body: object) => request(world.app).post(path).set('Cookie', agent.cookie).set('X-CSRF-Token', agent.csrf).send(body),
    };
  };

  beforeAll(async () => {
    world = await createWorld();
    const { store } = world.db;
    const cases = createCaseService({ store, clock: world.clock, logger: createLogger('silent') });
    const caseId = world.caseIds.s1;
    const review = (await store.getTimer(caseId, 'review'))!;
    await cases.send(caseId, { type: 'REVIEW_DUE', at: '2024-11-18', timerId: (review.event as { timerId: string }).timerId, evidence: evidence(88.2, -0.8) }, { actor: 'system:timer' });
    await cases.send(caseId, { type: 'THRESHOLD_MET', at: '2024-11-19', evidence: evidence(87) }, { actor: 'system:evaluator' });
    await cases.send(caseId, considered('2024-11-20', 'noticeToImprove'), { actor: 'u-champion' });
    const held = await store.listEffects({ caseId, status: 'held' });
    letterId = held.find((e) => e.kind === 'sendLetter')!.id;
    legalId = held.find((e) => e.kind === 'notify')!.id;
  });
  afterAll(async () => world?.close());

  it('when the pastoral leader opens the batch, then each held item shows what, for whom and why, with counts', async () => {
    const res = await (await as('pastoral')).get('/api/approvals');
    expect(res.status).toBe(200);
    expect(res.body.counts).toEqual({ letters: 1, legalSteps: 1, overdue: 0 });
    expect(res.body.approvals).toEqual([
      expect.objectContaining({ id: letterId, kind: 'sendLetter', template: 'west-coventry/letter-b', legal: false, mayDecide: true, pupil: expect.objectContaining({ name: 'Sam Taylors1' }), why: { event: 'REVIEW_DUE', rule: 'test', attendancePct: 88.2 } }),
      expect.objectContaining({ id: legalId, kind: 'notify', legal: true, mayDecide: false, what: expect.stringContaining('Notice to Improve') }),
    ]);
  });

  it('when someone from another school or trust asks, then they see none of it', async () => {
    expect((await (await as('otherPastoral')).get('/api/approvals')).body.approvals).toEqual([]);
    expect((await (await as('otherPastoral')).get(`/api/approvals/${encodeURIComponent(letterId)}`)).status).toBe(404);
    expect((await (await as('otherPastoral')).post(`/api/approvals/${encodeURIComponent(letterId)}/decision`, { decision: 'approve' })).status).toBe(404);
  });

  it('when one approval is opened, then its evidence and a preview of each letter come with it', async () => {
    const res = await (await as('pastoral')).get(`/api/approvals/${encodeURIComponent(letterId)}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'held', evidence: { event: 'REVIEW_DUE', attendancePct: 88.2 }, decisions: [] });
    expect(res.body.letters).toEqual([expect.objectContaining({ recipient: expect.objectContaining({ name: 'Jo Taylor' }), subject: expect.any(String), text: expect.stringContaining('Jo Taylor'), edited: false })]);
  });

  it('when a decision is malformed, then it is a 400 naming the field', async () => {
    const res = await (await as('pastoral')).post(`/api/approvals/${encodeURIComponent(letterId)}/decision`, { decision: 'reject', reason: '' });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('reason');
  });

  it('when the trust lead or the pastoral leader tries to approve a legal step, then it is refused; the champion may', async () => {
    expect((await (await as('lead')).post(`/api/approvals/${encodeURIComponent(letterId)}/decision`, { decision: 'approve' })).status).toBe(403);
    expect((await (await as('pastoral')).post(`/api/approvals/${encodeURIComponent(legalId)}/decision`, { decision: 'approve' })).status).toBe(403);
    const res = await (await as('champion')).post(`/api/approvals/${encodeURIComponent(legalId)}/decision`, { decision: 'defer', reason: 'LA meeting first', until: '2024-11-29' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'held', approval: { deferredUntil: '2024-11-29', decisions: [{ decision: 'defer', by: 'u-champion', reason: 'LA meeting first' }] } });
  });

  it('when a batch is approved, then each letter the person may decide is approved and the rest say why not', async () => {
    const res = await (await as('pastoral')).post('/api/approval-batches', { ids: [letterId, legalId, 'nope'] });
    expect(res.status).toBe(200);
    expect(res.body.approved).toBe(1);
    expect(res.body.results).toEqual([
      { id: letterId, status: 'pending' },
      { id: legalId, status: 'refused', error: expect.objectContaining({ status: 409, message: 'legal steps are approved one at a time' }) },
      { id: 'nope', status: 'refused', error: expect.objectContaining({ status: 404 }) },
    ]);
    expect((await (await as('pastoral')).post(`/api/approvals/${encodeURIComponent(letterId)}/decision`, { decision: 'approve' })).status).toBe(409);
    const timeline = await world.db.store.listTimeline(world.caseIds.s1);
    expect(timeline.filter((t) => t.type.startsWith('approval.')).map((t) => [t.type, t.actor])).toEqual([
      ['approval.defer', 'u-champion'],
      ['approval.approve', 'u-pastoral'],
    ]);
  });

  it('when the champion puts a legal step in a batch, then it is answered "legal steps are approved one at a time" and stays held', async () => {
    const res = await (await as('champion')).post('/api/approval-batches', { ids: [legalId] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ approved: 0, results: [{ id: legalId, status: 'refused', error: { status: 409, code: 'legal_step', message: 'legal steps are approved one at a time' } }] });
    expect((await world.db.store.getEffect(legalId))!.status).toBe('held');
  });
});
