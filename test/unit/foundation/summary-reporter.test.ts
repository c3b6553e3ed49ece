import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { countOutcomes } from '../../support/summary-reporter.ts';

const vitestCli = new URL('../../../node_modules/vitest/vitest.mjs', import.meta.url).pathname;
const config = new URL('../../fixtures/reporter/vitest.config.ts', import.meta.url).pathname;

describe('the closing line of a test run', () => {
  it('when a file fails in beforeAll, then its tests count as failed, not skipped', () => {
    expect(countOutcomes([{ state: 'failed', tests: ['skipped', 'skipped'] }])).toEqual({ passed: 0, failed: 2, skipped: 0 });
  });

  it('when a file fails before any test is collected, then the file counts as one failure', () => {
    expect(countOutcomes([{ state: 'failed', tests: [] }])).toEqual({ passed: 0, failed: 1, skipped: 0 });
  });

  it('when a file that started skips a test on purpose, then that test is skipped', () => {
    expect(countOutcomes([{ state: 'passed', tests: ['passed', 'skipped'] }])).toEqual({ passed: 1, failed: 0, skipped: 1 });
  });

  it('when vitest runs a passing file, a file whose beforeAll throws and a file whose import throws, then the line says 1 passed, 3 failed, 1 skipped', () => {
    const run = spawnSync(process.execPath, [vitestCli, 'run', '--config', config], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, CI: '1' } });
    expect(run.stdout.trim().split('\n').at(-1)).toBe('1 passed, 3 failed, 1 skipped');
    expect(run.status).not.toBe(0);
  });
});
