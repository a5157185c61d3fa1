/**
 * Freeing and promoting: the major sweep (indices walked downward, in slices), the nursery sweep
 * of a minor collection, and the promotion of the whole nursery that opens a major cycle. Freed
 * indices join their pages' free queues (core/free-list.ts explains the order).
 */
import { pushFree, pushFreeFront } from '../core/free-list.ts';
import { blockClass, FREE_SINGLE, freeBlock, listSmallFree } from '../core/slots.ts';
import { releaseComponents } from '../ecs/components.ts';
import {
  AGE_MASK,
  AGE_SHIFT,
  DESTROYED,
  FREE,
  HAS_COMPONENTS,
  type HeapState,
  INDEX_PAGE_BITS,
  RETIRED,
  YOUNG,
} from '../core/state.ts';
import { dirtyCard, refersToYoung, releaseRememberedSlot } from './cards.ts';
import { measuredAged } from './pacer.ts';
import { settleYoungLists } from './weak.ts';

/**
 * Frees one object: returns its slot block and bumps its generation, so every handle to it is
 * stale from now on. Returns false when the index retired instead (its generation would pass
 * `maxGeneration`); a retired index is never reused, so no stale handle can revive. The caller
 * queues a reusable index (core/free-list.ts says where).
 */
export function releaseObject(s: HeapState, index: number): boolean {
  const flags = s.flags[index]!;
  if ((flags & HAS_COMPONENTS) !== 0) releaseComponents(s.components, index);
  if ((flags & YOUNG) === 0) releaseRememberedSlot(s, index);
  const slotCount = s.size[index]!;
  freeBlock(s, s.base[index]!, slotCount);
  s.slotsUsed -= slotCount;
  s.size[index] = 0;
  // While free, `base` records what freed the index, for stale-handle errors (core/free-cause.ts).
  s.base[index] = s.freeCause;
  s.color[index] = FREE;
  s.live--;
  const generation = s.generation[index]! + 1;
  if (generation > s.codec.maxGeneration) {
    s.flags[index] = RETIRED;
    s.retired++;
    return false;
  }
  s.generation[index] = generation;
  s.flags[index] = 0;
  return true;
}

/**
 * One slice of the major sweep: walks down from `sweepCursor`, freeing objects still white (dead
 * since the atomic step). Objects allocated during the cycle are black and are skipped. The walk
 * ends at the last white object, not at index 1: exactly `doomed` white objects lie at or below
 * the cursor (invariant 6, sweep), so once that many are freed no index below holds one (a
 * collection that found nothing dead sweeps nothing). Returns the work done: one unit per index
 * visited, one more per object freed.
 */
export function sweepSlice(s: HeapState, budget: number): number {
  const color = s.color;
  const white = s.white;
  const doomed = s.doomed;
  let i = s.sweepCursor;
  let work = 0;
  let freed = 0;
  while (freed < doomed && i > 0 && work < budget) {
    if (color[i] === white) {
      freed++;
      work++;
      if (releaseObject(s, i)) pushFreeFront(s, i);
    }
    work++;
    i--;
  }
  s.sweepCursor = freed === doomed ? 0 : i;
  s.doomed -= freed;
  s.cycleFreed += freed;
  return work;
}

/**
 * One slice of promotion: takes objects off the promotion list's head and makes them old, until
 * the list is empty or `budget` units (one per object) are spent. Invariant 7 holds between
 * slices: nursery and promotion list together hold exactly the young objects. An edge from an
 * object of the list to a new young object is remembered by the barrier (gc/barrier.ts), as the
 * object will be old before the next minor. When the list is empty, the young weak and finalizer
 * lists hand their promoted entries to the old ones.
 */
export function promoteSlice(s: HeapState, budget: number): number {
  const flags = s.flags;
  const next = s.next;
  const color = s.color;
  let i = s.promoteHead;
  let work = 0;
  let destroyed = 0;
  while (i !== 0 && work < budget) {
    flags[i] = flags[i]! & ~(YOUNG | AGE_MASK);
    if (color[i] === DESTROYED) destroyed++;
    i = next[i]!;
    work++;
  }
  s.promoteHead = i;
  s.young -= work;
  s.youngDestroyed -= destroyed;
  if (i === 0) {
    work += s.youngWeakCount + s.youngFinalizableCount;
    settleYoungLists(s);
  }
  return work;
}

/**
 * The nursery sweep of a minor collection, after its marking: frees the young objects of color
 * `deadColor`, ages the survivors (color `youngMark`) and promotes those that reached
 * `promoteAge` (1 or `promoteAfter`: gc/pacer.ts, `promoteEarly`). Objects allocated by the
 * minor's finalizers hold neither color and stay young, unaged. Survivors take the mark value
 * again. Costs O(young). A promoted object that still refers to a young one gets its card dirtied
 * (invariant 5). Counts the aged young objects it meets for the pacer (`measuredAged`).
 */
export function sweepNursery(s: HeapState, youngMark: number, deadColor: number, promoteAge: number): number {
  const { color, flags, next, generation, size, base } = s;
  const mark = s.markValue;
  const maxGeneration = s.codec.maxGeneration;
  const freeCause = s.freeCause;
  let i = s.nurseryHead;
  let nursery = 0;
  let young = 0;
  let freed = 0;
  // A freed index joins its page's queue. The ends of the queue the last free joined are kept here
  // (`page`, its `queue`, `head`, `tail`; written back when another queue is met, before
  // `releaseObject`, which queues what it frees itself, and at the end), as are the counters the
  // plain frees change (none of the calls below reads them): a nursery's dead mostly share a few
  // pages, and with each free reading and writing the queue's ends in the state's arrays the churn
  // suite's wave round took 28.5 ns an object against 25.5 for one queue in locals (Node, K 10^3).
  const { freeHeads, freeTails, pageClass } = s;
  let page = -1;
  let queue = -1;
  let head = 0;
  let tail = 0;
  // The pool's top too, for `freeBlock`'s commonest case below (nothing here grows the pool).
  const slots = s.slots;
  let slotTop = s.slotTop;
  let plainFreed = 0;
  let slotsFreed = 0;
  // Young objects that had survived a minor before this one, and those of them that die here:
  // the pacer's `agedSurvival` sample.
  let aged = 0;
  let agedFreed = 0;
  while (i !== 0) {
    // A run of the commonest dead, freed by the small loop below with the columns, the free
    // queue's ends and the pool's top in locals (`releaseObject` then `pushFree`, written out):
    // flags exactly YOUNG (so no remembered slot, no age to count, no components, no weak kind), an
    // index that does not retire, and a block of at most two slots going back to the top
    // (`freeBlock`'s commonest case: with a live block below, no free buddy to merge), or none. A
    // dropped wave is one such run, its blocks carved at the top and freed newest first. (Split out
    // of the loop that handles every young object, the churn suite's minor took 3.4 ns an object
    // in Bun against 6.0, 7.4 in Node against 10.6; with `freeBlock`'s call inside, Node's gain
    // was gone.) The run's blocks lie together below where the pool's top was, so their slots are
    // zeroed at once when it ends (`fill`), not a slot at a time: the churn suite's wave round of
    // 10^3 took 28.5-29 ns an object in Node against 30-31 so (docs/decisions.md).
    const runTop = slotTop;
    while (i !== 0 && color[i] === deadColor && flags[i] === YOUNG && generation[i]! < maxGeneration) {
      const slotCount = size[i]!;
      if (slotCount !== 0) {
        const start = base[i]!;
        if (slotCount > 2 || start + slotCount !== slotTop || slots[start - 1]! >= FREE_SINGLE) break;
        slotTop = start;
      }
      const following = next[i]!;
      size[i] = 0;
      base[i] = freeCause;
      color[i] = FREE;
      generation[i] = generation[i]! + 1;
      flags[i] = 0;
      next[i] = 0;
      if (i >>> INDEX_PAGE_BITS !== page) {
        page = i >>> INDEX_PAGE_BITS;
        if (pageClass[page] !== queue) {
          if (queue !== -1) {
            freeHeads[queue] = head;
            freeTails[queue] = tail;
          }
          queue = pageClass[page]!;
          head = freeHeads[queue]!;
          tail = freeTails[queue]!;
        }
      }
      if (tail === 0) head = i;
      else next[tail] = i;
      tail = i;
      freed++;
      plainFreed++;
      i = following;
    }
    if (slotTop !== runTop) {
      // The pool above `slotTop` is zero (core/slots.ts); nothing read these slots since the run freed them.
      slots.fill(0, slotTop, runTop);
      slotsFreed += runTop - slotTop;
    }
    // A run of the next commonest dead: the same plain young objects, but aged (dead after a minor
    // of their own) or with a block of one or two slots below the top (taken from the free lists,
    // so anywhere in the pool), which is listed unmerged as `freeBlock` would list it. Objects that
    // live across one minor and die before the next are this run: through the general path below
    // (`freeBlock` and back to the loop above), the generational suite's minor, whose nursery is
    // half such objects, swept in 420 us; 320 so (Node). Kept out of the loop above: with this
    // block free inside it, the churn suite's minor took 12.2 us against 10.5.
    let listed = 0;
    while (i !== 0 && color[i] === deadColor && (flags[i]! & ~AGE_MASK) === YOUNG && generation[i]! < maxGeneration) {
      const slotCount = size[i]!;
      const start = base[i]!;
      if (slotCount === 0 || slotCount > 2 || start + slotCount === slotTop) break;
      listSmallFree(s, start, slotCount - 1);
      slotsFreed += slotCount;
      if (flags[i] !== YOUNG) agedFreed++;
      // The index freed as in the loop above.
      const following = next[i]!;
      size[i] = 0;
      base[i] = freeCause;
      color[i] = FREE;
      generation[i] = generation[i]! + 1;
      flags[i] = 0;
      next[i] = 0;
      if (i >>> INDEX_PAGE_BITS !== page) {
        page = i >>> INDEX_PAGE_BITS;
        if (pageClass[page] !== queue) {
          if (queue !== -1) {
            freeHeads[queue] = head;
            freeTails[queue] = tail;
          }
          queue = pageClass[page]!;
          head = freeHeads[queue]!;
          tail = freeTails[queue]!;
        }
      }
      if (tail === 0) head = i;
      else next[tail] = i;
      tail = i;
      freed++;
      plainFreed++;
      listed++;
      i = following;
    }
    if (listed !== 0) continue;
    if (i === 0) break;
    const following = next[i]!;
    const c = color[i]!;
    if (c === deadColor) {
      if ((flags[i]! & (YOUNG | HAS_COMPONENTS)) === YOUNG && generation[i]! < maxGeneration) {
        // A dead object the loop above frees too, once its flags are plain YOUNG and it has no
        // block: aged, weak or finalizable (none of which changes its free: `releaseObject` reads
        // only YOUNG and HAS_COMPONENTS), or with its block going elsewhere. Counted aged, its
        // flags made plain and its block freed by `freeBlock`, it goes back to that loop.
        if ((flags[i]! & AGE_MASK) !== 0) agedFreed++;
        flags[i] = YOUNG;
        const slotCount = size[i]!;
        s.slotTop = slotTop;
        freeBlock(s, base[i]!, slotCount);
        slotTop = s.slotTop;
        slotsFreed += slotCount;
        size[i] = 0;
        continue;
      }
      // The other dead: with components, or retiring.
      freed++;
      if ((flags[i]! & AGE_MASK) !== 0) agedFreed++;
      s.slotTop = slotTop;
      if (queue !== -1) {
        freeHeads[queue] = head;
        freeTails[queue] = tail;
        page = queue = -1;
      }
      if (releaseObject(s, i)) pushFree(s, i);
      slotTop = s.slotTop;
      i = following;
      continue;
    }
    if (c === DESTROYED) {
      // Leaves the nursery, old: gc/destroy.ts frees its index or keeps it for a major cycle.
      flags[i] = flags[i]! & ~(YOUNG | AGE_MASK);
      i = following;
      continue;
    }
    color[i] = mark;
    const age = c === youngMark ? ((flags[i]! & AGE_MASK) >> AGE_SHIFT) + 1 : 0;
    if (age > 1) aged++;
    if (age >= promoteAge) {
      flags[i] = flags[i]! & ~(YOUNG | AGE_MASK);
      if (refersToYoung(s, i)) dirtyCard(s, i);
    } else {
      flags[i] = (flags[i]! & ~AGE_MASK) | (age << AGE_SHIFT);
      next[i] = nursery;
      nursery = i;
      young++;
    }
    i = following;
  }
  if (queue !== -1) {
    freeHeads[queue] = head;
    freeTails[queue] = tail;
  }
  s.slotTop = slotTop;
  s.live -= plainFreed;
  s.slotsUsed -= slotsFreed;
  s.nurseryHead = nursery;
  s.young = young;
  measuredAged(s, aged + agedFreed, agedFreed);
  return freed;
}

/**
 * What finishing the pending sweep would free, read-only: a call that would fail anyway must
 * leave the heap unchanged, so it finishes the sweep only when these say that makes its room.
 * Indices that do not retire, counted up to `wanted`.
 */
export function indicesSweepWouldFree(s: HeapState, wanted: number): number {
  const color = s.color;
  const white = s.white;
  const maxGeneration = s.codec.maxGeneration;
  let found = 0;
  for (let i = s.sweepCursor; i > 0 && found < wanted; i--) {
    if (color[i] === white && s.generation[i]! < maxGeneration) found++;
  }
  return found;
}

/**
 * Blocks of class `cls` that finishing the pending sweep would free, counted up to `wanted`: a dead
 * block of class c >= cls counts 2^(c - cls) (it splits; merging with free buddies or the top
 * only keeps that many). Smaller dead blocks are not counted, though merged they might make
 * some: a lower bound, so a sweep finished for room always makes it.
 */
export function blocksSweepWouldFree(s: HeapState, cls: number, wanted: number): number {
  const color = s.color;
  const white = s.white;
  const size = s.size;
  let found = 0;
  for (let i = s.sweepCursor; i > 0 && found < wanted; i--) {
    if (color[i] !== white || size[i] === 0) continue;
    const c = blockClass(size[i]!);
    if (c >= cls) found += 2 ** (c - cls);
  }
  return found;
}
