import { PostgresBackend } from '@agendajs/postgres-backend';
import { openTestPostgres } from '../support/postgres.ts';
import { defineDurableCase } from './durable-case.ts';

defineDurableCase('postgres', async () => {
  const db = await openTestPostgres();
  return { store: db.store, agendaBackend: () => new PostgresBackend({ pool: db.store.pool, ensureSchema: false }), close: db.close };
});
