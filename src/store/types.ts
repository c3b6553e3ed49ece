// The Store contract: what the service needs from a database, implemented once per adapter
// (src/store/postgres, src/store/mongo) and proven by one contract suite (test/contract).
// Repositories return plain objects; dates of the register are ISO strings, instants are Dates.
import type { IsoDate, Session } from '../domain/types.ts';

export interface Trust {
  id: string;
  name: string;
}

export interface School {
  id: string;
  trustId: string;
  name: string;
  /** Which workflow (policy) in workflows/ governs this school's cases. */
  workflowId: string;
  localAuthority: string;
  /**
   * Where the workflow's notifications to professionals go, and the office address letters are
   * sent from. Always present when read; leaving it out of an upsert keeps what is stored.
   */
  notifyEmails?: SchoolMailboxes;
}

/** The school's addresses for the EWO, the LA attendance team, a home school and its own office. */
export type SchoolMailboxes = Partial<Record<'ewo' | 'la' | 'homeSchool' | 'office', string>>;

export interface Pupil {
  schoolId: string;
  upn: string;
  forename: string;
  surname: string;
  dateOfBirth: IsoDate;
  yearGroup: string;
  /** Flags such as ehcp, lac, cp_plan, social_worker, young_carer, fsm. */
  vulnerability: string[];
  onRoll: boolean;
}

export interface Contact {
  schoolId: string;
  upn: string;
  name: string;
  relationship: string;
  email: string | null;
  phone: string | null;
  parentalResponsibility: boolean;
  livesWith: boolean;
}

export interface MarkRow {
  upn: string;
  date: IsoDate;
  session: Session;
  code: string;
  /** Line of the source file, for error reports. */
  line: number;
}

export interface StoredMark {
  upn: string;
  date: IsoDate;
  session: Session;
  code: string;
}

export interface SchoolMarksFilter {
  from?: IsoDate;
  to?: IsoDate;
  upns?: string[];
  codes?: string[];
}

export interface MarkAmendment {
  schoolId: string;
  upn: string;
  date: IsoDate;
  session: Session;
  originalCode: string;
  newCode: string;
  reason: string;
  amendedBy: string;
  amendedAt: Date;
}

export interface ImportProblem {
  line: number;
  column: string;
  value: string;
  message: string;
}

export interface MarksImportResult {
  read: number;
  inserted: number;
  amended: number;
  unchanged: number;
}

/** A marks record as the file has it, before validation. */
export interface RawMarkRecord {
  line: number;
  upn: string;
  date: string;
  session: string;
  code: string;
}

/**
 * Staging straight from a CSV file's bytes, for a store that can read CSV itself (PostgreSQL's
 * COPY): no row passes through JavaScript unless the store cannot show it is valid.
 */
export interface MarksCsvStaging {
  /** Stages CSV records (no header; fields in `columns` order; the first on line `firstLine`). */
  copy(records: AsyncIterable<Buffer>, layout: { columns: readonly string[]; firstLine: number }): Promise<void>;
  /**
   * Takes out of staging, in file order, every copied record that is not already exactly what
   * the schema makes of it, with a pupil on roll; the caller validates them and `add`s the good ones.
   */
  takeSuspects(batchSize: number): AsyncIterable<RawMarkRecord[]>;
}

/**
 * One all-or-nothing import of register marks. Rows are staged as they stream in; `problems()`
 * checks what only the whole file can show (pupils not on roll, one session marked twice with
 * different codes); `commit()` applies everything or `abort()` leaves the register untouched.
 */
export interface MarksImport {
  add(rows: MarkRow[]): Promise<void>;
  csv?: MarksCsvStaging;
  problems(limit: number): Promise<ImportProblem[]>;
  commit(): Promise<MarksImportResult>;
  abort(): Promise<void>;
}

export type CaseStatus = 'open' | 'closed';

export interface CaseRecord {
  id: string;
  schoolId: string;
  upn: string;
  workflowId: string;
  machineId: string;
  machineVersion: number;
  /** The state value flattened to a dotted path, e.g. `stage1b` or `penaltyNotice.reducedRateWindow`. */
  state: string;
  status: CaseStatus;
  /** The persisted XState snapshot (value + context), JSON. */
  snapshot: unknown;
  /** Optimistic-concurrency version: every committed transition increments it. */
  version: number;
  openedAt: Date;
  updatedAt: Date;
}

export type NewCase = Omit<CaseRecord, 'version' | 'updatedAt'>;

export interface TimelineEntry {
  id: string;
  caseId: string;
  at: Date;
  /** Who: a user id, `system:evaluator`, `system:timer`, `system:outbox`. */
  actor: string;
  /** What: `transition`, `effect.failed`, `note`... */
  type: string;
  from: string | null;
  to: string | null;
  /** Why: the event, metrics, sessions and rule behind it. */
  evidence: unknown;
}

export type NewTimelineEntry = Omit<TimelineEntry, 'caseId'>;

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
   * letters not yet sent (pending or waiting). The reason is kept as the effects' last error.
   */
  cancelUnsent?: { reason: string };
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
}

export interface ClaimOptions {
  now: Date;
  limit: number;
  /** How long a claimed effect stays locked before another worker may take it over. */
  lockMs: number;
}

export interface Store {
  readonly kind: 'postgres' | 'mongo';
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;

  upsertTrust(trust: Trust): Promise<void>;
  getTrust(id: string): Promise<Trust | null>;
  listTrusts(): Promise<Trust[]>;
  upsertSchool(school: School): Promise<void>;
  getSchool(id: string): Promise<School | null>;
  listSchools(filter?: { trustId?: string }): Promise<School[]>;

  /** Inserts or updates pupils by (school, UPN), all or nothing. */
  upsertPupils(schoolId: string, pupils: Omit<Pupil, 'schoolId'>[]): Promise<{ inserted: number; updated: number }>;
  getPupil(schoolId: string, upn: string): Promise<Pupil | null>;
  /** The school's pupils by UPN, or only those named. */
  listPupils(schoolId: string, upns?: string[]): Promise<Pupil[]>;
  /** Replaces the contacts of each pupil named in `contacts`, all or nothing. */
  replaceContacts(schoolId: string, contacts: Omit<Contact, 'schoolId'>[]): Promise<{ pupils: number; contacts: number }>;
  /** One pupil's contacts, or every pupil's of the school (by UPN) without one. */
  listContacts(schoolId: string, upn?: string): Promise<Contact[]>;

  beginMarksImport(schoolId: string, meta: { actor: string; reason: string; at: Date }): Promise<MarksImport>;
  listMarks(schoolId: string, upn: string, range?: { from?: IsoDate; to?: IsoDate }): Promise<StoredMark[]>;
  /**
   * Every pupil's marks of a school in one pass, ordered by UPN then date and session: of the
   * pupils named, when `upns` is given, and only marks with one of `codes`, when that is.
   */
  streamSchoolMarks(schoolId: string, filter?: SchoolMarksFilter): AsyncIterable<{ upn: string; marks: StoredMark[] }>;
  listAmendments(schoolId: string, upn: string): Promise<MarkAmendment[]>;

  /** Creates a case with its first timeline entries, effects and timers; one open case per pupil. */
  createCase(
    record: NewCase,
    initial: { timeline: NewTimelineEntry[]; effects: NewEffect[]; timers?: Omit<CaseTimer, 'caseId'>[] },
  ): Promise<CaseRecord>;
  /**
   * createCase, commitTransition and createTask for many cases in one atomic write: all of it or,
   * on a CaseAlreadyOpen or VersionConflict, none. Returns the cases as written (created first,
   * then committed, each in the order given) and how many of the tasks were new.
   */
  writeCaseBatch(batch: CaseBatch): Promise<{ cases: CaseRecord[]; tasksCreated: number }>;
  getCase(id: string): Promise<CaseRecord | null>;
  findOpenCase(schoolId: string, upn: string): Promise<CaseRecord | null>;
  listCases(filter: CaseFilter): Promise<{ total: number; cases: CaseRecord[] }>;
  /** The page listCases gives, as the work queue shows it: one read rather than one per kind of row. */
  listQueue(filter: CaseFilter): Promise<{ total: number; lines: QueueLine[] }>;
  /** Writes snapshot + timeline + effects + timers atomically, guarded by the expected version. */
  commitTransition(commit: TransitionCommit): Promise<CaseRecord>;
  appendTimeline(caseId: string, entries: NewTimelineEntry[]): Promise<void>;
  listTimeline(caseId: string): Promise<TimelineEntry[]>;

  getTimer(caseId: string, name: string): Promise<CaseTimer | null>;
  listTimers(caseId: string): Promise<CaseTimer[]>;
  listDueTimers(now: Date, limit: number): Promise<CaseTimer[]>;

  /** Service-wide settings shared by every process (e.g. the demo clock). */
  getSetting(key: string): Promise<unknown>;
  putSetting(key: string, value: unknown): Promise<void>;

  /** Creates the task unless one with its id exists; true when it was created. */
  createTask(task: NewTask): Promise<boolean>;
  getTask(id: string): Promise<Task | null>;
  listTasks(filter: TaskFilter): Promise<Task[]>;
  /** Marks an open task done or cancelled; null when there is no open task with that id. */
  closeTask(id: string, outcome: { status: 'done' | 'cancelled'; by: string; at: Date; note?: string }): Promise<Task | null>;

  /** Locks up to `limit` due effects (pending, or running with an expired lock) for this worker. */
  claimEffects(options: ClaimOptions): Promise<OutboxEffect[]>;
  completeEffect(id: string, at: Date): Promise<void>;
  /** A transient failure: try again at `nextAttemptAt`. */
  retryEffect(id: string, error: string, nextAttemptAt: Date): Promise<void>;
  /** A permanent failure, or the last attempt. */
  failEffect(id: string, error: string, at: Date): Promise<void>;
  /** Stored but not runnable yet (e.g. an email before mail delivery exists). */
  parkEffect(id: string, reason: string): Promise<void>;
  getEffect(id: string): Promise<OutboxEffect | null>;
  listEffects(filter: { caseId?: string; status?: EffectStatus; schoolIds?: string[] }): Promise<OutboxEffect[]>;
  /**
   * A person's decision on a held effect, with its timeline entry, in one write: approve makes it
   * pending (due now, wall-clock), defer keeps it held until a date, reject ends it. Null, and
   * nothing written, when the effect is not held (decided already, or cancelled).
   */
  decideEffect(id: string, decision: EffectDecision, timeline: NewTimelineEntry): Promise<OutboxEffect | null>;

  /** Records the message unless one with its id exists; true when it was created. */
  createMessage(message: NewMessage): Promise<boolean>;
  getMessage(id: string): Promise<Message | null>;
  /** Oldest first. */
  listMessages(filter: { caseId?: string; effectId?: string; schoolIds?: string[] }): Promise<Message[]>;
  /**
   * A page of the messages someone may see, newest first, without their bodies (no PDF, no raw
   * email): those of `schoolIds`, and those about `caseIds` (an EWO's referred cases), with how
   * many there are in all.
   */
  listMessagePage(filter: MessagePageFilter): Promise<{ total: number; messages: MessageSummary[] }>;
  /** Null when there is no message with that id. */
  updateMessage(id: string, update: MessageUpdate): Promise<Message | null>;

  /** Creates or replaces the account with this id; emails are unique (stored lower-case). */
  upsertUser(user: User): Promise<void>;
  getUser(id: string): Promise<User | null>;
  findUserByEmail(email: string): Promise<User | null>;
  createSession(session: AuthSession): Promise<void>;
  getSession(idHash: string): Promise<AuthSession | null>;
  deleteSession(idHash: string): Promise<void>;
  /** Removes sessions expired at `now`; returns how many. */
  deleteExpiredSessions(now: Date): Promise<number>;
  recordLoginFailure(key: string, at: Date): Promise<void>;
  countLoginFailures(key: string, since: Date): Promise<number>;
  clearLoginFailures(key: string): Promise<void>;
  /** Expiry: removes failed sign-ins recorded before `before`; returns how many. */
  deleteLoginFailuresBefore(before: Date): Promise<number>;
  appendAudit(entries: AuditEntry[]): Promise<void>;
  /** Newest first. */
  listAudit(filter: AuditFilter): Promise<{ total: number; entries: AuditEntry[] }>;
  /** Cases of these schools with a `notify` effect to one of these recipients: what was referred to the EWO or LA. */
  listNotifiedCaseIds(filter: { schoolIds: string[]; recipients: string[] }): Promise<string[]>;
  /** Retention: deletes register marks and amendments dated before `date`. */
  purgeRegisterBefore(date: IsoDate): Promise<{ marks: number; amendments: number }>;
  /** Retention: how many rows of `kind` are past `before` (src/retention/policy.ts says what each kind means). */
  countExpired(kind: RetentionKind, before: Date): Promise<number>;
  /** Retention: removes up to `limit` of them in one transaction (never an open case); 0 when none are left. */
  purgeExpiredBatch(kind: RetentionKind, before: Date, limit: number): Promise<number>;
  /** Retention: the Message-IDs of messages made before `before` that are still held (after a letters purge, those of open cases). */
  heldMessageIdsBefore(before: Date): Promise<string[]>;
  /** Erasure: the pupil with register, contacts and closed cases, in one transaction; refused (nothing deleted) while a case is open. */
  erasePupil(schoolId: string, upn: string): Promise<'erased' | 'open-case' | 'missing'>;
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

export type Role = 'pastoral' | 'champion' | 'ewo' | 'trustLead' | 'admin';

/** A staff account. Which of school, trust and local authority is set follows the role. */
export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  /** pastoral and champion: the school they work in. */
  schoolId: string | null;
  /** trustLead: the trust they look across. */
  trustId: string | null;
  /** ewo: the local authority whose referred cases they receive. */
  localAuthority: string | null;
  /** argon2id; null for an account that signs in only by single sign-on. */
  passwordHash: string | null;
  active: boolean;
  createdAt: Date;
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
