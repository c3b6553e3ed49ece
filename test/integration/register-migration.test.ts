// Migration 019 on a database that already holds a register as a row per session: the packed
// weeks it leaves are the register, so every mark must come through it unchanged (the legal
// record), with the counts the evaluation reads, and amendments kept as they were.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { ATTENDANCE_CODES } from '../../src/domain/codes.ts';
import { addDays, mondayOf } from '../../src/domain/dates.ts';
import { packWeek, weekCounts } from '../../src/domain/register-weeks.ts';
import { migrate } from '../../src/store/postgres/migrate.ts';
import { openPostgres, type OpenedPostgres } from '../../src/store/postgres/open.ts';
import { migrateBefore } from '../support/migrations.ts';
import { freshDatabaseUrl, sql } from '../support/postgres.ts';

const THIS_ONE = '019_register_as_weeks.sql';

interface Row {
  school_id: string;
  upn: string;
  date: string;
  session: 'AM' | 'PM';
  code: string;
}

/**
 * Two schools' registers, as the row-per-session table held them: every national code at least
 * once, in both sessions, over weekdays of three weeks (one of them part-filled), a weekend
 * session and a pupil with a single mark.
 */
function registerRows(): Row[] {
  const rows: Row[] = [];
  const codes = ATTENDANCE_CODES.map((c) => c.code);
  let next = 0;
  for (const [school, upns] of [
    ['north', ['N1', 'N2']],
    ['south', ['S1']],
  ] as const) {
    for (const upn of upns) {
      for (let day = 0; day < 19; day++) {
        const date = addDays('2025-09-01', day);
        for (const session of ['AM', 'PM'] as const) rows.push({ school_id: school, upn, date, session, code: codes[next++ % codes.length]! });
      }
    }
  }
  rows.push({ school_id: 'south', upn: 'S2', date: '2025-09-10', session: 'PM', code: 'N' });
  return rows;
}

const ROWS = registerRows();
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
      INSERT INTO pupils (school_id, upn, forename, surname, date_of_birth, year_group) VALUES
        ('north', 'N1', 'Sam', 'North', '2014-01-01', '5'), ('north', 'N2', 'Ali', 'North', '2014-01-01', '5'),
        ('south', 'S1', 'Alex', 'South', '2014-01-01', '5'), ('south', 'S2', 'Jo', 'South', '2014-01-01', '5');
      INSERT INTO mark_amendments (school_id, upn, date, session, original_code, new_code, reason, amended_by, amended_at)
        VALUES ('north', 'N1', '2025-09-01', 'AM', 'N', '/', 'MIS correction', 'import', '2025-09-02T16:00:00Z');
    `);
    await pool.query(
      `INSERT INTO marks (school_id, upn, date, session, code) SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::text[], $5::text[])`,
      [ROWS.map((r) => r.school_id), ROWS.map((r) => r.upn), ROWS.map((r) => r.date), ROWS.map((r) => r.session), ROWS.map((r) => r.code)],
    );
    // The weeks 018 kept are thrown away and packed again: a stale week must not survive.
    await pool.query(`UPDATE mark_weeks SET codes = 'a/', possible = 1 WHERE upn = 'N1'`);
    expect(await migrate(pool)).toContain(THIS_ONE);
  } finally {
    await pool.end();
  }
  opened = await openPostgres(url);
});

afterAll(async () => {
  await opened?.close();
});

describe('migration 019: the packed weeks become the register', () => {
  it('when a database with a row-per-session register is migrated, then every mark reads back unchanged, by SQL and by the store', async () => {
    const key = (r: Pick<Row, 'school_id' | 'upn' | 'date' | 'session' | 'code'>) => `${r.school_id} ${r.upn} ${r.date} ${r.session} ${r.code}`;
    const viewed = await sql<Row>(url, `SELECT school_id, upn, to_char(date, 'YYYY-MM-DD') AS date, session, code FROM mark_sessions`);
    expect(viewed.map(key).sort()).toEqual(ROWS.map(key).sort());
    for (const [school, upn] of [
      ['north', 'N1'],
      ['north', 'N2'],
      ['south', 'S1'],
      ['south', 'S2'],
    ] as const) {
      const read = await opened!.store.listMarks(school, upn);
      const expected = ROWS.filter((r) => r.school_id === school && r.upn === upn).sort((a, b) => a.date.localeCompare(b.date) || a.session.localeCompare(b.session));
      expect(read.map((m) => key({ ...m, school_id: school })), `${school} ${upn}`).toEqual(expected.map(key));
    }
    expect(await sql(url, `SELECT to_regclass('marks') AS marks`)).toEqual([{ marks: null }]);
  });

  it('when the weeks are read with their counts, then each is what packing its marks gives, and the amendments are kept', async () => {
    const weeks = new Map<string, Row[]>();
    for (const row of ROWS) {
      const id = `${row.school_id} ${row.upn} ${mondayOf(row.date)}`;
      weeks.set(id, [...(weeks.get(id) ?? []), row]);
    }
    for (const school of ['north', 'south']) {
      for await (const { upn, weeks: read } of opened!.store.streamSchoolWeeks(school)) {
        for (const week of read) {
          const marks = weeks.get(`${school} ${upn} ${week.week}`)!;
          const packed = packWeek(marks);
          expect(week.codes, `${school} ${upn} ${week.week}`).toBe(packed);
          expect(week).toMatchObject(weekCounts(packed));
          weeks.delete(`${school} ${upn} ${week.week}`);
        }
      }
    }
    expect([...weeks.keys()], 'weeks with marks that the store did not give').toEqual([]);
    expect(await opened!.store.listAmendments('north', 'N1')).toMatchObject([{ date: '2025-09-01', session: 'AM', originalCode: 'N', newCode: '/', reason: 'MIS correction' }]);
  });
});
