// Collections of the MongoDB adapter, their indexes, and the mapping of their documents to the
// contract's plain objects. Register dates stay 'YYYY-MM-DD' strings (they sort and compare as
// dates); instants are Dates.
import { Schema, type Types, type Connection } from 'mongoose';
import type {
  AuditEntry,
  AuthSession,
  Role,
  User,
  CaseRecord,
  CaseStatus,
  CaseTimer,
  Contact,
  EffectApproval,
  EffectDecision,
  EffectStatus,
  MarkAmendment,
  Message,
  OutboxEffect,
  Pupil,
  School,
  StoredMark,
  Task,
  TaskStatus,
  TimelineEntry,
  Trust,
} from '../types.ts';
import type { Session } from '../../domain/types.ts';

/** Name of the partial unique index that lets a pupil have at most one open case. */
export const OPEN_CASE_INDEX = 'cases_one_open';

// Snapshots, evidence, payloads and timer events are kept as JSON text: they round-trip exactly
// as through PostgreSQL's jsonb (a Date comes back as its ISO string, undefined is dropped), and
// no key inside user data (a '$' or a '.') can be taken for an operator or a path.
export const toJson = (value: unknown): string => JSON.stringify(value ?? null);
export const fromJson = (text: string): unknown => JSON.parse(text);

// Every field is written by this adapter on every insert (the *Doc types say which may be null),
// so no path is marked `required`: mongoose would take '' for missing, where PostgreSQL's NOT NULL
// accepts it. Writing a path the schema does not know is a bug, hence strict 'throw'.
const options = { versionKey: false, strict: 'throw' } as const;

export interface TrustDoc {
  _id: string;
  name: string;
}
const trustSchema = new Schema<TrustDoc>({ _id: String, name: String }, options);
trustSchema.index({ name: 1 });
export const toTrust = (d: TrustDoc): Trust => ({ id: d._id, name: d.name });

export interface SchoolDoc {
  _id: string;
  trustId: string;
  name: string;
  workflowId: string;
  localAuthority: string;
  /** JSON text of the school's mailboxes; absent on schools stored before they existed. */
  notifyEmails?: string;
}
const schoolSchema = new Schema<SchoolDoc>(
  {
    _id: String,
    trustId: String,
    name: String,
    workflowId: String,
    localAuthority: String,
    notifyEmails: String,
  },
  options,
);
schoolSchema.index({ trustId: 1, name: 1 });
schoolSchema.index({ name: 1 });
export const toSchool = (d: SchoolDoc): School => ({
  id: d._id,
  trustId: d.trustId,
  name: d.name,
  workflowId: d.workflowId,
  localAuthority: d.localAuthority,
  notifyEmails: d.notifyEmails ? (fromJson(d.notifyEmails) as School['notifyEmails']) : {},
});

export interface PupilDoc {
  schoolId: string;
  upn: string;
  forename: string;
  surname: string;
  dateOfBirth: string;
  yearGroup: string;
  vulnerability: string[];
  onRoll: boolean;
}
const pupilSchema = new Schema<PupilDoc>(
  {
    schoolId: String,
    upn: String,
    forename: String,
    surname: String,
    dateOfBirth: String,
    yearGroup: String,
    vulnerability: [String],
    onRoll: Boolean,
  },
  options,
);
pupilSchema.index({ schoolId: 1, upn: 1 }, { unique: true });
export const toPupil = (d: PupilDoc): Pupil => ({
  schoolId: d.schoolId,
  upn: d.upn,
  forename: d.forename,
  surname: d.surname,
  dateOfBirth: d.dateOfBirth,
  yearGroup: d.yearGroup,
  vulnerability: [...d.vulnerability],
  onRoll: d.onRoll,
});

export interface ContactDoc {
  schoolId: string;
  upn: string;
  /** 1-based order within the pupil's contacts, as given to replaceContacts. */
  position: number;
  name: string;
  relationship: string;
  email: string | null;
  phone: string | null;
  parentalResponsibility: boolean;
  livesWith: boolean;
}
const contactSchema = new Schema<ContactDoc>(
  {
    schoolId: String,
    upn: String,
    position: Number,
    name: String,
    relationship: String,
    email: String,
    phone: String,
    parentalResponsibility: Boolean,
    livesWith: Boolean,
  },
  options,
);
contactSchema.index({ schoolId: 1, upn: 1, position: 1 }, { unique: true });
export const toContact = (d: ContactDoc): Contact => ({
  schoolId: d.schoolId,
  upn: d.upn,
  name: d.name,
  relationship: d.relationship,
  email: d.email ?? null,
  phone: d.phone ?? null,
  parentalResponsibility: d.parentalResponsibility,
  livesWith: d.livesWith,
});

export interface MarkDoc {
  schoolId: string;
  upn: string;
  date: string;
  session: Session;
  code: string;
}
const markSchema = new Schema<MarkDoc>(
  {
    schoolId: String,
    upn: String,
    date: String,
    session: { type: String, enum: ['AM', 'PM'] },
    code: String,
  },
  options,
);
// Serves the per-pupil listing and the school stream (by UPN, date, session) as well as uniqueness.
markSchema.index({ schoolId: 1, upn: 1, date: 1, session: 1 }, { unique: true });
markSchema.index({ schoolId: 1, date: 1 });
export const toMark = (d: MarkDoc): StoredMark => ({ upn: d.upn, date: d.date, session: d.session, code: d.code });

export interface AmendmentDoc {
  schoolId: string;
  upn: string;
  date: string;
  session: Session;
  originalCode: string;
  newCode: string;
  reason: string;
  amendedBy: string;
  amendedAt: Date;
}
const amendmentSchema = new Schema<AmendmentDoc>(
  {
    schoolId: String,
    upn: String,
    date: String,
    session: String,
    originalCode: String,
    newCode: String,
    reason: String,
    amendedBy: String,
    amendedAt: Date,
  },
  options,
);
// Listed in the order written: ObjectIds made by one process increase with each one made.
amendmentSchema.index({ schoolId: 1, upn: 1, _id: 1 });
export const toAmendment = (d: AmendmentDoc): MarkAmendment => ({
  schoolId: d.schoolId,
  upn: d.upn,
  date: d.date,
  session: d.session,
  originalCode: d.originalCode,
  newCode: d.newCode,
  reason: d.reason,
  amendedBy: d.amendedBy,
  amendedAt: d.amendedAt,
});

export interface CaseDoc {
  _id: string;
  schoolId: string;
  upn: string;
  workflowId: string;
  machineId: string;
  machineVersion: number;
  state: string;
  status: CaseStatus;
  snapshot: string;
  version: number;
  /** Last sequence number given to a timeline entry of this case: the timeline's order. */
  timelineSeq: number;
  openedAt: Date;
  updatedAt: Date;
}
const caseSchema = new Schema<CaseDoc>(
  {
    _id: String,
    schoolId: String,
    upn: String,
    workflowId: String,
    machineId: String,
    machineVersion: Number,
    state: String,
    status: { type: String, enum: ['open', 'closed'] },
    snapshot: String,
    version: Number,
    timelineSeq: Number,
    openedAt: Date,
    updatedAt: Date,
  },
  options,
);
// A pupil has at most one open case: two evaluators racing to open one cannot both win.
caseSchema.index({ schoolId: 1, upn: 1 }, { name: OPEN_CASE_INDEX, unique: true, partialFilterExpression: { status: 'open' } });
caseSchema.index({ schoolId: 1, status: 1, state: 1, updatedAt: -1 });
caseSchema.index({ updatedAt: -1, _id: 1 });
export const toCase = (d: CaseDoc): CaseRecord => ({
  id: d._id,
  schoolId: d.schoolId,
  upn: d.upn,
  workflowId: d.workflowId,
  machineId: d.machineId,
  machineVersion: d.machineVersion,
  state: d.state,
  status: d.status,
  snapshot: fromJson(d.snapshot),
  version: d.version,
  openedAt: d.openedAt,
  updatedAt: d.updatedAt,
});

export interface TimelineDoc {
  _id: string;
  caseId: string;
  seq: number;
  at: Date;
  actor: string;
  type: string;
  from: string | null;
  to: string | null;
  evidence: string;
}
const timelineSchema = new Schema<TimelineDoc>(
  {
    _id: String,
    caseId: String,
    seq: Number,
    at: Date,
    actor: String,
    type: String,
    from: String,
    to: String,
    evidence: String,
  },
  options,
);
timelineSchema.index({ caseId: 1, seq: 1 }, { unique: true });
export const toTimeline = (d: TimelineDoc): TimelineEntry => ({
  id: d._id,
  caseId: d.caseId,
  at: d.at,
  actor: d.actor,
  type: d.type,
  from: d.from ?? null,
  to: d.to ?? null,
  evidence: fromJson(d.evidence),
});

export interface EffectDoc {
  _id: string;
  caseId: string | null;
  kind: string;
  payload: string;
  status: EffectStatus;
  attempts: number;
  nextAttemptAt: Date;
  lockedUntil: Date | null;
  /** The worker holding a running effect's claim. */
  claimedBy?: string | null;
  lastError: string | null;
  createdAt: Date;
  completedAt: Date | null;
  /** The EffectApproval as JSON text, like the payload; null for an effect no person decides. */
  approval?: string | null;
}
const effectSchema = new Schema<EffectDoc>(
  {
    _id: String,
    caseId: String,
    kind: String,
    payload: String,
    status: { type: String, enum: ['pending', 'running', 'done', 'failed', 'waiting', 'held', 'rejected', 'cancelled'] },
    attempts: Number,
    nextAttemptAt: Date,
    lockedUntil: Date,
    claimedBy: String,
    lastError: String,
    createdAt: Date,
    completedAt: Date,
    approval: String,
  },
  options,
);
// The claim reads pending and running effects in due order (two index ranges merged), never the
// many done ones; a partial index on `status $in` would need MongoDB 6.0.
effectSchema.index({ status: 1, nextAttemptAt: 1, _id: 1 }, { name: 'outbox_due' });
effectSchema.index({ caseId: 1, createdAt: 1, _id: 1 });
export const toEffect = (d: EffectDoc): OutboxEffect => ({
  id: d._id,
  caseId: d.caseId ?? null,
  kind: d.kind,
  payload: fromJson(d.payload),
  status: d.status,
  attempts: d.attempts,
  nextAttemptAt: d.nextAttemptAt,
  lastError: d.lastError ?? null,
  createdAt: d.createdAt,
  completedAt: d.completedAt ?? null,
  approval: d.approval ? approvalFromJson(d.approval) : null,
});

/** Instants inside the JSON text come back as strings. */
function approvalFromJson(json: string): EffectApproval {
  const stored = JSON.parse(json) as Omit<EffectApproval, 'heldAt' | 'decisions'> & { heldAt: string; decisions: (Omit<EffectDecision, 'at'> & { at: string })[] };
  return { ...stored, heldAt: new Date(stored.heldAt), decisions: stored.decisions.map((d) => ({ ...d, at: new Date(d.at) }) as EffectDecision) };
}

export interface TimerDoc {
  caseId: string;
  name: string;
  timerId: string;
  dueAt: Date;
  event: string;
}
const timerSchema = new Schema<TimerDoc>(
  {
    caseId: String,
    name: String,
    timerId: String,
    dueAt: Date,
    event: String,
  },
  options,
);
timerSchema.index({ caseId: 1, name: 1 }, { unique: true });
timerSchema.index({ timerId: 1 }, { unique: true });
timerSchema.index({ dueAt: 1, caseId: 1, name: 1 });
export const toTimer = (d: TimerDoc): CaseTimer => ({
  caseId: d.caseId,
  name: d.name,
  timerId: d.timerId,
  dueAt: d.dueAt,
  event: fromJson(d.event),
});

export interface TaskDoc {
  _id: string;
  caseId: string | null;
  schoolId: string;
  kind: string;
  title: string;
  dueDate: string;
  status: TaskStatus;
  assignee: string | null;
  createdAt: Date;
  completedAt: Date | null;
  completedBy: string | null;
  note: string | null;
}
const taskSchema = new Schema<TaskDoc>(
  {
    _id: String,
    caseId: String,
    schoolId: String,
    kind: String,
    title: String,
    dueDate: String,
    status: { type: String, enum: ['open', 'done', 'cancelled'] },
    assignee: String,
    createdAt: Date,
    completedAt: Date,
    completedBy: String,
    note: String,
  },
  options,
);
taskSchema.index({ schoolId: 1, status: 1, dueDate: 1 });
taskSchema.index({ caseId: 1 });
export const toTask = (d: TaskDoc): Task => ({
  id: d._id,
  caseId: d.caseId ?? null,
  schoolId: d.schoolId,
  kind: d.kind,
  title: d.title,
  dueDate: d.dueDate,
  status: d.status,
  assignee: d.assignee ?? null,
  createdAt: d.createdAt,
  completedAt: d.completedAt ?? null,
  completedBy: d.completedBy ?? null,
  note: d.note ?? null,
});

export interface MessageDoc {
  _id: string;
  effectId: string;
  caseId: string | null;
  schoolId: string;
  template: string;
  kind: Message['kind'];
  recipientRole: string;
  recipientName: string;
  recipientEmail: string | null;
  subject: string;
  messageId: string;
  status: Message['status'];
  transport: string | null;
  raw: string | null;
  pdf: Buffer | null;
  error: string | null;
  createdAt: Date;
  sentAt: Date | null;
}
const messageSchema = new Schema<MessageDoc>(
  {
    _id: String,
    effectId: String,
    caseId: String,
    schoolId: String,
    template: String,
    kind: { type: String, enum: ['letter', 'notification'] },
    recipientRole: String,
    recipientName: String,
    recipientEmail: String,
    subject: String,
    messageId: String,
    status: { type: String, enum: ['pending', 'sent', 'printOnly', 'failed'] },
    transport: String,
    raw: String,
    pdf: Buffer,
    error: String,
    createdAt: Date,
    sentAt: Date,
  },
  options,
);
messageSchema.index({ messageId: 1 }, { unique: true });
messageSchema.index({ caseId: 1, createdAt: 1 });
messageSchema.index({ effectId: 1 });
messageSchema.index({ schoolId: 1, createdAt: 1 });
export const toMessage = (d: MessageDoc): Message => ({
  id: d._id,
  effectId: d.effectId,
  caseId: d.caseId ?? null,
  schoolId: d.schoolId,
  template: d.template,
  kind: d.kind,
  recipientRole: d.recipientRole,
  recipientName: d.recipientName,
  recipientEmail: d.recipientEmail ?? null,
  subject: d.subject,
  messageId: d.messageId,
  status: d.status,
  transport: d.transport ?? null,
  raw: d.raw ?? null,
  // lean() hands binary back as a BSON Binary, not a Buffer.
  pdf: d.pdf == null ? null : Buffer.from((d.pdf as unknown as { buffer: Uint8Array }).buffer ?? d.pdf),
  error: d.error ?? null,
  createdAt: d.createdAt,
  sentAt: d.sentAt ?? null,
});

export interface SettingDoc {
  _id: string;
  value: string;
}
const settingSchema = new Schema<SettingDoc>({ _id: String, value: String }, options);

export interface UserDoc {
  _id: string;
  /** Lower-case, unique. */
  email: string;
  name: string;
  role: Role;
  schoolId: string | null;
  trustId: string | null;
  localAuthority: string | null;
  passwordHash: string | null;
  active: boolean;
  createdAt: Date;
}
const userSchema = new Schema<UserDoc>(
  {
    _id: String,
    email: String,
    name: String,
    role: { type: String, enum: ['pastoral', 'champion', 'ewo', 'trustLead', 'admin'] },
    schoolId: String,
    trustId: String,
    localAuthority: String,
    passwordHash: String,
    active: Boolean,
    createdAt: Date,
  },
  options,
);
userSchema.index({ email: 1 }, { unique: true });
export const toUser = (d: UserDoc): User => ({
  id: d._id,
  email: d.email,
  name: d.name,
  role: d.role,
  schoolId: d.schoolId ?? null,
  trustId: d.trustId ?? null,
  localAuthority: d.localAuthority ?? null,
  passwordHash: d.passwordHash ?? null,
  active: d.active,
  createdAt: d.createdAt,
});

export interface AuthSessionDoc {
  /** The hash of the session id. */
  _id: string;
  userId: string;
  csrfToken: string;
  createdAt: Date;
  expiresAt: Date;
}
const authSessionSchema = new Schema<AuthSessionDoc>({ _id: String, userId: String, csrfToken: String, createdAt: Date, expiresAt: Date }, options);
authSessionSchema.index({ expiresAt: 1 });
export const toAuthSession = (d: AuthSessionDoc): AuthSession => ({
  idHash: d._id,
  userId: d.userId,
  csrfToken: d.csrfToken,
  createdAt: d.createdAt,
  expiresAt: d.expiresAt,
});

export interface LoginFailureDoc {
  key: string;
  at: Date;
}
const loginFailureSchema = new Schema<LoginFailureDoc>({ key: String, at: Date }, options);
loginFailureSchema.index({ key: 1, at: 1 });

export interface AuditDoc {
  _id: string;
  /** Insertion order among entries of the same instant, as PostgreSQL's sequence gives it. */
  seq: Types.ObjectId;
  at: Date;
  actor: string;
  action: string;
  schoolId: string | null;
  caseId: string | null;
  upn: string | null;
  /** JSON text, like evidence. */
  detail: string;
}
const auditSchema = new Schema<AuditDoc>(
  { _id: String, seq: Schema.Types.ObjectId, at: Date, actor: String, action: String, schoolId: String, caseId: String, upn: String, detail: String },
  options,
);
auditSchema.index({ at: -1, seq: -1 });
auditSchema.index({ caseId: 1, at: -1 });
auditSchema.index({ actor: 1, at: -1 });
export const toAudit = (d: AuditDoc): AuditEntry => ({
  id: d._id,
  at: d.at,
  actor: d.actor,
  action: d.action,
  schoolId: d.schoolId ?? null,
  caseId: d.caseId ?? null,
  upn: d.upn ?? null,
  detail: fromJson(d.detail),
});

/** The adapter's models, bound to one connection. */
export function createModels(connection: Connection) {
  return {
    trusts: connection.model('Trust', trustSchema, 'trusts'),
    schools: connection.model('School', schoolSchema, 'schools'),
    pupils: connection.model('Pupil', pupilSchema, 'pupils'),
    contacts: connection.model('Contact', contactSchema, 'contacts'),
    marks: connection.model('Mark', markSchema, 'marks'),
    amendments: connection.model('MarkAmendment', amendmentSchema, 'mark_amendments'),
    cases: connection.model('Case', caseSchema, 'cases'),
    timeline: connection.model('TimelineEntry', timelineSchema, 'case_timeline'),
    outbox: connection.model('OutboxEffect', effectSchema, 'outbox'),
    timers: connection.model('CaseTimer', timerSchema, 'case_timers'),
    tasks: connection.model('Task', taskSchema, 'tasks'),
    settings: connection.model('Setting', settingSchema, 'settings'),
    messages: connection.model('Message', messageSchema, 'messages'),
    users: connection.model('User', userSchema, 'users'),
    authSessions: connection.model('AuthSession', authSessionSchema, 'auth_sessions'),
    loginFailures: connection.model('LoginFailure', loginFailureSchema, 'login_failures'),
    audit: connection.model('AuditEntry', auditSchema, 'audit_log'),
  };
}

export type Models = ReturnType<typeof createModels>;
