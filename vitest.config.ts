import { defineConfig } from 'vitest/config';
import { moveMongoUriAside } from './test/support/test-env.ts';

moveMongoUriAside(process.env);

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
