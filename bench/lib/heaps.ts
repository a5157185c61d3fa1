/** The standard graphs as ecs-heaps, and the warm-up every collect-timing suite runs first. */
import { Heap, type HeapOptions, type Index, type RefArray } from '../../mod.ts';
import { type Graph, makeGraph, SLOTS } from './graphs.ts';

/** The graph as an ecs-heap: object i is allocated i-th (so its index is i), roots pinned. */
export function buildHeap(g: Graph, options: HeapOptions = { initialCapacity: g.n }): Heap {
  const heap = new Heap(options);
  const refs = new Float64Array(g.n + 1) as RefArray;
  for (let i = 1; i <= g.n; i++) refs[i] = heap.alloc(SLOTS);
  const edges = g.edges;
  for (let i = 1; i <= g.n; i++) {
    const ref = refs[i]!;
    const base = SLOTS * (i - 1);
    for (let k = 0; k < SLOTS; k++) {
      const t = edges[base + k]!;
      if (t !== 0) heap.set(ref, k, refs[t]!);
    }
  }
  for (const r of g.roots) heap.pin(refs[r]!);
  return heap;
}

/**
 * The handles of objects 1..n of a heap built by `buildHeap`: `refs[i]` is graph node i (0-based),
 * at heap index i + 1. A Float64Array, as a game keeping handles in SoA storage would.
 */
export function handlesOf(heap: Heap, n: number): RefArray {
  const refs = new Float64Array(n) as RefArray;
  for (let i = 0; i < n; i++) refs[i] = heap.refAt((i + 1) as Index);
  return refs;
}

/**
 * Runs every path of a full collection once, as any long-running program soon does: mark-stack
 * growth (a random graph's depth-first stack outgrows the initial 256 entries), freeing, and a
 * deep tree. Suites call this before measuring so that no number depends on which benchmark
 * happened to run first: in Bun, the first mark-stack growth alone left every later collection in
 * the process 1.6-1.9x slower (measured 2026-11-22).
 */
export function exerciseCollector(): void {
  const random = buildHeap(makeGraph('random', 1e4));
  const tree = buildHeap(makeGraph('tree', 1e4));
  for (let r = 0; r < 20; r++) {
    random.collect();
    tree.collect();
  }
}
