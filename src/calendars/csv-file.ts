// A calendar as a CSV file: `date,end_date,kind,description`, one row per term or closed day (or range).
import { parse } from 'csv-parse/sync';
import { fromUkDate, isIsoDate } from '../domain/dates.ts';
import { calendarEntrySchema, ENTRY_KINDS, MAX_ENTRIES, type CalendarEntryKind } from '../domain/school-calendar.ts';
import { fileProblem, type FileProblem, type ImportedEntry, type ParsedCalendarFile } from './import-types.ts';

export const CSV_COLUMNS = ['date', 'end_date', 'kind', 'description'] as const;

/** A date as schools write it in a spreadsheet: 2025-09-01, or 01/09/2025 (day first). */
export function readDate(value: string): string | null {
  const date = fromUkDate(value);
  return isIsoDate(date) ? date : null;
}

const KIND_WORDS: Record<string, CalendarEntryKind> = {
  ...Object.fromEntries(ENTRY_KINDS.map((kind) => [kind, kind])),
  'inset-day': 'inset',
  'training-day': 'inset',
  'half-term': 'holiday',
  'bank-holidays': 'bank-holiday',
  bankholiday: 'bank-holiday',
};

export function readKind(value: string): CalendarEntryKind | null {
  const word = value.trim().toLowerCase().replace(/[\s_]+/g, '-');
  return Object.hasOwn(KIND_WORDS, word) ? KIND_WORDS[word]! : null;
}

const shown = (value: string) => (value.length <= 60 ? value : `${value.slice(0, 57)}…`);

/** `date,end_date,kind,description`: one row per term or closed day (or range); an empty end_date is the date itself. */
export function parseCsvFile(text: string): ParsedCalendarFile {
  let rows: string[][];
  try {
    rows = parse(text, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: true, max_record_size: 4096, to: MAX_ENTRIES + 2 });
  } catch (error) {
    throw fileProblem(`The CSV file cannot be read: ${String((error as Error).message).slice(0, 160)}`);
  }
  const [header, ...body] = rows;
  const names = (header ?? []).map((name) => name.toLowerCase());
  if (names.join(',') !== CSV_COLUMNS.join(',')) {
    throw fileProblem(`The first line must name the columns ${CSV_COLUMNS.join(',')}; it says ${shown(names.join(',')) || 'nothing'}.`, [{ field: 'line 1', message: `expected ${CSV_COLUMNS.join(',')}` }]);
  }
  if (body.length > MAX_ENTRIES) throw fileProblem(`The file has more than ${MAX_ENTRIES} rows; a school calendar has far fewer.`);
  const problems: FileProblem[] = [];
  const entries: ImportedEntry[] = [];
  body.forEach((row, i) => {
    const line = i + 2;
    const at = (column: string, message: string) => problems.push({ field: `line ${line}, ${column}`, message });
    if (row.length !== CSV_COLUMNS.length) return at('row', `has ${row.length} columns; expected ${CSV_COLUMNS.length} (${CSV_COLUMNS.join(',')}); put a description with a comma in quotes`);
    const [date = '', endDate = '', kindText = '', description = ''] = row;
    const start = readDate(date);
    const end = endDate === '' ? start : readDate(endDate);
    const kind = readKind(kindText);
    if (start === null) at('date', `'${shown(date)}' is not a date (write 2025-09-01 or 01/09/2025)`);
    if (end === null && endDate !== '') at('end_date', `'${shown(endDate)}' is not a date (write 2025-09-01 or 01/09/2025, or leave it empty for one day)`);
    if (kind === null) at('kind', `'${shown(kindText)}' is not one of: ${ENTRY_KINDS.join(', ')}`);
    if (start === null || end === null || kind === null) return;
    const parsed = calendarEntrySchema.safeParse({ kind, start, end, description });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) at({ start: 'date', end: 'end_date' }[String(issue.path[0])] ?? String(issue.path[0] ?? 'row'), issue.message);
      return;
    }
    entries.push({ entry: parsed.data, where: `line ${line}` });
  });
  if (problems.length > 0) {
    throw fileProblem(`The file has ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was imported. Correct ${problems.length === 1 ? 'it' : 'them'} and import it again.`, problems.slice(0, 100));
  }
  return { entries, notes: [] };
}
