import { parse } from 'csv-parse/sync';
import type { Readable } from 'node:stream';
import type { z } from 'zod';
import type { Parent } from '../domain/case-types.ts';
import { isIsoDate } from '../domain/dates.ts';
import { parentsOf } from '../domain/pupil-flags.ts';
import type { Mark } from '../domain/types.ts';
import { CsvHeaderError, readCsv, type CsvFileSpec } from '../register/csv.ts';
import { REGISTER_FILES, type ContactRowInput, type MarkRowInput, type PupilRowInput, type RegisterFileKind } from '../register/rows.ts';
import type { ImportProblem } from '../store/types.ts';
import type { Pupil, StaffAction } from './simulate.ts';

/**
 * The simulator's inputs: the pupils, contacts and marks files a school imports from its MIS, read
 * through the import's own row schemas (so a file that imports is a file that simulates), and the
 * simulator's own actions.csv. Small files, read whole; any bad row stops the simulation.
 */

/** How many problems an error lists before it only counts the rest. */
const LISTED_PROBLEMS = 10;

function fail(file: string, problems: readonly ImportProblem[]): never {
  const listed = problems.slice(0, LISTED_PROBLEMS).map((problem) => `${file} line ${problem.line}: ${problem.message}`);
  if (problems.length > LISTED_PROBLEMS) listed.push(`…and ${problems.length - LISTED_PROBLEMS} more problems`);
  throw new Error(listed.join('\n'));
}

/** Every row of a register file, or an error naming the file, line, column and value of each bad row. */
async function readRegisterFile<T>(kind: RegisterFileKind, source: Readable, file: string): Promise<{ line: number; row: T }[]> {
  // The kind picks both the schema and T, which TypeScript cannot relate across the union.
  const spec = REGISTER_FILES[kind] as unknown as CsvFileSpec<z.ZodType<T>>;
  const rows: { line: number; row: T }[] = [];
  const problems: ImportProblem[] = [];
  try {
    for await (const item of readCsv(source, spec)) {
      if (item.ok) rows.push({ line: item.line, row: item.value });
      else problems.push(...item.problems);
    }
  } catch (error) {
    if (error instanceof CsvHeaderError) fail(file, error.problems);
    throw error;
  }
  if (problems.length > 0) fail(file, problems);
  return rows;
}

/** pupils.csv: upn,forename,surname,date_of_birth,year_group[,vulnerability][,on_roll]. */
export async function readPupils(source: Readable, file = 'pupils.csv'): Promise<Pupil[]> {
  const rows = await readRegisterFile<PupilRowInput>('pupils', source, file);
  const firstLine = new Map<string, number>();
  const duplicates: ImportProblem[] = [];
  for (const { line, row } of rows) {
    const earlier = firstLine.get(row.upn);
    if (earlier !== undefined) duplicates.push({ line, column: 'upn', value: row.upn, message: `upn '${row.upn}' already appears on line ${earlier}` });
    else firstLine.set(row.upn, line);
  }
  if (duplicates.length > 0) fail(file, duplicates);
  return rows.map(({ row }) => ({ upn: row.upn, vulnerability: row.vulnerability, onRoll: row.on_roll }));
}

/** marks.csv: upn,date,session,code (codes normalised to national codes). */
export async function readMarks(source: Readable, file = 'marks.csv'): Promise<Mark[]> {
  return (await readRegisterFile<MarkRowInput>('marks', source, file)).map(({ row }) => row);
}

/**
 * contacts.csv: upn,name,relationship,email,phone,parental_responsibility,lives_with. A pupil's
 * parents are their contacts with parental responsibility, `parent-1`, `parent-2`… in file order.
 */
export async function readParents(source: Readable, file = 'contacts.csv'): Promise<Record<string, Parent[]>> {
  const contacts = new Map<string, { name: string; parentalResponsibility: boolean }[]>();
  for (const { row } of await readRegisterFile<ContactRowInput>('contacts', source, file))
    contacts.set(row.upn, [...(contacts.get(row.upn) ?? []), { name: row.name, parentalResponsibility: row.parental_responsibility }]);
  return Object.fromEntries([...contacts].map(([upn, list]) => [upn, parentsOf(list)]));
}

/** actions.csv: date,upn,action,detail: the staff actions the simulation replays. */
export function parseActions(text: string, file = 'actions.csv'): StaffAction[] {
  const records = parse(text, { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  return records.map((record, i) => {
    for (const column of ['date', 'upn', 'action'])
      if (!record[column]) throw new Error(`${file} line ${i + 2}: '${column}' is missing`);
    if (!isIsoDate(record.date!)) throw new Error(`${file} line ${i + 2}: '${record.date}' is not a date`);
    return { date: record.date!, upn: record.upn!, action: record.action!, detail: record.detail ?? '' };
  });
}
