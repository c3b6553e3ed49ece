// The composition root: the only place that knows which store, clock, mailer and jobs are used.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { loadConfig, storeKind, type Config } from './config.ts';
import { hasData, loadDemo } from './demo/demo-trust.ts';
import { systemClock, type Clock } from './clock.ts';
import { createLogger, type Logger } from './logger.ts';
import { openStore, type OpenedStore } from './store/open-store.ts';
import { startWorker, type Worker } from './jobs/agenda.ts';
import { createOutboxDispatcher } from './jobs/outbox-dispatcher.ts';
import { coreEffectHandlers } from './jobs/effect-handlers.ts';
import { workerJobs } from './jobs/worker-jobs.ts';
import { createCaseService, type CaseService } from './cases/case-service.ts';
import { createApp } from './http/app.ts';

export interface Service {
  config: Config;
  opened: OpenedStore;
  worker: Worker | null;
  cases: CaseService;
  clock: Clock;
  /** Base URL of the web server, when this process serves the web. */
  url: string | null;
  /** Whether this start loaded the demo trusts into an empty store. */
  demoLoaded: boolean;
  stop(): Promise<void>;
}

export interface ServiceOptions {
  clock?: Clock;
  logger?: Logger;
}

export async function startService(config: Config, options: ServiceOptions = {}): Promise<Service> {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const clock = options.clock ?? systemClock;
  const opened = await openStore(config, logger);
  let worker: Worker | null = null;
  let server: Server | null = null;
  let demoLoaded = false;
  const stop = async () => {
    if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
    await worker?.stop();
    await opened.close();
  };
  try {
    // `npm start` on a fresh machine shows the product with data in it; a configured database is never seeded unasked.
    if ((config.DEMO ?? storeKind(config) === 'embedded-postgres') && !(await hasData(opened.store))) {
      logger.info('loading the demo trusts');
      await loadDemo(opened.store, { at: clock.now() });
      demoLoaded = true;
    }
    const cases = createCaseService({ store: opened.store, clock, logger });
    if (config.ROLE !== 'web') {
      const dispatcher = createOutboxDispatcher({ store: opened.store, clock, logger, handlers: coreEffectHandlers({ store: opened.store, clock, logger }) });
      const jobs = workerJobs({ store: opened.store, cases, dispatcher, clock, logger }, await opened.store.listSchools());
      worker = await startWorker({ backend: opened.agendaBackend(), logger, jobs });
    }
    let url: string | null = null;
    if (config.ROLE !== 'worker') {
      const app = createApp({ store: opened.store, logger, worker });
      server = await new Promise<Server>((resolve, reject) => {
        const listening = app.listen(config.PORT, config.HOST, () => resolve(listening)).on('error', reject);
      });
      const { port } = server.address() as AddressInfo;
      url = `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${port}`;
    }
    return { config, opened, worker, cases, clock, url, demoLoaded, stop };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}

export { loadConfig };
