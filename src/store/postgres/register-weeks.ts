import { addDays, mondayOf } from '../../domain/dates.ts';
import type { RegisterWeek } from '../../domain/register-weeks.ts';
import type { IsoDate } from '../../domain/types.ts';
import { PgBase } from './base.ts';

/** Pupils read per query: keeps memory flat however large the school is. */
const PAGE = 500;

/** The register as packed weeks (`mark_weeks`, migration 018), for readers that want their counts. */
export abstract class PgRegisterWeeks extends PgBase {
  async *streamSchoolWeeks(schoolId: string, range: { from?: IsoDate; to?: IsoDate } = {}): AsyncGenerator<{ upn: string; weeks: RegisterWeek[] }> {
    const dates = new Map<number, IsoDate>();
    let after = '';
    for (;;) {
      // Each pupil's weeks as one string of space-separated fields (no packed code is a space or a comma).
      const { rows } = await this.pool.query<{ upn: string; weeks: string | null }>(
        `SELECT p.upn,
                (SELECT string_agg(concat_ws(' ', w.week - DATE '1970-01-01', w.codes, w.possible, w.present, w.approved,
                                             w.authorised, w.unauthorised, w.threshold, w.n), ',' ORDER BY w.week)
                   FROM mark_weeks w
                  WHERE w.school_id = p.school_id AND w.upn = p.upn
                    AND ($3::date IS NULL OR w.week >= $3) AND ($4::date IS NULL OR w.week <= $4)) AS weeks
           FROM pupils p
          WHERE p.school_id = $1 AND p.upn > $2
          ORDER BY p.upn LIMIT ${PAGE}`,
        [schoolId, after, range.from ? mondayOf(range.from) : null, range.to ?? null],
      );
      if (rows.length === 0) return;
      for (const { upn, weeks } of rows) {
        yield {
          upn,
          weeks: (weeks ? weeks.split(',') : []).map((item) => {
            const [day, codes, possible, present, approved, authorised, unauthorised, threshold, n] = item.split(' ');
            let week = dates.get(Number(day));
            if (week === undefined) dates.set(Number(day), (week = addDays('1970-01-01', Number(day))));
            return {
              week,
              codes: codes!,
              possible: Number(possible),
              present: Number(present),
              approved: Number(approved),
              authorised: Number(authorised),
              unauthorised: Number(unauthorised),
              threshold: Number(threshold),
              n: Number(n),
            };
          }),
        };
      }
      after = rows[rows.length - 1]!.upn;
    }
  }
}
