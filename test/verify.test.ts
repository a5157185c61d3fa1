/**
 * `verify()` must notice each broken invariant. These tests corrupt the state behind a heap on
 * purpose (through the library-internal `stateOf`) and expect the error to name the invariant.
 */
import { describe, expect, it } from 'vitest';
import { Heap, HeapCorruptionError, type Index } from '../mod.ts';
import { stateOf } from '../src/heap.ts';
import type { HeapState } from '../src/core/state.ts';

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
