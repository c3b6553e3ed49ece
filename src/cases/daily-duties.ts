import type { SchoolCalendar } from '../domain/calendar.ts';
import { ATTENDANCE_CODES, isThresholdUnauthorised } from '../domain/codes.ts';
import type { Measurements, PupilFlags } from '../domain/evaluate.ts';
import type { Policy } from '../domain/policy.ts';
import { addDuration } from '../domain/policy-durations.ts';
import type { IsoDate } from '../domain/types.ts';
import { longDate, pct } from '../domain/words.ts';
import type { CaseRecord, NewTask, StoredMark } from '../store/types.ts';

/**
 * The duties a policy ties to a day of absence, owed to every pupil whether or not attendance has
 * opened a case. Each is a task with a deterministic id (one per pupil, duty and day), so an
 * evaluation run again, or a page decided afresh, raises it once.
 */

export interface DutyPupil {
  schoolId: string;
  upn: string;
  name: string;
}

export interface DutyDay {
  policy: Policy;
  calendar: SchoolCalendar;
  asOf: IsoDate;
  at: Date;
}

/**
 * How far back a new unauthorised mark makes a pupil worth deciding for the national threshold:
 * two school weeks, so that a week's holiday entered when the pupil is back is still seen.
 */
const THRESHOLD_LOOKBACK_SCHOOL_DAYS = 10;

/** Every absence code (authorised or unauthorised): what the look-back reads. */
export const ABSENCE_CODES: readonly string[] = ATTENDANCE_CODES.filter((c) => c.category === 'authorised' || c.category === 'unauthorised').map((c) => c.code);

/** The register the look-back reads: absence marks of the last two school weeks. */
export function dutyLookback(calendar: SchoolCalendar, asOf: IsoDate) {
  return { from: calendar.addSchoolDays(asOf, -(THRESHOLD_LOOKBACK_SCHOOL_DAYS - 1)), to: asOf, codes: [...ABSENCE_CODES] };
}

/**
 * Whether a pupil's recent absence marks (from `dutyLookback`) can owe a duty today: absent today
 * (first-day and face-to-face contact, child missing education all need a run that reaches
 * today), or a G, O or U in the look-back (the national threshold). Anyone else is not decided.
 */
export function mayOweDuty(recent: readonly StoredMark[], asOf: IsoDate): boolean {
  return recent.some((mark) => mark.date === asOf || isThresholdUnauthorised(mark.code));
}

/**
 * The pupil's case as today's evaluation left it, and whether it was open before today: only
 * then did it take today's absence events (`ABSENCE_CONTINUES`, `CHILD_MISSING_EDUCATION`), since
 * a case opened today receives nothing but its opening event.
 */
export interface DutyCase {
  openCase: CaseRecord | null;
  openBeforeToday: boolean;
}

/**
 * Today's duties for one pupil. Face-to-face contact and the child-missing-education referral
 * are, for a pupil whose case was open before today, the case's own events (on its timeline):
 * here they are raised for everyone else. First-day contact has no case event: it is raised here for all.
 */
export function dailyDutyTasks(day: DutyDay, pupil: DutyPupil, m: Measurements, flags: PupilFlags, { openCase, openBeforeToday }: DutyCase): NewTask[] {
  const { policy, calendar, asOf, at } = day;
  const run = m.metrics.consecutiveDaysAbsent;
  if (!m.absentToday || run === 0) return [];
  const firstDay = calendar.addSchoolDays(asOf, -(run - 1));
  const base = { caseId: openCase?.id ?? null, schoolId: pupil.schoolId, createdAt: at };
  const key = `${pupil.schoolId}:${pupil.upn}`;
  const tasks: NewTask[] = [];
  const rag = policy.vulnerability;
  if (rag) {
    // Seed 003: "All families will be contacted by the provision on the first day of absence".
    // Raised on the run's first day, or on the day its marks arrive if they came late.
    tasks.push({
      ...base,
      id: `duty:first-day-contact:${key}:${firstDay}`,
      kind: 'firstDayContact',
      title: `${pupil.name}: absent since ${longDate(firstDay)}: contact the family on the first day of absence (and the home school if the learner is ill)`,
      dueDate: asOf,
    });
    const rating = flags.vulnerability ?? 'GREEN';
    const every = rag.faceToFaceEveryNthDay[rating];
    if (!openBeforeToday && every !== undefined && run % every === 0)
      tasks.push({
        ...base,
        id: `duty:face-to-face:${key}:${asOf}`,
        kind: rag.task.kind,
        title: `${pupil.name}: face-to-face contact with the learner and family (day ${run} of absence, ${rating})`,
        dueDate: addDuration(asOf, rag.task.dueIn, calendar),
      });
  }
  const cme = policy.childMissingEducation;
  if (cme && !openBeforeToday && run >= cme.schoolDays && !flags.parentResponded)
    tasks.push({
      ...base,
      id: `duty:child-missing-education:${key}:${firstDay}`,
      kind: 'child-missing-education',
      // A child missing education is a safeguarding matter: the referral is due the day it is found.
      title: `${pupil.name}: child missing education: ${run} school days absent since ${longDate(firstDay)} without contact from the family: complete the Missing from Education form for the Education Welfare Service and keep the pupil on roll`,
      dueDate: asOf,
    });
  return tasks;
}

/**
 * The action the seed names for the pupil's band at the week's RAG review ("Absence thresholds
 * for wider action", seed 001), for a pupil whose case was not open before today: a case takes it
 * as its own event (BAND_REVIEWED, on its timeline). Whitelands Park's amber band starts at 95%,
 * above the 95% that opens a case, so most amber pupils have none.
 */
export function bandDutyTasks(day: DutyDay & { bandReviewDay: boolean }, pupil: DutyPupil, m: Measurements, { openCase, openBeforeToday }: DutyCase): NewTask[] {
  const { policy, calendar, asOf, at } = day;
  const band = m.metrics.band;
  if (!day.bandReviewDay || openBeforeToday || band === null) return [];
  return (policy.bandActions ?? [])
    .filter((action) => action.band === band)
    .map((action) => ({
      id: `duty:band:${pupil.schoolId}:${pupil.upn}:${asOf}:${action.task.kind}`,
      caseId: openCase?.id ?? null,
      schoolId: pupil.schoolId,
      createdAt: at,
      kind: action.task.kind,
      title: `${pupil.name}: ${action.task.title} (${band} band, ${pct(m.metrics.attendancePct)})`,
      dueDate: addDuration(asOf, action.task.dueIn, calendar),
    }));
}
