import type pg from 'pg';
import { sortEntries, type CalendarEntry } from '../../domain/school-calendar.ts';
import type { StoredSchoolCalendar } from '../types.ts';
import { PgBase } from './base.ts';
import { inTransaction } from './pool.ts';

interface CalendarRow {
  revision: number;
  updated_at: Date;
  updated_by: string;
  entries: CalendarEntry[];
}

const SELECT = `
  SELECT c.revision, c.updated_at, c.updated_by,
    COALESCE((SELECT json_agg(json_build_object('kind', e.kind, 'start', e.start_date, 'end', e.end_date, 'description', e.description))
              FROM school_calendar_entries e WHERE e.school_id = c.school_id), '[]'::json) AS entries
  FROM school_calendars c WHERE c.school_id = $1`;

function toCalendar(schoolId: string, row: CalendarRow | undefined): StoredSchoolCalendar {
  if (!row) return { schoolId, entries: [], revision: 0, updatedAt: null, updatedBy: null };
  return { schoolId, entries: sortEntries(row.entries), revision: row.revision, updatedAt: row.updated_at, updatedBy: row.updated_by };
}

export async function getSchoolCalendar(db: pg.Pool | pg.PoolClient, schoolId: string): Promise<StoredSchoolCalendar> {
  return toCalendar(schoolId, (await db.query<CalendarRow>(SELECT, [schoolId])).rows[0]);
}

export function saveSchoolCalendar(pool: pg.Pool, schoolId: string, entries: CalendarEntry[], meta: { expectedRevision: number; by: string; at: Date }) {
  return inTransaction(pool, async (client) => {
    // The row's lock orders concurrent saves: the second sees the first's revision and writes nothing.
    const claimed =
      meta.expectedRevision === 0
        ? await client.query(
            `INSERT INTO school_calendars (school_id, revision, updated_at, updated_by) VALUES ($1, 1, $2, $3)
             ON CONFLICT (school_id) DO NOTHING`,
            [schoolId, meta.at, meta.by],
          )
        : await client.query(
            'UPDATE school_calendars SET revision = revision + 1, updated_at = $3, updated_by = $4 WHERE school_id = $1 AND revision = $2',
            [schoolId, meta.expectedRevision, meta.at, meta.by],
          );
    if (claimed.rowCount !== 1) return null;
    await client.query('DELETE FROM school_calendar_entries WHERE school_id = $1', [schoolId]);
    await client.query(
      `INSERT INTO school_calendar_entries (school_id, kind, start_date, end_date, description)
       SELECT $1, * FROM unnest($2::text[], $3::date[], $4::date[], $5::text[])`,
      [schoolId, entries.map((e) => e.kind), entries.map((e) => e.start), entries.map((e) => e.end), entries.map((e) => e.description)],
    );
    return getSchoolCalendar(client, schoolId);
  });
}

/** A school's own term dates, INSET days and closures. */
export abstract class PgCalendars extends PgBase {
  getSchoolCalendar(schoolId: string) {
    return getSchoolCalendar(this.pool, schoolId);
  }

  saveSchoolCalendar(schoolId: string, entries: CalendarEntry[], meta: { expectedRevision: number; by: string; at: Date }) {
    return saveSchoolCalendar(this.pool, schoolId, entries, meta);
  }
}
