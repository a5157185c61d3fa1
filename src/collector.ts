/**
 * The collector: composes marking and sweeping into collections.
 *
 * The mark value flips at the start of every cycle, so every live object turns white at once
 * without a pass that clears colors; objects allocated afterwards take the new mark value.
 */
import { cleanCards, clearCards, pushDirtyCardObjects } from './cards.ts';
import { drainMarkStack, drainYoung, shadeRoots, shadeYoungRoots } from './mark.ts';
import type { HeapState } from './state.ts';
import { promoteAll, sweepAll, sweepNursery } from './sweep.ts';

/** A stop-the-world collection: after it, the live objects are exactly those roots reach. */
export function fullCollection(s: HeapState): number {
  s.markValue = 3 - s.markValue;
  s.markTop = 0;
  shadeRoots(s);
  drainMarkStack(s, Infinity);
  // Before the sweep reuses `next` for the free list: every survivor leaves the nursery old, so
  // no old-to-young reference remains and no card needs to stay dirty.
  promoteAll(s);
  clearCards(s);
  return sweepAll(s);
}

/**
 * A minor collection: marks the young objects reachable from roots and from old objects in dirty
 * cards (old objects count as live and are not traced), then sweeps only the nursery.
 */
export function minorCollection(s: HeapState): number {
  const youngMark = 3 - s.markValue;
  s.markTop = 0;
  shadeYoungRoots(s, youngMark);
  pushDirtyCardObjects(s);
  drainYoung(s, youngMark);
  const freed = sweepNursery(s, youngMark);
  cleanCards(s);
  return freed;
}
