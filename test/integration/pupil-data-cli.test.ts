// `attendance pupil-data export|erase` as an operator runs it: the real CLI in a child process, on its own database.
import { describe, it, expect } from 'vitest';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { freshDatabaseUrl, sql } from '../support/postgres.ts';
import { openPostgres } from '../../src/store/postgres/open.ts';
import { runCli, type CliRun } from '../support/run-cli.ts';


async function seeded(): Promise<string> {
  const url = await freshDatabaseUrl();
  const { store, close } = await openPostgres(url);
  try {
    await store.upsertTrust({ id: 'sar-trust', name: 'SAR Trust' });
    await store.upsertSchool({ id: 'sar-school', trustId: 'sar-trust', name: 'SAR School', workflowId: 'west-coventry', localAuthority: 'coventry' });
    const pupil = (upn: string, dateOfBirth: string, onRoll: boolean) => ({ upn, forename: 'Robin', surname: 'Hazel', dateOfBirth, yearGroup: '11', vulnerability: [], onRoll });
    await store.upsertPupils('sar-school', [pupil('OLD', '1980-01-01', false), pupil('NOW', '2012-01-01', true)]);
  } finally {
    await close();
  }
  return url;
}

function cli(url: string, dataDir: string, ...args: string[]): Promise<CliRun> {
  return runCli(['pupil-data', ...args], { DATABASE_URL: url, DATA_DIR: dataDir });
}

describe('attendance pupil-data', () => {
  it('when an operator exports a pupil, then a 0600 zip of their data is written and the audit entry names a reference only', async () => {
    const url = await seeded();
    const dir = await mkdtemp(path.join(tmpdir(), 'sar-'));
    const out = path.join(dir, 'robin.zip');
    const result = await cli(url, dir, 'export', '--school', 'sar-school', '--upn', 'NOW', '--out', out);
    // The one line every command prints on stderr: which store it used (never the password).
    expect(result.stderr).toMatch(/^store: postgres:\/\/postgres:\*\*\*@[^\n]*\n$/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^wrote .*robin\.zip \(\d+ bytes\); audit reference sar-/);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    const files = unzipSync(new Uint8Array(await readFile(out)));
    expect(JSON.parse(strFromU8(files['pupil.json']!))).toMatchObject({ upn: 'NOW', surname: 'Hazel' });
    const audit = await sql<{ actor: string; upn: string | null; detail: { reference: string } }>(url, `SELECT actor, upn, detail FROM audit_log WHERE action = 'pupil.export'`);
    expect(audit).toEqual([{ actor: 'cli:pupil-data', upn: null, detail: expect.objectContaining({ reference: expect.stringMatching(/^sar-/) }) }]);
  });

  it('when an operator erases a pupil on roll, then it is refused; one past retention is erased and audited', async () => {
    const url = await seeded();
    const dir = await mkdtemp(path.join(tmpdir(), 'sar-'));
    const refused = await cli(url, dir, 'erase', '--school', 'sar-school', '--upn', 'NOW');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('refused: the pupil is still on roll');
    const erased = await cli(url, dir, 'erase', '--school', 'sar-school', '--upn', 'OLD');
    expect(erased.code).toBe(0);
    expect(erased.stdout).toMatch(/^erased; audit reference sar-/);
    expect(await sql(url, `SELECT upn FROM pupils ORDER BY upn`)).toEqual([{ upn: 'NOW' }]);
    expect(await sql(url, `SELECT 1 FROM audit_log WHERE action = 'pupil.erase' AND upn IS NULL`)).toHaveLength(1);
  });
});
