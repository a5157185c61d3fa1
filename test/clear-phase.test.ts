/**
 * CLEAR (gc/collector.ts, gc/weak.ts `clearSlice`): after the atomic step, the old weak and
 * ephemeron objects' references to dead (white) objects are cleared in slices, while the read
 * barrier reads them as NULL. What a program sees must be what it saw when the atomic step
 * cleared them all at once: a weak slot naming a dead object reads NULL from the end of marking
 * on, whatever the slices have reached.
 */
import { describe, expect, it } from 'vitest';
import { Heap, NULL, type Ref } from '../mod.ts';
import { stateOf } from '../src/heap.ts';
import { CLEAR } from '../src/core/state.ts';

/** An old heap: a pinned holder of `n` weak 1-slot objects, each naming its own target; odd targets are held too. */
function weakWorld(n: number): { heap: Heap; weak: Ref[]; targets: Ref[]; targetIndex: number[] } {
  const heap = new Heap({ generational: false });
  const holder = heap.alloc(2 * n);
  heap.pin(holder);
  const weak: Ref[] = [];
  const targets: Ref[] = [];
  const targetIndex: number[] = [];
  for (let k = 0; k < n; k++) {
    const w = heap.alloc(1, 'weak');
    const t = heap.alloc(0);
    heap.set(w, 0, t);
    heap.set(holder, k, w);
    if (k % 2 === 1) heap.set(holder, n + k, t);
    weak.push(w);
    targets.push(t);
    targetIndex.push(heap.index(t));
  }
  return { heap, weak, targets, targetIndex };
}

/** Steps with small budgets until the heap is in CLEAR with part of the weak list still ahead. */
function stepIntoClear(heap: Heap): void {
  const s = stateOf(heap);
  for (let k = 0; k < 100_000 && !(s.phase === CLEAR && s.weakCursor > 0); k++) heap.step(16);
  expect(s.phase).toBe(CLEAR);
  expect(s.weakCursor).toBeGreaterThan(0);
  expect(s.weakCursor).toBeLessThan(s.weakCount);
}

describe('CLEAR: old weak references to the dead are cleared in slices', () => {
  it('reads a dead target as NULL before its slot is cleared, and clears it by the end', () => {
    const { heap, weak, targets, targetIndex } = weakWorld(400);
    const s = stateOf(heap);
    stepIntoClear(heap);
    heap.verify();
    expect(heap.phase).toBe('sweep');
    const last = weak.length - 2; // listed near the end: not reached yet (its target is dead)
    expect(s.slots[s.base[heap.index(weak[last]!)]!]).toBe(targetIndex[last]); // not cleared yet
    for (let k = 0; k < weak.length; k++) {
      const expected = k % 2 === 1 ? targets[k] : NULL;
      expect(heap.get(weak[k]!, 0)).toBe(expected);
      expect(heap.targetIndex(weak[k]!, 0)).toBe(expected === NULL ? 0 : heap.index(expected));
      expect(heap.isAlive(targets[k]!)).toBe(k % 2 === 1);
    }
    while (s.phase === CLEAR) heap.step(16);
    heap.verify();
    expect(s.slots[s.base[heap.index(weak[last]!)]!]).toBe(0);
    expect(s.weakCursor).toBe(0);
    heap.collect();
    for (let k = 0; k < weak.length; k++) expect(heap.get(weak[k]!, 0)).toBe(k % 2 === 1 ? targets[k] : NULL);
    heap.verify();
  });

  it('takes slices: a tick of one unit budget leaves most of 10^4 weak objects to later ticks', () => {
    const { heap } = weakWorld(10_000);
    const s = stateOf(heap);
    stepIntoClear(heap);
    let ticks = 0;
    while (s.phase === CLEAR) {
      heap.tick({ units: 512 });
      ticks++;
    }
    // About 2 units an entry: 20,000 units in slices of 512.
    expect(ticks).toBeGreaterThan(20);
    heap.verify();
  });

  it('an ephemeron pair whose key died reads (NULL, NULL), and a store into it starts from there', () => {
    const heap = new Heap({ generational: false });
    const holder = heap.alloc(300);
    heap.pin(holder);
    const tables: Ref[] = [];
    for (let k = 0; k < 300; k++) {
      const table = heap.alloc(2, 'ephemeron');
      heap.set(table, 0, heap.alloc(0)); // a key nothing else holds: dead at the next cycle
      heap.set(table, 1, heap.alloc(0));
      heap.set(holder, k, table);
      tables.push(table);
    }
    stepIntoClear(heap);
    const last = tables[tables.length - 1]!;
    expect(heap.get(last, 0)).toBe(NULL);
    expect(heap.get(last, 1)).toBe(NULL);
    const value = heap.alloc(0);
    heap.set(last, 1, value); // the dead key's pair is emptied first, so the value is not lost
    expect(heap.get(last, 0)).toBe(NULL);
    expect(heap.get(last, 1)).toBe(value);
    heap.verify();
    heap.pin(value); // (a pair without a key holds its value weakly: only the pin keeps it)
    heap.collect();
    expect(heap.get(last, 1)).toBe(value);
    heap.verify();
  });

  it('keeps weak objects allocated during CLEAR, and those destroyed then are dropped', () => {
    const { heap, weak } = weakWorld(400);
    const s = stateOf(heap);
    stepIntoClear(heap);
    const held = heap.alloc(0);
    heap.pin(held);
    const fresh = heap.alloc(1, 'weak');
    heap.pin(fresh);
    heap.set(fresh, 0, held);
    heap.destroy(weak[weak.length - 1]!); // ahead of the cursor
    heap.verify();
    heap.collect();
    heap.verify();
    expect(heap.get(fresh, 0)).toBe(held);
    expect(s.weakCount).toBe(weak.length - 1 + 1);
  });

  it('saves and restores in CLEAR, and the restored heap finishes the cycle alike', () => {
    const { heap, weak, targets } = weakWorld(400);
    stepIntoClear(heap);
    const restored = Heap.restore(heap.snapshot());
    expect(stateOf(restored).phase).toBe(CLEAR);
    restored.verify();
    for (const h of [heap, restored]) {
      h.collect();
      h.verify();
    }
    for (let k = 0; k < weak.length; k++) {
      expect(restored.get(weak[k]!, 0)).toBe(heap.get(weak[k]!, 0));
      expect(heap.get(weak[k]!, 0)).toBe(k % 2 === 1 ? targets[k] : NULL);
    }
  });
});
