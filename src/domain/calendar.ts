import { z } from 'zod';
import { addDays, compareDates, dayOfWeek, isIsoDate, mondayOf } from './dates.ts';
import type { CalendarSpec, IsoDate } from './types.ts';

const isoDate = z.string().refine(isIsoDate, { error: 'expected a calendar date YYYY-MM-DD' });

export const calendarSpecSchema = z
  .object({
    terms: z.array(z.object({ name: z.string().min(1), start: isoDate, end: isoDate })).min(1),
    closures: z.array(z.object({ date: isoDate, reason: z.string().min(1) })),
  })
  .superRefine((spec, ctx) => {
    spec.terms.forEach((term, i) => {
      if (term.start > term.end) {
        ctx.addIssue({ code: 'custom', path: ['terms', i], message: `term '${term.name}' ends before it starts` });
      }
    });
    const byStart = [...spec.terms].sort((a, b) => compareDates(a.start, b.start));
    for (let i = 1; i < byStart.length; i++) {
      const previous = byStart[i - 1];
      const term = byStart[i];
      if (previous !== undefined && term !== undefined && term.start <= previous.end) {
        ctx.addIssue({
          code: 'custom',
          path: ['terms'],
          message: `terms '${previous.name}' and '${term.name}' overlap`,
        });
      }
    }
    spec.closures.forEach((closure, i) => {
      if (!spec.terms.some((t) => t.start <= closure.date && closure.date <= t.end)) {
        ctx.addIssue({
          code: 'custom',
          path: ['closures', i],
          message: `closure on ${closure.date} (${closure.reason}) is not inside a term`,
        });
      }
    });
  }) satisfies z.ZodType<CalendarSpec>;

/** Asked about a date the calendar cannot answer for: its term dates do not reach that far. */
export class CalendarCoverageError extends RangeError {
  override name = 'CalendarCoverageError';
}

/**
 * One school's days. A question whose answer depends on days outside `coverage` (or a school day
 * beyond the first or last one) throws CalendarCoverageError rather than guess; only
 * indexOfSchoolDay and schoolWeekStart answer for any date.
 */
export interface SchoolCalendar {
  /**
   * First and last dates the calendar can answer for: the first term's start, and the last
   * term's end (31 July when that term ends in July).
   */
  readonly coverage: { readonly start: IsoDate; readonly end: IsoDate };
  readonly firstSchoolDay: IsoDate;
  readonly lastSchoolDay: IsoDate;
  /** How many school days the calendar has. */
  readonly schoolDayCount: number;
  /**
   * The position of d among the calendar's school days (0 for the first), or -1 when d is not
   * one: lets callers keep per-day data in arrays rather than maps keyed by date.
   */
  indexOfSchoolDay(d: IsoDate): number;
  /** A weekday inside a term that is not a closure. */
  isSchoolDay(d: IsoDate): boolean;
  /** School days from `from` to `to`, both included. */
  schoolDays(from: IsoDate, to: IsoDate): IsoDate[];
  countSchoolDays(from: IsoDate, to: IsoDate): number;
  /**
   * The n-th school day after d (before d when n < 0); with n = 0, d itself if it is a school
   * day, else the next one.
   */
  addSchoolDays(d: IsoDate, n: number): IsoDate;
  nextSchoolDay(d: IsoDate): IsoDate;
  previousSchoolDay(d: IsoDate): IsoDate;
  /** The Monday of d's week. */
  schoolWeekStart(d: IsoDate): IsoDate;
  /**
   * The Monday that starts the last `schoolWeeks` school weeks ending on asOf. A school week is
   * a Monday–Sunday week with at least one school day (DfE: "any week in which there is at least
   * one school session"); holiday weeks are skipped, so the window can reach back over holidays,
   * terms and school years. The week of asOf counts once one of its school days is on or
   * before asOf: a week whose school days are all still to come adds no sessions to the window.
   */
  rollingWindowStart(asOf: IsoDate, schoolWeeks: number): IsoDate;
  /**
   * The start of the first term beginning on or after 1 September of the academic year
   * (1 September to 31 August) that contains d.
   */
  academicYearStart(d: IsoDate): IsoDate;
}

export function createCalendar(spec: CalendarSpec): SchoolCalendar {
  const { terms, closures } = calendarSpecSchema.parse(spec);
  const sortedTerms = [...terms].sort((a, b) => compareDates(a.start, b.start));
  const closed = new Set(closures.map((c) => c.date));

  // Answers come from sorted arrays and binary search: workflows and benchmarks ask millions of
  // times, and walking the calendar day by day would dominate them.
  const days: IsoDate[] = [];
  const weekOfDay: number[] = [];
  const weekStarts: IsoDate[] = [];
  for (const term of sortedTerms) {
    for (let d = term.start; d <= term.end; d = addDays(d, 1)) {
      const dow = dayOfWeek(d);
      if (dow === 0 || dow === 6 || closed.has(d)) continue;
      const monday = mondayOf(d);
      if (weekStarts[weekStarts.length - 1] !== monday) weekStarts.push(monday);
      days.push(d);
      weekOfDay.push(weekStarts.length - 1);
    }
  }
  const firstSchoolDay = days[0];
  const lastSchoolDay = days[days.length - 1];
  if (firstSchoolDay === undefined || lastSchoolDay === undefined) {
    throw new RangeError('the calendar has no school day: every term day is a weekend or a closure');
  }
  const indexOf = new Map(days.map((d, i) => [d, i]));
  const lastTermEnd = sortedTerms.reduce((end, t) => (t.end > end ? t.end : end), lastSchoolDay);
  const coverage = {
    start: sortedTerms[0]?.start ?? firstSchoolDay,
    // A term ending in July ends the school year (the next one begins "after July", Education
    // Act 1996 s579), so the rest of July is known to be holiday.
    end: lastTermEnd.slice(5, 7) === '07' ? `${lastTermEnd.slice(0, 4)}-07-31` : lastTermEnd,
  };

  function checked(d: IsoDate, what: string): IsoDate {
    if (indexOf.has(d)) return d;
    if (!isIsoDate(d)) throw new TypeError(`${what}: '${d}' is not a calendar date YYYY-MM-DD`);
    if (d < coverage.start || d > coverage.end) {
      throw new CalendarCoverageError(
        `${what}: ${d} is outside the calendar (${coverage.start} to ${coverage.end}); add that year's term dates`,
      );
    }
    return d;
  }

  /** Index of the first school day on or after d. */
  function lowerBound(d: IsoDate): number {
    let lo = 0;
    let hi = days.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((days[mid] as IsoDate) < d) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index just past the last school day on or before d. */
  function upperBound(d: IsoDate): number {
    const i = indexOf.get(d);
    return i === undefined ? lowerBound(d) : i + 1;
  }

  function dayAt(i: number, from: IsoDate, n: number): IsoDate {
    const d = days[i];
    if (d === undefined) {
      throw new CalendarCoverageError(
        `addSchoolDays(${from}, ${n}): the answer lies beyond the calendar's school days (${firstSchoolDay} to ${lastSchoolDay}); add that year's term dates`,
      );
    }
    return d;
  }

  function addSchoolDays(d: IsoDate, n: number): IsoDate {
    if (!Number.isInteger(n)) throw new TypeError(`addSchoolDays: ${n} is not a whole number`);
    const i = indexOf.get(d);
    if (i !== undefined) return dayAt(i + n, d, n);
    const next = lowerBound(checked(d, 'addSchoolDays'));
    // From a non-school day the next school day is already the first one after it.
    return dayAt(n > 0 ? next + n - 1 : next + n, d, n);
  }

  return {
    coverage,
    firstSchoolDay,
    lastSchoolDay,
    schoolDayCount: days.length,
    indexOfSchoolDay: (d) => indexOf.get(d) ?? -1,
    isSchoolDay(d) {
      if (indexOf.has(d)) return true;
      checked(d, 'isSchoolDay');
      return false;
    },
    schoolDays(from, to) {
      checked(from, 'schoolDays');
      checked(to, 'schoolDays');
      return from > to ? [] : days.slice(lowerBound(from), upperBound(to));
    },
    countSchoolDays(from, to) {
      checked(from, 'countSchoolDays');
      checked(to, 'countSchoolDays');
      return from > to ? 0 : upperBound(to) - lowerBound(from);
    },
    addSchoolDays,
    nextSchoolDay: (d) => addSchoolDays(d, 1),
    previousSchoolDay: (d) => addSchoolDays(d, -1),
    schoolWeekStart: (d) => mondayOf(d),
    rollingWindowStart(asOf, schoolWeeks) {
      if (!Number.isInteger(schoolWeeks) || schoolWeeks < 1) {
        throw new TypeError(`rollingWindowStart: ${schoolWeeks} is not a positive whole number of weeks`);
      }
      const lastDay = upperBound(checked(asOf, 'rollingWindowStart')) - 1;
      const lastWeek = weekOfDay[lastDay];
      const first = lastWeek === undefined ? -1 : lastWeek - schoolWeeks + 1;
      const start = weekStarts[first];
      if (start === undefined) {
        throw new CalendarCoverageError(
          `rollingWindowStart(${asOf}, ${schoolWeeks}): the window reaches back before the calendar's first school week (${weekStarts[0]}); add the previous year's term dates`,
        );
      }
      return start;
    },
    academicYearStart(d) {
      const what = `academicYearStart(${d})`;
      checked(d, what);
      const year = Number(d.slice(0, 4)) - (d.slice(5) < '09-01' ? 1 : 0);
      // An English school year's first term starts in September: a calendar that starts later
      // than that is missing the year's beginning.
      if (coverage.start > `${year}-09-30`) {
        throw new CalendarCoverageError(`${what}: the calendar starts on ${coverage.start}, after that academic year began`);
      }
      const term = sortedTerms.find((t) => t.start >= `${year}-09-01`);
      if (term === undefined) {
        throw new CalendarCoverageError(`${what}: the calendar has no term starting on or after ${year}-09-01`);
      }
      return term.start;
    },
  };
}
