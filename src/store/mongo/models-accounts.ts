// Messages, settings, accounts, sessions, sign-in failures and the audit log.
import { Schema } from 'mongoose';
import type { AuditEntry, AuthSession, User, Message } from '../types.ts';
import { options, fromJson, type IdDoc } from './models-base.ts';

export type MessageDoc = IdDoc<Message>;
export const messageSchema = new Schema<MessageDoc>(
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
export const settingSchema = new Schema<SettingDoc>({ _id: String, value: String }, options);

export type UserDoc = IdDoc<User>;
export const userSchema = new Schema<UserDoc>(
  {
    _id: String,
    email: String,
    name: String,
    role: { type: String, enum: ['pastoral', 'champion', 'ewo', 'trustLead', 'trustAdmin', 'admin'] },
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
export const authSessionSchema = new Schema<AuthSessionDoc>({ _id: String, userId: String, csrfToken: String, createdAt: Date, expiresAt: Date }, options);
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
export const loginFailureSchema = new Schema<LoginFailureDoc>({ key: String, at: Date }, options);
loginFailureSchema.index({ key: 1, at: 1 });

export type AuditDoc = IdDoc<Omit<AuditEntry, 'detail'>> & {
  /** Insertion order among entries of the same instant, as PostgreSQL's sequence gives it. */
  seq: number;
  /** JSON text, like evidence. */
  detail: string;
};
export const auditSchema = new Schema<AuditDoc>(
  { _id: String, seq: Number, at: Date, actor: String, action: String, schoolId: String, caseId: String, upn: String, detail: String },
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
