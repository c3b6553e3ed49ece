// One register file from a school's MIS, however it arrives (the upload page, the drop folder):
// its header read and renamed by the school's mapping or a preset, then the same import the CLI
// runs, then, after marks, the school evaluated as the API does.
import type { Readable } from 'node:stream';
import { CsvError } from 'csv-parse';
import { evaluateSchool, type EvaluationSummary } from '../cases/evaluate-school.ts';
import type { Clock } from '../clock.ts';
import { londonDate } from '../domain/london-time.ts';
import { CalendarCoverageError } from '../domain/calendar.ts';
import { hasNoTermDates } from '../calendars/school-calendars.ts';
import type { Logger } from '../logger.ts';
import { REGISTER_KINDS, type RegisterKind, type Store } from '../store/types.ts';
import { judgeHeader, readHead, renamed, type HeaderPlan } from './column-mapping.ts';
import { IMPORTERS, type ImportReport } from './import-register.ts';

/** The kind of task a drop-folder file that was not imported raises for its school. */
export const DROP_TASK_KIND = 'register-file-failed';

export interface FeedDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
}

export interface FeedFile {
  schoolId: string;
  /** The kind the file is for; null to tell it by its header (the drop folder's files). */
  kind: RegisterKind | null;
  source: AsyncIterable<Buffer | string>;
  actor: string;
  reason: string;
  /** A preset the school chose to try first. */
  preset?: string;
}

export type FeedOutcome =
  | {
      status: 'imported' | 'rejected';
      kind: RegisterKind;
      /** The file's header as read (trimmed, lower case); empty when it had none. */
      header: string[];
      plan: HeaderPlan | null;
      report: ImportReport;
      evaluation: EvaluationSummary | null;
      /** Why the school could not be evaluated after its marks were imported (no term dates for today): the marks stay imported. */
      notEvaluated: string | null;
    }
  /** The file's first bytes show it is not CSV (a spreadsheet, UTF-16 text): why, in words. */
  | { status: 'not-csv'; kind: RegisterKind | null; message: string }
  /** The header fits no kind (or not the kind named) by our names, the school's mapping or a preset: the mapping step. */
  | { status: 'unrecognised'; kind: RegisterKind | null; header: string[] | null };

/** Which kind a header is for, when exactly one kind's names, mapping or preset fit it. */
async function kindOfHeader(store: Store, schoolId: string, header: string[], preset?: string): Promise<RegisterKind | null> {
  const fitting: RegisterKind[] = [];
  for (const kind of REGISTER_KINDS) {
    if (judgeHeader(kind, header, await store.getRegisterMapping(schoolId, kind), preset).fits) fitting.push(kind);
  }
  return fitting.length === 1 ? fitting[0]! : null;
}

/** A structure error the renaming read hit: the file is rejected with the line, as the importer words it. */
function unreadable(kind: RegisterKind, error: CsvError): ImportReport {
  const line = typeof error.lines === 'number' ? error.lines : 0;
  const problem = { line, column: '', value: '', message: `the file cannot be read as CSV from this line on (${error.message.split(':')[0]}): is it the right file, saved as CSV?` };
  return { kind, applied: false, read: 0, inserted: 0, amended: 0, unchanged: 0, rejected: 1, problems: [problem] };
}

export async function importFeedFile(deps: FeedDeps, file: FeedFile): Promise<FeedOutcome> {
  const { store } = deps;
  const { header, notCsv, file: whole } = await readHead(file.source);
  if (notCsv) {
    whole.destroy();
    return { status: 'not-csv', kind: file.kind, message: notCsv };
  }
  const kind = file.kind ?? (header ? await kindOfHeader(store, file.schoolId, header, file.preset) : null);
  // A file with no header line at all goes to the importer, whose report says so.
  if (!kind) return { status: 'unrecognised', kind: null, header };
  const verdict = header ? judgeHeader(kind, header, await store.getRegisterMapping(file.schoolId, kind), file.preset) : { fits: true as const, plan: null };
  if (!verdict.fits) {
    whole.destroy();
    return { status: 'unrecognised', kind, header };
  }
  const source: Readable = renamed(whole, verdict.plan);
  let report: ImportReport;
  try {
    report = await IMPORTERS[kind](store, { schoolId: file.schoolId, source, actor: file.actor, reason: file.reason, at: deps.clock.now() });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    report = unreadable(kind, error);
  }
  if (!report.applied) return { status: 'rejected', kind, header: header ?? [], plan: verdict.plan, report, evaluation: null, notEvaluated: null };
  if (kind !== 'marks') return { status: 'imported', kind, header: header ?? [], plan: verdict.plan, report, evaluation: null, notEvaluated: null };
  try {
    const evaluation = await evaluateSchool(deps, file.schoolId, londonDate(deps.clock.now()));
    return { status: 'imported', kind, header: header ?? [], plan: verdict.plan, report, evaluation, notEvaluated: null };
  } catch (error) {
    // The marks are in: a calendar that does not reach today is said, not taken for a failed import.
    if (!(error instanceof CalendarCoverageError) && !hasNoTermDates(error)) throw error;
    const notEvaluated = `the school could not be evaluated today: ${error instanceof Error ? error.message : String(error)}`;
    return { status: 'imported', kind, header: header ?? [], plan: verdict.plan, report, evaluation: null, notEvaluated };
  }
}
