import { CONSIDERATIONS, type Considerations } from './penalty-notices.ts';
import { isIsoDate } from './dates.ts';
import { dateTime, longDate, pct, words } from './words.ts';

/** Evidence fields that name something the service keeps (a decision, an event): put in words. */
const NAMED = new Set(['decision', 'event', 'approvedWith', 'band', 'status', 'to', 'role', 'kind', 'type', 'reason', 'recipient']);
/** Evidence fields that only link records together: a reader has no use for an id. */
const LINKS = new Set(['timerId', 'effectId', 'caseId', 'messageId', 'taskId', 'id', 'schoolId', 'upn']);
/** Field names whose shape alone would read wrongly. */
const LABELS: Record<string, string> = {
  attendancePct: 'Attendance',
  pctNow: 'Attendance now',
  pctAtSince: 'Attendance then',
  delta: 'Change',
  at: 'When',
  approvedWith: 'Approved with',
  unauthorisedInRolling10Weeks: 'Unauthorised sessions in 10 school weeks',
  asOf: 'As of',
  rule: 'Why',
};

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** An evidence field's name as a label: `pctNow` → "Attendance now". */
export function evidenceLabel(key: string): string {
  return LABELS[key] ?? words(key);
}

/** The five considerations as the champion answered them: each question, Yes or No, and why. */
function considerationsInWords(value: Partial<Considerations>): string {
  return CONSIDERATIONS.filter(({ id }) => value[id])
    .map(({ id, question }) => `${question} ${value[id]!.answer ? 'Yes' : 'No'}: ${value[id]!.rationale}`)
    .join(' ');
}

function numberInWords(key: string, value: number): string {
  if (/pct$/i.test(key) || /^pct/.test(key)) return pct(value);
  if (key === 'delta') return `${value > 0 ? 'up' : value < 0 ? 'down' : 'no change,'} ${Math.abs(value).toFixed(1)} percentage points`;
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/**
 * A piece of a case event's evidence as a person reads it: never `[object Object]` nor JSON, no
 * ids, dates as "Monday 1 December 2025", percentages to one decimal place, names the service
 * keeps (a decision, an event) in words, records as "label: value".
 */
export function evidenceInWords(key: string, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (key === 'considerations' && typeof value === 'object' && !Array.isArray(value)) return considerationsInWords(value as Partial<Considerations>);
  if (typeof value === 'string') {
    // The policy rule that fired, as its reason: "opening: attendance 87.7% is below 95%" → "attendance 87.7% is below 95%".
    if (key === 'rule') return value.replace(/^opening: /, '');
    if (isIsoDate(value)) return longDate(value);
    if (ISO_INSTANT.test(value)) return dateTime(value);
    return NAMED.has(key) && /^[A-Za-z][A-Za-z0-9_.-]*$/.test(value) ? words(value) : value;
  }
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'number') return numberInWords(key, value);
  if (value instanceof Date) return dateTime(value);
  if (Array.isArray(value)) return value.map((item) => evidenceInWords(key, item)).filter(Boolean).join('; ');
  return evidenceRows(value)
    .map(({ label, value: inner }) => `${label}: ${inner}`)
    .join('; ');
}

/** Evidence as label and text rows, in words; links between records are left out. */
export function evidenceRows(evidence: unknown): { label: string; value: string }[] {
  if (evidence === null || typeof evidence !== 'object') return evidence == null ? [] : [{ label: 'Detail', value: evidenceInWords('detail', evidence) }];
  return Object.entries(evidence as Record<string, unknown>)
    .filter(([key, value]) => value !== null && value !== undefined && !LINKS.has(key))
    .map(([key, value]) => ({ label: evidenceLabel(key), value: evidenceInWords(key, value) }))
    .filter(({ value }) => value !== '');
}
