/**
 * Heap methods asked for in later issues (DESIGN.md, "Additions asked in the second round"),
 * detected at run time so the suites measure them as soon as they exist and say "n/a" until then.
 */
import type { Component, Heap, Index, Ref } from '../../mod.ts';

interface LaterHeap {
  tenure?: () => void;
  destroy?: (ref: Ref) => void;
  targetIndex?: (ref: Ref, slot: number) => number;
  targetAt?: (index: Index, slot: number) => number;
  allocMany?: (
    count: number,
    slots?: number,
    kind?: 'strong' | 'weak' | 'ephemeron',
    targets?: ArrayLike<Ref>,
    into?: Float64Array,
  ) => Float64Array;
  addMany?: (refs: ArrayLike<Ref>, component: Component, count?: number) => void;
}

/** The heap with the methods of later issues typed as present: call them only after checking with `has`. */
export type WithLaterMethods = Heap & Required<LaterHeap>;

/** Whether the heap has the method (a later issue's addition). */
export function has(heap: Heap, method: keyof LaterHeap): boolean {
  return typeof (heap as unknown as LaterHeap)[method] === 'function';
}

/** Whether the heap has `tenure()` (end of loading: what is young now costs the next frames nothing). */
export function hasTenure(heap: Heap): boolean {
  return typeof (heap as unknown as LaterHeap).tenure === 'function';
}

/** Calls `heap.tenure()` when it exists; returns whether it did. */
export function tenure(heap: Heap): boolean {
  const t = (heap as unknown as LaterHeap).tenure;
  if (typeof t !== 'function') return false;
  t.call(heap);
  return true;
}

/** `heap.destroy` bound to the heap when it exists, else null. */
export function destroyOf(heap: Heap): ((ref: Ref) => void) | null {
  const d = (heap as unknown as LaterHeap).destroy;
  return typeof d === 'function' ? (ref) => d.call(heap, ref) : null;
}

/** `heap.tick(ms)`, returning whatever it returns (a `TickReport` once it has one; undefined today). */
export function tickReport(heap: Heap, ms: number): unknown {
  return (heap.tick as (ms: number) => unknown).call(heap, ms);
}
