import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The default `forks` pool: threads and vmThreads fail when vitest runs inside Deno.
    pool: 'forks',
    testTimeout: 60_000,
  },
});
