// Staff accounts' one-time links, single sign-on subjects and case assignments.
import { Schema } from 'mongoose';
import type { StaffIdentity, StaffToken } from '../types.ts';
import { options } from './models-base.ts';

export type StaffTokenDoc = Omit<StaffToken, 'hash'> & { _id: string };
export const staffTokenSchema = new Schema<StaffTokenDoc>(
  { _id: String, userId: String, purpose: { type: String, enum: ['invite', 'reset'] }, createdAt: Date, createdBy: String, expiresAt: Date, usedAt: Date },
  options,
);
staffTokenSchema.index({ userId: 1 });
export const toStaffToken = (d: StaffTokenDoc): StaffToken => ({
  hash: d._id,
  userId: d.userId,
  purpose: d.purpose,
  createdAt: d.createdAt,
  createdBy: d.createdBy,
  expiresAt: d.expiresAt,
  usedAt: d.usedAt ?? null,
});

/** Kept under `issuer subject`, so one subject is one account; the user id is unique as well. */
export type StaffIdentityDoc = StaffIdentity & { _id: string };
export const staffIdentitySchema = new Schema<StaffIdentityDoc>({ _id: String, userId: String, issuer: String, subject: String, linkedAt: Date }, options);
staffIdentitySchema.index({ userId: 1 }, { unique: true });
export const identityKey = (issuer: string, subject: string) => JSON.stringify([issuer, subject]);
export const toStaffIdentity = (d: StaffIdentityDoc): StaffIdentity => ({ userId: d.userId, issuer: d.issuer, subject: d.subject, linkedAt: d.linkedAt });

/** Kept under the account's id: when it last signed in. */
export interface StaffSignInDoc {
  _id: string;
  at: Date;
}
export const staffSignInSchema = new Schema<StaffSignInDoc>({ _id: String, at: Date }, options);

/** Kept under the case's id: a case has at most one assignee. */
export interface CaseAssignmentDoc {
  _id: string;
  userId: string;
  assignedAt: Date;
  assignedBy: string;
}
export const caseAssignmentSchema = new Schema<CaseAssignmentDoc>({ _id: String, userId: String, assignedAt: Date, assignedBy: String }, options);
caseAssignmentSchema.index({ userId: 1 });
