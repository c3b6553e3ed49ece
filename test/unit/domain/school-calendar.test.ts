import { describe, it, expect } from 'vitest';
import { calendarProblems, effectiveTerms, schoolCalendarSpec, schoolYearOf, type CalendarEntry } from '../../../src/domain/school-calendar.ts';
import { createCalendar } from '../../../src/domain/calendar.ts';
import type { CalendarSpec } from '../../../src/domain/types.ts';

const la: CalendarSpec = {
  terms: [
    { name: 'Summer 2 2025', start: '2025-06-02', end: '2025-07-21' },
    { name: 'Autumn 1 2025', start: '2025-09-01', end: '2025-10-24' },
    { name: 'Autumn 2 2025', start: '2025-11-03', end: '2025-12-19' },
  ],
  closures: [{ date: '2025-09-05', reason: 'LA closure' }],
};
const day = (kind: CalendarEntry['kind'], start: string, end = start, description = ''): CalendarEntry => ({ kind, start, end, description });

describe('a school calendar from data', () => {
  it('when a school enters a term of its own, then it replaces the LA’s terms it overlaps, and the others stay the LA’s', () => {
    expect(effectiveTerms(la, [day('term', '2025-09-03', '2025-12-18', 'Autumn term')])).toEqual([
      { name: 'Summer 2 2025', start: '2025-06-02', end: '2025-07-21', source: 'la' },
      { name: 'Autumn term', start: '2025-09-03', end: '2025-12-18', source: 'school' },
    ]);
    expect(effectiveTerms(la, [day('term', '2025-11-04', '2025-12-17', 'Autumn 2')]).map((t) => `${t.name} ${t.source}`)).toEqual(['Summer 2 2025 la', 'Autumn 1 2025 la', 'Autumn 2 school']);
    expect([schoolYearOf('2025-08-28'), schoolYearOf('2025-07-31'), schoolYearOf('2026-01-05')]).toEqual([2025, 2024, 2025]);
  });

  it('when days are closed, then each day of a range inside a term is closed, a bank holiday in the school’s own terms is closed, and the LA’s closures stay where its terms do', () => {
    const entries = [day('term', '2026-04-13', '2026-05-22', 'Summer 1'), day('holiday', '2025-10-23', '2025-10-28', 'Half term'), day('inset', '2025-09-01', '2025-09-01', 'Training day')];
    const spec = schoolCalendarSpec(la, entries, [{ date: '2026-05-04', name: 'Early May bank holiday' }, { date: '2025-08-25', name: 'Summer bank holiday' }]);
    expect(spec.closures).toEqual([
      { date: '2025-09-01', reason: 'Training day' },
      { date: '2025-09-05', reason: 'LA closure' },
      { date: '2025-10-23', reason: 'Half term' },
      { date: '2025-10-24', reason: 'Half term' },
      { date: '2026-05-04', reason: 'Early May bank holiday' },
    ]);
    const calendar = createCalendar(spec);
    expect(calendar.addSchoolDays('2025-10-22', 1)).toBe('2025-11-03');
    expect(calendar.isSchoolDay('2025-09-01')).toBe(false);
  });

  it('when entries do not make a usable calendar, then each problem is named in words a person can act on', () => {
    const messages = (entries: CalendarEntry[], builtIn: CalendarSpec | null = la) => calendarProblems(builtIn, entries).map((p) => p.message);
    expect(messages([day('inset', '2025-10-29')])).toEqual([
      "INSET day on Wednesday 29 October 2025 is not in term time (between 'Autumn 1 2025', ending Friday 24 October 2025, and 'Autumn 2 2025', starting Monday 3 November 2025): the school is closed then anyway. Enter the term dates first if they are missing",
    ]);
    expect(messages([day('closure', '2025-10-20', '2025-10-29', 'Flood')])).toEqual([expect.stringMatching(/^Flood on Wednesday 29 October 2025 is not in term time/)]);
    expect(messages([day('term', '2026-01-05', '2026-02-13', 'Spring 1'), day('term', '2026-02-09', '2026-03-27', 'Spring 2')])).toEqual([
      "terms 'Spring 1' (2026-01-05 to 2026-02-13) and 'Spring 2' (2026-02-09 to 2026-03-27) overlap",
    ]);
    expect(messages([day('term', '2025-09-01', '2026-07-20', 'The year')])[0]).toContain('a term of 323 days is longer than any school term (at most 140): enter each term separately');
    expect(messages([day('inset', '1925-09-01')])).toEqual(['expected a date from 2000-01-01 to 2099-12-31']);
    expect(messages([day('inset', '2025-09-02'), day('inset', '2025-09-02')])).toEqual(['INSET day from Tuesday 2 September 2025 to Tuesday 2 September 2025 is entered twice']);
    expect(messages([day('inset', '2025-09-02')], null)[0]).toContain('there are no term dates');
    expect(messages([day('term', '2025-09-06', '2025-09-07', 'Weekend'), day('inset', '2025-09-06')], null)).toEqual(['every term day is a weekend or a closure: the school would never be open']);
    expect(messages([day('term', '2026-01-05', '2026-02-13', 'Spring 1'), day('inset', '2026-01-05', '2026-01-05', 'Training day')])).toEqual([]);
  });
});
