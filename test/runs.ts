/**
 * Knobs for mutation testing (`npm run test:mutation`; vitest.mutation.config.ts sets the
 * environment): Stryker runs the suites once per mutant over instrumented code, many times slower,
 * so property tests run fewer cases (`FC_RUNS`, with a fixed seed: test/mutation-setup.ts) and the
 * few tests that take seconds there are skipped (`heavy`), as smaller tests check the same
 * behaviour. `npm test` sets neither: it runs everything in full.
 */
const env: Record<string, string | undefined> = typeof process === 'undefined' ? {} : process.env;

/** Whether this is a mutation run. */
export const MUTATION_RUN = env.MUTATION === '1';

/** How many cases a fast-check property runs: `n`, or at most `FC_RUNS` when that is set. */
export function fcRuns(n: number): number {
  const cap = Number(env.FC_RUNS);
  return Number.isInteger(cap) && cap > 0 ? Math.min(n, cap) : n;
}
