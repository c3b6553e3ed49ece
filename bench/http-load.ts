// What the page benchmarks share: the service over a benchmark database with a signed-in trust
// lead, and autocannon's load (64 connections) measured as its latencies.
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import type pg from 'pg';
import { hashPassword } from '../src/access/passwords.ts';
import { createApp } from '../src/http/app.ts';
import type { Store } from '../src/store/types.ts';
import { caseDeps } from './support.ts';
import { TRUST } from './trust.ts';

export const LOAD = { connections: 64, duration: 20 };

/** Stores cases, as the work queue and the pages see them: the evaluation's, plus closed copies from earlier years, `cases` in all. */
export async function growCases(store: Store & { pool: pg.Pool }, cases: number): Promise<number> {
  const { pool } = store;
  await pool.query(
    `INSERT INTO cases (id, school_id, upn, workflow_id, machine_id, machine_version, state, status, snapshot, version, opened_at, updated_at)
     SELECT c.id || ':' || g, c.school_id, c.upn, c.workflow_id, c.machine_id, c.machine_version, 'closed', 'closed', c.snapshot, c.version,
            c.opened_at - g * interval '7 days', c.updated_at - g * interval '7 days'
       FROM (SELECT *, row_number() OVER (ORDER BY id) AS n FROM cases) c, generate_series(1, 100) g
      WHERE (g - 1) * (SELECT count(*) FROM cases) + c.n <= $1 - (SELECT count(*) FROM cases)`,
    [cases],
  );
  await pool.query('VACUUM ANALYZE cases');
  return (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM cases')).rows[0]!.n;
}

/** The service on port 0 with a trust lead signed in: its base URL, the session cookie, and close. */
export async function signedInService(store: Store, at: Date) {
  const password = 'bench-password-not-secret';
  await store.upsertUser({ id: 'bench-lead', email: 'lead@bench.example.org', name: 'Bench Lead', role: 'trustLead', schoolId: null, trustId: TRUST.id, localAuthority: null, passwordHash: await hashPassword(password), active: true, createdAt: at });
  const app = createApp({ ...caseDeps(store, at), worker: null });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'lead@bench.example.org', password }) });
  const cookie = login.headers.getSetCookie().find((c) => c.startsWith('sid='))?.split(';')[0];
  if (!cookie) throw new Error(`sign-in failed: ${login.status} ${await login.text()}`);
  const get = (path: string) => fetch(`${base}${path}`, { headers: { cookie } });
  // A page slower than autocannon's 10 s default would count as errors only, with no latency to compare: 60 s.
  const load = async (path: string, duration = LOAD.duration) => {
    const result = await autocannon({ url: `${base}${path}`, connections: LOAD.connections, duration, timeout: 60, headers: { cookie } });
    return {
      requests: result.requests.total,
      errors: result.errors + result.timeouts + result.non2xx,
      p50: result.latency.p50,
      p97_5: result.latency.p97_5,
      p99: result.latency.p99,
      seconds: result.duration,
    };
  };
  return { base, cookie, get, load, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
