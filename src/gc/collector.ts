/**
 * The collector: one phase machine that full, incremental and minor collections all drive (as
 * Lua's lgc.c and AssemblyScript's ITCMS do). `enterPhase` is the only place a phase is entered
 * and the only place its derived state is set:
 *
 * | phase          | who is in it                          | liveMask   | barrier | new objects |
 * | -------------- | ------------------------------------- | ---------- | ------- | ----------- |
 * | IDLE           | between major cycles (minors run)     | both marks | off     | young       |
 * | PROMOTE        | the old nursery made old in slices    | both marks | shades  | young, black|
 * | MARK           | gray objects scanned in slices        | both marks | shades  | young, black|
 * | (atomic)       | inside one call: roots again, weak    |            |         |             |
 * | FINALIZE       | queued finalizers run in slices       | mark value | off     | young, black|
 * | CLEAR          | old weak references to white cleared  | mark value | off     | young, black|
 * | SWEEP          | white objects freed in slices         | mark value | off     | young, black|
 * | MINOR_FINALIZE | inside a minor: its finalizers run    | both marks | off     | young       |
 * | TENURE         | an oversized nursery made old, alone  | both marks | off     | young       |
 *
 * (Without generations nothing is young, and PROMOTE ends at once.)
 *
 * A major cycle: `startCycle` flips the mark value, so every object turns white at once and new
 * objects take the new mark value (black: they survive the cycle). PROMOTE makes every object
 * that was young when the cycle began old, in slices, so the cycle collects that young generation
 * too: an oversized nursery is folded into the major cycle instead of costing one long minor.
 * Objects allocated from the start on form a new nursery, which the next minor collects. MARK shades the roots and scans
 * gray objects in slices while the insertion barrier keeps black objects off white ones. The
 * atomic step (not divided; its cost is what the program changed in the roots since the last
 * slice) shades the roots again, drains the stack, converges ephemerons and clears the young
 * weak objects' and `weakref` fields' references to white objects, and queues the finalizers of
 * the white objects; from then on every white
 * object is dead (`liveMask`). CLEAR clears the old weak and ephemeron objects' references to
 * white objects in slices (there may be 10^5 of them: a game's projectiles with weak targets;
 * cleared in the atomic step they made a 5-10 ms tick), while the read barrier reads white
 * targets as NULL (`deadColors`). FINALIZE runs the
 * finalizers while every dead object is still intact; SWEEP first frees the indices of the
 * objects destroyed before the cycle began (gc/destroy.ts), then takes the white objects out of
 * the component member lists, a walk over each list, then frees them walking indices downward,
 * down to the lowest white one (the atomic step counted them); all three in slices. A full
 * collection is this machine run to IDLE with an unlimited budget.
 *
 * A minor collection (gc/minor.ts) runs whole inside one call, only in IDLE; its finalizers run
 * in MINOR_FINALIZE so that user code sees a consistent heap.
 *
 * TENURE is PROMOTE without the rest of a cycle: a tick whose nursery is too large for a minor
 * within the budget, while no major cycle is due, makes that nursery old in slices (O(young))
 * instead of starting a major cycle, which would mark and sweep the whole heap for it. Minors
 * wait while it runs, as during a cycle; it ends in IDLE.
 *
 * Work units: one per object promoted, one per object scanned and per slot or `ref` field
 * scanned, one per root shaded, one per index swept and one more per object freed, one per
 * component member the sweep's walk over the member lists visits (when the cycle found any dead),
 * one per destroyed object the reclaim looks at and one more per index it frees (plus two per pin
 * and scope entry a reclaim slice recolors), 64 per finalizer.
 */
import { clearCards } from './cards.ts';
import { dropDeadMembers } from '../ecs/components.ts';
import { drainMarkStack, shadeRoots, shrinkMarkStack } from './mark.ts';
import {
  BOTH_MARKS,
  CLEAR,
  DESTROYED_ANY,
  FINALIZE,
  type HeapState,
  IDLE,
  MARK,
  MINOR_FINALIZE,
  NO_COLOR,
  otherMark,
  PROMOTE,
  SWEEP,
  TENURE,
} from '../core/state.ts';
import { promoteSlice, sweepSlice } from './sweep.ts';
import {
  clearDeadReferences,
  clearSlice,
  convergeEphemerons,
  endClearing,
  queueFinalizers,
  runFinalizers,
} from './weak.ts';
import { measuredFold, planNextMajor } from './pacer.ts';
import { destroyedCount, noteCycleStart, reclaimPending, reclaimSlice } from './destroy.ts';

/** Enters `phase` and sets everything derived from it (the table above). */
export function enterPhase(s: HeapState, phase: number): void {
  s.phase = phase;
  const marking = phase === PROMOTE || phase === MARK;
  const sweeping = phase === CLEAR || phase === FINALIZE || phase === SWEEP;
  s.barrierWhite = marking ? s.white : NO_COLOR;
  s.liveMask = sweeping ? s.markValue : BOTH_MARKS;
  s.readMask = s.liveMask;
  s.deadColors = phase === CLEAR ? DESTROYED_ANY | s.white : DESTROYED_ANY;
}

/** Whether a major cycle is running (any phase but IDLE and a minor's finalizers). */
export function inMajorCycle(s: HeapState): boolean {
  return s.phase !== IDLE && s.phase !== MINOR_FINALIZE;
}

function startCycle(s: HeapState): void {
  s.markValue = s.white;
  s.white = otherMark(s.markValue);
  // The young objects now are promoted in PROMOTE; objects allocated from now on start a new nursery.
  s.promoteHead = s.nurseryHead;
  s.nurseryHead = 0;
  // Every remembered edge points into what PROMOTE makes old: none is needed any more. Edges into
  // the new nursery are remembered by the barrier as they are made. (Without this, cards dirtied
  // before a cycle stayed dirty until some minor rescanned them, and a remembered set that only
  // grows makes every minor look unaffordable, so that none runs.)
  clearCards(s);
  s.markTop = 0;
  s.marked = 0;
  s.cycleFreed = 0;
  s.pacer.foldedYoung = s.young;
  noteCycleStart(s);
  enterPhase(s, PROMOTE);
}

/** Starts making the nursery old in slices, outside a major cycle (TENURE). Only in IDLE. */
export function startTenure(s: HeapState): void {
  s.promoteHead = s.nurseryHead;
  s.nurseryHead = 0;
  // As at the start of a cycle: every remembered edge points into what is made old now.
  clearCards(s);
  enterPhase(s, TENURE);
}

function startMarking(s: HeapState): number {
  enterPhase(s, MARK);
  shadeRoots(s);
  return 1 + s.pinsLive + s.scopeTop;
}

/** Marking is complete: decide what is dead, once, while no user code runs. */
function atomic(s: HeapState): number {
  shadeRoots(s);
  let work = s.pinsLive + s.scopeTop + drainMarkStack(s, Infinity);
  work += convergeEphemerons(s);
  clearDeadReferences(s, s.white);
  queueFinalizers(s, s.white);
  // Live, marked, destroyed (gc/destroy.ts) or white: the white ones are dead.
  s.doomed = s.live - s.marked - destroyedCount(s);
  s.sweepCursor = s.top - 1;
  s.weakCursor = 0;
  s.weakKept = 0;
  enterPhase(s, CLEAR);
  return work;
}

function endCycle(s: HeapState): void {
  shrinkMarkStack(s);
  enterPhase(s, IDLE);
  // Young objects now are those allocated during the cycle; with none, no card needs to stay dirty.
  if (s.young === 0) clearCards(s);
  s.majorCollections++;
  planNextMajor(s);
  measuredFold(s);
}

/**
 * Does about `budget` units of major-cycle work, starting a cycle when idle. Returns true when
 * this call ended the cycle. Slices may overrun by one object's slots or one finalizer.
 */
export function stepCycle(s: HeapState, budget: number): boolean {
  let work = 0;
  if (s.phase === TENURE) {
    work += promoteSlice(s, budget);
    if (s.promoteHead === 0) enterPhase(s, IDLE);
    return done(s, work, false);
  }
  if (s.phase === IDLE) startCycle(s);
  if (s.phase === PROMOTE) {
    work += promoteSlice(s, budget);
    if (s.promoteHead !== 0) return done(s, work, false);
    work += startMarking(s);
  }
  if (s.phase === MARK) {
    work += drainMarkStack(s, budget - work);
    if (s.markTop > 0) return done(s, work, false);
    work += atomic(s);
  }
  if (s.phase === CLEAR) {
    work += clearSlice(s, Math.max(budget - work, 1));
    if (s.weakCursor < s.weakCount) return done(s, work, false);
    endClearing(s);
    enterPhase(s, s.finalizeNext < s.finalizeTop ? FINALIZE : SWEEP);
  }
  if (s.phase === FINALIZE) {
    work += runFinalizers(s, Math.max(budget - work, 1));
    if (s.finalizeNext < s.finalizeTop) return done(s, work, false);
    enterPhase(s, SWEEP);
  }
  // Objects destroyed before the cycle began: after the finalizers (which may read dead objects'
  // slots naming them), before the sweep; in slices (gc/destroy.ts).
  if (reclaimPending(s)) {
    work += reclaimSlice(s, Math.max(budget - work, 1));
    if (reclaimPending(s)) return done(s, work, false);
  }
  // The dead leave the member lists in a walk over each list first (ecs/components.ts), so the
  // sweep's frees find them gone. (Not when the cycle found none dead: nothing to drop.)
  const components = s.components.list.length;
  if (
    s.doomed !== 0 && components !== 0 &&
    (s.memberWalkCycle !== s.majorCollections || s.memberWalkComponent < components)
  ) {
    work += dropDeadMembers(s, Math.max(budget - work, 1));
    if (s.memberWalkComponent < components) return done(s, work, false);
  }
  work += sweepSlice(s, Math.max(budget - work, 1));
  if (s.sweepCursor > 0) return done(s, work, false);
  endCycle(s);
  return done(s, work, true);
}

function done(s: HeapState, work: number, ended: boolean): boolean {
  s.workDone += work;
  return ended;
}

/** Runs a cycle in progress to its end at once. */
export function finishCycle(s: HeapState): void {
  while (inMajorCycle(s)) stepCycle(s, Infinity);
}

/**
 * A stop-the-world collection: finishes a cycle in progress, then runs a whole new one. After
 * it, the live objects are exactly those roots reach (and those finalizers allocated).
 */
export function fullCollection(s: HeapState): void {
  finishCycle(s);
  stepCycle(s, Infinity);
}

/** Makes every young object old now (`tenure()`): outside a minor's finalizers only. */
export function tenureAll(s: HeapState): void {
  promoteSlice(s, Infinity);
  s.promoteHead = s.nurseryHead;
  s.nurseryHead = 0;
  promoteSlice(s, Infinity);
  clearCards(s);
  if (s.phase === TENURE) enterPhase(s, IDLE); // what it was making old is old now
  if (s.phase === IDLE) planNextMajor(s);
}
