import type { Reporter, TestModule } from 'vitest/node';

type State = 'passed' | 'failed' | 'skipped' | 'pending';
export interface ModuleOutcome {
  /** 'failed' when the file itself failed: an import threw, or a beforeAll did. */
  state: State;
  tests: State[];
}

/**
 * The closing-line counts. A file that could not start ran none of its tests, so every test in
 * it that did not pass counts as failed (never as skipped), and a file with no tests collected
 * counts as one failure.
 */
export function countOutcomes(modules: readonly ModuleOutcome[]) {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const module of modules) {
    const broken = module.state === 'failed';
    for (const state of module.tests) {
      if (state === 'passed') counts.passed += 1;
      else if (state === 'failed' || broken) counts.failed += 1;
      else counts.skipped += 1;
    }
    if (broken && module.tests.length === 0) counts.failed += 1;
  }
  return counts;
}

/** Ends the run with the plain `N passed, N failed, N skipped` line that CI reads. */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>) {
    const counts = countOutcomes(
      testModules.map((module) => ({
        state: module.state() as State,
        tests: [...module.children.allTests()].map((test) => test.result().state as State),
      })),
    );
    console.log(`\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  }
}
