// The Store contract, split by what each part keeps (records: ./records.ts, ./records-work.ts).
import type {
  CaseRecord,
  Contact,
  MarkAmendment,
  MarksImport,
  NewCase,
  NewTimelineEntry,
  Pupil,
  School,
  SchoolMarksFilter,
  StoredMark,
  TimelineEntry,
  Trust,
} from './records.ts';
import type {
  AuditEntry,
  AuditFilter,
  AuthSession,
  CaseBatch,
  CaseFilter,
  CaseTimer,
  ClaimOptions,
  EffectDecision,
  EffectStatus,
  Message,
  MessagePageFilter,
  MessageSummary,
  MessageUpdate,
  NewEffect,
  NewMessage,
  NewTask,
  OutboxEffect,
  QueueLine,
  Task,
  TaskFilter,
  TransitionCommit,
  User,
  UserFilter,
  WorkerBeat,
  RetentionKind,
} from './records-work.ts';
import type { IsoDate } from '../domain/types.ts';
import type { RegisterWeek } from '../domain/register-weeks.ts';
import type { CalendarEntry } from '../domain/school-calendar.ts';
import type { StoredSchoolCalendar } from './records-calendar.ts';
import type { RegisterKind, RegisterMapping } from './records-feed.ts';
import type { PolicyDraft, PolicyVersion } from './records-policy.ts';
import type { CaseAssignment, StaffIdentity, StaffToken, StaffUpdate, TokenRedemption } from './records-staff.ts';
import type { LetterOverride, SchoolLetterhead } from './records-letters.ts';

export interface StoreLifecycle {
  readonly kind: 'postgres' | 'mongo';
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OrganisationStore {
  upsertTrust(trust: Trust): Promise<void>;
  getTrust(id: string): Promise<Trust | null>;
  listTrusts(): Promise<Trust[]>;
  upsertSchool(school: School): Promise<void>;
  getSchool(id: string): Promise<School | null>;
  listSchools(filter?: { trustId?: string }): Promise<School[]>;
  /** Service-wide settings shared by every process (e.g. the demo clock). */
  getSetting(key: string): Promise<unknown>;
  putSetting(key: string, value: unknown): Promise<void>;
  /** Deletes the setting if it still holds `expected`: true for the one caller that took it (a one-time token). */
  takeSetting(key: string, expected: unknown): Promise<boolean>;
}

export interface PupilStore {
  /** Inserts or updates pupils by (school, UPN), all or nothing. */
  upsertPupils(schoolId: string, pupils: Omit<Pupil, 'schoolId'>[]): Promise<{ inserted: number; updated: number }>;
  getPupil(schoolId: string, upn: string): Promise<Pupil | null>;
  /** The school's pupils by UPN, or only those named. */
  listPupils(schoolId: string, upns?: string[]): Promise<Pupil[]>;
  /** Replaces the contacts of each pupil named in `contacts`, all or nothing. */
  replaceContacts(schoolId: string, contacts: Omit<Contact, 'schoolId'>[]): Promise<{ pupils: number; contacts: number }>;
  /** One pupil's contacts, or every pupil's of the school (by UPN) without one. */
  listContacts(schoolId: string, upn?: string): Promise<Contact[]>;
}

export interface RegisterStore {
  beginMarksImport(schoolId: string, meta: { actor: string; reason: string; at: Date }): Promise<MarksImport>;
  listMarks(schoolId: string, upn: string, range?: { from?: IsoDate; to?: IsoDate }): Promise<StoredMark[]>;
  /**
   * Every pupil's marks of a school in one pass, ordered by UPN then date and session: of the
   * pupils named, when `upns` is given, and only marks with one of `codes`, when that is.
   */
  streamSchoolMarks(schoolId: string, filter?: SchoolMarksFilter): AsyncIterable<{ upn: string; marks: StoredMark[] }>;
  /**
   * Every pupil's register as packed weeks with their counts (src/domain/register-weeks.ts),
   * ordered by UPN then week: the weeks whose Monday falls from the Monday of `from` to `to`.
   */
  streamSchoolWeeks(schoolId: string, range?: { from?: IsoDate; to?: IsoDate }): AsyncIterable<{ upn: string; weeks: RegisterWeek[] }>;
  listAmendments(schoolId: string, upn: string): Promise<MarkAmendment[]>;
  /** Retention: deletes register marks and amendments dated before `date`. */
  purgeRegisterBefore(date: IsoDate): Promise<{ marks: number; amendments: number }>;
}

export interface CaseStore {
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
  /** Adds entries to the timeline of the school's case; throws, writing nothing, when the school has no such case. */
  appendTimeline(schoolId: string, caseId: string, entries: NewTimelineEntry[]): Promise<void>;
  listTimeline(caseId: string): Promise<TimelineEntry[]>;
  getTimer(caseId: string, name: string): Promise<CaseTimer | null>;
  listTimers(caseId: string): Promise<CaseTimer[]>;
  listDueTimers(now: Date, limit: number): Promise<CaseTimer[]>;
}

export interface TaskStore {
  /** Creates the task unless one with its id exists; true when it was created. */
  createTask(task: NewTask): Promise<boolean>;
  getTask(id: string): Promise<Task | null>;
  listTasks(filter: TaskFilter): Promise<Task[]>;
  /** Marks an open task done or cancelled; null when there is no open task with that id. */
  closeTask(id: string, outcome: { status: 'done' | 'cancelled'; by: string; at: Date; note?: string }): Promise<Task | null>;
}

export interface OutboxStore {
  /** Locks up to `limit` due effects (pending, or running with an expired lock) for this worker. */
  claimEffects(options: ClaimOptions): Promise<OutboxEffect[]>;
  /** Extends the lease of effects this worker still holds (running, claimed by it); returns how many. */
  renewEffects(ids: string[], claimedBy: string, lockedUntil: Date): Promise<number>;
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
  /** Cases of these schools with a `notify` effect to one of these recipients: what was referred to the EWO or LA. */
  listNotifiedCaseIds(filter: { schoolIds: string[]; recipients: string[] }): Promise<string[]>;
}

export interface WorkerStore {
  /** Records that a worker process is alive now. */
  beatWorker(beat: WorkerBeat): Promise<void>;
  listWorkers(): Promise<WorkerBeat[]>;
  /**
   * Forgets dead workers and frees what they held: their Agenda job locks and their running
   * outbox claims (back to pending, due now), so another worker takes them at once.
   */
  releaseWorkers(ids: string[]): Promise<{ jobs: number; effects: number }>;
}

export interface MessageStore {
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
}

export interface AccountStore {
  /** Creates or replaces the account with this id; emails are unique (stored lower-case). */
  upsertUser(user: User): Promise<void>;
  getUser(id: string): Promise<User | null>;
  findUserByEmail(email: string): Promise<User | null>;
  /** Accounts by name (then id): all, or those matching every field given. */
  listUsers(filter?: UserFilter): Promise<User[]>;
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
}

export interface AuditStore {
  appendAudit(entries: AuditEntry[]): Promise<void>;
  /** Newest first. */
  listAudit(filter: AuditFilter): Promise<{ total: number; entries: AuditEntry[] }>;
}

export interface RetentionStore {
  /** Retention: how many rows of `kind` are past `before` (src/retention/policy.ts says what each kind means). */
  countExpired(kind: RetentionKind, before: Date): Promise<number>;
  /** Retention: removes up to `limit` of them in one transaction (never an open case); 0 when none are left. */
  purgeExpiredBatch(kind: RetentionKind, before: Date, limit: number): Promise<number>;
  /** Retention: the Message-IDs of messages made before `before` that are still held (after a letters purge, those of open cases). */
  heldMessageIdsBefore(before: Date): Promise<string[]>;
  /** Erasure: the pupil with register, contacts and closed cases, in one transaction; refused (nothing deleted) while a case is open. */
  erasePupil(schoolId: string, upn: string): Promise<'erased' | 'open-case' | 'missing'>;
}

export interface CalendarStore {
  /** The school's own calendar entries; revision 0 and none when it never saved any. */
  getSchoolCalendar(schoolId: string): Promise<StoredSchoolCalendar>;
  /**
   * Replaces the school's entries in one write if its revision is still `expectedRevision`, raising
   * it by one; null, and nothing written, when someone saved in between.
   */
  saveSchoolCalendar(schoolId: string, entries: CalendarEntry[], meta: { expectedRevision: number; by: string; at: Date }): Promise<StoredSchoolCalendar | null>;
}

export interface RegisterFeedStore {
  /** The school's saved column mapping for one kind of file; null when it never saved one. */
  getRegisterMapping(schoolId: string, kind: RegisterKind): Promise<RegisterMapping | null>;
  /** Saves (or replaces) the school's mapping for the mapping's kind. */
  saveRegisterMapping(mapping: RegisterMapping): Promise<void>;
}

export interface StaffStore {
  /** Keeps a link; any earlier unused link of the same account stops working (the newest one counts). */
  createStaffToken(token: Omit<StaffToken, 'usedAt'>): Promise<void>;
  getStaffToken(hash: string): Promise<StaffToken | null>;
  /** Uses a link once, atomically: marks it used and sets the account's password, if the link is unused, unexpired and the account active. */
  redeemStaffToken(hash: string, at: Date, passwordHash: string): Promise<TokenRedemption>;
  /** The unused, unexpired links of these accounts (pending invites and resets). */
  listPendingStaffTokens(userIds: string[], at: Date): Promise<StaffToken[]>;
  /**
   * Writes an existing account's name, role, scope and active flag in one write, refused
   * ('last-admin', nothing written) when no active admin would be left. An account made inactive
   * loses its sessions and unused links in the same write.
   */
  updateStaffUser(user: User): Promise<StaffUpdate>;
  /** Ends every session of the account; how many there were. */
  deleteUserSessions(userId: string): Promise<number>;
  /** Links the account to the provider's subject: false (nothing written) when either already has another link. */
  linkIdentity(identity: StaffIdentity): Promise<boolean>;
  findIdentity(issuer: string, subject: string): Promise<StaffIdentity | null>;
  listIdentities(userIds: string[]): Promise<StaffIdentity[]>;
  /** Notes that the account signed in now (the latest time is kept). */
  recordSignIn(userId: string, at: Date): Promise<void>;
  /** When each of these accounts last signed in (those that never did are left out). */
  listLastSignIns(userIds: string[]): Promise<{ userId: string; at: Date }[]>;
  /** Reassigns open cases in one write (see CaseAssignment); the ids of the cases that changed. */
  assignCases(assignment: CaseAssignment): Promise<string[]>;
  /** Who each of these cases is assigned to (cases with nobody are left out). */
  listCaseAssignees(caseIds: string[]): Promise<{ caseId: string; userId: string }[]>;
}

export interface SchoolLettersStore {
  /** The school's letterhead and signatory; null when it never saved one (the model letters' own). */
  getLetterhead(schoolId: string): Promise<SchoolLetterhead | null>;
  /** Saves (or replaces) the school's letterhead, logo included. */
  saveLetterhead(letterhead: SchoolLetterhead): Promise<void>;
  /** The school's own wordings, by template. */
  listLetterOverrides(schoolId: string): Promise<LetterOverride[]>;
  /** Saves (or replaces) the school's wording of one template. */
  saveLetterOverride(override: LetterOverride): Promise<void>;
  /** Goes back to the model letter: false when the school had no wording of its own for it. */
  deleteLetterOverride(schoolId: string, template: string): Promise<boolean>;
}

/** The store contract, by what each part keeps; every adapter implements all of it. */
/** A school's own policy: the draft it edits and the versions it publishes (src/policies). */
export interface PolicyStore {
  getPolicyDraft(schoolId: string): Promise<PolicyDraft | null>;
  /** Saves the draft if it is still at `expectedRevision` (0: there is none yet); null when another save came first. */
  savePolicyDraft(schoolId: string, document: unknown, meta: { expectedRevision: number; by: string; at: Date }): Promise<PolicyDraft | null>;
  /** Writes a new version; false when that version number is already published (another publisher came first). */
  publishPolicyVersion(version: PolicyVersion): Promise<boolean>;
  /** The school's published versions, oldest first. */
  listPolicyVersions(schoolId: string): Promise<PolicyVersion[]>;
}

export type Store = StoreLifecycle &
  OrganisationStore &
  PupilStore &
  RegisterStore &
  CaseStore &
  TaskStore &
  OutboxStore &
  WorkerStore &
  MessageStore &
  AccountStore &
  AuditStore &
  RetentionStore &
  CalendarStore &
  RegisterFeedStore &
  StaffStore &
  PolicyStore &
  SchoolLettersStore;
