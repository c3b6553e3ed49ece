import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { ImportProblem, MarkRow, MarksImport, MarksImportResult } from '../types.ts';

/**
 * Stages rows in a temporary table inside one transaction; nothing reaches `marks` until
 * commit, and a crash or abort leaves the register exactly as it was.
 */
export async function beginPostgresMarksImport(
  pool: pg.Pool,
  schoolId: string,
  meta: { actor: string; reason: string; at: Date },
): Promise<MarksImport> {
  const client = await pool.connect();
  let open = true;
  const finish = async (sql: string) => {
    if (!open) return;
    open = false;
    try {
      await client.query(sql);
    } finally {
      client.release();
    }
  };
  try {
    await client.query('BEGIN');
    await client.query(
      `CREATE TEMP TABLE staged_marks (line integer NOT NULL, upn text NOT NULL, date date NOT NULL,
         session char(2) NOT NULL, code text NOT NULL) ON COMMIT DROP`,
    );
  } catch (error) {
    await finish('ROLLBACK');
    throw error;
  }

  return {
    async add(rows: MarkRow[]) {
      if (rows.length === 0) return;
      // COPY rather than INSERT: a year of a trust is millions of rows, and COPY is the fastest
      // way in. CSV, not COPY text format: the PM code is a backslash, which text format would escape.
      let text = '';
      for (const r of rows) text += `${r.line},"${r.upn.replaceAll('"', '""')}",${r.date},${r.session},"${r.code.replaceAll('"', '""')}"\n`;
      await pipeline(Readable.from([text]), client.query(copyFrom('COPY staged_marks (line, upn, date, session, code) FROM STDIN (FORMAT csv)')));
    },

    async problems(limit: number): Promise<ImportProblem[]> {
      const unknown = await client.query<{ line: number; upn: string }>(
        `SELECT s.line, s.upn FROM staged_marks s
          WHERE NOT EXISTS (SELECT 1 FROM pupils p WHERE p.school_id = $1 AND p.upn = s.upn)
          ORDER BY s.line LIMIT $2`,
        [schoolId, limit],
      );
      const conflicting = await client.query<{ line: number; code: string; first_line: number; first_code: string }>(
        `SELECT line, code, first_line, first_code FROM (
           SELECT line, code,
                  first_value(line) OVER w AS first_line, first_value(code) OVER w AS first_code
             FROM staged_marks
           WINDOW w AS (PARTITION BY upn, date, session ORDER BY line)
         ) t WHERE code <> first_code ORDER BY line LIMIT $1`,
        [limit],
      );
      return [
        ...unknown.rows.map((r) => ({ line: r.line, column: 'upn', value: r.upn, message: 'no pupil with this UPN is on the school roll' })),
        ...conflicting.rows.map((r) => ({
          line: r.line,
          column: 'code',
          value: r.code,
          message: `the same session is marked '${r.first_code}' on line ${r.first_line}`,
        })),
      ]
        .sort((a, b) => a.line - b.line)
        .slice(0, limit);
    },

    async commit(): Promise<MarksImportResult> {
      try {
        const read = (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM staged_marks')).rows[0]!.n;
        // The same session repeated with the same code is one mark.
        await client.query(
          `CREATE TEMP TABLE distinct_marks ON COMMIT DROP AS
             SELECT DISTINCT ON (upn, date, session) upn, date, session, code FROM staged_marks`,
        );
        await client.query(
          `INSERT INTO mark_amendments (school_id, upn, date, session, original_code, new_code, reason, amended_by, amended_at)
           SELECT $1, d.upn, d.date, d.session, m.code, d.code, $2, $3, $4
             FROM distinct_marks d
             JOIN marks m ON m.school_id = $1 AND m.upn = d.upn AND m.date = d.date AND m.session = d.session
            WHERE m.code <> d.code`,
          [schoolId, meta.reason, meta.actor, meta.at],
        );
        const counts = await client.query<{ inserted: number; amended: number }>(
          `WITH written AS (
             INSERT INTO marks (school_id, upn, date, session, code)
             SELECT $1, upn, date, session, code FROM distinct_marks
             ON CONFLICT (school_id, upn, date, session) DO UPDATE SET code = EXCLUDED.code
               WHERE marks.code <> EXCLUDED.code
             RETURNING (xmax = 0) AS inserted
           )
           SELECT count(*) FILTER (WHERE inserted)::int AS inserted, count(*) FILTER (WHERE NOT inserted)::int AS amended
             FROM written`,
          [schoolId],
        );
        const distinct = (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM distinct_marks')).rows[0]!.n;
        await finish('COMMIT');
        const { inserted, amended } = counts.rows[0]!;
        return { read, inserted, amended, unchanged: distinct - inserted - amended };
      } catch (error) {
        await finish('ROLLBACK');
        throw error;
      }
    },

    abort: () => finish('ROLLBACK'),
  };
}
