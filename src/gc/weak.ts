/**
 * Weak slots, ephemerons and finalizers, processed when marking is complete: the atomic step of a
 * major cycle, or inside a minor collection (as Lua's post-mark hook for weak tables does).
 *
 * Lists, not scans. Old objects: `weakObjects` (weak and ephemeron kinds) and `finalizable`;
 * young objects: `youngWeak` (weak and ephemeron kinds, and members of components with `weakref`
 * fields) and `youngFinalizable`. A minor looks only at the young lists and at the old objects
 * its card scan met (`rememberedWeak`), so its cost follows what is young, never the whole weak
 * population. A major looks at all of them. An entry leaves its list when its object is found
 * dead, before the sweep frees the index, so a reused index is never listed twice.
 *
 * Ephemerons (Lua 5.4's convergence): a value is marked only once its key is marked by some
 * other path; marking a value can mark another ephemeron's key, so the pass repeats until
 * nothing changes. Then every weak slot and ephemeron pair naming a dead object is cleared.
 *
 * Finalizers run in two phases: every due finalizer runs while all dead objects are still intact
 * and readable (`readMask`), and only then is anything reclaimed. They run from a queue the
 * collector owns, so a finalizer that allocates (and grows the columns) invalidates nothing being
 * iterated. Stores and pins need live handles, so a finalizer cannot resurrect its object;
 * collection calls inside one throw `GcForbiddenError` (`noGcDepth`).
 */
import { growU32, withRoom } from '../core/columns.ts';
import type { ComponentData } from '../core/component-store.ts';
import { packHandle, type Ref } from '../core/handle.ts';
import { recordList } from '../core/shapes.ts';
import { nextComponentOf } from '../ecs/components.ts';
import {
  DESTROYED,
  EPHEMERON,
  FINALIZABLE,
  HAS_COMPONENTS,
  type HeapState,
  NOT_STRONG,
  READ_ALL,
  YOUNG,
} from '../core/state.ts';
import { drainMarkStack, drainYoung, shade, shadeYoung } from './mark.ts';

function push(list: Uint32Array, count: number, index: number): Uint32Array {
  if (count === list.length) list = growU32(list, list.length * 2);
  list[count] = index;
  return list;
}

/** Lists a new weak or ephemeron object: young or old as the heap allocates it. */
export function listWeak(s: HeapState, index: number): void {
  if ((s.flags[index]! & YOUNG) !== 0) listYoungWeak(s, index);
  else listOldWeak(s, index);
}

/** Lists an old weak or ephemeron object (new and old, or just promoted). */
function listOldWeak(s: HeapState, index: number): void {
  s.weakObjects = push(s.weakObjects, s.weakCount++, index);
}

/** Lists a young object a minor must clear weak references of (kinds, or `weakref` fields). */
export function listYoungWeak(s: HeapState, index: number): void {
  s.youngWeak = push(s.youngWeak, s.youngWeakCount++, index);
}

/**
 * Gives both weak lists room for `entries` entries now (`reserve`, on a loading screen): a list
 * that doubles copies itself into fresh memory, and the old one did so inside `tick`, where the
 * nursery's weak objects join it on promotion (the game suite's projectiles: TENURE's last slice
 * took 3-5 ms at each doubling past 2^17 entries, against at most 0.4-0.6 ms with the room reserved).
 * `stats().bytes` counts these lists' entries in use, so room not yet used costs nothing there.
 */
export function reserveWeakLists(s: HeapState, entries: number): void {
  s.weakObjects = withRoom(s.weakObjects, entries, s.weakCount);
  s.youngWeak = withRoom(s.youngWeak, entries, s.youngWeakCount);
}

/** Lists an object that just became finalizable (its `FINALIZABLE` flag was clear). */
export function listFinalizable(s: HeapState, index: number): void {
  if ((s.flags[index]! & YOUNG) !== 0) {
    s.youngFinalizable = push(s.youngFinalizable, s.youngFinalizableCount++, index);
  } else {
    s.finalizable = push(s.finalizable, s.finalizableCount++, index);
  }
}

/** Notes an old object with weak references to young objects, met by a minor's card scan. */
export function listRememberedWeak(s: HeapState, index: number): void {
  s.rememberedWeak = push(s.rememberedWeak, s.rememberedWeakCount++, index);
}

// ---- ephemerons --------------------------------------------------------------------------------

/**
 * One pass over a list's ephemerons: shades the value of every pair whose ephemeron and key are
 * reached. In a major (`minor` false) reached means marked with `mark`; in a minor, old (never
 * traced there) or marked with the young mark `mark`. Returns whether anything was shaded.
 */
function shadeEphemeronValues(
  s: HeapState,
  list: Uint32Array,
  count: number,
  minor: boolean,
  mark: number,
): boolean {
  const color = s.color;
  const flags = s.flags;
  const slots = s.slots;
  let changed = false;
  for (let k = 0; k < count; k++) {
    const e = list[k]!;
    if ((flags[e]! & EPHEMERON) === 0) continue;
    if (minor ? (flags[e]! & YOUNG) !== 0 && color[e] !== mark : color[e] !== mark) continue;
    for (let p = s.base[e]!, end = p + s.size[e]!; p < end; p += 2) {
      const key = slots[p]!;
      const value = slots[p + 1]!;
      if (key === 0 || value === 0) continue;
      // (A destroyed key is never reached, though a minor counts other old objects as reached.)
      const keyReached = minor
        ? ((flags[key]! & YOUNG) === 0 && color[key] !== DESTROYED) || color[key] === mark
        : color[key] === mark;
      if (!keyReached) continue;
      // A destroyed value is never marked (gc/destroy.ts); the clearing below drops it.
      if (color[value] === DESTROYED) continue;
      if (minor) {
        if ((flags[value]! & YOUNG) === 0 || color[value] === mark) continue;
        shadeYoung(s, value, mark);
      } else {
        if (color[value] === mark) continue;
        shade(s, value);
      }
      changed = true;
    }
  }
  return changed;
}

/**
 * Major marking: marks ephemeron values whose keys are marked, to a fixed point, over the old and
 * young weak lists. Returns the work of the marking it caused.
 */
export function convergeEphemerons(s: HeapState): number {
  if (!s.ephemeronsMade) return 0; // no ephemeron in either list (invariant 2)
  let work = 0;
  for (;;) {
    const old = shadeEphemeronValues(s, s.weakObjects, s.weakCount, false, s.markValue);
    const young = shadeEphemeronValues(s, s.youngWeak, s.youngWeakCount, false, s.markValue);
    if (!old && !young) return work;
    work += drainMarkStack(s, Infinity);
  }
}

/** Minor marking: the same over the young ephemerons and the old ones the card scan met. */
export function convergeYoungEphemerons(s: HeapState, youngMark: number): void {
  if (!s.ephemeronsMade) return; // no ephemeron in either list (invariant 2)
  for (;;) {
    const young = shadeEphemeronValues(s, s.youngWeak, s.youngWeakCount, true, youngMark);
    const old = shadeEphemeronValues(s, s.rememberedWeak, s.rememberedWeakCount, true, youngMark);
    if (!young && !old) return;
    drainYoung(s, youngMark);
  }
}

// ---- clearing references to the dead -----------------------------------------------------------

/**
 * Clears the weak slots, ephemeron pairs and `weakref` fields of object `e` that name dead
 * objects: in a major, of color `mark` (the white) or destroyed (gc/destroy.ts); in a minor,
 * young and not of the young mark `mark` (destroyed ones included). An ephemeron pair whose key
 * is dead is cleared whole; a dead value alone clears only the value.
 */
function clearDeadIn(s: HeapState, e: number, minor: boolean, mark: number): void {
  const color = s.color;
  // Colors are single bits: in a major, dead means white or destroyed.
  const dead = mark | DESTROYED;
  const flags = s.flags;
  const slots = s.slots;
  const start = s.base[e]!;
  const end = start + s.size[e]!;
  const kind = flags[e]!;
  if ((kind & EPHEMERON) !== 0) {
    for (let p = start; p < end; p += 2) {
      const key = slots[p]!;
      const value = slots[p + 1]!;
      if (minor ? (flags[key]! & YOUNG) !== 0 && color[key] !== mark : (color[key]! & dead) !== 0) {
        slots[p] = 0;
        slots[p + 1] = 0;
      } else if (minor ? (flags[value]! & YOUNG) !== 0 && color[value] !== mark : (color[value]! & dead) !== 0) {
        slots[p + 1] = 0;
      }
    }
  } else if ((kind & NOT_STRONG) !== 0) {
    for (let p = start; p < end; p++) {
      const target = slots[p]!;
      if (minor ? (flags[target]! & YOUNG) !== 0 && color[target] !== mark : (color[target]! & dead) !== 0) {
        slots[p] = 0;
      }
    }
  }
  if ((kind & HAS_COMPONENTS) === 0) return;
  const refFields = s.components.weakRefFields;
  for (let r = 0; r < refFields.length; r++) {
    const { owner, field } = refFields[r]!;
    if (owner.position[e] === 0) continue;
    const column = field.column;
    for (let p = e * field.length, stop = p + field.length; p < stop; p++) {
      const target = column[p]!;
      if (minor ? (flags[target]! & YOUNG) !== 0 && color[target] !== mark : (color[target]! & dead) !== 0) {
        column[p] = 0;
      }
    }
  }
}

/**
 * Major, atomic step: clears the young weak objects' and the `weakref` fields' references naming
 * white objects (the old weak list is CLEAR's, in slices: `clearSlice`). Young objects are all
 * black in a major (allocated during it), so the young list only has references cleared.
 * `weakref` fields are found through each component's members.
 */
export function clearDeadReferences(s: HeapState, white: number): void {
  const color = s.color;
  const dead = white | DESTROYED; // (see `clearDeadIn`)
  for (let k = 0; k < s.youngWeakCount; k++) {
    const e = s.youngWeak[k]!;
    if ((s.flags[e]! & NOT_STRONG) !== 0) clearDeadIn(s, e, false, white);
  }
  for (const c of s.components.withWeakRefs) {
    for (let k = 0; k < c.memberCount; k++) {
      const index = c.members[k]!;
      if (color[index] === white) continue;
      for (let r = 0; r < c.weakRefs.length; r++) {
        const f = c.weakRefs[r]!;
        const column = f.column;
        for (let p = index * f.length, end = p + f.length; p < end; p++) {
          if ((color[column[p]!]! & dead) !== 0) column[p] = 0;
        }
      }
    }
  }
}

/**
 * Major, CLEAR: one slice of clearing the old weak list's references to white objects, from
 * `weakCursor` on, dropping the dead entries (the list is compacted behind the cursor). Objects
 * listed meanwhile (weak objects allocated during CLEAR: black, naming no white object, as the
 * mutator cannot name one) are met at the end. Returns the work done: one unit an entry, one a
 * slot cleared through.
 */
export function clearSlice(s: HeapState, budget: number): number {
  const color = s.color;
  const white = s.white;
  const dead = white | DESTROYED; // (see `clearDeadIn`)
  const list = s.weakObjects;
  let cursor = s.weakCursor;
  let kept = s.weakKept;
  let work = 0;
  while (cursor < s.weakCount && work < budget) {
    const e = list[cursor++]!;
    work++;
    if ((color[e]! & dead) !== 0) continue;
    list[kept++] = e;
    clearDeadIn(s, e, false, white);
    work += s.size[e]!;
  }
  s.weakCursor = cursor;
  s.weakKept = kept;
  return work;
}

/** Ends CLEAR's pass over the old weak list: what it kept is the list. */
export function endClearing(s: HeapState): void {
  s.weakCount = s.weakKept;
  s.weakCursor = 0;
  s.weakKept = 0;
}

/**
 * Minor: clears weak references naming young objects the minor did not reach, in the young list
 * (dropping its dead entries) and in the old objects the card scan met.
 */
export function clearDeadYoungReferences(s: HeapState, youngMark: number): void {
  const color = s.color;
  const list = s.youngWeak;
  let kept = 0;
  for (let k = 0; k < s.youngWeakCount; k++) {
    const e = list[k]!;
    if (color[e] !== youngMark) continue;
    list[kept++] = e;
    clearDeadIn(s, e, true, youngMark);
  }
  s.youngWeakCount = kept;
  for (let k = 0; k < s.rememberedWeakCount; k++) clearDeadIn(s, s.rememberedWeak[k]!, true, youngMark);
  s.rememberedWeakCount = 0;
}

// ---- finalizers -----------------------------------------------------------------------------

function queue(s: HeapState, index: number): void {
  s.finalizeQueue = push(s.finalizeQueue, s.finalizeTop++, index);
}

/** Major: moves the white objects of the old finalizable list to the finalization queue. */
export function queueFinalizers(s: HeapState, white: number): void {
  let kept = 0;
  for (let k = 0; k < s.finalizableCount; k++) {
    const i = s.finalizable[k]!;
    if (s.color[i] === white) queue(s, i);
    else if (s.color[i] !== DESTROYED) s.finalizable[kept++] = i; // a destroyed object's hooks have run
  }
  s.finalizableCount = kept;
}

/** Minor: moves the young finalizable objects the minor did not reach to the queue. */
export function queueYoungFinalizers(s: HeapState, youngMark: number): void {
  let kept = 0;
  for (let k = 0; k < s.youngFinalizableCount; k++) {
    const i = s.youngFinalizable[k]!;
    if (s.color[i] === DESTROYED) continue; // its hooks have run (gc/destroy.ts)
    if (s.color[i] !== youngMark) queue(s, i);
    else s.youngFinalizable[kept++] = i;
  }
  s.youngFinalizableCount = kept;
}

/**
 * After a minor's nursery sweep: entries of the young lists whose objects were promoted move to
 * the old lists (only weak and ephemeron objects have an old weak list; members of `weakref`
 * components are found through their component when old).
 */
export function settleYoungLists(s: HeapState): void {
  const flags = s.flags;
  let kept = 0;
  for (let k = 0; k < s.youngWeakCount; k++) {
    const e = s.youngWeak[k]!;
    if ((flags[e]! & YOUNG) !== 0) s.youngWeak[kept++] = e;
    else if ((flags[e]! & NOT_STRONG) !== 0) listOldWeak(s, e);
  }
  s.youngWeakCount = kept;
  kept = 0;
  for (let k = 0; k < s.youngFinalizableCount; k++) {
    const i = s.youngFinalizable[k]!;
    if ((flags[i]! & YOUNG) !== 0) s.youngFinalizable[kept++] = i;
    else s.finalizable = push(s.finalizable, s.finalizableCount++, i);
  }
  s.youngFinalizableCount = kept;
}

const NO_COMPONENTS: readonly ComponentData[] = recordList();

/**
 * Runs object `i`'s finalizer, then the `onRemove` hooks of its components (but those in `skip`,
 * already running), while its components are still readable; collects what they throw into
 * `finalizerErrors`. The finalizer runs once: its function is dropped first. The caller forbids
 * collection meanwhile. Shared by the finalizer phase and `heap.destroy` (gc/destroy.ts).
 */
export function finalizeObject(s: HeapState, i: number, skip: readonly ComponentData[]): void {
  const fn = s.finalizers[i];
  s.finalizers[i] = undefined;
  s.flags[i] = s.flags[i]! & ~FINALIZABLE;
  const ref = packHandle(s.codec, i, s.generation[i]!) as Ref;
  if (fn !== undefined) {
    try {
      fn(ref);
    } catch (error) {
      s.finalizerErrors.push(error);
    }
  }
  if ((s.flags[i]! & HAS_COMPONENTS) === 0) return;
  // Only the components the object has (its mask bits, with more than a few components defined):
  // a finalized object asked every component defined whether it had one.
  const store = s.components;
  for (let k = nextComponentOf(store, i, -1); k >= 0; k = nextComponentOf(store, i, k)) {
    const c = store.list[k]!;
    if (c.onRemove === undefined || skip.includes(c)) continue;
    try {
      c.onRemove(ref);
    } catch (error) {
      s.finalizerErrors.push(error);
    }
  }
}

/** Runs queued finalizers until the queue is empty or `budget` units are spent; a finalizer costs this. */
export const FINALIZER_UNITS = 64;

/** Returns the units spent. Each finalizer runs once: its function is dropped first. */
export function runFinalizers(s: HeapState, budget: number): number {
  let work = 0;
  const readMask = s.readMask;
  s.readMask = READ_ALL;
  s.noGcDepth++;
  try {
    while (s.finalizeNext < s.finalizeTop && work < budget) {
      finalizeObject(s, s.finalizeQueue[s.finalizeNext++]!, NO_COMPONENTS);
      work += FINALIZER_UNITS;
    }
  } finally {
    s.noGcDepth--;
    s.readMask = readMask;
  }
  if (s.finalizeNext === s.finalizeTop) s.finalizeNext = s.finalizeTop = 0;
  return work;
}
