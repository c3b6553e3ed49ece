import { describe, it, expect, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

// A command run with another DATA_DIR must not quietly work on a new, empty store.
const root = path.resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
const cli = (dataDir: string, ...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', DATABASE_URL: '', MONGODB_URI: '' },
  });
const freshDir = async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'attendance-cli-store-'));
  dirs.push(dir);
  return dir;
};

describe('which store a CLI command uses', { timeout: 180_000 }, () => {
  afterAll(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('when a command other than serve or demo load finds no store in DATA_DIR, then it refuses, names the directory and creates nothing', async () => {
    const dataDir = await freshDir();
    const run = cli(dataDir, 'clock', 'show');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`no store in ${dataDir}/pg`);
    expect(existsSync(path.join(dataDir, 'pg'))).toBe(false);
  });

  it('when demo load runs on an empty DATA_DIR, then it creates the store, and a later command says which store it used', async () => {
    const dataDir = await freshDir();
    const load = cli(dataDir, 'demo', 'load');
    expect(load.status, load.stderr).toBe(0);
    expect(load.stderr).toContain(`store: embedded PostgreSQL in ${dataDir}/pg`);
    const show = cli(dataDir, 'clock', 'show');
    expect(show.status, show.stderr).toBe(0);
    expect(show.stderr).toContain(`store: embedded PostgreSQL in ${dataDir}/pg`);
    expect(show.stdout).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});
