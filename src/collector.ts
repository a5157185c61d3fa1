/**
 * The collector: composes marking and sweeping into collections.
 *
 * The mark value flips at the start of every cycle, so every live object turns white at once
 * without a pass that clears colors; objects allocated afterwards take the new mark value.
 */
import { drainMarkStack, shadeRoots } from './mark.ts';
import type { HeapState } from './state.ts';
import { sweepAll } from './sweep.ts';

/** A stop-the-world collection: after it, the live objects are exactly those roots reach. */
export function fullCollection(s: HeapState): number {
  s.markValue = 3 - s.markValue;
  s.markTop = 0;
  shadeRoots(s);
  drainMarkStack(s, Infinity);
  return sweepAll(s);
}
