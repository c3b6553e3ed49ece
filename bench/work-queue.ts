// work queue: GET /api/cases for a trust lead, filtered to one school, with 100,000 cases stored,
// under 64 connections for 20 s (autocannon), against GET /healthz under the same load.
import { GOALS } from './goals.ts';
import { growCases, LOAD, signedInService } from './http-load.ts';
import { benchDatabase, benchEnv, eveningOf, report } from './support.ts';

const CASES = 100_000;
const env = benchEnv();
const { manifest } = env;
const db = await benchDatabase(env, 'bench_work_queue', 'bench_evaluate');
const stored = await growCases(db.store, CASES);
const service = await signedInService(db.store, eveningOf(manifest.schools[0]!.nextDay));

const school = manifest.schools[0]!.id;
const path = `/api/cases?school=${school}&status=all`;
const probe = await service.get(path);
const body = (await probe.json()) as { total: number; cases: unknown[] };
if (probe.status !== 200) throw new Error(`${path}: ${probe.status}`);

const health = await service.load('/healthz');
const queue = await service.load(path);
await service.close();
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
