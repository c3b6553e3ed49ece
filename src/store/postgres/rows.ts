// Row shapes of the PostgreSQL tables and their mapping to the contract's plain objects.
import type { AuditEntry, AuthSession, CaseRecord, CaseTimer, Contact, EffectApproval, EffectDecision, Message, OutboxEffect, Pupil, QueueLine, Role, School, SchoolMailboxes, SchoolPhase, Task, Trust, TimelineEntry, User } from '../types.ts';

export interface SchoolRow {
  id: string;
  trust_id: string;
  name: string;
  workflow_id: string;
  local_authority: string;
  notify_emails: SchoolMailboxes;
  urn: string | null;
  la_estab: string | null;
  phase: SchoolPhase | null;
  archived_at: Date | null;
}
export const toSchool = (r: SchoolRow): School => ({
  id: r.id,
  trustId: r.trust_id,
  name: r.name,
  workflowId: r.workflow_id,
  localAuthority: r.local_authority,
  notifyEmails: r.notify_emails,
  urn: r.urn,
  laEstab: r.la_estab,
  phase: r.phase,
  archivedAt: r.archived_at,
});

export interface TrustRow {
  id: string;
  name: string;
  archived_at: Date | null;
}
export const toTrust = (r: TrustRow): Trust => ({ id: r.id, name: r.name, archivedAt: r.archived_at });

export interface PupilRow {
  school_id: string;
  upn: string;
  forename: string;
  surname: string;
  date_of_birth: string;
  year_group: string;
  vulnerability: string[];
  on_roll: boolean;
}
export const toPupil = (r: PupilRow): Pupil => ({
  schoolId: r.school_id,
  upn: r.upn,
  forename: r.forename,
  surname: r.surname,
  dateOfBirth: r.date_of_birth,
  yearGroup: r.year_group,
  vulnerability: r.vulnerability,
  onRoll: r.on_roll,
});

export interface ContactRow {
  school_id: string;
  upn: string;
  name: string;
  relationship: string;
  email: string | null;
  phone: string | null;
  parental_responsibility: boolean;
  lives_with: boolean;
  address_lines: string[] | null;
  town: string | null;
  postcode: string | null;
}
export const toContact = (r: ContactRow): Contact => ({
  schoolId: r.school_id,
  upn: r.upn,
  name: r.name,
  relationship: r.relationship,
  email: r.email,
  phone: r.phone,
  parentalResponsibility: r.parental_responsibility,
  livesWith: r.lives_with,
  address: r.address_lines && r.town && r.postcode ? { lines: r.address_lines, town: r.town, postcode: r.postcode } : null,
});

export interface CaseRow {
  id: string;
  school_id: string;
  upn: string;
  workflow_id: string;
  machine_id: string;
  machine_version: number;
  state: string;
  status: 'open' | 'closed';
  snapshot: unknown;
  version: number;
  opened_at: Date;
  updated_at: Date;
}
export const toCase = (r: CaseRow): CaseRecord => ({
  id: r.id,
  schoolId: r.school_id,
  upn: r.upn,
  workflowId: r.workflow_id,
  machineId: r.machine_id,
  machineVersion: r.machine_version,
  state: r.state,
  status: r.status,
  snapshot: r.snapshot,
  version: r.version,
  openedAt: r.opened_at,
  updatedAt: r.updated_at,
});

export interface QueueRow {
  id: string;
  school_id: string;
  upn: string;
  state: string;
  status: 'open' | 'closed';
  version: number;
  updated_at: Date;
  stage: string | null;
  forename: string | null;
  surname: string | null;
  task_id: string | null;
  task_title: string | null;
  task_due_date: string | null;
  task_assignee: string | null;
  assigned_to: string | null;
  total: number | null;
}
export const toQueueLine = (r: QueueRow): QueueLine => ({
  id: r.id,
  schoolId: r.school_id,
  upn: r.upn,
  state: r.state,
  status: r.status,
  version: r.version,
  updatedAt: r.updated_at,
  stage: r.stage,
  pupil: r.forename === null || r.surname === null ? null : { forename: r.forename, surname: r.surname },
  nextTask: r.task_id === null ? null : { id: r.task_id, title: r.task_title!, dueDate: r.task_due_date!, assignee: r.task_assignee },
  assignedTo: r.assigned_to,
});

export interface TimelineRow {
  id: string;
  case_id: string;
  at: Date;
  actor: string;
  type: string;
  from_state: string | null;
  to_state: string | null;
  evidence: unknown;
}
export const toTimeline = (r: TimelineRow): TimelineEntry => ({
  id: r.id,
  caseId: r.case_id,
  at: r.at,
  actor: r.actor,
  type: r.type,
  from: r.from_state,
  to: r.to_state,
  evidence: r.evidence,
});

export interface EffectRow {
  id: string;
  school_id: string;
  case_id: string | null;
  kind: string;
  payload: unknown;
  status: OutboxEffect['status'];
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  created_at: Date;
  completed_at: Date | null;
  approval: StoredApproval | null;
}
/** Instants inside jsonb come back as strings. */
type StoredApproval = Omit<EffectApproval, 'heldAt' | 'decisions'> & { heldAt: string; decisions: (Omit<EffectDecision, 'at'> & { at: string })[] };
const toApproval = (a: StoredApproval): EffectApproval => ({
  ...a,
  heldAt: new Date(a.heldAt),
  decisions: a.decisions.map((d) => ({ ...d, at: new Date(d.at) }) as EffectDecision),
});
export const toEffect = (r: EffectRow): OutboxEffect => ({
  id: r.id,
  caseId: r.case_id,
  kind: r.kind,
  payload: r.payload,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  createdAt: r.created_at,
  completedAt: r.completed_at,
  approval: r.approval ? toApproval(r.approval) : null,
});

export interface TimerRow {
  case_id: string;
  name: string;
  timer_id: string;
  due_at: Date;
  event: unknown;
}
export const toTimer = (r: TimerRow): CaseTimer => ({
  caseId: r.case_id,
  name: r.name,
  timerId: r.timer_id,
  dueAt: r.due_at,
  event: r.event,
});

export interface TaskRow {
  id: string;
  case_id: string | null;
  school_id: string;
  kind: string;
  title: string;
  due_date: string;
  status: Task['status'];
  assignee: string | null;
  created_at: Date;
  completed_at: Date | null;
  completed_by: string | null;
  note: string | null;
}
export const toTask = (r: TaskRow): Task => ({
  id: r.id,
  caseId: r.case_id,
  schoolId: r.school_id,
  kind: r.kind,
  title: r.title,
  dueDate: r.due_date,
  status: r.status,
  assignee: r.assignee,
  createdAt: r.created_at,
  completedAt: r.completed_at,
  completedBy: r.completed_by,
  note: r.note,
});

export interface MessageRow {
  id: string;
  effect_id: string;
  case_id: string | null;
  school_id: string;
  template: string;
  kind: Message['kind'];
  recipient_role: string;
  recipient_name: string;
  recipient_email: string | null;
  subject: string;
  message_id: string;
  status: Message['status'];
  transport: string | null;
  raw: string | null;
  pdf: Buffer | null;
  error: string | null;
  created_at: Date;
  sent_at: Date | null;
}
export const toMessage = (r: MessageRow): Message => ({
  id: r.id,
  effectId: r.effect_id,
  caseId: r.case_id,
  schoolId: r.school_id,
  template: r.template,
  kind: r.kind,
  recipientRole: r.recipient_role,
  recipientName: r.recipient_name,
  recipientEmail: r.recipient_email,
  subject: r.subject,
  messageId: r.message_id,
  status: r.status,
  transport: r.transport,
  raw: r.raw,
  pdf: r.pdf,
  error: r.error,
  createdAt: r.created_at,
  sentAt: r.sent_at,
});

export interface UserRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  school_id: string | null;
  trust_id: string | null;
  local_authority: string | null;
  password_hash: string | null;
  active: boolean;
  created_at: Date;
}
export const toUser = (r: UserRow): User => ({
  id: r.id,
  email: r.email,
  name: r.name,
  role: r.role,
  schoolId: r.school_id,
  trustId: r.trust_id,
  localAuthority: r.local_authority,
  passwordHash: r.password_hash,
  active: r.active,
  createdAt: r.created_at,
});

export interface AuthSessionRow {
  id_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: Date;
  expires_at: Date;
}
export const toAuthSession = (r: AuthSessionRow): AuthSession => ({
  idHash: r.id_hash,
  userId: r.user_id,
  csrfToken: r.csrf_token,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
});

export interface AuditRow {
  id: string;
  at: Date;
  actor: string;
  action: string;
  school_id: string | null;
  case_id: string | null;
  upn: string | null;
  detail: unknown;
}
export const toAudit = (r: AuditRow): AuditEntry => ({
  id: r.id,
  at: r.at,
  actor: r.actor,
  action: r.action,
  schoolId: r.school_id,
  caseId: r.case_id,
  upn: r.upn,
  detail: r.detail,
});
