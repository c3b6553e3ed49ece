import type pg from 'pg';
import { addDays, mondayOf } from '../../domain/dates.ts';
import { codesPattern, unpackWeek } from '../../domain/register-weeks.ts';
import type { IsoDate } from '../../domain/types.ts';
import type { SchoolMarksFilter, StoredMark } from '../types.ts';

/** Pupils read per query: keeps memory flat however large the school is. */
const PAGE = 500;

/**
 * Every pupil's marks of a school, a page of pupils at a time, read from the packed weeks
 * (`mark_weeks`, the register since migration 019): a pupil's year is about 40 rows, not 380 marks.
 * Each pupil's weeks arrive as one string of `<day of the Monday><packed week>` items, unpacked
 * here; a code filter picks the weeks holding one of the codes, then the marks.
 */
export async function* streamSchoolMarks(pool: pg.Pool, schoolId: string, filter: SchoolMarksFilter) {
  const dates = new Map<number, IsoDate>();
  const dateOf = (day: number) => {
    let date = dates.get(day);
    if (date === undefined) dates.set(day, (date = addDays('1970-01-01', day)));
    return date;
  };
  const range = { from: filter.from, to: filter.to, codes: filter.codes ? new Set(filter.codes) : undefined };
  let after = '';
  for (;;) {
    const { rows } = await pool.query<{ upn: string; weeks: string | null }>(
      `SELECT p.upn,
              (SELECT string_agg((w.week - DATE '1970-01-01') || w.codes, ',' ORDER BY w.week)
                 FROM mark_weeks w
                WHERE w.school_id = p.school_id AND w.upn = p.upn
                  AND ($3::date IS NULL OR w.week >= $3) AND ($4::date IS NULL OR w.week <= $4)
                  AND ($6::text IS NULL OR w.codes ~ $6)) AS weeks
         FROM pupils p
        WHERE p.school_id = $1 AND p.upn > $2 AND ($5::text[] IS NULL OR p.upn = ANY($5))
        ORDER BY p.upn LIMIT ${PAGE}`,
      [
        schoolId,
        after,
        filter.from ? mondayOf(filter.from) : null,
        filter.to ?? null,
        filter.upns ?? null,
        filter.codes ? codesPattern(filter.codes) : null,
      ],
    );
    if (rows.length === 0) return;
    for (const { upn, weeks } of rows) {
      const unpacked: StoredMark[] = [];
      if (weeks) {
        for (const item of weeks.split(',')) {
          let digits = 0;
          for (let c = item.charCodeAt(0); c >= 48 && c <= 57; c = item.charCodeAt(++digits));
          unpackWeek(unpacked, upn, Number(item.slice(0, digits)), item.slice(digits), dateOf, range);
        }
      }
      yield { upn, marks: unpacked };
    }
    // A page short of full was the last: no round trip to be told so.
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1]!.upn;
  }
}
