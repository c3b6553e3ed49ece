// Errors that mean "the replica set cannot take this write just now" (a primary stepping down,
// an election, a shutdown, or transient conflicts the driver retried until it gave up) become a
// 503 the caller may retry, not a 500. Nothing was half-written: every multi-document write is
// one transaction, and a single-document write either happened or did not.
import { AppError } from '../../errors.ts';

const FAILOVER_CODE_NAMES = new Set([
  'NotWritablePrimary',
  'NotPrimaryNoSecondaryOk',
  'NotPrimaryOrSecondary',
  'PrimarySteppedDown',
  'InterruptedDueToReplStateChange',
  'InterruptedAtShutdown',
  'ShutdownInProgress',
  'HostUnreachable',
  'HostNotFound',
  'NetworkTimeout',
  'SocketException',
  'WriteConflict',
  'LockTimeout',
  'ExceededTimeLimit',
]);
const FAILOVER_CODES = new Set([6, 7, 24, 89, 91, 112, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436]);
const FAILOVER_LABELS = ['TransientTransactionError', 'UnknownTransactionCommitResult', 'RetryableWriteError'];
const FAILOVER_NAMES = new Set(['MongoNetworkError', 'MongoNetworkTimeoutError', 'MongoServerSelectionError', 'MongoNotConnectedError', 'MongoPoolClearedError']);

/** Whether an error (or one it was caused by) is a failover or an exhausted transient error. */
export function isFailover(error: unknown): boolean {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, codeName, name, errorLabels } = e as { code?: unknown; codeName?: unknown; name?: unknown; errorLabels?: unknown };
    if (typeof code === 'number' && FAILOVER_CODES.has(code)) return true;
    if (typeof codeName === 'string' && FAILOVER_CODE_NAMES.has(codeName)) return true;
    if (typeof name === 'string' && FAILOVER_NAMES.has(name)) return true;
    const labels = Array.isArray(errorLabels) ? errorLabels : errorLabels instanceof Set ? [...errorLabels] : [];
    if (labels.some((label) => FAILOVER_LABELS.includes(String(label)))) return true;
  }
  return false;
}

/** The 503 a failover answers with; the original error is kept as its cause, for the log. */
export function unavailable(error: unknown): AppError {
  const answer = new AppError(503, 'database_unavailable', 'The database is not reachable just now. Please try again in a moment.');
  return Object.assign(answer, { cause: error });
}

export const asUnavailable = (error: unknown): unknown => (isFailover(error) && !(error instanceof AppError) ? unavailable(error) : error);

/**
 * Makes every promise-returning method of a store's prototype answer failovers with the 503
 * (async generators, such as streams, are left as they are: their caller sees the driver's error).
 */
export function guardFailover(prototype: object) {
  for (const name of Object.getOwnPropertyNames(prototype)) {
    if (name === 'constructor') continue;
    const descriptor = Object.getOwnPropertyDescriptor(prototype, name);
    const method: unknown = descriptor?.value;
    if (typeof method !== 'function' || method.constructor.name === 'AsyncGeneratorFunction') continue;
    Object.defineProperty(prototype, name, {
      ...descriptor,
      value: function (this: unknown, ...args: unknown[]) {
        const result: unknown = (method as (...a: unknown[]) => unknown).apply(this, args);
        return result instanceof Promise ? result.catch((error: unknown) => Promise.reject(asUnavailable(error))) : result;
      },
    });
  }
}
