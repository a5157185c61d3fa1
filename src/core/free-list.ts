/**
 * The free indices: a queue (`freeHead` .. `freeTail`, linked through `next`). Indices minors free
 * join at the tail and allocation takes from the head, so the indices short-lived objects churn
 * through are reused in turn and generations grow evenly over all of them instead of piling up on
 * a few hot indices.
 *
 * A handle stays a small integer (a V8 Smi, never boxed) while `index + generation * 2^indexBits`
 * is below 2^30, that is while the generation is below `codec.smallGenerations` (core/handle.ts).
 * An index whose next handle would pass that is spent: when it reaches the head of the queue while
 * the heap may still grow, it is set aside on the spent stack (`spentHead`) and the next one taken,
 * or a never-used index. So every index gives its `smallGenerations` handles and no more, a steady
 * game loop keeps its handles small, and the loop's indices stay few: a churn of K objects a round
 * spreads over K new indices every `smallGenerations` rounds, no faster. (Spent indices left in the
 * queue instead came back to its head every round, each time taking a new index: a churn of 10^4
 * a round had spread over 1.4M indices after 10^8 allocations, against the 0.39M it needs.) Only
 * a heap at `maxObjects` reuses spent indices, the queue's first, then the stack's; their handles
 * are then exact doubles, never wrong. The order depends only on the program: the same program
 * makes the same handles in every run and runtime.
 */
import { grownCapacity } from './columns.ts';
import { growHeaders, type HeapState, touchIndices } from './state.ts';

/**
 * Indices neither live nor retired: what allocation may still take before `maxObjects` (free ones,
 * spent ones, and those never used). A retired index is never reused, so it counts as taken.
 */
export function indicesLeft(s: HeapState): number {
  return s.maxObjects - s.live - s.retired;
}

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
  return s.freeHead !== 0 || s.top <= s.maxObjects || s.spentHead !== 0;
}

/**
 * Takes an index: the head of the free queue once spent heads are set aside (while the heap may
 * grow), else a never-used index; at `maxObjects`, the queue's head whatever its generation, and
 * then the spent stack's.
 */
export function takeIndex(s: HeapState): number {
  const next = s.next;
  const mayGrow = s.top <= s.maxObjects;
  const head = mayGrow ? setAsideSpent(s) : s.freeHead;
  if (head !== 0) {
    s.freeHead = next[head]!;
    if (s.freeHead === 0) s.freeTail = 0;
    return head;
  }
  s.freeHead = s.freeTail = 0;
  if (mayGrow) {
    const i = s.top;
    growToIndex(s, i);
    s.top = i + 1;
    return i;
  }
  const spent = s.spentHead;
  s.spentHead = next[spent]!;
  return spent;
}

/**
 * Moves the spent indices at the queue's front to the spent stack (while the heap may still grow,
 * none of them is reused); returns the queue's new head, 0 when it ran dry, and then leaves
 * `freeTail` to the caller, which clears it. `takeIndex` calls it, and so does a wave
 * (gc/allocate.ts, `allocWave`), which walks the queue in locals and comes here only when its
 * head is spent.
 */
export function setAsideSpent(s: HeapState): number {
  const generation = s.generation;
  const next = s.next;
  const small = s.codec.smallGenerations;
  let head = s.freeHead;
  while (head !== 0 && generation[head]! >= small) {
    const following = next[head]!;
    next[head] = s.spentHead;
    s.spentHead = head;
    head = following;
  }
  s.freeHead = head;
  return head;
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
