import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    environment: 'node',
    // the PostgreSQL server of the store tests: $GWJS_TEST_PG, else a private cluster (never skipped)
    globalSetup: ['test/helpers/pg-global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // expect.poll's 1 s default is too short on a loaded 2-core CI machine (the first PKCS#11 token
    // listing, a page's next poll): poll for up to 10 s, still failing on a state that never comes
    expect: { poll: { timeout: 10_000 } },
    pool: 'forks',
    // two cores: run test files two at a time
    maxWorkers: 2,
  },
});
