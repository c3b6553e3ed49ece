import { describe, it, expect } from 'vitest';
import { CalendarCoverageError, createCalendar } from '../../../src/domain/calendar.ts';
import { attendanceChange, bandFor, computeMetrics } from '../../../src/domain/metrics.ts';
import type { Band, IsoDate, Mark } from '../../../src/domain/types.ts';
import { coventry } from '../../../workflows/calendars/coventry.ts';

const calendar = createCalendar(coventry);
const UPN = 'A123456789012';

function day(date: IsoDate, am: string, pm = am): Mark[] {
  return [
    { upn: UPN, date, session: 'AM', code: am },
    { upn: UPN, date, session: 'PM', code: pm },
  ];
}

/** Both sessions of every school day from..to, present unless `absent` names the day. */
function register(from: IsoDate, to: IsoDate, absent: Record<IsoDate, [string, string?]> = {}): Mark[] {
  return calendar.schoolDays(from, to).flatMap((d) => {
    const codes = absent[d];
    return codes === undefined ? day(d, '/', '\\') : day(d, codes[0], codes[1]);
  });
}

/** A year of 190 school days (380 sessions), the year the seed's table is worked for. */
const year = calendar.schoolDays('2024-09-02', '2025-07-21').slice(0, 190);
const yearEnd = year[189] as IsoDate;

/** The year's sessions with the first `absentSessions` of them coded `code`. */
function yearWithAbsentSessions(absentSessions: number, code = 'I'): Mark[] {
  return year
    .flatMap((d) => day(d, '/', '\\'))
    .map((m, i) => (i < absentSessions ? { ...m, code } : m));
}

describe('attendance % against the seed 001 (Equinox) table of days missed', () => {
  // "Attendance in one year / Number of days missed": 95% 9 days, 90% 19, 85% 29, 80% 38,
  // 75% 48, 70% 57, 65% 67, over a 190-day year. The table's percentages are rounded; its
  // sessions column is twice the days (its "72" for 80% should read 76).
  it.each([
    [9, 95, 95.263],
    [19, 90, 90],
    [29, 85, 84.737],
    [38, 80, 80],
    [48, 75, 74.737],
    [57, 70, 70],
    [67, 65, 64.737],
  ])('when a pupil misses %i whole days, then attendance is %i%% once rounded (%f exact)', (days, rounded, exact) => {
    const m = computeMetrics({ marks: yearWithAbsentSessions(days * 2), calendar, asOf: yearEnd });
    expect(m.possibleSessions).toBe(380);
    expect(m.authorisedSessions).toBe(days * 2);
    expect(m.attendancePct).toBeCloseTo(exact, 3);
    expect(Math.round(m.attendancePct ?? NaN)).toBe(rounded);
    expect(m.illnessDays).toBe(days);
  });
});

describe('persistent and severe absence thresholds', () => {
  it('when attendance is exactly 90%, then the pupil is persistently absent', () => {
    const m = computeMetrics({ marks: yearWithAbsentSessions(38, 'M'), calendar, asOf: yearEnd });
    expect(m.attendancePct).toBe(90);
    expect(m.persistentAbsence).toBe(true);
    expect(m.severeAbsence).toBe(false);
  });

  it('when attendance is one session above 90%, then the pupil is not persistently absent', () => {
    const m = computeMetrics({ marks: yearWithAbsentSessions(37, 'M'), calendar, asOf: yearEnd });
    expect(m.persistentAbsence).toBe(false);
  });

  it('when attendance is exactly 50%, then the pupil is severely absent', () => {
    const m = computeMetrics({ marks: yearWithAbsentSessions(190, 'M'), calendar, asOf: yearEnd });
    expect(m.attendancePct).toBe(50);
    expect(m.severeAbsence).toBe(true);
    expect(m.persistentAbsence).toBe(true);
  });

  it('when attendance is one session above 50%, then the pupil is not severely absent', () => {
    const m = computeMetrics({ marks: yearWithAbsentSessions(189, 'M'), calendar, asOf: yearEnd });
    expect(m.severeAbsence).toBe(false);
  });
});

describe('sessions that are not possible sessions', () => {
  it.each(['X', 'Q', 'Y1', 'Y2', 'Y3', 'Y4', 'Y5', 'Y6', 'Y7', 'Z', '#', 'D'])(
    'when a pupil has a day of %s beside a day present, then attendance stays 100%%',
    (code) => {
      const marks = [...day('2024-10-07', '/', '\\'), ...day('2024-10-08', code)];
      const m = computeMetrics({ marks, calendar, asOf: '2024-10-08' });
      expect(m.possibleSessions).toBe(2);
      expect(m.attendancePct).toBe(100);
      expect(m.sessionsByCode[code]).toBe(2);
    },
  );

  it('when the day is an authorised absence instead, then it is a possible session and attendance is 50%', () => {
    const marks = [...day('2024-10-07', '/', '\\'), ...day('2024-10-08', 'I')];
    expect(computeMetrics({ marks, calendar, asOf: '2024-10-08' }).attendancePct).toBe(50);
  });

  it('when every session is not counted, then there is no attendance % and no absence flag', () => {
    const m = computeMetrics({ marks: day('2024-10-08', 'Z'), calendar, asOf: '2024-10-08', bands: [{ name: 'Red', minPct: 0 }] });
    expect(m.possibleSessions).toBe(0);
    expect(m.attendancePct).toBeNull();
    expect(m.band).toBeNull();
    expect(m.persistentAbsence).toBe(false);
    expect(m.severeAbsence).toBe(false);
  });

  it('when pupils attend approved education off-site, then those sessions count as attended', () => {
    const marks = [...day('2024-10-07', 'K', 'V'), ...day('2024-10-08', 'O')];
    const m = computeMetrics({ marks, calendar, asOf: '2024-10-08' });
    expect(m.approvedEducationSessions).toBe(2);
    expect(m.unauthorisedSessions).toBe(2);
    expect(m.attendancePct).toBe(50);
  });
});

describe('the national penalty-notice threshold', () => {
  // The 10 school weeks to Friday 14 February 2025 start on Monday 25 November 2024.
  const asOf = '2025-02-14';

  it('when 10 G/O/U sessions fall in 10 school weeks spanning Christmas, then the threshold is met', () => {
    const marks = [
      ...day('2024-11-25', 'G'),
      ...day('2024-11-26', 'G'),
      ...day('2025-01-14', 'O'),
      ...day('2025-01-15', 'O'),
      ...day('2025-02-10', 'U', '\\'),
      ...day('2025-02-11', 'U', '\\'),
    ];
    const m = computeMetrics({ marks, calendar, asOf });
    expect(m.unauthorisedInRolling10Weeks).toBe(10);
    expect(m.nationalThresholdMet).toBe(true);
  });

  it('when one of the sessions is the Friday before the window, then it is 9 and not met', () => {
    const marks = [
      ...day('2024-11-22', 'G', '\\'),
      ...day('2024-11-25', 'G', '\\'),
      ...day('2024-11-26', 'G'),
      ...day('2025-01-14', 'O'),
      ...day('2025-01-15', 'O'),
      ...day('2025-02-10', 'U', '\\'),
      ...day('2025-02-11', 'U', '\\'),
    ];
    const m = computeMetrics({ marks, calendar, asOf });
    expect(m.unauthorisedInRolling10Weeks).toBe(9);
    expect(m.nationalThresholdMet).toBe(false);
  });

  it('when the absences are N (reason not yet established), then they do not count', () => {
    const marks = ['2025-02-03', '2025-02-04', '2025-02-05', '2025-02-06', '2025-02-07'].flatMap((d) => day(d, 'N'));
    const m = computeMetrics({ marks, calendar, asOf });
    expect(m.unauthorisedSessions).toBe(10);
    expect(m.unauthorisedInRolling10Weeks).toBe(0);
  });

  it('when the period starts later than the window, then the window still counts its whole 10 weeks', () => {
    const marks = [...day('2024-12-02', 'G'), ...day('2024-12-03', 'G'), ...day('2025-01-06', 'O')];
    const m = computeMetrics({ marks, calendar, asOf, from: '2025-01-06' });
    expect(m.unauthorisedSessions).toBe(2);
    expect(m.unauthorisedInRolling10Weeks).toBe(6);
  });

  it('when the window crosses the summer holiday, then last July counts towards this September', () => {
    const marks = [...day('2024-07-18', 'G'), ...day('2024-07-19', 'G'), ...register('2024-09-02', '2024-09-13')];
    const m = computeMetrics({ marks, calendar, asOf: '2024-09-13' });
    expect(m.from).toBe('2024-09-02');
    expect(m.unauthorisedSessions).toBe(0);
    expect(m.unauthorisedInRolling10Weeks).toBe(4);
  });
});

describe('unresolved N marks', () => {
  it('when an N is more than 5 school days old, then it is unresolved; at exactly 5 it is not yet', () => {
    // As of Tuesday 15 October 2024 the 5th school day after Tuesday 8 October is today.
    const marks = [...day('2024-10-07', 'N', '\\'), ...day('2024-10-08', 'N', '\\'), ...day('2024-10-15', 'N', '\\')];
    const m = computeMetrics({ marks, calendar, asOf: '2024-10-15' });
    expect(m.sessionsByCode.N).toBe(3);
    expect(m.unresolvedN).toBe(1);
  });

  it('when the 5 school days span half term, then the holiday week is not counted', () => {
    const marks = [...day('2024-10-21', 'N'), ...day('2024-10-22', 'N')];
    const m = computeMetrics({ marks, calendar, asOf: '2024-11-05' });
    expect(m.unresolvedN).toBe(2);
  });

  it('when asOf is a Saturday, then an N whose 5th school day was Friday is overdue', () => {
    const marks = [...day('2024-10-11', 'N', '\\'), ...day('2024-10-14', 'N', '\\')];
    expect(computeMetrics({ marks, calendar, asOf: '2024-10-19' }).unresolvedN).toBe(1);
  });
});

describe('consecutive days absent', () => {
  it('when a pupil misses Thursday, Friday and Monday, then the run crosses the weekend and is 3', () => {
    const marks = [...day('2024-10-09', '/', '\\'), ...day('2024-10-10', 'O'), ...day('2024-10-11', 'I'), ...day('2024-10-14', 'G')];
    expect(computeMetrics({ marks, calendar, asOf: '2024-10-14' }).consecutiveDaysAbsent).toBe(3);
  });

  it('when the pupil was present for one session on Thursday, then the run is 2', () => {
    const marks = [...day('2024-10-10', '/', 'O'), ...day('2024-10-11', 'I'), ...day('2024-10-14', 'O')];
    expect(computeMetrics({ marks, calendar, asOf: '2024-10-14' }).consecutiveDaysAbsent).toBe(2);
  });

  it('when a day is coded as not counted (Y4, school closed by snow), then it breaks the run', () => {
    const marks = [...day('2024-10-10', 'O'), ...day('2024-10-11', 'Y4'), ...day('2024-10-14', 'O')];
    expect(computeMetrics({ marks, calendar, asOf: '2024-10-14' }).consecutiveDaysAbsent).toBe(1);
  });

  it('when the latest days have no marks yet, then the run is counted back from the latest marked school day', () => {
    const marks = [...day('2024-10-10', 'O'), ...day('2024-10-11', 'O'), ...day('2024-10-14', 'O')];
    expect(computeMetrics({ marks, calendar, asOf: '2024-10-17' }).consecutiveDaysAbsent).toBe(3);
  });

  it('when the absence runs over half term, then the holiday does not break it', () => {
    const marks = [...day('2024-10-24', '/', '\\'), ...day('2024-10-25', 'O'), ...day('2024-11-04', 'O')];
    expect(computeMetrics({ marks, calendar, asOf: '2024-11-04' }).consecutiveDaysAbsent).toBe(2);
  });

  it('when a closure day after the absences carries a # mark, then the run is counted back from the school days', () => {
    const marks = [...day('2025-05-01', 'O'), ...day('2025-05-02', 'O'), ...day('2025-05-05', '#')];
    expect(computeMetrics({ marks, calendar, asOf: '2025-05-05' }).consecutiveDaysAbsent).toBe(2);
  });

  it('when a school day in the middle has no marks, then the run stops there', () => {
    const marks = [...day('2024-10-10', 'O'), ...day('2024-10-14', 'O')];
    expect(computeMetrics({ marks, calendar, asOf: '2024-10-14' }).consecutiveDaysAbsent).toBe(1);
  });
});

describe('the period and the other counts', () => {
  it('when from is not given, then the period starts with the September term and earlier marks are left out', () => {
    const marks = [...day('2024-07-10', 'I'), ...register('2024-09-02', '2024-09-06')];
    const m = computeMetrics({ marks, calendar, asOf: '2024-09-06' });
    expect(m.from).toBe('2024-09-02');
    expect(m.possibleSessions).toBe(10);
    expect(m.illnessDays).toBe(0);
  });

  it('when marks are dated after asOf, then they are ignored', () => {
    const marks = [...day('2024-10-07', '/', '\\'), ...day('2024-10-08', 'O')];
    const m = computeMetrics({ marks, calendar, asOf: '2024-10-07' });
    expect(m.possibleSessions).toBe(2);
    expect(m.unauthorisedSessions).toBe(0);
  });

  it('when a pupil is late before and after the register closes, then L counts as present and U as unauthorised', () => {
    const marks = [...day('2024-10-07', 'L', '\\'), ...day('2024-10-08', 'L', '\\'), ...day('2024-10-09', 'U', '\\')];
    const m = computeMetrics({ marks: [...marks].reverse(), calendar, asOf: '2024-10-09' });
    expect(m.lates).toBe(2);
    expect(m.lateAfterRegister).toBe(1);
    expect(m.presentSessions).toBe(5);
    expect(m.unauthorisedSessions).toBe(1);
    expect(m.sessionsByCode).toEqual({ L: 2, '\\': 3, U: 1 });
  });

  it('when illness covers both sessions of a day, then it is one illness day', () => {
    const marks = [...day('2024-10-07', 'I'), ...day('2024-10-08', 'I', '\\'), ...day('2024-10-09', '/', '\\')];
    expect(computeMetrics({ marks, calendar, asOf: '2024-10-09' }).illnessDays).toBe(2);
  });

  it('when marks use lower-case codes, then they are read as the national codes', () => {
    const m = computeMetrics({ marks: day('2024-10-07', 'o', 'c1'), calendar, asOf: '2024-10-07' });
    expect(m.sessionsByCode).toEqual({ O: 1, C1: 1 });
  });

  it('when a mark has an unknown code, then metrics refuse to guess', () => {
    expect(() => computeMetrics({ marks: day('2024-10-07', 'F'), calendar, asOf: '2024-10-07' })).toThrow(/'F'/);
  });

  it('when the calendar cannot see 10 school weeks back, then it says so', () => {
    const short = createCalendar({ terms: [{ name: 'Autumn 1', start: '2024-09-02', end: '2024-10-25' }], closures: [] });
    expect(() => computeMetrics({ marks: [], calendar: short, asOf: '2024-09-20' })).toThrow(CalendarCoverageError);
  });
});

describe('bands', () => {
  const bands: Band[] = [
    { name: 'Amber', minPct: 91 },
    { name: 'Red', minPct: 0 },
    { name: 'Green', minPct: 96 },
  ];

  it('when attendance is on a boundary, then the pupil is in the band that starts there', () => {
    expect(bandFor(96, bands)).toBe('Green');
    expect(bandFor(95.99, bands)).toBe('Amber');
    expect(bandFor(91, bands)).toBe('Amber');
    expect(bandFor(90.9, bands)).toBe('Red');
  });

  it('when there is no % or no band reaches it, then there is no band', () => {
    expect(bandFor(null, bands)).toBeNull();
    expect(bandFor(80, [{ name: 'Green', minPct: 96 }])).toBeNull();
  });

  it('when metrics are computed with bands, then the band follows the attendance %', () => {
    const m = computeMetrics({ marks: yearWithAbsentSessions(18), calendar, asOf: yearEnd, bands });
    expect(m.band).toBe('Amber');
  });
});

describe('attendanceChange', () => {
  const absentAllWeek = (from: IsoDate, to: IsoDate) =>
    Object.fromEntries(calendar.schoolDays(from, to).map((d): [IsoDate, [string]] => [d, ['O']]));
  // From 2 September 2024: present the first week, absent the whole second week.
  const firstTwoWeeks = register('2024-09-02', '2024-09-13', absentAllWeek('2024-09-09', '2024-09-13'));

  it('when attendance kept falling after the letter, then delta is negative', () => {
    const marks = [...firstTwoWeeks, ...register('2024-09-16', '2024-09-20', absentAllWeek('2024-09-16', '2024-09-20'))];
    const change = attendanceChange({ marks, calendar, from: '2024-09-02', since: '2024-09-06', asOf: '2024-09-20' });
    expect(change.pctAtSince).toBe(100);
    expect(change.pctNow).toBeCloseTo(100 / 3, 10);
    expect(change.delta).toBeCloseTo(100 / 3 - 100, 10);
  });

  it('when attendance improved after the letter, then delta is positive and both are measured from the year start', () => {
    const marks = [...firstTwoWeeks, ...register('2024-09-16', '2024-09-27')];
    const change = attendanceChange({ marks, calendar, since: '2024-09-13', asOf: '2024-09-27' });
    expect(change.pctAtSince).toBe(50);
    expect(change.pctNow).toBe(75);
    expect(change.delta).toBe(25);
  });

  it('when there were no possible sessions by the letter, then delta is null', () => {
    const change = attendanceChange({ marks: firstTwoWeeks, calendar, from: '2024-09-02', since: '2024-09-01', asOf: '2024-09-13' });
    expect(change.pctAtSince).toBeNull();
    expect(change.delta).toBeNull();
  });

  it('when since is after asOf, then it throws', () => {
    expect(() => attendanceChange({ marks: firstTwoWeeks, calendar, since: '2024-09-14', asOf: '2024-09-13' })).toThrow(RangeError);
  });
});
