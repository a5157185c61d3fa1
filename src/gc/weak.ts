/**
 * Weak slots, ephemerons and finalizers, processed when marking is complete (the atomic phase of
 * a major cycle, or inside a minor collection), as Lua's post-mark hook does (docs/design.md,
 * "Prior art").
 *
 * Lists, not scans: `weakObjects` and `finalizable` hold exactly the live objects of their kind.
 * An entry leaves its list when its object is found dead, before the sweep frees the index, so a
 * reused index is never listed twice.
 *
 * Ephemerons (Lua 5.4's convergence): a value is marked only once its key is marked by some
 * other path; marking a value can mark another ephemeron's key, so the pass repeats until
 * nothing changes. Then every weak slot and ephemeron pair naming a dead object is cleared.
 *
 * Finalizers run in two phases, without the bugs that docs/design.md ("Prior art") lists: every
 * due finalizer runs while all dead objects are still intact and readable (`readMask`), and only
 * then is anything reclaimed. They run from a queue the collector owns, so a finalizer that
 * allocates (and grows the columns) invalidates nothing being iterated. Stores and pins need live handles, so a finalizer cannot
 * resurrect its object; collection calls inside one throw `GcForbiddenError` (`noGcDepth`).
 */
import { growU32 } from '../core/columns.ts';
import { packHandle } from '../core/handle.ts';
import { drainMarkStack, drainYoung, shade, shadeYoung } from './mark.ts';
import { EPHEMERON, FINALIZABLE, HAS_COMPONENTS, type HeapState, READ_ALL, YOUNG } from '../core/state.ts';

export function listWeak(s: HeapState, index: number): void {
  if (s.weakCount === s.weakObjects.length) s.weakObjects = growU32(s.weakObjects, s.weakObjects.length * 2);
  s.weakObjects[s.weakCount++] = index;
}

export function listFinalizable(s: HeapState, index: number): void {
  if (s.finalizableCount === s.finalizable.length) s.finalizable = growU32(s.finalizable, s.finalizable.length * 2);
  s.finalizable[s.finalizableCount++] = index;
}

/** Major marking: marks ephemeron values whose keys are marked, to a fixed point. */
export function convergeEphemerons(s: HeapState): void {
  const mark = s.markValue;
  for (let changed = true; changed;) {
    changed = false;
    const color = s.color;
    const slots = s.slots;
    for (let k = 0; k < s.weakCount; k++) {
      const e = s.weakObjects[k]!;
      if (color[e] !== mark || (s.flags[e]! & EPHEMERON) === 0) continue;
      for (let p = s.base[e]!, end = p + s.size[e]!; p < end; p += 2) {
        const key = slots[p]!;
        const value = slots[p + 1]!;
        if (key !== 0 && color[key] === mark && value !== 0 && color[value] !== mark) {
          shade(s, value);
          changed = true;
        }
      }
    }
    if (changed) drainMarkStack(s, Infinity);
  }
}

/** For a minor collection: old objects count as reached, young ones once marked. */
function reachedInMinor(s: HeapState, index: number, youngMark: number): boolean {
  return (s.flags[index]! & YOUNG) === 0 || s.color[index] === youngMark;
}

/** Minor marking: the same, where a key counts as reachable when it is old or marked young. */
export function convergeYoungEphemerons(s: HeapState, youngMark: number): void {
  for (let changed = true; changed;) {
    changed = false;
    for (let k = 0; k < s.weakCount; k++) {
      const e = s.weakObjects[k]!;
      if ((s.flags[e]! & EPHEMERON) === 0 || !reachedInMinor(s, e, youngMark)) continue;
      for (let p = s.base[e]!, end = p + s.size[e]!; p < end; p += 2) {
        const key = s.slots[p]!;
        const value = s.slots[p + 1]!;
        if (key !== 0 && reachedInMinor(s, key, youngMark) && value !== 0 && !reachedInMinor(s, value, youngMark)) {
          shadeYoung(s, value, youngMark);
          changed = true;
        }
      }
    }
    if (changed) drainYoung(s, youngMark);
  }
}

/**
 * Clears every weak slot naming an object of color `deadColor`, and every ephemeron pair whose
 * key has it (a value of that color alone clears only the value); drops dead objects from the
 * weak list.
 */
export function clearDeadReferences(s: HeapState, deadColor: number): void {
  const color = s.color;
  const slots = s.slots;
  let kept = 0;
  for (let k = 0; k < s.weakCount; k++) {
    const e = s.weakObjects[k]!;
    if (color[e] === deadColor) continue;
    s.weakObjects[kept++] = e;
    const start = s.base[e]!;
    const end = start + s.size[e]!;
    if ((s.flags[e]! & EPHEMERON) === 0) {
      for (let p = start; p < end; p++) if (color[slots[p]!] === deadColor) slots[p] = 0;
      continue;
    }
    for (let p = start; p < end; p += 2) {
      if (color[slots[p]!] === deadColor) {
        slots[p] = 0;
        slots[p + 1] = 0;
      } else if (color[slots[p + 1]!] === deadColor) {
        slots[p + 1] = 0;
      }
    }
  }
  s.weakCount = kept;
  // `weakref` component fields of surviving members, through each component's member list.
  for (const c of s.components.withWeakRefs) {
    for (let k = 0; k < c.memberCount; k++) {
      const index = c.members[k]!;
      if (color[index] === deadColor) continue;
      for (const f of c.weakRefs) {
        const column = f.column;
        for (let p = index * f.length, end = p + f.length; p < end; p++) {
          if (color[column[p]!] === deadColor) column[p] = 0;
        }
      }
    }
  }
}

/** Moves the dead objects of the finalizable list (color `deadColor`) to the finalization queue. */
export function queueFinalizers(s: HeapState, deadColor: number): void {
  let kept = 0;
  for (let k = 0; k < s.finalizableCount; k++) {
    const i = s.finalizable[k]!;
    if (s.color[i] !== deadColor) {
      s.finalizable[kept++] = i;
      continue;
    }
    if (s.finalizeTop === s.finalizeQueue.length) {
      s.finalizeQueue = growU32(s.finalizeQueue, s.finalizeQueue.length * 2);
    }
    s.finalizeQueue[s.finalizeTop++] = i;
  }
  s.finalizableCount = kept;
}

/**
 * Runs queued finalizers until the queue is empty or `budget` units are spent (a finalizer costs
 * `FINALIZER_UNITS`). Returns the units spent. Each runs once: its function is dropped first.
 */
export const FINALIZER_UNITS = 64;

export function runFinalizers(s: HeapState, budget: number): number {
  let work = 0;
  const readMask = s.readMask;
  s.readMask = READ_ALL;
  s.noGcDepth++;
  try {
    while (s.finalizeNext < s.finalizeTop && work < budget) {
      const i = s.finalizeQueue[s.finalizeNext++]!;
      const fn = s.finalizers[i];
      s.finalizers[i] = undefined;
      s.flags[i] = s.flags[i]! & ~FINALIZABLE;
      work += FINALIZER_UNITS;
      const ref = packHandle(s.codec, i, s.generation[i]!);
      if (fn !== undefined) {
        try {
          fn(ref);
        } catch (error) {
          s.finalizerErrors.push(error);
        }
      }
      // Components' onRemove hooks, while the components are still readable.
      if ((s.flags[i]! & HAS_COMPONENTS) !== 0) {
        for (const c of s.components.list) {
          if (c.onRemove === undefined || c.position[i] === 0) continue;
          try {
            c.onRemove(ref);
          } catch (error) {
            s.finalizerErrors.push(error);
          }
        }
      }
    }
  } finally {
    s.noGcDepth--;
    s.readMask = readMask;
  }
  if (s.finalizeNext === s.finalizeTop) s.finalizeNext = s.finalizeTop = 0;
  return work;
}
