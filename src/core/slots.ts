/**
 * The edge pool: one `Uint32Array` holding every object's reference slots, run as a buddy
 * allocator with immediate coalescing. An object with n > 0 slots owns a block of
 * `blockCapacity(n)` = 2^c slots (c its class) starting at `base`; objects never move, only their
 * blocks do (on resize). Slot 0 is never part of a block: offsets are counted from slot 1, and a
 * block of class c starts at an offset that is a multiple of 2^c, so its buddy (the other half of
 * the block of class c + 1 it was split from) is the block at offset `offset ^ 2^c`.
 *
 * Freeing a block of class 2 or more merges it with its buddy while the buddy is a free block of
 * the same class, so free space never stays split into pieces that could be whole again: a steady
 * workload reuses its blocks whatever sizes it frees and asks for. Blocks of one or two slots
 * (the most common objects, freed by the thousand in every sweep and taken again by the next
 * frame's spawns) are listed as they are, unmerged (`lazyFrees` counts them), and merged all at
 * once (`coalesceSmallBlocks`) only when the pool would otherwise grow or refuse a block: merging
 * each at once and splitting it again at the next allocation cost a quarter of binary-trees' time
 * and most of a young level's minors (docs/decisions.md, "Lazy merging of small blocks"). A free
 * block that ends at `slotTop` goes back to the top (`slotTop` goes down and the slots there are
 * zeroed), so no free block ends at the top. Allocation takes a free block of the class, else the
 * smallest larger one (split buddy-style), else carves from the top. Each call costs
 * O(log maxSlots), with no scans, except a merge of the small blocks, which costs O(free small
 * blocks) and runs only after frees that number at least a quarter of them (amortized O(1) a
 * free); all of it is deterministic.
 *
 * Free blocks are recognised by their words. Every slot of a live object holds an object index,
 * below 2^24 (indexBits is at most 24), and so does every other word of the pool below `slotTop`
 * (old edges left in a block's unused part or in a free block's interior), except these words of
 * free blocks, which are 2^24 or more:
 *
 *   class 0 (1 slot)     word 0: FREE_SINGLE + its position in `freeSingles`
 *   class 1 (2 slots)    word 0: FREE_PAIR + its position in `freePairs`; word 1: FREE_LINKED + 1
 *   class c >= 2         word 0: FREE_LINKED + link(next); word 1: FREE_LINKED + link(previous);
 *                        its last word: FREE_LINKED + c
 *
 * Blocks of one or two slots have no room for two links and a class, so those classes keep dense
 * lists (each block knows its position, so it leaves the list in O(1)); larger classes are doubly
 * linked through their blocks, with link(b) = (b + 1) / 2 for a block start b (odd: its offset is
 * even) and 0 for none, below 2^31 for any pool below 2^32 slots. The last word of every free
 * block says its class (class 0's only word does too), so the free block that ends where another
 * block starts is found in O(1), and a buddy's first and last words tell whether it is one free
 * block of the class. The pool above `slotTop` is zero. `verify()` checks all of it (gc/verify.ts,
 * invariant 3), and that free buddies left unmerged are blocks of one or two slots, no more pairs
 * of them than `lazyFrees`.
 */
import { grownCapacity, growU32, withRoom } from './columns.ts';
import type { HeapState } from './state.ts';

/** Words below this are object indices; free blocks' marker words are at least this. */
export const FREE_SINGLE = 0x0100_0000;
/** The first word of a free block of class 1 is at least this (and below FREE_LINKED). */
export const FREE_PAIR = 0x4000_0000;
/** Links and last words of free blocks of class 2 and more, and the last word of class 1, are at least this. */
export const FREE_LINKED = 0x8000_0000;
/**
 * The largest class: blocks merge up to 2^30 slots (an object has at most 2^30), so sizes and
 * masks stay small integers and bit operations on offsets are exact, even for offsets past 2^31
 * (an offset's low 31 bits survive the 32-bit conversion).
 */
export const MAX_CLASS = 30;

export function blockClass(slotCount: number): number {
  return 32 - Math.clz32(slotCount - 1);
}

export function blockCapacity(slotCount: number): number {
  return slotCount === 0 ? 0 : 1 << blockClass(slotCount);
}

/** The link word naming block `start` (0 for none). */
export function linkOf(start: number): number {
  return start === 0 ? 0 : (start + 1) / 2;
}

/** The block a link word names (0 for none). */
export function startOf(link: number): number {
  return link === 0 ? 0 : link * 2 - 1;
}

/** The start of the buddy of the block of `size` slots at `start` (it may lie at or past `slotTop`). */
export function buddyOf(start: number, size: number): number {
  // `offset ^ size`, without wrapping offsets past 2^31.
  return ((start - 1) & size) === 0 ? start + size : start - size;
}

/** The first start at or above `start` whose offset is a multiple of `size`. */
function alignUp(start: number, size: number): number {
  const misalignment = (start - 1) & (size - 1);
  return misalignment === 0 ? start : start + size - misalignment;
}

/** The largest class a block at `offset` (> 0, below 2^32) may have: its trailing zero bits, at most MAX_CLASS. */
function alignmentClass(offset: number): number {
  return Math.min(MAX_CLASS, 31 - Math.clz32(offset & -offset));
}

/**
 * Whether the block starting at `start` (where a block is known to start, and whose 2^cls slots
 * lie below the top) is one free block of class `cls`. For cls >= 2, a free block of a smaller
 * class there has another block's last word at the end of the region, which names another class
 * or is no marker at all.
 */
export function isFreeOfClass(slots: Uint32Array, start: number, cls: number): boolean {
  const first = slots[start]!;
  if (cls === 0) return first >= FREE_SINGLE && first < FREE_PAIR;
  if (cls === 1) return first >= FREE_PAIR && first < FREE_LINKED;
  return first >= FREE_LINKED && slots[start + (1 << cls) - 1] === FREE_LINKED + cls;
}

/** The class of the free block that ends at `end` (where a block is known to end), or -1 when a live one does. */
export function classEndingAt(slots: Uint32Array, end: number): number {
  const last = slots[end - 1]!;
  if (last < FREE_SINGLE) return -1;
  if (last < FREE_PAIR) return 0;
  return last >= FREE_LINKED ? last - FREE_LINKED : -1;
}

/**
 * Whether a block for `slotCount` slots can be had without passing `maxSlots`, read-only: a free
 * block of the class or a larger one, room at the top, or small free blocks left unmerged that
 * merging would make one of (`canAllocBlock` merges them).
 */
export function hasBlockRoom(s: HeapState, slotCount: number): boolean {
  if (slotCount === 0) return true;
  const cls = blockClass(slotCount);
  return blockAtHand(s, cls) || (s.lazyFrees > 0 && mergeableRegions(s, cls, 1) > 0);
}

/** A free block of class `cls` or a larger one (which would be split), or room at the top. */
function blockAtHand(s: HeapState, cls: number): boolean {
  const size = 1 << cls;
  return s.freeClasses >>> cls !== 0 || alignUp(s.slotTop, size) + size <= s.maxSlots;
}

/**
 * Whether a block for `slotCount` slots can be had without passing `maxSlots`; merges the small
 * blocks left unmerged when that is what makes it (and only then: a call that fails leaves the
 * pool as it was). Callers check everything else a call needs first (an index), so that merging
 * happens only for a call that then succeeds.
 */
export function canAllocBlock(s: HeapState, slotCount: number): boolean {
  if (slotCount === 0) return true;
  const cls = blockClass(slotCount);
  if (blockAtHand(s, cls)) return true;
  if (s.lazyFrees === 0 || mergeableRegions(s, cls, 1) === 0) return false;
  coalesceSmallBlocks(s);
  return true;
}

/**
 * How many blocks of class `cls` merging the small free blocks would make, counted up to `wanted`
 * at most; read-only. Such a block is an aligned region of 2^cls slots that free blocks cover
 * whole and that is not yet one free block, so it holds a small one (blocks of class 2 or more
 * are always merged): each region is found from the first small free block in it.
 */
function mergeableRegions(s: HeapState, cls: number, wanted: number): number {
  const slots = s.slots;
  const size = 1 << cls;
  let found = 0;
  for (let small = 0; small < 2 && found < wanted; small++) {
    const list = smallList(s, small);
    for (let k = smallCount(s, small) - 1; k >= 0 && found < wanted; k--) {
      const block = list[k]!;
      const region = block - ((block - 1) & (size - 1));
      if (region + size > s.slotTop) continue;
      let firstSmall = 0;
      let p = region;
      while (p < region + size) {
        const c = freeClassAt(slots, p, cls);
        if (c < 0) break;
        if (c < 2 && firstSmall === 0) firstSmall = p;
        p += 1 << c;
      }
      // (A small block as large as the region is one free block already, counted by the caller.)
      if (p === region + size && firstSmall === block && size > 1 << small) found++;
    }
  }
  return found;
}

/** The class (below `most`) of the free block starting at `start`, where a block starts, or -1 when none is free there. */
function freeClassAt(slots: Uint32Array, start: number, most: number): number {
  const first = slots[start]!;
  if (first < FREE_SINGLE) return -1;
  if (first < FREE_PAIR) return 0;
  if (first < FREE_LINKED) return 1;
  // A linked block's last word names its class; inside a free block, no other word is a marker.
  for (let c = 2; c < most; c++) if (slots[start + (1 << c) - 1] === FREE_LINKED + c) return c;
  return -1;
}

/**
 * How many blocks for `slotCount` (> 0) slots can be had one after another without passing
 * `maxSlots`, counted up to `wanted` at most: free blocks of the class, larger free blocks split
 * (2^(c - cls) each), then blocks carved from the top (its gap below the first one is too small),
 * then blocks merging the small free blocks would make. With `merge`, merges them when the count
 * needs them and reaches `wanted` (for a wave found to fit); else read-only.
 */
export function blocksAvailable(s: HeapState, slotCount: number, wanted: number, merge = false): number {
  const cls = blockClass(slotCount);
  const size = 1 << cls;
  let found = Math.max(0, Math.floor((s.maxSlots - alignUp(s.slotTop, size)) / size));
  for (let c = cls; c <= MAX_CLASS && found < wanted; c++) {
    if ((s.freeClasses & (1 << c)) === 0) continue;
    const each = 2 ** (c - cls);
    if (c === 0) found += s.freeSingleCount * each;
    else if (c === 1) found += s.freePairCount * each;
    else {
      for (let b = s.freeBlocks[c]!; b !== 0 && found < wanted; b = startOf(s.slots[b]! - FREE_LINKED)) found += each;
    }
  }
  // At the ceiling, small blocks left unmerged may make more.
  if (found < wanted && s.lazyFrees > 0 && cls > 0) {
    const merged = mergeableRegions(s, cls, wanted - found);
    if (merge && found + merged >= wanted) coalesceSmallBlocks(s);
    found += merged;
  }
  return found;
}

/**
 * The block `allocBlock` would give `slotCount` (> 0) slots when it is found without a lookup: the
 * last of the dense list of singles or pairs, else one carved at the top when no free block of the
 * class or larger is listed, no small block waits to be merged, the top is aligned for it (no gap
 * to free below) and the pool needs no growth. Returns 0, changing nothing, otherwise (`allocBlock`
 * then looks). The same block as `allocBlock`, for the commonest `alloc` (gc/allocate.ts,
 * `allocCommon`): no list lookup, merge, split or growth on its way.
 */
export function takeBlockAtHand(s: HeapState, slotCount: number): number {
  const cls = blockClass(slotCount);
  if (cls < 2) {
    const start = popSmall(s, cls);
    if (start !== 0) return start;
  }
  return topBlockAtHand(s, slotCount);
}

/**
 * `takeBlockAtHand`'s block carved at the top, or 0: the block it gives when no free block of the
 * class or larger is listed (`freeClasses` has no bit from the class up), so then the same block.
 * `allocCommon` tries it first: a binary tree's nodes, freed by minors back to the top, are carved
 * there again (gc/sweep.ts `sweepNursery`).
 */
export function topBlockAtHand(s: HeapState, slotCount: number): number {
  const cls = blockClass(slotCount);
  const size = 1 << cls;
  const start = s.slotTop;
  if (s.freeClasses >>> cls !== 0 || s.lazyFrees !== 0 || ((start - 1) & (size - 1)) !== 0) return 0;
  // The slots column's length is at most `maxSlots` (`growPoolTo`), so a block that fits below it fits.
  // `carveTop`'s case with no gap and no growth, written out: calling it cost `alloc(2)` ~5 ns in Bun.
  if (start + size > s.slots.length) return 0;
  s.slotTop = start + size;
  commit(s.slots, start, start + size);
  return start;
}

/** Takes a zeroed block for `slotCount` slots; callers checked `canAllocBlock` first. */
export function allocBlock(s: HeapState, slotCount: number): number {
  if (slotCount === 0) return 0;
  // A merge under way goes on at every call that comes here, so it ends within a few dozen calls
  // (while it runs, `lazyFrees` is not 0, which sends here every allocation that no listed small
  // block serves: `takeBlockAtHand`, and a wave's carving, wait for it).
  if (smallMergePending(s)) mergeSmallSlice(s, MERGE_SLICE);
  return allocBlockInWave(s, slotCount);
}

/**
 * `allocBlock` without the slice of a merge under way: for a wave's objects after its first, so a
 * wave takes one slice, as one allocation does. (A slice an object, a wave of 1,500 ran a whole
 * merge of the game suite's 30,000 small blocks: `allocMany` 1.5-2.4 ms once a cycle, Node.)
 */
export function allocBlockInWave(s: HeapState, slotCount: number): number {
  if (slotCount === 0) return 0;
  const cls = blockClass(slotCount);
  const listed = takeListed(s, cls);
  if (listed !== 0) return listed;
  // Before the pool grows: merge the small blocks left unmerged, when enough have been freed
  // since the last merge to pay for a pass over them (a quarter of the small free blocks), a
  // slice at a time; then look again, and carve only if that made no block.
  if (smallMergeDue(s)) {
    startSmallMerge(s);
    mergeSmallSlice(s, MERGE_SLICE);
    const merged = takeListed(s, cls);
    if (merged !== 0) return merged;
  }
  return carveTop(s, cls);
}

/**
 * A listed free block of class `cls`, zeroed, else the smallest larger one split; 0 when there
 * is none. The commonest blocks, one or two slots, come off the end of their dense list: nothing
 * moves.
 */
function takeListed(s: HeapState, cls: number): number {
  if (cls < 2) {
    const start = popSmall(s, cls);
    if (start !== 0) return start;
  } else {
    const start = s.freeBlocks[cls]!;
    if (start !== 0) {
      removeFree(s, start, cls);
      // A freed block holds its markers and may hold old edges; the new owner's slots start NULL.
      // (A plain loop: most blocks are a few slots, where `fill`'s call costs more than the stores.)
      const slots = s.slots;
      for (let k = start, end = start + (1 << cls); k < end; k++) slots[k] = 0;
      return start;
    }
  }
  const larger = s.freeClasses >>> (cls + 1);
  return larger === 0 ? 0 : splitBlock(s, cls + 1 + 31 - Math.clz32(larger & -larger), cls);
}

/**
 * Blocks a merge visits in one `allocBlock` call. A merge of the game suite's small blocks
 * (30,000-36,000 after a major sweep freed its projectiles' weak objects) took 1-3.6 ms inside
 * the one `alloc` that found no block of its class (Node): a stall in the frame, outside any tick
 * budget. In slices of this many (~0.02-0.1 ms compiled), each allocation that reaches
 * `allocBlock` while the walk runs takes one more slice, then looks for its block again before
 * carving at the top; a wave takes one for all its objects (`allocBlockInWave`).
 */
export const MERGE_SLICE = 1024;

/** Whether enough small blocks were freed unmerged to pay for a merge (a quarter of the small free blocks). */
function smallMergeDue(s: HeapState): boolean {
  return s.lazyFrees > 0 && 4 * s.lazyFrees >= s.freeSingleCount + s.freePairCount;
}

/**
 * The small-block list entries a merge has yet to visit (0: none runs). A list that allocations
 * shortened since the walk began is walked from its new end, so only the entries still listed count.
 */
export function smallMergeLeft(s: HeapState): number {
  return Math.min(s.mergeSinglesLeft, s.freeSingleCount) + Math.min(s.mergePairsLeft, s.freePairCount);
}

/** Whether a merge of the small blocks has entries left to visit. */
export function smallMergePending(s: HeapState): boolean {
  return smallMergeLeft(s) > 0;
}

/**
 * Starts a merge of every small free block: each dense list's entries now are to be visited,
 * from its end. `lazyFrees` restarts at 1 (the walk is on: the small blocks may have free buddies,
 * which every `lazyFrees > 0` test must see) and counts the frees from here on.
 */
function startSmallMerge(s: HeapState): void {
  s.mergeSinglesLeft = s.freeSingleCount;
  s.mergePairsLeft = s.freePairCount;
  s.lazyFrees = s.freeSingleCount + s.freePairCount === 0 ? 0 : 1;
}

/** Frees the block at `start` of an object with `slotCount` slots, merging it with its free buddies. */
export function freeBlock(s: HeapState, start: number, slotCount: number): void {
  if (slotCount === 0) return;
  const cls = blockClass(slotCount);
  const end = start + (1 << cls);
  const slots = s.slots;
  // The common case of sweeps, which free from the top down: a block at the top with a live block
  // below it (whose last word is no marker) has no free buddy (a buddy below would end in that
  // live block; one above lies past the top), so it goes back to the top at once. A short path
  // the compiler inlines into the sweep loops.
  if (end === s.slotTop && slots[start - 1]! < FREE_SINGLE) {
    zero(slots, start, end);
    s.slotTop = start;
    return;
  }
  if (cls >= 2) releaseBlock(s, start, cls);
  else if (end === s.slotTop) returnTail(s, start);
  else {
    // Listed unmerged: the next spawns take it back as it is (see the top of the file).
    pushSmall(s, start, cls);
    s.lazyFrees++;
  }
}

/**
 * Lists the free block of one or two slots at `start` (class `cls`) unmerged, as `freeBlock` does
 * below the top: the nursery sweep's free of a young block that is not at the top, which a minor
 * meets for every young object that dies after a minor of its own (its block, taken from the free
 * lists, lies anywhere in the pool). A pair with room in its list is listed here, the rest by
 * `pushSmall`: this way the sweep inlines it (through `pushSmall` alone it did not, and the
 * generational suite's nursery sweep took 348 us against 320, Node).
 */
export function listSmallFree(s: HeapState, start: number, cls: number): void {
  const pairs = s.freePairs;
  const position = s.freePairCount;
  if (cls === 1 && position < pairs.length) {
    pairs[position] = start;
    const slots = s.slots;
    slots[start] = FREE_PAIR + position;
    slots[start + 1] = FREE_LINKED + 1;
    s.freePairCount = position + 1;
    s.freeClasses = (s.freeClasses | 2) >>> 0;
  } else {
    pushSmall(s, start, cls);
  }
  s.lazyFrees++;
}

/**
 * Merges every free block of one or two slots with its free buddies (and the results with theirs,
 * up the classes), so no two free buddies are left unmerged: a whole walk, at once (where a block
 * is needed now: at the `maxSlots` ceiling).
 */
export function coalesceSmallBlocks(s: HeapState): void {
  startSmallMerge(s);
  mergeSmallSlice(s, Infinity);
  s.lazyFrees = 0;
}

/**
 * One slice of a merge of the small free blocks, up to `budget` entries visited; returns how many.
 * The dense lists are walked from their ends, singles first: a block taken out of a list is
 * replaced by its last one, already visited (or freed since the walk began), and a merge only
 * lists blocks of a class larger than the one walked, so every block the walk began with is
 * visited and none visited gains a free buddy but by a later free. The state between slices is
 * the first `mergeSinglesLeft` / `mergePairsLeft` entries of each list, still to visit (a list
 * that allocations shortened meanwhile is walked from its new end). So, at any time, an unmerged
 * pair of free buddies has a block still to visit or one freed since the walk began (counted in
 * `lazyFrees`): `verify()` checks at most `lazyFrees` + those left pairs. When the walk ends,
 * `lazyFrees` gives back the 1 it began with.
 */
function mergeSmallSlice(s: HeapState, budget: number): number {
  // (Nothing to visit: no walk runs, and `lazyFrees` has no 1 of one to give back.)
  if (!smallMergePending(s)) return 0;
  const slots = s.slots;
  let visited = 0;
  for (let cls = 0; cls < 2; cls++) {
    let left = Math.min(cls === 0 ? s.mergeSinglesLeft : s.mergePairsLeft, smallCount(s, cls));
    for (; left > 0 && visited < budget; visited++) {
      const position = --left;
      if (position >= smallCount(s, cls)) continue;
      const start = smallList(s, cls)[position]!;
      const buddy = buddyOf(start, 1 << cls);
      if (buddy + (1 << cls) > s.slotTop || !isFreeOfClass(slots, buddy, cls)) continue;
      removeFree(s, start, cls);
      clearMarkers(slots, start, cls);
      releaseBlock(s, start, cls);
    }
    if (cls === 0) s.mergeSinglesLeft = left;
    else s.mergePairsLeft = left;
    if (left > 0) return visited;
  }
  // (A walk ends once: its counts are 0 from here until the next starts.)
  if (s.lazyFrees > 0) s.lazyFrees--;
  return visited;
}

/**
 * Shrinks a block in place to the class of `newCount` (> 0, of a smaller class): the block keeps
 * its start, and the parts it no longer needs are freed buddy-style (one block of each class from
 * the new one up to the old one), so shrinking never needs room and never copies. The parts'
 * buddies hold the kept block, so none merges; the highest goes first, so parts at the pool's top
 * go back to it in turn.
 */
export function shrinkBlock(s: HeapState, start: number, oldCount: number, newCount: number): void {
  for (let cls = blockClass(oldCount) - 1, low = blockClass(newCount); cls >= low; cls--) {
    releaseBlock(s, start + (1 << cls), cls);
  }
}

/** Takes a free block of class `from` (> cls), keeps its lower 2^cls slots and frees the rest. */
function splitBlock(s: HeapState, from: number, cls: number): number {
  const start = from === 1 ? s.freePairs[s.freePairCount - 1]! : s.freeBlocks[from]!;
  removeFree(s, start, from);
  clearMarkers(s.slots, start, from);
  // The upper halves' buddies are the lower halves being split: they go straight to their lists.
  for (let part = from - 1; part >= cls; part--) pushFree(s, start + (1 << part), part);
  // The kept block may hold old edges.
  const slots = s.slots;
  for (let k = start, end = start + (1 << cls); k < end; k++) slots[k] = 0;
  return start;
}

/**
 * Grows the pool now, if needed, so that its capacity is at least `count` slots (at most
 * `maxSlots - 1`): the growth `carveTop` would do later, to the same round capacities; and writes
 * the zero slots from `slotTop` up to `count` so that their memory is committed now.
 */
export function reserveSlots(s: HeapState, count: number): void {
  growPoolTo(s, count);
  // Committed now (core/state.ts `touchIndices` says why); the pool above `slotTop` is zero.
  if (count + 1 > s.slotTop) s.slots.fill(0, s.slotTop, count + 1);
  // The dense lists of free singles and pairs hold at most one entry a slot, and a pair's: room for
  // that now, so that no sweep of play doubles one (the game suite's sweeps did, up to 2^18 entries,
  // the last copy 1.7 ms inside a `tick(1)` slice). `stats().bytes` counts their entries in use, so
  // the room costs nothing there until it is used (and, untouched until then, nothing resident).
  s.freeSingles = withRoom(s.freeSingles, count, s.freeSingleCount);
  s.freePairs = withRoom(s.freePairs, count >>> 1, s.freePairCount);
}

/** Grows the pool, if needed, to a capacity of at least `capacity` slots (at most `maxSlots - 1`). */
function growPoolTo(s: HeapState, capacity: number): void {
  // Capacity (length less the reserved slot 0) grows in round steps (columns.ts).
  if (capacity > s.slots.length - 1) {
    // Only the slots below `slotTop` are copied: the pool above it is zero, and stays unwritten.
    s.slots = growU32(s.slots, grownCapacity(s.slots.length - 1, capacity, s.maxSlots - 1) + 1, s.slotTop);
  }
}

/**
 * A new block at the pool's top, at the first offset that is a multiple of its size; the gap
 * below it (smaller than the block) becomes free blocks, the largest each offset allows. The
 * pool above `slotTop` is zero, so the block needs no clearing; it is written anyway (`commit`).
 */
function carveTop(s: HeapState, cls: number): number {
  const size = 1 << cls;
  const start = alignUp(s.slotTop, size);
  const end = start + size;
  growPoolTo(s, end - 1);
  let gap = s.slotTop;
  s.slotTop = end;
  commit(s.slots, start, end);
  // Each gap block's offset has fewer trailing zeros than the new block's, so it ends by `start`.
  while (gap < start) {
    const part = alignmentClass(gap - 1);
    releaseBlock(s, gap, part);
    gap += 1 << part;
  }
  return start;
}

/**
 * `count` more blocks for `slotCount` (> 0) slots at the pool's top, one after another; returns
 * the first one's start. Only right after `allocBlock` carved a block of the class at the top it
 * found (aligned, so no gap was freed below it) without merging the small blocks first: then no
 * free block was listed or taken and `lazyFrees` is as it was, so each of `count` more
 * `allocBlock` calls would carve too, the next one at the new top, which stays aligned. The same
 * blocks as those calls, at one pool growth and no list lookups (a spawn wave: `allocWave`). The
 * pool above `slotTop` is zero, so nothing needs clearing; it is written anyway (`commit`).
 */
export function carveRun(s: HeapState, slotCount: number, count: number): number {
  const start = s.slotTop;
  const end = start + count * blockCapacity(slotCount);
  growPoolTo(s, end - 1);
  s.slotTop = end;
  commit(s.slots, start, end);
  return start;
}

/**
 * Frees the class-`cls` block at `start`: merges it with its buddy while the buddy is a free
 * block of the same class, then lists the result, or gives it back to the top when it ends there.
 */
function releaseBlock(s: HeapState, start: number, cls: number): void {
  const slots = s.slots;
  let size = 1 << cls;
  while (cls < MAX_CLASS) {
    const buddy = buddyOf(start, size);
    // A buddy reaching past the top is not (all) free; below the top a block starts at `buddy`.
    if (buddy + size > s.slotTop || !isFreeOfClass(slots, buddy, cls)) break;
    removeFree(s, buddy, cls);
    // Its markers fall inside the merged block: clear them, so only markers look like markers.
    clearMarkers(slots, buddy, cls);
    if (buddy < start) start = buddy;
    cls++;
    size *= 2;
  }
  if (start + size === s.slotTop) returnTail(s, start);
  else pushFree(s, start, cls);
}

/**
 * Lowers `slotTop` to `start` (the free block [start, slotTop) goes back to the top), then keeps
 * lowering it while a free block ends at the top (its last word says so), so none ever does. The
 * slots given back are zeroed: the pool above the top stays zero.
 */
function returnTail(s: HeapState, start: number): void {
  const slots = s.slots;
  zero(slots, start, s.slotTop);
  let top = start;
  // Slot 0 is zero, so the loop stops at the bottom of the pool.
  for (let cls = classEndingAt(slots, top); cls >= 0; cls = classEndingAt(slots, top)) {
    const block = top - (1 << cls);
    removeFree(s, block, cls);
    zero(slots, block, top);
    top = block;
  }
  s.slotTop = top;
}

/**
 * Writes the (zero) slots of blocks just carved above the old `slotTop`, so that the system
 * commits their memory in the frame that allocates them: fresh typed-array memory is handed out a
 * page at a time on first touch (about 10 µs a 4 KB page on the bench machines), and a block whose
 * slots stay NULL would be first touched by a collector slice, whose work units count no page
 * (docs/decisions.md, "Slots carved at the pool's top are written when carved").
 */
function commit(slots: Uint32Array, from: number, to: number): void {
  zero(slots, from, to);
}

/** Zeroes [from, to): a plain loop for the few slots most blocks have, `fill` for big ones. */
function zero(slots: Uint32Array, from: number, to: number): void {
  if (to - from > 64) slots.fill(0, from, to);
  else for (let k = from; k < to; k++) slots[k] = 0;
}

/**
 * Slots the pool could still hand out before `maxSlots`: its free blocks' and the room above its
 * top (blocks' alignment at the top aside). O(1): what the tick's near-full test reads.
 */
export function slotRoom(s: HeapState): number {
  return s.maxSlots - s.slotTop + slotsListedFree(s);
}

/** Slots held by live objects' blocks: their slot counts rounded up to powers of two. */
export function slotsHeld(s: HeapState): number {
  return s.slotTop - 1 - slotsListedFree(s);
}

/** Slots of the listed free blocks, below `slotTop`: the small lists' counts and `freeLargeSlots`. */
function slotsListedFree(s: HeapState): number {
  return s.freeSingleCount + 2 * s.freePairCount + s.freeLargeSlots;
}

/**
 * Counts the slots of the listed free blocks of class 2 and more (`freeLargeSlots`), walking the
 * lists: for a restored heap, whose count is not saved. At most `slotTop` blocks a list, so a
 * corrupted list that loops ends (`verify` then names it).
 */
export function countFreeLargeSlots(s: HeapState): number {
  let total = 0;
  for (let cls = 2; cls < s.freeBlocks.length; cls++) {
    let steps = 0;
    for (let b = s.freeBlocks[cls]!; b !== 0 && b < s.slots.length && steps < s.slotTop; steps++) {
      total += 2 ** cls;
      b = startOf(s.slots[b]! - FREE_LINKED);
    }
  }
  return total;
}

/** Lists the free class-`cls` block at `start` and writes its markers. */
function pushFree(s: HeapState, start: number, cls: number): void {
  if (cls < 2) {
    pushSmall(s, start, cls);
    return;
  }
  const slots = s.slots;
  const head = s.freeBlocks[cls]!;
  slots[start] = FREE_LINKED + linkOf(head);
  slots[start + 1] = FREE_LINKED;
  slots[start + (1 << cls) - 1] = FREE_LINKED + cls;
  if (head !== 0) slots[head + 1] = FREE_LINKED + linkOf(start);
  s.freeBlocks[cls] = start;
  s.freeClasses = (s.freeClasses | (1 << cls)) >>> 0;
  s.freeLargeSlots += 1 << cls;
}

/**
 * Appends a free block of class `cls` (0 or 1) to its dense list and writes its markers: the
 * sweeps' commonest free, kept small so that it inlines into them (growing the list is out of line).
 */
function pushSmall(s: HeapState, start: number, cls: number): void {
  const position = smallCount(s, cls);
  let list = smallList(s, cls);
  if (position === list.length) list = growSmallList(s, cls);
  list[position] = start;
  const slots = s.slots;
  if (cls === 0) {
    s.freeSingleCount = position + 1;
    slots[start] = FREE_SINGLE + position;
  } else {
    s.freePairCount = position + 1;
    slots[start] = FREE_PAIR + position;
    slots[start + 1] = FREE_LINKED + 1;
  }
  s.freeClasses = (s.freeClasses | (1 << cls)) >>> 0;
}

/** Doubles the dense free list of class `cls` (0 or 1); returns the new list. */
function growSmallList(s: HeapState, cls: number): Uint32Array {
  if (cls === 0) return (s.freeSingles = growU32(s.freeSingles, Math.max(16, s.freeSingles.length * 2)));
  return (s.freePairs = growU32(s.freePairs, Math.max(16, s.freePairs.length * 2)));
}

/** The dense free list of class `cls` (0 or 1): single slots or pairs. */
function smallList(s: HeapState, cls: number): Uint32Array {
  return cls === 0 ? s.freeSingles : s.freePairs;
}

/** How many blocks the dense free list of class `cls` (0 or 1) holds. */
function smallCount(s: HeapState, cls: number): number {
  return cls === 0 ? s.freeSingleCount : s.freePairCount;
}

/**
 * Takes the last block of the dense free list of class `cls` (0 or 1), zeroed, or returns 0 when
 * the list is empty. The last entry leaves the list without moving another (`removeFree`'s hole
 * filling is for blocks taken from the middle, by merges).
 */
function popSmall(s: HeapState, cls: number): number {
  const count = smallCount(s, cls);
  if (count === 0) return 0;
  const list = smallList(s, cls);
  const last = count - 1;
  const start = list[last]!;
  list[last] = 0;
  if (cls === 0) s.freeSingleCount = last;
  else s.freePairCount = last;
  // Unmerged pairs are pairs of listed blocks: fewer small blocks, fewer to count.
  const small = s.freeSingleCount + s.freePairCount;
  if (s.lazyFrees > small) s.lazyFrees = small;
  if (last === 0) s.freeClasses = (s.freeClasses & ~(1 << cls)) >>> 0;
  // The markers, and any old edge in a pair's second word: the new owner's slots start NULL.
  const slots = s.slots;
  slots[start] = 0;
  if (cls === 1) slots[start + 1] = 0;
  return start;
}

/**
 * Takes the free class-`cls` block at `start` off its list. Callers clear or overwrite its markers
 * (a block of one or two slots has them zeroed already, by `popSmall`).
 */
function removeFree(s: HeapState, start: number, cls: number): void {
  const slots = s.slots;
  if (cls < 2) {
    // A dense list: the block trades places with the last entry (which learns its new
    // position), then leaves from the end.
    const list = smallList(s, cls);
    const tag = cls === 0 ? FREE_SINGLE : FREE_PAIR;
    const position = slots[start]! - tag;
    const last = smallCount(s, cls) - 1;
    if (position !== last) {
      const moved = list[last]!;
      list[position] = moved;
      slots[moved] = tag + position;
      list[last] = start;
    }
    popSmall(s, cls);
    return;
  }
  const next = startOf(slots[start]! - FREE_LINKED);
  const previous = startOf(slots[start + 1]! - FREE_LINKED);
  if (previous === 0) s.freeBlocks[cls] = next;
  else slots[previous] = FREE_LINKED + linkOf(next);
  if (next !== 0) slots[next + 1] = FREE_LINKED + linkOf(previous);
  if (s.freeBlocks[cls] === 0) s.freeClasses = (s.freeClasses & ~(1 << cls)) >>> 0;
  s.freeLargeSlots -= 1 << cls;
}

/** Zeroes a free block's marker words. */
function clearMarkers(slots: Uint32Array, start: number, cls: number): void {
  slots[start] = 0;
  if (cls > 0) slots[start + 1] = 0;
  if (cls > 1) slots[start + (1 << cls) - 1] = 0;
}
