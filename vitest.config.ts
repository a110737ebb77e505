import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration suites share one PostgreSQL and Redis; two workers match these 2-core machines.
    maxWorkers: 2,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
