import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decideApproval } from '../../../src/approvals/approvals.ts';
import { systemClock } from '../../../src/clock.ts';
import { freshPostgres, type ScenarioDatabase } from './scenario-database.ts';
import type { Store } from '../../../src/store/types.ts';
import {
  crashOutcome,
  schoolWithDueTimers,
  startCountingSmtp,
  startServe,
  waitFor,
  type CrashOutcome,
} from './harness.ts';

/** Where to pull the plug: once this many cases reached Stage 1b, or the SMTP server accepted this many messages. */
export type KillPoint = { casesMoved: number } | { mailsAccepted: number };

export interface CrashRun {
  pupils: number;
  kills: number;
  /** Held letters the champion approved during the run. */
  approved: number;
  /** What each kill interrupted: cases moved and mails accepted at the moment of the kill. */
  killedAt: { casesMoved: number; mailsAccepted: number }[];
  outcome: CrashOutcome;
  smtp: { accepted: number; distinct: number; duplicates: [string, number][]; unknown: string[] };
  expectedIds: Set<string>;
  seconds: number;
}

const movedCount = async (store: Store) => (await store.listCases({ state: 'open.stage1b', limit: 0 })).total;
const unfinished = async (store: Store) => {
  const counts = await Promise.all((['pending', 'running', 'held'] as const).map(async (status) => (await store.listEffects({ status })).length));
  return counts.reduce((a, b) => a + b, 0);
};

/**
 * Letter B waits for a person's approval (only Letter A is sent unasked): the senior attendance
 * champion approves every held letter, through the real approval code, while the worker runs.
 */
export async function approveHeldLetters(database: ScenarioDatabase): Promise<number> {
  const db = await database.open();
  try {
    const held = await db.store.listEffects({ status: 'held' });
    for (const effect of held) await decideApproval({ store: db.store, clock: systemClock }, effect, { decision: 'approve' }, { id: 'u-champion', role: 'champion' });
    return held.length;
  } finally {
    await db.close();
  }
}

/**
 * Seeds `pupils` cases whose review timers are due, then runs the real worker process and kills it
 * with SIGKILL at each kill point, restarting it each time, until it has finished the work.
 */
export async function runCrashScenario(
  pupils: number,
  killPoints: KillPoint[],
  timeoutMs: number,
  options: { finalWorkers?: number; database?: ScenarioDatabase } = {},
): Promise<CrashRun> {
  const started = Date.now();
  const database = options.database ?? (await freshPostgres());
  const seeded = await database.open();
  try {
    await schoolWithDueTimers(seeded.store, pupils);
  } finally {
    await seeded.close();
  }
  const smtp = await startCountingSmtp();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'attendance-crash-'));
  // Demo-clock mode: the worker reads "now" from the store (18 November 2024), as `npm start` does.
  const env = { ...database.env, SMTP_URL: smtp.url, SMTP_REQUIRE_TLS: 'false', ROLE: 'worker', DEMO: 'true', DATA_DIR: dataDir };
  const killedAt: CrashRun['killedAt'] = [];
  let approved: number | null = null;
  /** Once every timer has fired, the champion approves what it held back (once). */
  // One store, open for the whole run, to watch the workers' progress.
  const watching = await database.open();
  const watched = watching.store;
  const approveWhenAllMoved = async () => {
    if (approved === null && (await movedCount(watched)) === pupils) approved = await approveHeldLetters(database);
  };
  try {
    for (const point of killPoints) {
      const worker = await startServe(env);
      try {
        await waitFor(
          `kill point ${JSON.stringify(point)}`,
          async () => {
            await approveWhenAllMoved();
            return 'casesMoved' in point ? (await movedCount(watched)) >= point.casesMoved : smtp.accepted() >= point.mailsAccepted;
          },
          timeoutMs,
          20,
        );
      } finally {
        await worker.kill9();
      }
      killedAt.push({ casesMoved: await movedCount(watched), mailsAccepted: smtp.accepted() });
      await database.bringTimerSweepForward();
    }
    // Several worker processes at the end share the rest of the work on one database.
    const last = await Promise.all(Array.from({ length: options.finalWorkers ?? 1 }, () => startServe(env)));
    try {
      await waitFor(
        'every case to reach Stage 1b, its letters approved and the outbox to empty',
        async () => {
          await approveWhenAllMoved();
          return approved !== null && (await unfinished(watched)) === 0;
        },
        timeoutMs,
        250,
      );
      for (const worker of last) worker.child.kill('SIGTERM');
      await Promise.all(last.map((worker) => worker.exited));
    } finally {
      await Promise.all(last.map((worker) => worker.kill9()));
    }
    const outcome = await crashOutcome(database);
    const duplicates = [...smtp.byMessageId].filter(([, n]) => n > 1);
    return {
      pupils,
      kills: killPoints.length,
      approved: approved ?? 0,
      killedAt,
      outcome,
      smtp: {
        accepted: smtp.accepted(),
        distinct: smtp.byMessageId.size,
        duplicates,
        unknown: [...smtp.byMessageId.keys()].filter((id) => !outcome.messages.ids.has(id)),
      },
      expectedIds: outcome.messages.ids,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    await watching.close();
    await smtp.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
