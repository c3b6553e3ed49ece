import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, storeKind, type Config } from '../config.ts';
import { createLogger } from '../logger.ts';
import { openStore } from '../store/open-store.ts';
import type { School, Store } from '../store/types.ts';
import { AppError } from '../errors.ts';

/**
 * Runs a command against the configured store, and says on stderr which store that is. With the
 * embedded default and a service already running, it shares that service's PostgreSQL. Only
 * `serve` and `demo load` (`create: true`) may create an embedded store: any other command run
 * with another DATA_DIR would otherwise work on a new, empty one and report nothing found.
 */
export async function withStore<T>(work: (store: Store, config: Config) => Promise<T>, { create = false }: { create?: boolean } = {}): Promise<T> {
  const config = loadConfig();
  if (!create && storeKind(config) === 'embedded-postgres' && !existsSync(path.join(config.DATA_DIR, 'pg', 'cluster', 'PG_VERSION'))) {
    throw new Error(
      `no store in ${path.resolve(config.DATA_DIR)}/pg (DATA_DIR=${config.DATA_DIR}): start the service there once (npm start), ` +
        'run `attendance demo load`, or point DATA_DIR or DATABASE_URL at the store you mean',
    );
  }
  const opened = await openStore(config, createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL));
  console.error(`store: ${opened.where}`);
  try {
    return await work(opened.store, config);
  } finally {
    await opened.close();
  }
}

/** The school a command names, or the same 404 the API gives for one that does not exist. */
export async function schoolOf(store: Store, id: string): Promise<School> {
  const school = await store.getSchool(id);
  if (!school) throw new AppError(404, 'not_found', `no school '${id}'`);
  return school;
}
