/**
 * Allocation when the heap is full while a major sweep is pending (src/gc/allocate.ts,
 * sweepWouldMakeRoom in src/gc/sweep.ts): the dead objects the sweep has yet to free still hold
 * their indices and slot blocks, so `alloc` and `resize` finish the sweep, but only when that
 * makes the room they need: a call that fails anyway must leave the heap as it was, cycle
 * included (docs/decisions.md).
 */
import { describe, expect, it } from 'vitest';
import { Heap, HeapFullError, type HeapOptions, type Ref } from '../mod.ts';

/**
 * A heap at `maxObjects` live objects, `dead` of them unreachable, with its sweep pending (the
 * dead objects sit at the lowest indices, which the downward sweep reaches last).
 */
function fullInSweep(
  options: HeapOptions,
  dead: { count: number; slots: number },
  live: { count: number; slots: number },
): { heap: Heap; kept: Ref[] } {
  const heap = new Heap({ generational: false, ...options });
  for (let k = 0; k < dead.count; k++) heap.alloc(dead.slots);
  const kept = Array.from({ length: live.count }, () => heap.alloc(live.slots));
  for (const ref of kept) heap.pin(ref);
  for (let k = 0; k < 1000 && heap.phase !== 'sweep'; k++) heap.step(1);
  expect(heap.phase).toBe('sweep');
  expect(heap.stats().live).toBe(live.count);
  return { heap, kept };
}

describe('alloc and resize on a full heap with a sweep pending', () => {
  it('alloc finishes the sweep when it frees an index, and then succeeds', () => {
    const { heap } = fullInSweep({ maxObjects: 6, initialCapacity: 6 }, { count: 2, slots: 0 }, { count: 4, slots: 0 });
    const ref = heap.alloc(0);
    expect(heap.isAlive(ref)).toBe(true);
    expect(heap.phase).toBe('idle');
    expect(heap.stats()).toMatchObject({ live: 5, majorCollections: 1 });
    heap.verify();
  });

  it('alloc does not finish the sweep when every dead index retires: it throws and changes nothing', () => {
    // One generation bit: a freed index of generation 1 retires. Make the dead objects' indices
    // reach generation 1 first, by freeing them once.
    const heap = new Heap({ generational: false, maxObjects: 4, initialCapacity: 4, generationBits: 1 });
    const keep = heap.alloc(0);
    heap.pin(keep);
    heap.alloc(0);
    heap.alloc(0);
    heap.collect(); // indices 2 and 3 are free at generation 1
    heap.alloc(0);
    heap.alloc(0); // they are reused; freed again, they retire
    heap.pin(heap.alloc(0)); // index 4: the heap is full
    for (let k = 0; k < 1000 && heap.phase !== 'sweep'; k++) heap.step(1);
    expect(heap.phase).toBe('sweep');
    const before = heap.stats();
    expect(() => heap.alloc(0)).toThrow('heap full: maxObjects 4 reached (2 live, 0 retired)');
    expect(heap.phase).toBe('sweep');
    expect(heap.stats()).toMatchObject({
      live: before.live,
      retired: before.retired,
      majorCollections: before.majorCollections,
    });
    heap.verify();
  });

  it('alloc of slots finishes the sweep when a dead object frees a block of the needed class', () => {
    // maxSlots 9: slot 0 is reserved, so 8 slots: two dead blocks of 2 and one live block of 4.
    const { heap } = fullInSweep({ maxSlots: 9 }, { count: 2, slots: 2 }, { count: 1, slots: 4 });
    const ref = heap.alloc(2);
    expect(heap.slotCount(ref)).toBe(2);
    expect(heap.phase).toBe('idle');
    heap.verify();
  });

  it('alloc of slots does not finish the sweep when the dead blocks are of another class', () => {
    const { heap } = fullInSweep({ maxSlots: 9 }, { count: 2, slots: 2 }, { count: 1, slots: 4 });
    expect(() => heap.alloc(4)).toThrow(/slot pool full: 4 slots do not fit in maxSlots 9/);
    expect(heap.phase).toBe('sweep');
    expect(heap.stats().majorCollections).toBe(0);
    heap.verify();
  });

  it('resize finishes the sweep when that frees a block of the needed class', () => {
    const { heap, kept } = fullInSweep({ maxSlots: 9 }, { count: 1, slots: 4 }, { count: 2, slots: 2 });
    heap.resize(kept[0]!, 4);
    expect(heap.slotCount(kept[0]!)).toBe(4);
    expect(heap.phase).toBe('idle');
    heap.verify();
  });

  it('does not finish the sweep inside noGc or a finalizer: alloc runs no user code', () => {
    const { heap } = fullInSweep({ maxObjects: 6, initialCapacity: 6 }, { count: 2, slots: 0 }, { count: 4, slots: 0 });
    expect(() => heap.noGc(() => heap.alloc(0))).toThrow(HeapFullError);
    expect(heap.phase).toBe('sweep');
    heap.verify();
  });

  it('does not finish the cycle while finalizers are due: alloc runs no user code', () => {
    const heap = new Heap({ generational: false, maxObjects: 4, initialCapacity: 4 });
    heap.pin(heap.alloc(0));
    heap.pin(heap.alloc(0));
    let ran = 0;
    for (let k = 0; k < 2; k++) heap.setFinalizer(heap.alloc(0), () => void ran++);
    while (ran === 0) heap.step(1); // one finalizer ran; the other is queued
    expect([ran, heap.phase]).toEqual([1, 'sweep']);
    expect(() => heap.alloc(0)).toThrow(HeapFullError);
    expect(ran).toBe(1);
    heap.verify();
  });
  it('resize does not finish a sweep whose dead objects hold no slots', () => {
    const heap = new Heap({ generational: false, maxSlots: 9 }); // 8 slots
    heap.alloc(0);
    heap.alloc(0); // dead, without slots
    for (const ref of [heap.alloc(4), heap.alloc(4)]) heap.pin(ref);
    const empty = heap.alloc(0);
    heap.pin(empty);
    for (let k = 0; k < 1000 && heap.phase !== 'sweep'; k++) heap.step(1);
    expect(heap.phase).toBe('sweep');
    expect(() => heap.resize(empty, 1)).toThrow(HeapFullError); // the smallest block: class 0
    expect(heap.phase).toBe('sweep');
    heap.verify();
  });

  it('resize finishes a sweep that frees a larger block: it splits', () => {
    const heap = new Heap({ generational: false, maxSlots: 9 });
    heap.alloc(4); // dead
    heap.pin(heap.alloc(4));
    const empty = heap.alloc(0);
    heap.pin(empty);
    for (let k = 0; k < 1000 && heap.phase !== 'sweep'; k++) heap.step(1);
    heap.resize(empty, 1);
    expect(heap.slotCount(empty)).toBe(1);
    expect(heap.phase).toBe('idle');
    heap.verify();
  });
});
