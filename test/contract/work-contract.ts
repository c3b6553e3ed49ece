import { describe, it, expect, beforeAll } from 'vitest';
import { type CaseFilter, type Store } from '../../src/store/types.ts';
import { at, newCase, type ContractContext } from './support.ts';

export function workContract(ctx: ContractContext) {
  const { schoolId, otherSchoolId } = ctx;
  describe('tasks', () => {
    let store: Store;
    beforeAll(() => {
      store = ctx.store;
    });
    it('when a task is created twice with one id, then there is one task and the second call says so', async () => {
      const caseId = (await store.findOpenCase(schoolId, 'A1'))!.id;
      const task = { id: `task-${caseId}`, caseId, schoolId, kind: 'meeting', title: 'Hold the attendance meeting', dueDate: '2025-02-03', createdAt: at };
      expect(await store.createTask(task)).toBe(true);
      expect(await store.createTask({ ...task, title: 'changed' })).toBe(false);
      expect(await store.getTask(task.id)).toEqual({
        ...task,
        status: 'open',
        assignee: null,
        completedAt: null,
        completedBy: null,
        note: null,
      });
      await store.createTask({ id: `task-b-${caseId}`, caseId: null, schoolId: otherSchoolId, kind: 'contact', title: 'Fix the address', dueDate: '2025-01-25', createdAt: at, assignee: 'user:9' });
      await store.createTask({ id: `task-c-${caseId}`, caseId, schoolId, kind: 'meeting', title: 'Later', dueDate: '2025-03-03', createdAt: at });
      expect((await store.listTasks({ schoolIds: [schoolId] })).map((t) => t.dueDate)).toEqual(['2025-02-03', '2025-03-03']);
      expect((await store.listTasks({ schoolIds: [schoolId, otherSchoolId], dueBefore: '2025-02-03' })).map((t) => t.title)).toEqual([
        'Fix the address',
        'Hold the attendance meeting',
      ]);
      expect(await store.listTasks({ caseId })).toHaveLength(2);
    });

    it('when a task is closed, then it records who and when, and cannot be closed again', async () => {
      const caseId = (await store.findOpenCase(schoolId, 'A1'))!.id;
      const closed = await store.closeTask(`task-${caseId}`, { status: 'done', by: 'user:7', at, note: 'met mum' });
      expect(closed).toMatchObject({ status: 'done', completedBy: 'user:7', completedAt: at, note: 'met mum' });
      expect(await store.closeTask(`task-${caseId}`, { status: 'cancelled', by: 'user:8', at })).toBeNull();
      expect((await store.listTasks({ caseId, status: 'open' })).map((t) => t.title)).toEqual(['Later']);
      expect(await store.getTask('missing')).toBeNull();
    });

    it('when cases are listed by open task, stage, pupils or ids, then the filters and due-first order apply', async () => {
      const a1 = (await store.findOpenCase(schoolId, 'A1'))!;
      const a2 = (await store.findOpenCase(schoolId, 'A2'))!;
      expect((await store.listTasks({ caseIds: [a1.id, a2.id] })).map((t) => t.title)).toEqual(['Hold the attendance meeting', 'Later']);
      expect((await store.listCases({ schoolIds: [schoolId], openTask: {} })).cases.map((c) => c.id)).toEqual([a1.id]);
      expect((await store.listCases({ schoolIds: [schoolId], openTask: { dueBefore: '2025-03-01' } })).total).toBe(0);
      expect((await store.listCases({ schoolIds: [schoolId], openTask: { dueBefore: '2025-03-03', assignee: 'user:nobody' } })).total).toBe(0);
      expect((await store.listCases({ schoolIds: [schoolId], order: 'dueFirst' })).cases[0]!.id).toBe(a1.id);
      expect((await store.listCases({ schoolIds: [schoolId], stage: 'stage1b' })).cases.map((c) => c.upn).sort()).toEqual(['A1', 'A2']);
      expect((await store.listCases({ schoolIds: [schoolId], stage: 'stage9' })).total).toBe(0);
      expect((await store.listCases({ upns: ['A2'], schoolIds: [schoolId] })).cases.map((c) => c.id)).toEqual([a2.id]);
      expect((await store.listCases({ caseIds: [a2.id, 'missing'] })).cases.map((c) => c.id)).toEqual([a2.id]);
    });

    it("when the work queue is listed, then each line is listCases' case with its pupil's name, support stage and earliest open task, paged and counted alike", async () => {
      const staged = { ...newCase(otherSchoolId, 'B1'), status: 'closed' as const, state: 'closed.improved', snapshot: { value: 'closed', context: { upn: 'B1', stage: 'stage2' } } };
      await store.createCase(staged, { timeline: [], effects: [] });
      const schoolIds = [schoolId, otherSchoolId];
      const filters: CaseFilter[] = [{ schoolIds, order: 'dueFirst' }, ...[0, 1, 2, 9].map((offset) => ({ schoolIds, order: 'dueFirst' as const, limit: 2, offset })), { schoolIds, stage: 'stage1b' }];
      for (const filter of filters) {
        const { total, cases } = await store.listCases(filter);
        const expected = await Promise.all(
          cases.map(async (record) => {
            const pupil = await store.getPupil(record.schoolId, record.upn);
            const next = (await store.listTasks({ caseId: record.id, status: 'open' }))[0];
            return {
              id: record.id,
              schoolId: record.schoolId,
              upn: record.upn,
              state: record.state,
              status: record.status,
              version: record.version,
              updatedAt: record.updatedAt,
              stage: (record.snapshot as { context?: { stage?: string } }).context?.stage ?? null,
              pupil: pupil && { forename: pupil.forename, surname: pupil.surname },
              nextTask: next ? { id: next.id, title: next.title, dueDate: next.dueDate, assignee: next.assignee } : null,
              assignedTo: (await store.listCaseAssignees([record.id]))[0]?.userId ?? null,
            };
          }),
        );
        expect(await store.listQueue(filter)).toEqual({ total, lines: expected });
      }
      const lines = (await store.listQueue({ schoolIds, order: 'dueFirst' })).lines;
      expect(lines.find((line) => line.id === staged.id)).toMatchObject({ stage: 'stage2', pupil: { forename: 'Sam', surname: 'Elm' } });
      expect(lines[0]!.nextTask).toMatchObject({ title: 'Later', dueDate: '2025-03-03' });
    });
  });

  describe('outbox', () => {
    let store: Store;
    beforeAll(() => {
      store = ctx.store;
    });
    let caseId: string;
    const now = new Date('2025-01-20T10:00:00Z');

    beforeAll(async () => {
      const record = newCase(schoolId, 'A3');
      caseId = record.id;
      await store.createCase(record, {
        timeline: [],
        effects: [
          { id: `${caseId}:a`, kind: 'log', payload: { n: 1 }, nextAttemptAt: new Date('2025-01-20T09:00:00Z') },
          { id: `${caseId}:b`, kind: 'log', payload: { n: 2 }, nextAttemptAt: new Date('2025-01-20T09:30:00Z') },
          { id: `${caseId}:later`, kind: 'log', payload: { n: 3 }, nextAttemptAt: new Date('2025-01-21T09:00:00Z') },
        ],
      });
    });

    it('when two workers claim at once, then each due effect goes to exactly one of them', async () => {
      const [first, second] = await Promise.all([
        store.claimEffects({ now, limit: 10, lockMs: 60_000 }),
        store.claimEffects({ now, limit: 10, lockMs: 60_000 }),
      ]);
      const claimed = [...first!, ...second!].map((e) => e.id).filter((id) => id.startsWith(caseId));
      expect(claimed.sort()).toEqual([`${caseId}:a`, `${caseId}:b`]);
      expect(await store.getEffect(`${caseId}:a`)).toMatchObject({ status: 'running', attempts: 1 });
    });

    it('when a claimed effect is not finished before its lock expires, then another worker takes it over', async () => {
      const later = new Date(now.getTime() + 61_000);
      const reclaimed = (await store.claimEffects({ now: later, limit: 10, lockMs: 60_000 })).filter((e) => e.caseId === caseId);
      expect(reclaimed.map((e) => [e.id, e.attempts])).toEqual([
        [`${caseId}:a`, 2],
        [`${caseId}:b`, 2],
      ]);
    });

    it('when effects complete, retry, fail or park, then their status says so', async () => {
      await store.completeEffect(`${caseId}:a`, now);
      await store.retryEffect(`${caseId}:b`, 'smtp 421', new Date('2025-01-20T11:00:00Z'));
      expect(await store.getEffect(`${caseId}:a`)).toMatchObject({ status: 'done', completedAt: now, lastError: null });
      expect(await store.getEffect(`${caseId}:b`)).toMatchObject({ status: 'pending', lastError: 'smtp 421' });
      expect((await store.claimEffects({ now, limit: 10, lockMs: 1000 })).filter((e) => e.caseId === caseId)).toEqual([]);
      const retried = (await store.claimEffects({ now: new Date('2025-01-20T11:00:00Z'), limit: 10, lockMs: 1000 })).filter(
        (e) => e.caseId === caseId,
      );
      expect(retried.map((e) => e.id)).toEqual([`${caseId}:b`]);
      await store.failEffect(`${caseId}:b`, 'smtp 550 no such user', now);
      await store.parkEffect(`${caseId}:later`, 'waiting for mail delivery');
      expect(await store.getEffect(`${caseId}:b`)).toMatchObject({ status: 'failed', lastError: 'smtp 550 no such user' });
      expect((await store.listEffects({ caseId, status: 'waiting' })).map((e) => e.id)).toEqual([`${caseId}:later`]);
      expect(await store.claimEffects({ now: new Date('2025-02-01T00:00:00Z'), limit: 10, lockMs: 1000 })).toSatisfy((list: { caseId: string | null }[]) =>
        list.every((e) => e.caseId !== caseId),
      );
      expect(await store.getEffect('missing')).toBeNull();
    });
  });

  describe('worker leases', () => {
    let store: Store;
    beforeAll(() => {
      store = ctx.store;
    });
    let caseId: string;
    const now = new Date('2025-03-01T10:00:00Z');
    const beat = (id: string, pid: number) => ({ id, host: 'h1', pid, startedAt: at, beatAt: now });

    beforeAll(async () => {
      await store.upsertPupils(schoolId, [{ upn: 'WL1', forename: 'Wren', surname: 'Lark', dateOfBirth: '2012-03-04', yearGroup: '8', vulnerability: [], onRoll: true }]);
      const record = newCase(schoolId, 'WL1');
      caseId = record.id;
      await store.createCase(record, { timeline: [], effects: [{ id: `${caseId}:a`, kind: 'log', payload: {}, nextAttemptAt: at }] });
    });

    it('when a worker beats, then it is listed once with its latest beat', async () => {
      await store.beatWorker(beat('w-live', 1));
      await store.beatWorker({ ...beat('w-live', 1), beatAt: new Date(now.getTime() + 5000) });
      await store.beatWorker(beat('w-dead', 2));
      const workers = (await store.listWorkers()).filter((w) => w.id.startsWith('w-'));
      expect(workers.map((w) => [w.id, w.pid, w.beatAt.getTime()])).toEqual([
        ['w-dead', 2, now.getTime()],
        ['w-live', 1, now.getTime() + 5000],
      ]);
    });

    it('when a worker renews its claims, then only the claims it holds are extended', async () => {
      const claimed = (await store.claimEffects({ now, limit: 100, lockMs: 1000, claimedBy: 'w-dead' })).filter((e) => e.caseId === caseId);
      expect(claimed.map((e) => e.id)).toEqual([`${caseId}:a`]);
      const until = new Date(now.getTime() + 60_000);
      expect(await store.renewEffects([`${caseId}:a`], 'w-live', until)).toBe(0);
      expect(await store.renewEffects([`${caseId}:a`], 'w-dead', until)).toBe(1);
      // Renewed past the first lease: another worker cannot take it at the old expiry.
      expect((await store.claimEffects({ now: new Date(now.getTime() + 2000), limit: 100, lockMs: 1000 })).map((e) => e.id)).not.toContain(`${caseId}:a`);
    });

    it('when a worker is released as dead, then its heartbeat goes and its claims are due again at once', async () => {
      const freed = await store.releaseWorkers(['w-dead']);
      expect(freed.effects).toBeGreaterThanOrEqual(1);
      expect((await store.listWorkers()).map((w) => w.id)).not.toContain('w-dead');
      expect(await store.getEffect(`${caseId}:a`)).toMatchObject({ status: 'pending' });
      const retaken = (await store.claimEffects({ now, limit: 100, lockMs: 1000, claimedBy: 'w-live' })).filter((e) => e.caseId === caseId);
      expect(retaken.map((e) => [e.id, e.attempts])).toEqual([[`${caseId}:a`, 2]]);
      expect(await store.releaseWorkers([])).toEqual({ jobs: 0, effects: 0 });
      await store.releaseWorkers(['w-live']);
    });
  });
}
