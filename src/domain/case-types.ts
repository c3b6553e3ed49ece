import type { MeetingRecord } from './casework-records.ts';
import type { Considerations } from './penalty-notices.ts';
import type { Recipient, VulnerabilityRating } from './policy.ts';
import type { IsoDate, PupilMetrics, Session } from './types.ts';

/** Why an event happened, kept on the case timeline: the numbers, the rule and the sessions. */
export interface Evidence {
  /** The policy rule that produced the event, e.g. "opening: attendance below 95%". */
  rule: string;
  attendancePct: number | null;
  /** Attendance at the last letter's date against now (null before the first letter). */
  change?: { pctAtSince: number | null; pctNow: number | null; delta: number | null } | null;
  metrics?: PupilMetrics;
  sessions?: { date: IsoDate; session: Session; code: string }[];
  /** The latest unauthorised session behind a legal step: the offence a prosecution is laid for. */
  lastUnauthorisedOn?: IsoDate;
}

export type Decision =
  | 'continueSupport'
  | 'noticeToImprove'
  | 'penaltyNotice'
  | 'attendanceContract'
  | 'educationSupervisionOrder'
  | 'prosecution';

export type ClosureReason = 'improved' | 'leftSchool' | 'withdrawn';

/** Events the escalation sends itself later through a timer; each carries the timer's id back. */
export type TimerEventType =
  | 'REVIEW_DUE'
  | 'IMPROVEMENT_PERIOD_ENDED'
  | 'REDUCED_RATE_WINDOW_CLOSED'
  | 'PAYMENT_WINDOW_CLOSED'
  | 'CONTRACT_REVIEW_DUE'
  | 'ESO_ENDED'
  | 'PROSECUTION_TIME_LIMIT_REACHED';

interface At {
  at: IsoDate;
}
interface Timed extends At {
  timerId: string;
}
interface WithEvidence extends At {
  evidence: Evidence;
}

export type CaseEvent =
  | ({ type: 'OPEN' } & WithEvidence)
  | ({ type: 'REOPEN' } & WithEvidence)
  | ({ type: 'REVIEW_DUE' } & Timed & WithEvidence)
  /** meeting: the school's record of it (who came, the plan, actions), kept on the timeline; the chart reads only the date. */
  | ({ type: 'MEETING_HELD'; meeting?: MeetingRecord } & At)
  | ({ type: 'PARENT_DID_NOT_ATTEND'; meeting?: MeetingRecord } & At)
  | ({ type: 'THRESHOLD_MET' } & WithEvidence)
  | ({ type: 'CONSIDERATIONS_RECORDED'; considerations: Partial<Considerations>; decision: Decision; by: string } & At)
  /** improvementPeriod: the length chosen for this notice, in the policy's unit, where the LA code allows a range. */
  | ({ type: 'NTI_ISSUED'; improvementPeriod?: number } & At)
  | ({ type: 'UNAUTHORISED_ABSENCE' } & WithEvidence)
  | ({ type: 'IMPROVEMENT_PERIOD_ENDED' } & Timed & WithEvidence)
  | ({ type: 'PENALTY_NOTICE_ISSUED'; parentId: string } & At)
  | ({ type: 'REDUCED_RATE_WINDOW_CLOSED' } & Timed)
  | ({ type: 'PAYMENT_WINDOW_CLOSED' } & Timed)
  | ({ type: 'PENALTY_PAID'; parentId: string } & At)
  | ({ type: 'LA_DECISION'; parentId: string; decision: 'prosecute' | 'withdraw' } & At)
  | ({ type: 'CONTRACT_AGREED' } & At)
  | ({ type: 'CONTRACT_DECLINED' } & At)
  | ({ type: 'CONTRACT_REVIEW_DUE' } & Timed & WithEvidence)
  | ({ type: 'CONTRACT_BREACHED' } & At)
  | ({ type: 'ESO_GRANTED' } & At)
  | ({ type: 'ESO_REFUSED' } & At)
  | ({ type: 'ESO_EXTENDED' } & At)
  | ({ type: 'ESO_NON_COMPLIANCE' } & At)
  | ({ type: 'ESO_ENDED' } & Timed)
  | ({ type: 'PROSECUTION_LAID' } & At)
  | ({ type: 'PROSECUTION_TIME_LIMIT_REACHED' } & Timed)
  | ({ type: 'COURT_OUTCOME'; outcome: 'convicted' | 'acquitted' | 'withdrawn' } & At)
  | ({ type: 'PUPIL_LEFT' } & At)
  | ({ type: 'CASE_WITHDRAWN'; reason: string } & At)
  | ({ type: 'SICKNESS_RETURN_DUE' } & WithEvidence)
  | ({ type: 'CHILD_MISSING_EDUCATION' } & WithEvidence)
  | ({ type: 'SEVERE_ABSENCE' } & WithEvidence)
  | ({ type: 'UNEXPLAINED_ABSENCE' } & WithEvidence)
  | ({ type: 'ABSENCE_MILESTONE'; milestone: string } & WithEvidence)
  | ({ type: 'ABSENCE_CONTINUES'; consecutiveDaysAbsent: number } & WithEvidence)
  /** The weekly RAG review found the pupil in `band` (a band the policy names an action for). */
  | ({ type: 'BAND_REVIEWED'; band: string } & WithEvidence)
  | ({ type: 'VULNERABILITY_RATED'; rating: VulnerabilityRating } & At);

export type CaseEventType = CaseEvent['type'];

/** Effects: returned by transition() as data and executed later by the case service's outbox. */
export interface SendLetterParams {
  caseId: string;
  template: string;
  /** Letters go to every parent with parental responsibility. */
  to: 'parents';
}
export interface NotifyParams {
  caseId: string;
  to: Recipient;
  template: string;
}
export interface StartTimerParams {
  caseId: string;
  name: string;
  timerId: string;
  dueDate: IsoDate;
  event: TimerEventType;
}
export interface CancelTimerParams {
  caseId: string;
  name: string;
  timerId: string;
}
export interface CreateTaskParams {
  caseId: string;
  kind: string;
  title: string;
  dueDate: IsoDate;
}

export type Effect =
  | { type: 'sendLetter'; params: SendLetterParams }
  | { type: 'notify'; params: NotifyParams }
  | { type: 'startTimer'; params: StartTimerParams }
  | { type: 'cancelTimer'; params: CancelTimerParams }
  | { type: 'createTask'; params: CreateTaskParams };

export const EFFECT_TYPES: readonly Effect['type'][] = ['sendLetter', 'notify', 'startTimer', 'cancelTimer', 'createTask'];

export interface Parent {
  id: string;
  name?: string;
}

export interface Timer {
  timerId: string;
  dueDate: IsoDate;
  event: TimerEventType;
  /** The penalty notice a payment timer belongs to. */
  noticeId?: string;
}

export interface PenaltyNoticeRecord {
  id: string;
  parentId: string;
  issuedOn: IsoDate;
  sequence: 1 | 2;
  amountDue: number;
  status: 'awaitingPayment' | 'paid' | 'unpaid' | 'prosecute' | 'withdrawn';
  settledOn: IsoDate | null;
}

export interface CaseInput {
  caseId: string;
  upn: string;
  parents: Parent[];
  vulnerability?: VulnerabilityRating | null;
  /** Notices from earlier cases of the same pupil: the 3-year limit spans cases. */
  penaltyNoticeHistory?: PenaltyNoticeRecord[];
}

export interface CaseContext {
  caseId: string;
  upn: string;
  parents: Parent[];
  vulnerability: VulnerabilityRating | null;
  openedOn: IsoDate | null;
  /** The support stage the case is at, or returns to after a legal step. */
  stage: string | null;
  lastLetter: { template: string; sentOn: IsoDate; attendancePct: number | null } | null;
  lastMeeting: { stage: string; on: IsoDate; attended: boolean } | null;
  /**
   * What has been recorded at the stage the case is at, since it entered it: what a review reads
   * before escalating into a stage that `follows` these steps. Absent on cases stored before it
   * existed (read through `stepsAt`).
   */
  stageSteps?: StageSteps | null;
  timers: Record<string, Timer>;
  timerSeq: number;
  thresholdMetOn: IsoDate | null;
  offenceOn: IsoDate | null;
  considerations: { recordedOn: IsoDate; by: string; decision: Decision; answers: Considerations } | null;
  noticeToImprove: { issuedOn: IsoDate; endsOn: IsoDate } | null;
  penaltyNotices: PenaltyNoticeRecord[];
  contract: { agreedOn: IsoDate | null; declinedOn: IsoDate | null; breachedOn: IsoDate | null } | null;
  supervisionOrder: { grantedOn: IsoDate; endsOn: IsoDate; limitOn: IsoDate } | null;
  prosecution: { offenceOn: IsoDate; deadline: IsoDate; laidOn: IsoDate | null; outcome: string | null } | null;
  closure: { reason: ClosureReason; on: IsoDate; detail?: string } | null;
  /** One-off notifications already made in this opening of the case. */
  notified: { sicknessReturnOn: IsoDate | null; missingEducationOn: IsoDate | null; multiAgencyPlanOn: IsoDate | null };
}

export interface StageSteps {
  stage: string;
  since: IsoDate;
  meetingHeldOn: IsoDate | null;
  /** Meetings the parents were invited to and did not come to, at this stage. */
  meetingsMissed: number;
  contractAgreedOn: IsoDate | null;
  contractDeclinedOn: IsoDate | null;
}

/** What the case service stores: enough to rebuild the snapshot with machine.resolveState. */
export interface PersistedCase {
  machineId: string;
  version: number;
  value: unknown;
  context: CaseContext;
}
