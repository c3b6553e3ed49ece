// work queue: GET /api/cases for a trust lead, filtered to one school, with 100,000 cases stored,
// under 64 connections for 20 s (autocannon), against GET /healthz under the same load.
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { hashPassword } from '../src/access/passwords.ts';
import { createApp } from '../src/http/app.ts';
import { benchDatabase, benchEnv, caseDeps, eveningOf, report } from './support.ts';
import { GOALS } from './goals.ts';
import { TRUST } from './trust.ts';

const CASES = 100_000;
const LOAD = { connections: 64, duration: 20 };
const env = benchEnv();
const { manifest } = env;
const db = await benchDatabase(env, 'bench_work_queue', 'bench_evaluate');
const { pool } = db.store;

// The evaluation's cases, plus closed ones from earlier years (copies) up to 100,000 in all.
await pool.query(
  `INSERT INTO cases (id, school_id, upn, workflow_id, machine_id, machine_version, state, status, snapshot, version, opened_at, updated_at)
   SELECT c.id || ':' || g, c.school_id, c.upn, c.workflow_id, c.machine_id, c.machine_version, 'closed', 'closed', c.snapshot, c.version,
          c.opened_at - g * interval '7 days', c.updated_at - g * interval '7 days'
     FROM (SELECT *, row_number() OVER (ORDER BY id) AS n FROM cases) c, generate_series(1, 100) g
    WHERE (g - 1) * (SELECT count(*) FROM cases) + c.n <= $1 - (SELECT count(*) FROM cases)`,
  [CASES],
);
const stored = (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM cases')).rows[0]!.n;
await pool.query('VACUUM ANALYZE cases');

const password = 'bench-password-not-secret';
const at = eveningOf(manifest.schools[0]!.nextDay);
await db.store.upsertUser({ id: 'bench-lead', email: 'lead@bench.example.org', name: 'Bench Lead', role: 'trustLead', schoolId: null, trustId: TRUST.id, localAuthority: null, passwordHash: await hashPassword(password), active: true, createdAt: at });
const deps = caseDeps(db.store, at);
const app = createApp({ ...deps, worker: null });
const server = app.listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'lead@bench.example.org', password }) });
const cookie = login.headers.getSetCookie().find((c) => c.startsWith('sid='))?.split(';')[0];
if (!cookie) throw new Error(`sign-in failed: ${login.status} ${await login.text()}`);

const school = manifest.schools[0]!.id;
const path = `/api/cases?school=${school}&status=all`;
const probe = await fetch(`${base}${path}`, { headers: { cookie } });
const body = (await probe.json()) as { total: number; cases: unknown[] };
if (probe.status !== 200) throw new Error(`${path}: ${probe.status}`);

const load = async (url: string) => {
  const result = await autocannon({ url, ...LOAD, headers: { cookie } });
  return {
    requests: result.requests.total,
    errors: result.errors + result.timeouts + result.non2xx,
    p50: result.latency.p50,
    p97_5: result.latency.p97_5,
    p99: result.latency.p99,
    seconds: result.duration,
  };
};
const health = await load(`${base}/healthz`);
const queue = await load(`${base}${path}`);
server.close();
await db.close();

const ratio = queue.p97_5 / Math.max(health.p97_5, 1);
report({
  name: 'work-queue',
  size: { pupils: manifest.size.pupils, rows: stored },
  wallSeconds: queue.seconds,
  rowsPerSecond: queue.requests / queue.seconds,
  baseline: { what: 'GET /healthz, same load', wallSeconds: health.seconds, rowsPerSecond: health.requests / health.seconds },
  ratio,
  goal: GOALS.page.text,
  met: GOALS.page.met(ratio, queue.errors),
  detail: { path, casesInSchool: body.total, pageRows: body.cases.length, connections: LOAD.connections, queue, health },
});
