/**
 * Why is this object alive: a path from a root to it, found by a breadth-first search over the
 * same edges the marker traces, so "alive because of this path" means "a collection now would
 * keep it because of this path".
 *
 * Edges: strong slots of strong objects, and the strong `ref` fields of every object's components
 * (the marker traces those for weak and ephemeron objects too). Weak slots and `weakref` fields
 * keep nothing alive and are not followed. Ephemerons: the value of a pair is reached only once
 * both the ephemeron and its key are reached. The search runs in rounds, as the collector's
 * ephemeron convergence does: a breadth-first search over strong edges to exhaustion, then every
 * pair whose ephemeron and key were reached adds its value (a step `via: 'ephemeron'` naming the
 * key), then another round from those values, until a round adds nothing. So a path without
 * ephemeron steps is a shortest path; a path that needs an ephemeron takes it in the first round
 * its key is reached, and the key's own path is `whyAlive(key)`.
 *
 * Plain loops over typed arrays: a queue (each index enters once), a parent index per object and
 * how it was reached. Not a hot path (a debugging call), but it must not recurse or allocate per
 * object on a heap of millions.
 */
import { packHandle, type Ref, type Ticket } from '../core/handle.ts';
import { EPHEMERON, HAS_COMPONENTS, type HeapState, NOT_STRONG } from '../core/state.ts';

/** One step of a path from a root: how `ref` is reached. The first step is always the root. */
export type PathStep =
  /** `ref` is pinned: a root until `ticket` is unpinned. */
  | { readonly via: 'pin'; readonly ref: Ref; readonly ticket: Ticket }
  /** `ref` was allocated inside a `scope()` that is still open: a root until it returns. */
  | { readonly via: 'scope'; readonly ref: Ref }
  /** Slot `slot` of the (strong) object `from` holds `ref`. */
  | { readonly via: 'slot'; readonly ref: Ref; readonly from: Ref; readonly slot: number }
  /** The `ref` field `field` (element `element` of an array field) of `from`'s `component` holds `ref`. */
  | {
    readonly via: 'field';
    readonly ref: Ref;
    readonly from: Ref;
    readonly component: string;
    readonly field: string;
    readonly element: number;
  }
  /** Slot `slot` of the ephemeron `from` holds `ref` as a value, kept while its key (slot - 1) is reached. */
  | { readonly via: 'ephemeron'; readonly ref: Ref; readonly from: Ref; readonly slot: number; readonly key: Ref };

// How an object was reached (`via` column); 0 = not reached yet.
const PIN = 1;
const SCOPE = 2;
const SLOT = 3;
const FIELD = 4;
const PAIR = 5;
/** A destroyed object (gc/destroy.ts): never reached, so never a step, and never a reached key. */
const GONE = 6;

/** A field's place in its component's `strongRefs` and the element, packed into one `detail` entry. */
const ELEMENTS = 1024; // MAX_FIELD_LENGTH: elements never reach it

/**
 * The path from a root to object `target` (a live index), or null when no root reaches it (it is
 * garbage the next collection covering it will free).
 */
export function findPathFromRoot(s: HeapState, target: number): PathStep[] | null {
  const n = s.top;
  const via = new Uint8Array(n);
  const parent = new Uint32Array(n);
  /** Pin slot, slot number, component id or pair number, by `via`. */
  const at = new Uint32Array(n);
  /** For FIELD: place in `strongRefs` * ELEMENTS + element. */
  const detail = new Uint32Array(n);
  const queue = new Uint32Array(n);
  let tail = 0;
  for (let k = 0; k < s.destroyedYoungCount; k++) via[s.destroyedYoung[k]!] = GONE;
  for (let k = 0; k < s.destroyedOldCount; k++) via[s.destroyedOld[k]!] = GONE;

  // Roots first, pins before scopes, each object once (the first pin naming it wins).
  const pinTarget = s.pinTarget;
  for (let p = 1, end = s.pinTop; p < end; p++) {
    const t = pinTarget[p]!;
    if (t === 0 || via[t] !== 0) continue;
    via[t] = PIN;
    at[t] = p;
    queue[tail++] = t;
  }
  const scopeStack = s.scopeStack;
  for (let k = 0, end = s.scopeTop; k < end; k++) {
    const t = scopeStack[k]!;
    if (via[t] !== 0) continue;
    via[t] = SCOPE;
    queue[tail++] = t;
  }

  const slots = s.slots;
  const base = s.base;
  const size = s.size;
  const flags = s.flags;
  /** The ephemerons reached so far, for the rounds (the search's own list: the collector's lists are its own). */
  const ephemerons: number[] = [];
  let head = 0;
  while (via[target] === 0) {
    while (head < tail && via[target] === 0) {
      const obj = queue[head++]!;
      const objFlags = flags[obj]!;
      if ((objFlags & EPHEMERON) !== 0) ephemerons.push(obj);
      if ((objFlags & NOT_STRONG) === 0) {
        const start = base[obj]!;
        for (let k = start, end = start + size[obj]!; k < end; k++) {
          const t = slots[k]!;
          if (t === 0 || via[t] !== 0) continue;
          via[t] = SLOT;
          parent[t] = obj;
          at[t] = k - start;
          queue[tail++] = t;
        }
      }
      if ((objFlags & HAS_COMPONENTS) === 0) continue;
      for (const c of s.components.withStrongRefs) {
        if (c.position[obj] === 0) continue;
        for (let r = 0; r < c.strongRefs.length; r++) {
          const f = c.strongRefs[r]!;
          const column = f.column;
          for (let e = 0; e < f.length; e++) {
            const t = column[obj * f.length + e]!;
            if (t === 0 || via[t] !== 0) continue;
            via[t] = FIELD;
            parent[t] = obj;
            at[t] = c.id;
            detail[t] = r * ELEMENTS + e;
            queue[tail++] = t;
          }
        }
      }
    }
    if (via[target] !== 0) break;
    // Strong edges exhausted: values of pairs whose ephemeron and key are both reached.
    const before = tail;
    for (const e of ephemerons) {
      for (let p = base[e]!, end = p + size[e]!, pair = 0; p < end; p += 2, pair++) {
        const key = slots[p]!;
        const value = slots[p + 1]!;
        if (key === 0 || via[key] === 0 || via[key] === GONE || value === 0 || via[value] !== 0) continue;
        via[value] = PAIR;
        parent[value] = e;
        at[value] = pair;
        queue[tail++] = value;
      }
    }
    if (tail === before) return null;
  }

  // Walk back from the target to its root, then reverse.
  const handle = (index: number): Ref => packHandle(s.codec, index, s.generation[index]!) as Ref;
  const path: PathStep[] = [];
  for (let x = target;;) {
    const ref = handle(x);
    const how = via[x]!;
    if (how === PIN) {
      const p = at[x]!;
      path.push({ via: 'pin', ref, ticket: packHandle(s.codec, p, s.pinGeneration[p]!) as Ticket });
      break;
    }
    if (how === SCOPE) {
      path.push({ via: 'scope', ref });
      break;
    }
    const from = parent[x]!;
    if (how === SLOT) {
      path.push({ via: 'slot', ref, from: handle(from), slot: at[x]! });
    } else if (how === FIELD) {
      const c = s.components.list[at[x]!]!;
      const d = detail[x]!;
      const field = c.strongRefs[Math.floor(d / ELEMENTS)]!.name;
      path.push({ via: 'field', ref, from: handle(from), component: c.name, field, element: d % ELEMENTS });
    } else {
      const slot = at[x]! * 2 + 1;
      const key = slots[base[from]! + slot - 1]!;
      path.push({ via: 'ephemeron', ref, from: handle(from), slot, key: handle(key) });
    }
    x = from;
  }
  return path.reverse();
}
