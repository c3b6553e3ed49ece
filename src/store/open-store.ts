import type { AgendaBackend } from 'agenda';
import { PostgresBackend } from '@agendajs/postgres-backend';
import { storeKind, type Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Store } from './types.ts';
import { openEmbeddedPostgres, openPostgres } from './postgres/open.ts';

export interface OpenedStore {
  store: Store;
  /** Agenda's backend on the same database as the store. */
  agendaBackend(): AgendaBackend;
  /** A human description of where the data lives, for the start-up banner (no password). */
  where: string;
  close(): Promise<void>;
}

const withoutPassword = (url: string) => {
  const parsed = new URL(url);
  parsed.password = parsed.password ? '***' : '';
  return parsed.toString();
};

/** Opens the store the configuration selects: MongoDB, a given PostgreSQL, or the embedded one. */
export async function openStore(config: Config, logger: Logger): Promise<OpenedStore> {
  const onPoolError = (error: Error) => logger.warn({ err: error }, 'database connection error');
  const kind = storeKind(config);
  if (kind === 'mongo') {
    // Loaded only when selected, so a PostgreSQL deployment never loads mongoose.
    const { openMongoStore } = await import('./mongo/open.ts');
    const { MongoBackend } = await import('@agendajs/mongo-backend');
    // Missing indexes are built while the service runs: each one is logged as it starts and ends.
    const store = await openMongoStore(config.MONGODB_URI!, {
      onIndexProgress: ({ collection, name, event, error }) =>
        (event === 'failed' ? logger.warn.bind(logger) : logger.info.bind(logger))({ collection, index: name, error }, `MongoDB index ${event}`),
      onSweepError: (error) => logger.warn({ err: error }, 'MongoDB sweep of interrupted marks imports failed; it runs again later'),
    });
    return {
      store,
      agendaBackend: () => new MongoBackend({ mongo: store.db }),
      where: withoutPassword(config.MONGODB_URI!),
      close: () => store.close(),
    };
  }
  const opened = kind === 'postgres' ? await openPostgres(config.DATABASE_URL!, onPoolError) : await openEmbeddedPostgres(config.DATA_DIR, onPoolError);
  return {
    store: opened.store,
    agendaBackend: () => new PostgresBackend({ pool: opened.store.pool, ensureSchema: false }),
    where: kind === 'postgres' ? withoutPassword(opened.url) : `embedded PostgreSQL in ${config.DATA_DIR}/pg`,
    close: opened.close,
  };
}
