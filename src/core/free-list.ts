/**
 * The free indices: one queue per index class (`freeHeads[c]` .. `freeTails[c]`, linked through
 * `next`). Indices come in pages of `INDEX_PAGE`, each carved at `top` for the class of the object
 * that needed it (`indexClass`, its slot count's block class plus one), its indices queued in
 * order; a freed index joins the queue of its page's class. So objects of one shape take indices
 * near each other whatever order a program makes them in (a splay tree's nodes, each made after
 * its payload, sit together instead of a payload apart), and reuse keeps them there.
 *
 * Indices minors free join a queue's tail and allocation takes from the head, so the indices
 * short-lived objects churn through are reused in turn and generations grow evenly over all of
 * them instead of piling up on a few hot indices.
 *
 * A handle stays a small integer (a V8 Smi, never boxed) while `index + generation * 2^indexBits`
 * is below 2^30, that is while the generation is below `codec.smallGenerations` (core/handle.ts).
 * An index whose next handle would pass that is spent: when it reaches the head of its queue while
 * the heap may still grow, it is set aside on the spent stack (`spentHead`) and the next one taken,
 * or a new page carved. So every index gives its `smallGenerations` handles and no more, a steady
 * game loop keeps its handles small, and the loop's indices stay few: a churn of K objects a round
 * spreads over K new indices every `smallGenerations` rounds, no faster. (Spent indices left in the
 * queue instead came back to its head every round, each time taking a new index: a churn of 10^4
 * a round had spread over 1.4M indices after 10^8 allocations, against the 0.39M it needs.) Only
 * a heap at `maxObjects` takes indices of other classes' pages (the queues in class order, its own
 * first) and spent indices, the queues' first, then the stack's; their handles are then exact
 * doubles, never wrong. The order depends only on the program: the same program makes the same
 * handles in every run and runtime.
 */
import { grownCapacity } from './columns.ts';
import {
  growHeaders,
  type HeapState,
  INDEX_PAGE,
  INDEX_PAGE_BITS,
  INDEX_QUEUES,
  MIXED_CLASS,
  touchIndices,
} from './state.ts';

/**
 * Indices neither live nor retired: what allocation may still take before `maxObjects` (free ones,
 * spent ones, and those never used). A retired index is never reused, so it counts as taken.
 */
export function indicesLeft(s: HeapState): number {
  return s.maxObjects - s.live - s.retired;
}

/** Appends a freed index to the queue of its page's class. */
export function pushFree(s: HeapState, index: number): void {
  const queue = s.pageClass[index >>> INDEX_PAGE_BITS]!;
  const tail = s.freeTails[queue]!;
  s.next[index] = 0;
  if (tail === 0) s.freeHeads[queue] = index;
  else s.next[tail] = index;
  s.freeTails[queue] = index;
}

/**
 * Puts a freed index at the front of its page's queue: the major sweep, which walks indices
 * downward, so after a full collection the indices it freed are reused in ascending order
 * (compact and cache-friendly) before older free ones. Minors append at the tail instead: the
 * indices young objects churn through are the hot ones, and they must rotate.
 */
export function pushFreeFront(s: HeapState, index: number): void {
  const queue = s.pageClass[index >>> INDEX_PAGE_BITS]!;
  s.next[index] = s.freeHeads[queue]!;
  s.freeHeads[queue] = index;
  if (s.freeTails[queue] === 0) s.freeTails[queue] = index;
}

/**
 * Whether an index is at hand without passing `maxObjects`: every index is live, retired, queued,
 * spent or never used (invariant 1), so one is at hand while some are neither live nor retired.
 */
export function canTakeIndex(s: HeapState): boolean {
  return indicesLeft(s) > 0;
}

/** Takes the head of queue `queue`, which is not empty. */
function popFree(s: HeapState, queue: number): number {
  const head = s.freeHeads[queue]!;
  const following = s.next[head]!;
  s.freeHeads[queue] = following;
  if (following === 0) s.freeTails[queue] = 0;
  return head;
}

/**
 * Takes an index for an object of class `cls` (`indexClass`): while the heap may grow, the head of
 * its queue once spent heads are set aside, else of the mixed queue a restored older snapshot may
 * have left, else the first of a page carved for the class; at `maxObjects`, the head of its
 * queue whatever its generation, then of the other queues in class order, then the spent stack's.
 */
export function takeIndex(s: HeapState, cls: number): number {
  // A second turn only after a restored older heap's last page, whose rest goes to the mixed queue.
  while (s.top <= s.maxObjects) {
    if (setAsideSpent(s, cls) !== 0) return popFree(s, cls);
    if (setAsideSpent(s, MIXED_CLASS) !== 0) return popFree(s, MIXED_CLASS);
    carvePages(s, cls);
  }
  const heads = s.freeHeads;
  if (heads[cls] !== 0) return popFree(s, cls);
  for (let queue = 0; queue < INDEX_QUEUES; queue++) if (heads[queue] !== 0) return popFree(s, queue);
  const spent = s.spentHead;
  s.spentHead = s.next[spent]!;
  return spent;
}

/** The most pages carved at once for one class (`pagesPerCarve`): 4,096 indices. */
const MAX_CARVE_PAGES = 16;

/**
 * How many pages a carve at page `page` (`top`'s, a page start) may span: pages come in aligned
 * runs of this many (the carve takes the rest of the run `top` is in), so a class's pages lie
 * together in runs and a component column's elements for them fill whole 4 KB memory pages, which
 * is what its memory counts by (core/component-store.ts, `numericColumnBytes`): a page of 256
 * indices holds 256 bytes of a `u8` column, 2 KB of an `f64` one, so alone between other classes'
 * pages it backs a memory page it fills a sixteenth or a half of. A power of two, at most
 * `MAX_CARVE_PAGES`, and at most a sixteenth of the pages below: each class in use leaves at most a
 * run's worth of indices never used, so a small heap carves a page at a time as before and a large
 * one wastes at most 4,095 indices a class.
 */
function pagesPerCarve(page: number): number {
  const sixteenth = page >>> 4;
  return sixteenth === 0 ? 1 : Math.min(MAX_CARVE_PAGES, 1 << (31 - Math.clz32(sixteenth)));
}

/**
 * Carves the pages from the one holding `top` to the end of its run (`pagesPerCarve`; to
 * `maxObjects`, or to the last whole page the columns hold when that is past `top`'s page, if
 * either comes first) and queues their indices in order: for class `cls` when `top` is a page's
 * start (index 1 on page 0); else only that page, for the class it already has, mixed (the rest of
 * a page a restored older heap began: `top` lies inside a page of no other class, invariant 1).
 * `takeIndex` carves only when both queues are empty, so the pages' indices are its queue. Grows
 * the header columns as needed.
 */
function carvePages(s: HeapState, cls: number): void {
  const from = s.top;
  const page = from >>> INDEX_PAGE_BITS;
  const run = (from & (INDEX_PAGE - 1)) !== 0 ? 1 : pagesPerCarve(page);
  const pageEnd = Math.min((page + 1) * INDEX_PAGE, s.maxObjects + 1);
  const runEnd = Math.min((page + run - (page & (run - 1))) * INDEX_PAGE, s.maxObjects + 1);
  // The run's pages past the first only where the columns reach already: a run never grows them, so
  // a heap sized by `initialCapacity` or `reserve` with a page a shape to spare grows no sooner.
  const to = Math.max(pageEnd, Math.min(runEnd, s.columnLength & ~(INDEX_PAGE - 1)));
  growToIndex(s, to - 1);
  if ((from & (INDEX_PAGE - 1)) === 0 || from === 1) s.pageClass.fill(cls, page, ((to - 1) >>> INDEX_PAGE_BITS) + 1);
  const queue = s.pageClass[page]!;
  const next = s.next;
  // Indices at and above `top` are blank (invariant 1): the last one's link is 0 already.
  for (let i = from; i < to - 1; i++) next[i] = i + 1;
  s.freeHeads[queue] = from;
  s.freeTails[queue] = to - 1;
  s.top = to;
}

/**
 * Moves the spent indices at the front of queue `queue` to the spent stack (while the heap may
 * still grow, none of them is reused); returns the queue's new head, 0 when it ran dry (its tail
 * then cleared too). `takeIndex` calls it, and so does a wave (gc/allocate.ts, `allocWave`), which
 * walks a queue in locals and comes here only when its head is spent.
 */
export function setAsideSpent(s: HeapState, queue: number): number {
  const generation = s.generation;
  const next = s.next;
  const small = s.codec.smallGenerations;
  let head = s.freeHeads[queue]!;
  while (head !== 0 && generation[head]! >= small) {
    const following = next[head]!;
    next[head] = s.spentHead;
    s.spentHead = head;
    head = following;
  }
  s.freeHeads[queue] = head;
  if (head === 0) s.freeTails[queue] = 0;
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
