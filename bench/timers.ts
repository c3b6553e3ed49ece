// timers: up to 10,000 case timers falling due at once, fired to completion by the worker's timer
// sweep (each advances its case and queues its effects), against 10,000 no-op Agenda jobs.
import { PostgresBackend } from '@agendajs/postgres-backend';
import { Agenda } from 'agenda';
import { fireDueTimers } from '../src/cases/fire-timers.ts';
import { GOALS } from './goals.ts';
import { benchDatabase, benchEnv, caseDeps, eveningOf, report, timed } from './support.ts';

const TIMERS = 10_000;
const env = benchEnv();
const { manifest } = env;
const db = await benchDatabase(env, 'bench_timers', 'bench_evaluate');
const { pool } = db.store;
const now = eveningOf(manifest.schools[0]!.nextDay);

const agenda = new Agenda({ backend: new PostgresBackend({ pool, ensureSchema: false }), processEvery: 100, defaultConcurrency: 20, maxConcurrency: 20 });
let done = 0;
agenda.define('bench.noop', async () => {
  done += 1;
});
await agenda.ready;
for (let i = 0; i < TIMERS; i++) await agenda.now('bench.noop');
const baseline = await timed(async () => {
  await agenda.start();
  while (done < TIMERS) await new Promise((resolve) => setTimeout(resolve, 20));
});
await agenda.drain({ timeout: 30_000, closeConnection: false });

// The evaluation's cases hold their own timers (reviews, improvement periods): make the soonest of them due now.
const due = await pool.query<{ timer_id: string }>(
  `UPDATE case_timers SET due_at = $1::timestamptz - interval '1 minute'
    WHERE timer_id IN (SELECT timer_id FROM case_timers ORDER BY due_at, timer_id LIMIT $2) RETURNING timer_id`,
  [now, TIMERS],
);
const ids = due.rows.map((r) => r.timer_id);
const sweep = await timed(() => fireDueTimers(caseDeps(db.store, now), now));
const check = (
  await pool.query<{ fired: number; duplicates: number; effects: number }>(
    `SELECT (SELECT count(DISTINCT evidence->>'timerId') FROM case_timeline WHERE actor = 'system:timer' AND evidence->>'timerId' = ANY($1))::int AS fired,
            (SELECT count(*) FROM (SELECT 1 FROM case_timeline WHERE actor = 'system:timer' GROUP BY evidence->>'timerId' HAVING count(*) > 1) d)::int AS duplicates,
            (SELECT count(*) FROM outbox WHERE created_at = $2)::int AS effects`,
    [ids, now],
  )
).rows[0]!;

const lost = ids.length - check.fired - sweep.value.stale;
const rate = ids.length / sweep.seconds;
const baselineRate = TIMERS / baseline.seconds;
const ratio = rate / baselineRate;
report({
  name: 'timers',
  size: { pupils: manifest.size.pupils, rows: ids.length },
  wallSeconds: sweep.seconds,
  rowsPerSecond: rate,
  baseline: { what: `${TIMERS} no-op Agenda jobs (concurrency 20)`, wallSeconds: baseline.seconds, rowsPerSecond: baselineRate },
  ratio,
  goal: GOALS.timers.text,
  met: GOALS.timers.met(ratio, check.duplicates, lost),
  detail: { timers: ids.length, ...sweep.value, duplicates: check.duplicates, lost, effectsQueued: check.effects },
});
// Agenda's notification client can keep the pool from ending: the result is out, so do not wait on it.
await Promise.race([db.close(), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
process.exit(0);
