/**
 * The vitest configuration for mutation testing (`npm run test:mutation`, stryker.config.json):
 * the suites that exercise the collector (src/gc, src/core/slots.ts), with property tests capped
 * by `FC_RUNS` and seeded (test/mutation-setup.ts), so each mutant costs
 * seconds and every run gives the same verdicts. Not used by `npm test`, which runs everything.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The bitECS bridge uses src/core only (not slots.ts): its suites cannot see a collector mutant.
    exclude: ['test/bitecs.test.ts'],
    setupFiles: ['test/mutation-setup.ts'],
    // test/runs.ts reads these: fewer property cases, and the tests that take seconds skipped.
    env: { FC_RUNS: '20', MUTATION: '1' },
    testTimeout: 60_000,
  },
});
