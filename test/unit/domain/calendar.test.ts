import { describe, it, expect } from 'vitest';
import { CalendarCoverageError, calendarSpecSchema, createCalendar } from '../../../src/domain/calendar.ts';
import type { CalendarSpec } from '../../../src/domain/types.ts';
import { coventry } from '../../../workflows/calendars/coventry.ts';

const spec: CalendarSpec = {
  terms: [
    { name: 'Autumn 1', start: '2024-09-02', end: '2024-10-25' },
    { name: 'Autumn 2', start: '2024-11-04', end: '2024-12-20' },
    { name: 'Spring 1', start: '2025-01-06', end: '2025-02-14' },
  ],
  closures: [
    { date: '2024-09-02', reason: 'INSET' },
    { date: '2024-11-29', reason: 'INSET' },
  ],
};
const calendar = createCalendar(spec);

describe('calendarSpecSchema', () => {
  it('when the spec is consistent, then it validates', () => {
    expect(calendarSpecSchema.safeParse(spec).success).toBe(true);
  });

  it.each([
    ['an impossible date', { ...spec, terms: [{ name: 'A', start: '2024-02-30', end: '2024-03-01' }], closures: [] }],
    ['a term ending before it starts', { ...spec, terms: [{ name: 'A', start: '2024-10-25', end: '2024-09-02' }], closures: [] }],
    [
      'overlapping terms',
      {
        terms: [
          { name: 'A', start: '2024-09-02', end: '2024-10-25' },
          { name: 'B', start: '2024-10-25', end: '2024-12-20' },
        ],
        closures: [],
      },
    ],
    ['a closure in a holiday', { ...spec, closures: [{ date: '2024-10-28', reason: 'INSET' }] }],
    ['no terms', { terms: [], closures: [] }],
  ])('when the spec has %s, then it is rejected', (_, bad) => {
    expect(calendarSpecSchema.safeParse(bad).success).toBe(false);
    expect(() => createCalendar(bad as CalendarSpec)).toThrow();
  });
});

describe('isSchoolDay', () => {
  it('when the day is a term weekday, then it is a school day', () => {
    expect(calendar.isSchoolDay('2024-09-03')).toBe(true);
  });

  it('when the day is a closure, a weekend or in a half term, then it is not', () => {
    expect(calendar.isSchoolDay('2024-09-02')).toBe(false);
    expect(calendar.isSchoolDay('2024-09-07')).toBe(false);
    expect(calendar.isSchoolDay('2024-10-28')).toBe(false);
  });

  it('when the day is outside the terms the calendar knows, then it throws instead of guessing', () => {
    expect(() => calendar.isSchoolDay('2024-08-30')).toThrow(CalendarCoverageError);
    expect(() => calendar.isSchoolDay('2025-03-03')).toThrow(CalendarCoverageError);
  });

  it('when the last term ends in July, then the rest of July is known holiday', () => {
    const cal = createCalendar(coventry);
    expect(cal.isSchoolDay('2027-07-30')).toBe(false);
    expect(() => cal.isSchoolDay('2027-08-02')).toThrow(CalendarCoverageError);
  });
});

describe('schoolDays and countSchoolDays', () => {
  it('when the range spans a half term, then lists only the term days, both ends included', () => {
    expect(calendar.schoolDays('2024-10-24', '2024-11-05')).toEqual(['2024-10-24', '2024-10-25', '2024-11-04', '2024-11-05']);
    expect(calendar.countSchoolDays('2024-10-24', '2024-11-05')).toBe(4);
  });

  it('when counting a half term with an INSET day, then the INSET day is left out', () => {
    expect(calendar.countSchoolDays('2024-09-02', '2024-10-25')).toBe(39);
  });

  it('when the range is reversed, then it is empty', () => {
    expect(calendar.schoolDays('2024-11-05', '2024-10-24')).toEqual([]);
    expect(calendar.countSchoolDays('2024-11-05', '2024-10-24')).toBe(0);
  });
});

describe('addSchoolDays, nextSchoolDay and previousSchoolDay', () => {
  it('when n is 0, then gives d on a school day and the next school day otherwise', () => {
    expect(calendar.addSchoolDays('2024-09-03', 0)).toBe('2024-09-03');
    expect(calendar.addSchoolDays('2024-09-07', 0)).toBe('2024-09-09');
  });

  it('when starting from a weekend, then the first school day after it is Monday', () => {
    expect(calendar.addSchoolDays('2024-09-07', 1)).toBe('2024-09-09');
    expect(calendar.addSchoolDays('2024-09-07', 2)).toBe('2024-09-10');
    expect(calendar.addSchoolDays('2024-09-07', -1)).toBe('2024-09-06');
  });

  it('when the days cross a half term, a closure or Christmas, then they are skipped', () => {
    expect(calendar.addSchoolDays('2024-10-25', 1)).toBe('2024-11-04');
    expect(calendar.addSchoolDays('2024-11-28', 1)).toBe('2024-12-02');
    expect(calendar.addSchoolDays('2024-10-21', 10)).toBe('2024-11-11');
    expect(calendar.nextSchoolDay('2024-12-20')).toBe('2025-01-06');
    expect(calendar.previousSchoolDay('2025-01-06')).toBe('2024-12-20');
    expect(calendar.previousSchoolDay('2024-12-25')).toBe('2024-12-20');
  });

  it('when the answer lies beyond the calendar, then it throws', () => {
    expect(() => calendar.addSchoolDays('2025-02-14', 1)).toThrow(CalendarCoverageError);
    expect(() => calendar.previousSchoolDay('2024-09-03')).toThrow(CalendarCoverageError);
  });

  it('when n is not a whole number, then it throws', () => {
    expect(() => calendar.addSchoolDays('2024-09-03', 0.5)).toThrow(TypeError);
  });
});

describe('schoolWeekStart', () => {
  it('when given a Sunday, then gives the Monday before it', () => {
    expect(calendar.schoolWeekStart('2024-09-08')).toBe('2024-09-02');
  });
});

describe('rollingWindowStart', () => {
  const cov = createCalendar(coventry);

  it('when 10 school weeks span Christmas, then the window start moves back over the 2 holiday weeks', () => {
    // Six school weeks in January–February, then 16, 9 and 2 December and 25 November.
    expect(cov.rollingWindowStart('2025-02-14', 10)).toBe('2024-11-25');
  });

  it('when asOf is in the holiday, then the window ends with the last school week', () => {
    // 16 Dec back to 4 Nov is seven weeks; the October half term is skipped; then 21, 14, 7 Oct.
    expect(cov.rollingWindowStart('2024-12-29', 10)).toBe('2024-10-07');
  });

  it('when the window spans the summer, then it reaches into the previous school year and a one-day week counts', () => {
    // 15, 8, 1 Sep 2025; the week of Monday 21 July 2025 has one school day; then back to 9 June.
    expect(cov.rollingWindowStart('2025-09-19', 10)).toBe('2025-06-09');
  });

  it('when asOf is an INSET Monday, then its week joins the window only once a school day has passed', () => {
    const cal = createCalendar({ ...spec, closures: [{ date: '2024-11-04', reason: 'INSET' }] });
    expect(cal.rollingWindowStart('2024-11-04', 1)).toBe('2024-10-21');
    expect(cal.rollingWindowStart('2024-11-05', 1)).toBe('2024-11-04');
  });

  it('when the window reaches before the first term, then it throws', () => {
    expect(() => calendar.rollingWindowStart('2024-09-20', 10)).toThrow(CalendarCoverageError);
    expect(calendar.rollingWindowStart('2024-09-20', 3)).toBe('2024-09-02');
  });
});

describe('academicYearStart', () => {
  const cov = createCalendar(coventry);

  it('when asOf is in the spring, then the year started with the September term', () => {
    expect(cov.academicYearStart('2025-03-03')).toBe('2024-09-02');
    expect(cov.academicYearStart('2025-09-15')).toBe('2025-09-01');
  });

  it('when the calendar does not reach back to that September, then it throws', () => {
    expect(() => cov.academicYearStart('2024-06-10')).toThrow(CalendarCoverageError);
  });
});
