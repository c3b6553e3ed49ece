import { describe, it, expect } from 'vitest';
import { runCrashScenario } from './support/crash-scenario.ts';
import { reportFigures } from './support/figures.ts';
import { expectNothingLostOrDuplicated } from './support/expectations.ts';

const PUPILS = 20;

describe('crash safety of the worker process', () => {
  it(`when the worker is killed with SIGKILL while ${PUPILS} timers fire and again while their letters go out, then every case ends in Stage 1b and every email arrives once`, async () => {
    const run = await runCrashScenario(PUPILS, [{ casesMoved: 7 }, { mailsAccepted: 40 }], 50_000);
    await reportFigures('crash-timers', run);
    expect(run.killedAt[0]!.casesMoved).toBeLessThan(PUPILS);
    expectNothingLostOrDuplicated(run);
  }, 90_000);
});
