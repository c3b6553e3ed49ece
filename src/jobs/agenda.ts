import { Agenda, type AgendaBackend } from 'agenda';
import type { Logger } from '../logger.ts';
import type { OutboxDispatcher } from './outbox-dispatcher.ts';

export const JOB = {
  dispatchOutbox: 'outbox.dispatch',
} as const;

export interface Worker {
  agenda: Agenda;
  /** Asks the dispatcher to run now rather than at its next tick. */
  kick(): Promise<void>;
  isRunning(): boolean;
  /** Lets running jobs finish, then releases every lock this worker holds. */
  stop(): Promise<void>;
}

export interface WorkerOptions {
  backend: AgendaBackend;
  logger: Logger;
  dispatcher: OutboxDispatcher;
  /** How often the outbox is swept for effects whose retry time has come. */
  sweepEvery?: string;
  processEvery?: string | number;
}

/**
 * Agenda on the service's own database. Jobs are defined here; their work lives in the
 * application services they call, so a job can be replayed by hand from the CLI.
 */
export async function startWorker(options: WorkerOptions): Promise<Worker> {
  const { logger, dispatcher } = options;
  const agenda = new Agenda({ backend: options.backend, processEvery: options.processEvery ?? '2 seconds', defaultLockLifetime: 10 * 60_000, removeOnComplete: true });
  agenda.on('error', (error: Error) => logger.error({ err: error }, 'agenda error'));
  await agenda.ready;

  agenda.define(
    JOB.dispatchOutbox,
    async () => {
      const summary = await dispatcher.drain();
      if (summary.claimed > 0) logger.info(summary, 'outbox dispatched');
    },
    { concurrency: 1 },
  );

  await agenda.start();
  await agenda.every(options.sweepEvery ?? '30 seconds', JOB.dispatchOutbox);
  let running = true;

  return {
    agenda,
    async kick() {
      await agenda.now(JOB.dispatchOutbox);
    },
    isRunning: () => running,
    async stop() {
      if (!running) return;
      running = false;
      await agenda.drain({ timeout: 30_000, closeConnection: false });
      await agenda.stop(false);
    },
  };
}
