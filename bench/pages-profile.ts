// Profiling aid for the pages benchmark: opens the bench_pages database the last quick
// `npm run bench -- --quick --only evaluate,pages` left in bench/.data/pg (stopped), times each SQL
// statement of one request per page, then loads each page (or the one named) with autocannon in a
// child process for `seconds`, writing the server's CPU profile to bench/.data/profiles/<page>.cpuprofile.
//   [BENCH_DATA=bench/.data/p20000-w39-s1] npx tsx bench/pages-profile.ts [seconds] [timeline|outbox|dashboard]
import { performance } from 'node:perf_hooks';
import { startEmbeddedPostgres } from '../src/store/postgres/embedded.ts';
import { openPostgres } from '../src/store/postgres/open.ts';
import { databaseUrl, eveningOf } from './support.ts';
import { signedInService } from './http-load.ts';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Session } from 'node:inspector/promises';
import path from 'node:path';

const seconds = Number(process.argv[2] ?? 0);
const server = await startEmbeddedPostgres({ dataDir: 'bench/.data/pg' });
const db = await openPostgres(databaseUrl(server.url, 'bench_pages'));
const { pool } = db.store;
const manifest = JSON.parse(readFileSync(path.join(process.env.BENCH_DATA ?? 'bench/.data/p2000-w39-s1', 'manifest.json'), 'utf8'));
let log: { sql: string; ms: number }[] | null = null;
const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
(pool as unknown as { query: unknown }).query = async (...args: unknown[]) => {
  const started = performance.now();
  try {
    return await query(...args);
  } finally {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text;
    log?.push({ sql: text.replace(/\s+/g, ' ').slice(0, 140), ms: performance.now() - started });
  }
};
const school = manifest.schools[0].id;
const withTimeline = (await pool.query<{ id: string }>(`SELECT c.id FROM cases c JOIN case_timeline t ON t.case_id = c.id WHERE c.school_id = $1 AND c.status = 'open' GROUP BY c.id ORDER BY count(*) DESC, c.id LIMIT 1`, [school])).rows[0]!;
const service = await signedInService(db.store, eveningOf(manifest.schools[0].nextDay));
const PAGES = [`/cases/${withTimeline.id}/timeline`, '/outbox', `/dashboard?school=${school}`];
for (const p of PAGES) await (await service.get(p)).text();
for (const p of PAGES) {
  log = [];
  const t = performance.now();
  const res = await service.get(p);
  const body = await res.text();
  const total = performance.now() - t;
  const sqlMs = log.reduce((s, e) => s + e.ms, 0);
  console.log(`\n${p}: ${res.status} ${total.toFixed(0)} ms, ${body.length} bytes, ${log.length} statements ${sqlMs.toFixed(0)} ms summed`);
  for (const e of log.sort((a, b) => b.ms - a.ms).slice(0, 15)) console.log(`  ${e.ms.toFixed(1).padStart(7)} ms  ${e.sql}`);
  log = null;
}
// Under load: autocannon in a child process, so the CPU profile (inspector) is the server's alone.
const only = process.argv[3];
if (seconds > 0)
  for (const p of PAGES.filter((candidate) => !only || candidate.includes(only))) {
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    const { stdout: out } = await promisify(execFile)('node_modules/.bin/autocannon', ['-c', '64', '-d', String(seconds), '-t', '60', '-j', '-H', `cookie=${service.cookie}`, `${service.base}${p}`], { encoding: 'utf8', maxBuffer: 1 << 26 });
    const { profile } = await session.post('Profiler.stop');
    const name = p.split('/')[p.startsWith('/cases') ? 3 : 1]!.split('?')[0];
    mkdirSync('bench/.data/profiles', { recursive: true });
    writeFileSync(`bench/.data/profiles/${name}.cpuprofile`, JSON.stringify(profile));
    const r = JSON.parse(out) as { requests: { total: number }; latency: { p50: number; p97_5: number }; errors: number; non2xx: number };
    console.log(p, { requests: r.requests.total, p50: r.latency.p50, p97_5: r.latency.p97_5, errors: r.errors + r.non2xx });
  }
await service.close();
await db.close();
await server.stop();
