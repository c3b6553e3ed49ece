// One retention run: each kind in batches (one transaction each) until none is left, then the .eml
// copies older than the letters' period whose message is no longer held (an open case keeps its
// letters, and their copies). Files go after the rows: a crash between leaves copies of deleted
// rows, which the next run removes. Re-running after a crash just finishes the work.
import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditRecorder } from '../access/audit.ts';
import { emlName } from '../mail/mailer.ts';
import type { RetentionKind, Store } from '../store/types.ts';
import { cutoff, type RetentionRule } from './policy.ts';
import { registerWritten } from '../register/register-changes.ts';

export const RETENTION_BATCH = 200;

export interface RetentionResult {
  kind: RetentionKind;
  before: Date;
  removed: number;
  emlFiles: number;
  dryRun: boolean;
}

/** The .eml copies written before `before` of messages no longer held: the database row is the record, the file its copy. */
async function expiredEml(store: Store, dataDir: string, before: Date): Promise<string[]> {
  const dir = join(dataDir, 'mail');
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const held = new Set((await store.heldMessageIdsBefore(before)).map(emlName));
  const expired: string[] = [];
  for (const name of names.filter((n) => n.endsWith('.eml') && !held.has(n))) {
    const info = await stat(join(dir, name)).catch(() => null);
    if (info && info.mtime < before) expired.push(join(dir, name));
  }
  return expired;
}

export async function runRetention(
  deps: { store: Store; audit: AuditRecorder; dataDir: string },
  rule: RetentionRule,
  options: { now: Date; dryRun: boolean; actor: string; batch?: number },
): Promise<RetentionResult> {
  const before = cutoff(options.now, rule.years);
  if (options.dryRun) {
    // Counts the copies of no held message; copies of the rows this run would delete are in the rows' count.
    const going = rule.kind === 'letters' ? await expiredEml(deps.store, deps.dataDir, before) : [];
    return { kind: rule.kind, before, removed: await deps.store.countExpired(rule.kind, before), emlFiles: going.length, dryRun: true };
  }
  let removed = 0;
  for (;;) {
    const batch = await deps.store.purgeExpiredBatch(rule.kind, before, options.batch ?? RETENTION_BATCH);
    removed += batch;
    if (batch === 0) break;
  }
  // Pupils erased leave the schools' rolls and registers.
  if (removed > 0) registerWritten(deps.store, null);
  let emlFiles = 0;
  for (const file of rule.kind === 'letters' ? await expiredEml(deps.store, deps.dataDir, before) : []) {
    await unlink(file).then(
      () => emlFiles++,
      (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      },
    );
  }
  await deps.audit(options.actor, 'retention.purge', {}, { kind: rule.kind, before: before.toISOString(), years: rule.years, removed, emlFiles });
  return { kind: rule.kind, before, removed, emlFiles, dryRun: false };
}
