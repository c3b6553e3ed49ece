import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { constants, createWriteStream, openSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import pg from 'pg';
import { freshDatabaseUrl, sql } from '../support/postgres.ts';
import { openPostgres, type OpenedPostgres } from '../../src/store/postgres/open.ts';
import { importPupils } from '../../src/register/import-register.ts';
import { calendarFor, getWorkflow } from '../../workflows/index.ts';
import { SCHOOL, spawnCli, upnOf, type Child } from './support/harness.ts';
import { reportFigures } from './support/figures.ts';

const PUPILS = 500;
const days = calendarFor(getWorkflow(SCHOOL.workflowId), SCHOOL.localAuthority).schoolDays('2024-09-03', '2024-12-20');
const ROWS = PUPILS * days.length * 2;
/** How many times a kill meant for one phase is tried before the test gives up on that phase. */
const ATTEMPTS = 3;

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

/**
 * Holds a lock on the register that lets imports read it but makes their first write wait (SHARE
 * conflicts with the ROW EXCLUSIVE an INSERT or UPDATE takes), until `release`.
 */
async function holdRegisterWrites(url: string): Promise<{ release: () => Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('BEGIN');
  await client.query('LOCK TABLE mark_weeks IN SHARE MODE');
  let held = true;
  return {
    async release() {
      if (!held) return;
      held = false;
      await client.query('ROLLBACK');
      await client.end();
    },
  };
}

/**
 * Where an import is, from what its database session is running (its statements, as
 * src/store/postgres/marks-import.ts sends them): staging the file (COPY), validating the staged
 * rows, writing them to the register, committing; `closed` once its session ended after that.
 * A whole import takes well under a second, so the test watches the server, not the file.
 */
const PHASES = ['start', 'copy', 'validate', 'write', 'commit', 'closed', 'finished'] as const;
type Phase = (typeof PHASES)[number];
const STATEMENTS: [Phase, RegExp][] = [
  ['copy', /^COPY staged_marks\b/],
  ['validate', /^(SELECT \(SELECT array_agg\(upn\) FROM pupils|CREATE TEMP TABLE file_weeks|SELECT coalesce\(sum\(n\)|DROP TABLE file_weeks|CREATE TEMP TABLE suspect_marks|WITH taken|DECLARE suspects|FETCH|CLOSE suspects)\b/],
  ['write', /^(DROP TABLE IF EXISTS file_weeks|SELECT 1 FROM file_weeks|CREATE TEMP TABLE distinct_marks|SAVEPOINT apply|WITH made|SELECT w\.upn|UPDATE mark_weeks|INSERT INTO mark_amendments|RELEASE SAVEPOINT apply)\b/],
  ['commit', /^COMMIT\b/],
];
const later = (a: Phase, b: Phase) => PHASES.indexOf(a) > PHASES.indexOf(b);

type Target = { phase: 'copy'; fraction: number } | { phase: 'validate' | 'write' | 'commit' };
const describeTarget = (t: Target) => (t.phase === 'copy' ? `copy ${t.fraction * 100}%` : t.phase);

interface Seen {
  phase: Phase;
  statement: string;
  /** The statement has been running for 50 ms or more (a write, not the moment it starts or ends). */
  settled: boolean;
  /** Bytes of the file the running COPY has received (the header is not sent to it). */
  copied: number | null;
}

/** Follows one import's database session, found by the application_name it connects with. */
class Session {
  #pid: number | null = null;
  constructor(
    private readonly watcher: pg.Client,
    readonly name: string,
  ) {}

  async look(): Promise<Seen> {
    const rows = (
      await this.watcher.query<{ pid: number; state: string; query: string; settled: boolean; copied: number | null }>(
        `SELECT a.pid, a.state, a.query, a.state = 'active' AND clock_timestamp() - a.query_start >= interval '50 milliseconds' AS settled,
                p.bytes_processed::int AS copied
           FROM pg_stat_activity a LEFT JOIN pg_stat_progress_copy p ON p.pid = a.pid
          WHERE a.application_name = $1`,
        [this.name],
      )
    ).rows.map((r) => {
      const statement = r.query.trimStart();
      // node-postgres sends a statement only once the last one is done, so a session running one
      // has nothing else on its way; an idle one may have the next unread in its socket. After
      // RELEASE SAVEPOINT that is COMMIT, which the server carries out whether the client lives.
      if (r.state === 'idle in transaction' && /^RELEASE SAVEPOINT apply\b/.test(statement)) return { ...r, phase: 'commit' as Phase };
      return { ...r, phase: STATEMENTS.find(([, pattern]) => pattern.test(statement))?.[0] ?? ('start' as Phase) };
    });
    // The pool's other connections (migrations, the school look-up) are not the import's; its
    // own is the one that runs its statements. COMMIT alone does not pick it: others may say it.
    this.#pid ??= rows.find((r) => r.phase !== 'start' && r.phase !== 'commit')?.pid ?? null;
    const own = rows.find((r) => r.pid === this.#pid);
    if (this.#pid !== null && !own) return { phase: 'closed', statement: '', settled: false, copied: null };
    return own
      ? { phase: own.phase, statement: own.query.trimStart().slice(0, 60), settled: own.settled, copied: own.copied }
      : { phase: 'start', statement: '', settled: false, copied: null };
  }

  async ended() {
    return (await this.watcher.query('SELECT 1 FROM pg_stat_activity WHERE application_name = $1', [this.name])).rows.length === 0;
  }
}

const exited = (child: Child) => child.child.exitCode !== null || child.child.signalCode !== null;
const stoppedProcess = async (pid: number) => / T /.test((await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')).replace(/^.*\)/, ''));

async function until(what: () => string, check: () => Promise<boolean>, timeoutMs: number) {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** The school's register as one comparable value. */
const registerOf = async (url: string) =>
  (
    await sql<{ n: number; digest: string | null }>(
      url,
      "SELECT count(*)::int AS n, md5(string_agg(upn || date || session || code, ',' ORDER BY upn, date, session)) AS digest FROM mark_sessions WHERE school_id = $1",
      [SCHOOL.id],
    )
  )[0]!;
const amendmentsOf = async (url: string) => (await sql<{ n: number }>(url, 'SELECT count(*)::int AS n FROM mark_amendments'))[0]!.n;

describe('a marks import killed with SIGKILL', () => {
  let url: string;
  let db: OpenedPostgres;
  let watcher: pg.Client;
  let dir: string;
  let imports = 0;
  const figures: { target: string; phase: Phase; copiedFraction: number | null; attempts: number; rowsAfter: number; outcome: string }[] = [];
  const record = async (file: string, target: Target, at: Seen & { attempts: number }, rowsAfter: number, outcome: string) => {
    const bytes = (await stat(file)).size;
    const copiedFraction = at.copied === null ? null : Math.round((at.copied / bytes) * 100) / 100;
    figures.push({ target: describeTarget(target), phase: at.phase, copiedFraction, attempts: at.attempts, rowsAfter, outcome });
  };

  beforeAll(async () => {
    url = await freshDatabaseUrl();
    db = await openPostgres(url);
    watcher = new pg.Client(url);
    await watcher.connect();
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
    await reportFigures('import-crash', { rows: ROWS, bytes: (await stat(path.join(dir, 'marks.csv'))).size, kills: figures });
    await watcher?.end();
    await db?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /**
   * A named pipe the import reads as its file, holding the records of `file` up to `fraction` of
   * its bytes: the import stages those and then waits, mid-COPY, for the rest (a whole file is
   * staged in a few tens of milliseconds, too fast to kill at a chosen point by watching it).
   * Opened read-write so that writing neither waits for the reader nor fails once it is killed.
   */
  async function pipeOf(file: string, fraction: number) {
    const bytes = await readFile(file);
    const fed = bytes.subarray(0, bytes.indexOf(0x0a, Math.floor(bytes.length * fraction)) + 1);
    const fifo = path.join(dir, `fed-${imports}.csv`);
    execFileSync('mkfifo', [fifo]);
    const pipe = new Socket({ fd: openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK), readable: false, writable: true });
    pipe.on('error', () => {});
    pipe.write(fed);
    return {
      path: fifo,
      records: fed.length - (bytes.indexOf(0x0a) + 1),
      close: async () => {
        pipe.destroy();
        await rm(fifo, { force: true });
      },
    };
  }

  /**
   * Runs `import marks` and kills it with SIGKILL once its session is in the target phase. The
   * process is first stopped (SIGSTOP), so it can send nothing more, and its session looked at
   * again: that is where the kill lands. The database then finishes whatever statement it was
   * running, finds the client gone and ends the session; the register is read only after that.
   */
  async function killOnce(file: string, target: Target) {
    imports += 1;
    const session = new Session(watcher, `import-crash-${imports}`);
    const pipe = target.phase === 'copy' ? await pipeOf(file, target.fraction) : null;
    const connectAs = new URL(url);
    connectAs.searchParams.set('application_name', session.name);
    // Writing pupil-weeks takes a few milliseconds (migration 019), less than the watcher needs to
    // see a statement and stop the process: a kill meant for the write would land in the commit. So
    // the test holds a lock that makes the import's first write to the register wait, which keeps
    // it part-way through writing until it is stopped; the lock is let go once it is killed.
    const blocker = target.phase === 'write' ? await holdRegisterWrites(url) : null;
    const child = spawnCli(['import', 'marks', pipe?.path ?? file, '--school', SCHOOL.id], { DATABASE_URL: connectAs.toString() });
    try {
      let seen: Seen = { phase: 'start', statement: '', settled: false, copied: null };
      const reached = () => {
        if (target.phase === 'copy') return seen.phase === 'copy' ? (seen.copied ?? 0) >= pipe!.records : later(seen.phase, 'copy');
        if (target.phase === 'write') return seen.phase === 'write' ? seen.settled : later(seen.phase, 'write');
        return !later(target.phase, seen.phase);
      };
      await until(
        () => `the import to reach ${describeTarget(target)} (last seen: ${seen.phase} ${seen.statement}; output: ${child.output()})`,
        async () => {
          if (exited(child)) return true;
          seen = await session.look();
          return reached();
        },
        60_000,
      );
      if (!exited(child)) {
        child.child.kill('SIGSTOP');
        await until(() => `process ${child.child.pid} to stop`, async () => exited(child) || (await stoppedProcess(child.child.pid!)), 10_000);
      }
      const at: Seen = exited(child) ? { phase: 'finished', statement: '', settled: false, copied: null } : await session.look();
      await child.kill9();
      await blocker?.release();
      await until(() => `the killed import's session ${session.name} to end`, () => session.ended(), 60_000);
      return at;
    } finally {
      await child.kill9();
      await blocker?.release();
      await pipe?.close();
    }
  }

  /**
   * Kills an import in the target phase and hands each kill to `check`. Watching and stopping
   * take a moment, so a kill can land in a later phase; one that still landed before the commit
   * is checked and tried again. A kill meant for an earlier phase that lands once COMMIT was sent,
   * or one that lands after the import finished, fails the test: it did not kill it part-way.
   */
  async function importKilledIn(file: string, target: Target, check: (at: Seen & { attempts: number }) => Promise<void>) {
    const missed: Phase[] = [];
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const at = { ...(await killOnce(file, target)), attempts: attempt };
      const tooLate = at.phase === 'finished' || (target.phase !== 'commit' && later(at.phase, 'write'));
      if (tooLate) throw new Error(`the kill meant for ${describeTarget(target)} landed in ${at.phase}: the import was not killed part-way`);
      await check(at);
      if (at.phase === target.phase || (target.phase === 'commit' && at.phase === 'closed')) return at;
      missed.push(at.phase);
    }
    throw new Error(`${ATTEMPTS} kills meant for ${describeTarget(target)} all landed later, in ${missed.join(', ')}`);
  }

  it('when it is killed part-way through the first import, then the register stays empty; when run again, then every row is there', async () => {
    const file = path.join(dir, 'marks.csv');
    const targets: Target[] = [{ phase: 'copy', fraction: 0.25 }, { phase: 'copy', fraction: 0.6 }, { phase: 'copy', fraction: 0.95 }, { phase: 'validate' }, { phase: 'write' }];
    for (const target of targets) {
      await importKilledIn(file, target, async (at) => {
        const after = await registerOf(url);
        await record(file, target, at, after.n, after.n === 0 ? 'absent' : 'complete');
        expect(after.n, `killed in ${at.phase} (${at.statement})`).toBe(0);
      });
    }
    const done = spawnCli(['import', 'marks', file, '--school', SCHOOL.id], { DATABASE_URL: url });
    expect(await done.exited, done.output()).toBe(0);
    expect((await registerOf(url)).n).toBe(ROWS);
  }, 120_000);

  it('when an amended export is killed at any point, even during its commit, then the register is the old one or the new one, never a mix', async () => {
    const before = await registerOf(url);
    const file = path.join(dir, 'amended.csv');
    const targets: Target[] = [{ phase: 'copy', fraction: 0.5 }, { phase: 'write' }, { phase: 'commit' }];
    let committed = false;
    for (const target of targets) {
      await importKilledIn(file, target, async (at) => {
        const after = await registerOf(url);
        const amendments = await amendmentsOf(url);
        const outcome = after.digest === before.digest && amendments === 0 ? 'absent' : 'complete';
        await record(file, target, at, after.n, outcome);
        expect(after.n).toBe(before.n);
        // Stopped before it sent COMMIT, the import cannot have changed anything.
        if (!later(at.phase, 'write')) expect(outcome, `killed in ${at.phase} (${at.statement})`).toBe('absent');
        if (outcome === 'absent') return;
        // The commit went through before the kill: then all of it, with an amendment for every changed mark.
        expect(after.digest).not.toBe(before.digest);
        expect(amendments).toBe(AMENDED);
        committed = true;
      });
    }
    if (committed) return;
    const done = spawnCli(['import', 'marks', file, '--school', SCHOOL.id], { DATABASE_URL: url });
    expect(await done.exited, done.output()).toBe(0);
    expect((await registerOf(url)).digest).not.toBe(before.digest);
    expect(await amendmentsOf(url)).toBe(AMENDED);
  }, 120_000);
});
