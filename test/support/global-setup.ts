import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/store/postgres/embedded.ts';
import { chromiumToLaunch, type ChromiumToLaunch } from './browser.ts';
import path from 'node:path';
import os from 'node:os';
import fs from 'node:fs/promises';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the suite's own embedded PostgreSQL; each test file creates its own database. */
    pgAdminUrl: string;
    /** The browser for the browser suites (test/support/browser.ts). */
    chromium: ChromiumToLaunch;
  }
}

export default async function setup(project: TestProject) {
  // First, so that a browser that cannot be had leaves no PostgreSQL running.
  project.provide('chromium', await chromiumToLaunch());
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'attendance-test-pg-'));
  const pg = await startEmbeddedPostgres({ dataDir: dir });
  project.provide('pgAdminUrl', pg.url);
  return async () => {
    await pg.stop();
    await fs.rm(dir, { recursive: true, force: true });
  };
}
