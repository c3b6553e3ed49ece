import { expect } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freshDatabaseUrl, sql } from '../../support/postgres.ts';
import { openPostgres } from '../../../src/store/postgres/open.ts';
import { approveHeldLetters } from './crash-scenario.ts';
import { postgresAt } from './scenario-database.ts';
import { crashOutcome, schoolWithDueTimers, startCountingSmtp, startServe, waitFor, type Child } from './harness.ts';

export interface RecoveryRun {
  workers: number;
  /** Seconds from the SIGKILL to the first letter the dead worker had claimed reaching the SMTP server. */
  recoverySeconds: number;
  /** Seconds until every letter it had claimed was sent. */
  allClaimsSentSeconds: number;
  /** Outbox claims the dead worker held when it was killed. */
  claimsHeldAtKill: number;
  mailsAtKill: number;
  smtp: { accepted: number; distinct: number; duplicates: number; recorded: number };
}

const claimsOf = async (url: string, worker: string) =>
  (await sql<{ id: string }>(url, "SELECT id FROM outbox WHERE status = 'running' AND claimed_by = $1", [worker])).map((r) => r.id);
const sentOf = async (url: string, ids: string[]) => (await sql<{ n: number }>(url, "SELECT count(*)::int AS n FROM outbox WHERE status = 'done' AND id = ANY($1::text[])", [ids]))[0]!.n;
const unfinished = async (url: string) => (await sql<{ n: number }>(url, "SELECT count(*)::int AS n FROM outbox WHERE status IN ('pending', 'running', 'held')"))[0]!.n;
const moved = async (url: string) => (await sql<{ n: number }>(url, "SELECT count(*)::int AS n FROM cases WHERE state = 'open.stage1b'"))[0]!.n;

/** The worker holding the outbox dispatch job's lock: Agenda writes our worker id (`host:pid:…`) on it. */
async function dispatchingWorker(url: string): Promise<{ id: string; pid: number } | null> {
  const rows = await sql<{ by: string | null }>(url, "SELECT last_modified_by AS by FROM agenda_jobs WHERE name = 'outbox.dispatch' AND locked_at IS NOT NULL");
  const id = rows[0]?.by;
  return id ? { id, pid: Number(id.split(':')[1]) } : null;
}

/**
 * `workers` worker processes send a school's letters through a real SMTP server; the one sending
 * is killed with SIGKILL mid-way. With one worker it is started again at once (as a supervisor
 * would); with more, the survivors carry on. Nothing ages a lock by hand: what the service does
 * on its own is what is measured.
 */
export async function killWhileDispatching(workers: number, pupils = 20): Promise<RecoveryRun> {
  const url = await freshDatabaseUrl();
  const seeded = await openPostgres(url);
  try {
    await schoolWithDueTimers(seeded.store, pupils);
  } finally {
    await seeded.close();
  }
  const smtp = await startCountingSmtp();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'attendance-recovery-'));
  const env = { DATABASE_URL: url, SMTP_URL: smtp.url, SMTP_REQUIRE_TLS: 'false', ROLE: 'worker', DEMO: 'true', DATA_DIR: dataDir, WORKER_LEASE_SECONDS: '15' };
  const running: Child[] = [];
  try {
    running.push(...(await Promise.all(Array.from({ length: workers }, () => startServe(env)))));
    // Kill the worker that holds the dispatch while it is sending, with letters still claimed.
    let victim: Child | undefined;
    let worker: { id: string; pid: number } | null = null;
    await waitFor(
      'a worker sending letters',
      async () => {
        if (smtp.accepted() < 3) return false;
        worker = await dispatchingWorker(url);
        victim = running.find((w) => w.child.pid === worker?.pid);
        return victim !== undefined && (await claimsOf(url, worker!.id)).length > 1;
      },
      60_000,
      10,
    );
    await victim!.kill9();
    const killedAt = Date.now();
    const mailsAtKill = smtp.accepted();
    // What the dead worker held and had not finished: only another worker can send these now.
    const orphaned = await claimsOf(url, worker!.id);
    running.splice(running.indexOf(victim!), 1);
    if (workers === 1) running.push(await startServe(env));
    await waitFor('the first of the dead worker\'s letters sent', async () => (await sentOf(url, orphaned)) > 0, 60_000, 20);
    const recoverySeconds = (Date.now() - killedAt) / 1000;
    await waitFor('all of the dead worker\'s letters sent', async () => (await sentOf(url, orphaned)) === orphaned.length, 120_000, 50);
    const allClaimsSentSeconds = (Date.now() - killedAt) / 1000;
    // Then the rest of the work: every review fires, the champion approves Letter B, all is sent.
    let approved = false;
    await waitFor(
      'every letter sent',
      async () => {
        if (!approved && (await moved(url)) === pupils) approved = (await approveHeldLetters(postgresAt(url))) >= 0;
        return approved && (await unfinished(url)) === 0;
      },
      120_000,
      250,
    );
    const outcome = await crashOutcome(postgresAt(url));
    return {
      workers,
      recoverySeconds,
      allClaimsSentSeconds,
      claimsHeldAtKill: orphaned.length,
      mailsAtKill,
      smtp: {
        accepted: smtp.accepted(),
        distinct: smtp.byMessageId.size,
        duplicates: [...smtp.byMessageId.values()].filter((n) => n > 1).length,
        recorded: outcome.messages.total,
      },
    };
  } finally {
    await Promise.all(running.map((w) => w.kill9()));
    await smtp.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Nothing lost, nothing sent twice: every message recorded reached the server exactly once. */
export function expectExactlyOnce(run: RecoveryRun) {
  expect(run.claimsHeldAtKill).toBeGreaterThan(0);
  expect(run.smtp.duplicates).toBe(0);
  expect(run.smtp.distinct).toBe(run.smtp.recorded);
  expect(run.smtp.accepted).toBe(run.smtp.recorded);
}
