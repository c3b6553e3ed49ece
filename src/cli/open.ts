import { loadConfig, type Config } from '../config.ts';
import { createLogger } from '../logger.ts';
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/types.ts';

/**
 * Runs a command against the configured store. With the embedded default and a service already
 * running, it shares that service's PostgreSQL.
 */
export async function withStore<T>(work: (store: Store, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const opened = await openStore(config, createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL));
  try {
    return await work(opened.store, config);
  } finally {
    await opened.close();
  }
}
