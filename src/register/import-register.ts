import { closeFixedContactTasks } from '../cases/register-duties.ts';
import type { Readable } from 'node:stream';
import { CsvError } from 'csv-parse';
import { AppError } from '../errors.ts';
import type { ImportProblem, MarkRow, MarksCsvStaging, MarksImport, StagedMarkProblem, Store } from '../store/types.ts';
import type { z } from 'zod';
import { checkHeader, CsvHeaderError, readCsv, validateRecord, type CsvFileSpec, type CsvItem } from './csv.ts';
import { CsvPrefix } from './csv-prefix.ts';
import { REGISTER_FILES, type ContactRowInput, type MarkRowInput, type PupilRowInput, type RegisterFileKind } from './rows.ts';
import { registerWritten } from './register-changes.ts';

/** The words of a problem the store finds in staged marks, the same whichever store found it. */
export function wordedProblem(problem: StagedMarkProblem): ImportProblem {
  return problem.kind === 'notOnRoll'
    ? { line: problem.line, column: 'upn', value: problem.upn, message: 'no pupil with this UPN is on the school roll' }
    : { line: problem.line, column: 'code', value: problem.code, message: `the same session is marked '${problem.firstCode}' on line ${problem.firstLine}` };
}

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
  const school = await store.getSchool(schoolId);
  if (!school) throw new AppError(404, 'not_found', `no school '${schoolId}'`);
  if (school.archivedAt) throw new AppError(409, 'school_archived', `${school.name} is archived: restore it before loading its register`);
}

function items<T>(kind: RegisterFileKind, source: ImportInput['source']): AsyncIterable<CsvItem<T>> {
  // The kind picks both the schema and T, which TypeScript cannot relate across the union.
  const spec = REGISTER_FILES[kind] as unknown as CsvFileSpec<z.ZodType<T>>;
  return 'pipe' in source ? readCsv(source as Readable, spec) : (source as AsyncIterable<CsvItem<T>>);
}

const PROGRESS_EVERY = 50_000;

/** Reads and validates rows into `into`; a bad header becomes the report's only problems. */
async function readItems<T>(
  source: AsyncIterable<CsvItem<T>>,
  input: ImportInput,
  into: { report: ImportReport; problems: ProblemList },
  onRow: (row: T, line: number) => Promise<void> | void,
) {
  const { report, problems } = into;
  try {
    for await (const item of source) {
      report.read += 1;
      if (item.ok) await onRow(item.value, item.line);
      else problems.add(item.problems);
      if (report.read % PROGRESS_EVERY === 0) input.onProgress?.({ rows: report.read });
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
}

async function collect<T>(kind: RegisterFileKind, input: ImportInput, onRow: (row: T, line: number) => Promise<void> | void) {
  const into = { report: emptyReport(kind), problems: new ProblemList() };
  await readItems(items<T>(kind, input.source), input, into, onRow);
  return into;
}

function finish(report: ImportReport, problems: ProblemList): ImportReport {
  return { ...report, problems: problems.items, rejected: problems.rejectedLines.size };
}

/** Stages rows through the schema, a batch at a time. */
function rowStager(staged: MarksImport) {
  let batch: MarkRow[] = [];
  const flush = async () => {
    await staged.add(batch);
    batch = [];
  };
  const add = async (row: MarkRow) => {
    batch.push(row);
    if (batch.length >= BATCH_SIZE) await flush();
  };
  return { add, flush };
}

/**
 * Stages a marks file through the store's own CSV reader: the bytes of its clean records go
 * straight to the store, which hands back only the records it cannot show to be good; those go
 * through the schema here, so every problem is named by it as before. From the first record that
 * is not clean on (see CsvPrefix), the file is read row by row.
 */
async function stageCsv(staged: MarksImport, csv: MarksCsvStaging, input: ImportInput & { source: Readable }) {
  const into = { report: emptyReport('marks'), problems: new ProblemList() };
  const spec = REGISTER_FILES.marks;
  const rows = rowStager(staged);
  const file = new CsvPrefix(input.source);
  const header = await file.readHeader();
  if (header) {
    const problems = checkHeader(header, spec);
    if (problems.length > 0) {
      into.problems.add(problems);
      return into;
    }
    let reported = 0;
    const onLines = (lines: number) => {
      if (lines - 1 - reported < PROGRESS_EVERY) return;
      reported = lines - 1;
      input.onProgress?.({ rows: reported });
    };
    await csv.copy(file.records(header.length, onLines), { columns: header, firstLine: 2 });
    into.report.read = file.lines - 1;
    for await (const suspects of csv.takeSuspects(BATCH_SIZE)) {
      for (const raw of suspects) {
        const item = validateRecord(spec, header, header.map((name) => raw[name as (typeof spec.required)[number]]), raw.line);
        if (item.ok) await rows.add({ ...item.value, line: raw.line });
        else into.problems.add(item.problems);
      }
    }
  }
  if (file.rest) {
    // The rest starts with the header, as line 1; its first record is line `file.lines + 1` of the file.
    const lineOffset = header ? file.lines - 1 : 0;
    await readItems(readCsv(file.rest, spec, lineOffset), input, into, (row, line) => rows.add({ ...row, line }));
  } else input.onProgress?.({ rows: into.report.read });
  await rows.flush();
  return into;
}

async function stageRows(staged: MarksImport, input: ImportInput) {
  const rows = rowStager(staged);
  const collected = await collect<MarkRowInput>('marks', input, (row, line) => rows.add({ ...row, line }));
  await rows.flush();
  return collected;
}

/**
 * Imports register marks, all or nothing: rows stream into a staged import; any bad row, unknown
 * pupil or conflicting duplicate rejects the whole file with every problem listed.
 */
export async function importMarks(store: Store, input: ImportInput): Promise<ImportReport> {
  await requireSchool(store, input.schoolId);
  const staged = await store.beginMarksImport(input.schoolId, { actor: input.actor, reason: input.reason, at: input.at });
  try {
    const { source } = input;
    const { report, problems } =
      staged.csv && 'pipe' in source ? await stageCsv(staged, staged.csv, { ...input, source }) : await stageRows(staged, input);
    if (problems.items.length === 0) problems.add((await staged.problems(PROBLEM_LIMIT)).map(wordedProblem));
    if (problems.items.length > 0) {
      await staged.abort();
      return finish(report, problems);
    }
    const result = await staged.commit();
    registerWritten(store, input.schoolId);
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
  registerWritten(store, input.schoolId);
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
      address: r.address,
    })),
  );
  // A contact-details task the import answered (an email, an address) closes itself.
  await closeFixedContactTasks(store, input.schoolId, input.actor, input.at);
  return finish({ ...report, applied: true, inserted: counts.contacts, amended: counts.pupils }, problems);
}

export const IMPORTERS: Record<RegisterFileKind, (store: Store, input: ImportInput) => Promise<ImportReport>> = {
  marks: importMarks,
  pupils: importPupils,
  contacts: importContacts,
};
