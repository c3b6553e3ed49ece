import { describe, it, expect, afterAll } from 'vitest';
import { mkdtemp, rm, access, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startServiceProcess, embeddedPort } from '../support/service-process.ts';
import { processesMatching } from '../support/processes.ts';

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'attendance-serve-'));
// The superuser password is made for this data directory and kept in it.
const passwordFile = path.join(dataDir, 'pg', 'superuser.password');
const url = async () => `postgres://postgres:${encodeURIComponent((await readFile(passwordFile, 'utf8')).trim())}@127.0.0.1:${await embeddedPort(dataDir)}/attendance`;
const postgresProcessesOn = (dir: string) => processesMatching(dir).length;

// Each test starts a real service process (and the first loads the demo): slow on a busy 2-core machine.
describe('serve on embedded PostgreSQL', { timeout: 90_000 }, () => {
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('when started with no database configured, then /healthz reports embedded PostgreSQL and Agenda running', async () => {
    const service = await startServiceProcess({ DATA_DIR: dataDir });
    try {
      expect(service.output()).toContain(`embedded PostgreSQL in ${dataDir}/pg`);
      expect(service.output()).toContain('loaded the demo trusts');
      const health = await fetch(`${service.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok', store: 'postgres', database: 'ok', agenda: 'running' });
      // Made for this directory, readable by the service's user only, and not the old constant.
      expect((await stat(passwordFile)).mode & 0o777).toBe(0o600);
      expect((await readFile(passwordFile, 'utf8')).trim()).not.toBe('attendance-local');
      await expect(new pg.Client(`postgres://postgres:attendance-local@127.0.0.1:${await embeddedPort(dataDir)}/attendance`).connect()).rejects.toThrow();
      const client = new pg.Client(await url());
      await client.connect();
      await client.query("INSERT INTO trusts (id, name) VALUES ('kept', 'Kept Across Restarts')");
      await client.end();
    } finally {
      service.child.kill('SIGTERM');
      expect(await service.exited, service.output()).toBe(0);
    }
    await expect.poll(() => postgresProcessesOn(dataDir)).toBe(0);
    await expect(access(path.join(dataDir, 'pg', 'cluster', 'postmaster.pid'))).rejects.toThrow();
  });

  it('when started again on the same data directory, then the data is still there', async () => {
    const service = await startServiceProcess({ DATA_DIR: dataDir });
    try {
      const client = new pg.Client(await url());
      await client.connect();
      const rows = await client.query("SELECT name FROM trusts WHERE id = 'kept'");
      const pupils = await client.query("SELECT count(*)::int AS n FROM pupils WHERE school_id = 'west-coventry'");
      await client.end();
      expect(rows.rows).toEqual([{ name: 'Kept Across Restarts' }]);
      expect(pupils.rows[0].n).toBe(80);
      expect(service.output()).not.toContain('loaded the demo trusts');
    } finally {
      service.child.kill('SIGKILL');
      await service.exited;
    }
  });

  it('when the previous process was killed with SIGKILL, then the next start takes over its orphaned PostgreSQL', async () => {
    expect(postgresProcessesOn(dataDir)).toBeGreaterThan(0);
    const service = await startServiceProcess({ DATA_DIR: dataDir });
    try {
      expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    } finally {
      service.child.kill('SIGINT');
      expect(await service.exited, service.output()).toBe(0);
    }
    await expect.poll(() => postgresProcessesOn(dataDir)).toBe(0);
  });

  it('when the configuration is bad, then the service refuses to start and names the variable', async () => {
    await expect(startServiceProcess({ DATA_DIR: dataDir, PORT: 'eighty' }, 20_000)).rejects.toThrow(/PORT/);
  });
});
