import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { codeCategory, isThresholdUnauthorised, normaliseCode, ATTENDANCE_CODES } from '../../../src/domain/codes.ts';
import { addDays, compareDates } from '../../../src/domain/dates.ts';
import { measure } from '../../../src/domain/evaluate.ts';
import { parentResponded } from '../../../src/domain/pupil-flags.ts';
import type { IsoDate, Mark } from '../../../src/domain/types.ts';
import { calendarFor } from '../../../workflows/index.ts';
import { workflow } from '../../../workflows/national.ts';

// The evaluation measures every pupil every evening, so measure() and the flags read the year's
// marks in one pass; these properties hold them to the plain definitions they replaced, over
// random registers with marks after the day measured, lower-case codes and any order.
const calendar = calendarFor(workflow, 'coventry');
const START: IsoDate = '2024-09-02';
const CODES = [...ATTENDANCE_CODES.map((c) => c.code), 'n', 'o', 'g', 'i'];

const register = fc
  .uniqueArray(fc.record({ day: fc.integer({ min: 0, max: 60 }), pm: fc.boolean(), code: fc.constantFrom(...CODES) }), { selector: (m) => `${m.day}${m.pm}`, maxLength: 90 })
  .map((rows) => rows.map((r): Mark => ({ upn: 'P1', date: addDays(START, r.day), session: r.pm ? 'PM' : 'AM', code: r.code })));
const asOfDay = fc.integer({ min: 0, max: 60 }).map((d) => calendar.addSchoolDays(calendar.schoolDays(START, '2024-12-31')[0]!, Math.floor(d * 0.7)));

const code = (mark: Mark) => normaliseCode(mark.code) ?? mark.code;
const absent = (mark: Mark) => ['authorised', 'unauthorised'].includes(codeCategory(code(mark)));

describe('measuring a pupil in one pass over their marks', () => {
  it("when any register is measured on any school day, then today's absence, the week's days absent and the last unauthorised session are as the rules define them", () => {
    fc.assert(
      fc.property(register, asOfDay, fc.boolean(), (sorted, asOf, shuffle) => {
        const marks = shuffle ? [...sorted].reverse() : [...sorted].sort((a, b) => compareDates(a.date, b.date) || a.session.localeCompare(b.session));
        const m = measure({ policy: workflow.policy, calendar, marks, asOf, case: null });
        const weekStart = calendar.addSchoolDays(asOf, -4);
        const today = marks.filter((mark) => mark.date === asOf);
        expect(m.daysAbsentThisWeek).toBe(new Set(marks.filter((mark) => mark.date >= weekStart && mark.date <= asOf && absent(mark)).map((mark) => mark.date)).size);
        expect(m.absentToday).toBe(today.length > 0 && today.every(absent));
        expect(m.unexplainedToday).toBe(today.some((mark) => ['N', 'O'].includes(code(mark))));
        const unauthorised = marks.filter((mark) => mark.date <= asOf && isThresholdUnauthorised(code(mark)));
        expect(m.lastUnauthorisedOn).toBe(unauthorised.map((mark) => mark.date).sort(compareDates).at(-1) ?? null);
      }),
      { numRuns: 300 },
    );
  });

  it('when the flags read whether a parent answered, then it is the run of the last 20 marks up to the day, whatever marks follow it', () => {
    fc.assert(
      fc.property(register, asOfDay, (marks, asOf) => {
        const recent = marks.filter((mark) => mark.date <= asOf).slice(-20);
        const run = [];
        for (let i = recent.length - 1; i >= 0 && !['/', '\\', 'L'].includes(recent[i]!.code); i--) run.push(recent[i]!);
        expect(parentResponded(marks, asOf)).toBe(run.length === 0 || run.some((mark) => !['N', 'O'].includes(mark.code)));
      }),
      { numRuns: 300 },
    );
  });

  it('when a code is not a national one, then measuring throws as before', () => {
    expect(() => measure({ policy: workflow.policy, calendar, marks: [{ upn: 'P1', date: '2024-09-02', session: 'AM', code: '?' }], asOf: '2024-09-03', case: null })).toThrow(RangeError);
  });
});
