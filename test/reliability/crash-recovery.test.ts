import { describe, it, expect } from 'vitest';
import { expectExactlyOnce, killWhileDispatching } from './support/recovery.ts';
import { reportFigures } from './support/figures.ts';

describe('after a crash, work resumes in seconds', () => {
  it('when the worker is killed with SIGKILL while it sends letters and started again, then the next email reaches the SMTP server within 15 s, with nothing lost or sent twice', async () => {
    const run = await killWhileDispatching(1);
    await reportFigures('crash-recovery-restart', run);
    // Before: the dead process's dispatch lock (10 min) and claims (5 min) held the restart back.
    expect(run.recoverySeconds).toBeLessThan(15);
    expectExactlyOnce(run);
  }, 240_000);

  it('when one of two workers dies while it sends letters, then the survivor sends the next email within one lease (15 s), with nothing lost or sent twice', async () => {
    const run = await killWhileDispatching(2);
    await reportFigures('crash-recovery-survivor', run);
    expect(run.recoverySeconds).toBeLessThan(15);
    expectExactlyOnce(run);
  }, 240_000);
});
