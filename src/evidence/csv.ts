import { stringify } from 'csv-stringify/sync';

/**
 * A cell a spreadsheet would run as a formula (OWASP's list: = + - @, tab, carriage return) is
 * kept as text by a leading apostrophe: a contact named `=HYPERLINK(…)` must not become a live
 * link in the LA's copy of the pack.
 */
export function spreadsheetSafe(value: unknown): string {
  const text = String(value ?? '');
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** A CSV file as spreadsheets open it: CRLF lines, every cell made safe, a lone CR quoted too. */
export function csvFile(head: string[], rows: unknown[][]): Buffer {
  return Buffer.from(stringify([head, ...rows].map((row) => row.map(spreadsheetSafe)), { record_delimiter: '\r\n', quoted_match: /\r/ }), 'utf8');
}
