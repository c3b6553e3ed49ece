// `attendance purge cases|pupils|letters|audit|all` as an operator runs it: the real CLI in a child process, on its own database.
import { describe, it, expect } from 'vitest';
import { mkdtemp, mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freshDatabaseUrl, sql } from '../support/postgres.ts';
import { openPostgres } from '../../src/store/postgres/open.ts';
import { runCli, type CliRun } from '../support/run-cli.ts';

const SCHOOL = 'retention-school';
const YEAR = 365 * 24 * 3600 * 1000;
const now = Date.now();

/** A database with a case closed 8 years ago, one open as long, a pupil born 30 years ago who left; a mail dir with an old and a new .eml. */
async function seeded(): Promise<{ url: string; dataDir: string }> {
  const url = await freshDatabaseUrl();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'retention-'));
  await mkdir(path.join(dataDir, 'mail'));
  await writeFile(path.join(dataDir, 'mail', 'old.eml'), 'Subject: x\r\n');
  await writeFile(path.join(dataDir, 'mail', 'new.eml'), 'Subject: y\r\n');
  const fiveYearsAgo = new Date(now - 5 * YEAR);
  await utimes(path.join(dataDir, 'mail', 'old.eml'), fiveYearsAgo, fiveYearsAgo);
  // The copy of a letter of the open case: as old, but kept with its case.
  await writeFile(path.join(dataDir, 'mail', 'keep@test.eml'), 'Subject: z\r\n');
  await utimes(path.join(dataDir, 'mail', 'keep@test.eml'), fiveYearsAgo, fiveYearsAgo);
  const { store, close } = await openPostgres(url);
  try {
    await store.upsertTrust({ id: 'retention-trust', name: 'Retention Trust' });
    await store.upsertSchool({ id: SCHOOL, trustId: 'retention-trust', name: 'Retention School', workflowId: 'west-coventry', localAuthority: 'coventry' });
    const pupil = (upn: string, dateOfBirth: string, onRoll: boolean) => ({ upn, forename: 'Sam', surname: 'Oak', dateOfBirth, yearGroup: '11', vulnerability: [], onRoll });
    const born = new Date(now - 30 * YEAR).toISOString().slice(0, 10);
    await store.upsertPupils(SCHOOL, [pupil('CLOSED', '2012-01-01', true), pupil('OPEN', '2012-01-01', true), pupil('LEFT', born, false)]);
    const longAgo = new Date(now - 8 * YEAR);
    for (const [id, upn] of [['case-closed', 'CLOSED'], ['case-open', 'OPEN']] as const) {
      await store.createCase(
        { id, schoolId: SCHOOL, upn, workflowId: 'west-coventry', machineId: 'west-coventry', machineVersion: 1, state: 'stage1a', status: 'open', snapshot: { value: 'stage1a' }, openedAt: longAgo },
        { timeline: [{ id: `${id}-t`, at: longAgo, actor: 'system:test', type: 'opened', from: null, to: 'stage1a', evidence: {} }], effects: [] },
      );
    }
    await store.createMessage({
      id: 'm-open', effectId: 'e-open', caseId: 'case-open', schoolId: SCHOOL, template: 'letter-a', kind: 'letter', recipientRole: 'parent', recipientName: 'A Parent',
      recipientEmail: null, subject: 'Attendance', messageId: '<keep@test>', status: 'printOnly', pdf: null, createdAt: longAgo,
    });
    await store.commitTransition({ caseId: 'case-closed', expectedVersion: 1, state: 'closed', status: 'closed', snapshot: { value: 'closed' }, timeline: [], effects: [], at: longAgo });
  } finally {
    await close();
  }
  return { url, dataDir };
}

function purge(target: { url: string; dataDir: string }, ...args: string[]): Promise<CliRun> {
  return runCli(['purge', ...args], { DATABASE_URL: target.url, DATA_DIR: target.dataDir });
}

const held = async (url: string) => ({
  cases: (await sql<{ id: string }>(url, 'SELECT id FROM cases ORDER BY id')).map((r) => r.id),
  timeline: (await sql<{ id: string }>(url, 'SELECT id FROM case_timeline ORDER BY id')).map((r) => r.id),
  pupils: (await sql<{ upn: string }>(url, 'SELECT upn FROM pupils ORDER BY upn')).map((r) => r.upn),
});

describe('attendance purge (retention)', () => {
  it('when run with --dry-run, then it says what would go and deletes nothing', async () => {
    const target = await seeded();
    const result = await purge(target, 'all', '--dry-run');
    // The one line every command prints on stderr: which store it used (never the password).
    expect(result.stderr).toMatch(/^store: postgres:\/\/postgres:\*\*\*@[^\n]*\n$/);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^dry run: would remove 1 closed cases \(with timeline, tasks and letters\) from before \d{4}-\d\d-\d\d; nothing was deleted$/);
    expect(lines[1]).toMatch(/^dry run: would remove 1 pupils who left/);
    expect(lines[2]).toMatch(/^dry run: would remove 0 letters and emails of closed cases from before .* and 1 stored email file; nothing was deleted$/);
    expect(await held(target.url)).toEqual({ cases: ['case-closed', 'case-open'], timeline: ['case-closed-t', 'case-open-t'], pupils: ['CLOSED', 'LEFT', 'OPEN'] });
    expect((await readdir(path.join(target.dataDir, 'mail'))).sort()).toEqual(['keep@test.eml', 'new.eml', 'old.eml']);
    expect(await sql(target.url, `SELECT 1 FROM audit_log WHERE action = 'retention.purge'`)).toEqual([]);
  });

  it('when run for all kinds, then what is past its period goes, open cases stay, each kind is audited, and a second run finds nothing', async () => {
    const target = await seeded();
    const result = await purge(target, 'all');
    // The one line every command prints on stderr: which store it used (never the password).
    expect(result.stderr).toMatch(/^store: postgres:\/\/postgres:\*\*\*@[^\n]*\n$/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^removed 1 closed cases/m);
    expect(result.stdout).toMatch(/^removed 1 pupils who left/m);
    expect(result.stdout).toMatch(/and 1 stored email file$/m);
    expect(await held(target.url)).toEqual({ cases: ['case-open'], timeline: ['case-open-t'], pupils: ['CLOSED', 'OPEN'] });
    expect((await readdir(path.join(target.dataDir, 'mail'))).sort()).toEqual(['keep@test.eml', 'new.eml']);
    const audit = await sql<{ actor: string; kind: string; removed: number }>(
      target.url,
      `SELECT actor, detail->>'kind' AS kind, (detail->>'removed')::int AS removed FROM audit_log WHERE action = 'retention.purge' ORDER BY seq`,
    );
    expect(audit).toEqual([
      { actor: 'cli:purge', kind: 'cases', removed: 1 },
      { actor: 'cli:purge', kind: 'pupils', removed: 1 },
      { actor: 'cli:purge', kind: 'letters', removed: 0 },
      { actor: 'cli:purge', kind: 'audit', removed: 0 },
    ]);
    const again = await purge(target, 'cases');
    expect(again.stdout).toMatch(/^removed 0 closed cases/);
  });

  it('when --before or --force is given to a retention kind, then it stops with usage and deletes nothing', async () => {
    const target = await seeded();
    const result = await purge(target, 'cases', '--force');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("apply to 'purge register' only");
    expect((await held(target.url)).cases).toEqual(['case-closed', 'case-open']);
  });
});
