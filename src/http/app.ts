import express from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/types.ts';
import { errorHandler } from './errors.ts';

export interface AppDeps {
  store: Store;
  logger: Logger;
  /** Whether this process runs the worker, and if so whether Agenda is up. */
  worker: { isRunning(): boolean } | null;
}

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(
    pinoHttp({
      logger: deps.logger,
      // Paths carry UPNs and case ids; the query string can carry names: log the route only.
      serializers: { req: (req: { method: string; url: string; id: unknown }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }) },
    }),
  );
  app.use(express.json({ limit: '1mb' }));

  app.get('/healthz', async (_req, res) => {
    const database = await deps.store.ping().then(
      () => 'ok' as const,
      () => 'unreachable' as const,
    );
    const agenda = deps.worker ? (deps.worker.isRunning() ? 'running' : 'stopped') : 'not in this process';
    const healthy = database === 'ok' && agenda !== 'stopped';
    res.status(healthy ? 200 : 503).json({ status: healthy ? 'ok' : 'degraded', store: deps.store.kind, database, agenda });
  });

  app.use(errorHandler(deps.logger));
  return app;
}
