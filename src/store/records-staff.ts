// What the store keeps for staff accounts beyond the account itself: one-time links to set a
// password, single sign-on links by the provider's subject, and who each case is assigned to.
import type { User } from './records-work.ts';

/** `invite`: a new account's first password; `reset`: a forgotten one. */
export type StaffTokenPurpose = 'invite' | 'reset';

/** A one-time link to set a password. Only a hash of the link's token is kept. */
export interface StaffToken {
  hash: string;
  userId: string;
  purpose: StaffTokenPurpose;
  createdAt: Date;
  /** Who sent it (a user id). */
  createdBy: string;
  expiresAt: Date;
  usedAt: Date | null;
}

/** What using a link did: the password was set, or why not. */
export type TokenRedemption = { status: 'done'; user: User } | { status: 'expired' | 'used' | 'missing' | 'inactive' };

/** An account's single sign-on link: the provider (issuer) and the person's subject there (`sub`). */
export interface StaffIdentity {
  userId: string;
  issuer: string;
  subject: string;
  linkedAt: Date;
}

/** An account change as the staff pages make it: the account as it should be afterwards. */
export type StaffUpdate = 'done' | 'missing' | 'last-admin';

/**
 * Who takes which open cases, in one write: the open cases among `caseIds` (when given) and/or
 * assigned now to `from` (when given), within `schoolIds` (when given), go to `to` (none when
 * null). Each case that changes gets a timeline entry `assigned` saying from whom to whom.
 */
export interface CaseAssignment {
  caseIds?: string[];
  from?: string;
  schoolIds?: string[];
  to: string | null;
  actor: string;
  at: Date;
  /** Why, in staff words, kept on each timeline entry (e.g. "Ms Smith has left"). */
  note?: string | null;
}
