import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    environment: 'node',
    // the PostgreSQL server of the store tests: $GWJS_TEST_PG, else a private cluster (never skipped)
    globalSetup: ['test/helpers/pg-global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // two cores: run test files two at a time
    maxWorkers: 2,
  },
});
