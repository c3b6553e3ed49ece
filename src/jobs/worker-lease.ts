import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.ts';
import type { Store, WorkerBeat } from '../store/types.ts';

export interface LivenessView {
  /** This process's worker id: never judged dead by itself. */
  self: string;
  now: Date;
  leaseMs: number;
  host: string;
  pid: number;
  /** Workers running in this very process (tests and tools may run several). */
  local: ReadonlySet<string>;
  /** Whether a process with this id runs on this host. */
  isRunning(pid: number): boolean;
}

/**
 * Which workers are dead: one that has not beaten within a lease, or one on this host whose
 * process is gone (a restart after SIGKILL: its beat is still fresh, but nothing holds its pid,
 * or this very process holds that pid and the worker is not one of its own).
 */
export function deadWorkers(workers: WorkerBeat[], view: LivenessView): string[] {
  return workers
    .filter((w) => w.id !== view.self && !view.local.has(w.id))
    .filter(
      (w) =>
        view.now.getTime() - w.beatAt.getTime() > view.leaseMs ||
        (w.host === view.host && (w.pid === view.pid || !view.isRunning(w.pid))),
    )
    .map((w) => w.id);
}

export function processIsRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const localWorkers = new Set<string>();

export interface WorkerLease {
  id: string;
  leaseMs: number;
  /** Beats, frees what dead workers held; run at start and every third of a lease. */
  check(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A worker process's heartbeat. While it beats, the locks and claims it holds are its own; a
 * process that finds another worker dead frees that worker's Agenda locks and outbox claims at
 * once, rather than waiting for them to expire.
 */
export async function startWorkerLease(options: { store: Store; logger: Logger; leaseMs: number }): Promise<WorkerLease> {
  const { store, logger, leaseMs } = options;
  const host = hostname();
  const beat: WorkerBeat = { id: `${host}:${process.pid}:${randomUUID().slice(0, 8)}`, host, pid: process.pid, startedAt: new Date(), beatAt: new Date() };
  const check = async () => {
    // Leases run on the wall clock, never the demo's movable one.
    const now = new Date();
    await store.beatWorker({ ...beat, beatAt: now });
    const view = { self: beat.id, now, leaseMs, host, pid: process.pid, local: localWorkers, isRunning: processIsRunning };
    const dead = deadWorkers(await store.listWorkers(), view);
    if (dead.length === 0) return;
    const freed = await store.releaseWorkers(dead);
    logger.warn({ workers: dead.length, ...freed }, 'freed the job locks and outbox claims of workers that are gone');
  };
  localWorkers.add(beat.id);
  await check();
  const timer = setInterval(() => void check().catch((error: unknown) => logger.warn({ err: error }, 'worker heartbeat failed')), Math.max(1000, leaseMs / 3));
  timer.unref();
  return {
    id: beat.id,
    leaseMs,
    check,
    async stop() {
      clearInterval(timer);
      localWorkers.delete(beat.id);
      // A clean stop has released its locks already; this only forgets the heartbeat.
      await store.releaseWorkers([beat.id]).catch(() => {});
    },
  };
}
