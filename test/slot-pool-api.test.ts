/**
 * The slot pool (src/core/slots.ts) and resizing (src/gc/allocate.ts), seen through the API:
 * blocks are reused after a shrink to nothing, slots a resize brings back read NULL, and the pool
 * grows by doubling its capacity (`stats().slotsCapacity`).
 */
import { describe, expect, it } from 'vitest';
import { Heap, HeapFullError, NULL } from '../mod.ts';

describe('the slot pool', () => {
  it('takes a block back when an object is resized to no slots', () => {
    const heap = new Heap({ maxSlots: 5 }); // slot 0 is reserved: room for one block of 4
    const a = heap.alloc(4);
    heap.resize(a, 0);
    const b = heap.alloc(4);
    expect(heap.slotCount(b)).toBe(4);
    expect(() => heap.alloc(1)).toThrow(HeapFullError);
    heap.verify();
  });

  it('reads NULL in slots a resize brings back within the same block', () => {
    const heap = new Heap();
    const a = heap.alloc(4);
    const target = heap.alloc(0);
    heap.pin(a);
    heap.pin(target);
    heap.set(a, 2, target);
    heap.set(a, 3, target);
    heap.resize(a, 2); // the block keeps its 4 slots; slots 2 and 3 are gone
    heap.resize(a, 4);
    expect([heap.get(a, 2), heap.get(a, 3)]).toEqual([NULL, NULL]);
    heap.resize(a, 3); // shrinking in the block and growing again
    heap.set(a, 2, target);
    heap.resize(a, 1);
    heap.resize(a, 3);
    expect(heap.get(a, 2)).toBe(NULL);
    heap.verify();
  });
});
