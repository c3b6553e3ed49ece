// A calendar file a school imports: CSV (`date,end_date,kind,description`) or iCalendar (.ics).
// Every file is hostile until read: bounded in size, rows and events, any fault a 422 that says
// what to change, and nothing saved from a file until its preview has been seen.
import { AppError } from '../errors.ts';
import { parseCsvFile } from './csv-file.ts';
import { parseIcsFile } from './ics-file.ts';
import { fileProblem, type ParsedCalendarFile } from './import-types.ts';

/** Years of an LA's term dates, INSET days and closures fit in a few tens of kilobytes. */
export const MAX_FILE_BYTES = 512 * 1024;
export const FILE_FORMATS = ['csv', 'ics'] as const;
export type CalendarFileFormat = (typeof FILE_FORMATS)[number];

/** The format a file is in: by its name where it has one, else by its first line. */
export function formatOf(fileName: string | null, text: string): CalendarFileFormat {
  const extension = fileName?.toLowerCase().match(/\.(csv|ics|ical|ifb|icalendar)$/)?.[1];
  if (extension) return extension === 'csv' ? 'csv' : 'ics';
  return /^\s*BEGIN:VCALENDAR/i.test(text) ? 'ics' : 'csv';
}

/** The file's bytes as text: UTF-8 (a BOM is dropped), refused when it is not text at all. */
export function decodeCalendarFile(bytes: Uint8Array): string {
  if (bytes.length === 0) throw fileProblem('The file is empty.');
  if (bytes.length > MAX_FILE_BYTES) throw new AppError(413, 'file_too_large', `The file is ${Math.ceil(bytes.length / 1024)} KB; a calendar file may be at most ${MAX_FILE_BYTES / 1024} KB.`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw fileProblem('The file is not UTF-8 text. Save it again as CSV (UTF-8) or export it as .ics.');
  }
  return checkText(text);
}

function checkText(text: string): string {
  if (text.includes('\u0000')) throw fileProblem('The file holds binary data (a NUL character), not text. Choose the CSV or .ics file itself.');
  if (text.trim() === '') throw fileProblem('The file is empty.');
  return text;
}

export function parseCalendarFile(format: CalendarFileFormat, text: string): ParsedCalendarFile {
  if (Buffer.byteLength(text) > MAX_FILE_BYTES) throw new AppError(413, 'file_too_large', `A calendar file may be at most ${MAX_FILE_BYTES / 1024} KB.`);
  checkText(text);
  return format === 'ics' ? parseIcsFile(text) : parseCsvFile(text);
}

