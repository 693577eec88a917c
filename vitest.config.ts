import { defineConfig } from 'vitest/config';

// Unit and integration tests: browser-free code under src/ and the local Sync stack under server/.
// End-to-end browser tests have their own config in e2e/.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'server/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    pool: 'forks',
  },
});
