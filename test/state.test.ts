/**
 * The heap state's building blocks (src/core): growable columns and their capacity steps, the
 * card count, the free-cause words, and what `stats()` counts of the state (`bytesPerObject`,
 * `slotsCapacity`, `bytes` for the weak and free-block lists).
 */
import { describe, expect, it } from 'vitest';
import { Heap, NULL } from '../mod.ts';
import { cardsFor, grownCapacity, growU32, growU8, nextRoundCapacity } from '../src/core/columns.ts';
import { freeCause, freeCauseText, FREED_BY_MAJOR, FREED_BY_MINOR, FREED_DESTROYED } from '../src/core/free-cause.ts';
import { stateOf } from '../src/heap.ts';

describe('growable columns', () => {
  it('copy only the first `used` entries into a new array; the rest is zero', () => {
    const u32 = Uint32Array.of(1, 2, 3, 4);
    expect([...growU32(u32, 8, 2)]).toEqual([1, 2, 0, 0, 0, 0, 0, 0]);
    expect([...growU32(u32, 6)]).toEqual([1, 2, 3, 4, 0, 0]);
    expect(growU32(u32, 6)).not.toBe(u32);
    const u8 = Uint8Array.of(9, 8, 7, 6);
    expect([...growU8(u8, 8, 3)]).toEqual([9, 8, 7, 0, 0, 0, 0, 0]);
    expect([...growU8(u8, 5)]).toEqual([9, 8, 7, 6, 0]);
    // A shorter copy (a grown stack handed back) keeps what fits.
    expect([...growU32(u32, 2, 3)]).toEqual([1, 2]);
    expect([...growU8(u8, 3)]).toEqual([9, 8, 7]);
  });

  it('step through the round numbers k * 2^e, k in 4..7, capped at the limit', () => {
    const steps = [8];
    while (steps.length < 12) steps.push(nextRoundCapacity(steps.at(-1)!));
    expect(steps).toEqual([8, 10, 12, 14, 16, 20, 24, 28, 32, 40, 48, 56]);
    expect(nextRoundCapacity(1024)).toBe(1280);
    expect(nextRoundCapacity(1100)).toBe(1280);
    expect(nextRoundCapacity(1792)).toBe(2048);
    expect(grownCapacity(1024, 1025, 1e9)).toBe(1280);
    expect(grownCapacity(1024, 2049, 1e9)).toBe(2560);
    expect(grownCapacity(1024, 1024, 1e9)).toBe(1024);
    expect(grownCapacity(1, 3, 1e9)).toBe(8);
    expect(grownCapacity(1024, 5000, 3000)).toBe(3000);
  });

  it('cover `length` indices with cards of 2^cardShift', () => {
    expect(cardsFor(1, 0)).toBe(1);
    expect(cardsFor(100, 0)).toBe(100);
    expect(cardsFor(96, 5)).toBe(3);
    expect(cardsFor(97, 5)).toBe(4);
    expect(cardsFor(4097, 12)).toBe(2);
  });
});

describe('free causes', () => {
  it('read as words, or null when unknown', () => {
    expect(freeCauseText(0)).toBeNull();
    expect(freeCauseText(FREED_DESTROYED)).toBeNull(); // destroyed, but no collection recorded
    expect(freeCauseText(freeCause(FREED_BY_MAJOR, 3))).toBe(
      'was freed by major collection #3: nothing reached it from a root',
    );
    expect(freeCauseText(freeCause(FREED_BY_MINOR | FREED_DESTROYED, 12))).toBe(
      'was destroyed (heap.destroy), and minor collection #12 reclaimed its index',
    );
    // The collection's number saturates below 2^29, so a cause fits in 32 bits.
    expect(freeCause(FREED_BY_MINOR, 2 ** 40)).toBe(FREED_BY_MINOR + (2 ** 29 - 1) * 8);
    expect(freeCause(FREED_BY_MINOR, 2 ** 40)).toBeLessThan(2 ** 32);
  });
});

describe('stats() of the state', () => {
  it("bytesPerObject: the header columns and a card's share", () => {
    // color, flags: 1 byte each; generation, size, base, next: 4 each; one card of cardSize indices.
    for (const cardSize of [1, 32, 4096]) {
      expect(new Heap({ cardSize }).stats().bytesPerObject).toBe(18 + 1 / cardSize);
    }
    // And bytes grow by that per index in use: 64 objects of no slots carve a page of indices
    // (core/free-list.ts): 255 headers past the reserved index 0, 8 cards of 32 where there was 1,
    // and a byte for the class of the page `top` now lies in.
    const heap = new Heap({ cardSize: 32 });
    const before = heap.stats().bytes;
    for (let k = 0; k < 64; k++) heap.alloc(0);
    expect(stateOf(heap).top).toBe(256);
    expect(heap.stats().bytes - before).toBe(255 * 18 + (8 - 1) + 1);
  });

  it('slotsCapacity: a new heap has room for 4 slots an object (at least 64), up to maxSlots', () => {
    expect(new Heap({ initialCapacity: 1000 }).stats().slotsCapacity).toBe(4000);
    expect(new Heap({ initialCapacity: 10 }).stats().slotsCapacity).toBe(64);
    expect(new Heap({ initialCapacity: 1000, maxSlots: 100 }).stats().slotsCapacity).toBe(99);
  });

  it('bytes: 4 a young weak object (the young weak list) and 4 a listed free block', () => {
    const made = (kind: 'weak' | 'strong') => {
      const heap = new Heap();
      const holder = heap.alloc(1000);
      heap.pin(holder);
      for (let k = 0; k < 1000; k++) heap.set(holder, k, heap.alloc(1, kind));
      return heap;
    };
    const weak = made('weak');
    expect(stateOf(weak).youngWeakCount).toBe(1000);
    expect(weak.stats().bytes - made('strong').stats().bytes).toBe(4 * 1000);
    // Old objects of one and two slots freed block by block: each free block listed costs 4 bytes,
    // and nothing else the collection changes is counted (no index or slot past the tops).
    const heap = new Heap();
    const holder = heap.alloc(4000);
    heap.pin(holder);
    for (let k = 0; k < 4000; k++) heap.set(holder, k, heap.alloc(1 + (k & 1)));
    heap.collect();
    const before = heap.stats().bytes;
    for (let k = 0; k < 4000; k += 2) heap.set(holder, k, NULL);
    for (let k = 1; k < 4000; k += 4) heap.set(holder, k, NULL);
    heap.collect();
    const s = stateOf(heap);
    expect([s.freeSingleCount, s.freePairCount]).toEqual([2000, 1000]);
    expect(heap.stats().bytes - before).toBe(4 * 3000);
    heap.verify();
  });
});
