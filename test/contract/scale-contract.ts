// Cases written for the MongoDB review (issue 22), run on every store: stages kept beside the
// snapshot, open tasks and the due-first order kept with the tasks, tasks naming a missing case,
// listTasks's filters together, a null snapshot in the queue, imports larger than one MongoDB
// chunk, and the register purge across schools.
import { describe, it, expect, beforeAll } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { MarkRow, Store } from '../../src/store/types.ts';
import { at, entry, newCase, type ContractContext } from './support.ts';

const pupil = (upn: string) => ({ upn, forename: 'Alex', surname: upn, dateOfBirth: '2012-03-04', yearGroup: '8', vulnerability: [] as string[], onRoll: true });

/** `days` school days of AM and PM marks from 2024-09-02, `code` for each. */
function termOfMarks(upn: string, days: number, code: (i: number) => string, firstLine = 2): MarkRow[] {
  const rows: MarkRow[] = [];
  for (let d = 0; d < days; d++) {
    const date = new Date(Date.UTC(2024, 8, 2) + d * 86_400_000).toISOString().slice(0, 10);
    for (const session of ['AM', 'PM'] as const) rows.push({ upn, date, session, code: code(rows.length), line: firstLine + rows.length });
  }
  return rows;
}

export function scaleContract(ctx: ContractContext) {
  describe('at a trust’s scale (issue 22)', () => {
    let store: Store;
    const school = `school-${randomUUID()}`;
    const second = `school-${randomUUID()}`;
    beforeAll(async () => {
      store = ctx.store;
      await store.upsertSchool({ id: school, trustId: ctx.trustId, name: 'C School', workflowId: 'west-coventry', localAuthority: 'coventry' });
      await store.upsertSchool({ id: second, trustId: ctx.trustId, name: 'D School', workflowId: 'west-coventry', localAuthority: 'coventry' });
      await store.upsertPupils(school, ['S1', 'S2', 'S3', 'S4'].map(pupil));
      await store.upsertPupils(second, ['T1'].map(pupil));
    });

    it('when a case at stage 2 last met at stage 1b, then it is listed and counted under stage 2 (and its state), never stage 1b; a transition moves it at once', async () => {
      const record = { ...newCase(school, 'S1'), state: 'support.meeting', snapshot: { value: { support: 'meeting' }, context: { stage: 'stage2', lastMeeting: { stage: 'stage1b' } } } };
      await store.createCase(record, { timeline: [entry('opened', null, 'support.meeting')], effects: [] });
      const ids = async (stage: string) => (await store.listCases({ schoolIds: [school], stage })).cases.map((c) => c.id);
      expect(await ids('stage1b')).toEqual([]);
      expect((await store.listCases({ schoolIds: [school], stage: 'stage1b' })).total).toBe(0);
      expect(await ids('stage2')).toEqual([record.id]);
      expect(await ids('support')).toEqual([record.id]);
      expect(await ids('stage')).toEqual([]);
      expect(await ids('stage.')).toEqual([]);
      expect((await store.listQueue({ schoolIds: [school], stage: 'stage2' })).lines.map((l) => l.stage)).toEqual(['stage2']);
      await store.commitTransition({
        caseId: record.id,
        expectedVersion: 1,
        state: 'support.review',
        status: 'open',
        snapshot: { value: { support: 'review' }, context: { stage: 'stage3', lastMeeting: { stage: 'stage2' } } },
        timeline: [entry('transition', 'support.meeting', 'support.review')],
        effects: [],
        at,
      });
      expect(await ids('stage2')).toEqual([]);
      expect(await ids('stage3')).toEqual([record.id]);
      expect(await ids('meeting')).toEqual([]);
    });

    it('when the earliest open task of a case is closed, then the open-task filter and the due-first order follow at once', async () => {
      const early = newCase(school, 'S2');
      const late = newCase(school, 'S3');
      const task = (id: string, caseId: string, dueDate: string) => ({ id, caseId, schoolId: school, kind: 'meeting', title: id, dueDate, createdAt: at });
      const { tasksCreated } = await store.writeCaseBatch({
        created: [early, late].map((record) => ({ record, timeline: [], effects: [] })),
        tasks: [task(`${early.id}:1`, early.id, '2025-02-01'), task(`${late.id}:1`, late.id, '2025-02-10'), task(`${early.id}:2`, early.id, '2025-03-01')],
      });
      expect(tasksCreated).toBe(3);
      const dueFirst = async () => (await store.listCases({ schoolIds: [school], order: 'dueFirst', status: 'open' })).cases.map((c) => c.upn);
      expect(await dueFirst()).toEqual(['S2', 'S3', 'S1']);
      expect((await store.listCases({ schoolIds: [school], openTask: { dueBefore: '2025-02-05' } })).cases.map((c) => c.upn)).toEqual(['S2']);
      await store.closeTask(`${early.id}:1`, { status: 'done', by: 'user:1', at });
      expect(await dueFirst()).toEqual(['S3', 'S2', 'S1']);
      expect((await store.listCases({ schoolIds: [school], openTask: { dueBefore: '2025-02-05' } })).total).toBe(0);
      expect((await store.listCases({ schoolIds: [school], openTask: {} })).cases.map((c) => c.upn).sort()).toEqual(['S2', 'S3']);
      // Both given, both apply.
      expect(await store.listTasks({ caseId: early.id, caseIds: [late.id] })).toEqual([]);
      expect((await store.listTasks({ caseId: early.id, caseIds: [early.id, late.id] })).map((t) => t.id)).toEqual([`${early.id}:1`, `${early.id}:2`]);
    });

    it('when a task names a case that does not exist, then it is refused and nothing is written', async () => {
      const id = `task-${randomUUID()}`;
      await expect(store.createTask({ id, caseId: `case-${randomUUID()}`, schoolId: school, kind: 'meeting', title: 'x', dueDate: '2025-02-01', createdAt: at })).rejects.toThrow();
      expect(await store.getTask(id)).toBeNull();
    });

    it('when a case’s snapshot is null, then its queue line has no stage rather than failing', async () => {
      const record = { ...newCase(school, 'S4'), snapshot: null };
      await store.createCase(record, { timeline: [], effects: [] });
      expect((await store.listQueue({ caseIds: [record.id] })).lines).toMatchObject([{ id: record.id, stage: null }]);
    });

    it('when a file has more sessions than one chunk of writes, then it is all or nothing: counted once, every mark listed, a re-import amending across chunks', async () => {
      const rows = [...termOfMarks('S1', 560, () => '/'), ...termOfMarks('S2', 560, () => '/', 5000)];
      const first = await store.beginMarksImport(school, { actor: 'user:1', reason: 'MIS export', at });
      await first.add(rows);
      expect(await first.problems(10)).toEqual([]);
      expect(await first.commit()).toEqual({ read: 2240, inserted: 2240, amended: 0, unchanged: 0 });
      expect(await store.listMarks(school, 'S2')).toHaveLength(1120);
      const again = await store.beginMarksImport(school, { actor: 'user:2', reason: 'late codes', at });
      await again.add(rows.map((r, i) => (i % 500 === 0 ? { ...r, code: 'N' } : r)));
      expect(await again.commit()).toEqual({ read: 2240, inserted: 0, amended: 5, unchanged: 2235 });
      let n = 0;
      for await (const { marks } of store.streamSchoolMarks(school, { codes: ['N'] })) n += marks.length;
      expect(n).toBe(5);
      expect((await store.listAmendments(school, 'S1')).map((a) => a.newCode)).toEqual(['N', 'N', 'N']);
    });

    it('when the register is purged, then every school’s marks and amendments before the date go, later ones stay, and a second purge finds nothing', async () => {
      for (const [id, upn] of [[school, 'S3'], [second, 'T1']] as const) {
        const first = await store.beginMarksImport(id, { actor: 'user:1', reason: 'old register', at });
        await first.add([
          { upn, date: '2014-06-02', session: 'AM', code: '/', line: 2 },
          { upn, date: '2014-06-02', session: 'PM', code: '/', line: 3 },
          { upn, date: '2025-01-06', session: 'AM', code: '/', line: 4 },
        ]);
        await first.commit();
        const amend = await store.beginMarksImport(id, { actor: 'user:1', reason: 'correction', at });
        await amend.add([{ upn, date: '2014-06-02', session: 'AM', code: 'I', line: 2 }]);
        await amend.commit();
      }
      expect(await store.purgeRegisterBefore('2015-01-01')).toEqual({ marks: 4, amendments: 2 });
      expect(await store.listMarks(second, 'T1')).toEqual([{ upn: 'T1', date: '2025-01-06', session: 'AM', code: '/' }]);
      expect(await store.listAmendments(school, 'S3')).toEqual([]);
      expect(await store.purgeRegisterBefore('2015-01-01')).toEqual({ marks: 0, amendments: 0 });
    });
  });
}
