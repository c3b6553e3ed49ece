// evaluate: every school's nightly evaluation (metrics, thresholds, opening cases) as of one
// date, against one SQL aggregate of each pupil's attendance % over the same marks.
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { ATTENDANCE_CODES } from '../src/domain/codes.ts';
import { evaluateSchool } from '../src/cases/evaluate-school.ts';
import { GOALS } from './goals.ts';
import { calendarFor, getWorkflow } from '../workflows/index.ts';
import { benchDatabase, benchEnv, caseDeps, eveningOf, forEachSchool, report, schoolConcurrency, timed } from './support.ts';
import { schoolDir } from './trust.ts';

const env = benchEnv();
const { manifest } = env;
const asOf = manifest.schools[0]!.asOf;
const db = await benchDatabase(env, 'bench_evaluate', 'bench_import');
const from = manifest.schools.map((school) => calendarFor(getWorkflow(school.workflowId), school.localAuthority).academicYearStart(asOf)).sort()[0]!;
const codesOf = (...categories: string[]) => ATTENDANCE_CODES.filter((c) => categories.includes(c.category)).map((c) => c.code);

// The baseline reads the marks as a row per session, as a plain SQL aggregate would: the same CSV
// files loaded (untimed) into a plain table of their own, not the register's packed weeks and counts.
const client = await db.store.pool.connect();
await client.query('CREATE TABLE baseline_marks (school_id text, upn text, date date, session text, code text)');
for (const school of manifest.schools) {
  await client.query(`ALTER TABLE baseline_marks ALTER school_id SET DEFAULT '${school.id.replaceAll("'", "''")}'`);
  const file = path.join(schoolDir(manifest.size, school.id), 'marks.csv');
  await pipeline(fs.createReadStream(file), client.query(copyFrom('COPY baseline_marks (upn, date, session, code) FROM STDIN (FORMAT csv, HEADER true)')));
}
await client.query('VACUUM ANALYZE baseline_marks');
client.release();

const baseline = await timed(async () => {
  const { rows } = await db.store.pool.query(
    `SELECT school_id, upn,
            100.0 * count(*) FILTER (WHERE code = ANY($3)) / nullif(count(*) FILTER (WHERE code = ANY($4)), 0) AS pct
       FROM baseline_marks WHERE date BETWEEN $1 AND $2 GROUP BY school_id, upn`,
    [from, asOf, codesOf('present', 'approvedEducation'), codesOf('present', 'approvedEducation', 'authorised', 'unauthorised')],
  );
  return rows.length;
});
await db.store.pool.query('DROP TABLE baseline_marks');

const deps = caseDeps(db.store, eveningOf(asOf));
const evaluated = await timed(async () => {
  const totals = { concurrency: schoolConcurrency, pupils: 0, measured: 0, opened: 0, events: 0, refused: 0, reviewDaySchools: 0 };
  await forEachSchool(manifest.schools, async (school) => {
    const summary = await evaluateSchool(deps, school.id, asOf);
    totals.pupils += summary.pupils;
    totals.measured += summary.measured;
    totals.opened += summary.opened;
    totals.events += summary.events;
    totals.refused += summary.refused;
    if (summary.reviewDay) totals.reviewDaySchools += 1;
  });
  return totals;
});
await db.store.pool.query('VACUUM ANALYZE');
await db.close();

const ratio = evaluated.seconds / baseline.seconds;
report({
  name: 'evaluate',
  size: { pupils: manifest.size.pupils, rows: manifest.marks },
  wallSeconds: evaluated.seconds,
  rowsPerSecond: manifest.marks / evaluated.seconds,
  baseline: { what: `one SQL aggregate of attendance % per pupil (${baseline.value} pupils)`, wallSeconds: baseline.seconds, rowsPerSecond: manifest.marks / baseline.seconds },
  ratio,
  goal: GOALS.evaluate.text,
  met: GOALS.evaluate.met(ratio),
  detail: { asOf, ...evaluated.value },
});
