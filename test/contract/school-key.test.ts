// Issue 23, past one machine: the school is the distribution key (docs/scaling.md). Every SQL
// statement the PostgreSQL store runs against the case, register, task and outbox tables while the
// whole contract suite runs must name school_id, so that on Citus it goes to one school's shard.
// The statements that do not yet are listed, each with why, in school-key-exceptions.json (the
// work docs/scaling.md describes): a new statement without school_id fails here, and so does a
// listed one the store no longer runs, so that the list only shrinks.
import { readFileSync } from 'node:fs';
import { afterAll, expect } from 'vitest';
import type pg from 'pg';
import { defineStoreContract } from './store-contract.ts';
import { openTestPostgres } from '../support/postgres.ts';

/** The tables distributed by school. */
const DISTRIBUTED = ['cases', 'case_timeline', 'case_timers', 'mark_weeks', 'mark_amendments', 'tasks', 'outbox'];

const EXCEPTIONS = JSON.parse(readFileSync(new URL('./school-key-exceptions.json', import.meta.url), 'utf8')) as { why: string; sql: string }[];

const statements = new Set<string>();
const wrapped = new WeakSet<object>();

function record(client: pg.PoolClient) {
  if (wrapped.has(client)) return;
  wrapped.add(client);
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const first = args[0];
    const text = typeof first === 'string' ? first : (first as { text?: string } | null)?.text;
    if (typeof text === 'string') statements.add(text.replace(/\s+/g, ' ').trim());
    return query(...args);
  };
}

defineStoreContract('postgres, statements recorded', async () => {
  const opened = await openTestPostgres();
  opened.store.pool.on('acquire', record);
  return { store: opened.store, cleanup: opened.close };
});

/**
 * A statement keyed by school: it compares school_id (a filter or a join, `school_id = …`,
 * `… = x.school_id`, `school_id IN …`), or writes it (an insert's columns, an upsert's conflict
 * target). A school_id merely selected does not count: the statement still finds its rows without it.
 */
const KEYED = /\bschool_id\s*(?:=|IN\b)|=\s*(?:[a-z_]+\.)?school_id\b|\bINSERT INTO [a-z_]+ \([^)]*\bschool_id\b/i;

/** The distributed tables a statement reads or writes. */
function tablesOf(sql: string): string[] {
  const named = [...sql.matchAll(/\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\s+(?:ONLY\s+)?([a-z_]+)/gi)].map((m) => m[1]!.toLowerCase());
  return [...new Set(named.filter((table) => DISTRIBUTED.includes(table)))];
}

afterAll(() => {
  const touching = [...statements].filter((sql) => tablesOf(sql).length > 0);
  // The suite really ran against these tables: an empty recording proves nothing.
  for (const table of ['cases', 'mark_weeks', 'mark_amendments', 'tasks', 'outbox']) expect(touching.some((sql) => tablesOf(sql).includes(table)), table).toBe(true);
  const without = touching.filter((sql) => !KEYED.test(sql));
  const known = new Set(EXCEPTIONS.map((exception) => exception.sql));
  expect(without.filter((sql) => !known.has(sql)), 'statements on tables distributed by school that do not name school_id').toEqual([]);
  expect(EXCEPTIONS.filter((exception) => !without.includes(exception.sql)).map((e) => e.sql), 'listed exceptions the store no longer runs').toEqual([]);
});
