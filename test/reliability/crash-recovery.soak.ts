import { describe, it, expect } from 'vitest';
import { reportFigures } from './support/figures.ts';
import { expectExactlyOnce, killWhileDispatching } from './support/recovery.ts';

const ROUNDS = 5;

describe('after a crash, work resumes in seconds (soak)', () => {
  it(`when a sending worker is killed ${ROUNDS} times over, alone and beside another, then each time the next email arrives within 15 s and nothing is sent twice`, async () => {
    const seconds: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const run = await killWhileDispatching(round % 2 === 0 ? 1 : 2, 40);
      expectExactlyOnce(run);
      seconds.push(run.recoverySeconds);
    }
    await reportFigures('crash-recovery-soak', { rounds: ROUNDS, seconds, worst: Math.max(...seconds) });
    expect(Math.max(...seconds)).toBeLessThan(15);
  }, 1_200_000);
});
