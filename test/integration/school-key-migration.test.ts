// Migration 020 on a database that already holds cases: their timeline, timers and outbox rows are
// given the case's school, and from then on a row cannot claim another school than its case's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { migrate } from '../../src/store/postgres/migrate.ts';
import { openPostgres, type OpenedPostgres } from '../../src/store/postgres/open.ts';
import { migrateBefore } from '../support/migrations.ts';
import { freshDatabaseUrl, sql } from '../support/postgres.ts';

const THIS_ONE = '020_case_rows_school.sql';

let url: string;
let opened: OpenedPostgres | undefined;

beforeAll(async () => {
  url = await freshDatabaseUrl();
  const pool = new pg.Pool({ connectionString: url });
  try {
    await migrateBefore(pool, THIS_ONE);
    await pool.query(`
      INSERT INTO trusts VALUES ('t', 'Trust');
      INSERT INTO schools VALUES ('north', 't', 'North School', 'west-coventry', 'coventry'), ('south', 't', 'South School', 'west-coventry', 'coventry');
      INSERT INTO pupils (school_id, upn, forename, surname, date_of_birth, year_group) VALUES ('north', 'N1', 'Sam', 'North', '2014-01-01', '5'), ('south', 'S1', 'Alex', 'South', '2014-01-01', '5');
      INSERT INTO cases (id, school_id, upn, workflow_id, machine_id, machine_version, state, status, snapshot, version, opened_at, updated_at) VALUES
        ('case-n', 'north', 'N1', 'west-coventry', 'm', 1, 'stage1', 'open', '{}', 1, now(), now()),
        ('case-s', 'south', 'S1', 'west-coventry', 'm', 1, 'stage1', 'open', '{}', 1, now(), now());
      INSERT INTO case_timeline (id, case_id, at, actor, type, evidence) VALUES ('e-n', 'case-n', now(), 'system:evaluator', 'opened', '{}'), ('e-s', 'case-s', now(), 'system:evaluator', 'opened', '{}');
      INSERT INTO case_timers (case_id, name, timer_id, due_at, event) VALUES ('case-n', 'review', 'tn', now(), '{}'), ('case-s', 'review', 'ts', now(), '{}');
      INSERT INTO outbox (id, case_id, kind, payload, status, next_attempt_at, created_at) VALUES ('o-n', 'case-n', 'sendLetter', '{}', 'pending', now(), now()), ('o-s', 'case-s', 'notify', '{}', 'held', now(), now());
    `);
    expect(await migrate(pool)).toContain(THIS_ONE);
  } finally {
    await pool.end();
  }
  opened = await openPostgres(url);
});

afterAll(async () => {
  await opened?.close();
});

describe('migration 020: the school on a case’s timeline, timers and outbox', () => {
  it('when a database with cases is migrated, then every timeline entry, timer and effect has its case’s school', async () => {
    for (const table of ['case_timeline', 'case_timers', 'outbox']) {
      const rows = await sql<{ case_id: string; school_id: string }>(url, `SELECT case_id, school_id FROM ${table} ORDER BY case_id`);
      expect(rows, table).toEqual([
        { case_id: 'case-n', school_id: 'north' },
        { case_id: 'case-s', school_id: 'south' },
      ]);
    }
  });

  it('when it is migrated, then the store reads the rows written before it by case id', async () => {
    const store = opened!.store;
    expect((await store.listTimeline('case-s')).map((e) => e.id)).toEqual(['e-s']);
    expect((await store.listTimers('case-n')).map((t) => t.timerId)).toEqual(['tn']);
    expect((await store.getTimer('case-s', 'review'))?.timerId).toBe('ts');
    expect((await store.listEffects({ schoolIds: ['south'] })).map((e) => e.id)).toEqual(['o-s']);
  });

  it('when a row names another school than its case’s, or none, then it is refused', async () => {
    await expect(sql(url, `INSERT INTO case_timeline (id, school_id, case_id, at, actor, type, evidence) VALUES ('x', 'south', 'case-n', now(), 'a', 'note', '{}')`)).rejects.toThrow(/case_timeline_case_fkey/);
    await expect(sql(url, `INSERT INTO case_timers (school_id, case_id, name, timer_id, due_at, event) VALUES ('south', 'case-n', 'x', 'x', now(), '{}')`)).rejects.toThrow(/case_timers_case_fkey/);
    await expect(sql(url, `INSERT INTO outbox (id, school_id, case_id, kind, payload, status, next_attempt_at, created_at) VALUES ('x', 'south', 'case-n', 'notify', '{}', 'pending', now(), now())`)).rejects.toThrow(/outbox_case_fkey/);
    await expect(sql(url, `INSERT INTO case_timeline (id, case_id, at, actor, type, evidence) VALUES ('y', 'case-n', now(), 'a', 'note', '{}')`)).rejects.toThrow(/school_id/);
  });
});
