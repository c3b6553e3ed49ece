import mongoose from 'mongoose';
import { sweepImports } from './marks-import-apply.ts';
import { ensureIndexes, type IndexProgress } from './indexes.ts';
import { MongoStore } from './mongo-store.ts';

/** How often staging left by dead imports is looked for (and switched imports finished). */
export const SWEEP_EVERY_MS = 10 * 60 * 1000;

/**
 * The connection's options. Every write, in a transaction or not, is acknowledged by a majority
 * of the replica set: one acknowledged by a primary alone can be rolled back by a failover.
 * Indexes are made by ensureIndexes rather than by each model on compile, and an operation on a
 * lost connection fails at once instead of waiting in mongoose's buffer.
 */
export function connectionOptions(dbName?: string): mongoose.ConnectOptions {
  return {
    ...(dbName == null ? {} : { dbName }),
    autoIndex: false,
    autoCreate: false,
    bufferCommands: false,
    writeConcern: { w: 'majority' },
    retryWrites: true,
  };
}

/**
 * Connects a dedicated mongoose connection (transactions need a replica set), creates the
 * collections and the missing indexes (unique ones before it returns, the rest in the
 * background, each reported to `onIndexProgress`), resumes or sweeps interrupted marks imports
 * now and every SWEEP_EVERY_MS (a failed sweep is reported to `onSweepError` and tried again at
 * the next), and returns the store. `dbName` overrides the database of the URI.
 */
// Enum and other schema checks apply to updates as they do to inserts (mongoose skips them by default).
mongoose.set('runValidators', true);

export async function openMongoStore(
  uri: string,
  options: { dbName?: string; onIndexProgress?: (progress: IndexProgress) => void; onSweepError?: (error: unknown) => void } = {},
): Promise<MongoStore> {
  const connection = mongoose.createConnection(uri, connectionOptions(options.dbName));
  try {
    await connection.asPromise();
    const store = new MongoStore(connection);
    const { background } = await ensureIndexes(store.db, store.models, options.onIndexProgress);
    store.indexesBuilt = background;
    const context = { db: store.db, models: store.models, transaction: store.transaction.bind(store) };
    await sweepImports(context);
    // One sweep at a time: finishing a large interrupted import can outlast the interval.
    let sweeping = false;
    store.sweeper = setInterval(() => {
      if (sweeping) return;
      sweeping = true;
      void sweepImports(context)
        .catch((error: unknown) => options.onSweepError?.(error))
        .finally(() => (sweeping = false));
    }, SWEEP_EVERY_MS);
    store.sweeper.unref();
    return store;
  } catch (error) {
    await connection.close().catch(() => {});
    throw error;
  }
}
