import mongoose from 'mongoose';
import { dropAbandonedImports } from './marks-import.ts';
import { MongoStore } from './mongo-store.ts';

// A staging collection this old belongs to an import whose process died.
const ABANDONED_IMPORT_MS = 24 * 60 * 60 * 1000;

/**
 * Connects a dedicated mongoose connection (transactions need a replica set), creates the
 * collections and indexes, and returns the store. `dbName` overrides the database of the URI.
 */
export async function openMongoStore(uri: string, options: { dbName?: string } = {}): Promise<MongoStore> {
  // Indexes are built once here rather than by each model on compile, and an operation on a
  // lost connection fails at once instead of waiting in mongoose's buffer.
  const connection = mongoose.createConnection(uri, {
    ...(options.dbName == null ? {} : { dbName: options.dbName }),
    autoIndex: false,
    autoCreate: false,
    bufferCommands: false,
  });
  try {
    await connection.asPromise();
    const store = new MongoStore(connection);
    await store.syncIndexes();
    await dropAbandonedImports(store.db, new Date(Date.now() - ABANDONED_IMPORT_MS));
    return store;
  } catch (error) {
    await connection.close().catch(() => {});
    throw error;
  }
}
