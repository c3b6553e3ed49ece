import path from 'node:path';
import pg from 'pg';
import { createPool } from './pool.ts';
import { migrate } from './migrate.ts';
import { PostgresStore } from './postgres-store.ts';
import { startEmbeddedPostgres } from './embedded.ts';

export interface OpenedPostgres {
  store: PostgresStore;
  url: string;
  /** Closes the pool, then stops the embedded server if this process started one. */
  close(): Promise<void>;
}

const DATABASE = 'attendance';

async function ensureDatabase(adminUrl: string, name: string) {
  const client = new pg.Client(adminUrl);
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
  } catch (error) {
    // Another process created it between our check and our CREATE.
    if ((error as { code?: string }).code !== '42P04') throw error;
  } finally {
    await client.end();
  }
}

/** Opens PostgreSQL at `url`, applying pending migrations. */
export async function openPostgres(url: string, onPoolError?: (error: Error) => void): Promise<OpenedPostgres> {
  const pool = createPool(url, { onError: onPoolError });
  try {
    await migrate(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  const store = new PostgresStore(pool);
  return { store, url, close: () => store.close() };
}

/** Starts (or reuses) the embedded cluster in `dataDir/pg` and opens its `attendance` database. */
export async function openEmbeddedPostgres(dataDir: string, onPoolError?: (error: Error) => void): Promise<OpenedPostgres> {
  const server = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pg') });
  try {
    const url = new URL(server.url);
    url.pathname = `/${DATABASE}`;
    await ensureDatabase(server.url, DATABASE);
    const opened = await openPostgres(url.toString(), onPoolError);
    return {
      ...opened,
      close: async () => {
        await opened.close();
        await server.stop();
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

export { ensureDatabase };
