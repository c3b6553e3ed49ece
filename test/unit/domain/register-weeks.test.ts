import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createCalendar } from '../../../src/domain/calendar.ts';
import { ATTENDANCE_CODES } from '../../../src/domain/codes.ts';
import { addDays, mondayOf } from '../../../src/domain/dates.ts';
import { computeMetrics } from '../../../src/domain/metrics.ts';
import { codesPattern, mergeWeek, packWeek, unpackWeek, weekAttendance, weekCounts, weekFrom, type RegisterWeek } from '../../../src/domain/register-weeks.ts';
import type { IsoDate, Mark } from '../../../src/domain/types.ts';
import { coventry } from '../../../workflows/calendars/coventry.ts';

const calendar = createCalendar(coventry);
const CODES = ATTENDANCE_CODES.map((c) => c.code);
const START: IsoDate = '2024-09-02';

/** A pupil's register: any days (weekends too), one code a session. */
const register = fc
  .uniqueArray(fc.record({ day: fc.integer({ min: 0, max: 69 }), pm: fc.boolean(), code: fc.constantFrom(...CODES) }), { selector: (m) => `${m.day}${m.pm}`, maxLength: 80 })
  .map((rows) => rows.map((r): Mark => ({ upn: 'P1', date: addDays(START, r.day), session: r.pm ? 'PM' : 'AM', code: r.code })));

function weeksOf(marks: readonly Mark[]): RegisterWeek[] {
  const byWeek = new Map<IsoDate, Mark[]>();
  for (const mark of marks) byWeek.set(mondayOf(mark.date), [...(byWeek.get(mondayOf(mark.date)) ?? []), mark]);
  return [...byWeek].sort(([a], [b]) => (a < b ? -1 : 1)).map(([week, weekMarks]) => ({ week, codes: packWeek(weekMarks), ...weekCounts(packWeek(weekMarks)) }));
}

describe('the register as packed weeks', () => {
  it('when weeks are packed and unpacked, then every mark comes back, in date and session order', () => {
    fc.assert(
      fc.property(register, (marks) => {
        const out: Mark[] = [];
        for (const week of weeksOf(marks)) unpackWeek(out, 'P1', (Date.parse(week.week) / 86_400_000) | 0, week.codes, (day) => addDays('1970-01-01', day));
        expect(out).toEqual([...marks].sort((a, b) => (a.date + a.session < b.date + b.session ? -1 : 1)));
      }),
    );
  });

  it('when attendance is counted from the weeks, then it equals the metrics of the marks for any period', () => {
    fc.assert(
      fc.property(register, fc.integer({ min: 0, max: 69 }), fc.integer({ min: 0, max: 69 }), (marks, a, b) => {
        const [from, asOf] = [addDays(START, Math.min(a, b)), addDays(START, Math.max(a, b))];
        const metrics = computeMetrics({ marks, calendar, asOf, from });
        let attended = 0;
        let possible = 0;
        for (const week of weeksOf(marks)) {
          const counted = weekAttendance(week, from, asOf);
          attended += counted.attended;
          possible += counted.possible;
        }
        expect(possible).toBe(metrics.possibleSessions);
        expect(attended).toBe(metrics.presentSessions + metrics.approvedEducationSessions);
      }),
    );
  });

  it('when a code pattern is made, then it finds exactly the weeks holding one of the codes', () => {
    fc.assert(
      fc.property(register, fc.subarray(CODES, { minLength: 1, maxLength: 5 }), (marks, codes) => {
        const pattern = new RegExp(codesPattern(codes));
        for (const week of weeksOf(marks)) {
          const holds = marks.some((m) => mondayOf(m.date) === week.week && codes.includes(m.code));
          expect(pattern.test(week.codes)).toBe(holds);
        }
      }),
    );
  });

  it('when a file\'s week is merged into a stored one, then the file wins per session and each session is counted new, changed or the same', () => {
    const week = fc.uniqueArray(fc.record({ slot: fc.integer({ min: 0, max: 13 }), code: fc.constantFrom(...CODES) }), { selector: (m) => m.slot, maxLength: 14 });
    const pack = (items: { slot: number; code: string }[]) =>
      packWeek(items.map(({ slot, code }) => ({ date: addDays(START, slot >> 1), session: slot & 1 ? 'PM' : 'AM', code })));
    fc.assert(
      fc.property(week, week, (stored, file) => {
        const merged = mergeWeek(pack(stored), pack(file));
        const expected = new Map(stored.map((m) => [m.slot, m.code]));
        for (const m of file) expected.set(m.slot, m.code);
        expect(merged.codes).toBe(pack([...expected].map(([slot, code]) => ({ slot, code }))));
        const before = new Map(stored.map((m) => [m.slot, m.code]));
        expect(merged.inserted).toBe(file.filter((m) => !before.has(m.slot)).length);
        expect(merged.unchanged).toBe(file.filter((m) => before.get(m.slot) === m.code).length);
        expect(merged.amended).toEqual(
          file
            .filter((m) => before.has(m.slot) && before.get(m.slot) !== m.code)
            .sort((a, b) => a.slot - b.slot)
            .map((m) => ({ slot: m.slot, originalCode: before.get(m.slot)!, newCode: m.code })),
        );
        // Retention cutting the week: only the sessions from the slot on are left.
        const from = stored.length ? stored[0]!.slot : 0;
        expect(weekFrom(pack(stored), from)).toBe(pack(stored.filter((m) => m.slot >= from)));
      }),
    );
  });
});
