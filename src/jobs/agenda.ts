import type { EventEmitter } from 'node:events';
import { Agenda, type AgendaBackend } from 'agenda';
import type { Logger } from '../logger.ts';

/** A recurring job: its work lives in an application service, so it can also be run by hand. */
export interface JobSpec {
  name: string;
  /** Agenda interval ('30 seconds') or cron ('30 18 * * 1-5'). */
  every: string;
  timezone?: string;
  run(): Promise<void>;
}

export interface Worker {
  agenda: Agenda;
  /** Runs a job now rather than at its next tick (after a commit, a clock move, an import). */
  kick(name: string): Promise<void>;
  isRunning(): boolean;
  /** Lets running jobs finish, then releases every lock this worker holds. */
  stop(): Promise<void>;
}

export interface WorkerOptions {
  backend: AgendaBackend;
  logger: Logger;
  jobs: JobSpec[];
  processEvery?: string | number;
  /** Written on every lock this worker takes, so a restart can tell its dead locks from live ones. */
  workerId?: string;
  /** How long a job's lock lasts unrenewed; a running job renews it every third of that. */
  lockLifetimeMs?: number;
}

/**
 * Agenda on the service's own database. Each job runs on one worker at a time (Agenda's lock),
 * and what it does is safe to repeat, so a job taken over after a crash changes nothing twice.
 */
export async function startWorker(options: WorkerOptions): Promise<Worker> {
  const { logger } = options;
  const lockLifetimeMs = options.lockLifetimeMs ?? 15_000;
  const agenda = new Agenda({
    backend: options.backend,
    processEvery: options.processEvery ?? '2 seconds',
    // Short, renewed leases: a job whose worker died is taken over within one lease, not ten minutes.
    defaultLockLifetime: lockLifetimeMs,
    ...(options.workerId ? { name: options.workerId } : {}),
    removeOnComplete: true,
  });
  agenda.on('error', (error: Error) => logger.error({ err: error }, 'agenda error'));
  // The PostgreSQL backend's LISTEN connection re-emits a lost connection as an 'error' event
  // and reconnects by itself; with no listener that event would crash the process on a database
  // restart (found by test/reliability/database-restart.test.ts).
  const channel = options.backend.notificationChannel as unknown as Partial<EventEmitter> | undefined;
  channel?.on?.('error', (error: Error) => logger.warn({ err: error }, 'agenda notification channel lost its connection; reconnecting'));
  await agenda.ready;
  for (const job of options.jobs) {
    agenda.define(
      job.name,
      async (running) => {
        // The renewals prove this worker lives: a slow run is never taken over by another worker.
        const renewing = setInterval(
          () => void running.touch().catch((error: unknown) => logger.warn({ err: error, job: job.name }, 'could not renew a job lock')),
          lockLifetimeMs / 3,
        );
        try {
          await job.run();
        } catch (error) {
          logger.error({ err: error, job: job.name }, 'job failed');
          throw error;
        } finally {
          clearInterval(renewing);
        }
      },
      { concurrency: 1, lockLimit: 1 },
    );
  }
  await agenda.start();
  for (const job of options.jobs) await agenda.every(job.every, job.name, undefined, job.timezone ? { timezone: job.timezone } : undefined);
  let running = true;

  return {
    agenda,
    async kick(name) {
      await agenda.now(name);
    },
    isRunning: () => running,
    async stop() {
      if (!running) return;
      running = false;
      // drain() stops taking jobs, waits for the running ones and closes the notification channel.
      await agenda.drain({ timeout: 30_000, closeConnection: false });
    },
  };
}
