import type { ErrorRequestHandler } from 'express';
import type { Logger } from '../logger.ts';
import { AppError } from '../errors.ts';
import { CalendarCoverageError } from '../domain/calendar.ts';

// PostgreSQL: connection exceptions (08), operator intervention (57P01-57P03: shut down,
// restarting), too many connections; MongoDB: network and server-selection errors.
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '53300', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);
const UNAVAILABLE_NAMES = new Set(['MongoNetworkError', 'MongoServerSelectionError', 'MongoNotConnectedError', 'MongoPoolClearedError']);
const UNAVAILABLE_MESSAGES = /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Client was closed and is not queryable)/;

/** Whether the error means the database cannot be reached now (a restart, a failover), rather than a fault in this request. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, name, message } = e as { code?: unknown; name?: unknown; message?: unknown };
    if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
    if (typeof name === 'string' && UNAVAILABLE_NAMES.has(name)) return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message)) return true;
    if (e instanceof AggregateError && e.errors.some(isDatabaseUnavailable)) return true;
  }
  return false;
}

/** The central error handler: known errors keep their status, anything else is a 500 without internals. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    if (error instanceof AppError) {
      res.status(error.status).json({ error: { code: error.code, message: error.message, details: error.details } });
      return;
    }
    if (error instanceof CalendarCoverageError) {
      // A date the school's calendar does not reach (1900, 9999, a year whose term dates are not
      // held): the question cannot be answered, and the asker can change the date.
      res.status(422).json({ error: { code: 'outside_calendar', message: outsideCalendar(error) } });
      return;
    }
    const status = (error as { status?: number; statusCode?: number }).status ?? (error as { statusCode?: number }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      // Body-parser and friends: malformed JSON, payload too large.
      res.status(status).json({ error: { code: 'bad_request', message: (error as Error).message } });
      return;
    }
    if (isDatabaseUnavailable(error)) {
      // Nothing was half-written (every write is one transaction); the client may simply retry.
      logger.warn({ err: error }, 'database unavailable');
      res.status(503).set('Retry-After', '5').json({ error: { code: 'database_unavailable', message: 'The database is not reachable just now. Please try again in a moment.' } });
      return;
    }
    logger.error({ err: error }, 'unhandled error');
    res.status(500).json({ error: { code: 'internal', message: 'Something went wrong on our side. It has been logged.' } });
  };
}

/** What a person is told when a date falls outside the term dates the service holds. */
export function outsideCalendar(error: CalendarCoverageError): string {
  return `That date is outside the school calendar the service holds, so it cannot be answered (${error.message}).`;
}
