/**
 * The free queues as tests read them (core/free-list.ts): a free index waits in the queue of its
 * page's class, and a page's never-used indices wait there too, after the indices freed before
 * the page was carved.
 */
import type { Heap } from '../mod.ts';
import { stateOf } from '../src/heap.ts';

/** The indices queue `cls` (0 for objects of no slots) holds, head first. */
export function queuedIndices(heap: Heap, cls: number): number[] {
  const s = stateOf(heap);
  const queue: number[] = [];
  for (let i = s.freeHeads[cls]!; i !== 0; i = s.next[i]!) queue.push(i);
  return queue;
}
