// Staff accounts over the API: who can see what, invitations, links to set a password,
// deactivation and moving a leaver's cases. The rules live in src/access/ (staff-rules.ts).
import { z } from 'zod';
import { ROLE_NAMES, ROLES, SETUP_ROLES } from '../../../access/roles.ts';
import { requireRole } from '../../../access/scope.ts';
import { LINK_REFUSALS, type StaffAccounts } from '../../../access/staff-accounts.ts';
import { manageVerdict } from '../../../access/staff-rules.ts';
import { AppError } from '../../../errors.ts';
import type { School, Store, User } from '../../../store/types.ts';
import { route, type AnyRoute, type Caller } from '../route.ts';

export interface StaffRouteDeps {
  store: Store;
  staff: StaffAccounts;
  now: () => Date;
}

const id = z.string().min(1).max(100);
const userParams = z.object({ id });
const tokenParams = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/, 'not a link we sent') });
/** Long enough to be hard to guess (three random words are), short enough to hash cheaply. */
export const passwordSchema = z.string().min(10, 'use at least 10 characters: three random words make a good password').max(200);

export const inviteBody = z.object({
  name: z.string().trim().min(1, 'give the person’s name').max(200),
  email: z.email().max(320),
  role: z.enum(ROLES),
  schoolId: id.optional().describe('pastoral leader and champion: the school they work in'),
  trustId: id.optional().describe('trust lead and trust administrator: the trust'),
  localAuthority: z.string().trim().min(1).max(100).optional().describe('EWO: the local authority they work for'),
  ssoOnly: z.boolean().default(false).describe('signs in only through single sign-on: no password link is sent'),
});

const listQuery = z.object({ school: id.optional(), trust: id.optional() });

/** An account as the Staff page shows it: the role in staff words, where they work, and how they sign in. */
export function staffLine(user: User, schools: readonly School[], extra: { pendingLink: { purpose: string; expiresAt: Date } | null; sso: boolean; lastSignIn: Date | null }) {
  const school = schools.find((s) => s.id === user.schoolId);
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    role: user.role,
    roleName: ROLE_NAMES[user.role],
    schoolId: user.schoolId,
    schoolName: school?.name ?? null,
    trustId: user.trustId,
    localAuthority: user.localAuthority,
    active: user.active,
    signsInWith: extra.sso ? 'single sign-on' : user.passwordHash ? 'password' : 'not yet signed up',
    pendingLink: extra.pendingLink,
    lastSignIn: extra.lastSignIn,
  };
}

/** The accounts the caller manages, filtered by school or trust, with their pending links. */
export async function listStaff(deps: StaffRouteDeps, manager: User, filter: { school?: string; trust?: string }) {
  const schools = await deps.store.listSchools();
  const users = (await deps.store.listUsers()).filter((user) => {
    if (manageVerdict(manager, user, schools) !== 'yes') return false;
    if (filter.school !== undefined && user.schoolId !== filter.school) return false;
    const trust = user.trustId ?? schools.find((s) => s.id === user.schoolId)?.trustId ?? null;
    return filter.trust === undefined || trust === filter.trust;
  });
  const ids = users.map((user) => user.id);
  const [links, identities, signIns] = await Promise.all([deps.store.listPendingStaffTokens(ids, deps.now()), deps.store.listIdentities(ids), deps.store.listLastSignIns(ids)]);
  const lastSignIn = new Map(signIns.map((signIn) => [signIn.userId, signIn.at]));
  const linkOf = new Map(links.map((link) => [link.userId, { purpose: link.purpose, expiresAt: link.expiresAt }]));
  const sso = new Set(identities.map((identity) => identity.userId));
  return users.map((user) => staffLine(user, schools, { pendingLink: linkOf.get(user.id) ?? null, sso: sso.has(user.id), lastSignIn: lastSignIn.get(user.id) ?? null }));
}

export function staffRoutes(deps: StaffRouteDeps): AnyRoute[] {
  const { staff } = deps;
  const manager = async (caller: () => Caller) => {
    const me = caller();
    requireRole(await me.access(), SETUP_ROLES);
    return me.user;
  };
  return [
    route({
      method: 'get',
      path: '/api/staff',
      tag: 'staff',
      summary: 'The staff accounts you manage: role, school or trust, active, how they sign in, links not yet used',
      query: listQuery,
      responses: { 200: 'the accounts', 403: 'only administrators and trust administrators manage accounts' },
      async handle({ query, caller }) {
        return { staff: await listStaff(deps, await manager(caller), query) };
      },
    }),
    route({
      method: 'post',
      path: '/api/staff',
      tag: 'staff',
      summary: 'Invite a person: creates their account and emails a link (valid 7 days) to choose a password, unless they sign in only by single sign-on',
      body: inviteBody,
      responses: { 200: 'invited', 403: 'a role you may not give', 404: 'a school or trust you do not manage', 409: 'an account with that email exists', 502: 'the account exists but the email could not be sent' },
      async handle({ body, caller }) {
        const me = await manager(caller);
        const { user, linkExpiresAt } = await staff.invite(me, { ...body, schoolId: body.schoolId ?? null, trustId: body.trustId ?? null, localAuthority: body.localAuthority ?? null });
        return { id: user.id, linkExpiresAt };
      },
    }),
    route({
      method: 'post',
      path: '/api/staff/:id',
      tag: 'staff',
      summary: 'Change an account’s name, role or where it works (what is left out stays); the last active administrator keeps the role',
      params: userParams,
      body: inviteBody.omit({ email: true, ssoOnly: true }).partial(),
      responses: { 200: 'changed', 403: 'a role you may not give', 404: 'an account, school or trust you do not manage', 409: 'the last active administrator' },
      async handle({ params, body, caller }) {
        const user = await staff.change(await manager(caller), params.id, body);
        return { id: user.id, role: user.role, roleName: ROLE_NAMES[user.role], schoolId: user.schoolId, trustId: user.trustId, localAuthority: user.localAuthority };
      },
    }),
    route({
      method: 'post',
      path: '/api/staff/:id/password-link',
      tag: 'staff',
      summary: 'Email a new link to choose a password (a reset link works 24 hours; an invitation not yet taken up is sent again for 7 days)',
      params: userParams,
      responses: { 200: 'sent', 404: 'an account you do not manage', 409: 'the account is deactivated', 502: 'the email could not be sent' },
      async handle({ params, caller }) {
        return staff.sendPasswordLink(await manager(caller), params.id);
      },
    }),
    route({
      method: 'post',
      path: '/api/staff/:id/deactivate',
      tag: 'staff',
      summary: 'Deactivate an account: its sessions end at once; its open cases go to `takeover` when given',
      params: userParams,
      body: z.object({ takeover: id.optional().describe('the account that takes over their open cases') }),
      responses: { 200: 'deactivated', 404: 'an account you do not manage', 409: 'the last active administrator, or your own account' },
      async handle({ params, body, caller }) {
        const { movedCases } = await staff.setActive(await manager(caller), params.id, false, body.takeover);
        return { active: false, movedCases };
      },
    }),
    route({
      method: 'post',
      path: '/api/staff/:id/reactivate',
      tag: 'staff',
      summary: 'Reactivate an account',
      params: userParams,
      responses: { 200: 'active again', 404: 'an account you do not manage' },
      async handle({ params, caller }) {
        await staff.setActive(await manager(caller), params.id, true);
        return { active: true };
      },
    }),
    route({
      method: 'post',
      path: '/api/staff/:id/move-cases',
      tag: 'staff',
      summary: 'Move all of this person’s open cases to another, in one write; each case’s timeline says so',
      params: userParams,
      body: z.object({ to: id }),
      responses: { 200: 'moved', 404: 'an account you do not manage', 409: 'the account taking over is deactivated' },
      async handle({ params, body, caller }) {
        return { moved: (await staff.moveCases(await manager(caller), params.id, body.to)).length };
      },
    }),
    route({
      method: 'get',
      path: '/api/password-links/:token',
      tag: 'staff',
      summary: 'Whether a link to choose a password can still be used',
      public: true,
      params: tokenParams,
      responses: { 200: 'it can', 410: 'used, expired or unknown' },
      async handle({ params }) {
        const state = await staff.linkState(params.token);
        if (state !== 'valid') throw new AppError(410, `link_${state}`, LINK_REFUSALS[state]);
        return { state };
      },
    }),
    route({
      method: 'post',
      path: '/api/password-links/:token',
      tag: 'staff',
      summary: 'Choose a password with a link from an email; the link works once',
      public: true,
      params: tokenParams,
      body: z.object({ password: passwordSchema }),
      responses: { 204: 'the password is set: sign in with it', 410: 'used, expired or unknown' },
      async handle({ params, body }) {
        await staff.usePasswordLink(params.token, body.password);
      },
    }),
  ];
}
