import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startServiceProcess, type ServiceProcess } from '../support/service-process.ts';
import { childrenOf, processesMatching } from '../support/processes.ts';

// A signal to the process a user (or a container) started must stop the service and its
// embedded PostgreSQL within 10 s, however it was started.
const root = path.resolve(import.meta.dirname, '../..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const bin = path.join(root, 'bin/attendance.js');
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'attendance-stop-'));

const processesOn = processesMatching;
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
/** The Node process running the service: the started process itself, or the one npm started. */
const serviceProcess = (service: ServiceProcess) => {
  const children = childrenOf(service.child.pid!);
  expect(children, 'npm runs the service as its one child').toHaveLength(1);
  return children[0]!;
};

/** Sends `signal` to `pid`, then waits until the started process, the service and PostgreSQL are gone; resolves with the milliseconds it took. */
async function stopTime(service: ServiceProcess, pid: number, signal: NodeJS.Signals, node = pid): Promise<number> {
  expect(processesOn(path.join(dataDir, 'pg')).length, 'PostgreSQL runs before the signal').toBeGreaterThan(0);
  const sent = Date.now();
  process.kill(pid, signal);
  const code = await service.exited;
  while ((alive(node) || processesOn(path.join(dataDir, 'pg')).length > 0) && Date.now() - sent < 15_000) await new Promise((resolve) => setTimeout(resolve, 100));
  const took = Date.now() - sent;
  expect(code, service.output()).toBe(0);
  expect(service.output()).toContain(`${signal} received`);
  console.log(`stopped by ${signal} in ${took} ms`);
  return took;
}

describe('stopping the service with a signal', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    // Load the demo once, so each start below is a plain restart.
    const first = await startServiceProcess({ DATA_DIR: dataDir }, 90_000);
    await stopTime(first, first.child.pid!, 'SIGTERM');
  }, 120_000);
  afterAll(async () => {
    for (const pid of processesOn(dataDir)) process.kill(pid, 'SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('when SIGTERM is sent to the process `npm start` started, then the service and PostgreSQL stop within 10 s', async () => {
    const service = await startServiceProcess({ DATA_DIR: dataDir }, 60_000, [npm, 'start']);
    const node = serviceProcess(service);
    expect(await stopTime(service, service.child.pid!, 'SIGTERM', node)).toBeLessThan(10_000);
  });

  it('when SIGINT is sent to the Node process under `npm start`, then the service, PostgreSQL and npm stop within 10 s', async () => {
    const service = await startServiceProcess({ DATA_DIR: dataDir }, 60_000, [npm, 'start']);
    const node = serviceProcess(service);
    expect(await stopTime(service, node, 'SIGINT')).toBeLessThan(10_000);
  });

  it('when SIGTERM is sent to the installed `attendance serve`, then it stops within 10 s and ran as one process', async () => {
    const service = await startServiceProcess({ DATA_DIR: dataDir }, 60_000, [process.execPath, bin, 'serve']);
    expect(processesOn(`${bin} serve`)).toEqual([service.child.pid]);
    expect(await stopTime(service, service.child.pid!, 'SIGTERM')).toBeLessThan(10_000);
  });

  it('when SIGTERM is sent to `attendance serve --role worker`, then the worker and PostgreSQL stop within 10 s', async () => {
    const service = await startServiceProcess({ DATA_DIR: dataDir }, 60_000, [process.execPath, bin, 'serve', '--role', 'worker']);
    expect(service.output()).toContain('attendance service started (worker)');
    expect(await stopTime(service, service.child.pid!, 'SIGTERM')).toBeLessThan(10_000);
  });
});
