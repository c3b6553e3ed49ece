import { describe, it, expect, beforeAll } from 'vitest';
import { randomUUID } from 'node:crypto';
import { CaseAlreadyOpen, VersionConflict, type Store } from '../../src/store/types.ts';
import { at, entry, newCase, type ContractContext } from './support.ts';

export function caseContract(ctx: ContractContext) {
  const { trustId, schoolId, otherSchoolId } = ctx;
  describe('cases', () => {
    let store: Store;
    beforeAll(() => {
      store = ctx.store;
    });
    it('when a case is created, then it starts at version 1 with its timeline, effects and timers', async () => {
      const record = newCase(schoolId, 'A1');
      const created = await store.createCase(record, {
        timeline: [entry('opened', null, 'stage1a')],
        effects: [{ id: `${record.id}:1:0`, kind: 'sendLetter', payload: { template: 'letter-a' } }],
        timers: [{ name: 'reviewDue', timerId: `${record.id}:t1`, dueAt: new Date('2025-02-01T00:00:00Z'), event: { type: 'REVIEW_DUE' } }],
      });
      expect(created).toMatchObject({ id: record.id, version: 1, state: 'stage1a', status: 'open', snapshot: record.snapshot });
      expect(await store.getCase(record.id)).toEqual(created);
      expect(await store.findOpenCase(schoolId, 'A1')).toEqual(created);
      expect((await store.listTimeline(record.id)).map((t) => [t.type, t.to, t.actor])).toEqual([['opened', 'stage1a', 'system:test']]);
      expect(await store.listEffects({ caseId: record.id })).toMatchObject([{ kind: 'sendLetter', status: 'pending', attempts: 0 }]);
      expect(await store.getTimer(record.id, 'reviewDue')).toMatchObject({ timerId: `${record.id}:t1`, event: { type: 'REVIEW_DUE' } });
    });

    it('when a second open case is created for the same pupil, then CaseAlreadyOpen and nothing is written', async () => {
      const record = newCase(schoolId, 'A1');
      await expect(store.createCase(record, { timeline: [entry('opened', null, 'stage1a')], effects: [] })).rejects.toBeInstanceOf(
        CaseAlreadyOpen,
      );
      expect(await store.getCase(record.id)).toBeNull();
    });

    it('when a transition commits, then version, snapshot, timeline, effects and timers change together', async () => {
      const current = (await store.findOpenCase(schoolId, 'A1'))!;
      const next = await store.commitTransition({
        caseId: current.id,
        expectedVersion: 1,
        state: 'stage1b',
        status: 'open',
        snapshot: { value: 'stage1b', context: { upn: 'A1', letters: 2 } },
        timeline: [entry('transition', 'stage1a', 'stage1b')],
        effects: [{ id: `${current.id}:2:0`, kind: 'sendLetter', payload: { template: 'letter-b' } }],
        timers: {
          remove: ['reviewDue'],
          set: [{ name: 'meetingDue', timerId: `${current.id}:t2`, dueAt: new Date('2025-02-10T00:00:00Z'), event: { type: 'MEETING_DUE' } }],
        },
        at: new Date('2025-01-20T09:00:00Z'),
      });
      expect(next).toMatchObject({ version: 2, state: 'stage1b', snapshot: { context: { letters: 2 } } });
      expect(next.updatedAt).toEqual(new Date('2025-01-20T09:00:00Z'));
      expect((await store.listTimeline(current.id)).map((t) => t.to)).toEqual(['stage1a', 'stage1b']);
      expect((await store.listEffects({ caseId: current.id })).map((e) => e.payload)).toEqual([
        { template: 'letter-a' },
        { template: 'letter-b' },
      ]);
      expect((await store.listTimers(current.id)).map((t) => t.name)).toEqual(['meetingDue']);
    });

    it('when a timer is set again under the same name, then it is replaced, not doubled', async () => {
      const current = (await store.findOpenCase(schoolId, 'A1'))!;
      await store.commitTransition({
        caseId: current.id,
        expectedVersion: current.version,
        state: current.state,
        status: 'open',
        snapshot: current.snapshot,
        timeline: [],
        effects: [],
        timers: { remove: [], set: [{ name: 'meetingDue', timerId: `${current.id}:t3`, dueAt: new Date('2025-03-01T00:00:00Z'), event: { type: 'MEETING_DUE' } }] },
        at,
      });
      const timers = await store.listTimers(current.id);
      expect(timers).toHaveLength(1);
      expect(timers[0]).toMatchObject({ timerId: `${current.id}:t3`, dueAt: new Date('2025-03-01T00:00:00Z') });
    });

    it('when two writers commit against the same version concurrently, then exactly one wins and the other gets VersionConflict', async () => {
      const record = newCase(schoolId, 'A2');
      await store.createCase(record, { timeline: [], effects: [] });
      const attempt = (n: number) =>
        store.commitTransition({
          caseId: record.id,
          expectedVersion: 1,
          state: 'stage1b',
          status: 'open',
          snapshot: { writer: n },
          timeline: [entry('transition', 'stage1a', 'stage1b')],
          effects: [{ id: `${record.id}:writer:${n}`, kind: 'log', payload: { n } }],
          at,
        });
      const results = await Promise.allSettled([attempt(1), attempt(2), attempt(3)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results.filter((r) => r.status === 'rejected')) {
        expect((r as PromiseRejectedResult).reason).toBeInstanceOf(VersionConflict);
      }
      expect(await store.listTimeline(record.id)).toHaveLength(1);
      expect(await store.listEffects({ caseId: record.id })).toHaveLength(1);
      expect((await store.getCase(record.id))!.version).toBe(2);
    });

    it('when a write fails part-way, then nothing of it is left', async () => {
      const current = (await store.findOpenCase(schoolId, 'A2'))!;
      const [existing] = await store.listEffects({ caseId: current.id });
      await expect(
        store.commitTransition({
          caseId: current.id,
          expectedVersion: current.version,
          state: 'stage2',
          status: 'open',
          snapshot: { broken: true },
          timeline: [entry('transition', 'stage1b', 'stage2')],
          // The second effect reuses an existing id: the write must fail after the case row changed.
          effects: [
            { id: `${current.id}:fresh`, kind: 'log', payload: {} },
            { id: existing!.id, kind: 'log', payload: {} },
          ],
          timers: { remove: [], set: [{ name: 'x', timerId: `${current.id}:tx`, dueAt: at, event: {} }] },
          at,
        }),
      ).rejects.toThrow();
      expect(await store.getCase(current.id)).toEqual(current);
      expect(await store.listTimeline(current.id)).toHaveLength(1);
      expect(await store.listEffects({ caseId: current.id })).toHaveLength(1);
      expect(await store.listTimers(current.id)).toEqual([]);
    });

    it('when cases are listed, then filters, totals and paging apply', async () => {
      const closed = newCase(otherSchoolId, 'B1');
      await store.createCase({ ...closed, status: 'closed', state: 'closed.improved' }, { timeline: [], effects: [] });
      expect((await store.listCases({ schoolIds: [schoolId] })).total).toBe(2);
      expect((await store.listCases({ schoolIds: [otherSchoolId], status: 'open' })).total).toBe(0);
      expect((await store.listCases({ state: 'closed' })).cases.map((c) => c.id)).toContain(closed.id);
      expect((await store.listCases({ upn: 'A1', schoolIds: [schoolId] })).cases).toHaveLength(1);
      const page = await store.listCases({ schoolIds: [schoolId, otherSchoolId], limit: 2, offset: 2 });
      expect(page.total).toBe(3);
      expect(page.cases).toHaveLength(1);
      expect((await store.listCases({ schoolIds: [schoolId, otherSchoolId], limit: 2 })).total).toBe(3);
      expect(await store.listCases({ schoolIds: [schoolId, otherSchoolId], limit: 2, offset: 10 })).toEqual({ total: 3, cases: [] });
      expect((await store.listCases({ schoolIds: [schoolId, schoolId], limit: 10 })).cases).toHaveLength(2);
      for (const order of ['recent', 'dueFirst'] as const) {
        const whole = (await store.listCases({ schoolIds: [schoolId, otherSchoolId], order })).cases.map((c) => c.id);
        const paged = [];
        for (const offset of [0, 1, 2]) paged.push(...(await store.listCases({ schoolIds: [otherSchoolId, schoolId], order, limit: 1, offset })).cases.map((c) => c.id));
        expect(paged).toEqual(whole);
      }
    });

    it('when timeline entries are appended outside a transition, then they follow in order', async () => {
      const current = (await store.findOpenCase(schoolId, 'A1'))!;
      await store.appendTimeline(current.schoolId, current.id, [entry('note', null, null), entry('effect.failed', null, null)]);
      expect((await store.listTimeline(current.id)).map((t) => t.type).slice(-2)).toEqual(['note', 'effect.failed']);
    });

    it("when timeline entries name a school that is not the case's, then nothing is appended", async () => {
      const current = (await store.findOpenCase(schoolId, 'A1'))!;
      const before = await store.listTimeline(current.id);
      await expect(store.appendTimeline(otherSchoolId, current.id, [entry('note', null, null)])).rejects.toThrow();
      expect(await store.listTimeline(current.id)).toEqual(before);
    });

    it('when timers fall due, then listDueTimers returns those due, soonest first', async () => {
      const due = await store.listDueTimers(new Date('2025-03-01T00:00:00Z'), 100);
      expect(due.map((t) => t.name)).toEqual(['meetingDue']);
      expect(await store.listDueTimers(new Date('2025-02-28T00:00:00Z'), 100)).toEqual([]);
    });
  });

  describe('case batches', () => {
    let store: Store;
    beforeAll(() => {
      store = ctx.store;
    });
    const batchSchool = `school-${randomUUID()}`;
    const task = (id: string, caseId: string | null) => ({ id, caseId, schoolId: batchSchool, kind: 'hygiene', title: id, dueDate: '2025-01-10', createdAt: at });

    beforeAll(async () => {
      await store.upsertSchool({ id: batchSchool, trustId, name: 'C School', workflowId: 'west-coventry', localAuthority: 'coventry' });
      await store.upsertPupils(
        batchSchool,
        ['C1', 'C2', 'C3'].map((upn) => ({ upn, forename: 'Cy', surname: 'Cole', dateOfBirth: '2012-03-04', yearGroup: '8', vulnerability: [], onRoll: true })),
      );
    });

    it('when cases are created, committed and tasks raised in one batch, then all of it is written and the cases come back in order', async () => {
      const first = newCase(batchSchool, 'C1');
      const existing = await store.createCase(newCase(batchSchool, 'C2'), { timeline: [], effects: [] });
      await store.createTask(task(`old-${existing.id}`, existing.id));
      const { cases, tasksCreated } = await store.writeCaseBatch({
        created: [
          {
            record: first,
            timeline: [entry('opened', null, 'stage1a')],
            effects: [{ id: `${first.id}:v1:0`, kind: 'sendLetter', payload: { n: 1 } }],
            timers: [{ name: 'reviewDue', timerId: `${first.id}:t1`, dueAt: at, event: { type: 'REVIEW_DUE' } }],
          },
        ],
        commits: [
          {
            caseId: existing.id,
            expectedVersion: 1,
            state: 'stage1b',
            status: 'open',
            snapshot: { value: 'stage1b' },
            timeline: [entry('transition', 'stage1a', 'stage1b'), entry('transition', 'stage1b', 'stage1b')],
            effects: [{ id: `${existing.id}:v2:0`, kind: 'notify', payload: { n: 2 } }],
            timers: { set: [{ name: 'meetingDue', timerId: `${existing.id}:t2`, dueAt: at, event: { type: 'MEETING_DUE' } }], remove: [] },
            at,
          },
        ],
        tasks: [task(`new-${first.id}`, first.id), task(`old-${existing.id}`, existing.id), task(`pupil-${first.id}`, null)],
      });
      expect(cases.map((c) => [c.id, c.version, c.state])).toEqual([
        [first.id, 1, 'stage1a'],
        [existing.id, 2, 'stage1b'],
      ]);
      expect(tasksCreated).toBe(2);
      expect(await store.listTimeline(existing.id)).toHaveLength(2);
      expect((await store.listEffects({ caseId: first.id })).map((e) => e.payload)).toEqual([{ n: 1 }]);
      expect((await store.listTimers(existing.id)).map((t) => t.name)).toEqual(['meetingDue']);
      expect((await store.listTasks({ schoolIds: [batchSchool] })).map((t) => t.id).sort()).toEqual(
        [`new-${first.id}`, `old-${existing.id}`, `pupil-${first.id}`].sort(),
      );
    });

    it('when one commit of a batch is stale, then VersionConflict names it and nothing of the batch is written', async () => {
      const open = (await store.findOpenCase(batchSchool, 'C2'))!;
      const fresh = newCase(batchSchool, 'C3');
      const attempt = store.writeCaseBatch({
        created: [{ record: fresh, timeline: [entry('opened', null, 'stage1a')], effects: [] }],
        commits: [{ caseId: open.id, expectedVersion: open.version - 1, state: 'stage2', status: 'open', snapshot: {}, timeline: [], effects: [], at }],
        tasks: [task(`lost-${fresh.id}`, null)],
      });
      await expect(attempt).rejects.toMatchObject({ name: 'VersionConflict', caseId: open.id });
      expect(await store.getCase(fresh.id)).toBeNull();
      expect(await store.getTask(`lost-${fresh.id}`)).toBeNull();
      expect((await store.getCase(open.id))!.state).toBe('stage1b');
    });

    it('when a batch would open a second case for a pupil, then CaseAlreadyOpen names that pupil and nothing is written', async () => {
      const fresh = newCase(batchSchool, 'C3');
      const attempt = store.writeCaseBatch({
        created: [
          { record: fresh, timeline: [], effects: [] },
          { record: newCase(batchSchool, 'C1'), timeline: [], effects: [] },
        ],
      });
      await expect(attempt).rejects.toMatchObject({ name: 'CaseAlreadyOpen', upn: 'C1' });
      expect(await store.getCase(fresh.id)).toBeNull();
    });

    it("when a commit closes a stage's tasks, then those open with its prefixes close with the note, kept kinds and other tasks stay, and its unrun task effects are cancelled but not the commit's own", async () => {
      const record = await store.createCase(newCase(batchSchool, 'C3'), { timeline: [], effects: [] });
      const id = record.id;
      const stageTask = { ...task(`${id}:v1:0`, id), kind: 'homeVisit' };
      await store.createTask(stageTask);
      await store.createTask({ ...task(`${id}:v1:1`, id), kind: 'multiAgencyPlan' });
      await store.createTask(task(`contact:${id}:no-email:p1`, id));
      await store.createTask({ ...task(`${id}:v1:2`, id), kind: 'homeVisit' });
      await store.closeTask(`${id}:v1:2`, { status: 'done', by: 'user:1', at });
      // A task-making effect of the left stage not yet run, and a letter that must still go.
      await store.commitTransition({
        caseId: id, expectedVersion: 1, state: 'stage1a', status: 'open', snapshot: {}, timeline: [], at,
        effects: [{ id: `${id}:v2:0`, kind: 'createTask', payload: { caseId: id, kind: 'meeting', title: 'Invite', dueDate: '2025-01-20' } }, { id: `${id}:v2:1`, kind: 'sendLetter', payload: {} }],
      });
      const later = new Date(at.getTime() + 60_000);
      await store.commitTransition({
        caseId: id, expectedVersion: 2, state: 'stage2', status: 'open', snapshot: {}, timeline: [], at: later,
        effects: [{ id: `${id}:v3:0`, kind: 'createTask', payload: { caseId: id, kind: 'meeting', title: 'Invite to stage 2', dueDate: '2025-02-20' } }],
        closeTasks: { idPrefixes: [`${id}:v`], keepKinds: ['multiAgencyPlan'], note: 'closed: the case moved to Stage 2', by: 'system:workflow' },
      });
      expect(await store.getTask(stageTask.id)).toMatchObject({ status: 'cancelled', note: 'closed: the case moved to Stage 2', completedBy: 'system:workflow', completedAt: later });
      expect((await store.listTasks({ caseId: id, status: 'open' })).map((t) => t.id).sort()).toEqual([`${id}:v1:1`, `contact:${id}:no-email:p1`].sort());
      expect(await store.getTask(`${id}:v1:2`)).toMatchObject({ status: 'done', completedBy: 'user:1' });
      const effects = new Map((await store.listEffects({ caseId: id })).map((effect) => [effect.id, effect.status]));
      expect([effects.get(`${id}:v2:0`), effects.get(`${id}:v2:1`), effects.get(`${id}:v3:0`)]).toEqual(['cancelled', 'pending', 'pending']);
    });

    it('when a held letter is withdrawn, then its overdue approval task closes with the reason', async () => {
      const id = (await store.findOpenCase(batchSchool, 'C3'))!.id;
      const version = (await store.getCase(id))!.version;
      await store.commitTransition({
        caseId: id, expectedVersion: version, state: 'stage2', status: 'open', snapshot: {}, timeline: [], at,
        effects: [{ id: `${id}:v9:0`, kind: 'sendLetter', payload: {}, approval: { requires: 'champion', reason: 'Letter B', evidence: null } }],
      });
      await store.createTask({ ...task(`approval-overdue:${id}:v9:0`, id), kind: 'approval-overdue' });
      await store.commitTransition({ caseId: id, expectedVersion: version + 1, state: 'stage3', status: 'open', snapshot: {}, timeline: [], effects: [], at, cancelUnsent: { reason: 'withdrawn unsent', heldLettersOnly: true } });
      expect(await store.getTask(`approval-overdue:${id}:v9:0`)).toMatchObject({ status: 'cancelled', note: 'withdrawn unsent' });
    });
  });
}
