// Every value that reaches a filter or a document passes through one of these: a caller's object
// (`{ $ne: null }` where a UPN belongs) becomes an inert string, never a query operator, and bad
// register values fail the way PostgreSQL's column types make them fail.
import type { IsoDate, Session } from '../../domain/types.ts';
import type { CaseStatus } from '../types.ts';

export const text = (value: unknown): string => String(value);

export const optionalText = (value: unknown): string | null => (value == null ? null : String(value));

export function isoDate(value: unknown): IsoDate {
  const date = String(value);
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const [year, month, day] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, 0, 0];
  const parsed = new Date(Date.UTC(year, month - 1, day));
  if (!match || parsed.getUTCFullYear() !== year || parsed.getUTCMonth() !== month - 1 || parsed.getUTCDate() !== day) {
    throw new RangeError(`not a calendar date (YYYY-MM-DD): ${date}`);
  }
  return date;
}

export function session(value: unknown): Session {
  const name = String(value);
  if (name !== 'AM' && name !== 'PM') throw new RangeError(`not a session (AM or PM): ${name}`);
  return name;
}

export function caseStatus(value: unknown): CaseStatus {
  const status = String(value);
  if (status !== 'open' && status !== 'closed') throw new RangeError(`not a case status (open or closed): ${status}`);
  return status;
}

export function instant(value: Date): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new RangeError(`not an instant: ${String(value)}`);
  return date;
}

export function integer(value: unknown): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`not an integer: ${String(value)}`);
  return n;
}

/** A row count for LIMIT/OFFSET; MongoDB reads a limit of 0 as "no limit", so callers check for 0. */
export const count = (value: number): number => Math.max(0, integer(value));

/** The date condition of an optional register range, for a `date` field. */
export function dateRange(range: { from?: IsoDate; to?: IsoDate }): { date?: { $gte?: IsoDate; $lte?: IsoDate } } {
  const bounds: { $gte?: IsoDate; $lte?: IsoDate } = {};
  if (range.from != null) bounds.$gte = isoDate(range.from);
  if (range.to != null) bounds.$lte = isoDate(range.to);
  return Object.keys(bounds).length > 0 ? { date: bounds } : {};
}
