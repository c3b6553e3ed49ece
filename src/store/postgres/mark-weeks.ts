import type pg from 'pg';
import { ATTENDANCE_CODES, THRESHOLD_UNAUTHORISED_CODES } from '../../domain/codes.ts';
import { mondayOf } from '../../domain/dates.ts';
import { codeChar, mergeWeek, weekFrom, type WeekAmendment } from '../../domain/register-weeks.ts';
import type { CodeCategory } from '../../domain/types.ts';

/**
 * The register in PostgreSQL (migration 019): `mark_weeks`, one row per pupil per calendar week
 * holding every session's current code packed (src/domain/register-weeks.ts) with its counts, and
 * `mark_amendments`, every change of a code. Together they are the legal record.
 */

const COLUMNS = 'school_id, upn, week, codes, possible, present, approved, authorised, unauthorised, threshold, n';

const charsOf = (keep: (code: string, category: CodeCategory) => boolean) =>
  ATTENDANCE_CODES.filter((c) => keep(c.code, c.category))
    .map((c) => codeChar(c.code))
    .join('');
// A SQL literal: no packed character is a quote, and standard_conforming_strings keeps '\' as it is.
const count = (codes: string, chars: string) => `length(${codes}) - length(translate(${codes}, '${chars}', ''))`;
const POSSIBLE = charsOf((_, category) => category !== 'notCounted');

/** The counts of packed weeks `codes`, in the columns' order: per week, not per mark (lower-case slot letters are never codes). */
const countsSql = (codes: string) =>
  [
    count(codes, POSSIBLE),
    count(codes, charsOf((_, category) => category === 'present')),
    count(codes, charsOf((_, category) => category === 'approvedEducation')),
    count(codes, charsOf((_, category) => category === 'authorised')),
    count(codes, charsOf((_, category) => category === 'unauthorised')),
    count(codes, charsOf((code) => THRESHOLD_UNAUTHORISED_CODES.has(code))),
    count(codes, codeChar('N')),
  ].join(', ');

/**
 * What one session adds to its week's counts, as one integer of 5-bit fields (a week has at most
 * 14 sessions): present, approved education, authorised, unauthorised, G/O/U, N. One sum() per
 * row instead of seven count(*) FILTER aggregates, which more than doubled the packing's time.
 */
const FIELD = { present: 0, approvedEducation: 5, authorised: 10, unauthorised: 15, threshold: 20, n: 25 } as const;
const flagsOf = (code: string, category: CodeCategory) =>
  (category === 'notCounted' ? 0 : 1 << FIELD[category]) +
  (THRESHOLD_UNAUTHORISED_CODES.has(code) ? 1 << FIELD.threshold : 0) +
  (code === 'N' ? 1 << FIELD.n : 0);
const FLAGS = new Map<number, string[]>();
for (const { code, category } of ATTENDANCE_CODES) FLAGS.set(flagsOf(code, category), [...(FLAGS.get(flagsOf(code, category)) ?? []), code]);
const quoted = (code: string) => `'${code.replaceAll("'", "''")}'`;
/** A staged code's flags (codes are national: checked before). */
const flagsSql = (code: string) =>
  `CASE ${[...FLAGS].filter(([flags]) => flags !== 0).map(([flags, codes]) => `WHEN ${code} IN (${codes.map(quoted).join(', ')}) THEN ${flags}`).join(' ')} ELSE 0 END`;
const field = (flags: string, name: keyof typeof FIELD) => `((${flags} >> ${FIELD[name]}) & 31)`;
/** The counts columns from a week's summed flags. */
const countsFromFlags = (flags: string) =>
  [
    `${field(flags, 'present')} + ${field(flags, 'approvedEducation')} + ${field(flags, 'authorised')} + ${field(flags, 'unauthorised')}`,
    field(flags, 'present'),
    field(flags, 'approvedEducation'),
    field(flags, 'authorised'),
    field(flags, 'unauthorised'),
    field(flags, 'threshold'),
    field(flags, 'n'),
  ].join(', ');

/**
 * One row per pupil-week of `rows` (upn, d: the date, session, code; one row per session, every
 * value already checked): the week's items packed in slot order with its summed flags, how many
 * rows it had and how many distinct sessions (fewer when a session is repeated: one bit a slot).
 * The week and slot come by day arithmetic from a known Monday (2000-01-03), not extract(), the
 * date cast once; the rows are sorted by UPN in the C collation (bytes, not
 * language rules), so each week's items arrive in slot order.
 */
export const fileWeeksSql = (rows: string) => `
  SELECT upn, d - wd AS week,
         string_agg(chr(97 + slot) || mark_code_char(code), '' ORDER BY slot) AS codes, count(*)::int AS n,
         bit_count(bit_or(1 << slot)::bit(32))::int AS sessions, sum(${flagsSql('code')})::bigint AS flags
    FROM (SELECT upn COLLATE "C" AS upn, code, d, wd, wd * 2 + (session = 'PM')::int AS slot
            FROM (SELECT upn, code, session, d, ((d - DATE '2000-01-03') % 7 + 7) % 7 AS wd FROM (${rows}) r OFFSET 0) r) r
   GROUP BY upn, d - wd`;

/** Staged rows of `table` (dates as text), for `fileWeeksSql`. */
export const castRowsSql = (table: string) => `SELECT upn, date::date AS d, session, code FROM ${table}`;

export interface WrittenWeeks {
  inserted: number;
  amended: number;
  /** Distinct sessions in the file. */
  distinct: number;
}

/**
 * Writes `file_weeks` (made by `fileWeeksSql`, no session repeated) to the register: a week new
 * to the school goes in as it is; a week it has already is merged with the file's (the file wins
 * per session, src/domain/register-weeks.ts `mergeWeek`), each changed session written as an amendment.
 */
export async function writeFileWeeks(
  client: pg.PoolClient,
  schoolId: string,
  meta: { actor: string; reason: string; at: Date },
): Promise<WrittenWeeks> {
  const { rows } = await client.query<{ upn: string | null; week: string | null; codes: string | null; inserted: number | null; distinct: number | null }>(
    `WITH made AS (
       INSERT INTO mark_weeks (${COLUMNS})
       SELECT $1, upn, week, codes, ${countsFromFlags('flags')} FROM file_weeks
       ON CONFLICT (school_id, upn, week) DO NOTHING
       RETURNING upn, week, length(codes) / 2 AS sessions
     )
     SELECT NULL AS upn, NULL AS week, NULL AS codes, (SELECT coalesce(sum(sessions), 0)::int FROM made) AS inserted,
            (SELECT coalesce(sum(sessions), 0)::int FROM file_weeks) AS distinct
     UNION ALL
     SELECT f.upn, to_char(f.week, 'YYYY-MM-DD'), f.codes, NULL, NULL FROM file_weeks f
      WHERE NOT EXISTS (SELECT 1 FROM made WHERE made.upn = f.upn AND made.week = f.week)`,
    [schoolId],
  );
  const [totals, rest] = [rows[0], rows.slice(1)];
  // In the register's order, so two imports of one school lock the weeks they share in the same order.
  const known = rest.sort((a, b) => (a.upn! === b.upn! ? (a.week! < b.week! ? -1 : 1) : a.upn! < b.upn! ? -1 : 1));
  const written = { inserted: totals!.inserted!, amended: 0, distinct: totals!.distinct! };
  if (known.length === 0) return written;

  // Weeks the school had already: locked, merged with the file's in memory, written back.
  const stored = await client.query<{ upn: string; week: string; codes: string }>(
    `SELECT w.upn, to_char(w.week, 'YYYY-MM-DD') AS week, w.codes
       FROM mark_weeks w JOIN unnest($2::text[], $3::date[]) AS k(upn, week) ON w.upn = k.upn AND w.week = k.week
      WHERE w.school_id = $1 ORDER BY w.upn, w.week FOR UPDATE OF w`,
    [schoolId, known.map((r) => r.upn), known.map((r) => r.week)],
  );
  const storedCodes = new Map(stored.rows.map((r) => [`${r.upn}/${r.week}`, r.codes]));
  const changed: { upn: string; week: string; codes: string }[] = [];
  const amendments: (WeekAmendment & { upn: string; week: string })[] = [];
  for (const { upn, week, codes } of known) {
    const merged = mergeWeek(storedCodes.get(`${upn}/${week}`)!, codes!);
    written.inserted += merged.inserted;
    written.amended += merged.amended.length;
    if (merged.inserted > 0 || merged.amended.length > 0) changed.push({ upn: upn!, week: week!, codes: merged.codes });
    for (const amendment of merged.amended) amendments.push({ ...amendment, upn: upn!, week: week! });
  }
  if (changed.length > 0) await updateWeeks(client, schoolId, changed);
  if (amendments.length > 0) {
    // Recorded in the register's order (pupil, date, session), whatever order the file gave.
    amendments.sort((a, b) => (a.upn !== b.upn ? (a.upn < b.upn ? -1 : 1) : a.week !== b.week ? (a.week < b.week ? -1 : 1) : a.slot - b.slot));
    await client.query(
      `INSERT INTO mark_amendments (school_id, upn, date, session, original_code, new_code, reason, amended_by, amended_at)
       SELECT $1, a.upn, a.week + (a.slot >> 1), CASE WHEN a.slot & 1 = 1 THEN 'PM' ELSE 'AM' END, a.original, a.new, $2, $3, $4
         FROM unnest($5::text[], $6::date[], $7::int[], $8::text[], $9::text[]) WITH ORDINALITY AS a(upn, week, slot, original, new, i)
        ORDER BY a.i`,
      [
        schoolId,
        meta.reason,
        meta.actor,
        meta.at,
        amendments.map((a) => a.upn),
        amendments.map((a) => a.week),
        amendments.map((a) => a.slot),
        amendments.map((a) => a.originalCode),
        amendments.map((a) => a.newCode),
      ],
    );
  }
  return written;
}

/** Writes weeks' new codes and their counts (the weeks exist, and are locked by the caller). */
async function updateWeeks(client: pg.PoolClient, schoolId: string, weeks: { upn: string; week: string; codes: string }[]) {
  await client.query(
    `UPDATE mark_weeks w SET codes = k.codes,
       (possible, present, approved, authorised, unauthorised, threshold, n) = (SELECT ${countsSql('k.codes')})
       FROM unnest($2::text[], $3::date[], $4::text[]) AS k(upn, week, codes)
      WHERE w.school_id = $1 AND w.upn = k.upn AND w.week = k.week`,
    [schoolId, weeks.map((w) => w.upn), weeks.map((w) => w.week), weeks.map((w) => w.codes)],
  );
}

/**
 * Retention for one school: every week before the one `date` falls in goes, and that week loses
 * its sessions before `date` (a week left with none goes too); amendments dated before it go.
 * Returns how many sessions and amendments went.
 */
export async function purgeSchoolRegister(client: pg.PoolClient, schoolId: string, date: string): Promise<{ marks: number; amendments: number }> {
  const monday = mondayOf(date);
  const gone = await client.query<{ sessions: number }>(
    `WITH gone AS (DELETE FROM mark_weeks WHERE school_id = $1 AND week < $2::date RETURNING length(codes) / 2 AS sessions)
     SELECT coalesce(sum(sessions), 0)::int AS sessions FROM gone`,
    [schoolId, monday],
  );
  let marks = gone.rows[0]!.sessions;
  const slot = ((Date.parse(date) - Date.parse(monday)) / 86_400_000) * 2;
  if (slot > 0) {
    const cut = await client.query<{ upn: string; codes: string }>(
      `SELECT upn, codes FROM mark_weeks WHERE school_id = $1 AND week = $2::date AND codes ~ $3 FOR UPDATE`,
      [schoolId, monday, `^[a-${String.fromCharCode(97 + slot - 1)}]`],
    );
    const kept = cut.rows.map((r) => ({ upn: r.upn, week: monday, codes: weekFrom(r.codes, slot) }));
    marks += cut.rows.reduce((sum, r, i) => sum + (r.codes.length - kept[i]!.codes.length) / 2, 0);
    const left = kept.filter((w) => w.codes !== '');
    if (left.length > 0) await updateWeeks(client, schoolId, left);
    const emptied = kept.filter((w) => w.codes === '').map((w) => w.upn);
    if (emptied.length > 0) await client.query('DELETE FROM mark_weeks WHERE school_id = $1 AND week = $2::date AND upn = ANY($3::text[])', [schoolId, monday, emptied]);
  }
  const amendments = await client.query('DELETE FROM mark_amendments WHERE school_id = $1 AND date < $2::date', [schoolId, date]);
  return { marks, amendments: amendments.rowCount ?? 0 };
}
