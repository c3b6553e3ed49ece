import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPg } from '../../src/store/postgres/embedded.ts';
import { ensureDatabase, openPostgres } from '../../src/store/postgres/open.ts';
import { hashPassword } from '../../src/access/passwords.ts';
import { ManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/logger.ts';
import { createCaseService } from '../../src/cases/case-service.ts';
import { calendarFor, getWorkflow } from '../../workflows/index.ts';
import { sql } from '../support/postgres.ts';
import { SCHOOL, startServe, upnOf, waitFor, type Child } from './support/harness.ts';
import { reportFigures } from './support/figures.ts';

const PUPILS = 20;
const PASSWORD = 'correct horse battery staple';
const days = calendarFor(getWorkflow(SCHOOL.workflowId), SCHOOL.localAuthority).schoolDays('2026-09-03', '2026-11-20');

interface Outcome {
  route: string;
  status: number | 'network';
  code?: string;
}

/**
 * The service (web and worker in one process, as `npm start` runs it) on its own embedded
 * PostgreSQL, which the test stops and starts again while requests keep coming.
 */
describe('the database restarted under load', () => {
  let dir: string;
  let pg: EmbeddedPg;
  let port: number;
  let url: string;
  let service: Child & { url: string | null };
  const caseIds: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'attendance-db-restart-'));
    pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg') });
    port = Number(new URL(pg.url).port);
    await ensureDatabase(pg.url, 'attendance');
    const admin = new URL(pg.url);
    admin.pathname = '/attendance';
    url = admin.toString();
    const db = await openPostgres(url);
    try {
      const { store } = db;
      await store.upsertTrust({ id: 'atlp', name: 'ATLP' });
      await store.upsertSchool({ ...SCHOOL, trustId: 'atlp', name: 'West Coventry Academy' });
      await store.upsertPupils(
        SCHOOL.id,
        Array.from({ length: PUPILS }, (_, i) => ({ upn: upnOf(i), forename: 'Pat', surname: `Number${i}`, dateOfBirth: '2011-01-01', yearGroup: '9', vulnerability: [], onRoll: true })),
      );
      const cases = createCaseService({ store, clock: new ManualClock(new Date('2026-10-12T09:00:00Z')), logger: createLogger('silent') });
      for (let i = 0; i < 5; i++) {
        caseIds.push((await cases.open(SCHOOL.id, upnOf(i), { type: 'OPEN', at: '2026-10-12', evidence: { rule: 'test', attendancePct: 89 } }, 'system:test')).case.id);
      }
      await store.upsertUser({
        id: 'u-pastoral',
        email: 'pastoral@example.org',
        name: 'Pastoral Lead',
        role: 'pastoral',
        schoolId: SCHOOL.id,
        trustId: null,
        localAuthority: null,
        passwordHash: await hashPassword(PASSWORD),
        active: true,
        createdAt: new Date(),
      });
    } finally {
      await db.close();
    }
    service = await startServe({ DATABASE_URL: url, ROLE: 'all', DEMO: 'false', DATA_DIR: path.join(dir, 'data') });
  }, 120_000);
  afterAll(async () => {
    await service?.kill9();
    await pg?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('when PostgreSQL stops and starts while reads and imports run, then each request gets 200 or 503, never 500, the service stays up, and no import is half-written', async () => {
    const base = service.url!;
    const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'pastoral@example.org', password: PASSWORD }) });
    expect(login.status).toBe(200);
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith('sid='))!.split(';')[0]!;
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const headers = { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' };

    const outcomes: Outcome[] = [];
    const call = async (route: string, init?: RequestInit) => {
      try {
        const res = await fetch(`${base}${route}`, { ...init, headers, signal: AbortSignal.timeout(20_000) });
        const body = (await res.json().catch(() => null)) as { error?: { code?: string } } | null;
        outcomes.push({ route: route.replace(/[0-9a-f-]{36}/, ':id'), status: res.status, code: body?.error?.code });
        return res.status;
      } catch {
        outcomes.push({ route, status: 'network' });
        return 0;
      }
    };
    /** A page answers as the API does: a 503 page that says the database is away, never a 500. */
    const callPage = async (route: string) => {
      try {
        const res = await fetch(`${base}${route}`, { headers: { cookie }, signal: AbortSignal.timeout(20_000) });
        const html = await res.text();
        const code = res.status === 503 && html.includes('The database is not reachable just now') ? 'database_unavailable' : undefined;
        outcomes.push({ route: `page ${route.replace(/[0-9a-f-]{36}/, ':id')}`, status: res.status, code });
      } catch {
        outcomes.push({ route, status: 'network' });
      }
    };
    /** Import number `n` sets every mark of the school to the same code: a half-written import would leave two codes. */
    const importMarks = (n: number) => {
      const code = n % 2 === 0 ? '/' : 'L';
      const rows = Array.from({ length: PUPILS }, (_, p) => days.flatMap((date) => [{ upn: upnOf(p), date, session: 'AM', code }, { upn: upnOf(p), date, session: 'PM', code }])).flat();
      return call(`/api/schools/${SCHOOL.id}/marks`, { method: 'POST', body: JSON.stringify({ rows, reason: `load ${n}` }) });
    };

    let running = true;
    let imports = 0;
    const load = async (worker: number) => {
      for (let i = 0; running; i++) {
        if (worker === 0) await importMarks(++imports);
        else if (worker === 5) await callPage(i % 2 === 0 ? '/' : `/cases/${caseIds[i % caseIds.length]}`);
        else if (i % 3 === 0) await call('/api/cases?school=wca');
        else if (i % 3 === 1) await call(`/api/cases/${caseIds[i % caseIds.length]}`);
        else await call(`/api/cases/${caseIds[i % caseIds.length]}/timeline`);
      }
    };
    const loaders = Array.from({ length: 6 }, (_, n) => load(n));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const beforeStop = outcomes.length;
    await pg.stop();
    const stoppedAt = outcomes.length;
    await new Promise((resolve) => setTimeout(resolve, 3000));
    pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port });
    const restartedAt = outcomes.length;
    // Back to normal: a full round of reads answers 200 again.
    await waitFor('the service to answer again', async () => (await call('/api/cases?school=wca')) === 200 && (await call(`/api/cases/${caseIds[0]}`)) === 200, 30_000, 200).catch((error: Error) => {
      running = false;
      throw new Error(`${error.message}; last answers ${JSON.stringify(outcomes.slice(-5))}; service said:\n${service.output().slice(-3000)}`);
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    running = false;
    await Promise.all(loaders);

    const statuses = outcomes.reduce<Record<string, number>>((acc, o) => ({ ...acc, [`${o.status}${o.code ? ` ${o.code}` : ''}`]: (acc[`${o.status}${o.code ? ` ${o.code}` : ''}`] ?? 0) + 1 }), {});
    const health = await fetch(`${base}/healthz`).then(async (res) => ({ status: res.status, body: (await res.json()) as unknown }));
    await reportFigures('database-restart', { requests: outcomes.length, beforeStop, duringOutage: restartedAt - stoppedAt, imports, statuses, health });

    expect(outcomes.filter((o) => o.status !== 200 && o.status !== 503)).toEqual([]);
    expect(outcomes.filter((o) => o.status === 503).every((o) => o.code === 'database_unavailable')).toBe(true);
    expect(statuses['503 database_unavailable'] ?? 0).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o.route.startsWith('page ') && o.status === 503).length).toBeGreaterThan(0);
    expect(service.child.exitCode).toBeNull();
    expect(health).toMatchObject({ status: 200, body: { database: 'ok', agenda: 'running' } });

    // All or nothing: every mark has the code of one import, and each import amended all marks or none.
    const codes = await sql<{ code: string; n: number }>(url, 'SELECT code, count(*)::int AS n FROM mark_sessions WHERE school_id = $1 GROUP BY code', [SCHOOL.id]);
    expect(codes).toHaveLength(1);
    expect(codes[0]!.n).toBe(PUPILS * days.length * 2);
    const amended = await sql<{ reason: string; n: number }>(url, 'SELECT reason, count(*)::int AS n FROM mark_amendments GROUP BY reason');
    expect(amended.filter((a) => a.n !== PUPILS * days.length * 2)).toEqual([]);
    // Each case's version matches its timeline: no transition written without its entry.
    const versions = await sql<{ id: string; version: number; entries: number }>(
      url,
      "SELECT c.id, c.version, (SELECT count(*)::int FROM case_timeline t WHERE t.case_id = c.id AND t.type = 'transition') AS entries FROM cases c",
    );
    expect(versions.filter((v) => v.version !== v.entries)).toEqual([]);
  }, 120_000);
});
