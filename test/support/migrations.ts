import { readdir, readFile } from 'node:fs/promises';
import type pg from 'pg';

const MIGRATIONS = new URL('../../src/store/postgres/migrations/', import.meta.url);

/**
 * Applies, as migrate() does, every migration before `name`, and makes the schema its tests
 * expect: a database as it stood before that migration, to be filled with rows of the old shape
 * and then migrated for real.
 */
export async function migrateBefore(pool: pg.Pool, name: string): Promise<void> {
  await pool.query('CREATE TABLE schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
  for (const file of (await readdir(MIGRATIONS)).filter((f) => f.endsWith('.sql') && f < name).sort()) {
    await pool.query(await readFile(new URL(file, MIGRATIONS), 'utf8'));
    await pool.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
  }
}
