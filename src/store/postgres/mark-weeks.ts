import type pg from 'pg';

/** The Monday of a date column or expression, in SQL. */
export const mondayOfSql = (date: string) => `(${date} - (extract(isodow FROM ${date})::int - 1))`;

/** A week's packed codes and counts, aggregated over marks `m` (date, session, code) of the week starting `week`. */
const packed = (week: string) => `
  string_agg(chr(97 + (m.date - ${week}) * 2 + (m.session = 'PM')::int) || mark_code_char(m.code), '' ORDER BY m.date, m.session),
  count(*) FILTER (WHERE mark_code_category(m.code) <> 'notCounted'),
  count(*) FILTER (WHERE mark_code_category(m.code) = 'present'),
  count(*) FILTER (WHERE mark_code_category(m.code) = 'approvedEducation'),
  count(*) FILTER (WHERE mark_code_category(m.code) = 'authorised'),
  count(*) FILTER (WHERE mark_code_category(m.code) = 'unauthorised'),
  count(*) FILTER (WHERE m.code IN ('G', 'O', 'U')),
  count(*) FILTER (WHERE m.code = 'N')`;

const COLUMNS = 'school_id, upn, week, codes, possible, present, approved, authorised, unauthorised, threshold, n';

/**
 * Keeps `mark_weeks` (migration 018) true to `marks`: every pupil-week a write touched is packed
 * and counted again from its marks, in the writer's transaction. `touched` is a query giving
 * `(school_id, upn, week)`, weeks as their Mondays. A week left with no marks is not written:
 * a writer that deletes marks deletes its weeks first.
 *
 * Each week is read through the marks' primary key (LATERAL): the touched weeks come from a
 * temporary table without statistics, and a hash join would read every school's marks.
 */
export async function refreshMarkWeeks(client: pg.PoolClient, touched: string, params: unknown[] = []): Promise<void> {
  await client.query(
    `INSERT INTO mark_weeks (${COLUMNS})
     SELECT k.school_id, k.upn, k.week, w.*
       FROM (SELECT DISTINCT school_id, upn, week FROM (${touched}) t) k
       CROSS JOIN LATERAL (
         SELECT ${packed('k.week')}
           FROM marks m
          WHERE m.school_id = k.school_id AND m.upn = k.upn AND m.date >= k.week AND m.date < k.week + 7
         HAVING count(*) > 0
       ) w
     ON CONFLICT (school_id, upn, week) DO UPDATE SET codes = EXCLUDED.codes, possible = EXCLUDED.possible,
       present = EXCLUDED.present, approved = EXCLUDED.approved, authorised = EXCLUDED.authorised,
       unauthorised = EXCLUDED.unauthorised, threshold = EXCLUDED.threshold, n = EXCLUDED.n`,
    params,
  );
}

/**
 * After an import has written `table` (its rows, one per session, dates as text) to `marks`: a
 * week the school had no marks in is made from the file's rows alone, by one hash aggregation
 * (a first register, a new week); a week it had marks in already is packed again from `marks`.
 */
export async function writeImportedWeeks(client: pg.PoolClient, schoolId: string, table: string): Promise<void> {
  const known = await client.query<{ upn: string; week: string }>(
    `WITH weeks AS (
       SELECT m.upn, m.week, ${packed('m.week')}
         FROM (SELECT upn, date::date AS date, session, code, ${mondayOfSql('date::date')} AS week FROM ${table}) m
        GROUP BY m.upn, m.week
     ), made AS (
       INSERT INTO mark_weeks (${COLUMNS}) SELECT $1, weeks.* FROM weeks
       ON CONFLICT (school_id, upn, week) DO NOTHING
       RETURNING upn, week
     )
     SELECT w.upn, to_char(w.week, 'YYYY-MM-DD') AS week FROM weeks w LEFT JOIN made USING (upn, week) WHERE made.upn IS NULL`,
    [schoolId],
  );
  if (known.rows.length === 0) return;
  await refreshMarkWeeks(client, 'SELECT $1::text AS school_id, upn, week FROM unnest($2::text[], $3::date[]) AS k(upn, week)', [
    schoolId,
    known.rows.map((r) => r.upn),
    known.rows.map((r) => r.week),
  ]);
}
