// npm run bench [-- --quick] [--only import,evaluate] [--pg bench/.data/pg-other] : each benchmark in its own process (so its
// peak RSS is its own) against one embedded PostgreSQL; one JSON line each, and a results file. Exits non-zero naming
// every goal missed. `--curve [--sizes 2000,20000,100000]`: import, evaluate and increment at each size (bench/curve.ts).
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../src/store/postgres/embedded.ts';
import { parseSize } from './args.ts';
import { CURVE_BENCHMARKS, curvePoints, curveReport, saveCurvePoint } from './curve.ts';
import { ENV_KEY, type BenchEnv, type BenchResult } from './support.ts';
import { ensureTrustData, type TrustSize } from './trust.ts';

const BENCHMARKS = ['import', 'evaluate', 'increment', 'timers', 'work-queue', 'pages'] as const;

const { size, values } = parseSize(process.argv.slice(2));
const only = values.curve ? [...CURVE_BENCHMARKS] : typeof values.only === 'string' ? values.only.split(',') : [...BENCHMARKS];
for (const name of only) if (!(BENCHMARKS as readonly string[]).includes(name)) throw new Error(`unknown benchmark '${name}' (known: ${BENCHMARKS.join(', ')})`);
const sizes: TrustSize[] = values.curve
  ? (typeof values.sizes === 'string' ? values.sizes : '2000,20000,100000').split(',').map((pupils) => ({ ...size, pupils: Number(pupils) }))
  : [size];

const started = performance.now();
const log = (line: string) => console.error(`[bench ${((performance.now() - started) / 1000).toFixed(0)}s] ${line}`);
if (!process.env.MONGODB_URI && !process.env.MONGOMS_SYSTEM_BINARY) log('mongo: skipped, no mongod available (set MONGODB_URI)');

const server = await startEmbeddedPostgres({ dataDir: typeof values.pg === 'string' ? values.pg : 'bench/.data/pg' });
const admin = new pg.Client(server.url);
await admin.connect();
const postgresVersion = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
await admin.end();

function runChild(name: string, env: BenchEnv): Promise<BenchResult[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join('bench', `${name}.ts`)], {
      env: { ...process.env, [ENV_KEY]: JSON.stringify(env) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      // A child reports one result a line (the pages benchmark, one a page).
      const lines = out.trim().split('\n').filter((line) => line.startsWith('{'));
      if (code !== 0 || lines.length === 0) reject(new Error(`benchmark ${name} exited with ${code}`));
      else resolve(lines.map((line) => JSON.parse(line) as BenchResult));
    });
  });
}

const runs: { size: TrustSize; marks: number; results: BenchResult[] }[] = [];
const failed: string[] = [];
try {
  for (const runSize of sizes) {
    const manifest = await ensureTrustData(runSize, log);
    log(`trust: ${manifest.schools.length} schools, ${runSize.pupils} pupils, ${manifest.marks} marks to ${manifest.schools[0]!.asOf}`);
    const results: BenchResult[] = [];
    for (const name of only) {
      log(`${name}: running`);
      const reported = await runChild(name, { adminUrl: server.url, manifest, earlier: Object.fromEntries(results.map((r) => [r.name, r])) }).catch((error: unknown) => {
        log(`${name}: failed: ${String(error)}`);
        return null;
      });
      if (!reported) {
        failed.push(`${name} (${runSize.pupils} pupils): did not finish`);
        continue;
      }
      for (const result of reported) console.log(JSON.stringify(result));
      results.push(...reported);
      // Each result is kept as it comes (a 100,000-pupil run takes long): the chart is drawn from every size on file.
      if (values.curve) await saveCurvePoint({ at: new Date().toISOString(), size: runSize, marks: manifest.marks, loadAverage: os.loadavg(), results });
    }
    runs.push({ size: runSize, marks: manifest.marks, results });
  }
} finally {
  await server.stop();
}

const machine = {
  nproc: os.availableParallelism(),
  cpu: os.cpus()[0]?.model ?? 'unknown',
  memoryGb: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  postgres: postgresVersion,
  platform: `${os.type()} ${os.release()}`,
  loadAverage: os.loadavg().map((n) => Number(n.toFixed(2))),
};
const totalSeconds = (performance.now() - started) / 1000;
const date = new Date().toISOString().slice(0, 10);
await fs.mkdir('bench/results', { recursive: true });
let results: BenchResult[];
if (values.curve) {
  const file = path.join('bench/results', `${date}-curve.json`);
  const curve = curveReport(await curvePoints());
  await fs.writeFile(file, `${JSON.stringify({ at: new Date().toISOString(), machine, totalSeconds, ...curve.json }, null, 2)}\n`);
  await fs.writeFile('bench/curve.svg', curve.svg);
  for (const line of curve.lines) log(line);
  log(`done in ${totalSeconds.toFixed(0)}s; wrote ${file} and bench/curve.svg`);
  results = [];
} else {
  const [run] = runs;
  results = run!.results;
  const file = path.join('bench/results', `${date}${values.quick ? '-quick' : ''}.json`);
  await fs.writeFile(file, `${JSON.stringify({ at: new Date().toISOString(), machine, size, marks: run!.marks, totalSeconds, results }, null, 2)}\n`);
  log(`done in ${totalSeconds.toFixed(0)}s: ${results.filter((r) => r.met).length}/${results.length} goals met; wrote ${file}`);
}
// A goal missed, or a benchmark that did not finish, fails the run, and says which.
const missed = results.filter((r) => !r.met).map((r) => `${r.name}: ${r.ratio.toFixed(2)}, goal ${r.goal}`);
for (const line of [...missed, ...failed]) console.error(`[bench] missed ${line}`);
if (missed.length + failed.length > 0) process.exitCode = 1;
