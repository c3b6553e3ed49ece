import type pg from 'pg';

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
    `INSERT INTO mark_weeks (school_id, upn, week, codes, possible, present, approved, authorised, unauthorised, threshold, n)
     SELECT k.school_id, k.upn, k.week, w.*
       FROM (SELECT DISTINCT school_id, upn, week FROM (${touched}) t) k
       CROSS JOIN LATERAL (
         SELECT string_agg(chr(97 + (m.date - k.week) * 2 + (m.session = 'PM')::int) || mark_code_char(m.code), '' ORDER BY m.date, m.session),
                count(*) FILTER (WHERE mark_code_category(m.code) <> 'notCounted'),
                count(*) FILTER (WHERE mark_code_category(m.code) = 'present'),
                count(*) FILTER (WHERE mark_code_category(m.code) = 'approvedEducation'),
                count(*) FILTER (WHERE mark_code_category(m.code) = 'authorised'),
                count(*) FILTER (WHERE mark_code_category(m.code) = 'unauthorised'),
                count(*) FILTER (WHERE m.code IN ('G', 'O', 'U')),
                count(*) FILTER (WHERE m.code = 'N')
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

/** The Monday of a date column or expression, in SQL. */
export const mondayOfSql = (date: string) => `(${date} - (extract(isodow FROM ${date})::int - 1))`;
