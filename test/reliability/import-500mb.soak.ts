import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { freshDatabaseUrl, sql } from '../support/postgres.ts';
import { openPostgres, type OpenedPostgres } from '../../src/store/postgres/open.ts';
import { importPupils } from '../../src/register/import-register.ts';
import { calendarFor, getWorkflow } from '../../workflows/index.ts';
import { SCHOOL, spawnCli, upnOf } from './support/harness.ts';
import { reportFigures } from './support/figures.ts';

const TARGET_BYTES = 500 * 1024 * 1024;
const days = calendarFor(getWorkflow(SCHOOL.workflowId), SCHOOL.localAuthority).schoolDays('2024-09-03', '2025-07-18');
// ~29 bytes a row and 2 sessions a day: enough pupils for 500 MB.
const PUPILS = Math.ceil(TARGET_BYTES / (29 * 2 * days.length));

/** Writes the file (generated here, never committed) with one impossible date near its end; returns that row's line. */
async function writeHugeMarks(file: string): Promise<{ badLine: number; rows: number }> {
  const out = createWriteStream(file, { highWaterMark: 4 * 1024 * 1024 });
  let line = 1;
  out.write('upn,date,session,code\n');
  const badPupil = PUPILS - 3;
  let badLine = 0;
  for (let p = 0; p < PUPILS; p++) {
    const lines: string[] = [];
    for (const date of days) {
      const shown = p === badPupil && date === days[10] ? '2025-02-30' : date;
      lines.push(`${upnOf(p)},${shown},AM,/`, `${upnOf(p)},${date},PM,\\`);
      if (shown !== date) badLine = line + lines.length - 1;
    }
    line += lines.length;
    if (!out.write(`${lines.join('\n')}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return { badLine, rows: line - 1 };
}

describe('a 500 MB marks file with one bad row near its end', () => {
  let url: string;
  let db: OpenedPostgres;
  let dir: string;

  beforeAll(async () => {
    url = await freshDatabaseUrl();
    db = await openPostgres(url);
    await db.store.upsertTrust({ id: 'atlp', name: 'ATLP' });
    await db.store.upsertSchool({ ...SCHOOL, trustId: 'atlp', name: 'West Coventry Academy' });
    const pupils = Array.from({ length: PUPILS }, (_, i) => `${upnOf(i)},Pat,Number${i},2011-01-01,9`).join('\n');
    const report = await importPupils(db.store, { schoolId: SCHOOL.id, source: Readable.from([Buffer.from(`upn,forename,surname,date_of_birth,year_group\n${pupils}\n`)]), actor: 'test', reason: 'fixture', at: new Date() });
    expect(report.applied).toBe(true);
    dir = await mkdtemp(path.join(tmpdir(), 'attendance-500mb-'));
  });
  afterAll(async () => {
    await db?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('when the CLI imports it, then the report names the bad line, nothing is imported, and memory stays flat', async () => {
    const file = path.join(dir, 'marks.csv');
    const { badLine, rows } = await writeHugeMarks(file);
    const bytes = (await stat(file)).size;
    expect(bytes).toBeGreaterThanOrEqual(TARGET_BYTES);

    const started = Date.now();
    const child = spawnCli(['import', 'marks', file, '--school', SCHOOL.id], { DATABASE_URL: url });
    let peakRssKb = 0;
    const sampling = setInterval(() => {
      void readFile(`/proc/${child.child.pid}/status`, 'utf8')
        .then((status) => (peakRssKb = Math.max(peakRssKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0))))
        .catch(() => {});
    }, 250);
    const code = await child.exited;
    clearInterval(sampling);
    const seconds = (Date.now() - started) / 1000;
    const marks = (await sql<{ n: number }>(url, 'SELECT count(*)::int AS n FROM mark_sessions'))[0]!.n;
    await reportFigures('import-500mb', { bytes, rows, badLine, seconds, peakRssMb: Math.round(peakRssKb / 1024), exitCode: code, marksAfter: marks });

    expect(code, child.output()).toBe(1);
    expect(child.output()).toContain('marks: REJECTED, nothing was imported');
    expect(child.output()).toContain(`rows read ${rows},`);
    expect(child.output()).toMatch(new RegExp(`line ${badLine}, date: date '2025-02-30'`));
    expect(marks).toBe(0);
    // Streamed: the process holds batches, not the file.
    expect(peakRssKb / 1024).toBeLessThan(1024);
  });
});
