// Staff accounts as the staff pages, API and CLI change them: invite, send a link to set a
// password, use it, deactivate and reactivate, and move a leaver's cases. Every rule of who may
// do it is asked of staff-rules.ts; every change is audited by the caller's recorder.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { AppError } from '../errors.ts';
import type { School, Store, StaffTokenPurpose, User } from '../store/types.ts';
import type { AuditRecorder } from './audit.ts';
import { hashPassword } from './passwords.ts';
import { ASSIGNABLE_ROLES, ROLE_NAMES } from './roles.ts';
import { notFound } from './scope.ts';
import { manageVerdict, normaliseScope, type StaffScope } from './staff-rules.ts';

/** An invitation's link works for a week (a new starter may see it after a weekend); a reset's for a day. */
export const LINK_VALID_MS: Record<StaffTokenPurpose, number> = { invite: 7 * 86_400_000, reset: 86_400_000 };

/** A link to set a password, as the email carries it. */
export interface StaffLink {
  user: User;
  purpose: StaffTokenPurpose;
  token: string;
  expiresAt: Date;
  sentBy: User;
}

export interface StaffDeps {
  store: Store;
  /** Wall-clock time: links expire on real time, never the demo's clock. */
  now: () => Date;
  audit: AuditRecorder;
  /** The cases' clock (the demo's may be moved): a moved case's timeline entry is dated by it. */
  caseNow: () => Date;
  /** Sends the email with the link (src/mail/staff-mail.ts). */
  sendLink(link: StaffLink): Promise<void>;
}

export interface InviteInput extends StaffScope {
  name: string;
  email: string;
  /** Signs in only through the configured single sign-on provider: no link, no password. */
  ssoOnly: boolean;
}

export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

const scopeOf = (user: StaffScope): StaffScope => ({ role: user.role, schoolId: user.schoolId, trustId: user.trustId, localAuthority: user.localAuthority });
const auditTarget = (user: StaffScope) => ({ schoolId: user.schoolId });

/** Refuses a manager who may not give or change an account with this scope: 404 outside what they see, 403 for a role they may not give. */
export function requireManage(manager: User, scope: StaffScope, schools: readonly School[], what = 'account'): void {
  const verdict = manageVerdict(manager, scope, schools);
  if (verdict === 'hidden') throw notFound(what);
  if (verdict === 'role') throw new AppError(403, 'forbidden', `only an administrator manages this role's accounts (${ROLE_NAMES[scope.role]})`);
}

function checkedScope(input: StaffScope, schools: readonly School[]): StaffScope {
  const scope = normaliseScope(input);
  if (typeof scope === 'string') throw new AppError(400, 'invalid_scope', scope);
  if (scope.schoolId !== null && !schools.some((school) => school.id === scope.schoolId)) throw notFound(`school '${scope.schoolId}'`);
  return scope;
}

export function staffAccounts(deps: StaffDeps) {
  const { store, now } = deps;

  async function managedUser(manager: User, userId: string): Promise<User> {
    const user = await store.getUser(userId);
    if (!user) throw notFound(`account '${userId}'`);
    requireManage(manager, scopeOf(user), await store.listSchools(), `account '${userId}'`);
    return user;
  }

  async function sendLink(manager: User, user: User, purpose: StaffTokenPurpose): Promise<{ expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const createdAt = now();
    const expiresAt = new Date(createdAt.getTime() + LINK_VALID_MS[purpose]);
    await store.createStaffToken({ hash: tokenHash(token), userId: user.id, purpose, createdAt, createdBy: manager.id, expiresAt });
    try {
      await deps.sendLink({ user, purpose, token, expiresAt, sentBy: manager });
    } catch {
      // The link is kept: it works if the email went after all, and a new one replaces it.
      throw new AppError(502, 'mail_failed', `the email to ${user.email} could not be sent: check the service's mail settings, then send the link again from the Staff page`);
    }
    return { expiresAt };
  }

  return {
    /** Creates the account and, unless it signs in only by single sign-on, emails its link. */
    async invite(manager: User, input: InviteInput): Promise<{ user: User; linkExpiresAt: Date | null }> {
      const schools = await store.listSchools();
      const scope = checkedScope(input, schools);
      requireManage(manager, scope, schools, scope.schoolId ? `school '${scope.schoolId}'` : scope.trustId ? `trust '${scope.trustId}'` : 'account');
      const email = input.email.trim().toLowerCase();
      if (await store.findUserByEmail(email)) throw new AppError(409, 'email_taken', 'an account with that email already exists');
      const user: User = { id: randomUUID(), email, name: input.name.trim(), ...scope, passwordHash: null, active: true, createdAt: now() };
      await store.upsertUser(user);
      await deps.audit(manager.id, 'staff.invite', auditTarget(user), { account: user.id, role: user.role, ssoOnly: input.ssoOnly });
      if (input.ssoOnly) return { user, linkExpiresAt: null };
      return { user, linkExpiresAt: (await sendLink(manager, user, 'invite')).expiresAt };
    },

    /** Emails a new link to set a password (an invitation again for an account that never set one); earlier links stop working. */
    async sendPasswordLink(manager: User, userId: string): Promise<{ expiresAt: Date; purpose: StaffTokenPurpose }> {
      const user = await managedUser(manager, userId);
      if (!user.active) throw new AppError(409, 'inactive', 'this account is deactivated: reactivate it first');
      const purpose: StaffTokenPurpose = user.passwordHash === null ? 'invite' : 'reset';
      const sent = await sendLink(manager, user, purpose);
      await deps.audit(manager.id, purpose === 'invite' ? 'staff.invite.resent' : 'staff.reset', auditTarget(user), { account: user.id });
      return { ...sent, purpose };
    },

    /** What a link is now, for the page that opens it. */
    async linkState(token: string): Promise<'valid' | 'expired' | 'used' | 'missing'> {
      const found = await store.getStaffToken(tokenHash(token));
      if (!found) return 'missing';
      if (found.usedAt) return 'used';
      return found.expiresAt <= now() ? 'expired' : 'valid';
    },

    /** Sets the password through a link: once, before it expires, for an active account. */
    async usePasswordLink(token: string, password: string): Promise<User> {
      const result = await store.redeemStaffToken(tokenHash(token), now(), await hashPassword(password));
      if (result.status !== 'done') throw new AppError(410, `link_${result.status}`, LINK_REFUSALS[result.status]);
      await deps.audit(result.user.id, 'staff.password.set', auditTarget(result.user), { account: result.user.id });
      return result.user;
    },

    /**
     * Deactivates (ending every session at once) or reactivates an account. A deactivated
     * account's open cases go to `takeover` when given, in one write, each case's timeline saying so.
     */
    async setActive(manager: User, userId: string, active: boolean, takeover?: string): Promise<{ user: User; movedCases: number }> {
      const user = await managedUser(manager, userId);
      if (!active && user.id === manager.id) throw new AppError(409, 'self', 'you cannot deactivate your own account');
      // The cases first: a takeover that is refused leaves the account as it was.
      const movedCases = !active && takeover !== undefined ? (await this.moveCases(manager, user.id, takeover, `${user.name} no longer has an account`)).length : 0;
      const result = await store.updateStaffUser({ ...user, active });
      if (result === 'last-admin') throw new AppError(409, 'last_admin', 'this is the last active administrator: make someone else an administrator first');
      if (result === 'missing') throw notFound(`account '${userId}'`);
      await deps.audit(manager.id, active ? 'staff.reactivate' : 'staff.deactivate', auditTarget(user), { account: user.id, movedCases });
      return { user: { ...user, active }, movedCases };
    },

    /**
     * Changes an account's name, role or where it works. The manager must manage the account as it
     * is and as it would be; the last active administrator keeps the role.
     */
    async change(manager: User, userId: string, change: Partial<Omit<StaffScope, 'role'>> & { role?: StaffScope['role']; name?: string }): Promise<User> {
      const user = await managedUser(manager, userId);
      const schools = await store.listSchools();
      // What is left out (or undefined) stays as it is.
      const given = Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined));
      const scope = checkedScope({ ...scopeOf(user), ...given }, schools);
      requireManage(manager, scope, schools, scope.schoolId ? `school '${scope.schoolId}'` : scope.trustId ? `trust '${scope.trustId}'` : `account '${userId}'`);
      const changed: User = { ...user, ...scope, name: change.name?.trim() || user.name };
      const result = await store.updateStaffUser(changed);
      if (result === 'last-admin') throw new AppError(409, 'last_admin', 'this is the last active administrator: make someone else an administrator first');
      if (result === 'missing') throw notFound(`account '${userId}'`);
      await deps.audit(manager.id, 'staff.change', auditTarget(changed), { account: user.id, from: scopeOf(user), to: scope });
      return changed;
    },

    /** Moves every open case assigned to one person to another, in one write, audited. */
    async moveCases(manager: User, fromId: string, toId: string, note?: string): Promise<string[]> {
      const from = await managedUser(manager, fromId);
      const to = await managedUser(manager, toId);
      if (!to.active) throw new AppError(409, 'inactive', `${to.name}'s account is deactivated`);
      if (!ASSIGNABLE_ROLES.includes(to.role) || to.schoolId === null) throw new AppError(422, 'not_assignable', 'cases go to a pastoral leader or senior attendance champion');
      // Only the cases of the school the new person works in: a case is worked by its own school's staff.
      const moved = await store.assignCases({ from: from.id, to: to.id, schoolIds: [to.schoolId], actor: manager.id, at: deps.caseNow(), note: note ?? `moved from ${from.name}` });
      await deps.audit(manager.id, 'staff.cases.moved', auditTarget(to), { from: from.id, to: to.id, cases: moved.length });
      return moved;
    },
  };
}

export type StaffAccounts = ReturnType<typeof staffAccounts>;

/** What a link that cannot be used any more says, in plain words. */
export const LINK_REFUSALS = {
  missing: 'This link is not one we know. Check you used the whole link from the email, or ask for a new one.',
  used: 'This link has already been used. Sign in with the password you set, or ask for a new link.',
  expired: 'This link has expired. Ask the person who set up your account to send a new one.',
  inactive: 'This account has been deactivated. Ask the person who set up your account.',
} as const;
