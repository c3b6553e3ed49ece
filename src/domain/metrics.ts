import { CalendarCoverageError } from './calendar.ts';
import type { SchoolCalendar } from './calendar.ts';
import { ATTENDANCE_CODES, THRESHOLD_UNAUTHORISED_CODES, findCode } from './codes.ts';
import { isIsoDate } from './dates.ts';
import type { Band, CodeCategory, IsoDate, Mark, PupilMetrics } from './types.ts';

/** The national penalty-notice threshold: 10 G/O/U sessions within 10 school weeks. */
export const THRESHOLD_SCHOOL_WEEKS = 10;
export const THRESHOLD_SESSIONS = 10;
/** An N must be resolved within this many school days. */
export const N_RESOLUTION_SCHOOL_DAYS = 5;

// What one mark says about its day, for the run of whole days absent.
const AM_ABSENT = 1;
const PM_ABSENT = 2;
const NOT_ABSENT = 4;
const WHOLE_DAY_ABSENT = AM_ABSENT | PM_ABSENT;

/** A code with everything the per-mark loop asks of it worked out once. */
interface CodeFacts {
  code: string;
  category: CodeCategory;
  /** Position in ATTENDANCE_CODES, for counting in an array. */
  index: number;
  absent: boolean;
  threshold: boolean;
}

const FACTS = new Map<string, CodeFacts>(
  ATTENDANCE_CODES.map(({ code, category }, index) => [
    code,
    {
      code,
      category,
      index,
      absent: category === 'authorised' || category === 'unauthorised',
      threshold: THRESHOLD_UNAUTHORISED_CODES.has(code),
    },
  ]),
);

export interface MetricsInput {
  /** One pupil's marks, in any order, one per session; codes as national codes (see findCode). */
  marks: readonly Mark[];
  calendar: SchoolCalendar;
  asOf: IsoDate;
  /**
   * Start of the period; defaults to the start of the academic year containing asOf: the first
   * term that starts on or after the 1 September on or before asOf.
   */
  from?: IsoDate;
  bands?: readonly Band[];
  /**
   * A what-if run over a calendar that starts part way through a year (the simulator): the
   * threshold window is counted over the school weeks the calendar holds, instead of refusing.
   */
  windowWithinCalendar?: boolean;
}

/**
 * Everything the escalation rules read about one pupil, from the marks dated from..asOf (the
 * rolling threshold window and the run of days absent look further back). Pure: no clock.
 */
export function computeMetrics(input: MetricsInput): PupilMetrics {
  const { marks, calendar, asOf, bands = [] } = input;
  assertDate(asOf, 'asOf');
  const from = input.from ?? calendar.academicYearStart(asOf);
  assertDate(from, 'from');
  const windowStart = input.windowWithinCalendar
    ? windowInCalendar(calendar, asOf)
    : calendar.rollingWindowStart(asOf, THRESHOLD_SCHOOL_WEEKS);
  // N marks dated before this have passed the 5th school day after them without resolution.
  const nOverdueBefore = calendar.addSchoolDays(asOf, -N_RESOLUTION_SCHOOL_DAYS);

  const counts = new Int32Array(ATTENDANCE_CODES.length);
  const dayFlags = new Uint8Array(calendar.schoolDayCount);
  const illnessDates = new Set<IsoDate>();
  let latestMarkedDay = -1;
  let unauthorisedInRolling10Weeks = 0;
  let unresolvedN = 0;

  for (const mark of marks) {
    const date = mark.date;
    if (date > asOf) continue;
    const facts = resolve(mark);

    const dayIndex = calendar.indexOfSchoolDay(date);
    if (dayIndex >= 0) {
      const flag = facts.absent ? (mark.session === 'AM' ? AM_ABSENT : PM_ABSENT) : NOT_ABSENT;
      dayFlags[dayIndex] = (dayFlags[dayIndex] ?? 0) | flag;
      if (dayIndex > latestMarkedDay) latestMarkedDay = dayIndex;
    }

    if (facts.threshold && date >= windowStart) unauthorisedInRolling10Weeks++;

    if (date < from) continue;
    counts[facts.index] = (counts[facts.index] ?? 0) + 1;
    if (facts.code === 'I') illnessDates.add(date);
    else if (facts.code === 'N' && date < nOverdueBefore) unresolvedN++;
  }

  const sessionsByCode: Record<string, number> = {};
  const byCategory: Record<CodeCategory, number> = {
    present: 0,
    approvedEducation: 0,
    authorised: 0,
    unauthorised: 0,
    notCounted: 0,
  };
  ATTENDANCE_CODES.forEach(({ code, category }, i) => {
    const n = counts[i] ?? 0;
    if (n === 0) return;
    sessionsByCode[code] = n;
    byCategory[category] += n;
  });

  // Counting back from the latest school day with marks; a day with any other mark, or none,
  // ends the run (the calendar's first school day ends it too: nothing before it is known).
  let consecutiveDaysAbsent = 0;
  for (let i = latestMarkedDay; i >= 0 && dayFlags[i] === WHOLE_DAY_ABSENT; i--) consecutiveDaysAbsent++;

  const attended = byCategory.present + byCategory.approvedEducation;
  const possible = attended + byCategory.authorised + byCategory.unauthorised;
  const attendancePct = percent(attended, possible);
  return {
    asOf,
    from,
    possibleSessions: possible,
    presentSessions: byCategory.present,
    approvedEducationSessions: byCategory.approvedEducation,
    authorisedSessions: byCategory.authorised,
    unauthorisedSessions: byCategory.unauthorised,
    sessionsByCode,
    attendancePct,
    band: bandFor(attendancePct, bands),
    // Compared in whole numbers so that exactly 90% or 50% cannot be lost to rounding.
    persistentAbsence: possible > 0 && attended * 100 <= possible * 90,
    severeAbsence: possible > 0 && attended * 100 <= possible * 50,
    unauthorisedInRolling10Weeks,
    nationalThresholdMet: unauthorisedInRolling10Weeks >= THRESHOLD_SESSIONS,
    illnessDays: illnessDates.size,
    consecutiveDaysAbsent,
    lates: sessionsByCode.L ?? 0,
    lateAfterRegister: sessionsByCode.U ?? 0,
    unresolvedN,
  };
}

function windowInCalendar(calendar: SchoolCalendar, asOf: IsoDate): IsoDate {
  try {
    return calendar.rollingWindowStart(asOf, THRESHOLD_SCHOOL_WEEKS);
  } catch (error) {
    if (!(error instanceof CalendarCoverageError)) throw error;
    return calendar.schoolWeekStart(calendar.firstSchoolDay);
  }
}

/** The highest band whose minPct the attendance % reaches; null without a % or a band. */
export function bandFor(pct: number | null, bands: readonly Band[]): string | null {
  if (pct === null) return null;
  let best: Band | null = null;
  for (const band of bands) {
    if (band.minPct <= pct && (best === null || band.minPct > best.minPct)) best = band;
  }
  return best?.name ?? null;
}

export interface AttendanceChangeInput {
  marks: readonly Mark[];
  calendar: SchoolCalendar;
  /** Both percentages are measured from here; defaults as in computeMetrics. */
  from?: IsoDate;
  /** Usually the date of the last letter. */
  since: IsoDate;
  asOf: IsoDate;
}

export interface AttendanceChange {
  pctAtSince: number | null;
  pctNow: number | null;
  /** pctNow − pctAtSince: negative when attendance has continued to fall; null without both. */
  delta: number | null;
}

/**
 * Attendance % over from..since and over from..asOf, for "no improvement" and "continues to
 * fall since the last letter".
 */
export function attendanceChange(input: AttendanceChangeInput): AttendanceChange {
  const { marks, calendar, since, asOf } = input;
  assertDate(since, 'since');
  assertDate(asOf, 'asOf');
  if (since > asOf) throw new RangeError(`attendanceChange: since (${since}) is after asOf (${asOf})`);
  const from = input.from ?? calendar.academicYearStart(asOf);
  assertDate(from, 'from');

  let attendedAtSince = 0;
  let possibleAtSince = 0;
  let attendedNow = 0;
  let possibleNow = 0;
  for (const mark of marks) {
    if (mark.date < from || mark.date > asOf) continue;
    const { category } = resolve(mark);
    if (category === 'notCounted') continue;
    const attended = category === 'present' || category === 'approvedEducation' ? 1 : 0;
    attendedNow += attended;
    possibleNow++;
    if (mark.date <= since) {
      attendedAtSince += attended;
      possibleAtSince++;
    }
  }
  const pctAtSince = percent(attendedAtSince, possibleAtSince);
  const pctNow = percent(attendedNow, possibleNow);
  return { pctAtSince, pctNow, delta: pctAtSince === null || pctNow === null ? null : pctNow - pctAtSince };
}

function percent(attended: number, possible: number): number | null {
  // Multiplying first keeps whole-number percentages exact (11 of 20 is 55, not 55.00000000000001).
  return possible === 0 ? null : (attended * 100) / possible;
}

function resolve(mark: Mark): CodeFacts {
  const facts = FACTS.get(mark.code) ?? FACTS.get(findCode(mark.code)?.code ?? '');
  if (facts === undefined) {
    throw new RangeError(`pupil ${mark.upn}: '${mark.code}' on ${mark.date} ${mark.session} is not a national attendance code`);
  }
  return facts;
}

function assertDate(d: IsoDate, what: string): void {
  if (!isIsoDate(d)) throw new TypeError(`${what}: '${d}' is not a calendar date YYYY-MM-DD`);
}
