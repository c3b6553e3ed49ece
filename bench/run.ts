// npm run bench [-- --quick] [--only import,evaluate] [--pg bench/.data/pg-other] : each benchmark in its own process (so its
// peak RSS is its own) against one embedded PostgreSQL; one JSON line each, and a results file.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../src/store/postgres/embedded.ts';
import { parseSize } from './args.ts';
import { ENV_KEY, type BenchEnv, type BenchResult } from './support.ts';
import { ensureTrustData } from './trust.ts';

const BENCHMARKS = ['import', 'evaluate', 'increment', 'timers', 'work-queue'] as const;

const { size, values } = parseSize(process.argv.slice(2));
const only = typeof values.only === 'string' ? values.only.split(',') : [...BENCHMARKS];
for (const name of only) if (!(BENCHMARKS as readonly string[]).includes(name)) throw new Error(`unknown benchmark '${name}' (known: ${BENCHMARKS.join(', ')})`);

const started = performance.now();
const log = (line: string) => console.error(`[bench ${((performance.now() - started) / 1000).toFixed(0)}s] ${line}`);
const manifest = await ensureTrustData(size, log);
log(`trust: ${manifest.schools.length} schools, ${size.pupils} pupils, ${manifest.marks} marks to ${manifest.schools[0]!.asOf}`);
if (!process.env.MONGODB_URI && !process.env.MONGOMS_SYSTEM_BINARY) log('mongo: skipped, no mongod available (set MONGODB_URI)');

const server = await startEmbeddedPostgres({ dataDir: typeof values.pg === 'string' ? values.pg : 'bench/.data/pg' });
const admin = new pg.Client(server.url);
await admin.connect();
const postgresVersion = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
await admin.end();

function runChild(name: string, env: BenchEnv): Promise<BenchResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join('bench', `${name}.ts`)], {
      env: { ...process.env, [ENV_KEY]: JSON.stringify(env) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const last = out.trim().split('\n').at(-1);
      if (code !== 0 || !last) reject(new Error(`benchmark ${name} exited with ${code}`));
      else resolve(JSON.parse(last) as BenchResult);
    });
  });
}

const results: BenchResult[] = [];
try {
  for (const name of only) {
    log(`${name}: running`);
    const result = await runChild(name, { adminUrl: server.url, manifest, earlier: Object.fromEntries(results.map((r) => [r.name, r])) }).catch((error: unknown) => {
      log(`${name}: failed: ${String(error)}`);
      return null;
    });
    if (!result) continue;
    results.push(result);
    console.log(JSON.stringify(result));
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
};
const totalSeconds = (performance.now() - started) / 1000;
const file = path.join('bench/results', `${new Date().toISOString().slice(0, 10)}${values.quick ? '-quick' : ''}.json`);
await fs.mkdir(path.dirname(file), { recursive: true });
await fs.writeFile(file, `${JSON.stringify({ at: new Date().toISOString(), machine, size, marks: manifest.marks, totalSeconds, results }, null, 2)}\n`);
log(`done in ${totalSeconds.toFixed(0)}s: ${results.filter((r) => r.met).length}/${results.length} goals met; wrote ${file}`);
// A goal missed, or a benchmark that did not finish, fails the run, and says which.
const missed = results.filter((r) => !r.met).map((r) => `${r.name}: ${r.ratio.toFixed(2)}, goal ${r.goal}`);
const failed = only.filter((name) => !results.some((r) => r.name === name)).map((name) => `${name}: did not finish`);
for (const line of [...missed, ...failed]) console.error(`[bench] missed ${line}`);
if (missed.length + failed.length > 0) process.exitCode = 1;
