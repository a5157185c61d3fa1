/**
 * `verify()` must notice each broken invariant. These tests corrupt the state behind a heap on
 * purpose (through the library-internal `stateOf`) and expect the error to name the invariant:
 * one corruption per check in src/gc/verify.ts, each on a heap that verifies before it, in the
 * phase where the check applies. (Mutation testing, docs/mutation-testing.md, is what found the
 * checks no test broke.)
 */
import { describe, expect, it } from 'vitest';
import { type Component, Heap, HeapCorruptionError, type Index, type Ref } from '../mod.ts';
import { stateOf } from '../src/heap.ts';
import { blockClass, FREE_LINKED, FREE_SINGLE, linkOf } from '../src/core/slots.ts';
import { cardsFor } from '../src/core/columns.ts';
import {
  AGE_SHIFT,
  BOTH_MARKS,
  CARD_DIRTY_SLOT,
  CARD_SLOT,
  CLEAR,
  DEAD,
  DESTROYED_ANY,
  FINALIZE,
  growHeaders,
  HAS_COMPONENTS,
  type HeapState,
  MARK,
  MINOR_FINALIZE,
  NO_COLOR,
  PROMOTE,
  RETIRED,
  SWEEP,
  TENURE,
  YOUNG,
} from '../src/core/state.ts';

/** A small heap with a pinned old world, a free index (3), a young object and a dirty card. */
function sample(): { heap: Heap; s: HeapState; world: number; young: number } {
  const heap = new Heap({ cardSize: 1 });
  const world = heap.alloc(2);
  heap.pin(world);
  // Objects of one slot count, so one page of indices (core/free-list.ts) holds them all.
  heap.alloc(2); // garbage: indices 2 and 3 become free, and the young object takes 2
  heap.alloc(2);
  heap.collect();
  const young = heap.alloc(2);
  // Two slots naming young objects: the world is remembered whole, by a dirty card (as well as by
  // the remembered slot its first store made).
  heap.set(world, 0, young);
  heap.set(world, 1, young);
  heap.verify();
  return { heap, s: stateOf(heap), world: heap.index(world), young: heap.index(young) };
}

function expectBroken(heap: Heap, invariant: RegExp): void {
  expect(() => heap.verify()).toThrow(HeapCorruptionError);
  expect(() => heap.verify()).toThrow(invariant);
}

/** The index `free` is free (and not retired) in `sample()`. */
const FREE_INDEX = 3;

describe('verify() names the broken invariant', () => {
  it('passes on a healthy heap', () => {
    sample().heap.verify();
  });

  it('1: a free list with a cycle, a live entry or a missing index', () => {
    let { heap, s } = sample();
    s.freeHeads[2] = 0; // index 3 is free but no longer listed
    expectBroken(heap, /invariant 1 .*free/);
    ({ heap, s } = sample());
    s.next[s.freeHeads[2]] = s.freeHeads[2];
    expectBroken(heap, /invariant 1 .*twice/);
  });

  it('2: a strong slot naming a freed object', () => {
    const { heap, s, world } = sample();
    s.slots[s.base[world]! + 1] = 3;
    expectBroken(heap, /invariant 2 .*not live/);
  });

  it('3: overlapping slot blocks, or counts that do not match', () => {
    let { heap, s, world, young } = sample();
    s.base[young] = s.base[world]!;
    expectBroken(heap, /invariant 3 .*overlaps/);
    ({ heap, s } = sample());
    s.live++;
    expectBroken(heap, /invariant 3 .*live count/);
  });

  /** Objects of one slot at slots 1, 2, 3, 4; the first freed (its slot a free block), the others pinned; `at` holds their indices. */
  function pool(): { heap: Heap; s: HeapState; at: number[] } {
    const heap = new Heap();
    const refs = [heap.alloc(1), heap.alloc(1), heap.alloc(1), heap.alloc(1)];
    for (const ref of refs.slice(1)) heap.pin(ref);
    heap.collect();
    heap.verify();
    const s = stateOf(heap);
    const at = [0, ...refs.slice(1).map((ref) => heap.index(ref))]; // (the first is freed)
    expect(at.slice(1).map((i) => s.base[i])).toEqual([2, 3, 4]);
    expect([s.freeSingleCount, s.freeSingles[0], s.slotTop]).toEqual([1, 1, 5]);
    return { heap, s, at };
  }

  it('3: free buddies left unmerged', () => {
    const { heap, s, at } = pool();
    // Object 2's slot becomes a free one-slot block beside the free slot 1, without merging.
    const i = at[1]!;
    s.size[i] = 0;
    s.base[i] = 0;
    s.slotsUsed--;
    s.freeSingles[1] = 2;
    s.slots[2] = FREE_SINGLE + 1;
    s.freeSingleCount = 2;
    // Small buddies may be left unmerged, as many pairs as were freed unmerged since the last merge.
    expect(s.lazyFrees).toBe(1); // (the first object's block was freed so)
    s.lazyFrees = 0;
    expectBroken(heap, /invariant 3 .*1 pair of free small buddies are unmerged, more than lazyFrees 0/);
    s.lazyFrees = 1;
    heap.verify();
    s.lazyFrees = -1;
    expectBroken(heap, /invariant 3 .*more than lazyFrees -1/);
    s.lazyFrees = 3;
    expectBroken(heap, /invariant 3 .*lazyFrees 3 counts more than the 2 free small blocks/);
  });

  it('3: free buddies of class 2 or more left unmerged', () => {
    const heap = new Heap();
    const s = stateOf(heap);
    const keep = heap.pin(heap.alloc(8)); // [1, 9), so the blocks below stay off the top
    const [a, b] = [heap.alloc(4), heap.alloc(4)]; // [9, 13) and [13, 17), buddies of class 2
    heap.pin(heap.alloc(16)); // [17, 33)
    expect([s.base[heap.index(a)], s.base[heap.index(b)]]).toEqual([9, 13]);
    heap.collect(); // they merge: one free block of class 3 at 9
    heap.verify();
    expect(s.freeBlocks[3]).toBe(9);
    // Split it by hand into two free class-2 blocks, unmerged, however many small frees are pending.
    s.freeBlocks[3] = 0;
    s.slots[9 + 7] = 0;
    s.slots[9] = FREE_LINKED + (13 + 1) / 2;
    s.slots[10] = FREE_LINKED;
    s.slots[12] = FREE_LINKED + 2;
    s.slots[13] = FREE_LINKED;
    s.slots[14] = FREE_LINKED + (9 + 1) / 2;
    s.slots[16] = FREE_LINKED + 2;
    s.freeBlocks[2] = 9;
    s.freeClasses = 1 << 2;
    s.lazyFrees = 100;
    expectBroken(heap, /invariant 3 .*free blocks 9 and 13 are buddies of class 2, not merged/);
    expect(keep).toBeGreaterThan(0);
  });

  it('3: a free block at the top, a slot in no block, a stray marker, a wrong class mask', () => {
    let { heap, s, at } = pool();
    // The top object's block goes, and the top with it: now slot 3's block (live) ends at the
    // top; make slot 3 free too, listed, and leave it there.
    s.size[at[3]!] = 0;
    s.base[at[3]!] = 0;
    s.size[at[2]!] = 0;
    s.base[at[2]!] = 0;
    s.slotsUsed -= 2;
    s.slots[3] = FREE_SINGLE + 1;
    s.freeSingles[1] = 3;
    s.freeSingleCount = 2;
    s.slotTop = 4;
    expectBroken(heap, /invariant 3 .*ends at the top/);
    ({ heap, s } = pool());
    s.freeSingleCount = 0; // slot 1 is free but listed nowhere
    s.freeSingles[0] = 0;
    s.slots[1] = 0;
    s.freeClasses = 0;
    expectBroken(heap, /invariant 3 .*slot 1 below the top 5 belongs to no block/);
    ({ heap, s } = pool());
    const big = heap.alloc(3); // a block of 4: its fourth slot is unused
    s.slots[s.base[heap.index(big)]! + 3] = FREE_SINGLE;
    expectBroken(heap, /invariant 3 .*a free block's marker/);
    ({ heap, s } = pool());
    s.freeClasses |= 4;
    expectBroken(heap, /invariant 3 .*freeClasses/);
  });

  it('3: a misplaced block, or a pool not zero above its top', () => {
    let { heap, s, at } = pool();
    const big = heap.alloc(2);
    s.base[heap.index(big)]! -= 1; // a two-slot block at an odd offset (3)
    expectBroken(heap, /invariant 3 .*starts at offset 3, not a multiple of its size/);
    ({ heap, s, at } = pool());
    s.slots[s.slotTop + 1] = 7;
    expectBroken(heap, /invariant 3 .*above the top/);
    expect(at).toHaveLength(4);
  });

  it('4: a pin naming a freed object', () => {
    const { heap, s } = sample();
    s.pinTarget[1] = 3;
    expectBroken(heap, /invariant 4 \(pins\).*pin 1 names 3, which is not live/);
  });

  it('5: an old-to-young reference in a clean card', () => {
    const { heap, s, world } = sample();
    s.cards[world]! = 0;
    s.dirtyCount = 0;
    s.rememberedSlotCount = 0;
    expectBroken(heap, /invariant 5 .*card is clean/);
  });

  it('3 (layout): columns, stacks and lists the collector indexes without checking', () => {
    let { heap, s } = sample();
    s.generation = s.generation.subarray(0, s.top); // alloc() would make a NaN handle
    expectBroken(heap, /invariant 3 \(layout\) .*'generation'/);
    ({ heap, s } = sample());
    s.pinGeneration = s.pinGeneration.subarray(0, s.pinTop); // pin() would make a NaN ticket
    expectBroken(heap, /invariant 3 \(layout\) .*pin columns/);
    ({ heap, s } = sample());
    s.markStack = new Uint32Array(0); // collect() would never return
    expectBroken(heap, /invariant 3 \(layout\) .*'markStack' holds 0 of 0/);
    ({ heap, s } = sample());
    s.scopeStack = new Uint32Array(0); // a scoped object would be lost, and freed
    expectBroken(heap, /invariant 3 \(layout\) .*'scopeStack'/);
    ({ heap, s } = sample());
    s.dirtyCards = new Uint32Array(0); // dirtyCard() would never grow it, and drop the card
    expectBroken(heap, /invariant 3 \(layout\) .*'dirtyCards' holds 1 of 0/);
  });

  it('4: a pin free list past pinTop, through a pin in use, or missing a free pin', () => {
    let { heap, s } = sample();
    s.pinFreeHead = s.pinTop; // pin() would use a slot no collection looks at
    expectBroken(heap, /invariant 4 .*at or past pinTop/);
    ({ heap, s } = sample());
    s.pinFreeHead = 1;
    expectBroken(heap, /invariant 4 .*in use/);
    ({ heap, s } = sample());
    const ticket = heap.pin(heap.refAt(1 as Index));
    heap.unpin(ticket);
    s.pinFreeHead = 0;
    expectBroken(heap, /invariant 4 .*neither on the pin free list nor retired/);
  });

  it('6: a live object of an idle heap without the mark value', () => {
    const { heap, s, world } = sample();
    heap.collect();
    s.color[world] = 3 - s.markValue;
    expectBroken(heap, /invariant 6 .*not the mark value/);
  });

  it('1: a never-used index with a generation', () => {
    const { heap, s } = sample();
    s.generation[s.top] = 5;
    expectBroken(heap, /invariant 1 .*never-used index/);
  });

  it('7: a young object missing from the nursery', () => {
    const { heap, s } = sample();
    s.nurseryHead = 0;
    expectBroken(heap, /invariant 7 \(nursery\).*the nursery holds 0 objects, but 1 are young/);
  });
});

/** A corruption of a fixture's state, and the message `verify()` must throw for it. */
type Case = [name: string, corrupt: (f: Fixture) => void, message: RegExp];

interface Fixture {
  heap: Heap;
  s: HeapState;
  /** Named object indices of the fixture. */
  at: Record<string, number>;
}

function fixture(heap: Heap, refs: Record<string, Ref>, phase?: number): Fixture {
  const s = stateOf(heap);
  if (phase !== undefined) expect(s.phase).toBe(phase);
  heap.verify();
  const at: Record<string, number> = {};
  for (const [name, ref] of Object.entries(refs)) at[name] = heap.index(ref);
  return { heap, s, at };
}

function check(make: () => Fixture, cases: Case[]): void {
  for (const [name, corrupt, message] of cases) {
    it(name, () => {
      const f = make();
      corrupt(f);
      expectBroken(f.heap, message);
    });
  }
}

/** Removes `index`'s card from the remembered set. */
function cleanCard(s: HeapState, index: number): void {
  const card = index >>> s.cardShift;
  s.cards[card] = 0;
  let kept = 0;
  for (let k = 0; k < s.dirtyCount; k++) if (s.dirtyCards[k] !== card) s.dirtyCards[kept++] = s.dirtyCards[k]!;
  s.dirtyCount = kept;
}

/** Between cycles: an old pinned world holding a young object, a free index, a dirty card. */
function idle(options: ConstructorParameters<typeof Heap>[0] = {}): Fixture {
  const { heap, world, young } = sample0(options);
  return fixture(heap, { world, young });
}

function sample0(options: ConstructorParameters<typeof Heap>[0]): { heap: Heap; world: Ref; young: Ref } {
  const heap = new Heap({ cardSize: 1, ...options });
  const world = heap.alloc(2);
  heap.pin(world);
  heap.alloc(2);
  heap.alloc(2);
  heap.collect();
  const young = heap.alloc(2);
  heap.set(world, 0, young);
  heap.set(world, 1, young); // remembered whole, as in `sample`
  return { heap, world, young };
}

/** An empty heap: no object, pin or list entry trips a later check, so only the layout check sees what is wrong. */
function empty(options: ConstructorParameters<typeof Heap>[0] = {}): Fixture {
  return fixture(new Heap(options), {});
}

/** `column` grown to `length` entries (zero past its end). */
function grown(column: Uint32Array, length: number): Uint32Array {
  const longer = new Uint32Array(length);
  longer.set(column);
  return longer;
}

/** A heap making an oversized nursery old in slices outside a cycle: TENURE, the last phase. */
function tenuring(): Fixture {
  const heap = new Heap({ nurserySize: 10, minHeapObjects: 1_000_000 });
  const root = heap.alloc(100);
  heap.pin(root);
  heap.tenure();
  for (let k = 0; k < 10; k++) heap.set(root, k, heap.alloc(0));
  heap.minor(); // measures survival: all of it
  for (let k = 10; k < 60; k++) heap.set(root, k, heap.alloc(0));
  heap.tick({ units: 10 }); // the minor does not fit: 10 of the 50 are made old
  return fixture(heap, { root }, TENURE);
}

describe('verify(): the layout (invariant 3)', () => {
  check(empty, [
    // Each of these passes every other check on an empty heap, yet breaks what the heap does next.
    ['a top of 0 (alloc would hand out NULL)', ({ s }) => void (s.top = 0), /invariant 3 \(layout\).*top 0 and/],
    [
      'a mark value that is no mark (alloc would color objects FREE)',
      ({ s }) => {
        s.markValue = 0;
        s.white = BOTH_MARKS; // its other mark
      },
      /invariant 3 \(layout\).*the mark value is 0/,
    ],
    [
      'a slotTop of 0 (the next block would start at the reserved slot 0)',
      ({ s }) => void (s.slotTop = 0),
      /invariant 3 \(layout\).*slotTop 0 does not fit the pool/,
    ],
    [
      'a negative count (a push would be lost)',
      ({ s }) => void (s.scopeTop = -1),
      /invariant 3 \(layout\).*'scopeStack' holds -1 of 64 entries/,
    ],
  ]);

  check(() => empty({ maxObjects: 8, maxSlots: 8 }), [
    [
      'header columns past maxObjects (alloc would make indices no handle can name)',
      ({ s }) => growHeaders(s, s.maxObjects + 2),
      /invariant 3 \(layout\).*top 1 and columnLength 10 are out of order/,
    ],
    [
      'a slot pool past maxSlots',
      ({ s }) => void (s.slots = grown(s.slots, s.maxSlots + 1)),
      /invariant 3 \(layout\).*slotTop 1 does not fit the pool of 9 slots \(maxSlots 8\)/,
    ],
  ]);

  check(() => idle(), [
    ['a top past the columns', ({ s }) => void (s.top = s.columnLength + 1), /invariant 3 \(layout\).*top \d+ and/],
    [
      'a slotTop past the pool',
      ({ s }) => void (s.slotTop = s.slots.length + 1),
      /invariant 3 \(layout\).*slotTop \d+ does not fit the pool/,
    ],
    [
      'too few block free lists for the largest object',
      ({ s }) => void (s.freeBlocks = new Uint32Array(blockClass(s.maxSlotsPerObject))),
      /invariant 3 \(layout\).*20 block free lists cannot hold blocks of 1048576 slots/,
    ],
    // Each list's message names it (the other lists' are checked with their own invariants).
    ...(['youngWeak', 'rememberedWeak', 'finalizable', 'youngFinalizable'] as const).map((name): Case => [
      `a count past the array of '${name}'`,
      ({ s }) => void (s[`${name}Count`] = s[name].length + 1),
      new RegExp(`invariant 3 \\(layout\\).*'${name}' holds 17 of 16 entries`),
    ]),
    [
      'a short pin link column',
      ({ s }) => void (s.pinNext = s.pinNext.subarray(0, s.pinTop)),
      /invariant 3 \(layout\).*the pin columns have 64, 64 and 2 entries/,
    ],
    ['a pinTop of 0', ({ s }) => void (s.pinTop = 0), /invariant 3 \(layout\).*pinTop 0 does not fit the pin table/],
    [
      'a pinTop past the pin columns',
      ({ s }) => void (s.pinTop = s.pinTarget.length + 1),
      /invariant 3 \(layout\).*pinTop 65 does not fit the pin table of 64/,
    ],
    [
      'a card table short of the columns',
      ({ s }) => void (s.cards = s.cards.slice(0, cardsFor(s.columnLength, s.cardShift) - 1)),
      /invariant 3 \(layout\).*\d+ cards do not cover \d+ indices/,
    ],
  ]);

  it('a pin table past what tickets can name', () => {
    const heap = new Heap({ indexBits: 16 });
    const s = stateOf(heap);
    const world = heap.alloc(0);
    for (let k = 0; k < s.codec.indexMask; k++) heap.pin(world);
    expect(() => heap.pin(world)).toThrow(/pin table full/);
    heap.verify();
    // One pin more: its ticket would name pin 0 (the index part of a ticket is `indexMask` wide).
    s.pinTarget = grown(s.pinTarget, s.pinTop + 1);
    s.pinGeneration = grown(s.pinGeneration, s.pinTop + 1);
    s.pinNext = grown(s.pinNext, s.pinTop + 1);
    s.pinTarget[s.pinTop++] = heap.index(world);
    s.pinsLive++;
    expectBroken(heap, /invariant 3 \(layout\).*pinTop 65537 does not fit the pin table of 65537/);
  });

  it('accepts a list of one entry (a snapshot restores a list at any capacity from one), which grows', () => {
    const { heap, s } = idle();
    s.scopeStack = new Uint32Array(1);
    heap.verify();
    heap.scope(() => {
      heap.alloc(0);
      heap.alloc(0);
      expect(s.scopeStack).toHaveLength(2);
      heap.verify();
    });
  });

  it('accepts a heap in TENURE, the last phase', () => {
    tenuring().heap.verify();
  });

  it("a numeric array field's column of another length", () => {
    const heap = new Heap({ maxObjects: 100 });
    const V = heap.defineComponent({ v: ['f32', 2] }, { name: 'V' });
    const e = heap.alloc(0);
    heap.pin(e);
    heap.add(e, V, { v: [3, 4] });
    heap.verify();
    // Numeric columns are allocated for maxObjects + 1 indices, `length` entries each.
    stateOf(heap).components.list[0]!.fields[0]!.column = new Float32Array(101);
    expectBroken(heap, /invariant 3 \(layout\).*column 'V.v' has 101 entries, expected 202/);
  });
});

describe('verify(): headers and counts (invariants 1 and 3)', () => {
  check(() => idle(), [
    ['index 0 with a color', ({ s }) => void (s.color[0] = 1), /invariant 3 .*reserved index 0/],
    ['index 0 with a generation', ({ s }) => void (s.generation[0] = 1), /invariant 3 .*reserved index 0/],
    ['index 0 with slots', ({ s }) => void (s.size[0] = 1), /invariant 3 .*reserved index 0/],
    ['index 0 with a block', ({ s }) => void (s.base[0] = 1), /invariant 3 .*reserved index 0/],
    ['index 0 with a link', ({ s }) => void (s.next[0] = 1), /invariant 3 .*reserved index 0/],
    ['index 0 with flags', ({ s }) => void (s.flags[0] = 1), /invariant 3 .*reserved index 0 \(NULL\) has flags 1/],
    [
      'a header column of another length',
      ({ s }) => {
        const longer = new Uint32Array(s.columnLength + 1);
        longer.set(s.size);
        s.size = longer;
      },
      /invariant 3 \(layout\).*header column 'size' has \d+ entries, columnLength is/,
    ],
    [
      'a generation past the maximum',
      ({ s, at }) => void (s.generation[at.world!] = s.codec.maxGeneration + 1),
      /invariant 3 .*generation \d+ past the maximum/,
    ],
    [
      'a free index with slots',
      ({ s }) => void (s.size[FREE_INDEX] = 1),
      /invariant 3 .*free index 3 still has 1 slots/,
    ],
    ['a color that is no mark value', ({ s, at }) => void (s.color[at.world!] = 3), /invariant 3 .*has color 3/],
    [
      "a minor's dead color outside a minor's finalizers",
      ({ s, at }) => void (s.color[at.young!] = DEAD),
      /invariant 3 .*has color 4/,
    ],
    ['a never-used index with a color', ({ s }) => void (s.color[s.top] = 1), /invariant 1 .*never-used index/],
    ['a never-used index with flags', ({ s }) => void (s.flags[s.top] = YOUNG), /invariant 1 .*never-used index/],
    // `alloc` takes a never-used index as it is: each of these would become the new object's.
    ['a never-used index with slots', ({ s }) => void (s.size[s.top] = 1), /invariant 1 .*never-used index/],
    ['a never-used index with a block', ({ s }) => void (s.base[s.top] = 1), /invariant 1 .*never-used index/],
    ['a never-used index with a link', ({ s }) => void (s.next[s.top] = 1), /invariant 1 .*never-used index/],
    ['a wrong retired count', ({ s }) => void s.retired++, /invariant 3 .*retired count is 1, recount finds 0/],
    ['a wrong slot count', ({ s }) => void s.slotsUsed++, /invariant 3 .*slotsUsed is 5, recount finds 4/],
  ]);
});

describe('verify(): the free list (invariant 1)', () => {
  check(() => idle(), [
    ['an entry past the top', ({ s }) => void (s.freeHeads[2] = s.top), /invariant 1 .*lies at or past the top/],
    [
      'a tail that is not the last entry',
      ({ s }) => void (s.freeTails[2] = 0),
      /invariant 1 .*queue 2's tail is 0, but the last entry is 255/,
    ],
    [
      'a live index on it',
      ({ s, at }) => void (s.next[FREE_INDEX] = at.world!),
      /invariant 1 .*live index 1 is on the free list/,
    ],
    [
      'a retired index on it',
      ({ s }) => {
        s.flags[FREE_INDEX] = RETIRED;
        s.retired++;
      },
      /invariant 1 .*retired index 3 is on the free list/,
    ],
  ]);

  it('a free index dropped from the head, the tail still right', () => {
    const heap = new Heap();
    heap.pin(heap.alloc(0));
    heap.alloc(0);
    heap.alloc(0);
    heap.collect();
    heap.verify();
    const s = stateOf(heap);
    // Index 1 pinned, 2 and 3 freed, 4-255 never used: the page carved for class 0 (0 slots).
    expect([s.freeHeads[0], s.next[s.freeHeads[0]!], s.freeTails[0]]).toEqual([2, 3, 255]);
    s.freeHeads[0] = 3; // index 2 would never be handed out again
    expectBroken(
      heap,
      /invariant 1 \(free list\).*entries in the free queues and the spent stack: 253; free indices: 254/,
    );
  });
});

describe('verify(): the spent stack (invariant 1)', () => {
  /** A heap (indexBits 24: 64 small generations an index) whose spent stack holds index 2. */
  function withSpent(): { heap: Heap; s: ReturnType<typeof stateOf> } {
    const heap = new Heap({ indexBits: 24, initialCapacity: 4 });
    heap.pin(heap.alloc(0));
    heap.alloc(0); // index 2, churned below
    for (let k = 3; k < 256; k++) heap.pin(heap.alloc(0)); // the rest of the first page, kept
    heap.minor();
    for (let round = 1; round < 64; round++) {
      heap.alloc(0);
      heap.minor();
    }
    // Meets index 2 spent at the head of the queue: sets it aside, carves the next page, takes 256.
    heap.alloc(0);
    const s = stateOf(heap);
    expect([s.spentHead, s.next[2], s.freeHeads[0], s.top]).toEqual([2, 0, 257, 512]);
    heap.verify();
    return { heap, s };
  }

  it('an index on the spent stack that is not spent', () => {
    const { heap, s } = withSpent();
    s.generation[2] = 63;
    expectBroken(heap, /invariant 1 .*index 2 of generation 63 is on the spent stack, yet not spent/);
  });

  it('a live index on it', () => {
    const { heap, s } = withSpent();
    s.next[2] = 3; // index 3 holds the object just allocated
    expectBroken(heap, /invariant 1 .*live index 3 is on the spent stack/);
  });

  it('an index on both lists', () => {
    const { heap, s } = withSpent();
    s.freeHeads[0] = s.freeTails[0] = 2;
    expectBroken(heap, /invariant 1 .*index 2 appears twice/);
  });

  it('a spent index dropped', () => {
    const { heap, s } = withSpent();
    s.spentHead = 0;
    expectBroken(heap, /invariant 1 .*entries in the free queues and the spent stack: 255; free indices: 256/);
  });
});

describe('verify(): slot blocks (invariant 3)', () => {
  check(() => idle(), [
    [
      'a block at slot 0',
      ({ s, at }) => void (s.base[at.world!] = 0),
      /invariant 3 \(slot blocks\).*the block of object 1 \[0, 2\) lies outside the pool \[1, \d+\)/,
    ],
    ['a block past the pool', ({ s, at }) => void (s.base[at.world!] = s.slotTop), /invariant 3 .*outside the pool/],
    [
      'an object with more slots than maxSlotsPerObject',
      ({ s }) => void ((s as { maxSlotsPerObject: number }).maxSlotsPerObject = 1),
      /invariant 3 .*object 1 has 2 slots, more than maxSlotsPerObject/,
    ],
    ['a word in the reserved slot 0', ({ s }) => void (s.slots[0] = 7), /invariant 3 .*reserved slot 0 holds 7/],
    [
      'a free list of another class count',
      ({ s }) => {
        const longer = new Uint32Array(33);
        longer.set(s.freeBlocks);
        s.freeBlocks = longer;
      },
      /invariant 3 \(slot blocks\).*freeBlocks has 33 classes, not 32/,
    ],
    [
      'a stale entry past the count of the single-slot free list',
      ({ s }) => void (s.freeSingles[15] = 9),
      /invariant 3 \(slot blocks\).*freeSingles\[15\] holds 9 past its count/,
    ],
    [
      'a stale entry past the count of the two-slot free list',
      ({ s }) => void (s.freePairs[15] = 9),
      /invariant 3 \(slot blocks\).*freePairs\[15\] holds 9 past its count/,
    ],
    [
      'a dense free list counted below zero',
      ({ s }) => void (s.freePairCount = -1), // its array is all zero: no other check notices
      /invariant 3 \(slot blocks\).*freePairs counts -1 blocks, its array holds 16/,
    ],
  ]);
});

/**
 * One free block of each kind of list, none beside a free buddy: a single at slot 1 (slot 2 is
 * live), a pair at 3 (its buddy [1, 3) holds the live slot 2), a block of class 2 at 5 (its buddy
 * [1, 5) is no one free block), and a live slot 9 above them, so none ends at the top.
 */
function freeBlocks(): Fixture {
  const heap = new Heap();
  heap.alloc(1);
  const low = heap.alloc(1);
  heap.alloc(2);
  heap.alloc(4);
  const high = heap.alloc(1);
  heap.pin(low);
  heap.pin(high);
  heap.collect();
  const f = fixture(heap, { low, high });
  const s = f.s;
  expect([s.freeSingleCount, s.freeSingles[0], s.freePairCount, s.freePairs[0], s.freeBlocks[2], s.slotTop])
    .toEqual([1, 1, 1, 3, 5, 10]);
  return f;
}

describe("verify(): the buddy pool's free lists (invariant 3)", () => {
  check(freeBlocks, [
    [
      'a dense list entry past its count',
      ({ s }) => void (s.freeSingles[1] = 7),
      /invariant 3 \(slot blocks\).*freeSingles\[1\] holds 7 past its count 1/,
    ],
    [
      'a dense list entry naming a live block',
      ({ s }) => void (s.freeSingles[0] = 2),
      /invariant 3 \(slot blocks\).*free block 2 of class 0 overlaps another block at slot 2/,
    ],
    [
      'a free single naming another list position',
      ({ s }) => void (s.slots[1] = FREE_SINGLE + 1), // taking it off would write entry 1, past the count
      /invariant 3 \(slot blocks\).*free block 1 of class 0 does not name its class and list position 0/,
    ],
    [
      'a free pair without its class word',
      ({ s }) => void (s.slots[4] = 0), // the block ending at slot 5 would not be found free
      /invariant 3 \(slot blocks\).*free block 3 of class 1 does not name its class and list position 0/,
    ],
    [
      'a block list for a dense class',
      ({ s }) => void (s.freeBlocks[0] = 1),
      /invariant 3 \(slot blocks\).*freeBlocks\[0\] is 1; class 0 is freeSingles/,
    ],
    [
      'a linked free block whose first word is no link',
      ({ s }) => void (s.slots[5] = 0),
      /invariant 3 \(slot blocks\).*free block 5 of class 2 does not name its class and neighbours/,
    ],
    [
      'a linked free block with a wrong back link',
      ({ s }) => void (s.slots[6] = FREE_LINKED + linkOf(9)), // it is the head: its back link is none
      /invariant 3 \(slot blocks\).*free block 5 of class 2 does not name its class and neighbours/,
    ],
    [
      'a linked free block whose last word names another class',
      ({ s }) => void (s.slots[8] = FREE_LINKED + 3),
      /invariant 3 \(slot blocks\).*free block 5 of class 2 does not name its class and neighbours/,
    ],
    [
      'a cycle in a linked free list',
      ({ s }) => void (s.slots[5] = FREE_LINKED + linkOf(5)),
      /invariant 3 \(slot blocks\).*free block 5 of class 2 overlaps another block at slot 5/,
    ],
    [
      'a list of the largest class naming a block',
      ({ s }) => void (s.freeBlocks[30] = 1),
      /invariant 3 \(slot blocks\).*free block 1 of class 30 \[1, \d+\) lies outside the pool/,
    ],
    [
      'a list for a class past the largest',
      ({ s }) => void (s.freeBlocks[31] = 5),
      /invariant 3 \(slot blocks\).*freeBlocks\[31\] is 5; no block is larger than class 30/,
    ],
  ]);

  it('accepts lazyFrees up to the free small blocks, singles and pairs alike', () => {
    const { heap, s } = freeBlocks(); // one free single, one free pair
    s.lazyFrees = 2; // an upper bound: no pair is unmerged
    heap.verify();
    s.lazyFrees = 3;
    expectBroken(heap, /invariant 3 .*lazyFrees 3 counts more than the 2 free small blocks/);
    s.lazyFrees = 0.5; // no count of pairs, though no pair is unmerged past it
    expectBroken(heap, /invariant 3 .*0 pairs of free small buddies are unmerged, more than lazyFrees 0.5/);
  });

  it('accepts a dense free list full to its last entry, and no count past it', () => {
    const heap = new Heap();
    const refs = Array.from({ length: 32 }, () => heap.alloc(1)); // slots 1 to 32
    for (let k = 1; k < 32; k += 2) heap.pin(refs[k]!);
    heap.collect(); // the odd slots are freed, each beside its live buddy: 16 free singles
    const s = stateOf(heap);
    expect([s.freeSingleCount, s.freeSingles.length]).toEqual([16, 16]); // it grows on the next push
    heap.verify();
    s.freeSingleCount = 17; // alloc(1) would take entry 16, which does not exist
    expectBroken(heap, /invariant 3 \(slot blocks\).*freeSingles counts 17 blocks, its array holds 16/);
  });
});

describe('verify(): roots (invariant 4)', () => {
  check(() => idle(), [
    ['a wrong pin count', ({ s }) => void s.pinsLive++, /invariant 4 .*pin count is 2, recount finds 1/],
  ]);

  /** Between cycles, pin 1 in use (the world) and pin 2 freed: the pin free list is [2]. */
  const pins = (): Fixture => {
    const f = idle();
    f.heap.unpin(f.heap.pin(f.heap.refAt(f.at.young! as Index)));
    f.heap.verify();
    expect([f.s.pinFreeHead, f.s.pinNext[2], f.s.pinTop, f.s.pinTarget.length]).toEqual([2, 0, 3, 64]);
    return f;
  };
  check(pins, [
    [
      'a cycle in the pin free list',
      ({ s }) => void (s.pinNext[2] = 2), // pin() would hand out pin 2 twice
      /invariant 4 \(pins\).*the pin free list holds pin 2 twice \(a cycle\)/,
    ],
    [
      'a pin generation past the maximum',
      ({ s }) => void (s.pinGeneration[1] = s.codec.maxGeneration + 1),
      /invariant 4 \(pins\).*pin 1 has generation \d+/,
    ],
    [
      'pin slot 0 with a target',
      ({ s, at }) => void (s.pinTarget[0] = at.world!),
      /invariant 4 \(pins\).*pin 0 was never used but is not blank/,
    ],
    [
      'a never-used pin slot with a generation',
      ({ s }) => void (s.pinGeneration[s.pinTop] = 1), // pin() would take it as it is
      /invariant 4 \(pins\).*pin 3 was never used but is not blank/,
    ],
    [
      'the last pin slot with a link',
      ({ s }) => void (s.pinNext[63] = 1),
      /invariant 4 \(pins\).*pin 63 was never used but is not blank/,
    ],
  ]);

  it('a scoped object that is not live', () => {
    const heap = new Heap();
    heap.scope(() => {
      heap.alloc(0);
      heap.verify();
      const s = stateOf(heap);
      s.scopeStack[0] = 5;
      expectBroken(heap, /invariant 4 \(scopes\).*scoped object 5 is not live/);
      s.scopeStack[0] = 1;
    });
  });
});

describe('verify(): the nursery (invariant 7)', () => {
  it('accepts a promotion list in TENURE (a nursery made old alone, in slices)', () => {
    const heap = new Heap({ nurserySize: 10, minHeapObjects: 1_000_000 });
    const root = heap.alloc(100);
    heap.pin(root);
    heap.tenure();
    for (let k = 0; k < 10; k++) heap.set(root, k, heap.alloc(0));
    expect(heap.minor().freed).toBe(0); // survival measured: all of it
    for (let k = 10; k < 60; k++) heap.set(root, k, heap.alloc(0));
    // The minor does not fit 10 units, no cycle is due: the tick starts making the nursery old.
    expect(heap.tick({ units: 10 })).toMatchObject({ work: 'tenure', units: 10 });
    const s = stateOf(heap);
    expect(s.phase).toBe(TENURE);
    expect(s.promoteHead).not.toBe(0);
    heap.verify();
  });

  check(() => idle(), [
    [
      'a promotion list outside PROMOTE',
      ({ s, at }) => void (s.promoteHead = at.young!),
      /invariant 7 .*a promotion list outside PROMOTE/,
    ],
    [
      'an entry past the top',
      ({ s }) => void (s.nurseryHead = s.top),
      /invariant 7 .*nursery entry \d+ lies past the top/,
    ],
    [
      'a free entry',
      ({ s }) => void (s.nurseryHead = FREE_INDEX),
      /invariant 7 .*nursery entry 3 is not a live object/,
    ],
    ['a cycle', ({ s, at }) => void (s.next[at.young!] = at.young!), /invariant 7 .*appears twice/],
    [
      'an old object in it',
      ({ s, at }) => {
        s.next[at.young!] = at.world!;
      },
      /invariant 7 .*old object 1 is in the nursery/,
    ],
    [
      'an object past promotion age',
      ({ s, at }) => void (s.flags[at.young!] = s.flags[at.young!]! | (s.promoteAfter << AGE_SHIFT)),
      /invariant 7 .*object 2 is past promotion age/,
    ],
    ['a wrong young count', ({ s }) => void s.young++, /invariant 7 .*young count is 2, recount finds 1/],
  ]);

  check(() => idle({ generational: false }), [
    [
      'young objects in a heap without generations',
      ({ s, at }) => {
        s.flags[at.young!] = s.flags[at.young!]! | YOUNG;
        s.next[at.young!] = 0;
        s.nurseryHead = at.young!;
        s.young = 1;
      },
      /invariant 7 .*a heap without generations has young objects/,
    ],
  ]);
});

describe('verify(): the remembered set (invariant 5)', () => {
  it('accepts remembered-slot and dirty-card lists full to their last entries', () => {
    const heap = new Heap({ cardSize: 1 });
    const root = heap.alloc(64);
    heap.pin(root);
    const holders: Ref[] = [];
    for (let k = 0; k < 64; k++) {
      holders.push(heap.alloc(2));
      heap.set(root, k, holders[k]!);
    }
    heap.tenure(); // all old, every card clean
    // 64 old objects, a card each, name young ones in both slots: a remembered slot each, then dirty cards.
    for (const holder of holders) heap.set(holder, 0, heap.alloc(0));
    const s = stateOf(heap);
    expect([2 * s.rememberedSlotCount, s.rememberedSlots.length]).toEqual([128, 128]); // it grows on the next push
    heap.verify();
    for (const holder of holders) heap.set(holder, 1, heap.alloc(0));
    expect([s.dirtyCount, s.dirtyCards.length]).toEqual([64, 64]);
    heap.verify();
  });

  check(() => idle(), [
    [
      'more dirty cards counted than the list holds',
      ({ s }) => void (s.dirtyCount = s.dirtyCards.length + 1),
      /invariant 3 \(layout\).*'dirtyCards' holds \d+ of \d+ entries/,
    ],
    [
      'a listed card that is clean',
      ({ s, at }) => void (s.cards[at.world!] = 0),
      /invariant 5 .*listed card 1 is not dirty/,
    ],
    [
      'a listed card past the table',
      ({ s }) => void (s.dirtyCards[0] = s.cards.length),
      /invariant 5 .*listed card \d+ is not dirty/,
    ],
    [
      'a card listed twice',
      ({ s }) => {
        s.dirtyCards[1] = s.dirtyCards[0]!;
        s.dirtyCount = 2;
      },
      /invariant 5 .*card 1 is listed twice/,
    ],
    ['a dirty card not listed', ({ s }) => void (s.cards[5] = 1), /invariant 5 .*dirty card 5 is missing/],
  ]);

  /** An old pinned world whose slot 0 (only) names a young object: remembered by that slot. */
  function slotRemembered(): Fixture {
    const heap = new Heap();
    const world = heap.alloc(2);
    heap.pin(world);
    heap.alloc(1); // garbage: a free index
    heap.collect();
    const young = heap.alloc(1);
    heap.set(world, 0, young);
    const f = fixture(heap, { world, young });
    expect([f.s.cards[f.at.world!], f.s.dirtyCount, f.s.rememberedSlotCount]).toEqual([CARD_SLOT, 0, 1]);
    return f;
  }

  it('accepts any entry while the entries are marked stale', () => {
    const { heap, s } = slotRemembered();
    s.rememberedSlots[2] = 2; // a free index, and a position that is not its
    s.rememberedSlots[3] = 7;
    s.rememberedSlotCount = 2;
    expectBroken(heap, /invariant 5 .*remembered slot 7 of 2 is not a remembered slot of an old object in use/);
    s.rememberedSlotsStale = 1;
    heap.verify();
    heap.minor(); // checks the entries against their owners, and drops the one that does not hold
    expect([s.rememberedSlotCount, s.rememberedSlotsStale]).toEqual([1, 0]);
    heap.verify();
  });

  check(slotRemembered, [
    [
      'more remembered slots counted than the list holds',
      ({ s }) => void (s.rememberedSlotCount = s.rememberedSlots.length),
      /invariant 3 \(layout\).*'rememberedSlots' holds \d+ of \d+ entries/,
    ],
    [
      'a stale mark that is not 0 or 1',
      ({ s }) => void (s.rememberedSlotsStale = 2),
      /invariant 3 \(layout\).*rememberedSlotsStale is 2/,
    ],
    [
      'a remembered-slot card without its entry',
      ({ s }) => void (s.rememberedSlotCount = 0),
      /invariant 5 .*card 1 says a slot is remembered, none is/,
    ],
    [
      'an entry naming another slot than its card says',
      ({ s }) => void (s.rememberedSlots[1] = s.rememberedSlots[1]! + 1),
      /invariant 5 .*remembered slot \d+ of 1 is not a remembered slot/,
    ],
    [
      'a young reference in a slot that is not the remembered one',
      ({ s, at }) => void (s.slots[s.base[at.world!]! + 1] = at.young!),
      /invariant 5 .*old object 1 refers to young object \d+ in slot 1, but only its slot 0 is remembered/,
    ],
  ]);
});

/** Marking: a pinned root (scanned, black) with a component, a gray child, and a white chain below it. */
function marking(): Fixture {
  const heap = new Heap({ generational: false });
  const C = heap.defineComponent({ to: 'ref' }, { name: 'C' });
  const root = heap.alloc(2);
  heap.pin(root);
  heap.add(root, C);
  let last = root;
  const chain: Ref[] = [];
  for (let k = 0; k < 20; k++) {
    const node = heap.alloc(1);
    heap.set(last, 0, node);
    chain.push(last = node);
  }
  heap.step(3);
  return fixture(heap, { root, gray: chain[0]!, white: last }, MARK);
}

describe('verify(): the incremental cycle (invariant 6)', () => {
  check(() => idle(), [
    ['a phase that is none', ({ s }) => void (s.phase = 9), /invariant 3 \(layout\).*the phase is 9/],
    ['a negative phase', ({ s }) => void (s.phase = -1), /invariant 3 \(layout\).*the phase is -1/],
    [
      'white equal to the mark value',
      ({ s }) => void (s.white = s.markValue),
      /invariant 6 .*is not the other mark value/,
    ],
    [
      'a live mask of one mark',
      ({ s }) => void (s.liveMask = s.markValue),
      /invariant 6 .*liveMask \d does not fit phase 0/,
    ],
    [
      'the barrier on between cycles',
      ({ s }) => void (s.barrierWhite = s.white),
      /invariant 6 .*write barrier is on in phase 0/,
    ],
    ['gray objects between cycles', ({ s }) => void (s.markTop = 1), /invariant 6 .*1 gray objects outside marking/],
    [
      'dead objects counted between cycles',
      ({ s }) => void (s.doomed = 1),
      /invariant 6 .*still counts objects awaiting/,
    ],
  ]);

  check(marking, [
    [
      'a black object referring to a white one (the barrier skipped)',
      ({ s, at }) => void (s.slots[s.base[at.root!]! + 1] = at.white!),
      /invariant 6 .*black object \d+ refers to white object \d+/,
    ],
    [
      "a black object's ref field naming a white one",
      ({ s, at }) => void (s.components.list[0]!.fields[0]!.column[at.root!] = at.white!),
      /invariant 6 .*black object \d+ refers to white \d+ through 'C.to'/,
    ],
    [
      'the barrier off while marking',
      ({ s }) => void (s.barrierWhite = NO_COLOR),
      /invariant 6 .*write barrier is off/,
    ],
    ['a wrong marked count', ({ s }) => void s.marked++, /invariant 6 .*marked count is \d+, recount finds/],
    [
      'NULL on the gray stack',
      ({ s }) => void (s.markStack[0] = 0),
      /invariant 6 .*gray stack entry 0 is not a marked/,
    ],
    [
      'an index past the top on the gray stack',
      ({ s }) => void (s.markStack[0] = s.top),
      /invariant 6 .*gray stack entry \d+ is not a marked/,
    ],
    [
      'a white object on the gray stack',
      ({ s, at }) => void (s.markStack[0] = at.white!),
      /invariant 6 .*gray stack entry \d+ is not a marked/,
    ],
  ]);

  it("takes no entry past the gray stack's top for gray (the marker leaves popped entries there)", () => {
    const f = marking();
    expect(f.s.markTop).toBeLessThan(f.s.markStack.length);
    f.s.markStack[f.s.markTop] = f.at.root!; // scanned once, so it could be left there
    f.s.components.list[0]!.fields[0]!.column[f.at.root!] = f.at.white!;
    expectBroken(f.heap, /invariant 6 .*black object \d+ refers to white \d+ through 'C.to'/);
  });

  it('accepts a gray object referring to a white one, and a black weak object naming a white one', () => {
    const f = marking();
    // The gray child refers to the white rest of the chain: allowed, it has yet to be scanned.
    expect(f.s.color[f.s.slots[f.s.base[f.at.gray!]!]!]).toBe(f.s.white);
    f.heap.verify();
    const heap = new Heap({ generational: false });
    const weak = heap.alloc(1, 'weak');
    heap.pin(weak);
    const target = heap.alloc(0);
    heap.set(weak, 0, target);
    heap.step(2); // the weak object is scanned (black) and its target stays white
    expect(stateOf(heap).color[heap.index(target)]).toBe(stateOf(heap).white);
    heap.verify();
  });

  check(() => {
    const heap = new Heap({ generational: false });
    for (let k = 0; k < 5; k++) heap.alloc(0);
    const keep = heap.alloc(0);
    heap.pin(keep);
    for (let k = 0; k < 5; k++) heap.alloc(0);
    const s = stateOf(heap);
    while (s.phase !== SWEEP) heap.step(1);
    return fixture(heap, { keep }, SWEEP);
  }, [
    [
      'dead objects above the sweep cursor',
      ({ s }) => void (s.sweepCursor = 0),
      /invariant 6 \(sweep\).*already swept/,
    ],
    ['a wrong dead count', ({ s }) => void s.doomed++, /invariant 6 \(sweep\).*dead count is \d+, recount finds/],
    [
      'both marks live while sweeping',
      ({ s }) => void (s.liveMask = BOTH_MARKS),
      /invariant 6 .*liveMask 3 does not fit phase 2/,
    ],
    [
      'the barrier on while sweeping',
      ({ s }) => void (s.barrierWhite = s.white),
      /invariant 6 .*write barrier is on in phase 2/,
    ],
    ['gray objects while sweeping', ({ s }) => void (s.markTop = 1), /invariant 6 .*gray objects outside marking/],
  ]);
});

/** Weak lists between cycles: old weak, ephemeron and finalizable objects, young ones, a weakref member. */
function weakLists(): Fixture {
  const heap = new Heap({ cardSize: 1 });
  const W = heap.defineComponent({ w: 'weakref' }, { name: 'W' });
  const keep = heap.alloc(6);
  heap.pin(keep);
  const weak = heap.alloc(2, 'weak');
  const eph = heap.alloc(4, 'ephemeron');
  heap.set(keep, 0, weak);
  heap.set(keep, 1, eph);
  heap.setFinalizer(keep, () => {});
  for (let k = 0; k < 4; k++) heap.alloc(0); // garbage: free indices, some left after the young allocations
  heap.collect();
  const youngWeak = heap.alloc(2, 'weak');
  const youngFinal = heap.alloc(0);
  heap.setFinalizer(youngFinal, () => {});
  const member = heap.alloc(0);
  heap.add(member, W);
  heap.set(keep, 2, youngWeak);
  heap.set(keep, 3, youngFinal);
  heap.set(keep, 4, member);
  expect(stateOf(heap).freeHeads[0]).not.toBe(0); // the cases use a free index
  return fixture(heap, { keep, weak, eph, youngWeak, youngFinal, member });
}

describe('verify(): weak, ephemeron and finalizer lists (invariant 2)', () => {
  check(weakLists, [
    [
      'a count past the list',
      ({ s }) => void (s.weakCount = s.weakObjects.length + 1),
      /invariant 3 \(layout\).*'weakObjects' holds \d+ of \d+ entries/,
    ],
    [
      'a free entry',
      ({ s }) => void (s.weakObjects[0] = s.freeHeads[0]),
      /invariant 2 \(weak list\).*entry \d+ is not a live object/,
    ],
    [
      'a young object in the old list',
      ({ s, at }) => void (s.weakObjects[s.weakCount++] = at.youngWeak!),
      /invariant 2 \(weak list\).*object \d+ is young/,
    ],
    [
      'an old object in the young list',
      ({ s, at }) => void (s.youngWeak[s.youngWeakCount++] = at.weak!),
      /invariant 2 \(young weak list\).*object \d+ is old/,
    ],
    [
      'a strong object in the weak list',
      ({ s, at }) => void (s.weakObjects[s.weakCount++] = at.keep!),
      /invariant 2 \(weak list\).*listed but not of that kind/,
    ],
    [
      // Only the young weak list may hold an object without its bit (a member of a `weakref`
      // component, or one that was): an object with components is no exception elsewhere.
      'an object with a component in the young finalizer list',
      ({ s, at }) => void (s.youngFinalizable[s.youngFinalizableCount++] = at.member!),
      /invariant 2 \(young finalizer list\).*object \d+ is listed but not of that kind/,
    ],
    [
      'a weak object listed twice',
      ({ s, at }) => void (s.weakObjects[s.weakCount++] = at.weak!),
      /invariant 2 \(weak list\).*listed twice/,
    ],
    [
      'a young weak object listed twice',
      ({ s, at }) => void (s.youngWeak[s.youngWeakCount++] = at.youngWeak!),
      /invariant 2 \(young weak list\).*listed twice/,
    ],
    [
      'an old weak object missing',
      ({ s }) => void (s.weakCount = 0),
      /invariant 2 \(weak list\).*missing from the list/,
    ],
    [
      'a young weak object missing',
      ({ s, at }) => {
        let kept = 0;
        for (let k = 0; k < s.youngWeakCount; k++) {
          if (s.youngWeak[k] !== at.youngWeak) s.youngWeak[kept++] = s.youngWeak[k]!;
        }
        s.youngWeakCount = kept;
      },
      /invariant 2 \(young weak list\).*live object \d+ is missing/,
    ],
    [
      'an old finalizable object missing',
      ({ s }) => void (s.finalizableCount = 0),
      /invariant 2 \(finalizer list\).*missing from the list/,
    ],
    [
      'a young finalizable object missing',
      ({ s }) => void (s.youngFinalizableCount = 0),
      /invariant 2 \(young finalizer list\).*missing from the list/,
    ],
    [
      'a finalizer on an object in no list',
      ({ s, at }) => void (s.finalizers[at.weak!] = () => {}),
      /invariant 2 \(finalizer list\).*has a finalizer but is not listed/,
    ],
    [
      'a young weakref member missing from the young weak list',
      ({ s, at }) => {
        let kept = 0;
        for (let k = 0; k < s.youngWeakCount; k++) {
          if (s.youngWeak[k] !== at.member) s.youngWeak[kept++] = s.youngWeak[k]!;
        }
        s.youngWeakCount = kept;
      },
      /invariant 2 \(young weak list\).*young member \d+ of 'W' \(weakref fields\) is not listed/,
    ],
    [
      // A hook the component gained with no `add` to flag its members (what a restore of a save
      // made before the hook must do itself: io/snapshot.ts, `listHookedMembers`).
      'a member of a component with an onRemove hook, not finalizable',
      ({ s }) => {
        const w = s.components.list.find((c) => c.name === 'W')! as { onRemove: (ref: Ref) => void };
        w.onRemove = () => {};
      },
      /invariant 2 \(finalizer list\).*member \d+ of 'W', a component with an onRemove hook, is not finalizable/,
    ],
    [
      "a minor's scratch list left non-empty",
      ({ s }) => void (s.rememberedWeakCount = 1),
      /invariant 2 \(weak\).*scratch list of remembered weak objects/,
    ],
    [
      'an ephemeron with an odd slot count',
      ({ s, at }) => {
        s.size[at.eph!] = 3;
        s.slotsUsed--;
      },
      /invariant 2 \(ephemerons\).*ephemeron \d+ has an odd slot count 3/,
    ],
    [
      'an ephemeron the collectors would not scan for (ephemeronsMade false)',
      ({ s }) => void (s.ephemeronsMade = false),
      /invariant 2 \(ephemerons\).*ephemeron \d+ exists, but ephemeronsMade is false/,
    ],
    [
      'finalizers queued between cycles',
      ({ s }) => void (s.finalizeTop = 1),
      /invariant 2 \(finalizer queue\).*queued outside a finalize phase/,
    ],
    [
      'a finalizer queue with its bounds crossed',
      ({ s }) => void (s.finalizeNext = 1),
      /invariant 3 \(layout\).*finalizeNext 1 is past finalizeTop 0/,
    ],
  ]);

  it('accepts a young strong object left in the young weak list (a member whose component was removed)', () => {
    const f = weakLists();
    f.heap.remove(f.heap.refAt(f.at.member! as Index), f.heap.component('W')!);
    f.heap.verify();
  });

  it('accepts young lists holding objects a TENURE made old (they join the old lists when it ends)', () => {
    const heap = new Heap({ nurserySize: 10, minHeapObjects: 1_000_000 });
    const root = heap.alloc(64);
    heap.pin(root);
    heap.tenure();
    for (let k = 0; k < 10; k++) heap.set(root, k, heap.alloc(0));
    expect(heap.minor().freed).toBe(0); // survival measured: all survive, so a large nursery is made old alone
    for (let k = 10; k < 60; k++) heap.set(root, k, heap.alloc(0));
    const weak = heap.alloc(1, 'weak');
    const finalizable = heap.alloc(0);
    heap.setFinalizer(finalizable, () => {});
    heap.set(root, 60, weak);
    heap.set(root, 61, finalizable);
    // The minor would not fit 10 units: TENURE, which makes the nursery's head (the newest) old first.
    expect(heap.tick({ units: 10 }).work).toBe('tenure');
    const s = stateOf(heap);
    expect(s.phase).toBe(TENURE);
    for (const ref of [weak, finalizable]) expect(s.flags[heap.index(ref)]! & YOUNG).toBe(0);
    expect([s.youngWeakCount, s.youngFinalizableCount, s.weakCount, s.finalizableCount]).toEqual([1, 1, 0, 0]);
    heap.verify();
  });

  it('ignores entries past the count of the old finalizer list (those it dropped), while promoting', () => {
    const heap = new Heap();
    const keep = heap.alloc(2);
    heap.pin(keep);
    heap.setFinalizer(keep, () => {});
    heap.setFinalizer(heap.alloc(0), () => {});
    heap.collect(); // the garbage is finalized and freed: the list keeps `keep`, and its index past the count
    const s = stateOf(heap);
    expect(s.finalizableCount).toBe(1);
    const stale = s.finalizable[1]!;
    const reused = heap.alloc(0);
    expect(heap.index(reused)).toBe(stale);
    heap.setFinalizer(reused, () => {});
    heap.set(keep, 0, reused);
    heap.set(keep, 1, heap.alloc(0));
    heap.step(1); // promotes the nursery's head only: `reused` waits, in the young finalizer list
    expect(s.phase).toBe(PROMOTE);
    expect(s.youngFinalizable.subarray(0, s.youngFinalizableCount)).toContain(stale);
    heap.verify();
  });

  it('accepts a full finalizer queue (16 entries: it grows only when the next one comes)', () => {
    const heap = new Heap({ generational: false });
    for (let k = 0; k < 16; k++) heap.setFinalizer(heap.alloc(0), () => {});
    const s = stateOf(heap);
    while (s.phase !== FINALIZE) heap.step(1);
    expect([s.finalizeTop, s.finalizeQueue.length]).toEqual([16, 16]);
    heap.verify();
  });

  /** A major cycle's finalize phase: two dead finalizable objects, one finalizer still queued. */
  check(() => {
    const heap = new Heap({ generational: false });
    const keep = heap.alloc(0);
    heap.pin(keep);
    for (let k = 0; k < 2; k++) heap.setFinalizer(heap.alloc(0), () => {});
    const s = stateOf(heap);
    while (s.phase !== FINALIZE) heap.step(1);
    expect(s.finalizeNext).toBeLessThan(s.finalizeTop);
    return fixture(heap, { keep }, FINALIZE);
  }, [
    [
      'a live object queued',
      ({ s, at }) => void (s.finalizeQueue[s.finalizeNext] = at.keep!),
      /invariant 2 \(finalizer queue\).*queued object \d+ was not found dead/,
    ],
    [
      'a queue counted past its array',
      ({ s }) => void (s.finalizeTop = s.finalizeQueue.length + 1),
      /invariant 3 \(layout\).*'finalizeQueue' holds \d+ of \d+ entries/,
    ],
  ]);

  /** PROMOTE: the nursery is being made old; young finalizable objects not yet handed over. */
  check(() => {
    const heap = new Heap();
    const keep = heap.alloc(2);
    heap.pin(keep);
    heap.collect();
    const a = heap.alloc(0);
    const b = heap.alloc(0);
    heap.setFinalizer(a, () => {});
    heap.setFinalizer(b, () => {});
    heap.set(keep, 0, a);
    heap.set(keep, 1, b);
    heap.step(1); // promotes b (the nursery's head), not yet a
    const s = stateOf(heap);
    expect(s.flags[heap.index(b)]! & YOUNG).toBe(0);
    return fixture(heap, { keep, promoted: b }, PROMOTE);
  }, [
    [
      'a promoted object in both finalizer lists',
      ({ s, at }) => void (s.finalizable[s.finalizableCount++] = at.promoted!),
      /invariant 2 \(finalizer list\).*twice/,
    ],
  ]);
});

/**
 * Components between cycles: `C` with a `ref` and a `weakref` field on an old and a young member,
 * and a query; five tags besides, so that the heap keeps component masks (more than four defined).
 */
function components(): Fixture & { C: Component<{ to: 'ref'; w: 'weakref' }> } {
  const heap = new Heap({ cardSize: 1 });
  const C = heap.defineComponent({ to: 'ref', w: 'weakref' }, { name: 'C' });
  for (let k = 0; k < 5; k++) heap.defineComponent({}, { name: `Tag${k}` });
  const old = heap.alloc(0);
  heap.pin(old);
  heap.add(old, C);
  const plain = heap.alloc(0);
  heap.pin(plain);
  for (let k = 0; k < 4; k++) heap.alloc(0); // garbage: free indices, some left after the young allocation
  heap.collect();
  const young = heap.alloc(0);
  heap.add(young, C);
  heap.setField(old, C, 'to', young);
  heap.query(C);
  expect(stateOf(heap).freeHeads[0]).not.toBe(0); // the cases use a free index
  return { ...fixture(heap, { old, plain, young }), C };
}

/** One component with a member: too few for the heap to keep masks (core/component-store.ts, FEW_COMPONENTS). */
function fewComponents(): Fixture {
  const heap = new Heap();
  const C = heap.defineComponent({ x: 'f32' }, { name: 'C' });
  const member = heap.alloc(0);
  heap.pin(member);
  heap.add(member, C);
  expect(stateOf(heap).components.masks.length).toBe(0);
  return fixture(heap, { member });
}

describe('verify(): a heap without component masks (invariant 3)', () => {
  const data = (s: HeapState) => s.components.list[0]!;
  check(fewComponents, [
    [
      'a component with a bit',
      ({ s }) => void (data(s).bit = 1),
      /layout.*'C' reads a mask column or bit that is not its own/,
    ],
    [
      'a component with a mask column but no bit',
      ({ s }) => void (data(s).mask = new Uint32Array(s.columnLength)),
      /layout.*'C' reads a mask column or bit that is not its own/,
    ],
  ]);
});

describe('verify(): components and queries (invariants 2, 3, 5)', () => {
  const data = (s: HeapState) => s.components.list[0]!;
  const query = (s: HeapState) => [...s.components.queries.values()][0]!;
  check(components, [
    [
      'a member whose position is wrong',
      ({ s, at }) => void (data(s).position[at.old!] = 7),
      /invariant 3 \(components\).*'C' member \d+ has position 7/,
    ],
    [
      'a free member',
      ({ s }) => {
        data(s).members[0] = s.freeHeads[0];
        data(s).position[s.freeHeads[0]] = 1;
      },
      /invariant 3 \(components\).*'C' member \d+ is free/,
    ],
    [
      'a ref field naming a free index',
      ({ s, at }) => void (data(s).fields[0]!.column[at.young!] = s.freeHeads[0]),
      /invariant 2 \(components\).*field 'C.to' of \d+ holds \d+, which is not live/,
    ],
    [
      'a weakref field naming a free index',
      ({ s, at }) => void (data(s).fields[1]!.column[at.old!] = s.freeHeads[0]),
      /invariant 2 \(components\).*field 'C.w' of \d+ holds/,
    ],
    [
      'an old-to-young field reference in a clean card',
      ({ s, at }) => cleanCard(s, at.old!),
      /invariant 5 \(cards\).*through 'C.to', but its card is clean/,
    ],
    [
      'a position for a non-member',
      ({ s, at }) => void (data(s).position[at.plain!] = 9),
      /invariant 3 \(components\).*'C' has 2 members, positions say 3/,
    ],
    [
      "a component's mask bit set for a non-member",
      ({ s, at }) => void (data(s).mask[at.plain!] = data(s).bit),
      /invariant 3 \(components\).*'C' mask bit of \d+ is set for a non-member/,
    ],
    [
      "a member's mask bit clear",
      ({ s, at }) => void (data(s).mask[at.old!] = 0),
      /invariant 3 \(components\).*'C' mask bit of \d+ is clear for a member/,
    ],
    [
      'a mask bit of no component',
      ({ s, at }) => void (s.components.masks[0]![at.plain!] = 1 << 6),
      /invariant 3 \(components\).*mask of \d+ has a bit of no component set/,
    ],
    [
      'a component reading another mask column',
      ({ s }) => void (data(s).mask = new Uint32Array(data(s).mask.length)),
      /layout.*'C' reads a mask column or bit that is not its own/,
    ],
    [
      "a component reading another component's bit",
      ({ s }) => void (data(s).bit = data(s).bit << 1),
      /layout.*'C' reads a mask column or bit that is not its own/,
    ],
    [
      'a mask column more than the components need',
      ({ s }) => void s.components.masks.push(new Uint32Array(s.columnLength)),
      /layout.*2 mask columns for 1 words of components/,
    ],
    [
      'a mask column shorter than the header columns',
      ({ s }) => {
        // Every component of the word reads the short column, so only its length is wrong.
        const short = new Uint32Array(s.columnLength - 1);
        s.components.masks[0] = short;
        for (const c of s.components.list) c.mask = short;
      },
      /layout.*a mask column has \d+ entries, columnLength is \d+/,
    ],
    [
      'the component flag on an object without components',
      ({ s, at }) => void (s.flags[at.plain!] = s.flags[at.plain!]! | HAS_COMPONENTS),
      /invariant 3 \(components\).*object \d+ has the component flag set wrongly/,
    ],
    [
      'the component flag missing on a member',
      ({ s, at }) => void (s.flags[at.old!] = s.flags[at.old!]! & ~HAS_COMPONENTS),
      /invariant 3 \(components\).*object \d+ has the component flag clear wrongly/,
    ],
    [
      'a query missing a matching object',
      ({ s, at }) => void (query(s).position[at.old!] = 0),
      /invariant 3 \(queries\).*is missing object \d+/,
    ],
    [
      'a query entry at the wrong position',
      ({ s, at }) => void (query(s).position[at.old!] = 9),
      /invariant 3 \(queries\).*entry \d+ has position 9/,
    ],
    [
      "a query's entries written below its count (stats().bytes would count less than it holds)",
      ({ s }) => void (query(s).denseWritten = query(s).count - 1),
      /invariant 3 \(layout\).*'query .*' counts \d+ entries written, holding \d+ of \d+/,
    ],
    [
      "a member list's entries written past its length",
      ({ s }) => {
        const c = s.components.list[0]!;
        c.membersWritten = c.members.length + 1;
      },
      /invariant 3 \(layout\).*members' counts \d+ entries written/,
    ],
    [
      'a query holding a dead object',
      ({ s }) => {
        const q = query(s);
        q.dense[q.count] = s.freeHeads[0];
        q.position[s.freeHeads[0]] = ++q.count;
        q.denseWritten = Math.max(q.denseWritten, q.count);
      },
      /invariant 3 \(queries\).*holds dead object \d+/,
    ],
    [
      'a query missing its last entry from its count',
      ({ s }) => void query(s).count--,
      /invariant 3 \(queries\).*holds 1 live objects, 2 match/,
    ],
  ]);

  // Columns and lists indexed by object index without a check: the layout of invariant 3.
  check(components, [
    [
      'positions short of the columns',
      ({ s }) => void (data(s).position = data(s).position.subarray(0, s.top)),
      /invariant 3 \(layout\).*'C' positions have \d+ entries, columnLength is \d+/,
    ],
    [
      'a member list of no entries',
      ({ s }) => void (data(s).members = new Uint32Array(0)),
      /invariant 3 \(layout\).*'C.members' holds 2 of 0 entries/,
    ],
    [
      'query positions short of the columns',
      ({ s }) => void (query(s).position = query(s).position.subarray(0, s.top)),
      /invariant 3 \(layout\).*query \S+ positions have \d+ entries, columnLength is \d+/,
    ],
    [
      'a query list of no entries',
      ({ s }) => void (query(s).dense = new Uint32Array(0)),
      /invariant 3 \(layout\).*'query \S+' holds 2 of 0 entries/,
    ],
  ]);
  check(() => {
    const heap = new Heap();
    const A = heap.defineComponent({ pair: ['ref', 2] }, { name: 'A' });
    const owner = heap.alloc(0);
    heap.pin(owner);
    heap.add(owner, A);
    heap.alloc(0); // garbage: a free index
    heap.collect();
    expect(stateOf(heap).freeHeads[0]).not.toBe(0);
    return fixture(heap, { owner });
  }, [
    [
      "an array ref field's last element naming a free index",
      ({ s, at }) => void (data(s).fields[0]!.column[at.owner! * 2 + 1] = s.freeHeads[0]),
      /invariant 2 \(components\).*field 'A.pair' of \d+ holds \d+, which is not live/,
    ],
  ]);

  /** PROMOTE: a member still on the promotion list (old before the next minor) refers to the new nursery. */
  check(() => {
    const heap = new Heap({ cardSize: 1 });
    const C = heap.defineComponent({ to: 'ref' }, { name: 'C' });
    const keep = heap.alloc(2);
    heap.pin(keep);
    heap.collect();
    const pending = heap.alloc(0);
    heap.add(pending, C);
    heap.set(keep, 0, pending);
    heap.set(keep, 1, heap.alloc(0));
    heap.step(1); // promotes the nursery's head only
    const fresh = heap.alloc(0);
    heap.setField(pending, C, 'to', fresh); // the barrier remembers it: `pending` is about to be old
    const s = stateOf(heap);
    expect(s.flags[heap.index(pending)]! & YOUNG).toBe(YOUNG);
    expect(s.promoteHead).toBe(heap.index(pending));
    return fixture(heap, { pending, fresh }, PROMOTE);
  }, [
    [
      'a reference from an object being promoted to a young one, in a clean card',
      ({ s, at }) => cleanCard(s, at.pending!),
      /invariant 5 \(cards\).*old object \d+ refers to young \d+ through 'C.to', but its card is clean/,
    ],
  ]);

  it('accepts a query holding dead objects while sweeping (the sweep frees them, and drops them then)', () => {
    const heap = new Heap({ generational: false });
    const C = heap.defineComponent({}, { name: 'C' });
    const keep = heap.alloc(0);
    heap.pin(keep);
    heap.add(keep, C);
    for (let k = 0; k < 3; k++) heap.add(heap.alloc(0), C);
    for (let k = 0; k < 3; k++) heap.alloc(0); // garbage above them: the first slices sweep these
    heap.query(C);
    const s = stateOf(heap);
    while (s.phase !== SWEEP) heap.step(1);
    const q = query(s);
    const dead = [...q.dense.subarray(0, q.count)].filter((i) => s.color[i] === s.white);
    expect(dead).toHaveLength(3);
    heap.verify();
  });
});

describe("verify() inside a minor's finalizers", () => {
  it('accepts the objects the minor found dead, and only there (the DEAD color)', () => {
    const heap = new Heap();
    const keep = heap.alloc(1);
    heap.pin(keep);
    heap.collect();
    const dead = heap.alloc(1);
    const child = heap.alloc(0);
    heap.set(dead, 0, child);
    let ran = false;
    heap.setFinalizer(dead, () => {
      const s = stateOf(heap);
      expect(s.color[heap.index(dead)]).toBe(DEAD);
      heap.verify(); // the condemned young objects count as neither live nor corrupt
      ran = true;
    });
    heap.minor();
    expect(ran).toBe(true);
    heap.verify();
  });

  it('rejects a color that is neither a mark value nor DEAD there', () => {
    const heap = new Heap();
    const keep = heap.alloc(0);
    heap.pin(keep);
    heap.collect();
    const i = heap.index(keep);
    let ran = false;
    heap.setFinalizer(heap.alloc(0), () => {
      const s = stateOf(heap);
      expect(s.phase).toBe(MINOR_FINALIZE);
      const color = s.color[i]!;
      s.color[i] = BOTH_MARKS;
      expectBroken(heap, /invariant 3 \(counts\).*index 1 has color 3/);
      s.color[i] = color;
      ran = true;
    });
    heap.minor();
    expect(ran).toBe(true);
    heap.verify();
  });
});

/**
 * Mid-CLEAR: four dead weak objects listed first (dropped), then eight live ones whose targets are
 * garbage (white: cleared as CLEAR reaches them). Six steps in, the cursor is at 6 with 2 kept, and
 * the six entries from the cursor on may still name white objects.
 */
function clearing(): Fixture {
  const heap = new Heap({ generational: false });
  const root = heap.alloc(8);
  heap.pin(root);
  for (let k = 0; k < 4; k++) heap.set(heap.alloc(1, 'weak'), 0, root); // unreachable weak objects
  const weak: Ref[] = [];
  for (let k = 0; k < 8; k++) {
    weak.push(heap.alloc(1, 'weak'));
    heap.set(root, k, weak[k]!);
    heap.set(weak[k]!, 0, heap.alloc(0)); // a garbage target
  }
  const target = heap.index(heap.get(weak[7]!, 0)!); // (its handle is stale once marking ends)
  const s = stateOf(heap);
  while (s.phase !== CLEAR) heap.step(1);
  for (let k = 0; k < 5; k++) heap.step(1); // (the step that began CLEAR passed one entry)
  const f = fixture(heap, { root, first: weak[0]!, pending: weak[7]! }, CLEAR);
  f.at.target = target;
  expect([s.weakCursor, s.weakKept, s.weakCount]).toEqual([6, 2, 12]);
  expect(s.color[f.at.target!]).toBe(s.white);
  return f;
}

/**
 * Clears the slots of the weak objects CLEAR has yet to reach, so no white target is left for the
 * edge check (which reads the cursor first) to find: only the cycle check sees a bad cursor.
 */
function forgetWhiteTargets({ s }: Fixture): void {
  for (let k = s.weakCursor; k < s.weakCount; k++) s.slots[s.base[s.weakObjects[k]!]!] = 0;
}

describe("verify(): CLEAR's cursor and the read barrier's dead colors (invariants 2 and 6)", () => {
  check(() => idle(), [
    [
      'dead colors naming white between cycles (white objects would read as NULL)',
      ({ s }) => void (s.deadColors = DESTROYED_ANY | s.white),
      /invariant 6 .*the read barrier's dead colors \d+ do not fit phase 0/,
    ],
  ]);

  check(weakLists, [
    [
      "CLEAR's cursor left inside the weak list between cycles",
      ({ s }) => void (s.weakCursor = 1),
      /invariant 6 .*CLEAR's cursor 1 \(kept 0\) does not fit \d+ weak objects/,
    ],
  ]);

  /**
   * A heap entering CLEAR whose old weak list will open a dropped gap (four dead weak objects
   * first), with 12 young weak objects made during the cycle, with finalizers when asked: young,
   * listed in the young weak (and finalizer) lists, whose positions overlap the gap.
   */
  function enteringClear(finalizers: boolean) {
    const heap = new Heap({ generational: true });
    const root = heap.alloc(16);
    heap.pin(root);
    for (let k = 0; k < 4; k++) heap.alloc(1, 'weak'); // dead: dropped first, opening the gap
    for (let k = 0; k < 4; k++) heap.set(root, k, heap.alloc(1, 'weak'));
    const s = stateOf(heap);
    while (s.phase !== MARK) heap.step(1);
    for (let k = 4; k < 16; k++) {
      const o = heap.alloc(1, 'weak');
      heap.set(root, k, o);
      if (finalizers) heap.setFinalizer(o, () => {});
    }
    while ((s.phase as number) !== CLEAR) heap.step(1);
    return { heap, s };
  }

  /** Mid-CLEAR, the old weak list's dropped gap is open where the young weak list has entries. */
  const gapOverYoungEntries = (s: HeapState): boolean => s.weakKept < s.weakCursor && s.youngWeakCount > s.weakKept;

  it("checks the young lists in full mid-CLEAR: the dropped gap and white entries are the old weak list's alone", () => {
    const { heap, s } = enteringClear(true);
    let gaps = 0;
    while ((s.phase as number) === CLEAR) {
      if (gapOverYoungEntries(s)) gaps++;
      heap.verify();
      heap.step(1);
    }
    expect(gaps).toBeGreaterThan(0);
    heap.verify();
  });

  it("finds a bad entry of a young list mid-CLEAR where the old weak list's dropped gap lies", () => {
    const { heap, s } = enteringClear(false);
    while ((s.phase as number) === CLEAR && !gapOverYoungEntries(s)) heap.step(1);
    expect(s.phase as number).toBe(CLEAR);
    expect(gapOverYoungEntries(s)).toBe(true);
    heap.verify();
    // An entry of the young list at a position inside the old list's gap names no object.
    s.youngWeak[s.weakKept] = s.top; // an index no object has held
    expect(() => heap.verify()).toThrow(/invariant 2 \(young weak list\)/);
  });

  it('accepts white targets from the cursor on, and the dropped gap before it', () => {
    const f = clearing();
    expect(f.s.slots[f.s.base[f.at.pending!]!]).toBe(f.at.target);
    f.heap.verify();
    while (f.s.phase === CLEAR) f.heap.step(1);
    expect(f.s.slots[f.s.base[f.at.pending!]!]).toBe(0); // cleared
    f.heap.verify();
  });

  check(clearing, [
    [
      'dead colors without white during CLEAR (a white target would read as live)',
      ({ s }) => void (s.deadColors = DESTROYED_ANY),
      /invariant 6 .*dead colors \d+ do not fit phase 7/,
    ],
    [
      'more kept than the cursor passed',
      ({ s }) => void (s.weakKept = s.weakCursor + 1),
      /invariant 6 .*CLEAR's cursor 6 \(kept 7\) does not fit 12 weak objects/,
    ],
    [
      'a cursor past the list',
      (f) => {
        forgetWhiteTargets(f);
        f.s.weakCursor = f.s.weakCount + 1;
      },
      /invariant 6 .*CLEAR's cursor 13 \(kept 2\)/,
    ],
    [
      'a cursor that is no integer',
      (f) => {
        forgetWhiteTargets(f);
        f.s.weakCursor = 5.5;
      },
      /invariant 6 .*CLEAR's cursor 5.5/,
    ],
    ['a kept count that is no integer', ({ s }) => void (s.weakKept = 1.5), /invariant 6 .*\(kept 1.5\)/],
    ['a negative kept count', ({ s }) => void (s.weakKept = -1), /invariant 6 .*\(kept -1\)/],
    [
      'a kept entry (before the cursor) that is white',
      ({ s, at }) => void (s.weakObjects[0] = at.target!),
      /invariant 2 \(weak list\).*entry \d+ is not a live object/,
    ],
    [
      'a strong object naming a white one (only weak objects CLEAR has yet to reach may)',
      ({ s, at }) => void (s.slots[s.base[at.root!]!] = at.target!),
      /invariant 2 .*slot 0 of object \d+ holds \d+, which is not live/,
    ],
    [
      'a white target of a weak object CLEAR has passed',
      ({ s, at }) => void (s.slots[s.base[at.first!]!] = at.target!),
      /invariant 2 .*slot 0 of object \d+ holds \d+, which is not live/,
    ],
    [
      'a white target of an object past the weak count (an entry the list does not hold)',
      ({ s, at }) => {
        expect(s.weakObjects.length).toBeGreaterThan(s.weakCount);
        s.weakObjects[s.weakCount] = at.root!;
        s.slots[s.base[at.root!]!] = at.target!;
      },
      /invariant 2 .*slot 0 of object \d+ holds \d+, which is not live/,
    ],
  ]);

  it('accepts finalizers queued during CLEAR (the atomic step queued them; FINALIZE runs them next)', () => {
    const heap = new Heap({ generational: false });
    const root = heap.alloc(4);
    heap.pin(root);
    for (let k = 0; k < 4; k++) heap.set(root, k, heap.alloc(1, 'weak'));
    const ran: number[] = [];
    heap.setFinalizer(heap.alloc(0), () => ran.push(1)); // garbage with a finalizer
    const s = stateOf(heap);
    while (s.phase !== CLEAR) heap.step(1);
    expect([s.finalizeTop, s.weakCursor < s.weakCount]).toEqual([1, true]);
    heap.verify();
    while (!heap.step(1));
    expect(ran).toEqual([1]);
    heap.verify();
  });

  it('allows white targets during CLEAR only: a weak object naming one while sweeping is broken', () => {
    const f = clearing();
    while (f.s.phase === CLEAR) f.heap.step(1);
    expect(f.s.phase).toBe(SWEEP);
    const white = f.s.color.findIndex((c, i) => i > 0 && i < f.s.top && c === f.s.white);
    expect(white).toBeGreaterThan(0); // not swept yet
    f.s.slots[f.s.base[f.at.pending!]!] = white;
    expectBroken(f.heap, /invariant 2 .*slot 0 of object \d+ holds \d+, which is not live/);
  });
});

describe('verify(): remembered slots (invariant 5)', () => {
  /** Like `slotRemembered` above, with an old weak object beside the world. */
  function withWeak(options: ConstructorParameters<typeof Heap>[0] = {}): Fixture {
    const heap = new Heap(options);
    const world = heap.alloc(2);
    heap.pin(world);
    const weak = heap.alloc(1, 'weak');
    heap.pin(weak);
    heap.alloc(1); // garbage: a free index
    heap.collect();
    const young = heap.alloc(1);
    heap.set(world, 0, young);
    return fixture(heap, { world, weak, young });
  }

  function addEntry(s: HeapState, owner: number, at: number): void {
    s.rememberedSlots[2 * s.rememberedSlotCount] = owner;
    s.rememberedSlots[2 * s.rememberedSlotCount + 1] = at;
    s.rememberedSlotCount++;
  }

  check(() => withWeak({ cardSize: 16 }), [
    [
      'a remembered slot with cards of many objects (only one-object cards say which slot)',
      ({ s, at }) => addEntry(s, at.world!, s.base[at.world!]!),
      /invariant 5 .*remembered slot \d+ of 1 with cards of 16 objects/,
    ],
  ]);

  check(() => withWeak(), [
    [
      'an entry naming an object past the cards',
      ({ s }) => void (s.rememberedSlots[0] = s.cards.length),
      /invariant 5 .*remembered slot \d+ names object \d+, past the cards/,
    ],
    [
      "an entry for a weak object's slot (weak slots are never remembered)",
      ({ s, at }) => {
        s.cards[at.weak!] = CARD_SLOT;
        addEntry(s, at.weak!, s.base[at.weak!]!);
      },
      /invariant 5 .*remembered slot \d+ belongs to weak or ephemeron object 2/,
    ],
    [
      'a stale entry for another slot than the card says',
      ({ s }) => {
        s.rememberedSlotsStale = 1; // any entry is accepted, but the card's slot must still be listed
        s.rememberedSlots[1] = s.rememberedSlots[1]! + 1;
      },
      /invariant 5 .*card 1 says a slot is remembered, none is/,
    ],
  ]);

  it("accepts a stale entry for a weak object's slot (the next minor drops it)", () => {
    const { heap, s, at } = withWeak();
    addEntry(s, at.weak!, s.base[at.weak!]!);
    s.rememberedSlotsStale = 1;
    heap.verify();
    heap.minor();
    expect([s.rememberedSlotCount, s.rememberedSlotsStale]).toEqual([1, 0]);
    heap.verify();
  });

  check(() => idle(), [
    [
      'a dirty card that also remembers a slot, missing from the dirty list',
      ({ s, at }) => {
        expect(s.cards[at.world!]).toBe(CARD_DIRTY_SLOT);
        s.dirtyCount = 0;
      },
      /invariant 5 .*dirty card 1 is missing from the dirty list/,
    ],
    [
      'a dirty card that says a slot is remembered, with no entry',
      ({ s }) => void (s.rememberedSlotCount = 0),
      /invariant 5 .*card 1 says a slot is remembered, none is/,
    ],
  ]);

  it("names the remembered slot when a ref field's young target is not remembered", () => {
    const heap = new Heap();
    const C = heap.defineComponent({ to: 'ref' }, { name: 'C' });
    const old = heap.alloc(1);
    heap.pin(old);
    heap.add(old, C);
    heap.collect();
    const young = heap.alloc(0);
    heap.set(old, 0, young); // remembers slot 0 only
    const s = stateOf(heap);
    const i = heap.index(old);
    expect(s.cards[i]).toBe(CARD_SLOT);
    heap.verify();
    s.components.list[0]!.fields[0]!.column[i] = heap.index(young); // a store that skipped the barrier
    expectBroken(heap, /invariant 5 .*old object \d+ refers to young \d+ through 'C.to', but only its slot 0 is/);
  });
});
