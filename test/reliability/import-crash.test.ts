import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, readlink, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { freshDatabaseUrl, sql } from '../support/postgres.ts';
import { openPostgres, type OpenedPostgres } from '../../src/store/postgres/open.ts';
import { importPupils } from '../../src/register/import-register.ts';
import { machineFor } from '../../src/cases/case-machines.ts';
import { SCHOOL, spawnCli, upnOf, waitFor } from './support/harness.ts';
import { reportFigures } from './support/figures.ts';

const PUPILS = 500;
const days = machineFor(SCHOOL).calendar.schoolDays('2024-09-03', '2024-12-20');

/** Sessions the amended export changes: both of every seventh pupil-day. */
const AMENDED = Array.from({ length: PUPILS }, (_, p) => days.filter((_d, d) => (p + d) % 7 === 0).length * 2).reduce((a, b) => a + b, 0);

/** Writes a marks file for every pupil and school day; `variant` changes every seventh code (an amended export). */
async function writeMarks(file: string, variant: number) {
  const out = createWriteStream(file);
  out.write('upn,date,session,code\n');
  for (let p = 0; p < PUPILS; p++) {
    const lines: string[] = [];
    for (const [d, date] of days.entries()) {
      const amended = variant > 0 && (p + d) % 7 === 0;
      lines.push(`${upnOf(p)},${date},AM,${amended ? 'I' : '/'}`, `${upnOf(p)},${date},PM,${amended ? 'M' : '\\'}`);
    }
    if (!out.write(`${lines.join('\n')}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

/** How far the process has read `file`: its descriptor's offset from /proc, or null once it closed the file. */
async function readOffset(pid: number, file: string): Promise<number | null> {
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
  for (const fd of fds) {
    if ((await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')) !== file) continue;
    const info = await readFile(`/proc/${pid}/fdinfo/${fd}`, 'utf8').catch(() => '');
    return Number(/pos:\s*(\d+)/.exec(info)?.[1] ?? 0);
  }
  return null;
}

/** The school's register as one comparable value. */
const registerOf = async (url: string) =>
  (
    await sql<{ n: number; digest: string | null }>(
      url,
      "SELECT count(*)::int AS n, md5(string_agg(upn || date || session || code, ',' ORDER BY upn, date, session)) AS digest FROM marks WHERE school_id = $1",
      [SCHOOL.id],
    )
  )[0]!;
const amendmentsOf = async (url: string) => (await sql<{ n: number }>(url, 'SELECT count(*)::int AS n FROM mark_amendments'))[0]!.n;

describe('a marks import killed with SIGKILL', () => {
  let url: string;
  let db: OpenedPostgres;
  let dir: string;
  const figures: { killedAtFraction: number; rowsAfter: number; outcome: string }[] = [];

  beforeAll(async () => {
    url = await freshDatabaseUrl();
    db = await openPostgres(url);
    await db.store.upsertTrust({ id: 'atlp', name: 'ATLP' });
    await db.store.upsertSchool({ ...SCHOOL, trustId: 'atlp', name: 'West Coventry Academy' });
    const pupils = Array.from({ length: PUPILS }, (_, i) => `${upnOf(i)},Pat,Number${i},2011-01-01,9`).join('\n');
    const report = await importPupils(db.store, { schoolId: SCHOOL.id, source: Readable.from([Buffer.from(`upn,forename,surname,date_of_birth,year_group\n${pupils}\n`)]), actor: 'test', reason: 'fixture', at: new Date() });
    expect(report.applied).toBe(true);
    dir = await mkdtemp(path.join(tmpdir(), 'attendance-import-crash-'));
    await writeMarks(path.join(dir, 'marks.csv'), 0);
    await writeMarks(path.join(dir, 'amended.csv'), 1);
  }, 60_000);
  afterAll(async () => {
    await reportFigures('import-crash', { rows: PUPILS * days.length * 2, bytes: (await stat(path.join(dir, 'marks.csv'))).size, kills: figures });
    await db?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Starts `import marks`, kills it once it has read `fraction` of the file (1: after reading it all, during the commit). */
  async function importKilledAt(file: string, fraction: number) {
    const size = (await stat(file)).size;
    const child = spawnCli(['import', 'marks', file, '--school', SCHOOL.id], { DATABASE_URL: url });
    let sawFile = false;
    await waitFor(
      `the import to read ${fraction * 100}% of ${file}`,
      async () => {
        if (child.child.exitCode !== null) return true;
        const offset = await readOffset(child.child.pid!, file);
        if (offset !== null) sawFile = true;
        return fraction < 1 ? offset !== null && offset >= fraction * size : sawFile && offset === null;
      },
      60_000,
      5,
    );
    const finishedFirst = child.child.exitCode !== null;
    await child.kill9();
    return { finishedFirst, output: child.output() };
  }

  it('when it is killed part-way through the first import, then the register stays empty; when run again, then every row is there', async () => {
    const file = path.join(dir, 'marks.csv');
    for (const fraction of [0.25, 0.6, 0.95]) {
      const { finishedFirst } = await importKilledAt(file, fraction);
      expect(finishedFirst).toBe(false);
      const after = await registerOf(url);
      figures.push({ killedAtFraction: fraction, rowsAfter: after.n, outcome: after.n === 0 ? 'absent' : 'complete' });
      expect(after.n).toBe(0);
    }
    const done = spawnCli(['import', 'marks', file, '--school', SCHOOL.id], { DATABASE_URL: url });
    expect(await done.exited, done.output()).toBe(0);
    expect((await registerOf(url)).n).toBe(PUPILS * days.length * 2);
  }, 120_000);

  it('when an amended export is killed at any point, even during its commit, then the register is the old one or the new one, never a mix', async () => {
    const before = await registerOf(url);
    const file = path.join(dir, 'amended.csv');
    for (const fraction of [0.5, 1]) {
      await importKilledAt(file, fraction);
      const after = await registerOf(url);
      const amendments = await amendmentsOf(url);
      const outcome = after.digest === before.digest && amendments === 0 ? 'absent' : 'complete';
      figures.push({ killedAtFraction: fraction, rowsAfter: after.n, outcome });
      expect(after.n).toBe(before.n);
      if (outcome === 'absent') continue;
      // The commit went through before the kill: then all of it, with an amendment for every changed mark.
      expect(amendments).toBe(AMENDED);
      return;
    }
    const done = spawnCli(['import', 'marks', file, '--school', SCHOOL.id], { DATABASE_URL: url });
    expect(await done.exited, done.output()).toBe(0);
    expect((await registerOf(url)).digest).not.toBe(before.digest);
    expect(await amendmentsOf(url)).toBe(AMENDED);
  }, 120_000);
});
