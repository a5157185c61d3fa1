/**
 * Set-up for mutation runs only (vitest.mutation.config.ts): Stryker needs every test to give the
 * same verdict each time it runs, so fast-check gets a fixed seed, and a failing property stops
 * at its first counterexample instead of shrinking it (a mutant only needs to be seen failing).
 */
import fc from 'fast-check';

fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 1), endOnFailure: true });
