// One contract suite for every Store adapter: each adapter's test file calls defineStoreContract.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomUUID } from 'node:crypto';
import { CaseAlreadyOpen, VersionConflict, type CaseFilter, type MarkRow, type NewCase, type NewTimelineEntry, type Store } from '../../src/store/types.ts';

export interface OpenedStore {
  store: Store;
  cleanup(): Promise<void>;
}

const at = new Date('2025-01-10T09:00:00Z');

function entry(type: string, from: string | null, to: string | null): NewTimelineEntry {
  return { id: randomUUID(), at, actor: 'system:test', type, from, to, evidence: { rule: 'test', pct: 92.5 } };
}

function newCase(schoolId: string, upn: string): NewCase {
  return {
    id: randomUUID(),
    schoolId,
    upn,
    workflowId: 'west-coventry',
    machineId: 'west-coventry',
    machineVersion: 1,
    state: 'stage1a',
    status: 'open',
    snapshot: { value: 'stage1a', context: { upn } },
    openedAt: at,
  };
}

function marks(upn: string, rows: [string, 'AM' | 'PM', string][], firstLine = 2): MarkRow[] {
  return rows.map(([date, session, code], i) => ({ upn, date, session, code, line: firstLine + i }));
}

export function defineStoreContract(name: string, open: () => Promise<OpenedStore>) {
  describe(`store contract: ${name}`, () => {
    let opened: OpenedStore;
    let store: Store;
    const trustId = `trust-${randomUUID()}`;
    const schoolId = `school-${randomUUID()}`;
    const otherSchoolId = `school-${randomUUID()}`;

    beforeAll(async () => {
      opened = await open();
      store = opened.store;
      await store.upsertTrust({ id: trustId, name: 'Test Trust' });
      await store.upsertSchool({ id: schoolId, trustId, name: 'A School', workflowId: 'west-coventry', localAuthority: 'coventry' });
      await store.upsertSchool({ id: otherSchoolId, trustId, name: 'B School', workflowId: 'hall-green', localAuthority: 'sandwell' });
      const pupil = (upn: string, surname: string) => ({
        upn,
        forename: 'Sam',
        surname,
        dateOfBirth: '2012-03-04',
        yearGroup: '8',
        vulnerability: [] as string[],
        onRoll: true,
      });
      await store.upsertPupils(schoolId, [pupil('A1', 'Ash'), pupil('A2', 'Birch'), pupil('A3', 'Cedar'), pupil('A4', 'Damson')]);
      await store.upsertPupils(otherSchoolId, [pupil('B1', 'Elm')]);
    });

    afterAll(async () => {
      await opened?.cleanup();
    });

    describe('organisation', () => {
      it('when a store is reachable, then ping resolves', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
      });

      it('when trusts and schools are upserted twice, then they are updated, not duplicated', async () => {
        await store.upsertTrust({ id: trustId, name: 'Renamed Trust' });
        expect(await store.getTrust(trustId)).toEqual({ id: trustId, name: 'Renamed Trust' });
        expect((await store.listTrusts()).filter((t) => t.id === trustId)).toHaveLength(1);
        expect(await store.getTrust('nope')).toBeNull();
        const schools = await store.listSchools({ trustId });
        expect(schools.map((s) => s.name)).toEqual(['A School', 'B School']);
        expect(await store.getSchool(otherSchoolId)).toMatchObject({ workflowId: 'hall-green', localAuthority: 'sandwell' });
        expect(await store.getSchool('nope')).toBeNull();
      });

      it('when pupils are upserted again with changes, then inserted and updated are counted apart', async () => {
        const counts = await store.upsertPupils(schoolId, [
          { upn: 'A4', forename: 'Dee', surname: 'Damson', dateOfBirth: '2012-05-06', yearGroup: '8', vulnerability: ['lac', 'ehcp'], onRoll: true },
          { upn: 'A5', forename: 'Eve', surname: 'Elder', dateOfBirth: '2013-01-02', yearGroup: '7', vulnerability: [], onRoll: false },
        ]);
        expect(counts).toEqual({ inserted: 1, updated: 1 });
        expect(await store.getPupil(schoolId, 'A4')).toEqual({
          schoolId,
          upn: 'A4',
          forename: 'Dee',
          surname: 'Damson',
          dateOfBirth: '2012-05-06',
          yearGroup: '8',
          vulnerability: ['lac', 'ehcp'],
          onRoll: true,
        });
        expect((await store.listPupils(schoolId)).map((p) => p.upn)).toEqual(['A1', 'A2', 'A3', 'A4', 'A5']);
        expect((await store.listPupils(schoolId, ['A3', 'A1', 'Z9'])).map((p) => p.upn)).toEqual(['A1', 'A3']);
        expect(await store.getPupil(otherSchoolId, 'A4')).toBeNull();
      });

      it('when contacts are replaced, then only the named pupils lose their old contacts', async () => {
        const mum = { upn: 'A1', name: 'Ann Ash', relationship: 'mother', email: 'ann@example.org', phone: null, parentalResponsibility: true, livesWith: true };
        await store.replaceContacts(schoolId, [mum, { ...mum, upn: 'A2', name: 'Bo Birch' }]);
        const dad = { ...mum, name: 'Al Ash', relationship: 'father', email: null, phone: '07700900123', livesWith: false };
        expect(await store.replaceContacts(schoolId, [mum, dad])).toEqual({ pupils: 1, contacts: 2 });
        expect((await store.listContacts(schoolId, 'A1')).map((c) => c.name)).toEqual(['Ann Ash', 'Al Ash']);
        expect(await store.listContacts(schoolId, 'A1')).toContainEqual({ schoolId, ...dad });
        expect((await store.listContacts(schoolId, 'A2')).map((c) => c.name)).toEqual(['Bo Birch']);
        expect((await store.listContacts(schoolId)).map((c) => [c.upn, c.name])).toEqual([
          ['A1', 'Ann Ash'],
          ['A1', 'Al Ash'],
          ['A2', 'Bo Birch'],
        ]);
      });
    });

    describe('register marks', () => {
      it('when marks are imported, then they are listed in date and session order', async () => {
        const importer = await store.beginMarksImport(schoolId, { actor: 'user:1', reason: 'MIS export', at });
        await importer.add(marks('A1', [['2025-01-07', 'PM', 'O'], ['2025-01-06', 'AM', '/'], ['2025-01-06', 'PM', '\\']]));
        await importer.add(marks('A2', [['2025-01-06', 'AM', 'I']], 5));
        expect(await importer.problems(10)).toEqual([]);
        expect(await importer.commit()).toEqual({ read: 4, inserted: 4, amended: 0, unchanged: 0 });
        expect(await store.listMarks(schoolId, 'A1')).toEqual([
          { upn: 'A1', date: '2025-01-06', session: 'AM', code: '/' },
          { upn: 'A1', date: '2025-01-06', session: 'PM', code: '\\' },
          { upn: 'A1', date: '2025-01-07', session: 'PM', code: 'O' },
        ]);
        expect(await store.listMarks(schoolId, 'A1', { from: '2025-01-07' })).toHaveLength(1);
        expect(await store.listMarks(schoolId, 'A1', { to: '2025-01-06' })).toHaveLength(2);
      });

      it('when the same file is imported again with one changed code, then one amendment keeps both codes', async () => {
        const importer = await store.beginMarksImport(schoolId, { actor: 'user:2', reason: 'reason given by parent', at });
        await importer.add(marks('A1', [['2025-01-07', 'PM', 'I'], ['2025-01-06', 'AM', '/'], ['2025-01-06', 'PM', '\\'], ['2025-01-06', 'PM', '\\']]));
        expect(await importer.commit()).toEqual({ read: 4, inserted: 0, amended: 1, unchanged: 2 });
        expect(await store.listAmendments(schoolId, 'A1')).toEqual([
          {
            schoolId,
            upn: 'A1',
            date: '2025-01-07',
            session: 'PM',
            originalCode: 'O',
            newCode: 'I',
            reason: 'reason given by parent',
            amendedBy: 'user:2',
            amendedAt: at,
          },
        ]);
        expect((await store.listMarks(schoolId, 'A1')).at(-1)?.code).toBe('I');
      });

      it('when a file names unknown pupils or marks a session twice differently, then problems name the lines', async () => {
        const importer = await store.beginMarksImport(schoolId, { actor: 'user:1', reason: 'MIS export', at });
        await importer.add([
          { upn: 'A3', date: '2025-01-08', session: 'AM', code: '/', line: 2 },
          { upn: 'ZZ9', date: '2025-01-08', session: 'AM', code: '/', line: 3 },
          { upn: 'A3', date: '2025-01-08', session: 'AM', code: 'O', line: 4 },
          { upn: 'B1', date: '2025-01-08', session: 'AM', code: '/', line: 5 },
        ]);
        const problems = await importer.problems(10);
        expect(problems.map((p) => [p.line, p.column, p.value])).toEqual([
          [3, 'upn', 'ZZ9'],
          [4, 'code', 'O'],
          [5, 'upn', 'B1'],
        ]);
        expect(problems[1]!.message).toContain('line 2');
        expect(await importer.problems(1)).toHaveLength(1);
        await importer.abort();
        expect(await store.listMarks(schoolId, 'A3')).toEqual([]);
      });

      it('when an import is aborted after staging, then the register is untouched', async () => {
        const importer = await store.beginMarksImport(schoolId, { actor: 'user:1', reason: 'MIS export', at });
        await importer.add(marks('A3', [['2025-01-09', 'AM', 'G'], ['2025-01-09', 'PM', 'G']]));
        await importer.abort();
        expect(await store.listMarks(schoolId, 'A3')).toEqual([]);
      });

      it('when a school is streamed, then every pupil comes once with their marks, even pupils with none', async () => {
        const seen: [string, number][] = [];
        for await (const { upn, marks: pupilMarks } of store.streamSchoolMarks(schoolId, { to: '2025-01-06' })) {
          seen.push([upn, pupilMarks.length]);
        }
        expect(seen).toEqual([
          ['A1', 2],
          ['A2', 1],
          ['A3', 0],
          ['A4', 0],
          ['A5', 0],
        ]);
      });

      it('when a school is streamed for some pupils and codes, then only those pupils come, with only those marks', async () => {
        const seen: [string, unknown][] = [];
        for await (const { upn, marks: pupilMarks } of store.streamSchoolMarks(schoolId, { upns: ['A1', 'A2', 'A4'], codes: ['\\', 'I'], from: '2025-01-06', to: '2025-01-06' })) {
          seen.push([upn, pupilMarks]);
        }
        expect(seen).toEqual([
          ['A1', [{ upn: 'A1', date: '2025-01-06', session: 'PM', code: '\\' }]],
          ['A2', [{ upn: 'A2', date: '2025-01-06', session: 'AM', code: 'I' }]],
          ['A4', []],
        ]);
      });
    });

    describe('cases', () => {
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
        await store.appendTimeline(current.id, [entry('note', null, null), entry('effect.failed', null, null)]);
        expect((await store.listTimeline(current.id)).map((t) => t.type).slice(-2)).toEqual(['note', 'effect.failed']);
      });

      it('when timers fall due, then listDueTimers returns those due, soonest first', async () => {
        const due = await store.listDueTimers(new Date('2025-03-01T00:00:00Z'), 100);
        expect(due.map((t) => t.name)).toEqual(['meetingDue']);
        expect(await store.listDueTimers(new Date('2025-02-28T00:00:00Z'), 100)).toEqual([]);
      });
    });

    describe('case batches', () => {
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
    });

    describe('settings', () => {
      it('when a setting is put twice, then the last value is read back, and an unknown key is null', async () => {
        expect(await store.getSetting('clock')).toBeNull();
        await store.putSetting('clock', { offsetMs: 5 });
        await store.putSetting('clock', { offsetMs: -86_400_000, demo: true });
        expect(await store.getSetting('clock')).toEqual({ offsetMs: -86_400_000, demo: true });
      });
    });

    describe('tasks', () => {
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

    describe('messages', () => {
      let caseId: string;
      const message = (id: string, status: 'pending' | 'printOnly' = 'pending') => ({
        id,
        effectId: `${caseId}:v1:0`,
        caseId,
        schoolId,
        template: 'west-coventry/letter-a',
        kind: 'letter' as const,
        recipientRole: 'parent',
        recipientName: 'Alex Ash',
        recipientEmail: status === 'printOnly' ? null : 'alex@example.org',
        subject: 'Attendance',
        messageId: `<${id}@test>`,
        status,
        pdf: Buffer.from('%PDF-1.3 test'),
        createdAt: at,
      });

      beforeAll(async () => {
        const created = newCase(schoolId, 'A4');
        caseId = created.id;
        await store.createCase(created, { timeline: [], effects: [] });
      });

      it('when a school is stored with mailboxes, then they are read back, and an upsert without them keeps them', async () => {
        const mailboxes = { ewo: 'ewo@example.org', la: 'attendance@la.example.org' };
        await store.upsertSchool({ id: schoolId, trustId, name: 'A School', workflowId: 'west-coventry', localAuthority: 'coventry', notifyEmails: mailboxes });
        await store.upsertSchool({ id: schoolId, trustId, name: 'A School', workflowId: 'west-coventry', localAuthority: 'coventry' });
        expect((await store.getSchool(schoolId))?.notifyEmails).toEqual(mailboxes);
        expect((await store.getSchool(otherSchoolId))?.notifyEmails).toEqual({});
      });

      it('when the same message is recorded twice, then the first stays and the second reports it was not created', async () => {
        expect(await store.createMessage(message(`${caseId}/m1`))).toBe(true);
        expect(await store.createMessage({ ...message(`${caseId}/m1`), subject: 'changed' })).toBe(false);
        const stored = await store.getMessage(`${caseId}/m1`);
        expect(stored).toMatchObject({ subject: 'Attendance', status: 'pending', transport: null, raw: null, error: null, sentAt: null });
        expect(stored?.pdf?.toString()).toBe('%PDF-1.3 test');
      });

      it('when a message fails for now, is sent, or fails for good, then its status, error and raw copy say so', async () => {
        await store.updateMessage(`${caseId}/m1`, { status: 'pending', at, error: '421 try later' });
        expect(await store.getMessage(`${caseId}/m1`)).toMatchObject({ status: 'pending', error: '421 try later' });
        const sentAt = new Date('2025-01-10T10:00:00Z');
        expect(await store.updateMessage(`${caseId}/m1`, { status: 'sent', at: sentAt, transport: 'embedded', raw: 'Subject: x\r\n' })).toMatchObject({
          status: 'sent',
          transport: 'embedded',
          raw: 'Subject: x\r\n',
          error: null,
          sentAt,
        });
        await store.createMessage(message(`${caseId}/m2`));
        await store.updateMessage(`${caseId}/m2`, { status: 'failed', at, error: '550 no such user' });
        expect(await store.getMessage(`${caseId}/m2`)).toMatchObject({ status: 'failed', error: '550 no such user', sentAt: null });
        expect(await store.updateMessage('missing', { status: 'failed', at, error: 'x' })).toBeNull();
        expect(await store.getMessage('missing')).toBeNull();
      });

      it('when messages are listed by case, effect or school, then each filter applies, oldest first', async () => {
        await store.createMessage({ ...message(`${caseId}/m0`, 'printOnly'), effectId: 'other-effect', createdAt: new Date(at.getTime() - 1000) });
        expect((await store.listMessages({ caseId })).map((m) => m.id)).toEqual([`${caseId}/m0`, `${caseId}/m1`, `${caseId}/m2`]);
        expect((await store.listMessages({ effectId: 'other-effect' })).map((m) => [m.id, m.status])).toEqual([[`${caseId}/m0`, 'printOnly']]);
        expect(await store.listMessages({ caseId, schoolIds: [otherSchoolId] })).toEqual([]);
        expect((await store.listMessages({ caseId, schoolIds: [schoolId] })).length).toBe(3);
      });

      it('when a page of messages is listed, then it is newest first, counted, without bodies, by school or by case', async () => {
        const first = await store.listMessagePage({ schoolIds: [schoolId], caseIds: [], limit: 2, offset: 0 });
        expect(first.total).toBe(3);
        expect(first.messages.map((m) => m.id)).toEqual([`${caseId}/m2`, `${caseId}/m1`]);
        for (const m of first.messages) {
          expect(m).not.toHaveProperty('raw');
          expect(m).not.toHaveProperty('pdf');
          expect(m.hasPdf).toBe(true);
        }
        expect(first.messages[1]).toMatchObject({ status: 'sent', transport: 'embedded', subject: 'Attendance', recipientName: 'Alex Ash' });
        expect(await store.listMessagePage({ schoolIds: [schoolId], caseIds: [], limit: 2, offset: 2 })).toMatchObject({ total: 3, messages: [{ id: `${caseId}/m0` }] });
        expect((await store.listMessagePage({ schoolIds: [schoolId], caseIds: [], limit: 2, offset: 10 })).total).toBe(3);
        expect((await store.listMessagePage({ schoolIds: [otherSchoolId], caseIds: [caseId], limit: 10, offset: 0 })).total).toBe(3);
        expect(await store.listMessagePage({ schoolIds: [otherSchoolId], caseIds: [], limit: 10, offset: 0 })).toEqual({ total: 0, messages: [] });
      });
    });

    describe('accounts, sessions, sign-in failures, audit and retention', () => {
      const user = (id: string, email: string) => ({
        id,
        email,
        name: 'Pat Pastoral',
        role: 'pastoral' as const,
        schoolId,
        trustId: null,
        localAuthority: null,
        passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
        active: true,
        createdAt: at,
      });
      const userId = `user-${randomUUID()}`;

      it('when an account is stored, then it is found by id and by its email in any case, and an upsert replaces it', async () => {
        await store.upsertUser(user(userId, `Pat.${userId}@Example.org`));
        expect(await store.getUser(userId)).toEqual(user(userId, `pat.${userId}@example.org`));
        expect((await store.findUserByEmail(`PAT.${userId}@example.org`))?.id).toBe(userId);
        await store.upsertUser({ ...user(userId, `pat.${userId}@example.org`), role: 'champion', active: false });
        expect(await store.getUser(userId)).toMatchObject({ role: 'champion', active: false });
        expect(await store.getUser('missing')).toBeNull();
        expect(await store.findUserByEmail('nobody@example.org')).toBeNull();
      });

      it('when a second account takes an email already used, then it is refused', async () => {
        await expect(store.upsertUser(user(`user-${randomUUID()}`, `pat.${userId}@example.org`))).rejects.toThrow();
      });

      it('when sessions are created, read, deleted and expire, then only live ones remain', async () => {
        const session = (idHash: string, expiresAt: Date) => ({ idHash, userId, csrfToken: `csrf-${idHash}`, createdAt: at, expiresAt });
        const live = session(`live-${randomUUID()}`, new Date('2025-01-10T17:00:00Z'));
        const old = session(`old-${randomUUID()}`, new Date('2025-01-10T08:00:00Z'));
        const gone = session(`gone-${randomUUID()}`, new Date('2025-01-10T17:00:00Z'));
        for (const s of [live, old, gone]) await store.createSession(s);
        expect(await store.getSession(live.idHash)).toEqual(live);
        await store.deleteSession(gone.idHash);
        expect(await store.getSession(gone.idHash)).toBeNull();
        expect(await store.deleteExpiredSessions(at)).toBeGreaterThanOrEqual(1);
        expect(await store.getSession(old.idHash)).toBeNull();
        expect(await store.getSession(live.idHash)).toEqual(live);
      });

      it('when sign-in failures are recorded, then they are counted within the window per key and cleared', async () => {
        const key = `email:${randomUUID()}`;
        for (const minutes of [1, 5, 20]) await store.recordLoginFailure(key, new Date(at.getTime() - minutes * 60_000));
        await store.recordLoginFailure(`${key}-other`, at);
        expect(await store.countLoginFailures(key, new Date(at.getTime() - 15 * 60_000))).toBe(2);
        await store.clearLoginFailures(key);
        expect(await store.countLoginFailures(key, new Date(0))).toBe(0);
        expect(await store.countLoginFailures(`${key}-other`, new Date(0))).toBe(1);
      });

      it('when old sign-in failures expire, then only those recorded before the cut-off are deleted', async () => {
        const key = `address:${randomUUID()}`;
        await store.recordLoginFailure(key, new Date('2001-01-01T00:00:00Z'));
        await store.recordLoginFailure(key, new Date('2001-03-01T00:00:00Z'));
        expect(await store.deleteLoginFailuresBefore(new Date('2001-02-01T00:00:00Z'))).toBeGreaterThanOrEqual(1);
        expect(await store.countLoginFailures(key, new Date(0))).toBe(1);
      });

      it('when audit entries are appended, then they are listed newest first, filtered and paged', async () => {
        const actor = `user-${randomUUID()}`;
        const audit = (action: string, minute: number, extra: { caseId?: string; school?: string } = {}) => ({
          id: randomUUID(),
          at: new Date(at.getTime() + minute * 60_000),
          actor,
          action,
          schoolId: extra.school ?? schoolId,
          caseId: extra.caseId ?? null,
          upn: 'A1',
          detail: { route: 'test', n: minute },
        });
        await store.appendAudit([audit('case.read', 1, { caseId: 'case-x' }), audit('pupil.read', 2), audit('case.event', 3, { caseId: 'case-x', school: otherSchoolId })]);
        const all = await store.listAudit({ actor });
        expect(all.total).toBe(3);
        expect(all.entries.map((e) => e.action)).toEqual(['case.event', 'pupil.read', 'case.read']);
        expect(all.entries[2]).toMatchObject({ actor, schoolId, caseId: 'case-x', upn: 'A1', detail: { route: 'test', n: 1 } });
        expect((await store.listAudit({ actor, caseId: 'case-x' })).entries.map((e) => e.action)).toEqual(['case.event', 'case.read']);
        expect((await store.listAudit({ actor, schoolIds: [otherSchoolId] })).total).toBe(1);
        expect((await store.listAudit({ actor, from: new Date(at.getTime() + 2 * 60_000), to: new Date(at.getTime() + 3 * 60_000) })).entries.map((e) => e.action)).toEqual(['pupil.read']);
        const page = await store.listAudit({ actor, limit: 1, offset: 1 });
        expect([page.total, page.entries.map((e) => e.action)]).toEqual([3, ['pupil.read']]);
      });

      it('when a case has a notification to the EWO, then it is listed as referred for its school only', async () => {
        const referred = newCase(otherSchoolId, 'B1');
        await store.createCase(referred, {
          timeline: [],
          effects: [
            { id: `${referred.id}:v1:0`, kind: 'notify', payload: { caseId: referred.id, to: 'ewo', template: 'x' } },
            { id: `${referred.id}:v1:1`, kind: 'notify', payload: { caseId: referred.id, to: 'socialWorker', template: 'y' } },
          ],
        });
        expect(await store.listNotifiedCaseIds({ schoolIds: [otherSchoolId], recipients: ['ewo', 'la'] })).toEqual([referred.id]);
        expect(await store.listNotifiedCaseIds({ schoolIds: [otherSchoolId], recipients: ['la'] })).toEqual([]);
        expect(await store.listNotifiedCaseIds({ schoolIds: [schoolId], recipients: ['ewo'] })).not.toContain(referred.id);
      });

      it('when the register is purged before a date, then older marks and amendments go and newer ones stay', async () => {
        const purgeSchool = `school-${randomUUID()}`;
        await store.upsertSchool({ id: purgeSchool, trustId, name: 'C School', workflowId: 'west-coventry', localAuthority: 'coventry' });
        await store.upsertPupils(purgeSchool, [{ upn: 'C1', forename: 'Sam', surname: 'Oak', dateOfBirth: '2012-03-04', yearGroup: '8', vulnerability: [], onRoll: true }]);
        const write = async (rows: [string, 'AM' | 'PM', string][]) => {
          const staged = await store.beginMarksImport(purgeSchool, { actor: 'system:test', reason: 'test', at });
          await staged.add(marks('C1', rows));
          await staged.commit();
        };
        await write([['2018-01-08', 'AM', '/'], ['2018-01-08', 'PM', '/'], ['2025-01-06', 'AM', '/']]);
        await write([['2018-01-08', 'AM', 'O']]);
        const purged = await store.purgeRegisterBefore('2019-01-01');
        expect(purged.marks).toBeGreaterThanOrEqual(2);
        expect(purged.amendments).toBeGreaterThanOrEqual(1);
        expect(await store.listMarks(purgeSchool, 'C1')).toEqual([{ upn: 'C1', date: '2025-01-06', session: 'AM', code: '/' }]);
        expect(await store.listAmendments(purgeSchool, 'C1')).toEqual([]);
      });
    });

    describe('approvals', () => {
      const held = (caseId: string, n: number, requires: 'staff' | 'champion' = 'staff') => ({
        id: `${caseId}:v1:${n}`,
        kind: 'sendLetter',
        payload: { caseId, to: 'parents', template: 'west-coventry/letter-b' },
        approval: { requires, reason: 'letter to parents', evidence: { event: 'REVIEW_DUE', attendancePct: 88.5 } },
      });
      const approvalCase = async (upn: string) => {
        await store.upsertPupils(schoolId, [{ upn, forename: 'Ola', surname: 'Quince', dateOfBirth: '2012-03-04', yearGroup: '8', vulnerability: [], onRoll: true }]);
        return store.createCase(newCase(schoolId, upn), { timeline: [], effects: [] });
      };

      it('when an effect is written with an approval, then it is held with its evidence and never claimed', async () => {
        const record = await approvalCase('AP1');
        await store.commitTransition({
          caseId: record.id,
          expectedVersion: 1,
          state: 'stage1b',
          status: 'open',
          snapshot: {},
          timeline: [],
          effects: [held(record.id, 0), { id: `${record.id}:v1:1`, kind: 'createTask', payload: {} }],
          at,
        });
        expect(await store.getEffect(`${record.id}:v1:0`)).toMatchObject({
          status: 'held',
          approval: { requires: 'staff', evidence: { attendancePct: 88.5 }, heldAt: at, deferredUntil: null, edits: [], decisions: [] },
        });
        expect((await store.getEffect(`${record.id}:v1:1`))?.approval).toBeNull();
        const claimed = await store.claimEffects({ now: new Date(Date.now() + 3_600_000), limit: 1000, lockMs: 1000 });
        expect(claimed.map((e) => e.id)).not.toContain(`${record.id}:v1:0`);
        expect((await store.listEffects({ status: 'held', schoolIds: [schoolId] })).map((e) => e.id)).toContain(`${record.id}:v1:0`);
        expect(await store.listEffects({ status: 'held', schoolIds: [otherSchoolId] })).toEqual([]);
      });

      it('when a held effect is deferred, approved with an edit, and decided again, then each decision is kept and only the first approval counts', async () => {
        const record = await approvalCase('AP2');
        await store.commitTransition({ caseId: record.id, expectedVersion: 1, state: 's', status: 'open', snapshot: {}, timeline: [], effects: [held(record.id, 0)], at });
        const id = `${record.id}:v1:0`;
        const deferred = await store.decideEffect(id, { decision: 'defer', by: 'u1', at, reason: 'waiting for the meeting', until: '2025-01-20' }, entry('approval.defer', null, null));
        expect(deferred).toMatchObject({ status: 'held', approval: { deferredUntil: '2025-01-20' } });
        const edit = { recipient: 'k1', subject: 'Edited', text: 'Dear parent', original: { subject: 'Orig', text: 'Dear Ms Q' } };
        const approved = await store.decideEffect(id, { decision: 'approve', by: 'u2', at, edits: [edit] }, entry('approval.approve', null, null));
        expect(approved).toMatchObject({ status: 'pending', approval: { edits: [edit], deferredUntil: null } });
        expect(approved!.approval!.decisions.map((d) => [d.decision, d.by, d.at])).toEqual([['defer', 'u1', at], ['approve', 'u2', at]]);
        expect(approved!.nextAttemptAt.getTime()).toBeLessThanOrEqual(Date.now());
        expect(await store.decideEffect(id, { decision: 'reject', by: 'u3', at, reason: 'late' }, entry('approval.reject', null, null))).toBeNull();
        expect((await store.listTimeline(record.id)).map((t) => t.type)).toEqual(['approval.defer', 'approval.approve']);
        expect((await store.claimEffects({ now: new Date(), limit: 1000, lockMs: 1000 })).map((e) => e.id)).toContain(id);
      });

      it('when two people decide one held effect at once, then exactly one decision is written', async () => {
        const record = await approvalCase('AP3');
        await store.commitTransition({ caseId: record.id, expectedVersion: 1, state: 's', status: 'open', snapshot: {}, timeline: [], effects: [held(record.id, 0, 'champion')], at });
        const id = `${record.id}:v1:0`;
        const results = await Promise.all([
          store.decideEffect(id, { decision: 'approve', by: 'u1', at }, entry('approval.approve', null, null)),
          store.decideEffect(id, { decision: 'reject', by: 'u2', at, reason: 'no' }, entry('approval.reject', null, null)),
        ]);
        expect(results.filter((r) => r !== null)).toHaveLength(1);
        expect((await store.getEffect(id))!.approval!.decisions).toHaveLength(1);
        expect(await store.listTimeline(record.id)).toHaveLength(1);
      });

      it('when a transition cancels what is unsent, then held effects and unsent letters are cancelled and the rest stay', async () => {
        const record = await approvalCase('AP4');
        await store.commitTransition({
          caseId: record.id,
          expectedVersion: 1,
          state: 's',
          status: 'open',
          snapshot: {},
          timeline: [],
          effects: [
            held(record.id, 0),
            { id: `${record.id}:v1:1`, kind: 'sendLetter', payload: { caseId: record.id, to: 'parents', template: 'west-coventry/letter-a' } },
            { id: `${record.id}:v1:2`, kind: 'createTask', payload: {} },
            { id: `${record.id}:v1:3`, kind: 'notify', payload: { caseId: record.id, to: 'ewo', template: 'x' } },
          ],
          at,
        });
        await store.commitTransition({ caseId: record.id, expectedVersion: 2, state: 'closed', status: 'closed', snapshot: {}, timeline: [], effects: [], cancelUnsent: { reason: 'left' }, at });
        const statuses = Object.fromEntries((await store.listEffects({ caseId: record.id })).map((e) => [e.id.split(':').at(-1), [e.status, e.lastError]]));
        expect(statuses).toEqual({ '0': ['cancelled', 'left'], '1': ['cancelled', 'left'], '2': ['pending', null], '3': ['pending', null] });
        expect(await store.listNotifiedCaseIds({ schoolIds: [schoolId], recipients: ['ewo'] })).toContain(record.id);
      });

      it('when a referral is only held or rejected, then the case does not count as referred', async () => {
        const record = await approvalCase('AP5');
        const referral = { id: `${record.id}:v1:0`, kind: 'notify', payload: { caseId: record.id, to: 'la', template: 'x' }, approval: { requires: 'champion' as const, reason: 'legal', evidence: null } };
        await store.commitTransition({ caseId: record.id, expectedVersion: 1, state: 's', status: 'open', snapshot: {}, timeline: [], effects: [referral], at });
        expect(await store.listNotifiedCaseIds({ schoolIds: [schoolId], recipients: ['la'] })).not.toContain(record.id);
        await store.decideEffect(referral.id, { decision: 'approve', by: 'u1', at }, entry('approval.approve', null, null));
        expect(await store.listNotifiedCaseIds({ schoolIds: [schoolId], recipients: ['la'] })).toContain(record.id);
      });
    });

    describe('worker leases', () => {
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
  });
}
