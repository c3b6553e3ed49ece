// The champion's considerations decision is the approval of the legal request it sets off: one
// decision, in words, and a dashboard that counts tasks rather than listing them (issue 19, items 7-8).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import request from 'supertest';
import { createWorld, type UserKey, type World } from '../api/world.ts';
import { createCaseService } from '../../../src/cases/case-service.ts';
import { createLogger } from '../../../src/logger.ts';
import { allConsidered, considered, evidence } from '../../unit/machines/support.ts';

describe('one decision for a legal step, shown in words', () => {
  let world: World;
  const page = async (user: UserKey, path: string) => {
    const agent = await world.login(user);
    return request(world.app).get(path).set('Cookie', agent.cookie);
  };

  beforeAll(async () => {
    world = await createWorld();
    const cases = createCaseService({ store: world.db.store, clock: world.clock, logger: createLogger('silent') });
    await cases.send(world.caseIds.s1, { type: 'THRESHOLD_MET', at: '2024-10-14', evidence: evidence(87) }, { actor: 'system:evaluator' });
  });
  afterAll(async () => world?.close());

  it('when the champion records the considerations with "Penalty notice", then the request to the LA goes without a second approval, recorded as approved with that decision', async () => {
    const agent = await world.login('champion');
    const record = (await world.db.store.getCase(world.caseIds.s1))!;
    const res = await request(world.app)
      .post(`/api/cases/${record.id}/events`)
      .set('Cookie', agent.cookie)
      .set('X-CSRF-Token', agent.csrf)
      .send({ type: 'CONSIDERATIONS_RECORDED', decision: 'penaltyNotice', considerations: allConsidered, expectedVersion: record.version });
    expect(res.status).toBe(200);
    const legal = (await world.db.store.listEffects({ caseId: record.id })).filter((effect) => effect.approval?.requires === 'champion');
    expect(legal.length).toBeGreaterThan(0);
    expect(legal.map((effect) => [effect.approval?.reason, effect.status])).toEqual(legal.map((effect) => [effect.approval?.reason, 'pending']));
    expect(legal.map((effect) => effect.approval?.decisions.at(-1))).toEqual(legal.map(() => expect.objectContaining({ decision: 'approve', by: 'u-champion' })));
    const timeline = await world.db.store.listTimeline(record.id);
    expect(timeline.filter((entry) => entry.type === 'approval.approve').map((entry) => entry.evidence)).toEqual(legal.map(() => expect.objectContaining({ approvedWith: 'CONSIDERATIONS_RECORDED' })));
    const audit = (await world.db.store.listAudit({ actor: 'u-champion', limit: 100 })).entries.filter((entry) => entry.action === 'approval.decide');
    expect(audit).toHaveLength(legal.length);

    const approvals = await page('champion', '/approvals');
    expect(approvals.status).toBe(200);
    expect(approvals.text).not.toContain('penalty notice request');
    const timelinePage = await page('champion', `/cases/${record.id}/timeline`);
    expect(timelinePage.status).toBe(200);
    expect(timelinePage.text).toContain('Approved with the decision recorded on the case: Penalty notice request');
    expect(timelinePage.text).toContain('Is a penalty notice the best tool to improve attendance? Yes');
    for (const text of [approvals.text, timelinePage.text, (await page('champion', `/cases/${record.id}`)).text]) expect(text).not.toContain('[object Object]');
  });

  it('when a legal request is held for the champion, then its approval page shows the considerations in words', async () => {
    // Recorded other than by the champion on the case page (here straight through the case service): the request waits.
    const cases = createCaseService({ store: world.db.store, clock: world.clock, logger: createLogger('silent') });
    await cases.send(world.caseIds.s3, { type: 'THRESHOLD_MET', at: '2024-10-14', evidence: evidence(87) }, { actor: 'system:evaluator' });
    await cases.send(world.caseIds.s3, considered('2024-10-14', 'penaltyNotice'), { actor: 'u-champion' });
    const [held] = (await world.db.store.listEffects({ caseId: world.caseIds.s3, status: 'held' })).filter((e) => e.approval?.requires === 'champion');
    const res = await page('admin', `/approvals/${encodeURIComponent(held!.id)}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Is a penalty notice the best tool to improve attendance? Yes: recorded: penaltyNoticeBestTool');
    expect(res.text).toContain('Penalty notice');
    expect(res.text).not.toContain('[object Object]');
  });

  it('when tasks are overdue, then the dashboard shows how many of each kind, not the tasks', async () => {
    for (const n of [1, 2, 3]) {
      await world.db.store.createTask({ id: `overdue-${n}`, caseId: world.caseIds.s1, schoolId: 's1', kind: 'contact-details', title: `Secret task title ${n}`, dueDate: '2024-10-01', createdAt: world.clock.now() });
    }
    const res = await page('champion', '/dashboard');
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('Secret task title');
    expect(res.text).toMatch(/<td>Contact details to fix<\/td><td>3<\/td>/);
  });
});
