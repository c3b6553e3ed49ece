import type { IsoDate } from './types.ts';

// Calendar dates are handled as whole days since 1970-01-01 in UTC, so that no time zone or
// daylight-saving change can move a date.

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

function parse(d: string): number | null {
  const m = ISO_DATE.exec(d);
  if (m === null) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  // Date.UTC would read years 0–99 as 1900–1999; setUTCFullYear takes the year as given.
  const t = new Date(0).setUTCFullYear(year, month - 1, day);
  const back = new Date(t);
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) {
    return null;
  }
  return t / MS_PER_DAY;
}

function toEpochDay(d: IsoDate): number {
  const n = parse(d);
  if (n === null) throw new TypeError(`'${d}' is not a calendar date in the form YYYY-MM-DD`);
  return n;
}

function fromEpochDay(n: number): IsoDate {
  return new Date(n * MS_PER_DAY).toISOString().slice(0, 10);
}

/** True for a real calendar date written YYYY-MM-DD ('2025-02-29' is not one). */
export function isIsoDate(s: unknown): s is IsoDate {
  return typeof s === 'string' && parse(s) !== null;
}

export function addDays(d: IsoDate, n: number): IsoDate {
  if (!Number.isInteger(n)) throw new TypeError(`addDays: ${n} is not a whole number of days`);
  return fromEpochDay(toEpochDay(d) + n);
}

/** 0 = Sunday … 6 = Saturday, as Date#getUTCDay. */
export function dayOfWeek(d: IsoDate): number {
  // 1970-01-01 was a Thursday.
  return (((toEpochDay(d) + 4) % 7) + 7) % 7;
}

/** Days from a to b: positive when b is later. */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  return toEpochDay(b) - toEpochDay(a);
}

/** A comparator for sort(); ISO dates order like their strings. */
export function compareDates(a: IsoDate, b: IsoDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The Monday of the Monday–Sunday week containing d. */
export function mondayOf(d: IsoDate): IsoDate {
  const n = toEpochDay(d);
  const sinceMonday = (((n + 3) % 7) + 7) % 7;
  return fromEpochDay(n - sinceMonday);
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function fromUtc(date: Date): IsoDate {
  return `${date.getUTCFullYear()}-${pad2(date.getUTCMonth() + 1)}-${pad2(date.getUTCDate())}`;
}

function toUtc(d: IsoDate): Date {
  const [y, m, day] = d.split('-').map(Number);
  return new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, day ?? 1));
}

/** Calendar months; a day past the end of the target month falls on its last day (31 Jan + 1 = 28/29 Feb). */
export function addMonths(d: IsoDate, months: number): IsoDate {
  const start = toUtc(d);
  const target = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(start.getUTCDate(), lastDay));
  return fromUtc(target);
}

const UK_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

/** A date as schools write it in a spreadsheet or an MIS export: 2025-09-01 as it is, 01/09/2025 (day first) as 2025-09-01; not checked. */
export function fromUkDate(value: string): string {
  const uk = UK_DATE.exec(value);
  return uk ? `${uk[3]}-${uk[2]!.padStart(2, '0')}-${uk[1]!.padStart(2, '0')}` : value;
}
