// The first administrator of a new installation. With no administrator, the service prints a
// one-time setup link (`npm start`, or `attendance admin create`); the link lets one person create
// the first admin account. Only a hash of its token is kept, it works once and for 24 hours, and
// nobody reaches the setup step at all once an active administrator exists.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import type { Store, User } from '../store/types.ts';
import { hashPassword } from './passwords.ts';

export const SETUP_SETTING = 'first-run-setup';
export const SETUP_LINK_TTL_MS = 24 * 3_600_000;
/** NCSC: length beats composition rules; 12 characters at least, up to a passphrase's length. */
export const PASSWORD_RULE = z.string().min(12, 'choose a password of at least 12 characters').max(200, 'a password is at most 200 characters');

const pendingSchema = z.object({
  tokenHash: z.string(),
  expiresAt: z.string(),
  /** `attendance admin create` names the person; a link printed at start names nobody. */
  email: z.string().nullable(),
  name: z.string().nullable(),
});
type Pending = z.infer<typeof pendingSchema>;

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

export async function hasActiveAdmin(store: Store): Promise<boolean> {
  return (await store.listUsers({ role: 'admin', active: true })).length > 0;
}

/**
 * A new setup link's token (the one before it stops working), or an error once an administrator
 * exists: from then on, staff are invited by an administrator.
 */
export async function issueSetupLink(store: Store, now: Date, person: { email?: string; name?: string } = {}): Promise<{ token: string; expiresAt: Date }> {
  if (await hasActiveAdmin(store)) throw new AppError(409, 'already_set_up', 'an administrator exists already: sign in as them and invite people from the Staff page');
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + SETUP_LINK_TTL_MS);
  const pending: Pending = { tokenHash: hashOf(token), expiresAt: expiresAt.toISOString(), email: person.email?.toLowerCase() ?? null, name: person.name ?? null };
  await store.putSetting(SETUP_SETTING, pending);
  return { token, expiresAt };
}

const unusable = () => new AppError(404, 'setup_link_unusable', 'this setup link has been used, has expired or was replaced by a newer one; run `attendance admin create` for a new one');

/** What the setup link holds (who it names), if it still works. */
export async function readSetupLink(store: Store, token: string, now: Date): Promise<{ email: string | null; name: string | null; stored: Pending }> {
  const parsed = pendingSchema.safeParse(await store.getSetting(SETUP_SETTING));
  if (!parsed.success || parsed.data.tokenHash !== hashOf(token) || new Date(parsed.data.expiresAt) <= now || (await hasActiveAdmin(store))) throw unusable();
  return { email: parsed.data.email, name: parsed.data.name, stored: parsed.data };
}

export const setupFormSchema = z.object({
  name: z.string().trim().min(1, 'enter your name').max(200, 'a name is at most 200 characters'),
  email: z.email('enter your email address').max(320).toLowerCase(),
  password: PASSWORD_RULE,
});

/** Uses the link: the first administrator, created once however many browsers post it at the same moment. */
export async function completeSetup(store: Store, token: string, form: z.output<typeof setupFormSchema>, now: Date): Promise<User> {
  const link = await readSetupLink(store, token, now);
  if (link.email && link.email !== form.email) throw new AppError(422, 'setup_email', `this link is for ${link.email}`);
  const passwordHash = await hashPassword(form.password);
  if (!(await store.takeSetting(SETUP_SETTING, link.stored))) throw unusable();
  if (await store.findUserByEmail(form.email)) throw new AppError(409, 'email_taken', 'an account with this email address exists already');
  const user: User = { id: randomUUID(), email: form.email, name: form.name, role: 'admin', schoolId: null, trustId: null, localAuthority: null, passwordHash, active: true, createdAt: now };
  await store.upsertUser(user);
  return user;
}
