import { describe, it, expect, beforeAll } from 'vitest';
import { type Store } from '../../src/store/types.ts';
import { at, marks, type ContractContext } from './support.ts';

export function registerContract(ctx: ContractContext) {
  const { schoolId } = ctx;
  describe('register marks', () => {
    let store: Store;
    beforeAll(() => {
      store = ctx.store;
    });
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
      expect(problems).toEqual([
        { kind: 'notOnRoll', line: 3, upn: 'ZZ9' },
        { kind: 'conflictingMark', line: 4, code: 'O', firstCode: '/', firstLine: 2 },
        { kind: 'notOnRoll', line: 5, upn: 'B1' },
      ]);
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

    it('when a school is streamed as weeks, then each pupil comes once with each week packed and counted, Saturdays too', async () => {
      const importer = await store.beginMarksImport(schoolId, { actor: 'user:1', reason: 'MIS export', at });
      // Monday 13 January 2025 to Saturday 25 January: two weeks of A4's, and one an amendment of A2's week.
      await importer.add(marks('A4', [['2025-01-13', 'AM', '/'], ['2025-01-13', 'PM', 'N'], ['2025-01-17', 'PM', 'C1'], ['2025-01-20', 'AM', 'G'], ['2025-01-25', 'AM', 'X']]));
      await importer.add(marks('A2', [['2025-01-06', 'AM', 'O'], ['2025-01-07', 'AM', 'L']], 7));
      await importer.commit();
      const seen = new Map<string, unknown>();
      for await (const { upn, weeks } of store.streamSchoolWeeks(schoolId, { from: '2025-01-08', to: '2025-01-20' })) seen.set(upn, weeks);
      expect([...seen.keys()]).toEqual(['A1', 'A2', 'A3', 'A4', 'A5']);
      const counts = { possible: 0, present: 0, approved: 0, authorised: 0, unauthorised: 0, threshold: 0, n: 0 };
      expect(seen.get('A2')).toEqual([{ week: '2025-01-06', codes: 'aOcL', ...counts, possible: 2, present: 1, unauthorised: 1, threshold: 1 }]);
      expect(seen.get('A4')).toEqual([
        { week: '2025-01-13', codes: 'a/bNj!', ...counts, possible: 3, present: 1, authorised: 1, unauthorised: 1, n: 1 },
        { week: '2025-01-20', codes: 'aGkX', ...counts, possible: 1, unauthorised: 1, threshold: 1 },
      ]);
      expect(seen.get('A5')).toEqual([]);
      const later = [];
      for await (const { upn, weeks } of store.streamSchoolWeeks(schoolId, { from: '2025-01-21' })) if (upn === 'A4') later.push(...weeks);
      expect(later.map((w) => w.week)).toEqual(['2025-01-20']);
    });
  });
}
