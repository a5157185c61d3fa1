/**
 * Hand-written anchors for `collect()` over the same typed-array layout:
 *
 * - the lower bound (`limitCollect`, the suites' "limit"): a minimal mark over a flat edge array
 *   (object i's slots at 4(i-1)), `Uint8Array` colors and a `Uint32Array` stack, then a scan of
 *   every color. It skips work the heap cannot skip: the base/size indirection into a slot pool,
 *   the check that the mark stack has room before an object's slots are pushed, the test of each
 *   object's flags (weak kinds, components), and the free-list rebuild of the sweep. So it is a
 *   lower bound, not the same work: no collector with those duties reaches 1x.
 * - the same-work loop (`sameWorkCollect`): the lower bound plus exactly those four duties, on
 *   columns laid out as the heap lays them out (color, flags, base, size, next, generation, a slot
 *   pool). What the heap does beyond it (weak processing with nothing weak, promotion, clearing
 *   cards, pacing, statistics) is what ecs-heap / same-work measures.
 *
 * Both are written for this suite from the description above, not taken from src/.
 */
import { type Graph, SLOTS } from './graphs.ts';

// ---- the lower bound --------------------------------------------------------------------------

/** State of the minimal collector: the arrays it needs, nothing else. */
export interface LimitHeap {
  edges: Uint32Array;
  color: Uint8Array;
  stack: Uint32Array;
  roots: Uint32Array;
  n: number;
  mark: number;
}

export function buildLimit(g: Graph): LimitHeap {
  // Every object starts live with color 1, as heap.alloc leaves it; 0 means free.
  const color = new Uint8Array(g.n + 1).fill(1);
  color[0] = 0;
  return { edges: g.edges, color, stack: new Uint32Array(g.n + 1), roots: g.roots, n: g.n, mark: 1 };
}

/** Mark from the roots, then scan every color to free the unmarked: returns how many were freed. */
export function limitCollect(h: LimitHeap): number {
  const edges = h.edges;
  const color = h.color;
  const stack = h.stack;
  const roots = h.roots;
  const mark = (h.mark = 3 - h.mark);
  let sp = 0;
  for (let r = 0; r < roots.length; r++) {
    const root = roots[r]!;
    if (color[root] !== mark) {
      color[root] = mark;
      stack[sp++] = root;
    }
  }
  while (sp > 0) {
    const obj = stack[--sp]!;
    const base = SLOTS * (obj - 1);
    for (let k = base; k < base + SLOTS; k++) {
      const t = edges[k]!;
      if (t !== 0 && color[t] !== mark) {
        color[t] = mark;
        stack[sp++] = t;
      }
    }
  }
  let freed = 0;
  for (let i = 1, n = h.n; i <= n; i++) {
    const c = color[i]!;
    if (c !== mark && c !== 0) {
      color[i] = 0;
      freed++;
    }
  }
  return freed;
}

// ---- the same work ----------------------------------------------------------------------------

/** Colors: 0 free; the two mark values 1 and 2 flip each collection. */
const FREE_COLOR = 0;
/** Flags: slots that are not strong edges (weak, ephemeron), and an object with components. */
const NOT_STRONG_FLAG = 1;
const COMPONENTS_FLAG = 2;

/** The heap's columns for the graph: object i at index i, its slots in a pool block at base[i]. */
export interface SameWorkHeap {
  color: Uint8Array;
  flags: Uint8Array;
  base: Uint32Array;
  size: Uint32Array;
  next: Uint32Array;
  generation: Uint32Array;
  slots: Uint32Array;
  /** Starts small, as the heap's does, and grows when an object's slots might not fit. */
  stack: Uint32Array;
  roots: Uint32Array;
  /** One past the highest index in use. */
  top: number;
  mark: number;
  freeHead: number;
}

export function buildSameWork(g: Graph): SameWorkHeap {
  const n = g.n;
  const h: SameWorkHeap = {
    color: new Uint8Array(n + 1).fill(1),
    flags: new Uint8Array(n + 1),
    base: new Uint32Array(n + 1),
    size: new Uint32Array(n + 1),
    next: new Uint32Array(n + 1),
    generation: new Uint32Array(n + 1),
    // Slot 0 of the pool is unused, as block offsets start at 1 in the heap's pool.
    slots: new Uint32Array(SLOTS * n + 1),
    stack: new Uint32Array(256),
    roots: g.roots,
    top: n + 1,
    mark: 1,
    freeHead: 0,
  };
  h.color[0] = FREE_COLOR;
  for (let i = 1; i <= n; i++) {
    h.base[i] = 1 + SLOTS * (i - 1);
    h.size[i] = SLOTS;
    for (let k = 0; k < SLOTS; k++) h.slots[h.base[i]! + k] = g.edges[SLOTS * (i - 1) + k]!;
  }
  return h;
}

function growStack(h: SameWorkHeap): void {
  const grown = new Uint32Array(h.stack.length * 2);
  grown.set(h.stack);
  h.stack = grown;
}

/** Scans gray objects until the stack is empty or an object might not fit; returns the stack top. */
function scan(h: SameWorkHeap, sp: number): number {
  const color = h.color;
  const flags = h.flags;
  const base = h.base;
  const size = h.size;
  const slots = h.slots;
  const stack = h.stack;
  const capacity = stack.length;
  const mark = h.mark;
  while (sp > 0) {
    const obj = stack[sp - 1]!;
    const start = base[obj]!;
    const end = start + size[obj]!;
    if (sp - 1 + end - start > capacity) return sp; // no room: the caller grows the stack
    sp--;
    const f = flags[obj]!;
    if ((f & NOT_STRONG_FLAG) === 0) {
      for (let k = start; k < end; k++) {
        const t = slots[k]!;
        if (t !== 0 && color[t] !== mark) {
          color[t] = mark;
          stack[sp++] = t;
        }
      }
    }
    if ((f & COMPONENTS_FLAG) !== 0) throw new Error('same-work: no object here has components');
  }
  return 0;
}

/** Mark (with the heap's duties), then sweep downward rebuilding the free list; returns how many were freed. */
export function sameWorkCollect(h: SameWorkHeap): number {
  const mark = (h.mark = 3 - h.mark);
  const color = h.color;
  let sp = 0;
  for (let r = 0; r < h.roots.length; r++) {
    const root = h.roots[r]!;
    if (color[root] !== mark) {
      color[root] = mark;
      if (sp === h.stack.length) growStack(h);
      h.stack[sp++] = root;
    }
  }
  while ((sp = scan(h, sp)) > 0) growStack(h);
  const flags = h.flags;
  const next = h.next;
  const size = h.size;
  const base = h.base;
  const generation = h.generation;
  let head = 0;
  let freed = 0;
  for (let i = h.top - 1; i > 0; i--) {
    const c = color[i]!;
    if (c === mark) continue;
    if (c !== FREE_COLOR) {
      freed++;
      color[i] = FREE_COLOR;
      size[i] = 0;
      base[i] = 0;
      flags[i] = 0;
      generation[i] = generation[i]! + 1;
    }
    next[i] = head;
    head = i;
  }
  h.freeHead = head;
  return freed;
}
