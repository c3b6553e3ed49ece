// Records of the work done on cases: effects, timers, tasks, messages, accounts and the audit log.
import type { IsoDate } from '../domain/types.ts';
import type { CaseStatus, NewCase, NewTimelineEntry, Pupil } from './records.ts';

/**
 * held: waits for a person's approval (letters, legal steps) and is never claimed; rejected: a
 * person said no; cancelled: the case no longer wants it (the pupil left).
 */
export type EffectStatus = 'pending' | 'running' | 'done' | 'failed' | 'waiting' | 'held' | 'rejected' | 'cancelled';

/** One addressee's letter as a person edited it, kept beside what the template wrote. */
export interface ApprovalEdit {
  /** The addressee key (a parent's contact key, or a mailbox role). */
  recipient: string;
  subject: string;
  text: string;
  original: { subject: string; text: string };
}

export type EffectDecision =
  | { decision: 'approve'; by: string; at: Date; edits?: ApprovalEdit[] }
  | { decision: 'defer'; by: string; at: Date; reason: string; until: IsoDate }
  | { decision: 'reject'; by: string; at: Date; reason: string };

/** Why an effect waits for a person, the evidence they decide on, and what was decided. */
export interface EffectApproval {
  /** staff: anyone who acts on the school's cases; champion: a legal step. */
  requires: 'staff' | 'champion';
  /** What is asked, as a batch of approvals lists it. */
  reason: string;
  /** The event that set it off, with its evidence (metrics, rule, sessions). */
  evidence: unknown;
  heldAt: Date;
  /** A deferred approval is not overdue before this date. */
  deferredUntil: IsoDate | null;
  /** The approved edits, sent instead of the template's letter for those addressees. */
  edits: ApprovalEdit[];
  decisions: EffectDecision[];
}

export interface OutboxEffect {
  /** Stable id: executing an effect twice must change nothing, so handlers key on it. */
  id: string;
  caseId: string | null;
  kind: string;
  payload: unknown;
  status: EffectStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  createdAt: Date;
  completedAt: Date | null;
  /** Null for an effect that never needed a person. */
  approval: EffectApproval | null;
}

export interface NewEffect {
  id: string;
  kind: string;
  payload: unknown;
  /**
   * When it may first run; defaults to the wall-clock time of writing. Delivery (claims, locks,
   * backoff) runs on real time even when cases run on a demo or test clock, so moving that clock
   * never makes a running effect look abandoned.
   */
  nextAttemptAt?: Date;
  /** Written `held`, for a person to approve, edit, defer or reject. */
  approval?: Pick<EffectApproval, 'requires' | 'reason' | 'evidence'>;
}

export interface CaseTimer {
  caseId: string;
  name: string;
  /** Changes on every (re)schedule, so a firing that carries an old id is recognisably stale. */
  timerId: string;
  dueAt: Date;
  event: unknown;
}

export type TaskStatus = 'open' | 'done' | 'cancelled';

/** A staff action with a due date: a meeting to hold, a parent to contact, a failed letter to fix. */
export interface Task {
  /** Stable: a task made by an effect takes the effect's id, so running the effect twice makes one task. */
  id: string;
  caseId: string | null;
  schoolId: string;
  kind: string;
  title: string;
  dueDate: IsoDate;
  status: TaskStatus;
  assignee: string | null;
  createdAt: Date;
  completedAt: Date | null;
  completedBy: string | null;
  note: string | null;
}

export type NewTask = Pick<Task, 'id' | 'caseId' | 'schoolId' | 'kind' | 'title' | 'dueDate' | 'createdAt'> & { assignee?: string | null };

export interface TaskFilter {
  caseId?: string;
  caseIds?: string[];
  schoolIds?: string[];
  status?: TaskStatus;
  /** Due on or before this date. */
  dueBefore?: IsoDate;
}

export interface TransitionCommit {
  caseId: string;
  expectedVersion: number;
  state: string;
  status: CaseStatus;
  snapshot: unknown;
  machineVersion?: number;
  timeline: NewTimelineEntry[];
  effects: NewEffect[];
  /** Timers to create or replace (unique per case and name) and names to remove. */
  timers?: { set: Omit<CaseTimer, 'caseId'>[]; remove: string[] };
  /**
   * Cancels, in the same write, what the case no longer wants sent: its held effects, and its
   * letters not yet sent (pending or waiting); with `heldLettersOnly`, only letters still waiting
   * for approval (the stage they belong to has passed). The reason is kept as the effects' last
   * error. Effects this commit adds are never cancelled by it.
   */
  cancelUnsent?: { reason: string; heldLettersOnly?: boolean };
  /**
   * Closes (as cancelled, with the note) the case's open tasks whose id starts with one of the
   * prefixes, and cancels its task-making effects not yet run, in the same write: the tasks of a
   * stage the case has left; tasks (and task-making effects) of the `keepKinds` stay open. Tasks
   * and effects this commit adds are never touched by it.
   */
  closeTasks?: { idPrefixes: string[]; keepKinds: string[]; note: string; by: string; /** Tasks the event itself answers (a meeting's), closed by its caller instead. */ keepIds?: string[] };
  at: Date;
}

/** A new case with its first timeline entries, effects and timers. */
export interface NewCaseWrite {
  record: NewCase;
  timeline: NewTimelineEntry[];
  effects: NewEffect[];
  timers?: Omit<CaseTimer, 'caseId'>[];
}

/** Many cases' writes taken as one, so a whole school's evening costs one commit rather than thousands. */
export interface CaseBatch {
  created?: NewCaseWrite[];
  /** At most one commit per case. */
  commits?: TransitionCommit[];
  /** Tasks whose id exists already are left as they are. */
  tasks?: NewTask[];
}

export interface CaseFilter {
  schoolIds?: string[];
  status?: CaseStatus;
  /** The state or any state nested in it: `closed` matches `closed.improved`. */
  state?: string;
  /** A stage by name: any segment of the state (`penaltyNotice`) or the support stage the case is at (`stage1b`). */
  stage?: string;
  upn?: string;
  upns?: string[];
  caseIds?: string[];
  /** Only cases with an open task due by this date and/or assigned to this user. */
  openTask?: { dueBefore?: IsoDate; assignee?: string };
  /** Only cases assigned to this user (see StaffStore.assignCases). */
  assignedTo?: string;
  /** `recent` (default): last changed first; `dueFirst`: the earliest open task first, cases with none last. */
  order?: 'recent' | 'dueFirst';
  limit?: number;
  offset?: number;
}

/** One line of the work queue: a case with its pupil's name and its earliest open task. */
export interface QueueLine {
  id: string;
  schoolId: string;
  upn: string;
  state: string;
  status: CaseStatus;
  version: number;
  updatedAt: Date;
  /** The support stage the case's context records (`stage1b`), if any. */
  stage: string | null;
  pupil: Pick<Pupil, 'forename' | 'surname'> | null;
  nextTask: Pick<Task, 'id' | 'title' | 'dueDate' | 'assignee'> | null;
  /** The user the case is assigned to (StaffStore.assignCases), if any. */
  assignedTo: string | null;
}

export interface ClaimOptions {
  now: Date;
  limit: number;
  /** How long a claimed effect stays locked before another worker may take it over. */
  lockMs: number;
  /** The worker that claims: its claims are released at once when it is found dead. */
  claimedBy?: string;
}

/** A worker process's heartbeat: while it beats, its Agenda locks and outbox claims are its own. */
export interface WorkerBeat {
  id: string;
  host: string;
  pid: number;
  startedAt: Date;
  beatAt: Date;
}


export type MessageStatus = 'pending' | 'sent' | 'printOnly' | 'failed';

/**
 * One letter or email made from one effect for one recipient. Its id is derived from the effect
 * id and the recipient, so an effect that runs again finds what it already made and sent.
 */
export interface Message {
  id: string;
  effectId: string;
  caseId: string | null;
  schoolId: string;
  template: string;
  /** letter: to a parent, always printable; notification: an email to a professional. */
  kind: 'letter' | 'notification';
  recipientRole: string;
  recipientName: string;
  /** Null when there is no usable address: a letter is then posted, never emailed. */
  recipientEmail: string | null;
  subject: string;
  /** The RFC 5322 Message-ID it is (or will be) sent with, derived from id. */
  messageId: string;
  status: MessageStatus;
  /** 'smtp', or 'embedded' when no mail server is configured and messages are kept instead. */
  transport: string | null;
  /** The message as sent (.eml), kept by the embedded mailer so the service can show it. */
  raw: string | null;
  /** The printable letter. */
  pdf: Buffer | null;
  error: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

/** A message as a list shows it: everything but its bodies, and whether it has a printable letter. */
export type MessageSummary = Omit<Message, 'raw' | 'pdf'> & { hasPdf: boolean };

export interface MessagePageFilter {
  schoolIds: string[];
  caseIds: string[];
  limit: number;
  offset: number;
}

export type NewMessage = Omit<Message, 'status' | 'transport' | 'raw' | 'error' | 'sentAt'> & { status: 'pending' | 'printOnly' };

export type MessageUpdate =
  | { status: 'sent'; at: Date; transport: string; raw: string | null }
  | { status: 'failed'; at: Date; error: string }
  /** A transient failure: still to send. */
  | { status: 'pending'; at: Date; error: string };

/** A write lost the optimistic-concurrency race: reload and try again. */
export class VersionConflict extends Error {
  constructor(
    readonly caseId: string,
    readonly expectedVersion: number,
  ) {
    super(`case ${caseId} is no longer at version ${expectedVersion}`);
    this.name = 'VersionConflict';
  }
}

/** The pupil already has an open case. */
export class CaseAlreadyOpen extends Error {
  constructor(
    readonly schoolId: string,
    readonly upn: string,
  ) {
    super(`pupil ${upn} at school ${schoolId} already has an open case`);
    this.name = 'CaseAlreadyOpen';
  }
}

export type Role = 'pastoral' | 'champion' | 'ewo' | 'trustLead' | 'trustAdmin' | 'admin';

/** A staff account. Which of school, trust and local authority is set follows the role. */
export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  /** pastoral and champion: the school they work in. */
  schoolId: string | null;
  /** trustLead and trustAdmin: the trust they look across, or set up. */
  trustId: string | null;
  /** ewo: the local authority whose referred cases they receive. */
  localAuthority: string | null;
  /** argon2id; null for an account that signs in only by single sign-on. */
  passwordHash: string | null;
  active: boolean;
  createdAt: Date;
}

export interface UserFilter {
  role?: Role;
  schoolId?: string;
  trustId?: string;
  active?: boolean;
}

/** A signed-in browser. Only a hash of the cookie's session id is stored. */
export interface AuthSession {
  idHash: string;
  userId: string;
  /** The synchronizer token every cookie-authenticated write must echo. */
  csrfToken: string;
  createdAt: Date;
  expiresAt: Date;
}

/** Who read or changed what, and when. */
export interface AuditEntry {
  id: string;
  at: Date;
  /** A user id, or `anonymous` for a failed sign-in. */
  actor: string;
  /** e.g. `case.read`, `case.event`, `pupil.read`, `register.import`, `auth.login`. */
  action: string;
  schoolId: string | null;
  caseId: string | null;
  upn: string | null;
  detail: unknown;
}

export interface AuditFilter {
  actor?: string;
  caseId?: string;
  upn?: string;
  schoolIds?: string[];
  from?: Date;
  to?: Date;
  limit?: number;
  offset?: number;
}

/** What retention removes: closed cases (with timeline, tasks, effects, letters), off-roll pupils (with register and contacts), letters and emails, audit entries. */
export type RetentionKind = 'cases' | 'pupils' | 'letters' | 'audit';
