/**
 * The vitest configuration for mutation testing (`npm run test:mutation`, stryker.config.json).
 * Stryker runs the tests that cover a mutant once per mutant, over instrumented code, so this
 * runs only the suites about the collector (src/gc, src/core/slots.ts), with fewer property cases
 * (`FC_RUNS`), a fixed fast-check seed (test/mutation-setup.ts: every run gives the same
 * verdicts) and the few tests that take seconds skipped (`MUTATION`, test/runs.ts). Left out:
 * readme.test.ts; the save-game suites run for the `io` group only, the bitECS bridge's for the
 * `bitecs` group, the lists' and messages' for the `api` group (`MUTATION_EXTRA_TESTS`, set by
 * scripts/mutation.mjs). `npm test` runs everything, in full.
 */
import process from 'node:process';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/verify.test.ts',
      'test/verify-destroyed.test.ts',
      'test/units.test.ts',
      'test/room.test.ts',
      'test/collector.test.ts',
      'test/barrier.test.ts',
      'test/slots.test.ts',
      'test/cards.test.ts',
      'test/destroy.test.ts',
      'test/why-alive.test.ts',
      'test/errors.test.ts',
      'test/incremental.test.ts',
      'test/generational.test.ts',
      'test/weak.test.ts',
      'test/components.test.ts',
      'test/heap.test.ts',
      'test/smoke.test.ts',
      'test/property.test.ts',
      'test/fuzz.test.ts',
      'test/add-many.test.ts',
      'test/components-edges.test.ts',
      'test/component-store-edges.test.ts',
      'test/index-pages.test.ts',
      'test/component-pages.test.ts',
      // A group's own tests (scripts/mutation.mjs, EXTRA_TESTS): the save-game suites for src/io,
      // the bridge's for src/bitecs.
      ...(process.env.MUTATION_EXTRA_TESTS ?? '').split(',').filter((f) => f !== ''),
    ],
    setupFiles: ['test/mutation-setup.ts'],
    // test/runs.ts reads these: fewer property cases, and the tests that take seconds skipped.
    env: { FC_RUNS: '20', MUTATION: '1' },
    // The library keeps no module state between heaps: test files need not reload it (faster).
    isolate: false,
    testTimeout: 60_000,
  },
});
