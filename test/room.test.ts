/**
 * Allocation when the heap is full while a major sweep is pending (src/gc/allocate.ts,
 * sweepWouldMakeRoom in src/gc/sweep.ts): the dead objects the sweep has yet to free still hold
 * their indices and slot blocks, so `alloc` and `resize` finish the sweep, but only when that
 * makes the room they need: a call that fails anyway must leave the heap as it was, cycle
 * included (docs/decisions.md).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fcRuns } from './runs.ts';
import { statsOf } from './naming.ts';
import { Heap, HeapFullError, type HeapOptions, NULL, type Ref, type Ticket } from '../mod.ts';
import { stateOf } from '../src/heap.ts';
import { CLEAR } from '../src/core/state.ts';

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

/**
 * A full heap (maxObjects 4) with a sweep pending whose dead indices all retire when freed. One
 * generation bit: a freed index of generation 1 retires, so the dead objects' indices are made to
 * reach generation 1 first, by freeing them once.
 */
function fullHeapSweepingRetiringIndices(): Heap {
  const heap = new Heap({ generational: false, maxObjects: 4, initialCapacity: 4, generationBits: 1 });
  heap.pin(heap.alloc(0));
  heap.alloc(0);
  heap.alloc(0);
  heap.collect(); // indices 2 and 3 are free at generation 1
  heap.alloc(0);
  heap.alloc(0); // they are reused; freed again, they retire
  heap.pin(heap.alloc(0)); // index 4: the heap is full
  for (let k = 0; k < 1000 && heap.phase !== 'sweep'; k++) heap.step(1);
  expect(heap.phase).toBe('sweep');
  return heap;
}

describe('alloc and resize on a full heap with a sweep pending', () => {
  it('leave the sweep pending when there is room: every kind of object, and a resize that needs a new block', () => {
    // Room for more objects and slots: nothing calls for the sweep to be finished.
    const { heap, kept } = fullInSweep({ maxObjects: 20, initialCapacity: 20 }, { count: 4, slots: 2 }, {
      count: 4,
      slots: 1,
    });
    heap.alloc(0);
    heap.alloc(2, 'weak');
    heap.alloc(2, 'ephemeron');
    heap.resize(kept[0]!, 8);
    expect(heap.phase).toBe('sweep');
    heap.verify();
  });

  it('alloc finishes the sweep when it frees an index, and then succeeds', () => {
    const { heap } = fullInSweep({ maxObjects: 6, initialCapacity: 6 }, { count: 2, slots: 0 }, { count: 4, slots: 0 });
    const ref = heap.alloc(0);
    expect(heap.isAlive(ref)).toBe(true);
    expect(heap.phase).toBe('idle');
    expect(heap.stats()).toMatchObject({ live: 5, majorCollections: 1 });
    heap.verify();
  });

  it('alloc does not finish the sweep when every dead index retires: it throws and changes nothing', () => {
    const heap = fullHeapSweepingRetiringIndices();
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

  it('alloc of slots finishes the sweep when small blocks left unmerged cannot make the block', () => {
    // A single freed unmerged beside a live one (no merge makes a pair of it), the pool full, and
    // a dead pair the pending sweep has yet to free: the room is the sweep's, not a merge's.
    const heap = new Heap({ maxSlots: 17 });
    heap.pin(heap.alloc(1)); // slot 1
    heap.alloc(1); // slot 2: garbage, beside a live slot
    const holder = heap.alloc(2); // 3-4
    heap.pin(holder);
    const doomed = heap.alloc(2); // 5-6
    heap.set(holder, 0, doomed);
    heap.pin(heap.alloc(2)); // 7-8
    heap.pin(heap.alloc(8)); // 9-16: the pool is full
    heap.minor(); // frees slot 2, unmerged
    heap.set(holder, 0, NULL);
    for (let k = 0; k < 1000 && heap.phase !== 'sweep'; k++) heap.step(1);
    const s = stateOf(heap);
    expect([heap.phase, s.freeSingleCount, s.lazyFrees, s.slotTop]).toEqual(['sweep', 1, 1, 17]);
    expect(heap.isAlive(doomed)).toBe(false);
    const ref = heap.alloc(2);
    expect(stateOf(heap).base[heap.index(ref)]).toBe(5);
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

describe('allocMany: a wave fits exactly when its objects would fit one by one', () => {
  it('counts free blocks of the class, splits of larger ones and the top, and never passes maxSlots', () => {
    // [0, 4) dies, [4, 8) and [8, 16) live: one free block of 4, no room at the top.
    const heap = new Heap({ maxSlots: 17 });
    heap.alloc(4);
    heap.pin(heap.alloc(4));
    heap.pin(heap.alloc(8));
    heap.collect();
    expect(() => heap.allocMany(2, 4)).toThrow('slot pool full: 2 blocks of 4 slots do not fit in maxSlots 17');
    heap.verify();
    expect(heap.allocMany(1, 4).length).toBe(1);
    heap.verify();
    // Free single slots, listed densely, are room for singles: 8 of them between live ones.
    const singles = new Heap({ maxSlots: 17 });
    for (let k = 0; k < 16; k++) {
      const ref = singles.alloc(1);
      if (k % 2 === 1) singles.pin(ref);
    }
    singles.collect();
    expect(singles.allocMany(8, 1).length).toBe(8);
    expect(() => singles.allocMany(1, 1)).toThrow(HeapFullError);
    singles.verify();
    // Blocks carved from the top start at a multiple of their size: past a top at offset 2, a
    // pool of 10 slots holds one block of 4 (at offset 4), not two.
    const aligned = new Heap({ maxSlots: 11 });
    aligned.pin(aligned.alloc(1));
    aligned.pin(aligned.alloc(1));
    expect(() => aligned.allocMany(2, 4)).toThrow(HeapFullError);
    expect(aligned.allocMany(1, 4).length).toBe(1);
    aligned.verify();
  });

  it('a wave refused at maxSlots leaves the pool as it was (a free pair is not counted twice as mergeable room)', () => {
    // Free after the collection: a pair (freed unmerged), a single beside a live slot, a block of 4.
    const heap = new Heap({ maxSlots: 48, maxObjects: 30, initialCapacity: 8 });
    for (const [n, keep] of [[4, true], [9, true], [2, false], [1, true], [3, true]] as const) {
      const ref = heap.alloc(n);
      if (keep) heap.pin(ref);
    }
    heap.collect();
    const bytes = heap.snapshot();
    const wave = Heap.restore(bytes);
    expect(() => wave.allocMany(11, 2)).toThrow('slot pool full: 11 blocks of 2 slots do not fit in maxSlots 48');
    expect(wave.snapshot()).toEqual(bytes);
    expect(Heap.restore(bytes).allocMany(10, 2).length).toBe(10);
  });

  it('a call whose block exists only by merging small free blocks merges them, at maxSlots', () => {
    // Eight free singles beside live ones (no merge makes anything of them) and two free pairs at
    // 17 and 19 (together a free region of 4), freed since the last merge: too few frees for
    // allocation's own merge before carving (a quarter of the small free blocks), and the pool at
    // maxSlots. A block of 4 is there only once the pairs are merged.
    const build = (): Heap => {
      const heap = new Heap({ maxSlots: 25, initialCapacity: 8 });
      const singles = Array.from({ length: 16 }, () => heap.alloc(1)); // slots 1..16
      for (let k = 0; k < 16; k += 2) heap.pin(singles[k]!);
      heap.minor();
      heap.alloc(2); // slots 17-18; carving it merged the singles (nothing to merge: lazyFrees 0)
      heap.alloc(2); // 19-20
      heap.pin(heap.alloc(4)); // 21-24: the pool is full
      heap.minor(); // the pairs die, unmerged
      const s = stateOf(heap);
      expect([s.freeSingleCount, s.freePairCount, s.lazyFrees, s.slotTop, s.maxSlots]).toEqual([8, 2, 2, 25, 25]);
      return heap;
    };
    const wave = build();
    const [made] = wave.allocMany(1, 3);
    expect(stateOf(wave).base[wave.index(made!)]).toBe(17);
    wave.verify(); // a wave that carved past maxSlots would fail here
    const one = build();
    expect(stateOf(one).base[one.index(one.alloc(3))]).toBe(17);
    one.verify();
  });

  it('a call refused for want of an index merges no small blocks (found by the fuzz test)', () => {
    // The pool: free pairs at 1 and 3 (freed unmerged: together a free region of 4 slots), a
    // free block of 4 at 9, live blocks at 5 and 13; four live objects of maxObjects 5.
    const heap = new Heap({ maxObjects: 5, maxSlots: 16, initialCapacity: 1 });
    const [, , kept, , last] = [heap.alloc(2), heap.alloc(2), heap.alloc(4), heap.alloc(4), heap.alloc(1)];
    heap.pin(kept!);
    heap.pin(last!);
    heap.minor();
    heap.pin(heap.alloc(0));
    heap.pin(heap.alloc(0));
    const s = stateOf(heap);
    expect([s.freePairCount, s.lazyFrees, s.live]).toEqual([2, 2, 4]);
    const bytes = heap.snapshot();
    // Two blocks of 4 slots are at hand only by merging the pairs; one index is.
    expect(() => heap.allocMany(2, 3)).toThrow('heap full: a wave of 2 objects does not fit in maxObjects 5');
    expect(heap.snapshot()).toEqual(bytes);
    heap.pin(heap.alloc(0));
    expect(() => heap.alloc(3)).toThrow(/heap full: maxObjects 5 reached/);
    expect(() => heap.allocMany(1, 3)).toThrow(/heap full/);
    const full = heap.snapshot();
    heap.verify();
    // alloc the same way: no free block of 4 here, only the pairs that would merge into one.
    const single = new Heap({ maxObjects: 4, maxSlots: 16, initialCapacity: 1 });
    const [, , held, tail] = [single.alloc(2), single.alloc(2), single.alloc(4), single.alloc(1)];
    single.pin(held!);
    single.pin(tail!);
    single.minor();
    single.pin(single.alloc(0));
    single.pin(single.alloc(0));
    expect([stateOf(single).freePairCount, stateOf(single).lazyFrees, stateOf(single).live]).toEqual([2, 2, 4]);
    const singleBytes = single.snapshot();
    expect(() => single.alloc(3)).toThrow(/heap full: maxObjects 4 reached/);
    expect(single.snapshot()).toEqual(singleBytes);
    single.verify();
    // With the index it needs, a wave of one takes the free block of 4 as it is.
    const roomy = Heap.restore(bytes);
    expect(roomy.allocMany(1, 3).length).toBe(1);
    expect(stateOf(roomy).lazyFrees).toBe(2);
    roomy.verify();
    expect(Heap.restore(full).stats().live).toBe(5);
  });

  it('agrees with allocating one by one, on random pools', () => {
    const sizes = fc.constantFrom(0, 1, 2, 3, 4, 5, 8, 9);
    fc.assert(
      fc.property(
        fc.array(fc.record({ slots: sizes, keep: fc.boolean() }), { maxLength: 24 }),
        sizes,
        fc.integer({ min: 1, max: 12 }),
        // Few indices too, so that a wave may fit the pool (by merging) and not the indices.
        fc.integer({ min: 6, max: 30 }),
        (built, slots, count, maxObjects) => {
          const heap = new Heap({ maxSlots: 48, maxObjects, initialCapacity: Math.min(8, maxObjects) });
          for (const { slots: n, keep } of built) {
            let ref;
            try {
              ref = heap.alloc(n);
            } catch (error) {
              if (error instanceof HeapFullError) continue; // the pool is as full as it gets
              throw error;
            }
            if (keep) heap.pin(ref);
          }
          heap.collect();
          const bytes = heap.snapshot();
          let fits = true;
          const one = Heap.restore(bytes);
          try {
            for (let k = 0; k < count; k++) one.alloc(slots);
          } catch (error) {
            if (!(error instanceof HeapFullError)) throw error;
            fits = false;
          }
          const wave = Heap.restore(bytes);
          if (fits) expect(wave.allocMany(count, slots).length).toBe(count);
          else {
            expect(() => wave.allocMany(count, slots)).toThrow(HeapFullError);
            expect(wave.snapshot()).toEqual(bytes); // a wave that does not fit changes nothing
          }
          wave.verify();
        },
      ),
      { numRuns: fcRuns(300) },
    );
  });
});

describe('allocMany on a full heap with a sweep pending, and its messages', () => {
  it('finishes the sweep when the wave needs what it frees, and only then', () => {
    const { heap } = fullInSweep({ maxObjects: 6, initialCapacity: 6 }, { count: 2, slots: 0 }, { count: 4, slots: 0 });
    // The sweep would free 2 indices, short of the 3 the wave needs: it stays pending (nothing changes).
    const before = statsOf(heap);
    expect(() => heap.allocMany(3)).toThrow(
      'heap full: a wave of 3 objects does not fit in maxObjects 6 (room for 2, 2 of it held by dead objects the pending sweep has yet to free)',
    );
    expect(heap.phase).toBe('sweep');
    expect(statsOf(heap)).toEqual(before);
    expect(heap.allocMany(2).length).toBe(2);
    expect(heap.phase).toBe('idle'); // the sweep was finished: it made the wave's room
    heap.verify();
    // Blocks likewise: one free pair and three dead ones make room for a wave of four pairs, not five.
    const short = fullInSweep({ maxSlots: 13 }, { count: 3, slots: 2 }, { count: 1, slots: 4 });
    const slotsBefore = short.heap.stats().slotsUsed;
    expect(() => short.heap.allocMany(5, 2)).toThrow('slot pool full: 5 blocks of 2 slots do not fit in maxSlots 13');
    expect(short.heap.phase).toBe('sweep');
    expect(short.heap.stats().slotsUsed).toBe(slotsBefore);
    expect(short.heap.allocMany(4, 2).length).toBe(4);
    expect(short.heap.phase).toBe('idle');
    short.heap.verify();
    // A wave that fits without the dead objects' room leaves the sweep pending.
    const roomy = fullInSweep({ maxObjects: 7, initialCapacity: 7 }, { count: 2, slots: 0 }, { count: 4, slots: 0 });
    expect(roomy.heap.allocMany(1).length).toBe(1);
    expect(roomy.heap.phase).toBe('sweep');
    roomy.heap.verify();
    // Blocks: two dead pairs make room for a wave of two pairs.
    const pairs = fullInSweep({ maxSlots: 9 }, { count: 2, slots: 2 }, { count: 1, slots: 4 });
    expect(pairs.heap.allocMany(2, 2).length).toBe(2);
    expect(pairs.heap.phase).toBe('idle');
    pairs.heap.verify();
    // Room at the top for exactly the wave: the sweep stays pending.
    const exact = fullInSweep({ maxSlots: 13 }, { count: 2, slots: 2 }, { count: 1, slots: 4 });
    expect(exact.heap.allocMany(2, 2).length).toBe(2);
    expect(exact.heap.phase).toBe('sweep');
    exact.heap.verify();
  });

  it('does not count room the sweep may not use now: inside noGc, or when the slot pool is what is short', () => {
    // Inside noGc the sweep is not finished, so the dead objects' indices are no room now (the fuzz
    // test found the message saying "room for 2" for a wave of 2).
    const held = fullInSweep({ maxObjects: 6, initialCapacity: 6 }, { count: 2, slots: 0 }, { count: 4, slots: 0 });
    const before = statsOf(held.heap);
    expect(() => held.heap.noGc(() => held.heap.allocMany(2))).toThrow(
      'heap full: a wave of 2 objects does not fit in maxObjects 6 now (room for 0; 2 more held by dead objects the running cycle may not free here, inside noGc(), a hook or a finalizer)',
    );
    expect(statsOf(held.heap)).toEqual(before);
    held.heap.verify();
    // The dead hold the indices a wave of pairs needs but no slots: the pool is what does not fit.
    const pool = fullInSweep(
      { maxObjects: 6, initialCapacity: 6, maxSlots: 9 },
      { count: 2, slots: 0 },
      { count: 4, slots: 2 },
    );
    expect(() => pool.heap.allocMany(2, 2)).toThrow('slot pool full: 2 blocks of 2 slots do not fit in maxSlots 9');
    expect(pool.heap.phase).toBe('sweep');
    pool.heap.verify();
  });

  it('names the room dead objects hold from the end of marking on, before the sweep phase too (CLEAR)', () => {
    const heap = new Heap({ generational: false, maxObjects: 8, initialCapacity: 8 });
    const root = heap.alloc(4);
    heap.pin(root);
    for (let k = 0; k < 4; k++) heap.set(root, k, heap.alloc(1, 'weak')); // CLEAR walks their list in steps
    heap.alloc(0);
    heap.alloc(0); // dead
    const s = stateOf(heap);
    for (let k = 0; k < 1000 && s.phase !== CLEAR; k++) heap.step(1);
    expect(s.phase).toBe(CLEAR); // (reported as 'sweep')
    expect(heap.stats().live).toBe(5); // the root and its weak objects; 2 dead, 1 index free
    expect(() => heap.allocMany(4)).toThrow(
      'heap full: a wave of 4 objects does not fit in maxObjects 8 (room for 3, 2 of it held by dead objects the pending sweep has yet to free)',
    );
    // A wave the dead objects' indices would make room for: not finished from CLEAR, so not room now.
    expect(() => heap.allocMany(3)).toThrow(
      'heap full: a wave of 3 objects does not fit in maxObjects 8 now (room for 1; 2 more held by dead objects the running cycle frees when it sweeps, after clearing weak references)',
    );
    expect(s.phase).toBe(CLEAR);
    heap.verify();
  });

  it('does not finish the sweep for a wave when every dead index retires: it throws and changes nothing', () => {
    const heap = fullHeapSweepingRetiringIndices();
    const majors = heap.stats().majorCollections;
    expect(() => heap.allocMany(1)).toThrow('heap full: a wave of 1 object does not fit in maxObjects 4 (room for 0)');
    expect(heap.phase).toBe('sweep');
    expect(heap.stats().majorCollections).toBe(majors);
    heap.verify();
  });

  it('resize needs no index: it grows an object on a heap at maxObjects', () => {
    const heap = new Heap({ maxObjects: 2, initialCapacity: 2 });
    const a = heap.alloc(1);
    heap.pin(a);
    heap.pin(heap.alloc(0));
    expect(() => heap.alloc(0)).toThrow(HeapFullError);
    heap.resize(a, 9);
    expect(heap.slotCount(a)).toBe(9);
    heap.verify();
  });

  it('a wave of objects without slots needs no room in a full slot pool', () => {
    const heap = new Heap({ maxSlots: 9 });
    heap.pin(heap.alloc(8));
    expect(() => heap.alloc(1)).toThrow(HeapFullError);
    expect(heap.allocMany(5, 0).length).toBe(5);
    heap.verify();
  });

  it('counts retired indices as taken, and names destroyed objects awaiting a collection', () => {
    // One generation bit: indices freed at generation 1 retire.
    const heap = new Heap({ generational: false, maxObjects: 4, initialCapacity: 4, generationBits: 1 });
    heap.pin(heap.alloc(0));
    heap.alloc(0);
    heap.alloc(0);
    heap.collect(); // indices 2 and 3 are free at generation 1
    heap.alloc(0);
    heap.alloc(0);
    heap.collect(); // and now retired
    expect(heap.stats()).toMatchObject({ live: 1, retired: 2 });
    expect(() => heap.allocMany(2)).toThrow('heap full: a wave of 2 objects does not fit in maxObjects 4 (room for 1)');
    const last = heap.alloc(0);
    heap.destroy(last);
    expect(() => heap.alloc(0)).toThrow(
      'heap full: maxObjects 4 reached (1 live, 2 retired, 1 destroyed awaiting a collection, which reclaims their indices)',
    );
    heap.verify();
  });
});

describe('a game that ticks every frame never fills a heap three times its reach', () => {
  // The sizing rule docs/decisions.md gives ("How big `maxObjects` and `maxSlots` must be"): with `tick()` called
  // once a frame, any budget and any pacing option, a heap whose maxObjects is at least 3x the
  // objects a frame's end holds reachable plus those one frame allocates, and whose maxSlots is
  // 3x their slots (each object's rounded up to a power of two, its block), never throws
  // HeapFullError. Until session 41 a heap smaller than twice `minHeapObjects` (8192 by default)
  // ran no major cycle from tick() at all, one near full never started one, and none looked at
  // the slot pool.
  const game = fc.record({
    perFrame: fc.integer({ min: 1, max: 300 }),
    chain: fc.integer({ min: 1, max: 4 }),
    lifetime: fc.integer({ min: 1, max: 30 }),
    slots: fc.integer({ min: 1, max: 40 }),
    // Indices to spare, so that the slot pool is what fills.
    spareIndices: fc.boolean(),
    budget: fc.oneof(
      fc.constant(1 as number | { units: number }),
      fc.record({ units: fc.integer({ min: 1, max: 3000 }) }),
    ),
    options: fc.record(
      {
        generational: fc.boolean(),
        nurserySize: fc.integer({ min: 1, max: 2000 }),
        promoteAfter: fc.integer({ min: 1, max: 3 }),
        minHeapObjects: fc.integer({ min: 1, max: 20_000 }),
        growthPercent: fc.integer({ min: 1, max: 500 }),
        cardSize: fc.constantFrom(1, 16),
      },
      { requiredKeys: [] },
    ),
  });

  it('for random frame shapes, lifetimes, slot counts, budgets and pacing options', () => {
    fc.assert(
      fc.property(game, ({ perFrame, chain, lifetime, slots, spareIndices, budget, options }) => {
        // Each frame allocates chains of `chain` objects of `slots` slots, each linked from the
        // one before; every other chain's head is pinned for `lifetime` frames, the rest is
        // garbage at once.
        const chains = Math.ceil(perFrame / chain);
        const madePerFrame = chains * chain;
        const keptPerFrame = Math.ceil(chains / 2) * chain;
        const reach = keptPerFrame * lifetime;
        const block = 2 ** Math.ceil(Math.log2(slots));
        const heap = new Heap({
          maxObjects: (spareIndices ? 10 : 3) * (reach + madePerFrame),
          maxSlots: 3 * (reach + madePerFrame) * block + 1, // slot 0 is no block's
          ...options,
        });
        const pinned: Ticket[][] = [];
        const report = heap.tick(budget);
        for (let frame = 0; frame < 3 * lifetime + 40; frame++) {
          const heads: Ticket[] = [];
          for (let c = 0; c < chains; c++) {
            const head = heap.alloc(slots);
            let last = head;
            for (let k = 1; k < chain; k++) {
              const next = heap.alloc(slots);
              heap.set(last, 0, next);
              last = next;
            }
            if (c % 2 === 0) heads.push(heap.pin(head));
          }
          pinned.push(heads);
          if (pinned.length > lifetime) { for (const ticket of pinned.shift()!) heap.unpin(ticket); }
          heap.tick(budget, report);
        }
        heap.verify();
        // The reach counted above is the heap's: a collection leaves exactly it.
        heap.collect();
        expect(heap.stats().live).toBe(keptPerFrame * pinned.length);
      }),
      { numRuns: fcRuns(100) },
    );
  });
});
