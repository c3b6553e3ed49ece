import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createCalendar } from '../../src/domain/calendar.ts';
import { ATTENDANCE_CODES } from '../../src/domain/codes.ts';
import { addDays, mondayOf } from '../../src/domain/dates.ts';
import { computeMetrics } from '../../src/domain/metrics.ts';
import { codeChar, packWeek, weekCounts } from '../../src/domain/register-weeks.ts';
import type { IsoDate, Mark } from '../../src/domain/types.ts';
import type { OpenedPostgres } from '../../src/store/postgres/open.ts';
import { coventry } from '../../workflows/calendars/coventry.ts';
import { schoolContext } from '../../src/register/school-metrics.ts';
import { schoolTrends } from '../../src/http/ui/dashboard/school-trends.ts';
import { freshDatabaseUrl, sql } from '../support/postgres.ts';
import { openPostgres } from '../../src/store/postgres/open.ts';

const calendar = createCalendar(coventry);
const CODES = ATTENDANCE_CODES.map((c) => c.code);
const UPNS = ['A1', 'A2', 'A3'];
const FIRST_DAY: IsoDate = '2024-09-02';
const DAYS = 120;

/** One import: sessions, some of them already in the register with another code (an amendment). */
const anImport = fc.array(
  fc.record({ upn: fc.constantFrom(...UPNS), day: fc.integer({ min: 0, max: DAYS - 1 }), pm: fc.boolean(), code: fc.constantFrom(...CODES) }),
  { minLength: 1, maxLength: 60 },
);

interface WeekRow {
  upn: string;
  week: IsoDate;
  codes: string;
  possible: number;
  present: number;
  approved: number;
  authorised: number;
  unauthorised: number;
  threshold: number;
  n: number;
}

let opened: OpenedPostgres;
let url: string;
let run = 0;
let trendPoints = 0;

beforeAll(async () => {
  url = await freshDatabaseUrl();
  opened = await openPostgres(url);
  await opened.store.upsertTrust({ id: 'weeks-trust', name: 'Weeks Trust' });
});

afterAll(async () => {
  await opened?.close();
});

/** A school of its own for each generated register, so that runs never see each other's marks. */
async function freshSchool(): Promise<string> {
  const schoolId = `weeks-${++run}`;
  await opened.store.upsertSchool({ id: schoolId, trustId: 'weeks-trust', name: 'Weeks School', workflowId: 'west-coventry', localAuthority: 'coventry' });
  await opened.store.upsertPupils(
    schoolId,
    UPNS.map((upn) => ({ upn, forename: 'Sam', surname: upn, dateOfBirth: '2014-01-01', yearGroup: '5', vulnerability: [], onRoll: true })),
  );
  return schoolId;
}

describe('the register kept as packed weeks (migrations 018 and 019)', () => {
  it('when the SQL packs a code, then it packs, counts and unpacks it as the domain does', async () => {
    const rows = await sql<{ code: string; char: string; category: string }>(
      url,
      'SELECT code, mark_code_char(code) AS char, mark_code_category(code) AS category, mark_char_code(mark_code_char(code)) AS back FROM unnest($1::text[]) code',
      [CODES],
    );
    expect(rows).toEqual(ATTENDANCE_CODES.map(({ code, category }) => ({ code, char: codeChar(code), category, back: code })));
  });

  it('when marks are dated before 2000 or at a weekend, then they are packed into the right week and read back', async () => {
    const { store } = opened;
    const schoolId = await freshSchool();
    const marks: Mark[] = [
      { upn: 'A1', date: '1999-12-26', session: 'PM', code: 'X' },
      { upn: 'A1', date: '1999-12-27', session: 'AM', code: '/' },
      { upn: 'A1', date: '1999-12-31', session: 'PM', code: 'C1' },
      { upn: 'A1', date: '2000-01-01', session: 'AM', code: 'N' },
      { upn: 'A1', date: '2000-01-03', session: 'AM', code: 'Y7' },
    ];
    const importer = await store.beginMarksImport(schoolId, { actor: 'user:test', reason: 'test', at: new Date('2025-01-10T09:00:00Z') });
    await importer.add(marks.map((m, i) => ({ ...m, line: i + 2 })));
    expect(await importer.problems(10)).toEqual([]);
    expect(await importer.commit()).toEqual({ read: 5, inserted: 5, amended: 0, unchanged: 0 });
    expect(await store.listMarks(schoolId, 'A1')).toEqual(marks);
    const weeks = await sql<{ week: string; codes: string }>(url, `SELECT to_char(week, 'YYYY-MM-DD') AS week, codes FROM mark_weeks WHERE school_id = $1 ORDER BY week`, [schoolId]);
    expect(weeks).toEqual([
      { week: '1999-12-20', codes: packWeek(marks.slice(0, 1)) },
      { week: '1999-12-27', codes: packWeek(marks.slice(1, 4)) },
      { week: '2000-01-03', codes: packWeek(marks.slice(4)) },
    ]);
  });

  it('when random registers are imported with amendments and purged, then the register read back is what the files say, every change is an amendment, and the weeks, metrics and trends agree', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(anImport, { minLength: 1, maxLength: 4 }),
        fc.option(fc.integer({ min: 0, max: DAYS }), { nil: null }),
        fc.integer({ min: 0, max: DAYS - 1 }),
        fc.subarray(CODES, { minLength: 1, maxLength: 4 }),
        async (imports, purgeDay, asOfDay, someCodes) => {
          const { store } = opened;
          const schoolId = await freshSchool();
          // The model: each pupil's sessions and their codes as the files say, and every change.
          const model = new Map<string, Map<string, Mark>>(UPNS.map((upn) => [upn, new Map()]));
          const changes: { upn: string; date: IsoDate; session: string; originalCode: string; newCode: string }[] = [];
          for (const rows of imports) {
            const importer = await store.beginMarksImport(schoolId, { actor: 'user:test', reason: 'test', at: new Date('2025-01-10T09:00:00Z') });
            // A file that repeats a session with another code is refused by the import, so a repeat here keeps the first
            // line's code (the same session twice with the same code is one mark).
            const first = new Map<string, string>();
            for (const r of rows) if (!first.has(`${r.upn}${r.day}${r.pm}`)) first.set(`${r.upn}${r.day}${r.pm}`, r.code);
            const unique = rows.map((r) => ({ upn: r.upn, date: addDays(FIRST_DAY, r.day), session: r.pm ? ('PM' as const) : ('AM' as const), code: first.get(`${r.upn}${r.day}${r.pm}`)! }));
            await importer.add(unique.map((r, i) => ({ ...r, line: i + 2 })));
            expect(await importer.problems(10)).toEqual([]);
            const expected = { read: rows.length, inserted: 0, amended: 0, unchanged: 0 };
            const seen = new Set<string>();
            const amended: typeof changes = [];
            for (const mark of unique) {
              const key = `${mark.date}${mark.session}`;
              if (seen.has(`${mark.upn}${key}`)) continue;
              seen.add(`${mark.upn}${key}`);
              const before = model.get(mark.upn)!.get(key);
              if (!before) expected.inserted += 1;
              else if (before.code === mark.code) expected.unchanged += 1;
              else {
                expected.amended += 1;
                amended.push({ upn: mark.upn, date: mark.date, session: mark.session, originalCode: before.code, newCode: mark.code });
              }
              model.get(mark.upn)!.set(key, mark);
            }
            expect(await importer.commit()).toEqual(expected);
            // One import's amendments are recorded in the register's order (date, then AM before PM), not the file's.
            changes.push(...amended.sort((a, b) => (a.date === b.date ? (a.session < b.session ? -1 : 1) : a.date < b.date ? -1 : 1)));
          }
          // Retention purges every school at once (earlier runs' schools too, which are not looked at again).
          if (purgeDay !== null) {
            const before = addDays(FIRST_DAY, purgeDay);
            await store.purgeRegisterBefore(before);
            for (const marks of model.values()) for (const [key, mark] of marks) if (mark.date < before) marks.delete(key);
            changes.splice(0, changes.length, ...changes.filter((c) => c.date >= before));
          }

          const asOf = addDays(FIRST_DAY, asOfDay);
          const fromWeeks = new Map<string, Mark[]>();
          for await (const { upn, marks } of store.streamSchoolMarks(schoolId)) fromWeeks.set(upn, marks);
          const someFromWeeks = new Map<string, Mark[]>();
          const filter = { from: addDays(FIRST_DAY, 10), to: asOf, codes: someCodes };
          for await (const { upn, marks } of store.streamSchoolMarks(schoolId, filter)) someFromWeeks.set(upn, marks);
          const weeks = await sql<WeekRow>(
            url,
            `SELECT upn, to_char(week, 'YYYY-MM-DD') AS week, codes, possible, present, approved, authorised, unauthorised, threshold, n
               FROM mark_weeks WHERE school_id = $1 ORDER BY upn, week`,
            [schoolId],
          );

          const expectedWeeks: WeekRow[] = [];
          for (const upn of UPNS) {
            const record = [...model.get(upn)!.values()].sort((a, b) => (a.date === b.date ? (a.session < b.session ? -1 : 1) : a.date < b.date ? -1 : 1));
            // The register read back, every way the store reads it: every mark the files left, nothing else, in order.
            expect(await store.listMarks(schoolId, upn)).toEqual(record);
            expect(await store.listMarks(schoolId, upn, { from: filter.from, to: filter.to })).toEqual(record.filter((m) => m.date >= filter.from && m.date <= filter.to));
            expect(fromWeeks.get(upn)).toEqual(record);
            expect(someFromWeeks.get(upn)).toEqual(
              record.filter((m) => m.date >= filter.from && m.date <= filter.to && someCodes.includes(m.code)),
            );
            // Every change of a code, oldest first, as the amendments (who, why, when) record it.
            expect((await store.listAmendments(schoolId, upn)).map(({ date, session, originalCode, newCode }) => ({ upn, date, session: session.trim(), originalCode, newCode }))).toEqual(
              changes.filter((c) => c.upn === upn),
            );
            const metrics = (marks: Mark[]) => computeMetrics({ marks, calendar, asOf, from: FIRST_DAY });
            expect(metrics(fromWeeks.get(upn)!)).toEqual(metrics(record));
            const byWeek = new Map<IsoDate, Mark[]>();
            for (const mark of record) byWeek.set(mondayOf(mark.date), [...(byWeek.get(mondayOf(mark.date)) ?? []), mark]);
            for (const [week, marks] of [...byWeek].sort(([a], [b]) => (a < b ? -1 : 1))) {
              const codes = packWeek(marks);
              expectedWeeks.push({ upn, week, codes, ...weekCounts(codes) });
            }
          }
          // The weeks and their counts are the model's marks packed and counted by the domain.
          expect(weeks).toEqual(expectedWeeks);
          // The SQL view of the register as rows says the same.
          const rows = await sql<Mark>(url, `SELECT upn, to_char(date, 'YYYY-MM-DD') AS date, session, code FROM mark_sessions WHERE school_id = $1 ORDER BY upn, date, session`, [schoolId]);
          expect(rows).toEqual(UPNS.flatMap((upn) => fromWeeks.get(upn)!));

          // The dashboard's trends, from the weeks' counts, as the metrics of the marks give them.
          const context = await schoolContext(store, schoolId);
          const trends = await schoolTrends(store, context, asOf);
          const from = context.calendar.academicYearStart(asOf);
          const expectedTrends = trends.map(({ asOf: pointAsOf }) => {
            const all = UPNS.map((upn) => computeMetrics({ marks: fromWeeks.get(upn)!.filter((m) => m.date >= from && m.date <= asOf), calendar: context.calendar, asOf: pointAsOf, from }));
            const measured = all.filter((m) => m.attendancePct !== null);
            return {
              asOf: pointAsOf,
              pupils: UPNS.length,
              attendancePct: measured.length ? measured.reduce((sum, m) => sum + m.attendancePct!, 0) / measured.length : null,
              persistentPct: (100 * all.filter((m) => m.persistentAbsence).length) / UPNS.length,
              severePct: (100 * all.filter((m) => m.severeAbsence).length) / UPNS.length,
            };
          });
          expect(trends).toEqual(expectedTrends);
          trendPoints += trends.filter((point) => point.attendancePct !== null).length;
        },
      ),
      { numRuns: 40 },
    );
    // The trends compared were not all empty.
    expect(trendPoints).toBeGreaterThan(0);
  }, 240_000);
});
