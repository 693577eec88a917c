import { defineConfig } from 'vitest/config';

// Browser end-to-end tests. They load the built extension (run `npm run build` first; `npm test` does)
// into Debian's Chromium (Playwright) and Firefox ESR (puppeteer-core over WebDriver BiDi), headless.
// One file at a time: each launches a real browser and the machine has two cores.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'chromium',
          include: ['e2e/chromium/**/*.e2e.ts'],
          testTimeout: 90_000,
          hookTimeout: 60_000,
          fileParallelism: false,
          pool: 'forks',
        },
      },
      {
        test: {
          name: 'firefox',
          include: ['e2e/firefox/**/*.e2e.ts'],
          testTimeout: 90_000,
          hookTimeout: 60_000,
          fileParallelism: false,
          pool: 'forks',
        },
      },
    ],
  },
});
