import { londonDate, londonTime } from './london-time.ts';

/**
 * The one place the service's own names become the words UK school staff use (issue 19): pages,
 * letters, the evidence pack, PDFs and emails all say things through here, so a name such as
 * `persistentAbsence`, `social_worker` or `open.penaltyNotice` never reaches a reader, and every
 * date and percentage is written one way.
 */

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A calendar date as given (the register's ISO dates), or an instant's date in London. */
function calendarDate(value: Date | string): string {
  if (typeof value === 'string' && ISO_DATE.test(value)) return value;
  return londonDate(typeof value === 'string' ? new Date(value) : value);
}

/** "Monday 1 December 2025": how a school writes a date, in a letter and on a page. */
export function longDate(value: Date | string | null | undefined): string {
  if (value == null || value === '') return '';
  const [y, m, d] = calendarDate(value).split('-').map(Number);
  const date = new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1));
  return `${WEEKDAYS[date.getUTCDay()]} ${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

/** "Monday 1 December 2025 at 09:05", London time: when something happened. */
export function dateTime(value: Date | string | null | undefined): string {
  if (value == null || value === '') return '';
  const instant = typeof value === 'string' ? new Date(value) : value;
  return `${longDate(instant)} at ${londonTime(instant)}`;
}

/** "1 Dec 2025": only where a long date cannot fit (a chart's axis, a register's week column). */
export function shortDate(value: Date | string | null | undefined): string {
  if (value == null || value === '') return '';
  const [y, m, d] = calendarDate(value).split('-').map(Number);
  return `${d} ${MONTHS[(m ?? 1) - 1]?.slice(0, 3)} ${y}`;
}

/** A percentage to one decimal place: 86.88524590163935 → "86.9%". */
export function pct(value: number | null | undefined): string {
  return value == null || !Number.isFinite(value) ? '–' : `${value.toFixed(1)}%`;
}

/**
 * Where a band starts, as a policy says it: a band from 90.01% is "above 90%" (the policies write
 * "over 90%"; 90.01 is how the data says it), a band from 95% is "95% and above".
 */
export function bandFrom(minPct: number): string {
  return Number.isInteger(minPct) ? `${minPct}% and above` : `above ${Math.floor(minPct)}%`;
}

/** "1 session", "3 sessions": never "session(s)". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/**
 * Every name the service stores that a reader may meet, in words. A name not here is still put in
 * words by its shape (camelCase and SNAKE_CASE split into a sentence); here are the ones whose
 * shape alone would read wrongly (`la` → "La") or that staff call something else.
 */
export const NAMES: Readonly<Record<string, string>> = {
  // Who: roles of staff and of the people letters and emails go to.
  pastoral: 'Pastoral leader / attendance officer',
  champion: 'Senior attendance champion',
  ewo: 'Education welfare officer',
  trustLead: 'Trust lead',
  trustAdmin: 'Trust administrator',
  admin: 'Administrator',
  la: 'Local authority',
  parent: 'Parent or carer',
  socialWorker: 'Social worker',
  social_worker: 'Social worker',
  homeSchool: 'Home school',
  school: 'School',
  // A pupil's flags from the MIS, as staff say them.
  ehcp: 'EHCP',
  lac: 'Looked-after child',
  cla: 'Looked-after child',
  cp_plan: 'Child protection plan',
  cin: 'Child in need',
  young_carer: 'Young carer',
  fsm: 'Free school meals',
  pp: 'Pupil premium',
  send: 'SEND',
  yot: 'Youth offending team',
  red: 'Red',
  amber: 'Amber',
  green: 'Green',
  // Attendance bands and measures.
  persistentAbsence: 'Persistent absence',
  severeAbsence: 'Severe absence',
  atRisk: 'At risk',
  expected: 'Expected',
  good: 'Good',
  concern: 'Concern',
  attendancePct: 'Attendance',
  pctNow: 'Attendance now',
  pctAtSince: 'Attendance then',
  delta: 'Change (percentage points)',
  // Case events whose shape alone reads wrongly ("Nti issued", "La decision", "Eso granted").
  THRESHOLD_MET: 'National threshold met',
  PARENT_DID_NOT_ATTEND: 'Parent or carer did not attend the meeting',
  CONSIDERATIONS_RECORDED: 'Five considerations recorded',
  NTI_ISSUED: 'Notice to Improve issued',
  LA_DECISION: 'Local authority decision',
  ESO_GRANTED: 'Education Supervision Order granted',
  ESO_REFUSED: 'Education Supervision Order refused',
  ESO_EXTENDED: 'Education Supervision Order extended',
  ESO_ENDED: 'Education Supervision Order ended',
  ESO_NON_COMPLIANCE: 'Education Supervision Order not complied with',
  OPEN: 'Case opened',
  REOPEN: 'Case reopened',
  // Decisions: the champion's on the considerations, a person's on an approval, the LA's.
  continueSupport: 'Continue support',
  noticeToImprove: 'Notice to Improve',
  penaltyNotice: 'Penalty notice',
  attendanceContract: 'Attendance contract',
  educationSupervisionOrder: 'Education Supervision Order',
  prosecution: 'Prosecution',
  prosecute: 'Prosecute',
  approve: 'Approved',
  defer: 'Deferred',
  reject: 'Rejected',
  withdraw: 'Withdraw',
  leftSchool: 'Left the school',
  // What happened to a letter, an email or a piece of work.
  pending: 'Waiting to be sent',
  running: 'Being sent',
  waiting: 'Waiting',
  held: 'Waiting for approval',
  printOnly: 'To print and post',
  legalStep: 'Legal step',
  notification: 'Email',
  // What a case's timeline records besides its events.
  transition: 'Stage change',
  assigned: 'Assigned',
  'approval.approve': 'Approved',
  'approval.reject': 'Rejected',
  'approval.defer': 'Deferred',
  'approval.withdraw': 'Withdrawn',
  'task.done': 'Task done',
  'effect.failed': 'A letter or email failed',
  // What a workflow sets going, as the timeline lists it.
  cancelTimer: 'Timer stopped',
  // Who in the service did something itself (a timeline's "by").
  demo: 'the demo',
  'drop-folder': 'the register import',
  retention: 'housekeeping',
  laDecision: 'Local authority decision',
};

/** A name as a phrase: `persistentAbsence` → "Persistent absence", `open.stage1b` → "Stage 1b", `REVIEW_DUE` → "Review due". */
export function words(name: string): string {
  const known = NAMES[name];
  if (known !== undefined) return known;
  const last = name.split('.').filter((part) => part !== 'open').join(' ') || name;
  if (NAMES[last] !== undefined) return NAMES[last];
  const spaced = (/^[A-Z0-9_]+$/.test(last) ? last.toLowerCase() : last)
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z])([A-Z0-9])/g, '$1 $2')
    .toLowerCase()
    .trim();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** A letter template id as its name: `west-coventry/letter-a` → "Letter A". */
export function templateName(id: string): string {
  const name = (id.split('/').at(-1) ?? id).replace(/-/g, ' ').replace(/ ([a-z0-9])$/, (_match, last: string) => ` ${last.toUpperCase()}`);
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** What a member of staff does on a case, as the button and the form say it. */
export const STAFF_ACTION_LABELS: Readonly<Record<string, string>> = {
  MEETING_RECORDED: 'Record the meeting',
  CONSIDERATIONS_RECORDED: 'Record the five threshold considerations',
  NTI_ISSUED: 'Record a Notice to Improve as issued',
  PENALTY_NOTICE_ISSUED: 'Record a penalty notice as issued',
  PENALTY_PAID: 'Record a penalty notice as paid',
  LA_DECISION: 'Record the local authority’s decision',
  CONTRACT_AGREED: 'Record the attendance contract as agreed',
  CONTRACT_DECLINED: 'Record the attendance contract as declined',
  CONTRACT_BREACHED: 'Record the attendance contract as breached',
  ESO_GRANTED: 'Record the Education Supervision Order as granted',
  ESO_REFUSED: 'Record the Education Supervision Order as refused',
  ESO_EXTENDED: 'Record the Education Supervision Order as extended',
  ESO_NON_COMPLIANCE: 'Record non-compliance with the Education Supervision Order',
  PROSECUTION_LAID: 'Record the prosecution as laid',
  COURT_OUTCOME: 'Record the court’s outcome',
  PUPIL_LEFT: 'Record that the pupil left the school',
  CASE_WITHDRAWN: 'Withdraw the case',
  VULNERABILITY_RATED: 'Change the vulnerability rating',
  NOTE: 'Add a note',
};
