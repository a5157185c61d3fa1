/**
 * `heap.destroy(ref)`: killing is unlinking. A destroyed object leaves the game at once: its
 * handle is stale, it leaves every query, its finalizer and `onRemove` hooks run (as for a
 * collected object), and every slot and `ref`/`weakref` field naming it reads NULL from then on
 * (the facade's read barrier: `get`/`getField` check the target's color). Its slot block and
 * components are released at once; only its index stays taken, colored `DESTROYED`, until a
 * collection proves that nothing names it any more.
 *
 * Why not free the index at once: slots hold indices, not handles, so a slot still naming a
 * freed index would name the next object allocated there. Finding every such slot needs a pass
 * over the referrers, and collections make exactly that pass: a collection whose marking began
 * after the destroy visits every strong slot and `ref` field of every object that survives it
 * (the marker clears those naming a destroyed object instead of marking it), its weak processing
 * clears weak slots, ephemeron pairs and `weakref` fields naming one, and objects it frees are
 * never read again. So:
 *
 * - a major cycle reclaims the objects destroyed before it began (objects allocated during it
 *   are black and never scanned, but cannot have stored an object that was already destroyed),
 *   after its finalizers (they may read dead objects' slots, which may name it) and before its
 *   sweep;
 * - a minor reclaims the young objects destroyed before it began: every reference to a young
 *   object lies in a young object or in an old one of a dirty card (invariant 5), and the minor
 *   visits both; objects destroyed while its own finalizers run wait for a major.
 *
 * A pin or an open scope naming a destroyed object keeps its index taken (never the object:
 * `pinned(ticket)` reads NULL) until it is unpinned or the scope closes; `unpin` works as usual.
 *
 * The lists: `destroyedYoung` (destroyed while young: a minor looks only there, so its cost stays
 * O(young)) and `destroyedOld`. Each destroyed object is in exactly one of them, once.
 */
import { growU32 } from '../core/columns.ts';
import type { ComponentData } from '../core/component-store.ts';
import { freeCause, FREED_BY_MAJOR, FREED_BY_MINOR, FREED_DESTROYED } from '../core/free-cause.ts';
import { pushFree } from '../core/free-list.ts';
import { freeBlock } from '../core/slots.ts';
import { DESTROYED, DESTROYED_ROOTED, FINALIZABLE, HAS_COMPONENTS, type HeapState, YOUNG } from '../core/state.ts';
import { leaveQueries, releaseComponents } from '../ecs/components.ts';
import { releaseObject } from './sweep.ts';
import { releaseRememberedSlot } from './cards.ts';
import { finalizeObject } from './weak.ts';

function push(list: Uint32Array, count: number, index: number): Uint32Array {
  if (count === list.length) list = growU32(list, list.length * 2);
  list[count] = index;
  return list;
}

/** Frees a destroyed object's index: it joins its page's queue's tail (core/free-list.ts), unless it retires. */
function release(s: HeapState, index: number): void {
  if (releaseObject(s, index)) pushFree(s, index);
}

function listOld(s: HeapState, index: number): void {
  s.destroyedOld = push(s.destroyedOld, s.destroyedOldCount++, index);
}

/**
 * The first part of `destroy`, for live object `i`: it is stale from now on (not live, not
 * readable but to its own hooks, never marked), out of every query, and listed for reclamation.
 * Its slots and components are still there for its hooks.
 */
export function beginDestroy(s: HeapState, i: number): void {
  // `marked` counts objects of the mark color while a cycle marks; the atomic step derives the
  // dead count from it.
  if (s.color[i] === s.markValue) s.marked--;
  s.color[i] = DESTROYED;
  if ((s.flags[i]! & HAS_COMPONENTS) !== 0) leaveQueries(s.components, i);
  if ((s.flags[i]! & YOUNG) !== 0) {
    s.destroyedYoung = push(s.destroyedYoung, s.destroyedYoungCount++, i);
    s.youngDestroyed++;
  } else {
    listOld(s, i);
  }
}

/**
 * Runs the object's finalizer and its components' `onRemove` hooks (but those in `skip`, already
 * running for it), with collection forbidden, as the finalizer phase does for a collected object.
 * What they throw is gathered in `finalizerErrors`.
 */
export function runDestroyHooks(s: HeapState, i: number, skip: readonly ComponentData[]): void {
  s.noGcDepth++;
  try {
    finalizeObject(s, i, skip);
  } finally {
    s.noGcDepth--;
  }
}

/**
 * The last part of `destroy`: the object's components (their `ref` fields cleared, so it keeps
 * nothing alive) and its slot block go now; only its index waits for reclamation.
 */
export function dismantle(s: HeapState, i: number): void {
  if ((s.flags[i]! & HAS_COMPONENTS) !== 0) releaseComponents(s.components, i);
  releaseRememberedSlot(s, i);
  const slotCount = s.size[i]!;
  freeBlock(s, s.base[i]!, slotCount);
  s.slotsUsed -= slotCount;
  s.size[i] = 0;
  s.base[i] = 0;
  // Its entries in the weak and finalizer lists stay until those lists next drop them: with no
  // slots, no components and no finalizer, nothing is done for it there.
  // A finalizer function is kept only for a FINALIZABLE object (`setFinalizer` sets both), so
  // only then is there one to drop: `finalizers` is an engine array, and a store past its end
  // grows it (the game bench's deaths made ~100 bytes of engine garbage each that way).
  if ((s.flags[i]! & FINALIZABLE) !== 0) s.finalizers[i] = undefined;
  s.flags[i] = s.flags[i]! & ~(FINALIZABLE | HAS_COMPONENTS);
}

/** Destroyed objects: the count `stats()` leaves out of `live`. */
export function destroyedCount(s: HeapState): number {
  return s.destroyedYoungCount + s.destroyedOldCount;
}

/**
 * Colors `from` objects `to` where a pin or an open scope names them. With `DESTROYED` to
 * `DESTROYED_ROOTED`, it sets apart the destroyed objects whose indices must stay taken (a pin or
 * scope entry naming a reused index would root a stranger); the reclaim pass then colors them
 * back the other way.
 */
function recolorRooted(s: HeapState, from: number, to: number): void {
  const color = s.color;
  const pinTarget = s.pinTarget;
  for (let p = 1, end = s.pinTop; p < end; p++) {
    const target = pinTarget[p]!;
    if (target !== 0 && color[target] === from) color[target] = to;
  }
  const scopeStack = s.scopeStack;
  for (let k = 0, end = s.scopeTop; k < end; k++) {
    const target = scopeStack[k]!;
    if (color[target] === from) color[target] = to;
  }
}

// ---- major cycles ------------------------------------------------------------------------------

/** A major cycle starts: the objects destroyed so far are the ones it may reclaim. */
export function noteCycleStart(s: HeapState): void {
  s.destroyedYoungAtStart = s.destroyedYoungCount;
  s.destroyedOldAtStart = s.destroyedOldCount;
  s.freeCause = freeCause(FREED_BY_MAJOR, s.majorCollections + 1);
}

/**
 * One slice of a major cycle's reclaim, between its finalizers and its sweep: frees the indices of
 * the objects destroyed before the cycle began, but those a pin or an open scope names, which stay
 * listed for a later cycle. Its marking cleared every strong reference to them in the objects it
 * keeps, its weak processing every weak one; the objects it frees are not read again. Entries of
 * the young list it began with are old by now (its first phase promoted them); a rooted one moves
 * to the old list.
 *
 * In slices, as the rest of the cycle: a game that destroys 20 units a frame has ~3,000 to reclaim
 * a cycle, 0.4-0.65 ms in one step (Node; a frame's whole major slice is 1 ms). The state between
 * slices is the lists and their `AtStart` counts alone: each list's first `AtStart` entries are
 * the ones still to look at, and the slice takes them from the end of that prefix, so an entry it
 * frees takes the list's last entry in its place (one destroyed after the cycle began, or one it
 * kept) and every list stays exactly its destroyed objects, for `verify`, `whyAlive` and a
 * snapshot between slices. The roots are recolored around each slice, as the program may pin,
 * unpin and close scopes between slices; a slice does at least as many units of its own work as
 * there are roots, so that recoloring (two units a root) costs at most twice the rest.
 *
 * Returns the work done: one unit per entry looked at, one more per index freed, and two per pin
 * and scope entry (the recoloring). The reclaim is done when both `AtStart` counts are 0.
 */
export function reclaimSlice(s: HeapState, budget: number): number {
  let oldLeft = s.destroyedOldAtStart;
  let youngLeft = s.destroyedYoungAtStart;
  if (oldLeft + youngLeft === 0) return 0;
  const roots = s.pinTop + s.scopeTop;
  const limit = Math.max(budget, roots);
  recolorRooted(s, DESTROYED, DESTROYED_ROOTED);
  const color = s.color;
  const cause = s.freeCause;
  s.freeCause = cause | FREED_DESTROYED;
  let seen = 0;
  let freed = 0;
  const old = s.destroyedOld;
  let oldCount = s.destroyedOldCount;
  for (; oldLeft > 0 && seen + freed < limit; seen++) {
    const i = old[--oldLeft]!;
    if (color[i] !== DESTROYED) continue; // rooted
    release(s, i);
    freed++;
    old[oldLeft] = old[--oldCount]!;
  }
  s.destroyedOldCount = oldCount;
  s.destroyedOldAtStart = oldLeft;
  const young = s.destroyedYoung;
  let youngCount = s.destroyedYoungCount;
  for (; youngLeft > 0 && seen + freed < limit; seen++) {
    const i = young[--youngLeft]!;
    // (The test only keeps a broken assumption from freeing an object still in the nursery.)
    if ((s.flags[i]! & YOUNG) !== 0) continue;
    if (color[i] === DESTROYED_ROOTED) {
      listOld(s, i);
    } else {
      release(s, i);
      freed++;
    }
    young[youngLeft] = young[--youngCount]!;
  }
  s.destroyedYoungCount = youngCount;
  s.destroyedYoungAtStart = youngLeft;
  s.freeCause = cause;
  recolorRooted(s, DESTROYED_ROOTED, DESTROYED);
  return seen + freed + 2 * roots;
}

/** Whether the running cycle's reclaim (`reclaimSlice`) has entries left to look at. */
export function reclaimPending(s: HeapState): boolean {
  return s.destroyedOldAtStart + s.destroyedYoungAtStart !== 0;
}

// ---- minor collections -------------------------------------------------------------------------

/**
 * A minor starts: entries of the young list that are young no more (a major cycle promoted them)
 * move to the old list; the rest are young objects destroyed before this minor, which it may
 * reclaim. Returns their count.
 */
export function beginMinorReclaim(s: HeapState): number {
  s.freeCause = freeCause(FREED_BY_MINOR, s.minorCollections + 1);
  const young = s.destroyedYoung;
  let kept = 0;
  for (let k = 0, end = s.destroyedYoungCount; k < end; k++) {
    const i = young[k]!;
    if ((s.flags[i]! & YOUNG) !== 0) young[kept++] = i;
    else listOld(s, i);
  }
  s.destroyedYoungCount = kept;
  return kept;
}

/**
 * After the minor's nursery sweep, which took every destroyed object out of the nursery (so none
 * is young now): frees the `eligible` first entries of the young list (destroyed before the minor
 * began) but those a pin or an open scope names; the rest (rooted, or destroyed by the minor's
 * own finalizers, after its marking) wait in the old list for a major cycle.
 */
export function finishMinorReclaim(s: HeapState, eligible: number): void {
  s.youngDestroyed = 0;
  const count = s.destroyedYoungCount;
  if (count === 0) return;
  if (eligible > 0) recolorRooted(s, DESTROYED, DESTROYED_ROOTED);
  const color = s.color;
  const young = s.destroyedYoung;
  s.freeCause |= FREED_DESTROYED;
  for (let k = 0; k < count; k++) {
    const i = young[k]!;
    if (k < eligible && color[i] === DESTROYED) release(s, i);
    else listOld(s, i);
  }
  s.freeCause &= ~FREED_DESTROYED;
  s.destroyedYoungCount = 0;
  if (eligible > 0) recolorRooted(s, DESTROYED_ROOTED, DESTROYED);
}
