// The drop folder: REGISTER_DROP_DIR/<school id>/ is where a school's MIS (its scheduled export,
// or SFTP) leaves register files. The worker looks every few seconds; a file that has stopped
// growing is claimed by an atomic rename into processing/ (of two workers, one rename wins),
// imported once through the same path as the upload page, then moved to done/ or failed/ with
// <name>.report.txt beside it. A failed file raises a task for the school.
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { londonDate } from '../domain/london-time.ts';
import { DROP_TASK_KIND, importFeedFile, type FeedDeps, type FeedOutcome } from '../register/register-feed.ts';
import { formatReport } from '../register/report-text.ts';
import type { RegisterKind } from '../store/types.ts';
import { auditRecorder } from '../access/audit.ts';

const SUBFOLDERS = ['processing', 'done', 'failed'] as const;

/**
 * The kind a file's name tells (case aside): pupils or students → pupils; contacts, parents,
 * guardians or carers → contacts; marks, attendance or sessions → marks. A name that tells none,
 * or more than one, is told by its header.
 */
export function kindOfName(name: string): RegisterKind | null {
  const lower = name.toLowerCase();
  const told = (
    [
      ['pupils', /pupil|student/],
      ['contacts', /contact|parent|guardian|carer/],
      ['marks', /mark|attendance|session/],
    ] as const
  ).filter(([, pattern]) => pattern.test(lower));
  return told.length === 1 ? told[0]![0] : null;
}

/** Files still being written are left alone: names starting with '.', and ones ending .tmp or .part. */
const isCandidate = (name: string) => !name.startsWith('.') && !/\.(tmp|part)$/i.test(name);

export interface DropFolderOptions extends FeedDeps {
  dir: string;
  pollMs: number;
  /** This worker's id (its lease): a file in processing/ is named for the worker that claimed it. */
  workerId: string;
}

/** processing/<worker id>~<claim id>~<the file's name>. */
const CLAIM = /^(.+?)~[0-9a-f]{8}~(.+)$/;

export interface DropSummary {
  imported: number;
  failed: number;
}

/** The outcome in a report's words, for the file beside it and the task's title. */
function reportText(name: string, outcome: FeedOutcome): { ok: boolean; text: string; why: string } {
  if (outcome.status === 'not-csv') return { ok: false, text: `${name}: not imported\n  ${outcome.message}`, why: 'it is not a CSV file' };
  if (outcome.status === 'unrecognised') {
    const text = `${name}: not imported\n  Its columns (${(outcome.header ?? []).join(', ') || 'none'}) are not ones the service knows${outcome.kind ? ` for ${outcome.kind}` : ' for pupils, contacts or marks'}. Upload it once on the school's "Load the register" page to match them; the mapping is then used for this folder too.`;
    return { ok: false, text, why: 'its columns are not recognised' };
  }
  const lines = [formatReport(outcome.report)];
  if (outcome.notEvaluated) lines.push(`  ${outcome.notEvaluated}`);
  if (outcome.evaluation) lines.push(`  the school was evaluated as of ${outcome.evaluation.asOf}: ${outcome.evaluation.opened} new cases`);
  return { ok: outcome.report.applied, text: lines.join('\n'), why: `${outcome.report.rejected} rows have problems` };
}

/** A name in `folder` not yet taken: the file's own, else with the time before its extension. */
async function freeName(folder: string, name: string, at: Date): Promise<string> {
  const taken = await stat(path.join(folder, name)).then(
    () => true,
    () => false,
  );
  if (!taken) return name;
  const ext = path.extname(name);
  return `${path.basename(name, ext)}-${at.toISOString().replace(/[:.]/g, '-')}${ext}`;
}

export function startDropFolder(options: DropFolderOptions) {
  const { dir, pollMs, logger, store } = options;
  /** What each file looked like at the last look: a file is taken only when it has not changed since. */
  const seen = new Map<string, string>();
  const totals: DropSummary = { imported: 0, failed: 0 };
  // Kept as an upload is: who (the drop folder), which school, what kind, with what result.
  const audit = auditRecorder(store, () => new Date());
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;
  let stopped = false;

  async function take(schoolId: string, folder: string, name: string): Promise<'imported' | 'failed' | null> {
    const claimed = path.join(folder, 'processing', `${options.workerId}~${randomUUID().slice(0, 8)}~${name}`);
    try {
      await rename(path.join(folder, name), claimed);
    } catch {
      // Another worker took it first (or it went away): nothing to do.
      return null;
    }
    let outcome: FeedOutcome;
    const source = createReadStream(claimed);
    try {
      outcome = await importFeedFile(options, { schoolId, kind: kindOfName(name), source, actor: 'system:drop-folder', reason: `drop folder file ${name}` });
    } catch (error) {
      // The import writes all or nothing: the file goes back to be tried at the next look.
      logger.warn({ err: error, schoolId }, 'drop folder import failed; the file will be tried again');
      await rename(claimed, path.join(folder, await freeName(folder, name, new Date())));
      return null;
    } finally {
      source.destroy();
    }
    const at = new Date();
    const { ok, text, why } = reportText(name, outcome);
    const target = path.join(folder, ok ? 'done' : 'failed');
    const finalName = await freeName(target, name, at);
    await writeFile(path.join(target, `${finalName}.report.txt`), `${text}\n`);
    await rename(claimed, path.join(target, finalName));
    if (!ok) {
      await store.createTask({
        id: `${DROP_TASK_KIND}:${schoolId}:${randomUUID()}`,
        caseId: null,
        schoolId,
        kind: DROP_TASK_KIND,
        title: `The register file “${name}” from the drop folder was not imported: ${why}. Its report is beside it in failed/${finalName}.report.txt.`,
        dueDate: londonDate(options.clock.now()),
        createdAt: at,
      });
    }
    const counts = 'report' in outcome ? { read: outcome.report.read, rejected: outcome.report.rejected } : {};
    await audit('system:drop-folder', 'register.import', { schoolId }, { kind: outcome.kind, via: 'drop-folder', applied: ok, ...counts });
    logger.info({ schoolId, kind: outcome.kind, imported: ok }, 'drop folder file');
    return ok ? 'imported' : 'failed';
  }

  /**
   * A worker killed mid-import left its file in processing/ (the import itself wrote nothing): once
   * its lease is gone from the store (another worker found it dead), the file goes back to be taken again.
   */
  async function reclaim(folder: string, live: Set<string>) {
    for (const claimed of await readdir(path.join(folder, 'processing'))) {
      const match = CLAIM.exec(claimed);
      if (!match || live.has(match[1]!)) continue;
      await rename(path.join(folder, 'processing', claimed), path.join(folder, await freeName(folder, match[2]!, new Date()))).catch(() => {});
      logger.warn({ folder: path.basename(folder) }, 'drop folder file of a dead worker put back to be imported again');
    }
  }

  async function pollSchool(schoolId: string, summary: DropSummary, live: Set<string>) {
    const folder = path.join(dir, schoolId);
    for (const sub of SUBFOLDERS) await mkdir(path.join(folder, sub), { recursive: true });
    await reclaim(folder, live);
    const entries = (await readdir(folder, { withFileTypes: true })).filter((entry) => entry.isFile() && isCandidate(entry.name));
    const present = new Set(entries.map((entry) => path.join(folder, entry.name)));
    // Files gone since (taken by another worker) are forgotten.
    for (const file of seen.keys()) if (path.dirname(file) === folder && !present.has(file)) seen.delete(file);
    for (const entry of entries) {
      const file = path.join(folder, entry.name);
      const info = await stat(file).catch(() => null);
      if (!info) continue;
      const look = `${info.size}:${info.mtimeMs}`;
      const before = seen.get(file);
      seen.set(file, look);
      if (before !== look) continue;
      seen.delete(file);
      const result = await take(schoolId, folder, entry.name);
      if (result) summary[result === 'imported' ? 'imported' : 'failed'] += 1;
    }
  }

  /** One look in every school's folder. */
  async function pollOnce(): Promise<DropSummary> {
    const summary: DropSummary = { imported: 0, failed: 0 };
    const live = new Set([options.workerId, ...(await store.listWorkers()).map((worker) => worker.id)]);
    for (const school of await store.listSchools()) {
      try {
        await pollSchool(school.id, summary, live);
      } catch (error) {
        logger.warn({ err: error, schoolId: school.id }, 'drop folder could not be read');
      }
    }
    totals.imported += summary.imported;
    totals.failed += summary.failed;
    return summary;
  }

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = pollOnce()
        .catch((error: unknown) => logger.warn({ err: error }, 'drop folder look failed'))
        .finally(() => {
          running = null;
          schedule();
        });
    }, pollMs);
  };
  schedule();

  return {
    pollOnce,
    /** Files this watcher imported and failed since it started. */
    totals: () => ({ ...totals }),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

export type DropFolder = ReturnType<typeof startDropFolder>;
