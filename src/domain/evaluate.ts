import type { StateValue } from 'xstate';
import type { CaseContext, CaseEvent, Evidence, Timer } from './case-types.ts';
import type { SchoolCalendar } from './calendar.ts';
import { codeCategory, findCode, isThresholdUnauthorised, normaliseCode } from './codes.ts';
import { addDays, compareDates, dayOfWeek, mondayOf } from './dates.ts';
import { attendanceChange, computeMetrics } from './metrics.ts';
import type { AttendanceChange } from './metrics.ts';
import { meetsPct } from './policy.ts';
import { pct, plural } from './words.ts';
import type { Policy, VulnerabilityRating } from './policy.ts';
import type { IsoDate, Mark, PupilMetrics } from './types.ts';

/**
 * Turns what the register says about one pupil into the events their case should receive. Pure,
 * so the durable case service and the simulator decide the same way from the same marks.
 */

/** What the school knows about the pupil besides the register. */
export interface PupilFlags {
  hasSocialWorker?: boolean;
  vulnerability?: VulnerabilityRating;
  /** A parent answered the school's requests about the pupil's whereabouts during this absence. */
  parentResponded?: boolean;
}

export interface CaseView {
  value: StateValue;
  context: CaseContext;
}

/** The numbers the rules read: year-to-date (or the policy's fixed period) and since the case's milestones. */
export interface Measurements {
  at: IsoDate;
  metrics: PupilMetrics;
  sinceLastLetter: AttendanceChange | null;
  /** Unauthorised (G, O, U) sessions after the last threshold was considered, or after the notice was issued. */
  unauthorisedSinceThreshold: number | null;
  unauthorisedSinceNotice: number | null;
  /** Days with an absence in the five school days ending today (a week of single absences). */
  daysAbsentThisWeek: number;
  absentToday: boolean;
  unexplainedToday: boolean;
  lastUnauthorisedOn: IsoDate | null;
}

function unauthorisedAfter(marks: readonly Mark[], after: IsoDate, asOf: IsoDate): number {
  return marks.filter((mark) => mark.date > after && mark.date <= asOf && isThresholdUnauthorised(code(mark))).length;
}

function code(mark: Mark): string {
  return normaliseCode(mark.code) ?? mark.code;
}

/**
 * The start of the school year `asOf` falls in, as far as the calendar holds it: a calendar that
 * begins part way through a year (the summer term before its first whole year) measures that
 * year from its first school day, so any date it covers can be evaluated.
 */
export function measuredYearStart(calendar: SchoolCalendar, asOf: IsoDate): IsoDate {
  const year = Number(asOf.slice(0, 4)) - (asOf.slice(5) < '09-01' ? 1 : 0);
  if (compareDates(calendar.coverage.start, `${year}-09-30`) > 0 && compareDates(asOf, calendar.firstSchoolDay) >= 0) return calendar.firstSchoolDay;
  return calendar.academicYearStart(asOf);
}

/** The attendance period a policy measures: its fixed period ending today, else the school year. */
export function periodStart(policy: Policy, calendar: SchoolCalendar, asOf: IsoDate): IsoDate {
  const period = policy.evaluation.period;
  const yearStart = measuredYearStart(calendar, asOf);
  if (!period) return yearStart;
  const days = period.unit === 'schoolWeeks' ? period.amount * 5 : period.amount;
  const start = calendar.addSchoolDays(asOf, -(days - 1));
  return compareDates(start, yearStart) < 0 ? yearStart : start;
}

export function measure(input: {
  policy: Policy;
  calendar: SchoolCalendar;
  marks: readonly Mark[];
  asOf: IsoDate;
  case: CaseView | null;
  /** See MetricsInput.windowWithinCalendar: the simulator's what-if runs. */
  windowWithinCalendar?: boolean;
}): Measurements {
  const { policy, calendar, marks, asOf } = input;
  const context = input.case?.context;
  const from = periodStart(policy, calendar, asOf);
  const metrics = computeMetrics({ marks, calendar, asOf, from, bands: policy.bands, windowWithinCalendar: input.windowWithinCalendar });
  const lastLetterOn = context?.lastLetter?.sentOn;
  const sinceLastLetter =
    lastLetterOn && compareDates(lastLetterOn, from) >= 0 && compareDates(lastLetterOn, asOf) <= 0
      ? attendanceChange({ marks, calendar, from, since: lastLetterOn, asOf })
      : null;
  const weekStart = calendar.addSchoolDays(asOf, -4);
  // One pass over the year's marks (a pupil's 380 or so): the evaluation runs this for every pupil.
  const daysAbsent = new Set<IsoDate>();
  let marksToday = 0;
  let absentMarksToday = 0;
  let unexplainedToday = false;
  let lastUnauthorisedOn: IsoDate | null = null;
  for (const mark of marks) {
    if (mark.date > asOf) continue;
    const found = findCode(mark.code);
    // codeCategory throws on a code that is not a national one, as the rules always have.
    const category = found ? found.category : codeCategory(mark.code);
    const normalised = found!.code;
    const isAbsent = category === 'authorised' || category === 'unauthorised';
    if (mark.date >= weekStart && isAbsent) daysAbsent.add(mark.date);
    if (mark.date === asOf) {
      marksToday += 1;
      if (isAbsent) absentMarksToday += 1;
      if (normalised === 'N' || normalised === 'O') unexplainedToday = true;
    }
    if (isThresholdUnauthorised(normalised) && (lastUnauthorisedOn === null || compareDates(mark.date, lastUnauthorisedOn) > 0)) lastUnauthorisedOn = mark.date;
  }
  return {
    at: asOf,
    metrics,
    sinceLastLetter,
    unauthorisedSinceThreshold: context?.thresholdMetOn ? unauthorisedAfter(marks, context.thresholdMetOn, asOf) : null,
    unauthorisedSinceNotice: context?.noticeToImprove ? unauthorisedAfter(marks, context.noticeToImprove.issuedOn, asOf) : null,
    daysAbsentThisWeek: daysAbsent.size,
    absentToday: marksToday > 0 && absentMarksToday === marksToday,
    unexplainedToday,
    lastUnauthorisedOn,
  };
}

/** Whether `d` is a day the school reviews attendance against its letter thresholds. */
export function isReviewDay(policy: Policy, calendar: SchoolCalendar, d: IsoDate): boolean {
  if (!calendar.isSchoolDay(d)) return false;
  const { cadence, weekday, period } = policy.evaluation;
  if (cadence === 'daily') return true;
  // The week's review falls on the policy's weekday, or the next school day when that is closed.
  const firstInWeek = calendar
    .schoolDays(mondayOf(d), d)
    .find((day) => dayOfWeek(day) >= weekday);
  if (firstInWeek !== d) return false;
  if (cadence === 'monthly') return Number(d.slice(8, 10)) <= 7;
  const every = period?.unit === 'schoolWeeks' ? period.amount : cadence === 'fortnightly' ? 2 : 1;
  if (every === 1) return true;
  // Reviewed once every `every` whole school weeks of the year have passed; holiday weeks do not count.
  let weeks = 0;
  for (let monday = mondayOf(measuredYearStart(calendar, d)); monday < mondayOf(d); monday = addDays(monday, 7))
    if (calendar.schoolDays(monday, addDays(monday, 4)).length > 0) weeks += 1;
  return weeks > 0 && weeks % every === 0;
}

/**
 * Whether `d` is the week's RAG review (the band actions): weekly, on the policy's weekday or the
 * next school day, whatever the cadence of the letter reviews (Kennet's Monday tracker).
 */
export function isBandReviewDay(policy: Policy, calendar: SchoolCalendar, d: IsoDate): boolean {
  if (!policy.bandActions) return false;
  const { period: _period, ...weekly } = policy.evaluation;
  return isReviewDay({ ...policy, evaluation: { ...weekly, cadence: 'weekly' } }, calendar, d);
}

function evidence(rule: string, m: Measurements): Evidence {
  return {
    rule,
    attendancePct: m.metrics.attendancePct,
    change: m.sinceLastLetter,
    metrics: m.metrics,
    ...(m.lastUnauthorisedOn ? { lastUnauthorisedOn: m.lastUnauthorisedOn } : {}),
  };
}

/** Why the pupil's attendance gives concern under the policy's opening rule, or null. */
export function concern(policy: Policy, m: Measurements): string | null {
  const { when, onUnauthorisedAbsence, onLates } = policy.opening;
  if (meetsPct(m.metrics.attendancePct, when))
    return `attendance ${pct(m.metrics.attendancePct)} is ${'pctBelow' in when ? `below ${when.pctBelow}%` : `at or below ${when.pctAtOrBelow}%`}`;
  if (onUnauthorisedAbsence && m.metrics.unauthorisedInRolling10Weeks > 0)
    return `${plural(m.metrics.unauthorisedInRolling10Weeks, 'unauthorised session')} in the last 10 school weeks`;
  if (onLates !== undefined && m.metrics.lates + m.metrics.lateAfterRegister >= onLates)
    return `${m.metrics.lates + m.metrics.lateAfterRegister} late arrivals: punctuality is a concern`;
  return null;
}

const topState = (value: StateValue) => (typeof value === 'string' ? value : Object.keys(value)[0]);
const inState = (value: StateValue, ...path: string[]): boolean => {
  let current: StateValue | undefined = value;
  for (const key of path) {
    if (current === undefined) return false;
    if (typeof current === 'string') return current === key;
    current = current[key];
  }
  return current !== undefined;
};

/** The events a nightly evaluation sends the pupil's case (opening one when there is none). */
export function evaluatePupil(input: {
  policy: Policy;
  measurements: Measurements;
  flags: PupilFlags;
  case: CaseView | null;
  reviewDay: boolean;
  /** The week's RAG review (isBandReviewDay). */
  bandReviewDay?: boolean;
}): CaseEvent[] {
  const { policy, measurements: m, flags, reviewDay } = input;
  const at = m.at;
  const state = input.case ? topState(input.case.value) : 'new';
  const context = input.case?.context;
  const why = concern(policy, m);
  // A breach already considered counts again only after 10 more unauthorised sessions.
  const freshBreach = !context?.thresholdMetOn || (m.unauthorisedSinceThreshold ?? 0) >= 10;
  const threshold: CaseEvent = {
    type: 'THRESHOLD_MET',
    at,
    evidence: evidence(`national threshold: ${plural(m.metrics.unauthorisedInRolling10Weeks, 'unauthorised session')} in 10 school weeks`, m),
  };
  if (state === 'new' || state === 'closed') {
    // "The national threshold for when a penalty notice must be considered by all schools" (seed
    // 002): any school day, whatever the attendance %, it opens the case straight at considerations.
    if (m.metrics.nationalThresholdMet && freshBreach) return [threshold];
    if (!reviewDay || why === null) return [];
    return [{ type: state === 'new' ? 'OPEN' : 'REOPEN', at, evidence: evidence(`opening: ${why}`, m) }];
  }
  if (!context || !input.case) return [];
  const value = input.case.value;
  const events: CaseEvent[] = [];
  const inStage = policy.stages.some((stage) => inState(value, 'open', stage.id));
  if (inStage && m.metrics.nationalThresholdMet && freshBreach) events.push(threshold);
  if (inState(value, 'open', 'noticeToImprove', 'improvementPeriod') && (m.unauthorisedSinceNotice ?? 0) > 0)
    events.push({
      type: 'UNAUTHORISED_ABSENCE',
      at,
      evidence: evidence(`${plural(m.unauthorisedSinceNotice ?? 0, 'unauthorised session')} during the improvement period`, m),
    });
  if (m.metrics.illnessDays >= policy.sicknessReturn.schoolDays && context.notified.sicknessReturnOn === null)
    events.push({ type: 'SICKNESS_RETURN_DUE', at, evidence: evidence(`${m.metrics.illnessDays} school days of illness`, m) });
  const cme = policy.childMissingEducation;
  if (cme && m.metrics.consecutiveDaysAbsent >= cme.schoolDays && !flags.parentResponded && context.notified.missingEducationOn === null)
    events.push({
      type: 'CHILD_MISSING_EDUCATION',
      at,
      evidence: evidence(`${m.metrics.consecutiveDaysAbsent} school days absent with no response from the parents`, m),
    });
  if (policy.severeAbsence && m.metrics.severeAbsence && context.notified.multiAgencyPlanOn === null)
    events.push({ type: 'SEVERE_ABSENCE', at, evidence: evidence(`severe absence: ${pct(m.metrics.attendancePct)}`, m) });
  if (flags.hasSocialWorker && m.unexplainedToday)
    events.push({ type: 'UNEXPLAINED_ABSENCE', at, evidence: evidence('unexplained absence of a pupil with a social worker', m) });
  if (policy.vulnerability && flags.vulnerability && flags.vulnerability !== context.vulnerability)
    events.push({ type: 'VULNERABILITY_RATED', at, rating: flags.vulnerability });
  if (policy.vulnerability && m.absentToday && m.metrics.consecutiveDaysAbsent > 0)
    events.push({
      type: 'ABSENCE_CONTINUES',
      at,
      consecutiveDaysAbsent: m.metrics.consecutiveDaysAbsent,
      evidence: evidence(`day ${m.metrics.consecutiveDaysAbsent} of absence`, m),
    });
  const band = m.metrics.band;
  if (input.bandReviewDay && inStage && band && policy.bandActions?.some((action) => action.band === band))
    events.push({ type: 'BAND_REVIEWED', at, band, evidence: evidence(`weekly RAG review: ${band} band at ${pct(m.metrics.attendancePct)}`, m) });
  if (policy.absenceMilestones && reviewDay)
    for (const milestone of policy.absenceMilestones.milestones) {
      const met =
        'daysAbsentInWeek' in milestone.when
          ? m.daysAbsentThisWeek >= milestone.when.daysAbsentInWeek
          : m.metrics.consecutiveDaysAbsent >= milestone.when.consecutiveDaysAbsent;
      if (met) events.push({ type: 'ABSENCE_MILESTONE', at, milestone: milestone.id, evidence: evidence(`milestone: ${milestone.task.title}`, m) });
    }
  return events;
}

/** The event a fired timer sends, with the pupil's attendance at that moment where the rule needs it. */
export function timerEvent(timer: Timer, m: Measurements): CaseEvent {
  const base = { at: m.at, timerId: timer.timerId };
  switch (timer.event) {
    case 'REVIEW_DUE':
    case 'IMPROVEMENT_PERIOD_ENDED':
    case 'CONTRACT_REVIEW_DUE':
      return { type: timer.event, ...base, evidence: evidence(`${timer.event.toLowerCase().replace(/_/g, ' ')}`, m) };
    default:
      return { type: timer.event, ...base };
  }
}
