import { inject } from 'vitest';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { ensureDatabase, openPostgres, type OpenedPostgres } from '../../src/store/postgres/open.ts';

/** A fresh database on the suite's embedded PostgreSQL, so test files can run in parallel. */
export async function freshDatabaseUrl(): Promise<string> {
  const admin = inject('pgAdminUrl');
  const name = `t_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  await ensureDatabase(admin, name);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function openTestPostgres(): Promise<OpenedPostgres> {
  return openPostgres(await freshDatabaseUrl());
}

/** Runs raw SQL against a test database (for fault injection and inspection). */
export async function sql<T extends pg.QueryResultRow>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}
