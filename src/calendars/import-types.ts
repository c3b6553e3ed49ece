// What reading a calendar file gives: the entries it holds, notes on what it left out, or a 422.
import type { CalendarEntry } from '../domain/school-calendar.ts';
import { AppError } from '../errors.ts';

export interface ImportedEntry {
  entry: CalendarEntry;
  /** Where in the file it came from ("line 4", "event 'Half term' on 2025-10-27"). */
  where: string;
}

/** Something in the file the import leaves out, and why. */
export interface ImportNote {
  where: string;
  message: string;
}

export interface ParsedCalendarFile {
  entries: ImportedEntry[];
  notes: ImportNote[];
}

export interface FileProblem {
  field: string;
  message: string;
}

export const fileProblem = (message: string, problems: FileProblem[] = []) => new AppError(422, 'invalid_calendar_file', message, { problems });

