import { defineConfig } from 'vitest/config';

// The inspector's browser tests (test/*.browser.ts): Node only, one file at a time (one Chromium).
export default defineConfig({
  test: {
    include: ['test/**/*.browser.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
