import { describe, it, expect } from 'vitest';
import { runCrashScenario } from './support/crash-scenario.ts';
import { reportFigures } from './support/figures.ts';
import { expectNothingLostOrDuplicated } from './support/expectations.ts';

const PUPILS = 30;

describe('two worker processes on one database', () => {
  it(`when two worker processes work the same ${PUPILS} due timers and their letters, then no transition, effect or email happens twice`, async () => {
    const run = await runCrashScenario(PUPILS, [], 60_000, { finalWorkers: 2 });
    await reportFigures('two-worker-processes', run);
    expect(run.kills).toBe(0);
    expectNothingLostOrDuplicated(run);
  }, 90_000);
});
