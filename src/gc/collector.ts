/**
 * The collector: one phase machine, idle → mark → atomic → sweep → idle, that full, incremental
 * and minor collections all drive (as in Lua's lgc.c and AssemblyScript's ITCMS).
 *
 * - start: the mark value flips, so every live object turns white at once without a pass that
 *   clears colors; objects allocated from now on take the new mark value (black), and survive.
 * - mark: gray objects are scanned in budgeted slices; the write barrier shades white targets.
 * - atomic: roots are shaded again (pins and scopes may have changed between slices) and the
 *   stack drained to empty; ephemerons converge; weak slots naming white objects are cleared and
 *   the white objects with finalizers queued. Every object still white is dead from here on
 *   (`liveMask`).
 * - sweep: budgeted slices first run the queued finalizers (dead objects still intact), then
 *   free the white objects, walking indices downward.
 *
 * Work units: one per object scanned, one per slot scanned, one per root shaded, one per index
 * swept and one more per object freed.
 */
import { clearCards, scanDirtyCards } from './cards.ts';
import { drainMarkStack, drainYoung, shadeRoots, shadeYoungRoots, shrinkMarkStack } from './mark.ts';
import { DEAD, type HeapState, IDLE, MARK, NO_COLOR, SWEEP } from '../core/state.ts';
import { condemnYoung, dropDeadYoung, promoteAll, sweepAll, sweepNursery, sweepSlice } from './sweep.ts';
import {
  clearDeadReferences,
  convergeEphemerons,
  convergeYoungEphemerons,
  queueFinalizers,
  runFinalizers,
} from './weak.ts';

function startCycle(s: HeapState): number {
  s.markValue = 3 - s.markValue;
  s.markTop = 0;
  s.marked = 0;
  s.cycleFreed = 0;
  s.barrierWhite = 3 - s.markValue;
  s.phase = MARK;
  shadeRoots(s);
  return 1 + s.pinsLive + s.scopeTop;
}

/** After marking: ephemerons, weak slots and finalizers, common to full and incremental cycles. */
function settleWeak(s: HeapState): void {
  convergeEphemerons(s);
  const white = 3 - s.markValue;
  clearDeadReferences(s, white);
  queueFinalizers(s, white);
}

function atomic(s: HeapState): number {
  shadeRoots(s);
  const work = drainMarkStack(s, Infinity);
  settleWeak(s);
  s.barrierWhite = NO_COLOR;
  s.doomed = s.live - s.marked;
  dropDeadYoung(s);
  s.liveMask = s.markValue;
  s.readMask = s.markValue;
  s.sweepCursor = s.top - 1;
  s.phase = SWEEP;
  return work + s.pinsLive + s.scopeTop;
}

function endCycle(s: HeapState): void {
  shrinkMarkStack(s);
  s.liveMask = 3;
  s.readMask = 3;
  s.phase = IDLE;
}

/**
 * Does about `budget` units of cycle work, starting a cycle when idle. Returns true when this
 * call ended the cycle. The atomic phase is not divided: its cost is what the program changed
 * in the roots since the last slice.
 */
export function stepCycle(s: HeapState, budget: number): boolean {
  let work = 0;
  if (s.phase === IDLE) work += startCycle(s);
  if (s.phase === MARK) {
    work += drainMarkStack(s, budget - work);
    if (s.markTop > 0) return false;
    work += atomic(s);
  }
  if (s.finalizeNext < s.finalizeTop) {
    work += runFinalizers(s, Math.max(budget - work, 1));
    if (s.finalizeNext < s.finalizeTop) return false;
  }
  sweepSlice(s, Math.max(budget - work, 1));
  if (s.sweepCursor > 0) return false;
  endCycle(s);
  return true;
}

/** Runs a cycle in progress to its end at once (for `collect()`). */
export function finishCycle(s: HeapState): void {
  while (s.phase !== IDLE) stepCycle(s, Infinity);
}

/** A stop-the-world collection: after it, the live objects are exactly those roots reach. */
export function fullCollection(s: HeapState): number {
  s.markValue = 3 - s.markValue;
  s.markTop = 0;
  s.marked = 0;
  shadeRoots(s);
  drainMarkStack(s, Infinity);
  settleWeak(s);
  if (s.finalizeTop > 0) {
    s.liveMask = s.markValue;
    runFinalizers(s, Infinity);
    s.liveMask = 3;
  }
  // Before the sweep reuses `next` for the free list: every survivor (objects finalizers
  // allocated included) leaves the nursery old, so no card needs to stay dirty.
  promoteAll(s);
  clearCards(s);
  shrinkMarkStack(s);
  return sweepAll(s);
}

/**
 * A minor collection: marks the young objects reachable from roots and from old objects in dirty
 * cards (old objects count as live and are not traced), then sweeps only the nursery. Only when
 * idle: its young mark value is the white of a running major cycle.
 */
export function minorCollection(s: HeapState): number {
  const youngMark = 3 - s.markValue;
  s.markTop = 0;
  shadeYoungRoots(s, youngMark);
  scanDirtyCards(s, youngMark);
  drainYoung(s, youngMark);
  convergeYoungEphemerons(s, youngMark);
  condemnYoung(s, youngMark);
  clearDeadReferences(s, DEAD);
  queueFinalizers(s, DEAD);
  if (s.finalizeTop > 0) runFinalizers(s, Infinity);
  const freed = sweepNursery(s, youngMark);
  // Cards were kept or cleaned by `scanDirtyCards`; promotion may have dirtied more. With no
  // young object left, none needs to stay dirty. (The mark stack is not shrunk here: minors run
  // often, and regrowing it each time would cost more than the memory it saves.)
  if (s.young === 0) clearCards(s);
  return freed;
}
