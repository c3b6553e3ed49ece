// A 500,000-mark file through the upload page of a real `serve` process, the file streamed from
// disk in a multipart POST: the server's peak RSS is recorded (as import-500mb.soak.ts does for
// the CLI). A measurement, not a timed test: its figures go to test/.tmp/reliability-figures.jsonl.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { freshDatabaseUrl, sql } from '../support/postgres.ts';
import { openPostgres, type OpenedPostgres } from '../../src/store/postgres/open.ts';
import { importPupils } from '../../src/register/import-register.ts';
import { hashPassword } from '../../src/access/passwords.ts';
import { calendarFor, getWorkflow } from '../../workflows/index.ts';
import { SCHOOL, startServe, upnOf, type Child } from './support/harness.ts';
import { reportFigures } from './support/figures.ts';

const MARKS = 500_000;
const days = calendarFor(getWorkflow(SCHOOL.workflowId), SCHOOL.localAuthority).schoolDays('2024-09-03', '2025-07-18');
const PUPILS = Math.ceil(MARKS / (2 * days.length));
const PASSWORD = 'correct horse battery staple';

/** The file as SIMS names its columns, with a column the import leaves out: the slower of the page's two paths (each row rewritten). */
async function writeMarks(file: string): Promise<number> {
  const out = createWriteStream(file, { highWaterMark: 4 * 1024 * 1024 });
  out.write('UPN,Date,Session Name,Mark,Reg Group\r\n');
  let rows = 0;
  for (let p = 0; p < PUPILS && rows < MARKS; p++) {
    const lines: string[] = [];
    for (const date of days) {
      if (rows >= MARKS) break;
      lines.push(`${upnOf(p)},${date},AM,/,9T`, `${upnOf(p)},${date},PM,${p % 7 === 0 ? 'O' : '\\'},9T`);
      rows += 2;
    }
    if (!out.write(`${lines.join('\r\n')}\r\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return rows;
}

/** POSTs the form with the file streamed from disk, as a browser sends it. */
async function postUpload(url: string, cookie: string, csrf: string, file: string): Promise<{ status: number; body: string }> {
  const boundary = `----soak${Date.now()}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nmarks\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="marks.csv"\r\nContent-Type: text/csv\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const length = head.length + (await stat(file)).size + tail.length;
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/schools/${SCHOOL.id}/register/upload`,
      { method: 'POST', headers: { Cookie: cookie, 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': length } },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    Readable.from(
      (async function* () {
        yield head;
        yield* createReadStream(file, { highWaterMark: 1024 * 1024 });
        yield tail;
      })(),
    ).pipe(req);
  });
}

describe('a 500,000-mark file through the upload page', () => {
  let url: string;
  let db: OpenedPostgres;
  let dir: string;
  let serve: Child & { url: string | null };

  beforeAll(async () => {
    url = await freshDatabaseUrl();
    db = await openPostgres(url);
    await db.store.upsertTrust({ id: 'atlp', name: 'ATLP' });
    await db.store.upsertSchool({ ...SCHOOL, trustId: 'atlp', name: 'West Coventry Academy' });
    const pupils = Array.from({ length: PUPILS }, (_, i) => `${upnOf(i)},Pat,Number${i},2011-01-01,9`).join('\n');
    const report = await importPupils(db.store, { schoolId: SCHOOL.id, source: Readable.from([Buffer.from(`upn,forename,surname,date_of_birth,year_group\n${pupils}\n`)]), actor: 'test', reason: 'fixture', at: new Date() });
    expect(report.applied).toBe(true);
    await db.store.upsertUser({ id: 'u-champion', email: 'champion@example.org', name: 'Champion', role: 'champion', schoolId: SCHOOL.id, trustId: null, localAuthority: null, passwordHash: await hashPassword(PASSWORD), active: true, createdAt: new Date() });
    dir = await mkdtemp(path.join(tmpdir(), 'attendance-upload-'));
    serve = await startServe({ DATABASE_URL: url, ROLE: 'web', DEMO: 'false' });
  }, 120_000);
  afterAll(async () => {
    await serve?.kill9();
    await db?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('when the champion uploads it, then every mark is imported and the server’s memory stays flat', async () => {
    const file = path.join(dir, 'marks.csv');
    const rows = await writeMarks(file);
    const bytes = (await stat(file)).size;
    const login = await fetch(`${serve.url}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: 'champion@example.org', password: PASSWORD }) });
    expect(login.status).toBe(200);
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith('sid='))!.split(';')[0]!;
    const { csrfToken } = (await login.json()) as { csrfToken: string };

    const memory = async (field: 'VmRSS' | 'VmHWM') => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(await readFile(`/proc/${serve.child.pid}/status`, 'utf8'))?.[1] ?? 0);
    const rssBeforeKb = await memory('VmRSS');
    const started = Date.now();
    const answer = await postUpload(serve.url!, cookie, csrfToken, file);
    const seconds = (Date.now() - started) / 1000;
    const peakRssKb = await memory('VmHWM');
    const marks = (await sql<{ n: number }>(url, 'SELECT count(*)::int AS n FROM mark_sessions'))[0]!.n;
    await reportFigures('upload-500k', { bytes, rows, seconds, rssBeforeMb: Math.round(rssBeforeKb / 1024), peakRssMb: Math.round(peakRssKb / 1024), status: answer.status, marksAfter: marks });
    console.log(`upload-500k: ${rows} rows, ${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s; server RSS before ${Math.round(rssBeforeKb / 1024)} MB, peak ${Math.round(peakRssKb / 1024)} MB`);

    expect(answer.status, answer.body.slice(0, 2000)).toBe(200);
    expect(answer.body).toContain('Attendance marks: imported');
    expect(marks).toBe(rows);
  }, 900_000);
});
