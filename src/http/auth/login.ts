import { setTimeout as sleep } from 'node:timers/promises';
import type { Store, User } from '../../store/types.ts';
import { verifyPassword } from '../../access/passwords.ts';
import { LOGIN_WINDOW_MS } from '../../access/sign-in-expiry.ts';
import { AppError } from '../../errors.ts';

/**
 * Failed sign-ins allowed per account from one client address within the window (a hard limit),
 * and per client address across every account before each further try from it is slowed down
 * (a back-off, never a lock: a known account's right password still signs in).
 */
export const LOGIN_LIMITS = { perAccount: 5, perAddress: 20, windowMs: LOGIN_WINDOW_MS, backoffStepMs: 250, backoffMostMs: 5_000 } as const;

/** A refused sign-in, with the account tried when it exists (for the audit log, never for the answer). */
export class LoginRefused extends AppError {
  constructor(
    status: 401 | 429,
    readonly accountId: string | null,
  ) {
    super(
      status,
      status === 429 ? 'too_many_attempts' : 'invalid_credentials',
      status === 429 ? 'too many failed sign-ins: wait 15 minutes and try again' : 'the email or password is not right',
      status === 429 ? { retryAfterSeconds: LOGIN_LIMITS.windowMs / 1000 } : undefined,
    );
  }
}

/** How long a try from an address with this many recent failures waits before it is checked. */
export function backoffMs(addressFailures: number): number {
  const over = addressFailures - LOGIN_LIMITS.perAddress;
  return over < 0 ? 0 : Math.min(LOGIN_LIMITS.backoffMostMs, (over + 1) * LOGIN_LIMITS.backoffStepMs);
}

const loginKeys = (email: string, address: string) => ({ account: `account:${email.toLowerCase()}|address:${address}`, address: `address:${address}` });

/**
 * Password sign-in with rate limiting kept in the database, so every app process counts the same
 * failures. The answer never says whether the email exists.
 *
 * The account+address count is atomic: each try is recorded before the password is checked and
 * then counted, so of any number of concurrent tries only those whose own record is among the
 * first `perAccount` go on (a count read before recording let 15-29 of 40 concurrent tries
 * through). A right password removes the records again.
 */
export async function passwordLogin(
  store: Store,
  now: () => Date,
  input: { email: string; password: string; address: string },
): Promise<User> {
  const keys = loginKeys(input.email, input.address);
  const since = new Date(now().getTime() - LOGIN_LIMITS.windowMs);
  const [byAccount, byAddress, user] = await Promise.all([
    store.countLoginFailures(keys.account, since),
    store.countLoginFailures(keys.address, since),
    store.findUserByEmail(input.email),
  ]);
  // Locked already: refused without a record, so hammering a locked pair does not extend its lock.
  if (byAccount >= LOGIN_LIMITS.perAccount) throw new LoginRefused(429, user?.id ?? null);
  await store.recordLoginFailure(keys.account, now());
  if ((await store.countLoginFailures(keys.account, since)) > LOGIN_LIMITS.perAccount) throw new LoginRefused(429, user?.id ?? null);
  const delay = backoffMs(byAddress);
  if (delay > 0) await sleep(delay);
  if (!(await verifyPassword(user?.passwordHash ?? null, input.password)) || !user?.active) {
    await store.recordLoginFailure(keys.address, now());
    throw new LoginRefused(401, user?.id ?? null);
  }
  await store.clearLoginFailures(keys.account);
  return user;
}
