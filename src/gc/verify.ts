/**
 * The invariant checker behind `heap.verify()`: recomputes everything from the columns and
 * throws `HeapCorruptionError` naming the first broken invariant. O(objects + slots), cheap
 * enough to call after every operation in tests.
 */
import { HeapCorruptionError } from '../core/errors.ts';
import { countColumnPages, countPositionPages, FEW_COMPONENTS, isReferenceType } from '../core/component-store.ts';
import { cardsFor, indexPagesFor } from '../core/columns.ts';
import { plural } from '../core/handle.ts';
import {
  blockCapacity,
  blockClass,
  buddyOf,
  FREE_LINKED,
  FREE_PAIR,
  FREE_SINGLE,
  linkOf,
  MAX_CLASS,
  smallMergeLeft,
  startOf,
} from '../core/slots.ts';
import {
  AGE_MASK,
  AGE_SHIFT,
  BOTH_MARKS,
  CARD_CLEAN,
  CARD_DIRTY,
  CARD_DIRTY_SLOT,
  CARD_SLOT,
  CLEAR,
  DEAD,
  DESTROYED,
  DESTROYED_ANY,
  EPHEMERON,
  FINALIZABLE,
  FINALIZE,
  FREE,
  HAS_COMPONENTS,
  HEADER_COLUMNS,
  type HeapState,
  IDLE,
  INDEX_PAGE,
  INDEX_PAGE_BITS,
  INDEX_QUEUES,
  LAST_PHASE,
  MARK,
  MINOR_FINALIZE,
  MIXED_CLASS,
  NO_COLOR,
  NOT_STRONG,
  otherMark,
  PROMOTE,
  RETIRED,
  SWEEP,
  TENURE,
  YOUNG,
} from '../core/state.ts';
import { slotEntryHolds } from './cards.ts';

function fail(invariant: string, detail: string): never {
  throw new HeapCorruptionError(`invariant ${invariant} broken: ${detail}`);
}

/** Live: allocated, and not found dead by a finished marking (those await the sweep). */
function isLive(s: HeapState, index: number): boolean {
  return index > 0 && index < s.top && (s.color[index]! & s.liveMask) !== 0;
}

/**
 * A destroyed object whose index awaits reclamation (gc/destroy.ts): not live, but a slot, field,
 * pin or scope may still name it (it reads NULL), and lists may still hold it.
 */
function isDestroyed(s: HeapState, index: number): boolean {
  return index > 0 && index < s.top && s.color[index] === DESTROYED;
}

/** What a reference may name: a live object, or a destroyed one (which reads NULL). Never a free index. */
function isNameable(s: HeapState, index: number): boolean {
  return isLive(s, index) || isDestroyed(s, index);
}

/** A young object a minor found dead, while that minor's finalizers run (it awaits the nursery sweep). */
function isCondemned(s: HeapState, index: number): boolean {
  return s.phase === MINOR_FINALIZE && s.color[index] === DEAD;
}

/** Marking is under way (the barrier shades): the first two phases of a major cycle. */
function marking(s: HeapState): boolean {
  return s.phase === PROMOTE || s.phase === MARK;
}

/** Dead objects await the major sweep. */
function sweeping(s: HeapState): boolean {
  return s.phase === CLEAR || s.phase === FINALIZE || s.phase === SWEEP;
}

/**
 * During CLEAR, the old weak list's entries from `weakCursor` on are not cleared yet: a white
 * (dead) one awaits being dropped, and a live one's weak slots may name white objects (which read
 * as NULL). Those entries, marked; none outside CLEAR.
 */
function pendingClear(s: HeapState): Uint8Array {
  const pending = new Uint8Array(s.top);
  if (s.phase === CLEAR) { for (let k = s.weakCursor; k < s.weakCount; k++) pending[s.weakObjects[k]!] = 1; }
  return pending;
}

/**
 * `destroying`: the objects whose `destroy` hooks are running (the heap's stack of them): they keep
 * their slots and components until their hooks return.
 */
export function verifyHeap(s: HeapState, destroying: readonly number[]): void {
  verifyLayout(s);
  verifyHeaders(s);
  verifyFreeList(s);
  // Blocks before edges: block bounds keep the edge scan within the pool.
  verifyBlocks(s);
  verifyEdges(s);
  verifyRoots(s);
  verifyPinFreeList(s);
  verifyNursery(s);
  verifyCards(s);
  verifyCycle(s);
  verifyWeak(s);
  verifyComponents(s);
  verifyDestroyed(s, destroying);
}

/**
 * Array lengths and the counters that index them: what every other check and the collector's
 * loops take for granted. Every column indexed by object index has `columnLength` entries; every
 * stack and list has room for its count and at least one entry (they grow by doubling when full,
 * and an empty one would stay empty: a push would be lost); cards cover every column index.
 */
function verifyLayout(s: HeapState): void {
  const n = s.columnLength;
  const layout = (condition: boolean, detail: string): void => {
    if (!condition) fail('3 (layout)', detail);
  };
  layout(s.top >= 1 && s.top <= n && n <= s.maxObjects + 1, `top ${s.top} and columnLength ${n} are out of order`);
  for (const [name, column] of HEADER_COLUMNS.map((name) => [name, s[name]] as const)) {
    layout(column.length === n, `header column '${name}' has ${column.length} entries, columnLength is ${n}`);
  }
  layout(s.markValue === 1 || s.markValue === 2, `the mark value is ${s.markValue}`);
  layout(Number.isInteger(s.phase) && s.phase >= IDLE && s.phase <= LAST_PHASE, `the phase is ${s.phase}`);
  layout(
    s.slotTop >= 1 && s.slotTop <= s.slots.length && s.slots.length <= s.maxSlots,
    `slotTop ${s.slotTop} does not fit the pool of ${s.slots.length} slots (maxSlots ${s.maxSlots})`,
  );
  layout(
    s.maxSlotsPerObject === 0 || blockClass(s.maxSlotsPerObject) < s.freeBlocks.length,
    `${s.freeBlocks.length} block free lists cannot hold blocks of ${s.maxSlotsPerObject} slots`,
  );
  const stack = (name: string, length: number, count: number): void => {
    layout(length >= 1 && count >= 0 && count <= length, `'${name}' holds ${count} of ${length} entries`);
  };
  // A list's high-water mark (what stats().bytes counts) covers what it holds, within its length.
  const written = (name: string, high: number, count: number, length: number): void => {
    layout(high >= count && high <= length, `'${name}' counts ${high} entries written, holding ${count} of ${length}`);
  };
  stack('markStack', s.markStack.length, s.markTop);
  stack('scopeStack', s.scopeStack.length, s.scopeTop);
  stack('weakObjects', s.weakObjects.length, s.weakCount);
  stack('youngWeak', s.youngWeak.length, s.youngWeakCount);
  stack('rememberedWeak', s.rememberedWeak.length, s.rememberedWeakCount);
  stack('finalizable', s.finalizable.length, s.finalizableCount);
  stack('youngFinalizable', s.youngFinalizable.length, s.youngFinalizableCount);
  stack('finalizeQueue', s.finalizeQueue.length, s.finalizeTop);
  stack('destroyedYoung', s.destroyedYoung.length, s.destroyedYoungCount);
  stack('destroyedOld', s.destroyedOld.length, s.destroyedOldCount);
  stack('dirtyCards', s.dirtyCards.length, s.dirtyCount);
  stack('rememberedSlots', s.rememberedSlots.length, 2 * s.rememberedSlotCount);
  layout(
    s.rememberedSlotsStale === 0 || s.rememberedSlotsStale === 1,
    `rememberedSlotsStale is ${s.rememberedSlotsStale}`,
  );
  layout(s.finalizeNext <= s.finalizeTop, `finalizeNext ${s.finalizeNext} is past finalizeTop ${s.finalizeTop}`);
  // The pin columns are indexed together, and grown together only when pinTop reaches their end.
  const pins = s.pinTarget.length;
  layout(
    s.pinGeneration.length === pins && s.pinNext.length === pins,
    `the pin columns have ${pins}, ${s.pinGeneration.length} and ${s.pinNext.length} entries`,
  );
  layout(
    s.pinTop >= 1 && s.pinTop <= pins && s.pinTop <= s.codec.indexMask + 1,
    `pinTop ${s.pinTop} does not fit the pin table of ${pins}`,
  );
  // `dirtyCard` indexes cards by any column index unchecked.
  layout(s.cards.length >= cardsFor(n, s.cardShift), `${s.cards.length} cards do not cover ${n} indices`);
  for (const c of s.components.list) {
    for (const f of c.fields) {
      // Numeric columns are allocated for maxObjects once, so that they never move.
      const entries = isReferenceType(f.type) ? n : s.maxObjects + 1;
      layout(
        f.column.length === entries * f.length,
        `column '${c.name}.${f.name}' has ${f.column.length} entries, expected ${entries * f.length}`,
      );
    }
    layout(c.position.length === n, `'${c.name}' positions have ${c.position.length} entries, columnLength is ${n}`);
    const pages = indexPagesFor(s.maxObjects + 1);
    layout(c.pages.length === pages, `'${c.name}' marks ${c.pages.length} pages of indices, expected ${pages}`);
    const masked = s.components.masks.length > 0;
    layout(
      masked
        ? c.mask === s.components.masks[c.id >> 5] && c.bit === 1 << (c.id & 31)
        : c.mask.length === 0 && c.bit === 0,
      `'${c.name}' reads a mask column or bit that is not its own`,
    );
    stack(`${c.name}.members`, c.members.length, c.memberCount);
    written(`${c.name}.members`, c.membersWritten, c.memberCount, c.members.length);
  }
  // Masks only past the few components (core/component-store.ts FEW_COMPONENTS).
  const defined = s.components.list.length;
  const words = defined > FEW_COMPONENTS ? Math.ceil(defined / 32) : 0;
  layout(
    s.components.masks.length === words,
    `${s.components.masks.length} mask columns for ${words} words of components`,
  );
  for (const mask of s.components.masks) {
    layout(mask.length === n, `a mask column has ${mask.length} entries, columnLength is ${n}`);
  }
  for (const q of s.components.queries.values()) {
    layout(q.position.length === n, `query ${q.key} positions have ${q.position.length} entries, columnLength is ${n}`);
    stack(`query ${q.key}`, q.dense.length, q.count);
    written(`query ${q.key}`, q.denseWritten, q.count, q.dense.length);
  }
}

/** Counts in `stats()` match a recount; colors and generations are in range. */
function verifyHeaders(s: HeapState): void {
  // Index 0 is NULL: a slot holding 0 must never look like a reference to anything.
  for (const name of HEADER_COLUMNS) {
    if (s[name][0] !== 0) fail('3 (counts)', `the reserved index 0 (NULL) has ${name} ${s[name][0]}`);
    if (s[name].length !== s.columnLength) {
      fail('3 (counts)', `header column ${name} has ${s[name].length} entries, not columnLength ${s.columnLength}`);
    }
  }
  let live = 0;
  let retired = 0;
  let slotsUsed = 0;
  for (let i = 1; i < s.top; i++) {
    const c = s.color[i]!;
    if (s.generation[i]! > s.codec.maxGeneration) {
      fail('3 (counts)', `index ${i} has generation ${s.generation[i]} past the maximum`);
    }
    if (c === FREE) {
      if ((s.flags[i]! & RETIRED) !== 0) retired++;
      if (s.size[i] !== 0) fail('3 (counts)', `free index ${i} still has ${s.size[i]} slots`);
      continue;
    }
    if (c !== 1 && c !== 2 && c !== DESTROYED && !isCondemned(s, i)) fail('3 (counts)', `index ${i} has color ${c}`);
    live++;
    slotsUsed += s.size[i]!;
  }
  // A never-used index is taken as it is by `alloc` (its generation makes the handle).
  for (let i = Math.max(s.top, 1); i < s.columnLength; i++) {
    if (
      s.color[i] !== FREE || s.flags[i] !== 0 || s.generation[i] !== 0 || s.size[i] !== 0 || s.base[i] !== 0 ||
      s.next[i] !== 0
    ) {
      fail('1 (free list)', `never-used index ${i} is not blank`);
    }
  }
  if (live !== s.live) fail('3 (counts)', `live count is ${s.live}, recount finds ${live}`);
  if (retired !== s.retired) fail('3 (counts)', `retired count is ${s.retired}, recount finds ${retired}`);
  if (slotsUsed !== s.slotsUsed) fail('3 (counts)', `slotsUsed is ${s.slotsUsed}, recount finds ${slotsUsed}`);
}

/**
 * Invariant 1: the free queues and the spent stack together hold exactly the free, non-retired
 * indices, once each, no cycle; the stack only spent ones (core/free-list.ts).
 */
function verifyFreeList(s: HeapState): void {
  // Every page an index below `top` lies in (and `top`'s own, which the next carve may finish) names
  // a queue: a freed index joins its page's.
  const pages = indexPagesFor(s.top);
  if (s.pageClass.length < indexPagesFor(s.columnLength)) {
    fail('1 (free list)', `the page classes hold ${s.pageClass.length} pages, the columns ${s.columnLength} indices`);
  }
  if (s.freeHeads.length !== INDEX_QUEUES || s.freeTails.length !== INDEX_QUEUES) {
    fail(
      '1 (free list)',
      `${s.freeHeads.length} queue heads and ${s.freeTails.length} tails, expected ${INDEX_QUEUES}`,
    );
  }
  for (let page = 0; page < pages; page++) {
    if (s.pageClass[page]! >= INDEX_QUEUES) fail('1 (free list)', `page ${page} has class ${s.pageClass[page]}`);
  }
  // Pages are carved whole (or up to maxObjects): only a restored older heap leaves `top` inside one,
  // of the mixed class, whose rest the next carve queues as mixed.
  const top = s.top;
  if (
    top !== 1 && top !== s.maxObjects + 1 && (top & (INDEX_PAGE - 1)) !== 0 &&
    s.pageClass[top >>> INDEX_PAGE_BITS] !== MIXED_CLASS
  ) {
    fail('1 (free list)', `top ${top} lies inside page ${top >>> INDEX_PAGE_BITS}, which is not of the mixed class`);
  }
  const seen = new Uint8Array(s.top);
  let count = 0;
  const entry = (i: number, list: string): void => {
    if (i >= s.top) fail('1 (free list)', `${list} entry ${i} lies at or past the top ${s.top}`);
    if (seen[i]) fail('1 (free list)', `index ${i} appears twice (a cycle)`);
    seen[i] = 1;
    if (s.color[i] !== FREE) fail('1 (free list)', `live index ${i} is on the ${list}`);
    if ((s.flags[i]! & RETIRED) !== 0) fail('1 (free list)', `retired index ${i} is on the ${list}`);
    count++;
  };
  for (let queue = 0; queue < INDEX_QUEUES; queue++) {
    let last = 0;
    for (let i = s.freeHeads[queue]!; i !== 0; i = s.next[i]!) {
      entry(i, 'free list');
      // A freed index joins its page's queue, so the class its page was carved for keeps it.
      const page = s.pageClass[i >>> INDEX_PAGE_BITS];
      if (page !== queue) fail('1 (free list)', `index ${i} is on queue ${queue}, but its page is of class ${page}`);
      last = i;
    }
    // Allocation appends at the tail: it must be the last entry, or the queue would lose indices.
    if (s.freeTails[queue] !== last) {
      fail('1 (free list)', `queue ${queue}'s tail is ${s.freeTails[queue]}, but the last entry is ${last}`);
    }
  }
  for (let i = s.spentHead; i !== 0; i = s.next[i]!) {
    entry(i, 'spent stack');
    // Set aside only because its next handle would not be a small integer: one that would is
    // handed out before the heap grows.
    if (s.generation[i]! < s.codec.smallGenerations) {
      fail('1 (free list)', `index ${i} of generation ${s.generation[i]} is on the spent stack, yet not spent`);
    }
  }
  let free = 0;
  for (let i = 1; i < s.top; i++) if (s.color[i] === FREE && (s.flags[i]! & RETIRED) === 0) free++;
  if (count !== free) {
    fail('1 (free list)', `entries in the free queues and the spent stack: ${count}; free indices: ${free}`);
  }
}

/**
 * Invariant 2: every slot of a live object holds NULL or a live object's index. Strong slots
 * always; weak and ephemeron slots too, since the collection that frees a target clears them
 * before its sweep (during CLEAR, an object not cleared yet may still name a white one).
 */
function verifyEdges(s: HeapState): void {
  const pending = pendingClear(s);
  for (let i = 1; i < s.top; i++) {
    if (!isLive(s, i)) continue;
    const start = s.base[i]!;
    // (A white target of an object CLEAR has yet to reach is dead and reads as NULL.)
    const whiteAllowed = pending[i] === 1 ? s.white : -1;
    for (let k = 0, n = s.size[i]!; k < n; k++) {
      const target = s.slots[start + k]!;
      if (target !== 0 && !isNameable(s, target) && s.color[target] !== whiteAllowed) {
        fail('2 (edges)', `slot ${k} of object ${i} holds ${target}, which is not live (nor destroyed)`);
      }
    }
  }
}

/**
 * Invariant 3 (slot blocks), for the buddy pool of core/slots.ts: live blocks and free blocks lie
 * inside the pool at offsets (from slot 1) that are multiples of their size, never overlap, and
 * together cover every slot below `slotTop`; the free lists are well formed (each free block's
 * words name its class and its list position or neighbours, links agree both ways, `freeClasses`
 * has a bit exactly for the classes with free blocks); coalescing is complete but for small blocks
 * (no free block of class 2 or more has a free buddy of its class, at most `lazyFrees` pairs of
 * free buddies of one or two slots are unmerged, and no free block ends at the top); every other word is an object index
 * (below `FREE_SINGLE`), so free blocks are recognised; slot 0 and the pool above the top are zero.
 */
function verifyBlocks(s: HeapState): void {
  const slots = s.slots;
  const top = s.slotTop;
  const broken = (detail: string): never => fail('3 (slot blocks)', detail);
  if (slots[0] !== 0) broken(`the reserved slot 0 holds ${slots[0]}`);
  // Per slot: 0 no block, 1 a live block, 2 a free block, 3 a free block's marker word.
  const owner = new Uint8Array(top);
  // Per slot: 1 + the class of the free block starting there, else 0.
  const freeStart = new Uint8Array(top);
  const claim = (start: number, capacity: number, kind: number, what: string): void => {
    if (!Number.isInteger(start) || start < 1 || start + capacity > top) {
      broken(`${what} [${start}, ${start + capacity}) lies outside the pool [1, ${top})`);
    }
    if ((start - 1) % capacity !== 0) broken(`${what} starts at offset ${start - 1}, not a multiple of its size`);
    for (let k = start; k < start + capacity; k++) {
      if (owner[k]) broken(`${what} overlaps another block at slot ${k}`);
      owner[k] = kind;
    }
  };
  for (let i = 1; i < s.top; i++) {
    if (s.color[i] === FREE) continue;
    const n = s.size[i]!;
    if (n > s.maxSlotsPerObject) broken(`object ${i} has ${n} slots, more than maxSlotsPerObject`);
    if (n === 0) continue;
    claim(s.base[i]!, blockCapacity(n), 1, `the block of object ${i}`);
  }
  /** Claims a free block; its first, second and last words are markers (the first two only, for class 1). */
  const claimFree = (start: number, cls: number, what: string): void => {
    const size = 2 ** cls;
    claim(start, size, 2, what);
    freeStart[start] = cls + 1;
    owner[start] = 3;
    if (cls > 0) owner[start + 1] = owner[start + size - 1] = 3;
  };
  if (s.freeBlocks.length !== 32) broken(`freeBlocks has ${s.freeBlocks.length} classes, not 32`);
  let classes = 0;
  // Classes 0 and 1: dense lists; the rest of their arrays is zero.
  const dense = [
    { cls: 0, list: s.freeSingles, count: s.freeSingleCount, tag: FREE_SINGLE, name: 'freeSingles' },
    { cls: 1, list: s.freePairs, count: s.freePairCount, tag: FREE_PAIR, name: 'freePairs' },
  ];
  for (const { cls, list, count, tag, name } of dense) {
    if (!Number.isInteger(count) || count < 0 || count > list.length) {
      broken(`${name} counts ${count} blocks, its array holds ${list.length}`);
    }
    if (s.freeBlocks[cls] !== 0) broken(`freeBlocks[${cls}] is ${s.freeBlocks[cls]}; class ${cls} is ${name}`);
    if (count > 0) classes |= 1 << cls;
    for (let position = 0; position < list.length; position++) {
      const start = list[position]!;
      if (position >= count) {
        if (start !== 0) broken(`${name}[${position}] holds ${start} past its count ${count}`);
        continue;
      }
      claimFree(start, cls, `free block ${start} of class ${cls}`);
      if (slots[start] !== tag + position || (cls === 1 && slots[start + 1] !== FREE_LINKED + 1)) {
        broken(`free block ${start} of class ${cls} does not name its class and list position ${position}`);
      }
    }
  }
  // Classes 2 and more: doubly linked lists through the blocks.
  for (let cls = MAX_CLASS + 1; cls < s.freeBlocks.length; cls++) {
    if (s.freeBlocks[cls] !== 0) {
      broken(`freeBlocks[${cls}] is ${s.freeBlocks[cls]}; no block is larger than class ${MAX_CLASS}`);
    }
  }
  let largeSlots = 0;
  for (let cls = 2; cls <= MAX_CLASS; cls++) {
    let previous = 0;
    for (let b = s.freeBlocks[cls]!; b !== 0; largeSlots += 2 ** cls) {
      // A revisited block overlaps its first visit: a cycle fails the claim.
      claimFree(b, cls, `free block ${b} of class ${cls}`);
      const first = slots[b]!;
      if (
        first < FREE_LINKED || slots[b + 1] !== FREE_LINKED + linkOf(previous) ||
        slots[b + 2 ** cls - 1] !== FREE_LINKED + cls
      ) {
        broken(`free block ${b} of class ${cls} does not name its class and neighbours`);
      }
      previous = b;
      b = startOf(first - FREE_LINKED);
    }
    if (previous !== 0) classes = (classes | (1 << cls)) >>> 0;
  }
  if (classes !== s.freeClasses) broken(`freeClasses is ${s.freeClasses}, the free lists say ${classes}`);
  if (largeSlots !== s.freeLargeSlots) {
    broken(`freeLargeSlots is ${s.freeLargeSlots}, the free lists of class 2 and more hold ${largeSlots} slots`);
  }
  // Free buddies of one or two slots may be left unmerged, as many pairs as `lazyFrees` at most.
  let unmerged = 0;
  for (let k = 1; k < top; k++) {
    if (owner[k] === 0) broken(`slot ${k} below the top ${top} belongs to no block`);
    if (owner[k] !== 3 && slots[k]! >= FREE_SINGLE) {
      broken(`slot ${k} holds ${slots[k]}, a free block's marker, but no free block has a marker there`);
    }
    const cls = freeStart[k]! - 1;
    if (cls < 0) continue;
    const size = 2 ** cls;
    if (k + size === top) broken(`free block ${k} of class ${cls} ends at the top; it belongs to the top`);
    const buddy = buddyOf(k, size);
    if (cls < MAX_CLASS && buddy + size <= top && freeStart[buddy] === cls + 1) {
      if (cls >= 2) {
        broken(`free blocks ${Math.min(k, buddy)} and ${Math.max(k, buddy)} are buddies of class ${cls}, not merged`);
      }
      if (k < buddy) unmerged++;
    }
  }
  // A merge in slices (core/slots.ts) has yet to visit the first entries of each list: an unmerged
  // pair may have one of those instead of a block counted in `lazyFrees`.
  for (
    const [name, left] of [['mergeSinglesLeft', s.mergeSinglesLeft], ['mergePairsLeft', s.mergePairsLeft]] as const
  ) {
    if (!Number.isInteger(left) || left < 0) broken(`${name} is ${left}, not a count of list entries`);
  }
  const toVisit = smallMergeLeft(s);
  if (!Number.isInteger(s.lazyFrees) || s.lazyFrees < 0 || unmerged > s.lazyFrees + toVisit) {
    broken(
      `${plural(unmerged, 'pair')} of free small buddies are unmerged, more than lazyFrees ${s.lazyFrees}` +
        (toVisit === 0 ? '' : ` and the ${toVisit} blocks a merge has yet to visit`),
    );
  }
  if (s.lazyFrees > s.freeSingleCount + s.freePairCount) {
    broken(`lazyFrees ${s.lazyFrees} counts more than the ${s.freeSingleCount + s.freePairCount} free small blocks`);
  }
  for (let k = top; k < slots.length; k++) if (slots[k] !== 0) broken(`slot ${k} above the top ${top} is not zero`);
}

/** Invariant 4: every live pin, and every object of an open scope, names a live object. */
function verifyRoots(s: HeapState): void {
  let pins = 0;
  for (let p = 1; p < s.pinTop; p++) {
    const target = s.pinTarget[p]!;
    if (target === 0) continue;
    pins++;
    if (!isNameable(s, target)) fail('4 (pins)', `pin ${p} names ${target}, which is not live (nor destroyed)`);
  }
  if (pins !== s.pinsLive) fail('4 (pins)', `pin count is ${s.pinsLive}, recount finds ${pins}`);
  for (let k = 0; k < s.scopeTop; k++) {
    if (!isNameable(s, s.scopeStack[k]!)) fail('4 (scopes)', `scoped object ${s.scopeStack[k]} is not live`);
  }
}

/**
 * Invariant 4, the pin table: the free list holds free pin slots below `pinTop`, once each, with
 * no cycle (`pin()` takes its head, and a slot at or past `pinTop` is no root: its object would be
 * freed); a free slot off the list has retired (its generation is spent); generations are in range;
 * slot 0 and the slots never used are blank.
 */
function verifyPinFreeList(s: HeapState): void {
  const listed = new Uint8Array(s.pinTop);
  for (let p = s.pinFreeHead; p !== 0; p = s.pinNext[p]!) {
    if (p >= s.pinTop) fail('4 (pins)', `the pin free list holds pin ${p}, at or past pinTop ${s.pinTop}`);
    if (listed[p]) fail('4 (pins)', `the pin free list holds pin ${p} twice (a cycle)`);
    if (s.pinTarget[p] !== 0) fail('4 (pins)', `the pin free list holds pin ${p}, which is in use`);
    listed[p] = 1;
  }
  const maxGeneration = s.codec.maxGeneration;
  for (let p = 1; p < s.pinTop; p++) {
    if (s.pinGeneration[p]! > maxGeneration) fail('4 (pins)', `pin ${p} has generation ${s.pinGeneration[p]}`);
    if (s.pinTarget[p] === 0 && !listed[p] && s.pinGeneration[p] !== maxGeneration) {
      fail('4 (pins)', `free pin ${p} is neither on the pin free list nor retired`);
    }
  }
  for (let p = 0; p < s.pinTarget.length; p = p === 0 ? s.pinTop : p + 1) {
    if (s.pinTarget[p] !== 0 || s.pinGeneration[p] !== 0 || s.pinNext[p] !== 0) {
      fail('4 (pins)', `pin ${p} was never used but is not blank`);
    }
  }
}

/**
 * Invariant 7: the nursery list, and while a cycle promotes the promotion list, hold exactly the
 * live young objects, once each.
 */
function verifyNursery(s: HeapState): void {
  const seen = new Uint8Array(s.top);
  let count = 0;
  if (s.promoteHead !== 0 && s.phase !== PROMOTE && s.phase !== TENURE) {
    fail('7 (nursery)', 'a promotion list outside PROMOTE and TENURE');
  }
  for (const [head, name] of [[s.nurseryHead, 'nursery'], [s.promoteHead, 'promotion list']] as const) {
    for (let i = head; i !== 0; i = s.next[i]!) {
      if (i >= s.top) fail('7 (nursery)', `${name} entry ${i} lies past the top ${s.top}`);
      if (!isNameable(s, i) && !isCondemned(s, i)) fail('7 (nursery)', `${name} entry ${i} is not a live object`);
      if (seen[i]) fail('7 (nursery)', `object ${i} appears twice (a cycle)`);
      seen[i] = 1;
      if ((s.flags[i]! & YOUNG) === 0) fail('7 (nursery)', `old object ${i} is in the ${name}`);
      if ((s.flags[i]! & AGE_MASK) >> AGE_SHIFT >= s.promoteAfter) {
        fail('7 (nursery)', `object ${i} is past promotion age`);
      }
      count++;
    }
  }
  let young = 0;
  for (let i = 1; i < s.top; i++) if (s.color[i] !== FREE && (s.flags[i]! & YOUNG) !== 0) young++;
  if (count !== young) fail('7 (nursery)', `the nursery holds ${count} objects, but ${young} are young`);
  if (young !== s.young) fail('7 (nursery)', `young count is ${s.young}, recount finds ${young}`);
  if (!s.generational && young !== 0) fail('7 (nursery)', 'a heap without generations has young objects');
}

/** Whether object `i`'s card is dirty: the object is remembered whole. */
function rememberedWhole(s: HeapState, i: number): boolean {
  const mark = s.cards[i >>> s.cardShift];
  return mark === CARD_DIRTY || mark === CARD_DIRTY_SLOT;
}

/** Objects of the promotion list: old before the next minor, so edges into them need no card. */
function promoting(s: HeapState): Uint8Array {
  const pending = new Uint8Array(s.top);
  for (let i = s.promoteHead; i !== 0; i = s.next[i]!) pending[i] = 1;
  return pending;
}

/**
 * Invariant 5: every old object holding a reference to a young object is remembered: its card is
 * dirty, or only one of its slots refers to young objects and that slot is remembered. The dirty
 * list names exactly the dirty cards, once each; each remembered-slot card has its entry; and,
 * unless marked stale, every entry names a slot its old owner still has, as its card says.
 */
function verifyCards(s: HeapState): void {
  if (s.dirtyCount > s.dirtyCards.length) fail('5 (cards)', `${s.dirtyCount} dirty cards counted, list holds fewer`);
  const listed = new Uint8Array(s.cards.length);
  for (let k = 0; k < s.dirtyCount; k++) {
    const card = s.dirtyCards[k]!;
    const mark = s.cards[card];
    if (mark !== CARD_DIRTY && mark !== CARD_DIRTY_SLOT) fail('5 (cards)', `listed card ${card} is not dirty`);
    if (listed[card]) fail('5 (cards)', `card ${card} is listed twice`);
    listed[card] = 1;
  }
  const slotListed = new Uint8Array(s.cards.length);
  for (let k = 0; k < s.rememberedSlotCount; k++) {
    const owner = s.rememberedSlots[2 * k]!;
    const at = s.rememberedSlots[2 * k + 1]!;
    if (s.cardShift !== 0) {
      fail('5 (cards)', `remembered slot ${at} of ${owner} with cards of ${1 << s.cardShift} objects`);
    }
    if (owner >= s.cards.length) fail('5 (cards)', `remembered slot ${at} names object ${owner}, past the cards`);
    if (s.rememberedSlotsStale === 0 && !slotEntryHolds(s, owner, at)) {
      fail('5 (cards)', `remembered slot ${at} of ${owner} is not a remembered slot of an old object in use`);
    }
    if (s.rememberedSlotsStale === 0 && (s.flags[owner]! & NOT_STRONG) !== 0) {
      fail('5 (cards)', `remembered slot ${at} belongs to weak or ephemeron object ${owner}`);
    }
    // Where the card says which slot, the entry is there for it (stale or not: the card changes when the block does).
    if (s.cards[owner]! >= CARD_SLOT && at === s.base[owner]! + s.cards[owner]! - CARD_SLOT) slotListed[owner] = 1;
    if (s.cards[owner] === CARD_DIRTY_SLOT) slotListed[owner] = 1;
  }
  for (let c = 0; c < s.cards.length; c++) {
    const mark = s.cards[c]!;
    if ((mark === CARD_DIRTY || mark === CARD_DIRTY_SLOT) && !listed[c]) {
      fail('5 (cards)', `dirty card ${c} is missing from the dirty list`);
    }
    if (mark >= CARD_DIRTY_SLOT && !slotListed[c]) fail('5 (cards)', `card ${c} says a slot is remembered, none is`);
  }
  // While a cycle promotes, objects of the promotion list count as old, and count as young
  // targets no more: they will be old before the next minor.
  const pending = promoting(s);
  for (let i = 1; i < s.top; i++) {
    if (!isLive(s, i) || ((s.flags[i]! & YOUNG) !== 0 && !pending[i])) continue;
    const mark = s.cards[i >>> s.cardShift]!;
    for (let k = s.base[i]!, end = k + s.size[i]!; k < end; k++) {
      const target = s.slots[k]!;
      if ((s.flags[target]! & YOUNG) === 0 || pending[target]) continue;
      if (mark === CARD_CLEAN) {
        fail('5 (cards)', `old object ${i} refers to young object ${target}, but its card is clean`);
      }
      if (mark >= CARD_SLOT && k - s.base[i]! !== mark - CARD_SLOT) {
        fail(
          '5 (cards)',
          `old object ${i} refers to young object ${target} in slot ${k - s.base[i]!}, ` +
            `but only its slot ${mark - CARD_SLOT} is remembered`,
        );
      }
    }
  }
}

/**
 * The incremental cycle. The state derived from the phase is what `enterPhase` sets. While
 * marking, invariant 6: no black object (marked and not on the gray stack) has a strong slot
 * naming a white object; and the count of marked objects is exact, since the atomic step derives
 * the dead count from it. While sweeping, the count of objects awaiting the sweep is exact, and
 * none lies above the sweep cursor (that part is swept already).
 */
function verifyCycle(s: HeapState): void {
  const white = s.white;
  if (s.phase < IDLE || s.phase > LAST_PHASE) fail('6 (cycle)', `phase ${s.phase} is not a phase`);
  if (white !== otherMark(s.markValue)) fail('6 (cycle)', `white ${white} is not the other mark value`);
  const liveMask = sweeping(s) ? s.markValue : BOTH_MARKS;
  if (s.liveMask !== liveMask) fail('6 (cycle)', `liveMask ${s.liveMask} does not fit phase ${s.phase}`);
  if (s.barrierWhite !== (marking(s) ? white : NO_COLOR)) {
    fail('6 (tri-color)', `the write barrier is ${s.barrierWhite === NO_COLOR ? 'off' : 'on'} in phase ${s.phase}`);
  }
  if (s.deadColors !== (s.phase === CLEAR ? DESTROYED_ANY | white : DESTROYED_ANY)) {
    fail('6 (cycle)', `the read barrier's dead colors ${s.deadColors} do not fit phase ${s.phase}`);
  }
  const clearing = s.phase === CLEAR;
  if (
    !Number.isInteger(s.weakCursor) || !Number.isInteger(s.weakKept) || s.weakKept < 0 ||
    s.weakKept > s.weakCursor || s.weakCursor > s.weakCount || (!clearing && s.weakCursor !== 0)
  ) {
    fail('6 (cycle)', `CLEAR's cursor ${s.weakCursor} (kept ${s.weakKept}) does not fit ${s.weakCount} weak objects`);
  }
  if (!marking(s) && s.markTop !== 0) fail('6 (tri-color)', `${s.markTop} gray objects outside marking`);
  if (marking(s)) {
    const gray = new Uint8Array(s.top);
    for (let k = 0; k < s.markTop; k++) {
      const i = s.markStack[k]!;
      // A gray object is a marked, live one (or one destroyed since, with no slots left): anything
      // else would send the marker past the columns.
      if (i === 0 || i >= s.top || (s.color[i] !== s.markValue && s.color[i] !== DESTROYED)) {
        fail('6 (tri-color)', `gray stack entry ${i} is not a marked object`);
      }
      gray[i] = 1;
    }
    let marked = 0;
    for (let i = 1; i < s.top; i++) {
      if (s.color[i] !== s.markValue) continue;
      marked++;
      if (gray[i] || (s.flags[i]! & NOT_STRONG) !== 0) continue;
      for (let k = s.base[i]!, end = k + s.size[i]!; k < end; k++) {
        const target = s.slots[k]!;
        if (target !== 0 && s.color[target] === white) {
          fail('6 (tri-color)', `black object ${i} refers to white object ${target}`);
        }
      }
    }
    if (marked !== s.marked) fail('6 (tri-color)', `marked count is ${s.marked}, recount finds ${marked}`);
  } else if (sweeping(s)) {
    let doomed = 0;
    for (let i = 1; i < s.top; i++) {
      if (s.color[i] !== white) continue;
      if (i > s.sweepCursor) fail('6 (sweep)', `dead object ${i} lies in the part already swept`);
      doomed++;
    }
    if (doomed !== s.doomed) fail('6 (sweep)', `dead count is ${s.doomed}, recount finds ${doomed}`);
  } else {
    if (s.doomed !== 0) fail('6 (cycle)', 'a heap between cycles still counts objects awaiting a sweep');
    // Between cycles every live object holds the mark value. A cycle starts by flipping it, which
    // makes every live object white at once: one holding the other color now would count as
    // marked already, and nothing it reaches would be traced. (Not while a minor's finalizers
    // run: its young survivors hold its young mark until the nursery sweep.)
    if (s.phase === IDLE) {
      for (let i = 1; i < s.top; i++) {
        // (Destroyed objects are never marked: they hold their own color until reclaimed.)
        if (s.color[i] !== FREE && s.color[i] !== s.markValue && (s.color[i]! & DESTROYED_ANY) === 0) {
          fail('6 (cycle)', `object ${i} of an idle heap has color ${s.color[i]}, not the mark value ${s.markValue}`);
        }
      }
    }
  }
}

/**
 * The weak and finalizer lists hold exactly the live objects of their kind and generation, once
 * each (the young weak list also holds young members of `weakref` components, possibly more than
 * once); ephemerons have even slot counts; finalizers are queued only in a finalize phase (or CLEAR, before it), and
 * only for objects already found dead.
 */
function verifyWeak(s: HeapState): void {
  // While the nursery is promoted, the young lists may hold objects already old: they join the
  // old lists when the nursery is empty.
  const promoting = s.phase === PROMOTE || s.phase === TENURE;
  const listed = new Uint8Array(s.top);
  const checkList = (list: Uint32Array, count: number, bit: number, young: boolean, name: string): void => {
    if (count > list.length) fail(`2 (${name} list)`, `it counts ${count} entries, but holds ${list.length}`);
    listed.fill(0);
    // During CLEAR the old weak list is compacted as it goes: from `weakKept` to `weakCursor`
    // are no entries, and from the cursor on a white entry is a dead one it has yet to drop.
    const clearing = name === 'weak' && s.phase === CLEAR;
    for (let k = 0; k < count; k++) {
      if (clearing && k >= s.weakKept && k < s.weakCursor) continue;
      const i = list[k]!;
      // A destroyed object stays listed until the list next drops it (nothing is done for it).
      if (isDestroyed(s, i)) continue;
      if (clearing && k >= s.weakCursor && i > 0 && i < s.top && s.color[i] === s.white) continue;
      if (!isLive(s, i)) fail(`2 (${name} list)`, `entry ${i} is not a live object`);
      const isYoung = (s.flags[i]! & YOUNG) !== 0;
      if (isYoung !== young && !(young && promoting)) {
        fail(`2 (${name} list)`, `object ${i} is ${isYoung ? 'young' : 'old'}`);
      }
      if ((s.flags[i]! & bit) === 0) {
        if (name === 'young weak' && (s.flags[i]! & HAS_COMPONENTS) !== 0) continue; // a weakref member
        if (name !== 'young weak') fail(`2 (${name} list)`, `object ${i} is listed but not of that kind`);
        continue;
      }
      if (listed[i]) fail(`2 (${name} list)`, `object ${i} is listed twice`);
      listed[i] = 1;
    }
    for (let i = 1; i < s.top; i++) {
      if (!isLive(s, i) || (s.flags[i]! & bit) === 0 || listed[i]) continue;
      const isYoung = (s.flags[i]! & YOUNG) !== 0;
      if (isYoung === young && !promoting) fail(`2 (${name} list)`, `live object ${i} is missing from the list`);
    }
  };
  checkList(s.weakObjects, s.weakCount, NOT_STRONG, false, 'weak');
  checkList(s.youngWeak, s.youngWeakCount, NOT_STRONG, true, 'young weak');
  checkList(s.finalizable, s.finalizableCount, FINALIZABLE, false, 'finalizer');
  const finalizers = listed.slice();
  checkList(s.youngFinalizable, s.youngFinalizableCount, FINALIZABLE, true, 'young finalizer');
  for (let i = 0; i < listed.length; i++) finalizers[i]! |= listed[i]!;
  if (promoting) {
    // Both lists together hold every finalizable object once.
    for (let k = 0; k < s.finalizableCount; k++) if (listed[s.finalizable[k]!]) fail('2 (finalizer list)', 'twice');
  }
  // A live member of a component with an `onRemove` hook has that hook to run when it goes, so it
  // is finalizable (and so listed, as checked above): `add` makes it so, and a restore too
  // (io/snapshot.ts, `listHookedMembers`: the save may predate the hook).
  for (const c of s.components.list) {
    if (c.onRemove === undefined) continue;
    for (let k = 0; k < c.memberCount; k++) {
      const i = c.members[k]!;
      if (isLive(s, i) && (s.flags[i]! & FINALIZABLE) === 0) {
        fail('2 (finalizer list)', `member ${i} of '${c.name}', a component with an onRemove hook, is not finalizable`);
      }
    }
  }
  // (A listed object may have neither a finalizer nor a hooked component any more, after `remove`:
  // running nothing for it is harmless.) Every finalizer function belongs to a listed object.
  for (let i = 1; i < s.top; i++) {
    if (s.finalizers[i] !== undefined && isLive(s, i) && !finalizers[i]) {
      fail('2 (finalizer list)', `object ${i} has a finalizer but is not listed`);
    }
  }
  // Young members of components with weakref fields must be in the young weak list.
  const youngListed = new Uint8Array(s.top);
  for (let k = 0; k < s.youngWeakCount; k++) youngListed[s.youngWeak[k]!] = 1;
  for (const c of s.components.withWeakRefs) {
    for (let k = 0; k < c.memberCount; k++) {
      const i = c.members[k]!;
      if (isLive(s, i) && (s.flags[i]! & YOUNG) !== 0 && !youngListed[i] && !promoting) {
        fail('2 (young weak list)', `young member ${i} of '${c.name}' (weakref fields) is not listed`);
      }
    }
  }
  if (s.rememberedWeakCount !== 0) fail('2 (weak)', "a minor's scratch list of remembered weak objects is not empty");
  for (let i = 1; i < s.top; i++) {
    if (isLive(s, i) && (s.flags[i]! & EPHEMERON) !== 0 && s.size[i]! % 2 !== 0) {
      fail('2 (ephemerons)', `ephemeron ${i} has an odd slot count ${s.size[i]}`);
    }
    // The collectors skip their ephemeron scans until one is made: none may exist before.
    if (!s.ephemeronsMade && (s.flags[i]! & EPHEMERON) !== 0) {
      fail('2 (ephemerons)', `ephemeron ${i} exists, but ephemeronsMade is false`);
    }
  }
  if (s.phase !== FINALIZE && s.phase !== MINOR_FINALIZE && s.phase !== CLEAR && s.finalizeTop !== 0) {
    fail('2 (finalizer queue)', 'finalizers are queued outside a finalize phase');
  }
  if (s.finalizeNext > s.finalizeTop || s.finalizeTop > s.finalizeQueue.length) {
    fail('2 (finalizer queue)', `its bounds ${s.finalizeNext}..${s.finalizeTop} are out of order`);
  }
  const deadColor = s.phase === MINOR_FINALIZE ? DEAD : s.white;
  for (let k = s.finalizeNext; k < s.finalizeTop; k++) {
    const i = s.finalizeQueue[k]!;
    if (s.color[i] !== deadColor) fail('2 (finalizer queue)', `queued object ${i} was not found dead`);
  }
}

/**
 * Components: member lists and positions agree, members are live, `HAS_COMPONENTS` is set exactly
 * on live objects with a component, `ref`/`weakref` fields hold NULL or live indices (invariant 2),
 * old-to-young field references lie in dirty cards (5), no black member's `ref` field names a
 * white object while marking (6), and every query holds exactly the live objects that match it.
 */
function verifyComponents(s: HeapState): void {
  const store = s.components;
  const counted = new Uint8Array(s.top);
  const white = s.white;
  const pending = promoting(s);
  const gray = new Uint8Array(s.top);
  if (marking(s)) { for (let k = 0; k < s.markTop; k++) gray[s.markStack[k]!] = 1; }
  for (const c of store.list) {
    for (let k = 0; k < c.memberCount; k++) {
      const i = c.members[k]!;
      if (c.position[i] !== k + 1) fail('3 (components)', `'${c.name}' member ${i} has position ${c.position[i]}`);
      if (s.color[i] === FREE) fail('3 (components)', `'${c.name}' member ${i} is free`);
      if (isLive(s, i)) counted[i] = 1;
      if (!isLive(s, i)) continue;
      const old = (s.flags[i]! & YOUNG) === 0 || pending[i] === 1;
      const black = marking(s) && s.color[i] === s.markValue && !gray[i];
      for (const f of c.fields) {
        if (f.type !== 'ref' && f.type !== 'weakref') continue;
        for (let p = i * f.length; p < (i + 1) * f.length; p++) {
          const target = f.column[p]!;
          if (target === 0) continue;
          if (!isNameable(s, target)) {
            fail(
              '2 (components)',
              `field '${c.name}.${f.name}' of ${i} holds ${target}, which is not live (nor destroyed)`,
            );
          }
          if (old && (s.flags[target]! & YOUNG) !== 0 && !pending[target] && !rememberedWhole(s, i)) {
            const mark = s.cards[i >>> s.cardShift]!;
            fail(
              '5 (cards)',
              `old object ${i} refers to young ${target} through '${c.name}.${f.name}', but ` +
                (mark === CARD_CLEAN ? 'its card is clean' : `only its slot ${mark - CARD_SLOT} is remembered`),
            );
          }
          if (black && f.type === 'ref' && s.color[target] === white) {
            fail('6 (tri-color)', `black object ${i} refers to white ${target} through '${c.name}.${f.name}'`);
          }
        }
      }
    }
    let members = 0;
    for (let i = 0; i < c.position.length; i++) {
      if (c.position[i] === 0) continue;
      members++;
      // stats().bytes counts the numeric columns by the pages marked written (core/component-store.ts).
      if (c.pages[i >>> INDEX_PAGE_BITS] !== 1) {
        fail('3 (components)', `'${c.name}' member ${i} is on page ${i >>> INDEX_PAGE_BITS}, not marked written`);
      }
    }
    if (members !== c.memberCount) {
      fail('3 (components)', `'${c.name}' has ${c.memberCount} members, positions say ${members}`);
    }
    // A count kept for stats() holds while the marks and top are what it was for (`pagesChanged`).
    if (c.columnBytesAt === c.pagesChanged && c.columnBytesTop === s.top) {
      const counted = countColumnPages(c, s.top);
      if (c.columnBytes !== counted) {
        fail(
          '3 (components)',
          `'${c.name}' keeps ${c.columnBytes} bytes of numeric columns, its pages count ${counted}`,
        );
      }
      const positions = countPositionPages(c, s.top);
      if (c.positionBytes !== positions) {
        fail('3 (components)', `'${c.name}' keeps ${c.positionBytes} bytes of positions, its pages count ${positions}`);
      }
    }
    // A reference element outlives no membership (a stale index there would name whatever object
    // reuses it once the index joins again, were the fields not cleared on joining too).
    for (const f of c.fields) {
      if (f.type !== 'ref' && f.type !== 'weakref') continue;
      for (let i = 1; i < s.top; i++) {
        if (c.position[i] !== 0) continue;
        for (let p = i * f.length; p < (i + 1) * f.length; p++) {
          if (f.column[p] !== 0) {
            fail('2 (components)', `field '${c.name}.${f.name}' of non-member ${i} holds ${f.column[p]}`);
          }
        }
      }
    }
    // The mask bit says what the position says, so a free visits exactly the components it has.
    for (let i = 0; i < c.position.length && c.bit !== 0; i++) {
      if (((c.mask[i]! & c.bit) !== 0) !== (c.position[i] !== 0)) {
        const what = c.position[i] !== 0 ? 'clear for a member' : 'set for a non-member';
        fail('3 (components)', `'${c.name}' mask bit of ${i} is ${what}`);
      }
    }
  }
  // Bits past the last component (of the last word) name none: nothing may set them.
  const unused = s.components.list.length & 31;
  const lastMask = unused === 0 ? undefined : s.components.masks[s.components.masks.length - 1];
  if (lastMask !== undefined) {
    const spare = ~((1 << unused) - 1);
    for (let i = 0; i < lastMask.length; i++) {
      if ((lastMask[i]! & spare) !== 0) fail('3 (components)', `mask of ${i} has a bit of no component set`);
    }
  }
  for (let i = 1; i < s.top; i++) {
    if (!isLive(s, i)) continue;
    if (((s.flags[i]! & HAS_COMPONENTS) !== 0) !== (counted[i] === 1)) {
      fail('3 (components)', `object ${i} has the component flag ${counted[i] ? 'clear' : 'set'} wrongly`);
    }
  }
  for (const q of store.queries.values()) {
    const all = q.all.map((c) => c.position);
    const none = q.none.map((c) => c.position);
    let expected = 0;
    for (let i = 1; i < s.top; i++) {
      if (!isLive(s, i)) continue;
      let match = true;
      for (let k = 0; k < all.length && match; k++) match = all[k]![i] !== 0;
      for (let k = 0; k < none.length && match; k++) match = none[k]![i] === 0;
      if (!match) continue;
      expected++;
      if (q.position[i] === 0) fail('3 (queries)', `query ${q.key} is missing object ${i}`);
    }
    let live = 0;
    for (let k = 0; k < q.count; k++) {
      const i = q.dense[k]!;
      if (q.position[i] !== k + 1) fail('3 (queries)', `query ${q.key} entry ${i} has position ${q.position[i]}`);
      if (isLive(s, i)) live++;
      else if (!sweeping(s) && !isCondemned(s, i)) fail('3 (queries)', `query ${q.key} holds dead object ${i}`);
    }
    if (live !== expected) fail('3 (queries)', `query ${q.key} holds ${live} live objects, ${expected} match`);
  }
}

/**
 * Destroyed objects (gc/destroy.ts): each is listed once, in one of the two lists, which hold
 * nothing else; it has no slots, components or finalizer left (but one whose hooks are running:
 * they may read them, and `dismantle` releases them after); the count of those still flagged
 * young is exact; a major cycle's reclaimable prefixes exist only while it runs.
 */
function verifyDestroyed(s: HeapState, destroying: readonly number[]): void {
  const seen = new Uint8Array(s.top);
  let youngFlagged = 0;
  const lists = [
    [s.destroyedYoung, s.destroyedYoungCount, 'young'],
    [s.destroyedOld, s.destroyedOldCount, 'old'],
  ] as const;
  for (const [list, count, name] of lists) {
    if (count > list.length) {
      fail('3 (destroyed)', `the ${name} list counts ${count} entries, but holds ${list.length}`);
    }
    for (let k = 0; k < count; k++) {
      const i = list[k]!;
      if (!isDestroyed(s, i)) fail('3 (destroyed)', `${name} list entry ${i} is not a destroyed object`);
      if (seen[i]) fail('3 (destroyed)', `destroyed object ${i} is listed twice`);
      seen[i] = 1;
    }
  }
  let destroyed = 0;
  for (let i = 1; i < s.top; i++) {
    if (s.color[i] !== DESTROYED) continue;
    destroyed++;
    if (!seen[i]) fail('3 (destroyed)', `destroyed object ${i} is in no list: its index would never be reclaimed`);
    if ((s.flags[i]! & YOUNG) !== 0) youngFlagged++;
    if (destroying.includes(i)) continue;
    if (s.size[i] !== 0) fail('3 (destroyed)', `destroyed object ${i} still has ${s.size[i]} slots`);
    if ((s.flags[i]! & (HAS_COMPONENTS | FINALIZABLE)) !== 0 || s.finalizers[i] !== undefined) {
      fail('3 (destroyed)', `destroyed object ${i} still has components or a finalizer`);
    }
  }
  if (destroyed !== s.destroyedYoungCount + s.destroyedOldCount) {
    fail(
      '3 (destroyed)',
      `the lists hold ${s.destroyedYoungCount + s.destroyedOldCount}, but ${destroyed} are destroyed`,
    );
  }
  if (youngFlagged !== s.youngDestroyed) {
    fail('3 (destroyed)', `${s.youngDestroyed} destroyed objects counted young, recount finds ${youngFlagged}`);
  }
  if (s.destroyedYoungAtStart > s.destroyedYoungCount || s.destroyedOldAtStart > s.destroyedOldCount) {
    fail('3 (destroyed)', 'a cycle may reclaim more destroyed objects than are listed');
  }
  if ((s.phase === IDLE || s.phase === MINOR_FINALIZE) && s.destroyedYoungAtStart + s.destroyedOldAtStart !== 0) {
    fail('3 (destroyed)', 'destroyed objects are marked reclaimable outside a major cycle');
  }
}
