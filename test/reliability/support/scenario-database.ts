// The database a reliability scenario runs on: a fresh PostgreSQL database, or a fresh database
// on a MongoDB replica set where one exists (test/support/mongo.ts). The scenario reads its
// outcome through the store, so the same expectations hold on both.
import { randomUUID } from 'node:crypto';
import { freshDatabaseUrl, sql } from '../../support/postgres.ts';
import { openPostgres } from '../../../src/store/postgres/open.ts';
import type { Store } from '../../../src/store/types.ts';

export interface ScenarioDatabase {
  kind: 'postgres' | 'mongo';
  /** What the service's environment says to use this database. */
  env: Record<string, string>;
  open(): Promise<{ store: Store; close(): Promise<void> }>;
  /**
   * A restarted worker keeps the recurring jobs' schedule (timers every minute): the crash tests
   * bring that run forward rather than wait for it in real time.
   */
  bringTimerSweepForward(): Promise<void>;
}

const SWEEPS = ['timers.fire', 'outbox.dispatch'];

export async function freshPostgres(): Promise<ScenarioDatabase> {
  return postgresAt(await freshDatabaseUrl());
}

export function postgresAt(url: string): ScenarioDatabase {
  return {
    kind: 'postgres',
    env: { DATABASE_URL: url },
    async open() {
      const opened = await openPostgres(url);
      return { store: opened.store, close: opened.close };
    },
    async bringTimerSweepForward() {
      await sql(url, 'UPDATE agenda_jobs SET next_run_at = now() WHERE name = ANY($1)', [SWEEPS]);
    },
  };
}

/** The replica set's URI naming a database of its own (hosts and options kept). */
export function withDatabase(uri: string, dbName: string): string {
  const scheme = uri.indexOf('://') + 3;
  const slash = uri.indexOf('/', scheme);
  const query = uri.indexOf('?', scheme);
  const hostsEnd = [slash, query].filter((i) => i >= 0).reduce((a, b) => Math.min(a, b), uri.length);
  return `${uri.slice(0, hostsEnd)}/${dbName}${query >= 0 ? uri.slice(query) : ''}`;
}

export function freshMongo(replicaSetUri: string): ScenarioDatabase {
  const uri = withDatabase(replicaSetUri, `rel_${randomUUID().replaceAll('-', '').slice(0, 16)}`);
  return {
    kind: 'mongo',
    env: { MONGODB_URI: uri, DATABASE_URL: '' },
    async open() {
      const { openMongoStore } = await import('../../../src/store/mongo/open.ts');
      const store = await openMongoStore(uri);
      return { store, close: () => store.close() };
    },
    async bringTimerSweepForward() {
      const { MongoClient } = await import('mongodb');
      const client = await MongoClient.connect(uri);
      try {
        await client.db().collection('agendaJobs').updateMany({ name: { $in: SWEEPS } }, { $set: { nextRunAt: new Date() } });
      } finally {
        await client.close();
      }
    },
  };
}
