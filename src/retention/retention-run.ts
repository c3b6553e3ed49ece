// One retention run: each kind in batches (one transaction each) until none is left, then the .eml
// copies older than the letters' period. Re-running after a crash just finishes the work.
import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditRecorder } from '../access/audit.ts';
import type { RetentionKind, Store } from '../store/types.ts';
import { cutoff, type RetentionRule } from './policy.ts';

export const RETENTION_BATCH = 200;

export interface RetentionResult {
  kind: RetentionKind;
  before: Date;
  removed: number;
  emlFiles: number;
  dryRun: boolean;
}

/** The .eml copies written before `before`: the database row is the record, the file its copy. */
async function expiredEml(dataDir: string, before: Date): Promise<string[]> {
  const dir = join(dataDir, 'mail');
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const expired: string[] = [];
  for (const name of names.filter((n) => n.endsWith('.eml'))) {
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
  const eml = rule.kind === 'letters' ? await expiredEml(deps.dataDir, before) : [];
  if (options.dryRun) {
    return { kind: rule.kind, before, removed: await deps.store.countExpired(rule.kind, before), emlFiles: eml.length, dryRun: true };
  }
  let removed = 0;
  for (;;) {
    const batch = await deps.store.purgeExpiredBatch(rule.kind, before, options.batch ?? RETENTION_BATCH);
    removed += batch;
    if (batch === 0) break;
  }
  let emlFiles = 0;
  for (const file of eml) {
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
