import type { Readable } from 'node:stream';
import { CsvError } from 'csv-parse';
import { AppError } from '../http/errors.ts';
import type { ImportProblem, MarkRow, Store } from '../store/types.ts';
import type { z } from 'zod';
import { CsvHeaderError, readCsv, type CsvFileSpec, type CsvItem } from './csv.ts';
import { REGISTER_FILES, type ContactRowInput, type MarkRowInput, type PupilRowInput, type RegisterFileKind } from './rows.ts';

/** How many problems a report lists; the count of rejected rows is always complete. */
export const PROBLEM_LIMIT = 100;
const BATCH_SIZE = 5000;

export interface ImportReport {
  kind: RegisterFileKind;
  /** True when the file was applied; false when it was rejected and nothing changed. */
  applied: boolean;
  read: number;
  inserted: number;
  /** Marks: amended codes (kept as amendments). Pupils: updated records. Contacts: pupils whose contacts were replaced. */
  amended: number;
  unchanged: number;
  rejected: number;
  problems: ImportProblem[];
}

export interface ImportInput {
  schoolId: string;
  source: Readable | AsyncIterable<CsvItem<unknown>>;
  actor: string;
  /** Recorded on every amendment this import makes. */
  reason: string;
  at: Date;
  onProgress?: (progress: { rows: number }) => void;
}

/** Collects problems up to the limit while counting every rejected row. */
class ProblemList {
  readonly items: ImportProblem[] = [];
  rejectedLines = new Set<number>();

  add(problems: ImportProblem[]) {
    for (const problem of problems) {
      this.rejectedLines.add(problem.line);
      if (this.items.length < PROBLEM_LIMIT) this.items.push(problem);
    }
  }
}

function emptyReport(kind: RegisterFileKind): ImportReport {
  return { kind, applied: false, read: 0, inserted: 0, amended: 0, unchanged: 0, rejected: 0, problems: [] };
}

async function requireSchool(store: Store, schoolId: string) {
  if (!(await store.getSchool(schoolId))) throw new AppError(404, 'not_found', `no school '${schoolId}'`);
}

function items<T>(kind: RegisterFileKind, source: ImportInput['source']): AsyncIterable<CsvItem<T>> {
  // The kind picks both the schema and T, which TypeScript cannot relate across the union.
  const spec = REGISTER_FILES[kind] as unknown as CsvFileSpec<z.ZodType<T>>;
  return 'pipe' in source ? readCsv(source as Readable, spec) : (source as AsyncIterable<CsvItem<T>>);
}

/** Reads and validates every row; a bad header becomes the report's only problems. */
async function collect<T>(kind: RegisterFileKind, input: ImportInput, onRow: (row: T, line: number) => Promise<void> | void) {
  const report = emptyReport(kind);
  const problems = new ProblemList();
  try {
    for await (const item of items<T>(kind, input.source)) {
      report.read += 1;
      if (item.ok) await onRow(item.value, item.line);
      else problems.add(item.problems);
      if (report.read % 50_000 === 0) input.onProgress?.({ rows: report.read });
    }
  } catch (error) {
    if (error instanceof CsvError) {
      // Broken CSV structure (a stray quote, binary bytes): the rest cannot be split into rows,
      // so the file is rejected with the line where reading stopped rather than failing the import.
      const line = typeof error.lines === 'number' ? error.lines : report.read + 1;
      problems.add([{ line, column: '', value: '', message: `the file cannot be read as CSV from this line on (${error.message.split(':')[0]}): is it the right file, saved as CSV?` }]);
    } else if (error instanceof CsvHeaderError) problems.add(error.problems);
    else throw error;
  }
  input.onProgress?.({ rows: report.read });
  return { report, problems };
}

function finish(report: ImportReport, problems: ProblemList): ImportReport {
  return { ...report, problems: problems.items, rejected: problems.rejectedLines.size };
}

/**
 * Imports register marks, all or nothing: rows stream into a staged import; any bad row, unknown
 * pupil or conflicting duplicate rejects the whole file with every problem listed.
 */
export async function importMarks(store: Store, input: ImportInput): Promise<ImportReport> {
  await requireSchool(store, input.schoolId);
  const staged = await store.beginMarksImport(input.schoolId, { actor: input.actor, reason: input.reason, at: input.at });
  try {
    let batch: MarkRow[] = [];
    const { report, problems } = await collect<MarkRowInput>('marks', input, async (row, line) => {
      batch.push({ ...row, line });
      if (batch.length >= BATCH_SIZE) {
        await staged.add(batch);
        batch = [];
      }
    });
    await staged.add(batch);
    if (problems.items.length === 0) problems.add(await staged.problems(PROBLEM_LIMIT));
    if (problems.items.length > 0) {
      await staged.abort();
      return finish(report, problems);
    }
    const result = await staged.commit();
    return finish({ ...report, ...result, applied: true }, problems);
  } catch (error) {
    await staged.abort();
    throw error;
  }
}

export async function importPupils(store: Store, input: ImportInput): Promise<ImportReport> {
  await requireSchool(store, input.schoolId);
  const rows: PupilRowInput[] = [];
  const firstLine = new Map<string, number>();
  const duplicates: ImportProblem[] = [];
  const { report, problems } = await collect<PupilRowInput>('pupils', input, (row, line) => {
    const earlier = firstLine.get(row.upn);
    if (earlier !== undefined) {
      duplicates.push({ line, column: 'upn', value: row.upn, message: `upn '${row.upn}' already appears on line ${earlier}` });
      return;
    }
    firstLine.set(row.upn, line);
    rows.push(row);
  });
  problems.add(duplicates);
  if (problems.items.length > 0) return finish(report, problems);
  const counts = await store.upsertPupils(
    input.schoolId,
    rows.map((r) => ({
      upn: r.upn,
      forename: r.forename,
      surname: r.surname,
      dateOfBirth: r.date_of_birth,
      yearGroup: r.year_group,
      vulnerability: r.vulnerability,
      onRoll: r.on_roll,
    })),
  );
  return finish({ ...report, applied: true, inserted: counts.inserted, amended: counts.updated }, problems);
}

/** Replaces the contacts of every pupil the file names; pupils it does not name keep theirs. */
export async function importContacts(store: Store, input: ImportInput): Promise<ImportReport> {
  await requireSchool(store, input.schoolId);
  const onRoll = new Set((await store.listPupils(input.schoolId)).map((p) => p.upn));
  const rows: ContactRowInput[] = [];
  const unknown: ImportProblem[] = [];
  const { report, problems } = await collect<ContactRowInput>('contacts', input, (row, line) => {
    if (!onRoll.has(row.upn)) unknown.push({ line, column: 'upn', value: row.upn, message: `upn '${row.upn}' is not a pupil of this school` });
    else rows.push(row);
  });
  problems.add(unknown);
  if (problems.items.length > 0) return finish(report, problems);
  const counts = await store.replaceContacts(
    input.schoolId,
    rows.map((r) => ({
      upn: r.upn,
      name: r.name,
      relationship: r.relationship,
      email: r.email ?? null,
      phone: r.phone ?? null,
      parentalResponsibility: r.parental_responsibility,
      livesWith: r.lives_with,
    })),
  );
  return finish({ ...report, applied: true, inserted: counts.contacts, amended: counts.pupils }, problems);
}

export const IMPORTERS: Record<RegisterFileKind, (store: Store, input: ImportInput) => Promise<ImportReport>> = {
  marks: importMarks,
  pupils: importPupils,
  contacts: importContacts,
};
