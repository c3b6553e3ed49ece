import type { Store } from '../store/types.ts';

/** How far back failed sign-ins count: the lockout and back-off window. */
export const LOGIN_WINDOW_MS = 15 * 60_000;

/**
 * Deletes what sign-in leaves behind once it can no longer matter: sessions past their expiry and
 * failed sign-ins older than the window (without it, every wrong password or forged address
 * stayed in the database for ever). Run by the worker.
 */
export async function expireSignIns(store: Pick<Store, 'deleteExpiredSessions' | 'deleteLoginFailuresBefore'>, now: Date) {
  const [sessions, loginFailures] = await Promise.all([store.deleteExpiredSessions(now), store.deleteLoginFailuresBefore(new Date(now.getTime() - LOGIN_WINDOW_MS))]);
  return { sessions, loginFailures };
}
