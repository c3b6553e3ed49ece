import { describe, it, expect } from 'vitest';
import {
  afterKey,
  chunkWrites,
  cleanMark,
  existingMarksFilter,
  firstOfEachKey,
  overlayMarks,
  readRecords,
  splitRecord,
  trustedDates,
  type StagedMark,
} from '../../../src/store/mongo/marks-import-plan.ts';
import { expiredOfSchool } from '../../../src/store/mongo/register-purge.ts';

const UPN = 'A12345678901B';
const mark = (line: number, upn: string, date: string, session: 'AM' | 'PM', code: string): StagedMark => ({ line, upn, date, session, code });

describe('MongoDB marks import: reading clean CSV records', () => {
  it('when a record has quoted fields with doubled quotes and an empty last field, then it splits as csv-parse reads it', () => {
    expect(splitRecord('a,"b,c","say ""hi""",')).toEqual(['a', 'b,c', 'say "hi"', '']);
    expect(splitRecord('"\\",x')).toEqual(['\\', 'x']);
    expect(splitRecord('')).toEqual(['']);
  });

  it('when a chunk has CRLF lines in a shuffled column order, then records are named and numbered from the first line', () => {
    const chunk = Buffer.from(`AM,${UPN},2025-01-06,/\r\nPM,${UPN},2025-01-06,"\\"\r\n`);
    expect(readRecords(chunk, ['session', 'upn', 'date', 'code'], 7)).toEqual([
      { line: 7, upn: UPN, date: '2025-01-06', session: 'AM', code: '/' },
      { line: 8, upn: UPN, date: '2025-01-06', session: 'PM', code: '\\' },
    ]);
  });

  it('when a record is exactly what the schema makes of it, then it is staged as it is; anything else is a suspect for the schema', () => {
    const onRoll = new Set([UPN]);
    const dates = trustedDates(2025);
    const good = { line: 2, upn: UPN, date: '2025-01-06', session: 'AM', code: 'N' };
    expect(cleanMark(good, onRoll, dates)).toEqual(good);
    expect(cleanMark({ ...good, upn: UPN.toLowerCase() }, new Set([UPN.toLowerCase()]), dates)).toBeNull();
    expect(cleanMark({ ...good, upn: 'B12345678901C' }, onRoll, dates)).toBeNull();
    expect(cleanMark({ ...good, session: 'am' }, onRoll, dates)).toBeNull();
    expect(cleanMark({ ...good, code: 'n' }, onRoll, dates)).toBeNull();
    expect(cleanMark({ ...good, code: ' N' }, onRoll, dates)).toBeNull();
    expect(cleanMark({ ...good, date: '2025-02-30' }, onRoll, dates)).toBeNull();
    expect(cleanMark({ ...good, date: '1999-01-04' }, onRoll, dates)).toBeNull();
  });

  it('when trusted dates are made, then they are real days only (29 February only in leap years)', () => {
    const dates = trustedDates(2025);
    expect(dates.has('2024-02-29')).toBe(true);
    expect(dates.has('2023-02-29')).toBe(false);
    expect(dates.has('2018-01-01')).toBe(true);
    expect(dates.has('2026-12-31')).toBe(true);
    expect(dates.has('2027-01-01')).toBe(false);
  });
});

describe('MongoDB marks import: applying in chunks', () => {
  it('when a file repeats a session, then the first line of it is the one kept', () => {
    const rows = [mark(9, 'A', '2025-01-06', 'AM', '/'), mark(12, 'A', '2025-01-06', 'AM', 'N'), mark(3, 'A', '2025-01-06', 'PM', '\\')];
    expect(firstOfEachKey(rows).map((r) => r.line)).toEqual([9, 3]);
  });

  it('when an application resumes, then it starts strictly after the cursor in (upn, date, session) order', () => {
    expect(afterKey(null)).toEqual({});
    expect(afterKey({ upn: 'A', date: '2025-01-06', session: 'AM' })).toEqual({
      $or: [{ upn: { $gt: 'A' } }, { upn: 'A', date: { $gt: '2025-01-06' } }, { upn: 'A', date: '2025-01-06', session: { $gt: 'AM' } }],
    });
  });

  it('when a chunk is written, then new sessions are upserts, changed codes are updates with an amendment, same codes are left alone', () => {
    const amendment = { reason: 'MIS', amendedBy: 'user:1', amendedAt: new Date('2025-01-10T09:00:00Z') };
    const chunk = [mark(2, 'A', '2025-01-06', 'AM', '/'), mark(3, 'A', '2025-01-06', 'PM', 'N'), mark(4, 'B', '2025-01-06', 'AM', 'I')];
    const existing = new Map([
      ['A\u00002025-01-06\u0000PM', '\\'],
      ['B\u00002025-01-06\u0000AM', 'I'],
    ]);
    const writes = chunkWrites('s1', chunk, existing, amendment);
    expect(writes.inserted).toBe(1);
    expect(writes.amended).toBe(1);
    expect(writes.marks).toEqual([
      { updateOne: { filter: { schoolId: 's1', upn: 'A', date: '2025-01-06', session: 'AM' }, update: { $setOnInsert: { code: '/' } }, upsert: true } },
      { updateOne: { filter: { schoolId: 's1', upn: 'A', date: '2025-01-06', session: 'PM' }, update: { $set: { code: 'N' } } } },
    ]);
    expect(writes.amendments).toEqual([{ schoolId: 's1', upn: 'A', date: '2025-01-06', session: 'PM', originalCode: '\\', newCode: 'N', ...amendment }]);
    expect(existingMarksFilter('s1', chunk)).toEqual({
      $or: [
        { schoolId: 's1', upn: 'A', date: { $in: ['2025-01-06'] } },
        { schoolId: 's1', upn: 'B', date: { $in: ['2025-01-06'] } },
      ],
    });
  });

  it('when an import is switched but not yet folded in, then readers see its marks over the register, the codes filter applied after', () => {
    const applied = [
      { upn: 'A', date: '2025-01-06', session: 'AM' as const, code: 'N' },
      { upn: 'A', date: '2025-01-07', session: 'AM' as const, code: 'N' },
    ];
    const staged = [mark(5, 'A', '2025-01-06', 'AM', '/'), mark(6, 'A', '2025-01-06', 'PM', 'N'), mark(9, 'A', '2025-01-06', 'PM', 'I')];
    expect(overlayMarks(applied, staged)).toEqual([
      { upn: 'A', date: '2025-01-06', session: 'AM', code: '/' },
      { upn: 'A', date: '2025-01-06', session: 'PM', code: 'N' },
      { upn: 'A', date: '2025-01-07', session: 'AM', code: 'N' },
    ]);
    // An N amended to '/' is no longer an N; a new N is one.
    expect(overlayMarks(applied, staged, ['N']).map((m) => `${m.date} ${m.session}`)).toEqual(['2025-01-06 PM', '2025-01-07 AM']);
  });
});

describe('MongoDB register purge', () => {
  it('when the purge reads a school, then its filter is the {schoolId, date} index range, never every mark', () => {
    expect(expiredOfSchool('s1', '2019-09-01')).toEqual({ schoolId: 's1', date: { $lt: '2019-09-01' } });
  });
});
