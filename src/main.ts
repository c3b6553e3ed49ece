// The composition root: the only place that knows which store, clock, mailer and jobs are used.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { loadConfig, storeKind, type Config } from './config.ts';
import { hasActiveAdmin, issueSetupLink } from './access/first-run.ts';
import { DEMO_CLOCK_START, DEMO_FIRST_REVIEW_MS, hasData, loadDemo } from './demo/demo-trust.ts';
import { demoRegisterFiller } from './demo/demo-register.ts';
import { SharedClock, advanceClock } from './cases/demo-clock.ts';
import { systemClock, type Clock } from './clock.ts';
import { createLogger, type Logger } from './logger.ts';
import { openStore, type OpenedStore } from './store/open-store.ts';
import { startWorker, type Worker } from './jobs/agenda.ts';
import { startWorkerLease, type WorkerLease } from './jobs/worker-lease.ts';
import { createOutboxDispatcher, type OutboxDispatcher } from './jobs/outbox-dispatcher.ts';
import { coreEffectHandlers } from './jobs/effect-handlers.ts';
import { retentionRules } from './retention/policy.ts';
import { workerJobs } from './jobs/worker-jobs.ts';
import { startDropFolder, type DropFolder } from './jobs/drop-folder.ts';
import { createMailEffectHandlers, createMailer } from './mail/index.ts';
import { createCaseService, type CaseService } from './cases/case-service.ts';
import { createApp } from './http/app.ts';
import { oidcSettingsFrom } from './http/auth/auth-config.ts';
import { evidenceLinkSettings } from './evidence/signed-link.ts';

export interface Service {
  config: Config;
  opened: OpenedStore;
  worker: Worker | null;
  cases: CaseService;
  clock: Clock;
  /** The movable clock, in demo mode. */
  sharedClock: SharedClock | null;
  /** Base URL of the web server, when this process serves the web. */
  url: string | null;
  /** Whether this start loaded the demo trusts into an empty store. */
  demoLoaded: boolean;
  /** With no administrator yet: the one-time link that creates the first one. */
  setupLink: { url: string; expiresAt: Date } | null;
  stop(): Promise<void>;
}

export interface ServiceOptions {
  clock?: Clock;
  logger?: Logger;
}

export async function startService(config: Config, options: ServiceOptions = {}): Promise<Service> {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const opened = await openStore(config, logger);
  const demoMode = config.DEMO ?? storeKind(config) === 'embedded-postgres';
  // The demo's clock can be moved forward, and every process must agree on it.
  const shared = demoMode && !options.clock ? new SharedClock(opened.store) : null;
  const clock: Clock = options.clock ?? shared ?? systemClock;
  await shared?.refresh();
  const refreshing = shared ? setInterval(() => void shared.refresh().catch(() => {}), 2000).unref() : null;
  let worker: Worker | null = null;
  let dispatcher: OutboxDispatcher | null = null;
  let lease: WorkerLease | null = null;
  let dropFolder: DropFolder | null = null;
  let server: Server | null = null;
  let demoLoaded = false;
  let closeMailer: (() => void) | null = null;
  const stop = async () => {
    if (refreshing) clearInterval(refreshing);
    if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
    await dropFolder?.stop();
    // The letter in hand is finished; the rest of its batch waits for the next worker.
    dispatcher?.stop();
    await worker?.stop();
    await lease?.stop();
    closeMailer?.();
    await opened.close();
  };
  try {
    const cases = createCaseService({ store: opened.store, clock, logger });
    const evidenceLinks = evidenceLinkSettings(config);
    // `npm start` on a fresh machine shows the product with data in it; a configured database is never seeded unasked.
    if (demoMode && !(await hasData(opened.store))) {
      logger.info('loading the demo trusts');
      await loadDemo(opened.store, { at: new Date() });
      if (shared) {
        // The demo's first school day after its term of marks: the first reviews open the first cases.
        await shared.set(DEMO_CLOCK_START);
        await advanceClock({ store: opened.store, cases, logger, clock: shared, fillRegister: demoRegisterFiller(opened.store, shared) }, DEMO_FIRST_REVIEW_MS);
      }
      demoLoaded = true;
    }
    // The worker sends letters with it, the web process staff's links to choose a password.
    const mailer = createMailer(config);
    closeMailer = () => mailer.close();
    if (config.ROLE !== 'web') {
      const handlers = { ...coreEffectHandlers({ store: opened.store, clock, logger }), ...createMailEffectHandlers({ store: opened.store, clock, logger, mailer, evidenceLinks }) };
      // Before taking work: beat, and free at once what a crashed predecessor still holds.
      const leaseMs = config.WORKER_LEASE_SECONDS * 1000;
      lease = await startWorkerLease({ store: opened.store, logger, leaseMs });
      // Delivery runs on real time: see NewEffect.nextAttemptAt.
      dispatcher = createOutboxDispatcher({ store: opened.store, clock: systemClock, logger, handlers, lockMs: leaseMs, workerId: lease.id });
      const retention = { rules: retentionRules(config), dataDir: config.DATA_DIR };
      const jobs = workerJobs({ store: opened.store, cases, dispatcher, clock, logger, retention });
      worker = await startWorker({ backend: opened.agendaBackend(), logger, jobs, workerId: lease.id, lockLifetimeMs: leaseMs });
      // Only workers watch the drop folders; the claim by rename lets several do so at once.
      if (config.REGISTER_DROP_DIR) dropFolder = startDropFolder({ store: opened.store, clock, logger, dir: config.REGISTER_DROP_DIR, pollMs: config.REGISTER_DROP_POLL_SECONDS * 1000, workerId: lease.id });
    }
    let url: string | null = null;
    if (config.ROLE !== 'worker') {
      const demoClock = shared
        ? { advance: (ms: number) => advanceClock({ store: opened.store, cases, logger, clock: shared, fillRegister: demoRegisterFiller(opened.store, shared) }, ms) }
        : null;
      const app = createApp({ store: opened.store, logger, worker, cases, clock, demoClock, oidc: oidcSettingsFrom(config), evidenceLinks, trustProxy: config.TRUST_PROXY, mailer, registerFeed: { uploadMaxBytes: config.REGISTER_UPLOAD_MAX_MB * 1024 * 1024, dropDir: config.REGISTER_DROP_DIR ?? null } });
      server = await new Promise<Server>((resolve, reject) => {
        const listening = app.listen(config.PORT, config.HOST, () => resolve(listening)).on('error', reject);
      });
      const { port } = server.address() as AddressInfo;
      url = `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${port}`;
    }
    // A new installation: the web process offers the first person a way in (src/access/first-run.ts).
    let setupLink: Service['setupLink'] = null;
    if (url && !(await hasActiveAdmin(opened.store))) {
      const { token, expiresAt } = await issueSetupLink(opened.store, new Date());
      setupLink = { url: `${config.PUBLIC_URL.endsWith(':0') ? url : config.PUBLIC_URL}/setup/${token}`, expiresAt };
    }
    return { config, opened, worker, cases, clock, sharedClock: shared, url, demoLoaded, setupLink, stop };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}

export { loadConfig };
