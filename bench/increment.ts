// increment: the next school day's register (two marks a pupil) imported into the evaluated year,
// then the evening evaluation of that day, against the full evaluation's time in this run.
import fs from 'node:fs';
import path from 'node:path';
import { evaluateSchool } from '../src/cases/evaluate-school.ts';
import { importMarks } from '../src/register/import-register.ts';
import { benchDatabase, benchEnv, caseDeps, eveningOf, forEachSchool, report, schoolConcurrency, timed } from './support.ts';
import { GOALS } from './goals.ts';
import { schoolDir } from './trust.ts';

const env = benchEnv();
const { manifest } = env;
const full = env.earlier.evaluate;
if (!full) throw new Error('the increment compares with the evaluate benchmark: run both (--only evaluate,increment)');
const day = manifest.schools[0]!.nextDay;
const db = await benchDatabase(env, 'bench_increment', 'bench_evaluate');
const deps = caseDeps(db.store, eveningOf(day));

const phases = { importSeconds: 0, evaluateSeconds: 0 };
const run = await timed(async () => {
  const totals = { concurrency: schoolConcurrency, inserted: 0, pupils: 0, measured: 0, opened: 0, events: 0, refused: 0, reviewDaySchools: 0 };
  await forEachSchool(manifest.schools, async (school) => {
    const imported = await timed(() =>
      importMarks(db.store, { schoolId: school.id, source: fs.createReadStream(path.join(schoolDir(manifest.size, school.id), 'next-day.csv')), actor: 'bench', reason: 'bench day', at: eveningOf(day) }),
    );
    if (!imported.value.applied) throw new Error(`${school.id} next day rejected`);
    totals.inserted += imported.value.inserted;
    const evaluated = await timed(() => evaluateSchool(deps, school.id, day));
    phases.importSeconds += imported.seconds;
    phases.evaluateSeconds += evaluated.seconds;
    totals.pupils += evaluated.value.pupils;
    totals.measured += evaluated.value.measured;
    totals.opened += evaluated.value.opened;
    totals.events += evaluated.value.events;
    totals.refused += evaluated.value.refused;
    if (evaluated.value.reviewDay) totals.reviewDaySchools += 1;
  });
  return totals;
});
await db.close();

const ratio = run.seconds / full.wallSeconds;
report({
  name: 'increment',
  size: { pupils: manifest.size.pupils, rows: manifest.nextDayMarks },
  wallSeconds: run.seconds,
  rowsPerSecond: manifest.nextDayMarks / run.seconds,
  baseline: { what: 'the full evaluation of this run', wallSeconds: full.wallSeconds, rowsPerSecond: full.rowsPerSecond },
  ratio,
  goal: GOALS.increment.text,
  met: GOALS.increment.met(ratio),
  detail: { day, ...phases, ...run.value },
});
