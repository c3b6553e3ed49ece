import { defineConfig } from 'vitest/config';
import { moveMongoUriAside } from './test/support/test-env.ts';

moveMongoUriAside(process.env);

// The soak tests (`npm run test:soak`): each runs for minutes, so `npm test` leaves them out.
export default defineConfig({
  test: {
    include: ['test/**/*.soak.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60 * 60_000,
    hookTimeout: 5 * 60_000,
    pool: 'forks',
    // One at a time: each soak test measures a worker under load, not the machine's scheduler.
    fileParallelism: false,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
