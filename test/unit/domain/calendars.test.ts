import { describe, it, expect } from 'vitest';
import { calendarSpecSchema, createCalendar } from '../../../src/domain/calendar.ts';
import { dayOfWeek } from '../../../src/domain/dates.ts';
import { BANK_HOLIDAYS } from '../../../workflows/calendars/bank-holidays.ts';
import { CALENDARS, isCalendarId, type CalendarId } from '../../../workflows/calendars/index.ts';

// Hand-checked against each file: first and last term day of each year (2024-25 to 2026-27), and
// the start of the 10-school-week window on the first day of 2024-25 (which reaches into the
// 2023-24 summer term).
const expected: Record<CalendarId, { firstDays: [string, string, string]; lastDays: [string, string, string]; windowOnFirstDay: string }> = {
  coventry: { firstDays: ['2024-09-02', '2025-09-01', '2026-09-01'], lastDays: ['2025-07-21', '2026-07-20', '2027-07-21'], windowOnFirstDay: '2024-05-13' },
  sandwell: { firstDays: ['2024-09-02', '2025-09-01', '2026-09-01'], lastDays: ['2025-07-21', '2026-07-20', '2027-07-21'], windowOnFirstDay: '2024-05-20' },
  wolverhampton: { firstDays: ['2024-09-02', '2025-09-01', '2026-09-01'], lastDays: ['2025-07-21', '2026-07-20', '2027-07-21'], windowOnFirstDay: '2024-05-20' },
  'west-berkshire': { firstDays: ['2024-09-02', '2025-09-02', '2026-09-01'], lastDays: ['2025-07-22', '2026-07-21', '2027-07-21'], windowOnFirstDay: '2024-05-20' },
  wiltshire: { firstDays: ['2024-09-02', '2025-09-02', '2026-09-01'], lastDays: ['2025-07-22', '2026-07-21', '2027-07-21'], windowOnFirstDay: '2024-05-20' },
};

const years = [
  ['2024-09-01', '2025-07-31'],
  ['2025-09-01', '2026-07-31'],
  ['2026-09-01', '2027-07-31'],
] as const;

describe.each(Object.keys(CALENDARS) as CalendarId[])('the %s calendar', (id) => {
  const spec = CALENDARS[id];
  const calendar = createCalendar(spec);

  it('when validated, then the spec passes the schema', () => {
    expect(calendarSpecSchema.safeParse(spec).success).toBe(true);
  });

  it('when counting each school year, then it has the 195 published term days (190 pupil days and 5 school-set INSET days)', () => {
    for (const [from, to] of years) expect(calendar.countSchoolDays(from, to)).toBe(195);
  });

  it('when asked for the first and last days of each year, then they match the published dates', () => {
    years.forEach(([from, to], i) => {
      const days = calendar.schoolDays(from, to);
      expect(days[0]).toBe(expected[id].firstDays[i]);
      expect(days.at(-1)).toBe(expected[id].lastDays[i]);
    });
  });

  it('when a bank holiday falls in term, then the school is closed', () => {
    expect(calendar.isSchoolDay('2025-05-05')).toBe(false);
    expect(calendar.isSchoolDay('2026-05-04')).toBe(false);
    expect(calendar.isSchoolDay('2027-05-03')).toBe(false);
    expect(calendar.isSchoolDay('2025-05-06')).toBe(true);
  });

  it('when it is half term or Christmas, then the school is closed', () => {
    expect(calendar.isSchoolDay('2024-10-28')).toBe(false);
    expect(calendar.isSchoolDay('2025-02-17')).toBe(false);
    expect(calendar.isSchoolDay('2025-12-25')).toBe(false);
    expect(calendar.isSchoolDay('2026-02-16')).toBe(false);
    expect(calendar.isSchoolDay('2026-10-26')).toBe(false);
    expect(calendar.isSchoolDay('2026-12-25')).toBe(false);
    expect(calendar.isSchoolDay('2027-02-15')).toBe(false);
    expect(calendar.isSchoolDay('2027-03-26')).toBe(false);
    expect(calendar.isSchoolDay('2027-05-31')).toBe(false);
    expect(calendar.isSchoolDay('2027-06-04')).toBe(false);
  });

  it('when measuring the national threshold window on the first day of 2024-25, then it reaches into the 2023-24 summer term', () => {
    expect(calendar.rollingWindowStart(expected[id].firstDays[0], 10)).toBe(expected[id].windowOnFirstDay);
  });
});

describe('bank holidays', () => {
  it('when listed, then there are eight a year, all on weekdays, in date order', () => {
    for (const year of ['2024', '2025', '2026', '2027']) {
      expect(BANK_HOLIDAYS.filter((h) => h.date.startsWith(year))).toHaveLength(8);
    }
    expect(BANK_HOLIDAYS.every((h) => dayOfWeek(h.date) >= 1 && dayOfWeek(h.date) <= 5)).toBe(true);
    expect(BANK_HOLIDAYS.map((h) => h.date)).toEqual(BANK_HOLIDAYS.map((h) => h.date).sort());
  });

  it('when Boxing Day 2026 falls on a Saturday, then the substitute day is Monday 28 December', () => {
    expect(BANK_HOLIDAYS.some((h) => h.date === '2026-12-28')).toBe(true);
    expect(BANK_HOLIDAYS.some((h) => h.date === '2026-12-26')).toBe(false);
  });

  it('when Christmas Day and Boxing Day 2027 fall on a weekend, then the substitute days are Monday 27 and Tuesday 28 December', () => {
    expect(BANK_HOLIDAYS.filter((h) => h.date >= '2027-12-25').map((h) => h.date)).toEqual(['2027-12-27', '2027-12-28']);
  });
});

describe('calendar ids', () => {
  it('when looked up, then the five local authorities of the seed schools are there and nothing else', () => {
    expect(Object.keys(CALENDARS).sort()).toEqual(['coventry', 'sandwell', 'west-berkshire', 'wiltshire', 'wolverhampton']);
    expect(isCalendarId('coventry')).toBe(true);
    expect(isCalendarId('toString')).toBe(false);
  });
});
