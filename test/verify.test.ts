/**
 * `verify()` must notice each broken invariant. These tests corrupt the state behind a heap on
 * purpose (through the library-internal `stateOf`) and expect the error to name the invariant.
 */
import { describe, expect, it } from 'vitest';
import { Heap, HeapCorruptionError, type Index } from '../mod.ts';
import { stateOf } from '../src/heap.ts';
import type { HeapState } from '../src/core/state.ts';
import { FREE_SINGLE } from '../src/core/slots.ts';

/** A small heap with a pinned old world, a free index (3), a young object and a dirty card. */
function sample(): { heap: Heap; s: HeapState; world: number; young: number } {
  const heap = new Heap({ cardSize: 1 });
  const world = heap.alloc(2);
  heap.pin(world);
  heap.alloc(1); // garbage: indices 2 and 3 become free, and the young object takes 2
  heap.alloc(1);
  heap.collect();
  const young = heap.alloc(1);
  heap.set(world, 0, young);
  heap.verify();
  return { heap, s: stateOf(heap), world: heap.index(world), young: heap.index(young) };
}

function expectBroken(heap: Heap, invariant: RegExp): void {
  expect(() => heap.verify()).toThrow(HeapCorruptionError);
  expect(() => heap.verify()).toThrow(invariant);
}

describe('verify() names the broken invariant', () => {
  it('passes on a healthy heap', () => {
    sample().heap.verify();
  });

  it('1: a free list with a cycle, a live entry or a missing index', () => {
    let { heap, s } = sample();
    s.freeHead = 0; // index 3 is free but no longer listed
    expectBroken(heap, /invariant 1 .*free/);
    ({ heap, s } = sample());
    s.next[s.freeHead] = s.freeHead;
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
    expectBroken(heap, /invariant 3 .*buddies of class 0, not merged/);
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
    expectBroken(heap, /invariant 3 .*not a multiple of its size/);
    ({ heap, s, at } = pool());
    s.slots[s.slotTop + 1] = 7;
    expectBroken(heap, /invariant 3 .*above the top/);
    expect(at).toHaveLength(4);
  });

  it('4: a pin naming a freed object', () => {
    const { heap, s } = sample();
    s.pinTarget[1] = 3;
    expectBroken(heap, /invariant 4/);
  });

  it('5: an old-to-young reference in a clean card', () => {
    const { heap, s, world } = sample();
    s.cards[world]! = 0;
    s.dirtyCount = 0;
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
    expectBroken(heap, /invariant 7/);
  });
});
