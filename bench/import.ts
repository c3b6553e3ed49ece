// import: every school's year of marks through importMarks (streamed CSV, staging, the set-based
// checks, the packing into pupil-weeks, amendments), against COPY of the same files into a bare table.
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { importMarks } from '../src/register/import-register.ts';
import { benchDatabase, benchEnv, eveningOf, loadRoll, peakRssMb, report, timed } from './support.ts';
import { GOALS } from './goals.ts';
import { schoolDir } from './trust.ts';

const env = benchEnv();
const { manifest } = env;
const db = await benchDatabase(env, 'bench_import');
const at = eveningOf(manifest.schools[0]!.asOf);
await loadRoll(db.store, manifest, at);
const marksFile = (schoolId: string) => path.join(schoolDir(manifest.size, schoolId), 'marks.csv');

const client = await db.store.pool.connect();
await client.query('CREATE TABLE copy_baseline (upn text, date date, session text, code text)');
const baseline = await timed(async () => {
  for (const school of manifest.schools) {
    await pipeline(fs.createReadStream(marksFile(school.id)), client.query(copyFrom('COPY copy_baseline FROM STDIN (FORMAT csv, HEADER true)')));
  }
});
await client.query('DROP TABLE copy_baseline');
client.release();

const imported = await timed(async () => {
  let inserted = 0;
  for (const school of manifest.schools) {
    const result = await importMarks(db.store, { schoolId: school.id, source: fs.createReadStream(marksFile(school.id)), actor: 'bench', reason: 'bench import', at });
    if (!result.applied) throw new Error(`${school.id} marks rejected: ${JSON.stringify(result.problems.slice(0, 3))}`);
    inserted += result.inserted;
  }
  return inserted;
});
if (imported.value !== manifest.marks) throw new Error(`imported ${imported.value} marks, expected ${manifest.marks}`);
// The later benchmarks copy this database: give them the statistics a live one would have.
await db.store.pool.query('VACUUM ANALYZE');
await db.close();

const rowsPerSecond = manifest.marks / imported.seconds;
const baselineRate = manifest.marks / baseline.seconds;
const ratio = rowsPerSecond / baselineRate;
const rss = peakRssMb();
report({
  name: 'import',
  size: { pupils: manifest.size.pupils, rows: manifest.marks },
  wallSeconds: imported.seconds,
  rowsPerSecond,
  baseline: { what: 'COPY into an unindexed table, same files, one connection', wallSeconds: baseline.seconds, rowsPerSecond: baselineRate },
  ratio,
  goal: GOALS.import.text,
  met: GOALS.import.met(ratio, rss),
  detail: { files: manifest.schools.length, megabytes: Math.round(manifest.marksBytes / 1e6) },
});
