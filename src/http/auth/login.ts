import type { Store, User } from '../../store/types.ts';
import { verifyPassword } from '../../access/passwords.ts';
import { AppError } from '../errors.ts';

/** Failed sign-ins allowed per account and per client address within the window. */
export const LOGIN_LIMITS = { perAccount: 5, perAddress: 20, windowMs: 15 * 60_000 } as const;

/**
 * Password sign-in with rate limiting kept in the database, so every app process counts the same
 * failures. The answer never says whether the email exists.
 */
export async function passwordLogin(store: Store, now: () => Date, input: { email: string; password: string; address: string }): Promise<User> {
  const keys = { account: `account:${input.email.toLowerCase()}`, address: `address:${input.address}` };
  const since = new Date(now().getTime() - LOGIN_LIMITS.windowMs);
  const [byAccount, byAddress] = await Promise.all([store.countLoginFailures(keys.account, since), store.countLoginFailures(keys.address, since)]);
  if (byAccount >= LOGIN_LIMITS.perAccount || byAddress >= LOGIN_LIMITS.perAddress) {
    throw new AppError(429, 'too_many_attempts', 'too many failed sign-ins: wait 15 minutes and try again', { retryAfterSeconds: LOGIN_LIMITS.windowMs / 1000 });
  }
  const user = await store.findUserByEmail(input.email);
  if (!(await verifyPassword(user?.passwordHash ?? null, input.password)) || !user?.active) {
    await Promise.all([store.recordLoginFailure(keys.account, now()), store.recordLoginFailure(keys.address, now())]);
    throw new AppError(401, 'invalid_credentials', 'the email or password is not right');
  }
  await store.clearLoginFailures(keys.account);
  return user;
}
