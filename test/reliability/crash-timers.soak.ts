import { describe, it, expect } from 'vitest';
import { runCrashScenario } from './support/crash-scenario.ts';
import { reportFigures } from './support/figures.ts';
import { expectNothingLostOrDuplicated } from './support/expectations.ts';

const PUPILS = 1000;

describe('crash safety of the worker process, at a school\'s scale', () => {
  it(`when the worker is killed with SIGKILL four times while ${PUPILS} timers fire and their letters go out, then every case ends in Stage 1b and every email arrives once`, async () => {
    const run = await runCrashScenario(
      PUPILS,
      [{ casesMoved: 100 }, { casesMoved: 500 }, { mailsAccepted: 1500 }, { mailsAccepted: 3000 }],
      15 * 60_000,
    );
    await reportFigures('crash-timers-soak', run);
    expect(run.killedAt.map((k) => k.casesMoved).some((moved) => moved < PUPILS)).toBe(true);
    expectNothingLostOrDuplicated(run);
  }, 40 * 60_000);
});
