// What every benchmark child shares: its database, its trust, its clock, and its one JSON line.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createCaseService } from '../src/cases/case-service.ts';
import { ManualClock } from '../src/clock.ts';
import { createLogger } from '../src/logger.ts';
import { importContacts, importPupils } from '../src/register/import-register.ts';
import { ensureDatabase, openPostgres, type OpenedPostgres } from '../src/store/postgres/open.ts';
import type { Store } from '../src/store/types.ts';
import { TRUST, schoolDir, type Manifest } from './trust.ts';

/** What the parent hands each child. */
export interface BenchEnv {
  adminUrl: string;
  manifest: Manifest;
  /** Results of the benchmarks run before this one, by name (the increment compares with the evaluation). */
  earlier: Record<string, BenchResult>;
}

export interface BenchResult {
  name: string;
  store: 'postgres' | 'mongo';
  size: { pupils: number; rows: number };
  wallSeconds: number;
  rowsPerSecond: number;
  peakRssMb: number;
  baseline: { what: string; wallSeconds: number; rowsPerSecond: number };
  /** Higher is better for throughput goals, lower for time goals: `goal` says which. */
  ratio: number;
  goal: string;
  met: boolean;
  detail?: Record<string, unknown>;
}

export const ENV_KEY = 'BENCH_ENV';

export function benchEnv(): BenchEnv {
  const raw = process.env[ENV_KEY];
  if (!raw) throw new Error(`run benchmarks through bench/run.ts (${ENV_KEY} is not set)`);
  return JSON.parse(raw) as BenchEnv;
}

export const databaseUrl = (adminUrl: string, name: string) => {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
};

/** A fresh database for one benchmark, empty or a copy of an earlier benchmark's (a file copy, so seconds). */
export async function benchDatabase(env: BenchEnv, name: string, template?: string): Promise<OpenedPostgres> {
  const admin = new pg.Client(env.adminUrl);
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    if (template) await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  } finally {
    await admin.end();
  }
  if (!template) await ensureDatabase(env.adminUrl, name);
  return openPostgres(databaseUrl(env.adminUrl, name));
}

export const silentLogger = createLogger('silent');

export function caseDeps(store: Store, now: Date) {
  const clock = new ManualClock(now);
  const logger = silentLogger;
  return { store, clock, logger, cases: createCaseService({ store, clock, logger }) };
}

/** The trust, its schools, pupils and contacts through the real import path. */
export async function loadRoll(store: Store, manifest: Manifest, at: Date) {
  await store.upsertTrust(TRUST);
  for (const { synthetic: _synthetic, pupils: _pupils, asOf: _asOf, nextDay: _nextDay, ...school } of manifest.schools) {
    await store.upsertSchool(school);
    for (const [file, importer] of [['pupils.csv', importPupils], ['contacts.csv', importContacts]] as const) {
      const report = await importer(store, { schoolId: school.id, source: fs.createReadStream(path.join(schoolDir(manifest.size, school.id), file)), actor: 'bench', reason: 'bench', at });
      if (!report.applied) throw new Error(`${school.id} ${file} rejected: ${JSON.stringify(report.problems.slice(0, 3))}`);
    }
  }
}

export async function timed<T>(work: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { seconds: (performance.now() - started) / 1000, value };
}

export const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

/** The child's answer: the last line of its stdout. */
export function report(result: Omit<BenchResult, 'peakRssMb' | 'store'> & { store?: BenchResult['store'] }) {
  const full: BenchResult = { store: 'postgres', ...result, peakRssMb: peakRssMb() };
  process.stdout.write(`${JSON.stringify(full)}\n`);
}

/** When the evening job would run: after school, London time. */
export const eveningOf = (date: string) => new Date(`${date}T18:00:00Z`);

/**
 * Schools evaluated side by side, as the worker runs them: each school's nightly job is its own
 * Agenda job, and a workflow's schools share its time. One per core unless BENCH_CONCURRENCY says.
 */
export const schoolConcurrency = Number(process.env.BENCH_CONCURRENCY ?? os.availableParallelism());

export async function forEachSchool<T>(items: readonly T[], work: (item: T) => Promise<void>) {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, schoolConcurrency) }, lane));
}
