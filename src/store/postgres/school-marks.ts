import type pg from 'pg';
import { addDays } from '../../domain/dates.ts';
import type { IsoDate } from '../../domain/types.ts';
import type { SchoolMarksFilter, StoredMark } from '../types.ts';

/** Pupils read per query: keeps memory flat however large the school is. */
const PAGE = 500;

/**
 * Every pupil's marks of a school, a page of pupils at a time. A year of a large trust is millions
 * of marks; sent as rows, parsing them costs more than the whole evaluation, so each pupil's marks
 * arrive as one string of `<day*2+pm><code>` items (codes never start with a digit) and are
 * unpacked here.
 */
export async function* streamSchoolMarks(pool: pg.Pool, schoolId: string, filter: SchoolMarksFilter) {
  const dates = new Map<number, IsoDate>();
  const dateOf = (day: number) => {
    let date = dates.get(day);
    if (date === undefined) dates.set(day, (date = addDays('1970-01-01', day)));
    return date;
  };
  let after = '';
  for (;;) {
    const { rows } = await pool.query<{ upn: string; marks: string | null }>(
      `SELECT p.upn,
              (SELECT string_agg(((m.date - DATE '1970-01-01') * 2 + (m.session = 'PM')::int) || m.code, ',' ORDER BY m.date, m.session)
                 FROM marks m
                WHERE m.school_id = p.school_id AND m.upn = p.upn
                  AND ($3::date IS NULL OR m.date >= $3) AND ($4::date IS NULL OR m.date <= $4)
                  AND ($6::text[] IS NULL OR m.code = ANY($6))) AS marks
         FROM pupils p
        WHERE p.school_id = $1 AND p.upn > $2 AND ($5::text[] IS NULL OR p.upn = ANY($5))
        ORDER BY p.upn LIMIT ${PAGE}`,
      [schoolId, after, filter.from ?? null, filter.to ?? null, filter.upns ?? null, filter.codes ?? null],
    );
    if (rows.length === 0) return;
    for (const { upn, marks } of rows) {
      const unpacked: StoredMark[] = [];
      if (marks) {
        for (const item of marks.split(',')) {
          let digits = 0;
          for (let c = item.charCodeAt(0); c >= 48 && c <= 57; c = item.charCodeAt(++digits));
          const slot = Number(item.slice(0, digits));
          unpacked.push({ upn, date: dateOf(slot >> 1), session: slot & 1 ? 'PM' : 'AM', code: item.slice(digits) });
        }
      }
      yield { upn, marks: unpacked };
    }
    after = rows[rows.length - 1]!.upn;
  }
}
