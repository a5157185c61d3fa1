/**
 * The query-during-a-sweep fixture, shared by the ecs suite and its fresh-process child
 * (bench/child/first-drop.ts).
 */
import { type Component, Heap } from '../../mod.ts';

/** Members of the query-during-a-sweep case (as many dead ones again in the sweeping heap). */
export const SWEEP_MEMBERS = 100_000;

/** A heap of SWEEP_MEMBERS live members of one component, and as many dead ones when `sweeping`, then in its sweep. */
export function queryHeap(sweeping: boolean): { heap: Heap; P: Component } {
  const heap = new Heap({ generational: false });
  const P = heap.defineComponent({ x: 'f32' }, { name: 'P' });
  const holder = heap.alloc(SWEEP_MEMBERS);
  heap.pin(holder);
  for (let k = 0; k < SWEEP_MEMBERS; k++) {
    const kept = heap.alloc();
    heap.add(kept, P);
    heap.set(holder, k, kept);
    if (sweeping) heap.add(heap.alloc(), P);
  }
  // The query is built first, as a game's systems have built theirs long before a cycle: the
  // first call during the sweep then times the drop alone.
  heap.query(P);
  if (sweeping) {
    while (heap.phase !== 'sweep') heap.step(1);
  }
  return { heap, P };
}
