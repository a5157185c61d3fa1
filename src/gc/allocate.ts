/**
 * Allocation: object indices from the free queues, slot blocks from the pool, and the header
 * writes that make a new object (young, in the nursery, colored with the current mark value).
 * Allocation never collects; the facade validates arguments and calls `roomFor` first, so a call
 * that cannot succeed changes nothing.
 * The order indices are reused in is core/free-list.ts's.
 */
import { HeapFullError } from '../core/errors.ts';
import {
  allocBlock,
  allocBlockInWave,
  blockCapacity,
  blockClass,
  blocksAvailable,
  canAllocBlock,
  carveRun,
  freeBlock,
  hasBlockRoom,
  shrinkBlock,
  takeBlockAtHand,
  topBlockAtHand,
} from '../core/slots.ts';
import { canTakeIndex, indicesLeft, setAsideSpent, takeIndex } from '../core/free-list.ts';
import { EPHEMERON, type HeapState, indexClass, NO_COLOR, NOT_STRONG, SWEEP, YOUNG } from '../core/state.ts';
import { shadeWaveTargets, writeSlot } from './barrier.ts';
import { addYoung, releaseRememberedSlot } from './cards.ts';
import { finishCycle } from './collector.ts';
import { pushScoped } from './roots.ts';
import { blocksSweepWouldFree, indicesSweepWouldFree } from './sweep.ts';
import { listWeak } from './weak.ts';
import { destroyedCount } from './destroy.ts';
import { packHandle, plural } from '../core/handle.ts';

/**
 * When the heap is full while a sweep is pending, the objects it has yet to free already read
 * as dead and still hold their indices and slots: allocation finishes the sweep first, so the
 * room `stats()` shows is room it can use. It frees only what marking found dead; it decides
 * nothing new, so "alloc never collects" still holds. Not inside a finalizer or `noGc` (alloc runs
 * no user code), and only when the sweep would make all the room needed, `indices` more indices
 * and `blocks` more blocks of `slotCount` slots (the counts only read), so a call that then fails
 * changed nothing.
 */
function finishSweepForRoom(s: HeapState, indices: number, slotCount: number, blocks: number): void {
  if (s.phase !== SWEEP || s.doomed === 0 || s.noGcDepth > 0) return;
  if (indices > 0 && indicesSweepWouldFree(s, indices) < indices) return;
  if (blocks > 0 && blocksSweepWouldFree(s, blockClass(slotCount), blocks) < blocks) return;
  finishCycle(s);
}

/** The heap-full message: what holds the indices, and what would free some. */
function heapFull(s: HeapState): string {
  const destroyed = destroyedCount(s);
  const live = s.live - s.doomed - destroyed;
  return `heap full: maxObjects ${s.maxObjects} reached (${live} live, ${s.retired} retired` +
    (destroyed === 0 ? ')' : `, ${destroyed} destroyed awaiting a collection, which reclaims their indices)`);
}

/**
 * Why an object (`index` true) or a slot block of `slotCount` slots cannot be had, or '' when it
 * can. May finish a pending sweep to make the room (see above).
 */
export function roomFor(s: HeapState, index: boolean, slotCount: number): string {
  // Read-only until the index is known to be at hand: merging small blocks for a call that then
  // throws for want of an index would change the heap.
  const needIndex = index && !canTakeIndex(s);
  const needBlock = !hasBlockRoom(s, slotCount);
  if (needIndex || needBlock) finishSweepForRoom(s, needIndex ? 1 : 0, slotCount, needBlock ? 1 : 0);
  if (index && !canTakeIndex(s)) return heapFull(s);
  if (!canAllocBlock(s, slotCount)) {
    return `slot pool full: ${plural(slotCount, 'slot')} do not fit in maxSlots ${s.maxSlots}`;
  }
  return '';
}

/**
 * Why a wave of `count` objects of `slotCount` slots cannot be had, or '' when it can: the same
 * as `roomFor`, for the whole wave at once, so a wave that does not fit allocates nothing.
 */
export function roomForMany(s: HeapState, count: number, slotCount: number): string {
  if (count === 0) return '';
  // Objects a pending sweep has yet to free still hold indices and blocks: finish it if that makes
  // the whole wave's room.
  const blocks = slotCount === 0 ? count : blocksAvailable(s, slotCount, count);
  const indicesBefore = indicesLeft(s);
  if (indicesBefore < count || blocks < count) {
    finishSweepForRoom(s, Math.max(0, count - indicesBefore), slotCount, count - blocks);
  }
  const indices = indicesLeft(s);
  if (indices < count) {
    // Dead objects a pending sweep has yet to free are not live in stats(): their room is named.
    // (`sweepCursor` is 0 but from the atomic step to the sweep's end, when the white below it are dead.)
    const pending = indicesSweepWouldFree(s, s.maxObjects);
    const wave = `heap full: a wave of ${plural(count, 'object')} does not fit in maxObjects ${s.maxObjects}`;
    if (indices + pending < count) {
      return `${wave} (room for ${indices + pending}${
        pending === 0 ? '' : `, ${pending} of it held by dead objects the pending sweep has yet to free`
      })`;
    }
    // The dead objects' indices would make the wave's room, yet the sweep was not finished for it:
    // in the sweep, with collection allowed, only because the slot pool would still be short.
    if (s.phase === SWEEP && s.noGcDepth === 0) return waveBlocksDoNotFit(s, count, slotCount);
    return `${wave} now (room for ${indices}; ${pending} more held by dead objects the running cycle ${
      s.noGcDepth > 0
        ? 'may not free here, inside noGc(), a hook or a finalizer'
        : 'frees when it sweeps, after clearing weak references'
    })`;
  }
  // The last count merges the small blocks if the wave needs them and then fits (read-only until
  // here, and read-only when it does not fit, so a wave that throws changes nothing).
  if (slotCount > 0 && blocksAvailable(s, slotCount, count, true) < count) {
    return waveBlocksDoNotFit(s, count, slotCount);
  }
  return '';
}

/** The slot-pool-full message for a wave of `count` blocks of `slotCount` slots. */
export function waveBlocksDoNotFit(s: HeapState, count: number, slotCount: number): string {
  return `slot pool full: ${plural(count, 'block')} of ${
    plural(slotCount, 'slot')
  } do not fit in maxSlots ${s.maxSlots}`;
}

/**
 * The commonest `alloc`, or 0 when the call is not it (nothing changed then; `allocObject` follows):
 * a strong object of a generational heap, outside any scope, whose index is its class's queue's head
 * and not spent (so `takeIndex` would take it) and whose block `takeBlockAtHand` finds. The same
 * index, block and header as `allocObject`, in one function that reads the state once per field:
 * through `canTakeIndex`, `canAllocBlock`, `takeIndex`, `allocBlock` and `addYoung`, an `alloc(2)`
 * took 31.5 ns in Bun and 38.0 in Node on the bench machine, against 18.7 and 28.1 so
 * (docs/decisions.md; bench/binary-trees.bench.ts builds its trees from them).
 */
export function allocCommon(s: HeapState, slotCount: number): number {
  const queue = indexClass(slotCount);
  const { freeHeads, freeTails } = s;
  const head = freeHeads[queue]!;
  if (head === 0 || s.scopeDepth !== 0 || !s.generational) return 0;
  if (s.generation[head]! >= s.codec.smallGenerations) return 0;
  let start = 0;
  if (slotCount !== 0) {
    // The carve at the top first, the block `takeBlockAtHand` gives when it carves (no block of the
    // class listed); `takeBlockAtHand`, now small, is inlined here by JavaScriptCore.
    start = topBlockAtHand(s, slotCount);
    if (start === 0) start = takeBlockAtHand(s, slotCount);
    if (start === 0) return 0;
  }
  const next = s.next;
  const following = next[head]!;
  freeHeads[queue] = following;
  if (following === 0) freeTails[queue] = 0;
  s.base[head] = start;
  s.size[head] = slotCount;
  // `addYoung`, and the rest of `allocObject` for a strong object.
  s.flags[head] = YOUNG;
  next[head] = s.nurseryHead;
  s.nurseryHead = head;
  s.young++;
  s.color[head] = s.markValue;
  s.live++;
  s.marked++;
  s.allocations++;
  s.slotsUsed += slotCount;
  return head;
}

/** Makes a new object of `slotCount` NULL slots and kind flags `kindFlags`; `roomFor` said yes. */
export function allocObject(s: HeapState, slotCount: number, kindFlags: number): number {
  const i = takeIndex(s, indexClass(slotCount));
  s.base[i] = allocBlock(s, slotCount);
  s.size[i] = slotCount;
  if (s.generational) {
    addYoung(s, i);
  } else {
    s.next[i] = 0;
    s.flags[i] = 0;
  }
  if (kindFlags !== 0) {
    s.flags[i] = s.flags[i]! | kindFlags;
    listWeak(s, i);
    if ((kindFlags & EPHEMERON) !== 0) s.ephemeronsMade = true;
  }
  // Allocated with the current mark value: black during a cycle, white once the next one flips.
  s.color[i] = s.markValue;
  s.live++;
  s.marked++;
  s.allocations++;
  s.slotsUsed += slotCount;
  if (s.scopeDepth > 0) pushScoped(s, i);
  return i;
}

/**
 * The position of the first of `targets`' first `length` entries that is neither NULL (0) nor a
 * handle of an object whose color has a bit of `mask`, or -1 when all are. `allocMany`'s check of a
 * wave's targets, over a `Float64Array` (which reads the same twice, so the wave reads it again to
 * store it): the header columns held in locals, no handle taken apart into an object. A double
 * that is no integer, or no handle, fails the generation test (`ref - i` is `generation * scale`
 * only for an integer handle of this heap: for `ref >= 0` the subtraction is exact, `i` being at
 * most `ref`, and a negative `ref` leaves a negative difference), as NaN fails `i !== 0`. Written
 * as `i + generation * scale === ref`, the same test took 5.3 ns a target in Deno and 3.2 in Bun,
 * against 3.1-3.3 and 2.3 so (Node 3.1 either way).
 */
export function firstNotLive(s: HeapState, targets: Float64Array, length: number, mask: number): number {
  const { color, generation } = s;
  const top = s.top;
  const indexMask = s.codec.indexMask;
  const indexScale = s.codec.indexScale;
  for (let at = 0; at < length; at++) {
    const ref = targets[at]!;
    if (ref === 0) continue;
    const i = ref & indexMask;
    if (i === 0 || i >= top || (color[i]! & mask) === 0 || ref - i !== generation[i]! * indexScale) return at;
  }
  return -1;
}

/**
 * A wave of `count` objects of `slotCount` slots and kind flags `kindFlags` (`roomForMany` said
 * yes): their indices written to `handles` as handles, their slots loaded from `from` (object `j`'s
 * slot `k` from `from[j * slotCount + k]`, an index once masked with `indexMask`, 0 for NULL) when
 * given. Every target is live (the caller checked them, and allocation frees nothing live).
 * A store into a new object needs no generational barrier: the owner is young and stays young (a
 * new object is on no promotion list), so no old object gains a young edge (invariant 5).
 * (`afterStore` dirties a young owner's card during TENURE only because it cannot tell a new object
 * from one being promoted.) While a cycle marks (PROMOTE, MARK) the new objects are black, so a
 * strong wave's white targets are shaded first, all at once (`shadeWaveTargets`), and no black
 * object refers to a white one (invariant 6); between cycles nothing is black to keep from white
 * ones. Weak and ephemeron slots need no barrier (they are no strong edges). So the wave is made in
 * two passes: indices and blocks first (either may grow a column), then the header columns read
 * once and written with the slots, the counters added once. In a scope it takes `allocObject` and
 * `writeSlot`, an object at a time (each new object joins the scope). (Until session 34 a wave
 * made while a cycle marked took that path too: 65-71 ns an object in the game suite's frames that
 * marked, against 45 between cycles, Bun; docs/decisions.md.)
 */
export function allocWave(
  s: HeapState,
  count: number,
  slotCount: number,
  kindFlags: number,
  from: Float64Array | undefined,
  indexMask: number,
  handles: Float64Array,
): void {
  const codec = s.codec;
  if (s.scopeDepth > 0) {
    for (let j = 0; j < count; j++) {
      const i = allocObject(s, slotCount, kindFlags);
      if (from !== undefined) {
        for (let k = 0, at = j * slotCount; k < slotCount; k++, at++) {
          const target = from[at]!;
          if (target !== 0) writeSlot(s, i, k, target & indexMask);
        }
      }
      handles[j] = packHandle(codec, i, s.generation[i]!);
    }
    return;
  }
  // While a cycle marks, the wave's new objects are black: its white targets are shaded first
  // (the barrier's part for a store into a black owner), then stored as between cycles.
  if (s.barrierWhite !== NO_COLOR && from !== undefined && (kindFlags & NOT_STRONG) === 0) {
    shadeWaveTargets(s, from, count * slotCount, indexMask);
  }
  // The commonest wave first, in one pass; what it leaves (from object `first` on) takes two.
  const first = kindFlags === 0 && s.generational ? carveWave(s, count, slotCount, from, indexMask, handles) : 0;
  if (first !== 0) {
    const queue = indexClass(slotCount);
    s.freeHeads[queue] = carvedHead;
    if (carvedHead === 0) s.freeTails[queue] = 0;
  }
  if (first === count) return;
  // First pass: indices and blocks. The class's queue is walked in locals, taking what `takeIndex`
  // takes (the same indices in the same order; a spent head goes through `setAsideSpent`), until it
  // runs dry; the rest come from `takeIndex`, which may grow the header columns. (`takeIndex` an
  // object reads and writes the queue's ends on the state object each time: this pass took 8.3 ns
  // an object in Bun that way, 5.0 so; Node 7.4 and 6.9, Deno 8.6 and 7.5, waves of 10^4.)
  const queueNext = s.next;
  const queueGeneration = s.generation;
  const queueBase = s.base;
  const small = codec.smallGenerations;
  const mayGrow = s.top <= s.maxObjects; // taking queued indices leaves `top` alone
  const queue = indexClass(slotCount);
  const { freeHeads, freeTails } = s;
  let head = freeHeads[queue]!;
  // Non-zero once the wave's blocks come from a run carved at the top: the next block's start.
  let carved = 0;
  let j = first;
  for (; j < count; j++) {
    if (head !== 0 && mayGrow && queueGeneration[head]! >= small) {
      freeHeads[queue] = head;
      head = setAsideSpent(s, queue);
    }
    if (head === 0) break;
    const i = head;
    head = queueNext[i]!;
    carved = placeBlock(s, queueBase, i, slotCount, carved, count - j - 1, j === first);
    handles[j] = i;
  }
  freeHeads[queue] = head;
  if (head === 0) freeTails[queue] = 0;
  for (; j < count; j++) {
    const i = takeIndex(s, queue);
    carved = placeBlock(s, s.base, i, slotCount, carved, count - j - 1, j === first);
    handles[j] = i;
  }
  const { slots, base, size, flags, next, color, generation } = s;
  const generational = s.generational;
  const markValue = s.markValue;
  let nurseryHead = s.nurseryHead;
  for (j = first; j < count; j++) {
    const i = handles[j]! | 0; // an integer index again (read as a double it would slow every column access)
    size[i] = slotCount;
    // A young object joins the nursery (`addYoung`); with generations off it is old at once.
    flags[i] = (generational ? YOUNG : 0) | kindFlags;
    next[i] = generational ? nurseryHead : 0;
    if (generational) nurseryHead = i;
    // A weak or ephemeron object is listed, young or old as just flagged (the lists are no header
    // columns: this grows none of the locals).
    if (kindFlags !== 0) listWeak(s, i);
    // Allocated with the current mark value, as `allocObject` does.
    color[i] = markValue;
    if (from !== undefined) {
      for (let k = 0, at = j * slotCount, slot = base[i]!; k < slotCount; k++, at++, slot++) {
        slots[slot] = from[at]! & indexMask;
      }
    }
    handles[j] = packHandle(codec, i, generation[i]!);
  }
  s.nurseryHead = nurseryHead;
  if (count > 0 && (kindFlags & EPHEMERON) !== 0) s.ephemeronsMade = true;
  countNew(s, generational ? count - first : 0, count - first, slotCount);
}

/** Adds `made` new objects of `slotCount` slots, `young` of them young, to the heap's counters. */
function countNew(s: HeapState, young: number, made: number, slotCount: number): void {
  s.young += young;
  s.live += made;
  s.marked += made;
  s.allocations += made;
  s.slotsUsed += made * slotCount;
}

/**
 * The commonest wave, a strong one of a generational heap, made in one pass over its objects from
 * the first: each index its class's queue's head, not spent (what `takeIndex` would take), and the
 * blocks one run carved at the pool's top, which is aligned for them, with no block of their
 * class or larger listed, none waiting to be merged and room for all of them without growth (the
 * blocks `allocBlock` would carve one by one: a churning wave's minor gives its blocks back to the
 * top, so the next wave finds them there). Returns how many objects it made, stopping at a spent
 * index or an empty queue (the two passes make the rest), or 0 when the blocks are not that run.
 * No column can grow on the way, so one pass writes each header once, with no index kept between
 * passes. (Against the two passes on the churn suite's round, waves of 10^4: see docs/decisions.md.)
 */
function carveWave(
  s: HeapState,
  count: number,
  slotCount: number,
  from: Float64Array | undefined,
  indexMask: number,
  handles: Float64Array,
): number {
  const blockSize = blockCapacity(slotCount);
  let top = s.slotTop;
  if (blockSize !== 0) {
    const cls = blockClass(slotCount);
    if (s.freeClasses >>> cls !== 0 || s.lazyFrees !== 0 || ((top - 1) & (blockSize - 1)) !== 0) return 0;
    if (top + count * blockSize > s.slots.length) return 0;
  }
  const { slots, base, size, flags, next, color, generation } = s;
  const codec = s.codec;
  const small = codec.smallGenerations;
  const indexScale = codec.indexScale;
  // While the heap may grow, a spent index is set aside, not taken (core/free-list.ts).
  const spentStops = s.top <= s.maxObjects;
  const markValue = s.markValue;
  let head = s.freeHeads[indexClass(slotCount)]!;
  let nurseryHead = s.nurseryHead;
  let j = 0;
  for (; j < count; j++) {
    const i = head;
    if (i === 0) break;
    const g = generation[i]!;
    if (g >= small && spentStops) break;
    head = next[i]!;
    base[i] = blockSize === 0 ? 0 : top;
    size[i] = slotCount;
    flags[i] = YOUNG;
    next[i] = nurseryHead;
    nurseryHead = i;
    color[i] = markValue;
    // Every slot of the block written, a padding slot too, as `commit` writes a carved block. The
    // 2-slot wave (the churn suite's, a pair of targets each; its block is a pair, no padding)
    // written without the loops, and the handle written as the double it is, `i + g * indexScale`
    // (`packHandle`'s value for every generation, as `indexScale` is 2^indexBits): with the loops
    // and `packHandle`'s two forms, a wave of 10^3 and its minor took 28.2 ns an object in Node,
    // 16.7 in Bun, 27.5 in Deno; 26.4, 15.1 and 21.7 so (docs/decisions.md). Either change alone
    // gained little.
    if (from !== undefined && slotCount === 2) {
      const at = 2 * j;
      slots[top] = from[at]! & indexMask;
      slots[top + 1] = from[at + 1]! & indexMask;
    } else {
      let k = 0;
      if (from !== undefined) {
        for (let at = j * slotCount; k < slotCount; k++, at++) slots[top + k] = from[at]! & indexMask;
      }
      for (; k < blockSize; k++) slots[top + k] = 0;
    }
    top += blockSize;
    handles[j] = i + g * indexScale;
  }
  carvedHead = head;
  s.slotTop = top;
  s.nurseryHead = nurseryHead;
  countNew(s, j, j, slotCount);
  return j;
}

/**
 * The queue's head `carveWave` left, which its caller stores (0 when the queue ran dry). Kept in the
 * module, not stored into the queue by `carveWave` after its loop: a wave's first long loop is
 * compiled while it runs (on-stack replacement), before the code after the loop has run, and V8
 * threw that code away at such a store into the queue's array at the end of every wave (the churn
 * suite's round without `Heap.warmUp()`, Node: 27-43 ns an object against 24-27); a store of a
 * module variable needs no type feedback. (Stored in the loop instead, the head cost 1-1.5 ns an
 * object.)
 */
let carvedHead = 0;

/**
 * Gives wave object `i` its block (`base` is the header column): the next of the run carved at the
 * top when `carved` is its start, else one from `allocBlock` (the wave's first object to come here:
 * a merge under way takes one slice a wave) or `allocBlockInWave` (the rest, which take none). When
 * that block was carved at the old top, with no gap below and no merge first (a merge zeroes
 * `lazyFrees` and may lower the top), the `left` objects after it would be carved one by one after
 * it (core/slots.ts, `carveRun`), so they are carved at once, the same blocks in the same order.
 * Returns the next carved block's start, or 0 while none is carved.
 */
function placeBlock(
  s: HeapState,
  base: Uint32Array,
  i: number,
  slotCount: number,
  carved: number,
  left: number,
  firstOfWave: boolean,
): number {
  if (carved !== 0) {
    base[i] = carved;
    return carved + blockCapacity(slotCount);
  }
  const top = s.slotTop;
  const lazyFrees = s.lazyFrees;
  const start = firstOfWave ? allocBlock(s, slotCount) : allocBlockInWave(s, slotCount);
  base[i] = start;
  if (slotCount > 0 && start === top && s.lazyFrees === lazyFrees) return carveRun(s, slotCount, left);
  return 0;
}

/**
 * Gives live object `i` `slotCount` slots, keeping the first min(old, new); new slots start NULL.
 * Throws `HeapFullError` (changing nothing) when a bigger block cannot be had. An object
 * remembered by a slot is remembered whole once its block moves or shrinks (gc/cards.ts).
 */
export function resizeObject(s: HeapState, i: number, slotCount: number): void {
  const old = s.size[i]!;
  if (slotCount === old) return;
  const oldBase = s.base[i]!;
  if (blockCapacity(slotCount) === blockCapacity(old)) {
    // Same block: slots past the old count may hold stale edges from before; clear them.
    if (slotCount > old) s.slots.fill(0, oldBase + old, oldBase + slotCount);
    // A remembered slot that goes must not stay named (its position keeps the stale edge).
    else releaseRememberedSlot(s, i);
  } else if (slotCount < old && slotCount > 0) {
    releaseRememberedSlot(s, i);
    shrinkBlock(s, oldBase, old, slotCount);
  } else {
    const why = roomFor(s, false, slotCount);
    if (why !== '') throw new HeapFullError(why);
    releaseRememberedSlot(s, i);
    const newBase = allocBlock(s, slotCount);
    s.slots.copyWithin(newBase, oldBase, oldBase + Math.min(old, slotCount));
    freeBlock(s, oldBase, old);
    s.base[i] = newBase;
  }
  s.size[i] = slotCount;
  s.slotsUsed += slotCount - old;
}
