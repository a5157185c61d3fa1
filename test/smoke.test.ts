import { describe, expect, it } from 'vitest';
import { Heap, NULL } from '../mod.ts';

describe('smoke', () => {
  it('collects what no root reaches', () => {
    const heap = new Heap({ initialCapacity: 4 });
    const root = heap.alloc(2);
    const ticket = heap.pin(root);
    const kept = heap.alloc(1);
    heap.set(root, 0, kept);
    const dropped = heap.alloc(0);
    for (let i = 0; i < 100; i++) heap.alloc(3);
    const info = heap.collect();
    expect(info.freed).toBe(101);
    expect(heap.isAlive(root)).toBe(true);
    expect(heap.isAlive(kept)).toBe(true);
    expect(heap.isAlive(dropped)).toBe(false);
    expect(heap.get(root, 0)).toBe(kept);
    expect(heap.get(root, 1)).toBe(NULL);
    heap.verify();
    heap.unpin(ticket);
    heap.collect();
    expect(heap.stats().live).toBe(0);
    heap.verify();
  });
});
