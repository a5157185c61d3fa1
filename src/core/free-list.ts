/**
 * The free indices: a queue (`freeHead` .. `freeTail`, linked through `next`). Indices minors free
 * join at the tail and allocation takes from the head, so the indices short-lived objects churn
 * through are reused in turn and generations grow evenly over all of them instead of piling up on
 * a few hot indices.
 *
 * A handle stays a small integer (a V8 Smi, never boxed) while `index + generation * 2^indexBits`
 * is below 2^30, that is while the generation is below `codec.smallGenerations` (core/handle.ts);
 * an index whose next handle would pass that is sent to the back of the queue and a never-used
 * index taken instead, while the heap may still grow. So a steady game loop keeps its handles
 * small; only a heap at `maxObjects` reuses such indices (their handles are then exact doubles,
 * never wrong). The order depends only on the program: the same program makes
 * the same handles in every run and runtime.
 */
import { grownCapacity } from './columns.ts';
import { growHeaders, type HeapState, touchIndices } from './state.ts';

/** Appends a freed index to the free queue. */
export function pushFree(s: HeapState, index: number): void {
  s.next[index] = 0;
  if (s.freeTail === 0) s.freeHead = index;
  else s.next[s.freeTail] = index;
  s.freeTail = index;
}

/**
 * Puts a freed index at the front of the free queue: the major sweep, which walks indices
 * downward, so after a full collection the indices it freed are reused in ascending order
 * (compact and cache-friendly) before older free ones. Minors append at the tail instead: the
 * indices young objects churn through are the hot ones, and they must rotate.
 */
export function pushFreeFront(s: HeapState, index: number): void {
  s.next[index] = s.freeHead;
  s.freeHead = index;
  if (s.freeTail === 0) s.freeTail = index;
}

/** Whether an index is at hand without passing `maxObjects`. */
export function canTakeIndex(s: HeapState): boolean {
  return s.freeHead !== 0 || s.top <= s.maxObjects;
}

/**
 * Takes an index: the head of the free queue, unless its handle would no longer be a small
 * integer and the heap may still grow (then it moves to the back and a fresh index is used).
 */
export function takeIndex(s: HeapState): number {
  const head = s.freeHead;
  if (head !== 0) {
    if (s.generation[head]! < s.codec.smallGenerations || s.top > s.maxObjects) {
      s.freeHead = s.next[head]!;
      if (s.freeHead === 0) s.freeTail = 0;
      return head;
    }
    if (s.freeTail !== head) {
      s.freeHead = s.next[head]!;
      pushFree(s, head);
    }
  }
  const i = s.top;
  growToIndex(s, i);
  s.top = i + 1;
  return i;
}

/**
 * Grows the header columns now, if needed, so that indices 1..`count` exist (`count` at most
 * `maxObjects`): the growth `takeIndex` would do later, done when the caller chooses (a loading
 * screen), to the same round capacities; and commits their memory (`touchIndices`).
 */
export function reserveIndices(s: HeapState, count: number): void {
  growToIndex(s, count);
  if (count + 1 > s.top) touchIndices(s, s.top, count + 1);
}

/** Grows the header columns, if needed, so that index `index` (at most `maxObjects`) exists. */
function growToIndex(s: HeapState, index: number): void {
  if (index >= s.columnLength) growHeaders(s, grownCapacity(s.columnLength - 1, index, s.maxObjects) + 1);
}
