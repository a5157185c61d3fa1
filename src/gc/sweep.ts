/**
 * Sweeping: one pass over the header columns, from the highest used index down, that frees
 * every live object not marked this cycle and rebuilds the free list. Walking downward and
 * pushing onto the head leaves the free list in ascending index order, so reuse is compact and
 * deterministic: the same program makes the same handles.
 */
import { dirtyCard, refersToYoung } from './cards.ts';
import { blockClass, freeBlock } from '../core/slots.ts';
import { releaseComponents } from '../ecs/components.ts';
import { AGE_MASK, AGE_SHIFT, DEAD, FREE, HAS_COMPONENTS, type HeapState, RETIRED, YOUNG } from '../core/state.ts';

/**
 * Frees one object: returns its slot block and bumps its generation, so every handle to it is
 * stale from now on. Returns false when the index retired instead (its generation would pass
 * `maxGeneration`); a retired index is never reused, so no stale handle can revive.
 */
export function releaseObject(s: HeapState, index: number): boolean {
  if ((s.flags[index]! & HAS_COMPONENTS) !== 0) releaseComponents(s.components, index);
  const slotCount = s.size[index]!;
  freeBlock(s, s.base[index]!, slotCount);
  s.slotsUsed -= slotCount;
  s.size[index] = 0;
  s.base[index] = 0;
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

/** Sweeps every index below `top`; returns how many objects it freed. */
export function sweepAll(s: HeapState): number {
  const color = s.color;
  const flags = s.flags;
  const next = s.next;
  const mark = s.markValue;
  let head = 0;
  let freed = 0;
  for (let i = s.top - 1; i > 0; i--) {
    const c = color[i]!;
    if (c === mark) continue;
    if (c === FREE) {
      if ((flags[i]! & RETIRED) !== 0) continue;
    } else {
      freed++;
      if (!releaseObject(s, i)) continue;
    }
    next[i] = head;
    head = i;
  }
  s.freeHead = head;
  return freed;
}

/**
 * After minor marking: colors every young object the minor mark did not reach `DEAD`, so weak
 * references, finalizers and handle checks can tell them from old objects (which keep the color
 * of the last major cycle).
 */
export function condemnYoung(s: HeapState, youngMark: number): void {
  const color = s.color;
  const next = s.next;
  for (let i = s.nurseryHead; i !== 0; i = next[i]!) if (color[i] !== youngMark) color[i] = DEAD;
}

/**
 * Sweeps the nursery after minor marking: frees the `DEAD` young objects, ages the survivors and
 * promotes those that reached `promoteAfter`. Objects allocated by finalizers during this minor
 * hold neither color and stay young, unaged. Costs O(young). A promoted object that still refers
 * to a young one gets its card dirtied (invariant 5).
 */
export function sweepNursery(s: HeapState, youngMark: number): number {
  const color = s.color;
  const flags = s.flags;
  const next = s.next;
  const mark = s.markValue;
  let i = s.nurseryHead;
  let nursery = 0;
  let young = 0;
  let freed = 0;
  while (i !== 0) {
    const following = next[i]!;
    const c = color[i]!;
    if (c === DEAD) {
      freed++;
      if (releaseObject(s, i)) {
        next[i] = s.freeHead;
        s.freeHead = i;
      }
      i = following;
      continue;
    }
    color[i] = mark;
    const age = c === youngMark ? ((flags[i]! & AGE_MASK) >> AGE_SHIFT) + 1 : 0;
    if (age >= s.promoteAfter) {
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
  s.nurseryHead = nursery;
  s.young = young;
  return freed;
}

/** Makes every young object old (a full collection leaves every survivor old). */
export function promoteAll(s: HeapState): void {
  const flags = s.flags;
  const next = s.next;
  for (let i = s.nurseryHead; i !== 0; i = next[i]!) flags[i] = flags[i]! & ~(YOUNG | AGE_MASK);
  s.nurseryHead = 0;
  s.young = 0;
}

/**
 * One slice of an incremental sweep: walks down from `sweepCursor`, freeing objects still white
 * (dead since the atomic phase). Objects allocated during the cycle are black and are skipped.
 * Returns the work done: one unit per index visited, one more per object freed.
 */
export function sweepSlice(s: HeapState, budget: number): number {
  const color = s.color;
  const next = s.next;
  const white = 3 - s.markValue;
  let i = s.sweepCursor;
  let work = 0;
  let freed = 0;
  while (i > 0 && work < budget) {
    if (color[i] === white) {
      freed++;
      work++;
      if (releaseObject(s, i)) {
        next[i] = s.freeHead;
        s.freeHead = i;
      }
    }
    work++;
    i--;
  }
  s.sweepCursor = i;
  s.doomed -= freed;
  s.cycleFreed += freed;
  return work;
}

/**
 * At the end of marking: unlinks the young objects left white from the nursery (they are dead,
 * and the sweep will reuse their `next` entry for the free list). Survivors stay young.
 */
export function dropDeadYoung(s: HeapState): void {
  const color = s.color;
  const flags = s.flags;
  const next = s.next;
  const white = 3 - s.markValue;
  let nursery = 0;
  let young = 0;
  let i = s.nurseryHead;
  while (i !== 0) {
    const following = next[i]!;
    if (color[i] === white) {
      flags[i] = flags[i]! & ~(YOUNG | AGE_MASK);
    } else {
      next[i] = nursery;
      nursery = i;
      young++;
    }
    i = following;
  }
  s.nurseryHead = nursery;
  s.young = young;
}

/**
 * Whether finishing the pending sweep would free an index that does not retire (when `needIndex`)
 * and a block of class `needClass` (when not -1). Read-only: a call that would fail anyway must
 * leave the heap unchanged, so it finishes the sweep only when this says it helps.
 */
export function sweepWouldMakeRoom(s: HeapState, needIndex: boolean, needClass: number): boolean {
  const color = s.color;
  const white = 3 - s.markValue;
  let index = !needIndex;
  let block = needClass < 0;
  for (let i = s.sweepCursor; i > 0 && !(index && block); i--) {
    if (color[i] !== white) continue;
    if (!index && s.generation[i]! < s.codec.maxGeneration) index = true;
    if (!block && s.size[i]! > 0 && blockClass(s.size[i]!) === needClass) block = true;
  }
  return index && block;
}
