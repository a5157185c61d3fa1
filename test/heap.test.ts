/**
 * Unit tests for every method of `Heap`, against the contract in docs/design.md ("Public API
 * contract", "Semantics every test may rely on"). `verify()` runs after every step that changes
 * the heap, so each test also checks invariants 1-4 on a healthy heap.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fcRuns, MUTATION_RUN } from './runs.ts';
import { statsOf } from './naming.ts';
import { stateOf } from '../src/heap.ts';
import { firstNotLive } from '../src/gc/allocate.ts';
import { queuedIndices } from './queues.ts';
import {
  GcForbiddenError,
  Heap,
  HeapError,
  HeapFullError,
  type HeapOptions,
  type HeapStats,
  type Index,
  NULL,
  type ObjectKind,
  type Ref,
  type RefArray,
  StaleRefError,
  type Ticket,
} from '../mod.ts';

/** A small deterministic PRNG (mulberry32), so random programs repeat exactly. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function slotsOf(heap: Heap, ref: Ref): Ref[] {
  const out: Ref[] = [];
  for (let k = 0; k < heap.slotCount(ref); k++) out.push(heap.get(ref, k));
  return out;
}

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('constructor and options', () => {
  it('has the documented defaults', () => {
    const heap = new Heap();
    const stats = heap.stats();
    expect(stats.live).toBe(0);
    expect(stats.retired).toBe(0);
    expect(stats.slotsUsed).toBe(0);
    expect(stats.pins).toBe(0);
    expect(stats.maxObjects).toBe(2 ** 22 - 1);
    expect(stats.capacity).toBe(1024);
    expect(stats.majorCollections).toBe(0);
    expect(stats.minorCollections).toBe(0);
    expect(stats.phase).toBe('idle');
    expect(heap.phase).toBe('idle');
    expect(stats.bytes).toBeGreaterThan(0);
    expect(stats.bytesPerSlot).toBe(4);
    expect(stats.bytesPerObject).toBeLessThanOrEqual(20);
    expect(stats.lastPauseMs).toBe(0);
    expect(stats.totalPauseMs).toBe(0);
    heap.verify();
  });

  it('accepts undefined and empty options alike', () => {
    expect(statsOf(new Heap(undefined))).toEqual(statsOf(new Heap()));
    expect(statsOf(new Heap({}))).toEqual(statsOf(new Heap()));
  });

  for (let bits = 16; bits <= 24; bits++) {
    it(`indexBits ${bits}: maxObjects defaults to 2^${bits} - 1 and a reused index adds 2^${bits}`, () => {
      const heap = new Heap({ indexBits: bits, initialCapacity: 4 });
      expect(heap.stats().maxObjects).toBe(2 ** bits - 1);
      expect(heap.alloc(0)).toBe(1);
      expect(heap.alloc(0)).toBe(2);
      heap.collect();
      heap.verify();
      expect(heap.alloc(0)).toBe(1 + 2 ** bits);
      expect(heap.alloc(0)).toBe(2 + 2 ** bits);
      expect(heap.index((1 + 2 ** bits) as Ref)).toBe(1);
      heap.verify();
    });

    it(`indexBits ${bits}: generationBits defaults to min(32, 53 - ${bits}) = ${Math.min(32, 53 - bits)}`, () => {
      const maxBits = Math.min(32, 53 - bits);
      // The widest generation is accepted, one more is not.
      expect(() => new Heap({ indexBits: bits, generationBits: maxBits, initialCapacity: 1 })).not.toThrow();
      expect(() => new Heap({ indexBits: bits, generationBits: maxBits + 1, initialCapacity: 1 })).toThrow(RangeError);
      // A handle carrying the largest generation a `maxBits`-bit heap can hold is rejected for
      // the same reason by the default heap and by an explicit `maxBits` heap, and for a different
      // reason (generation out of range) by a heap with one bit fewer.
      const probe = 1 + (2 ** maxBits - 1) * 2 ** bits;
      expect(Number.isSafeInteger(probe)).toBe(true);
      const reason = (options: { indexBits: number; generationBits?: number }): string => {
        const heap = new Heap({ ...options, initialCapacity: 1 });
        heap.alloc(0);
        const error = errorOf(() => heap.slotCount(probe as Ref));
        expect(error).toBeInstanceOf(StaleRefError);
        return (error as Error).message;
      };
      const byDefault = reason({ indexBits: bits });
      expect(byDefault).toBe(reason({ indexBits: bits, generationBits: maxBits }));
      expect(byDefault).not.toBe(reason({ indexBits: bits, generationBits: maxBits - 1 }));
    });
  }

  it('initialCapacity sets the starting capacity and defaults to min(1024, maxObjects)', () => {
    expect(new Heap({ initialCapacity: 10 }).stats().capacity).toBe(10);
    expect(new Heap({ maxObjects: 5 }).stats().capacity).toBe(5);
    expect(new Heap({ maxObjects: 5000 }).stats().capacity).toBe(1024);
    expect(new Heap({ maxObjects: 7, initialCapacity: 7 }).stats().maxObjects).toBe(7);
  });

  it('the edge cases of each range are accepted', () => {
    for (
      const options of [
        { indexBits: 16 },
        { indexBits: 24, initialCapacity: 1 },
        { generationBits: 1 },
        { maxObjects: 1 },
        { maxObjects: 2 ** 22 - 1, initialCapacity: 1 },
        { indexBits: 16, maxObjects: 2 ** 16 - 1 },
        { initialCapacity: 1 },
        { maxSlotsPerObject: 0 },
      ]
    ) {
      const heap = new Heap(options);
      heap.alloc(0);
      heap.verify();
    }
  });
});

describe('alloc', () => {
  it('gives a fresh heap the handles 1, 2, 3, ..., each shape in pages of its own', () => {
    const heap = new Heap({ initialCapacity: 2 });
    for (let k = 1; k <= 50; k++) expect(heap.alloc(0)).toBe(k);
    // Each slot count's class (1, 2, 3-4, ...) takes the next page of 256 indices when it first
    // needs one: 1 slot page 1, 2 slots page 2, 3 and 4 slots page 3; no slots go on in page 0.
    const next = new Map<number, number>([[0, 51]]);
    const pageOf = new Map<number, number>([[0, 0]]);
    for (let k = 1; k <= 200; k++) {
      const slots = k % 5;
      const cls = slots === 0 ? 0 : slots <= 2 ? slots : 3;
      if (!pageOf.has(cls)) {
        pageOf.set(cls, pageOf.size);
        next.set(cls, 256 * pageOf.get(cls)!);
      }
      const index = next.get(cls)!;
      next.set(cls, index + 1);
      expect(heap.alloc(slots)).toBe(index);
    }
    expect([...pageOf.keys()]).toEqual([0, 1, 2, 3]);
    heap.verify();
  });

  it('starts every slot NULL, with the asked slot count (default 0)', () => {
    const heap = new Heap({ initialCapacity: 4 });
    expect(heap.slotCount(heap.alloc())).toBe(0);
    for (const n of [0, 1, 2, 3, 4, 5, 7, 8, 9, 64, 100]) {
      const ref = heap.alloc(n);
      expect(heap.slotCount(ref)).toBe(n);
      expect(slotsOf(heap, ref)).toEqual(new Array(n).fill(NULL));
    }
    expect(heap.slotCount(heap.alloc(2, 'strong'))).toBe(2);
    heap.verify();
  });

  it('starts slots NULL even in a reused block whose old owner held edges', () => {
    const heap = new Heap({ initialCapacity: 4 });
    const target = heap.alloc(0);
    heap.pin(target);
    for (let round = 0; round < 3; round++) {
      const objects: Ref[] = [];
      for (let k = 0; k < 20; k++) {
        const ref = heap.alloc(1 + (k % 9));
        for (let slot = 0; slot < heap.slotCount(ref); slot++) heap.set(ref, slot, target);
        objects.push(ref);
      }
      heap.collect();
      heap.verify();
      for (let k = 0; k < 20; k++) {
        const ref = heap.alloc(1 + (k % 9));
        expect(slotsOf(heap, ref).every((t) => t === NULL)).toBe(true);
      }
      heap.collect();
    }
    heap.verify();
  });

  it('never collects: unrooted objects stay alive until a collection', () => {
    const heap = new Heap({ initialCapacity: 1 });
    const refs: Ref[] = [];
    for (let k = 0; k < 3000; k++) refs.push(heap.alloc(1));
    expect(refs.every((ref) => heap.isAlive(ref))).toBe(true);
    expect(heap.stats().live).toBe(3000);
    expect(heap.stats().majorCollections).toBe(0);
    heap.verify();
  });

  it('packs handles as index + generation * 2^indexBits', () => {
    const bits = 16;
    const heap = new Heap({ indexBits: bits, initialCapacity: 4 });
    const keep = heap.alloc(0);
    const ticket = heap.pin(keep);
    for (let generation = 0; generation < 10; generation++) {
      const a = heap.alloc(0);
      const b = heap.alloc(0);
      expect(a).toBe(2 + generation * 2 ** bits);
      expect(b).toBe(3 + generation * 2 ** bits);
      expect(heap.index(a)).toBe(2);
      expect(heap.index(b)).toBe(3);
      heap.collect();
      heap.verify();
    }
    expect(heap.pinned(ticket)).toBe(keep);
  });
});

/** What two heaps must agree on after the same steps: handles aside, their header columns, free queue and slot pool. */
function allocState(heap: Heap): unknown {
  const s = stateOf(heap);
  const { lastPauseMs: _last, maxPauseMs: _max, totalPauseMs: _total, ...counts } = heap.stats();
  return {
    counts,
    columns: [s.base, s.size, s.next, s.generation, s.color, s.flags].map((column) => [...column.slice(0, s.top)]),
    queue: [[...s.freeHeads], [...s.freeTails], [...s.pageClass], s.spentHead, s.nurseryHead, s.top],
    pool: [s.slotTop, s.freeClasses, s.lazyFrees, [...s.slots.slice(0, s.slotTop)]],
    small: [[...s.freeSingles.slice(0, s.freeSingleCount)], [...s.freePairs.slice(0, s.freePairCount)]],
  };
}

describe('alloc takes on its common path what its general path takes', () => {
  // Outside a scope, a strong object whose index (the free queue's head, not spent) and block (the
  // last listed single or pair, or one carved at an aligned top) are at hand is made by
  // `allocCommon` (gc/allocate.ts); inside a scope every alloc goes through `allocObject`. The same
  // steps on two heaps, one allocating each object inside a scope of its own: after every step the
  // same handles, headers, free queue and slot pool.
  type Step =
    | { op: 'alloc'; slots: number; link: number }
    | { op: 'drop'; at: number }
    | { op: 'minor' | 'collect' | 'step' };
  const stepArb: fc.Arbitrary<Step> = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        op: fc.constant('alloc' as const),
        slots: fc.integer({ min: 0, max: 9 }),
        link: fc.nat(),
      }),
    },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('drop' as const), at: fc.nat() }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('minor' as const, 'collect' as const, 'step' as const) }) },
  );
  const optionsArb = fc.constantFrom<HeapOptions>(
    { nurserySize: 16, initialCapacity: 4 },
    // 64 small handles an index: churned indices come to the queue's head spent.
    { indexBits: 24, nurserySize: 16, initialCapacity: 4 },
    { indexBits: 24, maxObjects: 48, initialCapacity: 4 },
    { generational: false, initialCapacity: 4 },
  );

  it('the same index and block, step for step, whatever the pool holds', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 80 }), optionsArb, fc.nat({ max: 70 }), (steps, options, churn) => {
        const heaps = [new Heap(options), new Heap(options)];
        const held: Ref[][] = [[], []];
        const tickets: Ticket[][] = [[], []];
        for (const heap of heaps) {
          // Rounds of short-lived objects first: indices near or past their small handles.
          for (let round = 0; round < churn; round++) {
            for (let k = 0; k < 6; k++) heap.alloc(round % 3);
            heap.collect();
          }
        }
        for (const step of steps) {
          const made: Ref[] = [];
          for (const [h, heap] of heaps.entries()) {
            if (step.op === 'alloc') {
              const s = stateOf(heap);
              if (s.live + s.retired >= s.maxObjects) continue;
              const make = (): Ref => heap.alloc(step.slots);
              const ref = h === 0 ? make() : heap.scope(make);
              made.push(ref);
              const kept = held[h]!;
              // Every other object is kept and linked from a kept one: collections have edges to trace.
              if (step.link % 2 === 0) continue;
              if (kept.length > 0 && step.slots > 0) {
                heap.set(ref, step.link % step.slots, kept[step.link % kept.length]!);
              }
              kept.push(ref);
              tickets[h]!.push(heap.pin(ref));
            } else if (step.op === 'drop') {
              if (held[h]!.length > 0) {
                const at = step.at % held[h]!.length;
                held[h]!.splice(at, 1);
                heap.unpin(tickets[h]!.splice(at, 1)[0]!);
              }
            } else if (step.op === 'minor') {
              if (heap.phase === 'idle' && options.generational !== false) heap.minor();
            } else if (step.op === 'collect') {
              heap.collect();
            } else {
              heap.step(5);
            }
            heap.verify();
          }
          expect(made[0]).toBe(made[1]);
          expect(allocState(heaps[0]!)).toEqual(allocState(heaps[1]!));
        }
      }),
      { numRuns: fcRuns(80) },
    );
  });

  it('leaves a block that merged small blocks make to the general path', () => {
    // Eight single slots freed below a live block wait unmerged (lazyFrees 8), and the top is
    // aligned for a 4-slot block: the general path merges the singles and takes the block at 1,
    // where carving at the top would have taken 13.
    for (const scoped of [false, true]) {
      const heap = new Heap({ initialCapacity: 16 });
      for (let k = 0; k < 8; k++) heap.alloc(1);
      heap.pin(heap.alloc(4));
      heap.collect();
      const s = stateOf(heap);
      expect([s.lazyFrees, s.freeSingleCount, s.slotTop]).toEqual([8, 8, 13]);
      const ref = scoped ? heap.scope(() => heap.alloc(4)) : heap.alloc(4);
      expect([s.base[heap.index(ref)], s.slotTop, s.lazyFrees]).toEqual([1, 13, 0]);
      heap.verify();
    }
  });

  it("leaves a block past the pool's end to the general path, which grows the pool", () => {
    // Twenty indices queued by a collection, then blocks of 16 slots: the pool (65 slots at
    // initialCapacity 4) must grow while the queue still has indices to give.
    const heaps = [new Heap({ initialCapacity: 4 }), new Heap({ initialCapacity: 4 })];
    for (const [h, heap] of heaps.entries()) {
      for (let k = 0; k < 20; k++) heap.alloc(0);
      heap.collect();
      const first = heap.alloc(9);
      heap.pin(first);
      for (let k = 0; k < 19; k++) {
        const ref = h === 0 ? heap.alloc(9) : heap.scope(() => heap.alloc(9));
        heap.set(ref, 8, first);
        heap.set(first, k % 9, ref);
      }
      expect(stateOf(heap).slots.length).toBeGreaterThan(20 * 16);
      heap.verify();
    }
    expect(allocState(heaps[0]!)).toEqual(allocState(heaps[1]!));
  });
});

describe('isAlive', () => {
  it('is true for live handles and false for NULL, freed and stale ones', () => {
    const heap = new Heap({ initialCapacity: 4 });
    expect(heap.isAlive(NULL)).toBe(false);
    const kept = heap.alloc(0);
    heap.pin(kept);
    const dropped = heap.alloc(0);
    expect(heap.isAlive(kept)).toBe(true);
    expect(heap.isAlive(dropped)).toBe(true);
    heap.collect();
    expect(heap.isAlive(kept)).toBe(true);
    expect(heap.isAlive(dropped)).toBe(false);
    const reused = heap.alloc(0);
    expect(heap.index(reused)).toBe(2); // the index `dropped` had
    expect(heap.isAlive(reused)).toBe(true);
    expect(heap.isAlive(dropped)).toBe(false);
    expect(heap.isAlive(1000 as Ref)).toBe(false);
    heap.verify();
  });
});

describe('get and set', () => {
  it('stores and reads handles; NULL clears a slot', () => {
    const heap = new Heap({ initialCapacity: 4 });
    const a = heap.alloc(3);
    const b = heap.alloc(1);
    const c = heap.alloc(0);
    heap.set(a, 0, b);
    heap.set(a, 2, c);
    heap.set(b, 0, a);
    expect(slotsOf(heap, a)).toEqual([b, NULL, c]);
    expect(heap.get(b, 0)).toBe(a);
    heap.set(a, 0, c);
    expect(heap.get(a, 0)).toBe(c);
    heap.set(a, 0, NULL);
    expect(slotsOf(heap, a)).toEqual([NULL, NULL, c]);
    heap.set(a, 1, a);
    expect(heap.get(a, 1)).toBe(a);
    heap.verify();
  });

  it('get rebuilds the current handle of a target whose index was reused', () => {
    const bits = 16;
    const heap = new Heap({ indexBits: bits, initialCapacity: 4 });
    heap.alloc(0); // index 1, dropped
    const holder = heap.alloc(1);
    heap.pin(holder);
    heap.collect();
    const reused = heap.alloc(0);
    expect(reused).toBe(1 + 2 ** bits);
    heap.set(holder, 0, reused);
    expect(heap.get(holder, 0)).toBe(reused);
    heap.collect();
    expect(heap.get(holder, 0)).toBe(reused);
    heap.verify();
  });

  it('does not disturb the slots of other objects', () => {
    const heap = new Heap({ initialCapacity: 4 });
    const objects: Ref[] = [];
    for (let k = 0; k < 30; k++) objects.push(heap.alloc(k % 6));
    for (const [k, ref] of objects.entries()) {
      for (let slot = 0; slot < heap.slotCount(ref); slot++) heap.set(ref, slot, objects[(k + slot + 1) % 30]!);
    }
    for (const [k, ref] of objects.entries()) {
      for (let slot = 0; slot < heap.slotCount(ref); slot++) {
        expect(heap.get(ref, slot)).toBe(objects[(k + slot + 1) % 30]);
      }
    }
    heap.verify();
  });
});

describe('resize', () => {
  function filled(heap: Heap, n: number): { ref: Ref; targets: Ref[] } {
    const ref = heap.alloc(n);
    const targets: Ref[] = [];
    for (let k = 0; k < n; k++) {
      const target = heap.alloc(0);
      heap.set(ref, k, target);
      targets.push(target);
    }
    return { ref, targets };
  }

  const cases: [number, number][] = [
    [4, 4],
    [4, 3],
    [4, 1],
    [4, 0],
    [4, 5],
    [4, 8],
    [4, 9],
    [4, 100],
    [3, 4],
    [0, 6],
    [1, 2],
    [2, 1],
    [8, 5],
    [100, 3],
  ];
  for (const [from, to] of cases) {
    it(`${from} -> ${to} keeps the first min(old, new) slots and starts new ones NULL`, () => {
      const heap = new Heap({ initialCapacity: 4 });
      const neighbour = filled(heap, 4);
      const { ref, targets } = filled(heap, from);
      const after = filled(heap, 4);
      const used = heap.stats().slotsUsed;
      heap.resize(ref, to);
      expect(heap.slotCount(ref)).toBe(to);
      const expected: Ref[] = [];
      for (let k = 0; k < to; k++) expected.push(k < from ? targets[k]! : NULL);
      expect(slotsOf(heap, ref)).toEqual(expected);
      // Moving a block leaves every other object's slots alone.
      expect(slotsOf(heap, neighbour.ref)).toEqual(neighbour.targets);
      expect(slotsOf(heap, after.ref)).toEqual(after.targets);
      expect(heap.stats().slotsUsed).toBe(used - from + to);
      heap.verify();
    });
  }

  it('growing past the size class moves the block without losing or sharing slots', () => {
    const heap = new Heap({ initialCapacity: 4 });
    const objects = [filled(heap, 2), filled(heap, 2), filled(heap, 2)];
    const middle = objects[1]!;
    for (const n of [3, 5, 9, 17, 33, 65, 129]) {
      heap.resize(middle.ref, n);
      const t = heap.alloc(0);
      heap.set(middle.ref, n - 1, t);
      middle.targets.length = n;
      for (let k = 0; k < n; k++) middle.targets[k] ??= NULL;
      middle.targets[n - 1] = t;
      // A block freed by the move is reused by the next object of that size, which starts NULL
      // and does not alias the moved block.
      const other = heap.alloc(2);
      expect(slotsOf(heap, other)).toEqual([NULL, NULL]);
      heap.set(other, 0, t);
      heap.set(other, 1, t);
      for (const object of objects) expect(slotsOf(heap, object.ref)).toEqual(object.targets);
      heap.verify();
    }
  });

  for (const [big, small] of [[4, 3], [4, 1], [8, 2], [5, 0], [16, 9]] as const) {
    it(`shrinking ${big} -> ${small} then growing back does not reveal old edges`, () => {
      const heap = new Heap({ initialCapacity: 4 });
      const { ref, targets } = filled(heap, big);
      heap.resize(ref, small);
      heap.resize(ref, big);
      const expected = targets.map((t, k) => (k < small ? t : NULL));
      expect(slotsOf(heap, ref)).toEqual(expected);
      // Also after a collection freed the old targets and their indices were reused.
      heap.pin(ref);
      heap.resize(ref, small);
      heap.collect();
      for (let k = 0; k < big; k++) heap.alloc(0);
      heap.resize(ref, big);
      expect(slotsOf(heap, ref)).toEqual(expected);
      heap.verify();
    });
  }

  it('edges cut by shrinking no longer keep their targets alive', () => {
    const heap = new Heap({ initialCapacity: 4 });
    const { ref, targets } = filled(heap, 4);
    heap.pin(ref);
    heap.resize(ref, 3); // same size class: slot 3's old edge may linger in the block
    heap.collect();
    expect(targets.map((t) => heap.isAlive(t))).toEqual([true, true, true, false]);
    heap.resize(ref, 1);
    heap.collect();
    expect(targets.map((t) => heap.isAlive(t))).toEqual([true, false, false, false]);
    heap.resize(ref, 0);
    heap.collect();
    expect(targets.some((t) => heap.isAlive(t))).toBe(false);
    heap.verify();
  });
});

describe('index and refAt', () => {
  it('index gives the object index and refAt maps it back to the live handle', () => {
    const heap = new Heap({ indexBits: 16, initialCapacity: 4 });
    const refs: Ref[] = [];
    for (let k = 0; k < 10; k++) refs.push(heap.alloc(0));
    for (const [k, ref] of refs.entries()) {
      expect(heap.index(ref)).toBe(k + 1);
      expect(heap.refAt(k + 1 as Index)).toBe(ref);
    }
    expect(heap.refAt(0 as Index)).toBe(NULL);
    expect(heap.refAt(11 as Index)).toBe(NULL);
    expect(heap.refAt(5000 as Index)).toBe(NULL);
    expect(heap.refAt(2 ** 40 as Index)).toBe(NULL);
    heap.pin(refs[4]!);
    heap.collect();
    expect(heap.refAt(5 as Index)).toBe(refs[4]);
    expect(heap.refAt(1 as Index)).toBe(NULL);
    const reused = heap.alloc(0);
    expect(heap.index(reused)).toBe(1);
    expect(heap.refAt(1 as Index)).toBe(reused);
    expect(reused).toBe(1 + 2 ** 16);
    heap.verify();
  });
});

describe('pin, unpin, pinned', () => {
  it('a pin is a root until unpinned', () => {
    const heap = new Heap({ initialCapacity: 4 });
    const root = heap.alloc(1);
    const child = heap.alloc(0);
    heap.set(root, 0, child);
    const ticket = heap.pin(root);
    expect(heap.pinned(ticket)).toBe(root);
    expect(heap.stats().pins).toBe(1);
    heap.collect();
    expect(heap.isAlive(root)).toBe(true);
    expect(heap.isAlive(child)).toBe(true);
    heap.unpin(ticket);
    expect(heap.stats().pins).toBe(0);
    expect(heap.pinned(ticket)).toBe(NULL);
    expect(heap.isAlive(root)).toBe(true); // unpinning does not collect
    heap.collect();
    expect(heap.isAlive(root)).toBe(false);
    expect(heap.isAlive(child)).toBe(false);
    heap.verify();
  });

  it('pinning twice needs two unpins', () => {
    const heap = new Heap({ initialCapacity: 4 });
    const ref = heap.alloc(0);
    const first = heap.pin(ref);
    const second = heap.pin(ref);
    expect(first).not.toBe(second);
    expect(heap.stats().pins).toBe(2);
    heap.unpin(first);
    heap.collect();
    expect(heap.isAlive(ref)).toBe(true);
    expect(heap.pinned(first)).toBe(NULL);
    expect(heap.pinned(second)).toBe(ref);
    heap.unpin(second);
    heap.collect();
    expect(heap.isAlive(ref)).toBe(false);
    heap.verify();
  });

  it('pinned returns NULL for a stale ticket, even after its pin slot is reused', () => {
    const heap = new Heap({ initialCapacity: 4 });
    const a = heap.alloc(0);
    const b = heap.alloc(0);
    const old = heap.pin(a);
    heap.unpin(old);
    const fresh = heap.pin(b);
    expect(fresh).not.toBe(old);
    expect(heap.pinned(old)).toBe(NULL);
    expect(heap.pinned(fresh)).toBe(b);
    heap.verify();
  });

  it('many pins grow the pin table; each ticket names its own object', () => {
    const heap = new Heap({ initialCapacity: 4 });
    const pairs: [Ticket, Ref][] = [];
    for (let k = 0; k < 500; k++) {
      const ref = heap.alloc(0);
      pairs.push([heap.pin(ref), ref]);
    }
    heap.alloc(0);
    expect(heap.collect().freed).toBe(1);
    for (const [ticket, ref] of pairs) expect(heap.pinned(ticket)).toBe(ref);
    for (const [ticket] of pairs.filter((_, k) => k % 2 === 0)) heap.unpin(ticket);
    expect(heap.collect().freed).toBe(250);
    for (const [k, [ticket, ref]] of pairs.entries()) {
      expect(heap.pinned(ticket)).toBe(k % 2 === 0 ? NULL : ref);
      expect(heap.isAlive(ref)).toBe(k % 2 === 1);
    }
    heap.verify();
  });

  it('a stale ticket never revives, even when its pin slot runs out of generations', () => {
    const heap = new Heap({ indexBits: 16, generationBits: 3, initialCapacity: 4 });
    const ref = heap.alloc(0);
    const seen = new Set<number>();
    const stale: Ticket[] = [];
    for (let k = 0; k < 40; k++) {
      const ticket = heap.pin(ref);
      expect(seen.has(ticket)).toBe(false);
      seen.add(ticket);
      for (const old of stale) expect(heap.pinned(old)).toBe(NULL);
      expect(heap.pinned(ticket)).toBe(ref);
      heap.unpin(ticket);
      stale.push(ticket);
      heap.verify();
    }
  });
});

describe('scope', () => {
  it('returns what fn returns, and roots objects allocated in fn until it returns', () => {
    const heap = new Heap({ initialCapacity: 4 });
    const before = heap.alloc(0);
    let inside: Ref = NULL;
    let child: Ref = NULL;
    const result = heap.scope(() => {
      inside = heap.alloc(1);
      child = heap.alloc(0);
      heap.set(inside, 0, heap.alloc(0));
      heap.collect();
      heap.verify();
      expect(heap.isAlive(before)).toBe(false); // allocated before the scope: not its root
      expect(heap.isAlive(inside)).toBe(true);
      expect(heap.isAlive(child)).toBe(true);
      expect(heap.isAlive(heap.get(inside, 0))).toBe(true);
      return 'done';
    });
    expect(result).toBe('done');
    expect(heap.isAlive(inside)).toBe(true); // not collected yet: nothing collects on return
    heap.collect();
    expect(heap.isAlive(inside)).toBe(false);
    expect(heap.isAlive(child)).toBe(false);
    expect(heap.stats().live).toBe(0);
    heap.verify();
  });

  it('nested scopes root their own objects; an inner scope releases its objects when it closes', () => {
    const heap = new Heap({ initialCapacity: 4 });
    heap.scope(() => {
      const outer1 = heap.alloc(0);
      let inner: Ref = NULL;
      heap.scope(() => {
        inner = heap.alloc(0);
        heap.collect();
        expect(heap.isAlive(outer1)).toBe(true);
        expect(heap.isAlive(inner)).toBe(true);
      });
      const outer2 = heap.alloc(0);
      heap.collect();
      heap.verify();
      expect(heap.isAlive(outer1)).toBe(true);
      expect(heap.isAlive(outer2)).toBe(true);
      expect(heap.isAlive(inner)).toBe(false);
    });
    heap.collect();
    expect(heap.stats().live).toBe(0);
    heap.verify();
  });

  it('an object stored into a scoped object survives past the scope only if rooted otherwise', () => {
    const heap = new Heap({ initialCapacity: 4 });
    const root = heap.alloc(1);
    heap.pin(root);
    const kept = heap.scope(() => {
      const made = heap.alloc(0);
      heap.set(root, 0, made);
      heap.alloc(0);
      return made;
    });
    heap.collect();
    expect(heap.isAlive(kept)).toBe(true);
    expect(heap.stats().live).toBe(2);
    heap.verify();
  });

  it('a scope whose fn throws still closes, and the error propagates', () => {
    const heap = new Heap({ initialCapacity: 4 });
    let made: Ref = NULL;
    const boom = new Error('boom');
    expect(() =>
      heap.scope(() => {
        made = heap.alloc(0);
        throw boom;
      })
    ).toThrow(boom);
    heap.collect();
    expect(heap.isAlive(made)).toBe(false);
    // Scopes keep working afterwards.
    heap.scope(() => {
      made = heap.alloc(0);
      heap.collect();
      expect(heap.isAlive(made)).toBe(true);
    });
    heap.verify();
  });

  it('many objects in one scope (the scope stack grows)', () => {
    const heap = new Heap({ initialCapacity: 4 });
    const refs = heap.scope(() => {
      const refs: Ref[] = [];
      for (let k = 0; k < 1000; k++) refs.push(heap.alloc(0));
      heap.collect();
      expect(refs.every((ref) => heap.isAlive(ref))).toBe(true);
      return refs;
    });
    heap.collect();
    expect(refs.some((ref) => heap.isAlive(ref))).toBe(false);
    heap.verify();
  });
});

describe('noGc', () => {
  it('returns what fn returns; collect inside throws GcForbiddenError; collect works after', () => {
    const heap = new Heap({ initialCapacity: 4 });
    const ref = heap.alloc(0);
    const result = heap.noGc(() => {
      const error = errorOf(() => heap.collect());
      expect(error).toBeInstanceOf(GcForbiddenError);
      expect(error).toBeInstanceOf(HeapError);
      expect(heap.isAlive(ref)).toBe(true);
      expect(heap.stats().majorCollections).toBe(0);
      // Allocation is fine inside noGc.
      return heap.alloc(0);
    });
    expect(heap.isAlive(result)).toBe(true);
    expect(heap.collect().freed).toBe(2);
    heap.verify();
  });

  it('nests, and a throwing fn still re-enables collection', () => {
    const heap = new Heap({ initialCapacity: 4 });
    heap.noGc(() => {
      heap.noGc(() => {
        expect(() => heap.collect()).toThrow(GcForbiddenError);
      });
      expect(() => heap.collect()).toThrow(GcForbiddenError);
    });
    const boom = new Error('boom');
    expect(() =>
      heap.noGc(() => {
        throw boom;
      })
    ).toThrow(boom);
    expect(heap.collect().kind).toBe('major');
    heap.verify();
  });
});

describe('collect', () => {
  it('returns { kind: "major", freed, live, ms }', () => {
    const heap = new Heap({ initialCapacity: 4 });
    const root = heap.alloc(1);
    heap.pin(root);
    heap.set(root, 0, heap.alloc(0));
    heap.alloc(0);
    heap.alloc(3);
    const info = heap.collect();
    expect(info.kind).toBe('major');
    expect(info.freed).toBe(2);
    expect(info.live).toBe(2);
    expect(typeof info.ms).toBe('number');
    expect(info.ms).toBeGreaterThanOrEqual(0);
    const stats = heap.stats();
    expect(stats.majorCollections).toBe(1);
    expect(stats.lastPauseMs).toBe(info.ms);
    expect(stats.totalPauseMs).toBeGreaterThanOrEqual(info.ms);
    expect(stats.maxPauseMs).toBeGreaterThanOrEqual(info.ms);
    const again = heap.collect();
    expect(again.freed).toBe(0);
    expect(again.live).toBe(2);
    expect(heap.stats().majorCollections).toBe(2);
    heap.verify();
  });

  it('on an empty heap frees nothing', () => {
    const heap = new Heap();
    expect(heap.collect().freed).toBe(0);
    expect(heap.collect().live).toBe(0);
    heap.verify();
  });

  it('collects cycles, including self-cycles, that no root reaches', () => {
    const heap = new Heap({ initialCapacity: 4 });
    const a = heap.alloc(1);
    const b = heap.alloc(1);
    const c = heap.alloc(2);
    heap.set(a, 0, b);
    heap.set(b, 0, c);
    heap.set(c, 0, a);
    heap.set(c, 1, c);
    const self = heap.alloc(1);
    heap.set(self, 0, self);
    const root = heap.alloc(1);
    const ticket = heap.pin(root);
    heap.set(root, 0, a);
    expect(heap.collect().freed).toBe(1); // only `self`
    expect([a, b, c].every((r) => heap.isAlive(r))).toBe(true);
    heap.set(root, 0, NULL);
    expect(heap.collect().freed).toBe(3);
    heap.unpin(ticket);
    expect(heap.collect().freed).toBe(1);
    expect(heap.stats().live).toBe(0);
    heap.verify();
  });

  it.skipIf(MUTATION_RUN)('marks a chain of 100k objects without recursion', () => {
    const heap = new Heap({ initialCapacity: 1024 });
    const n = 100_000;
    const head = heap.alloc(1);
    const ticket = heap.pin(head);
    let tail = head;
    for (let k = 1; k < n; k++) {
      const next = heap.alloc(1);
      heap.set(tail, 0, next);
      tail = next;
    }
    heap.alloc(0); // garbage
    expect(heap.collect()).toMatchObject({ freed: 1, live: n });
    expect(heap.isAlive(tail)).toBe(true);
    heap.verify();
    // Cut in the middle: the second half goes.
    let middle = head;
    for (let k = 0; k < n / 2 - 1; k++) middle = heap.get(middle, 0);
    heap.set(middle, 0, NULL);
    expect(heap.collect()).toMatchObject({ freed: n / 2, live: n / 2 });
    heap.unpin(ticket);
    expect(heap.collect()).toMatchObject({ freed: n / 2, live: 0 });
    heap.verify();
  });

  it('leaves exactly the objects reachable from roots (random graphs)', () => {
    for (let seed = 1; seed <= 8; seed++) {
      const random = rng(seed);
      const heap = new Heap({ initialCapacity: 8 });
      const edges = new Map<Ref, Ref[]>();
      const objects: Ref[] = [];
      const pins = new Map<Ticket, Ref>();
      for (let round = 0; round < 4; round++) {
        for (let k = 0; k < 200; k++) {
          const n = Math.floor(random() * 4);
          const ref = heap.alloc(n);
          objects.push(ref);
          edges.set(ref, new Array<Ref>(n).fill(NULL));
        }
        const live = objects.filter((r) => heap.isAlive(r));
        for (let k = 0; k < 400; k++) {
          const from = live[Math.floor(random() * live.length)]!;
          const slots = edges.get(from)!;
          if (slots.length === 0) continue;
          const slot = Math.floor(random() * slots.length);
          const to = random() < 0.2 ? NULL : live[Math.floor(random() * live.length)]!;
          heap.set(from, slot, to);
          slots[slot] = to;
        }
        for (let k = 0; k < 3; k++) {
          const ref = live[Math.floor(random() * live.length)]!;
          pins.set(heap.pin(ref), ref);
        }
        if (pins.size > 4) {
          const [ticket] = pins.keys();
          heap.unpin(ticket!);
          pins.delete(ticket!);
        }
        // The expected live set, by a breadth-first search over the mirror.
        const reached = new Set<Ref>();
        const queue = [...pins.values()];
        while (queue.length > 0) {
          const ref = queue.pop()!;
          if (ref === NULL || reached.has(ref)) continue;
          reached.add(ref);
          queue.push(...edges.get(ref)!);
        }
        const liveBefore = heap.stats().live;
        const info = heap.collect();
        expect(info.live).toBe(reached.size);
        expect(info.freed).toBe(liveBefore - reached.size);
        for (const ref of live.concat(objects.slice(-200))) expect(heap.isAlive(ref)).toBe(reached.has(ref));
        for (const ref of reached) expect(slotsOf(heap, ref)).toEqual(edges.get(ref));
        heap.verify();
      }
    }
  });
});

describe('free list', () => {
  it('reuses freed indices in ascending index order, then fresh ones', () => {
    const bits = 16;
    const heap = new Heap({ indexBits: bits, initialCapacity: 4 });
    const refs: Ref[] = [];
    for (let k = 0; k < 20; k++) refs.push(heap.alloc(0));
    const keep = new Set([2, 5, 6, 11, 19]); // indices that stay live
    for (const index of keep) heap.pin(refs[index - 1]!);
    heap.collect();
    heap.verify();
    const reused: number[] = [];
    for (let k = 0; k < 17; k++) {
      const ref = heap.alloc(0);
      reused.push(heap.index(ref));
      if (heap.index(ref) <= 20) expect(ref).toBe(heap.index(ref) + 2 ** bits);
      else expect(ref).toBe(heap.index(ref));
    }
    const expected = [];
    for (let i = 1; i <= 20; i++) if (!keep.has(i)) expected.push(i);
    expected.push(21, 22);
    expect(reused).toEqual(expected);
    heap.verify();
  });

  it('is deterministic: two heaps running the same program make the same handles', () => {
    const program = (heap: Heap): number[] => {
      const random = rng(1234);
      const out: number[] = [];
      const live: Ref[] = [];
      const tickets: Ticket[] = [];
      for (let step = 0; step < 3000; step++) {
        const r = random();
        if (r < 0.5 || live.length === 0) {
          const ref = heap.alloc(Math.floor(random() * 4));
          out.push(ref);
          live.push(ref);
        } else if (r < 0.75) {
          const from = live[Math.floor(random() * live.length)]!;
          const to = live[Math.floor(random() * live.length)]!;
          if (heap.isAlive(from) && heap.isAlive(to) && heap.slotCount(from) > 0) heap.set(from, 0, to);
        } else if (r < 0.85) {
          const ref = live[Math.floor(random() * live.length)]!;
          if (heap.isAlive(ref)) tickets.push(heap.pin(ref));
        } else if (r < 0.9 && tickets.length > 0) {
          heap.unpin(tickets.splice(Math.floor(random() * tickets.length), 1)[0]!);
        } else if (r < 0.93) {
          out.push(heap.collect().freed);
        }
      }
      out.push(...tickets);
      return out;
    };
    const a = new Heap({ initialCapacity: 2 });
    const b = new Heap({ initialCapacity: 2 });
    const first = program(a);
    expect(program(b)).toEqual(first);
    expect(statsOf(a)).toEqual(statsOf(b));
    a.verify();
    b.verify();
  });
});

describe('growth and HeapFullError', () => {
  it('initialCapacity 1 grows in round steps of at most 1.25x up to maxObjects, from 1024 on', () => {
    const maxObjects = 5000;
    const heap = new Heap({ initialCapacity: 1, maxObjects });
    const capacities = [heap.stats().capacity];
    expect(capacities[0]).toBe(1);
    for (let k = 1; k <= maxObjects; k++) {
      heap.alloc(0);
      const { capacity, live } = heap.stats();
      expect(capacity).toBeGreaterThanOrEqual(live);
      expect(capacity).toBeLessThanOrEqual(maxObjects);
      if (capacity !== capacities[capacities.length - 1]) capacities.push(capacity);
    }
    expect(capacities[capacities.length - 1]).toBe(maxObjects);
    // Indices come a page of 256 at a time (core/free-list.ts), so the columns first grow a page at
    // a time; from 1024 on every capacity but the capped last is k * 2^e with k in 4..7 (round
    // numbers), the next one of those: so each growth is by 1.14x to 1.25x.
    expect(capacities.slice(1, 10)).toEqual([256, 512, 768, 1024, 1280, 1536, 1792, 2048, 2560]);
    for (let k = 5; k < capacities.length - 1; k++) {
      const [previous, capacity] = [capacities[k - 1]!, capacities[k]!];
      const power = 2 ** Math.floor(Math.log2(capacity));
      expect([4, 5, 6, 7].map((m) => (m * power) / 4)).toContain(capacity);
      expect(capacity / previous).toBeGreaterThan(1.14);
      expect(capacity / previous).toBeLessThanOrEqual(1.25);
    }
    expect(capacities.length).toBeLessThanOrEqual(2 + 4 * 7);
    heap.verify();
  });

  it('throws HeapFullError at maxObjects, leaving the heap unchanged; a collect makes room', () => {
    const heap = new Heap({ initialCapacity: 1, maxObjects: 10 });
    const refs: Ref[] = [];
    for (let k = 0; k < 10; k++) refs.push(heap.alloc(k % 3));
    heap.set(refs[2]!, 0, refs[1]!);
    heap.pin(refs[0]!);
    heap.pin(refs[2]!);
    const before = statsOf(heap);
    const slotsBefore = refs.map((r) => slotsOf(heap, r));
    for (let attempt = 0; attempt < 3; attempt++) {
      const error = errorOf(() => heap.alloc(1));
      expect(error).toBeInstanceOf(HeapFullError);
      expect(error).toBeInstanceOf(HeapError);
      expect(statsOf(heap)).toEqual(before);
      expect(refs.map((r) => slotsOf(heap, r))).toEqual(slotsBefore);
      heap.verify();
    }
    expect(heap.collect().freed).toBe(7);
    const fresh: Ref[] = [];
    for (let k = 0; k < 7; k++) fresh.push(heap.alloc(1));
    expect(fresh.map((r) => heap.index(r))).toEqual([4, 5, 6, 7, 8, 9, 10]);
    expect(() => heap.alloc(0)).toThrow(HeapFullError);
    expect(heap.stats().live).toBe(10);
    heap.verify();
  });

  it('maxObjects 1 holds exactly one object', () => {
    const heap = new Heap({ maxObjects: 1 });
    const only = heap.alloc(2);
    expect(() => heap.alloc(0)).toThrow(HeapFullError);
    heap.pin(only);
    expect(() => heap.collect()).not.toThrow();
    expect(() => heap.alloc(0)).toThrow(HeapFullError);
    expect(heap.isAlive(only)).toBe(true);
    heap.verify();
  });
});

describe('stats', () => {
  it('counts live objects, slots, pins and collections', () => {
    const heap = new Heap({ initialCapacity: 4 });
    const a = heap.alloc(3);
    const b = heap.alloc(5);
    heap.alloc(2);
    let stats = heap.stats();
    expect(stats.live).toBe(3);
    expect(stats.slotsUsed).toBe(10);
    expect(stats.slotsCapacity).toBeGreaterThanOrEqual(10);
    expect(stats.capacity).toBeGreaterThanOrEqual(3);
    heap.resize(b, 1);
    expect(heap.stats().slotsUsed).toBe(6);
    heap.pin(a);
    heap.set(a, 0, b);
    heap.collect();
    stats = heap.stats();
    expect(stats.live).toBe(2);
    expect(stats.slotsUsed).toBe(4);
    expect(stats.pins).toBe(1);
    expect(stats.retired).toBe(0);
    expect(stats.majorCollections).toBe(1);
    expect(stats.bytesPerObject).toBeLessThanOrEqual(20);
    expect(stats.bytesPerSlot).toBe(4);
    heap.verify();
  });

  it('bytes cover the headers and slots in use, and follow them, not capacity, through growth', () => {
    const heap = new Heap({ initialCapacity: 1 });
    const small = heap.stats();
    expect(small.bytes).toBeGreaterThan(0);
    // With allocations only, `slotTop` is slotsUsed + 1, and the header columns count up to `top`
    // (the pages carved, core/free-list.ts). The rest of bytes (stacks, free lists, the pin table)
    // stays the same while both grow through a dozen capacity steps, whose unreached part is not
    // counted.
    // (and the page classes, a byte a page, up to `top`'s).
    const rest = (st: HeapStats): number => {
      const top = stateOf(heap).top;
      return st.bytes - (top - 1) * st.bytesPerObject - st.slotsUsed * st.bytesPerSlot - ((top >>> 8) + 1);
    };
    const restSmall = rest(small);
    const rests = new Set<number>();
    const capacities = new Set<number>();
    for (let k = 0; k < 5000; k++) {
      heap.alloc(k % 3 === 0 ? 4 : 2);
      const st = heap.stats();
      rests.add(rest(st));
      capacities.add(st.capacity);
    }
    const big = heap.stats();
    expect(capacities.size).toBeGreaterThan(10);
    expect([...rests]).toEqual([restSmall]);
    expect(big.bytes).toBeGreaterThanOrEqual(big.live * big.bytesPerObject + big.slotsUsed * big.bytesPerSlot);
    expect(big.capacity).toBeGreaterThan(big.live);
    expect(big.bytes).toBeLessThan(
      big.capacity * big.bytesPerObject + big.slotsCapacity * big.bytesPerSlot + restSmall + (big.capacity >>> 8) + 1,
    );
    expect(big.slotsCapacity).toBeGreaterThanOrEqual(big.slotsUsed);
    heap.verify();
  });
});

describe('generation retirement', () => {
  it('generationBits 4: one index lives 16 times, retires after 15 bumps, and never revives', () => {
    const bits = 16;
    const heap = new Heap({ indexBits: bits, generationBits: 4, maxObjects: 1 });
    const handles: Ref[] = [];
    for (let generation = 0; generation < 16; generation++) {
      const ref = heap.alloc(1);
      expect(ref).toBe(1 + generation * 2 ** bits);
      expect(heap.index(ref)).toBe(1);
      expect(heap.refAt(1 as Index)).toBe(ref);
      for (const old of handles) {
        expect(heap.isAlive(old)).toBe(false);
        expect(() => heap.slotCount(old)).toThrow(StaleRefError);
      }
      expect(heap.stats().retired).toBe(0);
      handles.push(ref);
      heap.verify();
      expect(heap.collect().freed).toBe(1);
      heap.verify();
    }
    const stats = heap.stats();
    expect(stats.retired).toBe(1);
    expect(stats.live).toBe(0);
    expect(heap.refAt(1 as Index)).toBe(NULL);
    for (const old of handles) expect(heap.isAlive(old)).toBe(false);
    // The only index retired: the heap is full for good, and stays unchanged.
    const before = statsOf(heap);
    expect(() => heap.alloc(0)).toThrow(HeapFullError);
    heap.collect();
    expect(() => heap.alloc(0)).toThrow(HeapFullError);
    expect(heap.stats().retired).toBe(1);
    expect({ ...statsOf(heap), majorCollections: 0 }).toEqual({ ...before, majorCollections: 0 });
    heap.verify();
  });

  it('a retired index is skipped while the others keep being reused', () => {
    const bits = 18;
    const heap = new Heap({ indexBits: bits, generationBits: 2, maxObjects: 3 });
    const keep = heap.alloc(0);
    heap.pin(keep);
    const seen: Ref[] = [];
    let retiredAt = -1;
    for (let round = 0; round < 20; round++) {
      let ref: Ref;
      try {
        ref = heap.alloc(0);
      } catch (error) {
        expect(error).toBeInstanceOf(HeapFullError);
        retiredAt = round;
        break;
      }
      expect(seen.includes(ref)).toBe(false);
      for (const old of seen) expect(heap.isAlive(old)).toBe(false);
      seen.push(ref);
      heap.collect();
      heap.verify();
    }
    // Indices 2 and 3 each live four times (generations 0-3), but index 3 only comes into use
    // once index 2 retires.
    expect(retiredAt).toBe(8);
    expect(seen.map((r) => r % 2 ** bits)).toEqual([2, 2, 2, 2, 3, 3, 3, 3]);
    expect(seen.map((r) => Math.floor(r / 2 ** bits))).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
    expect(heap.stats().retired).toBe(2);
    expect(heap.isAlive(keep)).toBe(true);
    heap.verify();
  });

  it('generationBits 1 retires an index after a single bump', () => {
    const heap = new Heap({ indexBits: 16, generationBits: 1, maxObjects: 2 });
    const a = heap.alloc(0);
    heap.collect();
    const b = heap.alloc(0);
    expect(b).toBe(1 + 2 ** 16);
    heap.collect();
    expect(heap.stats().retired).toBe(1);
    const c = heap.alloc(0);
    expect(c).toBe(2);
    expect([a, b].map((r) => heap.isAlive(r))).toEqual([false, false]);
    heap.verify();
  });
});

describe('verify', () => {
  it.skipIf(MUTATION_RUN)('finds nothing wrong on a healthy heap through a long random program', () => {
    const random = rng(99);
    const heap = new Heap({ indexBits: 16, generationBits: 3, initialCapacity: 1, maxObjects: 200 });
    const live: Ref[] = [];
    const tickets: Ticket[] = [];
    for (let step = 0; step < 3000; step++) {
      const r = random();
      const pick = (): Ref => live[Math.floor(random() * live.length)] ?? NULL;
      try {
        if (r < 0.35) live.push(heap.alloc(Math.floor(random() * 6)));
        else if (r < 0.6) {
          const from = pick();
          const to = random() < 0.2 ? NULL : pick();
          if (heap.isAlive(from) && heap.slotCount(from) > 0 && (to === NULL || heap.isAlive(to))) {
            heap.set(from, Math.floor(random() * heap.slotCount(from)), to);
          }
        } else if (r < 0.7) {
          const ref = pick();
          if (heap.isAlive(ref)) heap.resize(ref, Math.floor(random() * 12));
        } else if (r < 0.78) {
          const ref = pick();
          if (heap.isAlive(ref)) tickets.push(heap.pin(ref));
        } else if (r < 0.84 && tickets.length > 0) {
          heap.unpin(tickets.splice(Math.floor(random() * tickets.length), 1)[0]!);
        } else if (r < 0.88) {
          heap.scope(() => {
            for (let k = 0; k < 5; k++) live.push(heap.alloc(1));
            heap.collect();
            heap.verify();
          });
        } else if (r < 0.95) {
          heap.collect();
          for (let k = live.length - 1; k >= 0; k--) if (!heap.isAlive(live[k]!)) live.splice(k, 1);
        }
      } catch (error) {
        expect(error).toBeInstanceOf(HeapFullError);
      }
      heap.verify();
    }
  });
});

describe('resize to a smaller size class', () => {
  it('splits the block in place, so it never needs room, and keeps the first slots', () => {
    const heap = new Heap({ maxSlots: 9 }); // the pool holds one 8-slot block and nothing else
    const ref = heap.alloc(8);
    heap.pin(ref);
    heap.set(ref, 0, ref);
    heap.resize(ref, 1);
    expect(heap.slotCount(ref)).toBe(1);
    expect(heap.get(ref, 0)).toBe(ref);
    heap.verify();
    // The freed parts (classes 0, 1, 2: 1 + 2 + 4 slots) serve new objects.
    const others = [heap.alloc(1), heap.alloc(2), heap.alloc(4)];
    expect(others.every((other) => heap.slotCount(other) > 0)).toBe(true);
    expect(() => heap.alloc(1)).toThrow(HeapFullError);
    heap.verify();
  });
});

describe('index reuse keeps handles small', () => {
  it.skipIf(MUTATION_RUN)('rotates the indices young objects churn through, so their generations grow evenly', () => {
    const heap = new Heap({ nurserySize: 64 });
    const world = heap.alloc(1);
    heap.pin(world);
    for (let round = 0; round < 2000; round++) {
      for (let k = 0; k < 50; k++) heap.alloc(1);
      heap.minor();
    }
    // 100,000 short-lived objects through a heap that never holds more than ~51: without rotation
    // the same few indices would be reused 2,000 times each.
    let maxGeneration = 0;
    for (let i = 1; i <= heap.stats().capacity; i++) {
      const ref = heap.refAt(i as Index);
      if (ref !== NULL) maxGeneration = Math.max(maxGeneration, Math.floor(ref / 2 ** 22));
    }
    const fresh = Array.from({ length: 50 }, () => heap.alloc(0));
    for (const ref of fresh) maxGeneration = Math.max(maxGeneration, Math.floor(ref / 2 ** 22));
    expect(maxGeneration).toBeLessThan(256);
    expect(fresh.every((ref) => ref < 2 ** 30)).toBe(true);
    heap.verify();
  });

  it.skipIf(MUTATION_RUN)(
    'takes a fresh index rather than one whose next handle would leave the small-integer range',
    () => {
      const heap = new Heap({ indexBits: 16, nurserySize: 8, initialCapacity: 16 });
      // 2^30 / 2^16 = 16,384 generations fit below 2^30 with 16 index bits: churn one index past that.
      let maxHandle = 0;
      for (let round = 0; round < 20_000; round++) {
        maxHandle = Math.max(maxHandle, heap.alloc(0));
        heap.minor();
      }
      expect(maxHandle).toBeLessThan(2 ** 30);
      expect(heap.stats().capacity).toBeGreaterThan(1);
      heap.verify();
    },
  );

  it.skipIf(MUTATION_RUN)(
    'still reuses such indices at maxObjects: handles are then exact doubles, never wrong',
    () => {
      const heap = new Heap({ indexBits: 16, maxObjects: 1, initialCapacity: 1 });
      let last = 0;
      for (let round = 0; round < 17_000; round++) {
        const ref = heap.alloc(0);
        expect(ref).toBeGreaterThan(last);
        last = ref;
        heap.minor();
        expect(heap.isAlive(ref)).toBe(false);
      }
      expect(last).toBeGreaterThan(2 ** 30);
      expect(heap.isAlive(heap.alloc(0))).toBe(true);
    },
  );
});

describe('spent indices (handles past the small-integer range) are set aside', () => {
  // indexBits 24: an index gives 2^30 / 2^24 = 64 small handles (generations 0..63).
  const SMALL = 64;

  it('a churn spreads over no more indices than its small handles need', () => {
    const heap = new Heap({ indexBits: 24, nurserySize: 64 });
    const world = heap.alloc(1);
    heap.pin(world);
    const k = 20;
    const rounds = 6400;
    for (let round = 0; round < rounds; round++) {
      for (let j = 0; j < k; j++) expect(heap.alloc(1)).toBeLessThan(2 ** 30);
      heap.minor();
      if (round % 1000 === 0) heap.verify();
    }
    // Each index gives its 64 small handles, then is set aside: 128,000 allocations need 2,000
    // indices, plus the ones still in turn (at most the page last carved) and the world. (With
    // spent indices left in the queue, each came back to its head every other round and took a
    // new index: over 3x as many.)
    const used = stateOf(heap).top - 1;
    expect(used).toBeGreaterThanOrEqual((k * rounds) / SMALL);
    expect(used).toBeLessThanOrEqual((k * rounds) / SMALL + 256 + k + 1);
    heap.verify();
  });

  it('at maxObjects, reuses the queue first, then the spent ones: handles exact doubles, never stale', () => {
    const heap = new Heap({ indexBits: 24, maxObjects: 6, initialCapacity: 6 });
    heap.pin(heap.alloc(0));
    const seen = new Set<number>();
    let big = 0;
    for (let round = 0; round < 1000; round++) {
      const wave = [heap.alloc(0), heap.alloc(0), heap.alloc(0)];
      for (const ref of wave) {
        expect(seen.has(ref)).toBe(false); // a handle is never made twice
        seen.add(ref);
        if (ref >= 2 ** 30) big++;
      }
      heap.minor();
      expect(wave.some((ref) => heap.isAlive(ref))).toBe(false);
      heap.verify();
    }
    // 3,000 allocations over 5 indices: far past 64 each, so spent indices were reused.
    expect(big).toBeGreaterThan(2000);
    const s = stateOf(heap);
    expect(s.top).toBe(7);
    expect(heap.stats().live).toBe(1);
  });

  it('random churn, pins, collections and restores: verify() each step, no handle made twice or revived', () => {
    type Op =
      | { op: 'alloc'; count: number }
      | { op: 'pin'; pick: number }
      | { op: 'unpin'; pick: number }
      | { op: 'minor' | 'collect' | 'step' | 'restore' };
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      {
        weight: 8,
        arbitrary: fc.record({ op: fc.constant('alloc' as const), count: fc.integer({ min: 1, max: 24 }) }),
      },
      { weight: 8, arbitrary: fc.record({ op: fc.constant('minor' as const) }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('collect' as const, 'step' as const) }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('pin' as const, 'unpin' as const), pick: fc.nat() }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('restore' as const) }) },
    );
    let setAside = 0;
    let reusedSpent = 0;
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 60, maxLength: 200 }), fc.constantFrom(12, 1000), (ops, maxObjects) => {
        // indexBits 24: 64 small handles an index, so hot indices are spent within the run; at
        // maxObjects 12 the heap soon cannot grow and reuses them, at 1000 it sets them aside.
        let heap = new Heap({ indexBits: 24, maxObjects, initialCapacity: 4, nurserySize: 16 });
        const made = new Set<number>();
        let gone: Ref[] = []; // the last handles seen dead: never alive again
        let recent: Ref[] = [];
        const pins: { ref: Ref; ticket: Ticket }[] = [];
        let sawSpentStack = false;
        // First a few indices churned to generation 64, spent: at maxObjects 1000 the first page
        // (indices 1-255) pinned but for four, which the random steps' first 0-slot object sets
        // aside; at 12 all twelve (the first page is the whole heap) churned in turn, and reused.
        const fill = maxObjects > 255 ? 251 : 0;
        for (let k = 0; k < fill; k++) {
          const ref = heap.alloc(0);
          heap.pin(ref);
          made.add(ref);
        }
        for (let round = 0; round < (64 * (maxObjects > 255 ? 4 : maxObjects)) / 4; round++) {
          for (let k = 0; k < 4; k++) made.add(heap.alloc(0));
          heap.minor();
        }
        for (const step of ops) {
          if (step.op === 'alloc') {
            for (let k = 0; k < step.count && heap.stats().live < maxObjects; k++) {
              const mayGrow = stateOf(heap).top <= maxObjects;
              const ref = heap.alloc(k % 2);
              // While the heap may grow, every handle is a small integer.
              if (mayGrow) expect(ref).toBeLessThan(2 ** 30);
              expect(made.has(ref)).toBe(false);
              made.add(ref);
              recent = [ref, ...recent.slice(0, 15)];
            }
          } else if (step.op === 'pin') {
            const live = recent.filter((ref) => heap.isAlive(ref));
            if (live.length > 0 && pins.length < maxObjects / 3) {
              const ref = live[step.pick % live.length]!;
              pins.push({ ref, ticket: heap.pin(ref) });
            }
          } else if (step.op === 'unpin') {
            if (pins.length > 0) heap.unpin(pins.splice(step.pick % pins.length, 1)[0]!.ticket);
          } else if (step.op === 'minor') {
            // Between cycles a minor; during one, a slice that may end it.
            if (heap.phase === 'idle') heap.minor();
            else heap.step(64);
          } else if (step.op === 'collect') {
            heap.collect();
          } else if (step.op === 'step') {
            heap.step(8);
          } else {
            heap = Heap.restore(heap.snapshot());
          }
          heap.verify();
          sawSpentStack ||= stateOf(heap).spentHead !== 0;
          for (const { ref } of pins) expect(heap.isAlive(ref)).toBe(true);
          for (const ref of gone) expect(heap.isAlive(ref)).toBe(false);
          for (const ref of recent) if (!heap.isAlive(ref) && !gone.includes(ref)) gone = [ref, ...gone.slice(0, 47)];
        }
        if ([...made].some((ref) => ref >= 2 ** 30)) reusedSpent++;
        if (sawSpentStack) setAside++;
      }),
      { numRuns: fcRuns(16) },
    );
    // Runs long enough for hot indices to pass 64 generations: some set spent indices aside (at
    // maxObjects 1000), some reused them with big handles (at 12).
    expect(setAside).toBeGreaterThan(0);
    expect(reusedSpent).toBeGreaterThan(0);
  });

  it('at maxObjects, hands out spent indices in the queue in its order, as any other', () => {
    // maxObjects 3: indices 1-3 are all there is, so nothing is ever set aside.
    const heap = new Heap({ indexBits: 24, maxObjects: 3, initialCapacity: 3 });
    heap.pin(heap.alloc(0)); // index 1
    // The free queue as a model: allocation takes its head; a minor frees the nursery newest
    // first, each to the tail.
    let queue: number[] = [];
    let top = 2;
    for (let round = 0; round < 3 * SMALL; round++) {
      const made = [heap.alloc(0), heap.alloc(0)];
      const expected = made.map(() => queue.shift() ?? top++);
      expect(made.map((ref) => heap.index(ref))).toEqual(expected);
      heap.minor();
      queue = [...queue, ...[...expected].reverse()];
    }
    heap.verify();
  });

  it('an index spent while the heap can grow is handed out again only once it cannot', () => {
    // maxObjects 257: the first page (1-255) and two indices of the next.
    const heap = new Heap({ indexBits: 24, maxObjects: 257, initialCapacity: 3 });
    heap.pin(heap.alloc(0)); // index 1
    heap.alloc(0); // index 2, churned below
    for (let k = 3; k < 256; k++) heap.pin(heap.alloc(0)); // the rest of the first page, kept
    heap.minor();
    for (let round = 1; round < SMALL; round++) {
      expect(heap.alloc(0) % 2 ** 24).toBe(2); // index 2, 64 times in all
      heap.minor();
    }
    const s = stateOf(heap);
    expect(s.generation[2]).toBe(SMALL);
    expect(heap.alloc(0)).toBe(256); // sets index 2 aside, carves the last page (256-257)
    expect(s.spentHead).toBe(2);
    expect(heap.alloc(0)).toBe(257);
    const last = heap.alloc(0); // the heap is at maxObjects: index 2, with a big handle
    expect(last).toBe(2 + SMALL * 2 ** 24);
    expect(s.spentHead).toBe(0);
    expect(() => heap.alloc(0)).toThrow(HeapFullError);
    heap.verify();
  });
});

describe('allocMany, targetIndex, targetAt and setAt', () => {
  it('spawns a wave with one check, in allocation order, young and NULL-slotted', () => {
    const heap = new Heap({ initialCapacity: 4 });
    const wave = heap.allocMany(100, 2, 'weak');
    expect(wave).toBeInstanceOf(Float64Array);
    expect(wave.length).toBe(100);
    expect([...wave].every((ref) => heap.isAlive(ref) && heap.slotCount(ref) === 2)).toBe(true);
    expect(new Set(wave).size).toBe(100);
    expect(heap.stats()).toMatchObject({ live: 100, young: 100 });
    expect(heap.get(wave[3]!, 1)).toBe(NULL);
    expect(heap.allocMany(0).length).toBe(0);
    heap.verify();
  });

  it('allocates nothing when the wave does not fit, and names the values', () => {
    const heap = new Heap({ maxObjects: 10, initialCapacity: 2 });
    heap.allocMany(7);
    const before = heap.stats();
    expect(() => heap.allocMany(4)).toThrow(/a wave of 4 objects does not fit in maxObjects 10 \(room for 3\)/);
    expect(heap.stats()).toEqual(before);
    expect(() => heap.allocMany(-1)).toThrow(RangeError);
    expect(() => heap.allocMany(1.5)).toThrow(/count must be an integer/);
    expect(() => heap.allocMany(2, 3, 'ephemeron')).toThrow(/even slot count/);
    expect(() => heap.allocMany(2, 0, 'soft' as never)).toThrow(/got 'soft'/);
    expect(heap.stats()).toEqual(before);
    heap.collect(); // nothing is rooted: the wave's room comes back
    expect(heap.allocMany(10).length).toBe(10);
    heap.verify();
  });

  it('takes a double for a live handle exactly when integer arithmetic says it is one (isAlive, allocMany)', () => {
    // `#match` and `firstNotLive` compare `ref - index` with `generation * indexScale` in doubles:
    // checked here against the same test in BigInt, for values next to handles (fractions, other
    // generations, past 2^52 and 2^53) and any double.
    const heap = new Heap({ initialCapacity: 16 });
    const held: Ref[] = [];
    for (let k = 0; k < 8; k++) held.push(heap.alloc(1));
    for (const ref of held.slice(0, 6)) heap.pin(ref);
    heap.collect(); // held[6] and held[7] freed: stale
    const reused = heap.alloc(1); // an index freed above, at its next generation
    heap.pin(reused);
    const destroyed = heap.alloc(0);
    heap.pin(destroyed);
    heap.destroy(destroyed);
    const s = stateOf(heap);
    const scale = BigInt(s.codec.indexScale);
    const exact = (value: number): boolean => {
      if (!Number.isInteger(value) || value <= 0) return false;
      const big = BigInt(value);
      const i = Number(big % scale);
      const generation = big / scale;
      return i > 0 && i < s.top && (s.color[i]! & s.liveMask) !== 0 && generation === BigInt(s.generation[i]!);
    };
    const handles = [...held, reused, destroyed].map(Number);
    const near = fc.tuple(
      fc.constantFrom(...handles),
      fc.constantFrom(
        0,
        0.5,
        -0.5,
        1,
        -1,
        2 ** -30,
        s.codec.indexScale,
        -s.codec.indexScale,
        2 ** 52,
        2 ** 53,
        2 ** 60,
      ),
    ).map(([h, d]) => h + d);
    const values = fc.oneof(near, fc.double(), fc.constantFrom(...handles, 0, -0, 2 ** 53, Infinity, -Infinity, NaN));
    fc.assert(
      fc.property(values, (value) => {
        expect(heap.isAlive(value as Ref)).toBe(exact(value));
        const notLive = firstNotLive(s, new Float64Array([value]), 1, s.liveMask);
        expect(notLive).toBe(value === 0 || exact(value) ? -1 : 0);
      }),
      { numRuns: fcRuns(2000) },
    );
    heap.verify();
  });

  it('names the first bad entry of a Float64Array of targets, whatever it is, and changes nothing', () => {
    const heap = new Heap();
    const a = heap.alloc(0);
    const b = heap.alloc(0);
    heap.pin(a);
    const gone = heap.alloc(0);
    heap.collect(); // `gone` is freed: its handle is stale, its index free
    const destroyed = heap.alloc(0);
    heap.pin(destroyed);
    heap.destroy(destroyed); // dead at once, its index (and generation) kept until a collection
    const free = stateOf(heap).top; // an index no object has held yet
    const otherGeneration = a + stateOf(heap).codec.indexScale; // a's index, a generation it never had
    const before = heap.stats();
    // Each bad value after good ones, so the check must read past the first entries to find it.
    const bad: [number, RegExp][] = [
      [gone, new RegExp(`^targets\\[3\\] ${gone} is stale`)],
      [destroyed, new RegExp(`^targets\\[3\\] ${destroyed} `)],
      [NaN, /^targets\[3\] NaN /],
      [a + 0.5, new RegExp(`^targets\\[3\\] ${a + 0.5} `)],
      [-a, new RegExp(`^targets\\[3\\] ${-a} `)],
      [free, new RegExp(`^targets\\[3\\] ${free} `)],
      [otherGeneration, new RegExp(`^targets\\[3\\] ${otherGeneration} `)],
    ];
    for (const [value, message] of bad) {
      const targets = new Float64Array([a, NULL, a, value, b, a]);
      expect(() => heap.allocMany(3, 2, 'strong', targets as unknown as Ref[]), String(value)).toThrow(message);
      expect(heap.stats()).toEqual(before);
    }
    // -0 is NULL, as 0 is.
    const [made] = heap.allocMany(1, 2, 'strong', new Float64Array([-0, a]) as unknown as Ref[]);
    expect([heap.get(made!, 0), heap.get(made!, 1)]).toEqual([NULL, a]);
    heap.verify();
  });

  it('fills a wave from targets, object by object, as set would', () => {
    const heap = new Heap();
    const shooters = [heap.alloc(0), heap.alloc(0), heap.alloc(0)];
    const aims = [heap.alloc(0), heap.alloc(0), heap.alloc(0)];
    for (const ref of [...shooters, ...aims]) heap.pin(ref);
    heap.collect(); // old, so the wave's young objects refer to old ones
    const targets = [shooters[0]!, aims[2]!, shooters[1]!, NULL, shooters[2]!, aims[0]!];
    const wave = heap.allocMany(3, 2, 'strong', targets);
    for (let j = 0; j < 3; j++) {
      expect([heap.get(wave[j]!, 0), heap.get(wave[j]!, 1)]).toEqual([targets[2 * j], targets[2 * j + 1]]);
    }
    heap.pin(wave[1]!);
    heap.minor();
    expect(heap.isAlive(wave[0]!)).toBe(false);
    expect(heap.get(wave[1]!, 0)).toBe(shooters[1]);
    // Weak kinds take targets too: a weak slot keeps nothing alive.
    const prey = heap.alloc(0);
    const [hunter] = heap.allocMany(1, 1, 'weak', new Float64Array([prey]) as unknown as Ref[]);
    heap.pin(hunter!);
    expect(heap.get(hunter!, 0)).toBe(prey);
    heap.collect();
    expect(heap.get(hunter!, 0)).toBe(NULL);
    expect(heap.allocMany(0, 3, 'strong', []).length).toBe(0);
    expect(heap.allocMany(2, 0, 'strong', []).length).toBe(2);
    heap.verify();
  });

  it('makes the same heap as alloc and set one object at a time, between cycles, during one, in a scope', () => {
    // Between cycles a wave is made in two passes with no barrier (gc/allocate.ts `allocWave`);
    // otherwise object by object: either way what alloc + set would make, handle for handle.
    type Step =
      | { op: 'wave'; count: number; slots: number; kind: ObjectKind; picks: number[]; scoped: boolean }
      | { op: 'drop'; at: number }
      | { op: 'step' | 'minor' | 'dropAll' };
    const stepArb: fc.Arbitrary<Step> = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record({
          op: fc.constant('wave' as const),
          count: fc.integer({ min: 0, max: 12 }),
          slots: fc.integer({ min: 0, max: 4 }),
          kind: fc.constantFrom<ObjectKind>('strong', 'weak', 'ephemeron'),
          picks: fc.array(fc.nat(), { minLength: 36, maxLength: 36 }),
          scoped: fc.boolean(),
        }),
      },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('drop' as const), at: fc.nat() }) },
      { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('step' as const, 'minor' as const) }) },
      // A churning game's round: the waves dropped at once, so a minor gives their blocks back to
      // the pool's top and their indices to the queue, where the next wave takes them in one pass
      // (`carveWave`), all of them or until the queue runs dry or meets a spent index.
      { weight: 1, arbitrary: fc.record({ op: fc.constant('dropAll' as const) }) },
    );
    // `spent`: 64 small handles an index (indexBits 24) and the first 48 indices churned to one
    // short of that, eight of them to it: waves meet spent indices at the free queue's head and set
    // them aside while the heap may grow (maxObjects 1100: pages for four classes and more; the
    // two tests below take waves at and one short of maxObjects). The wave walks the queue in locals (`allocWave`), alloc goes through
    // `takeIndex`: both take the same indices.
    let setAside = 0;
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 40 }), fc.boolean(), fc.boolean(), (steps, generational, spent) => {
        const options = spent
          ? { generational, indexBits: 24, maxObjects: 1100, initialCapacity: 4 }
          : { generational };
        const heaps = [new Heap(options), new Heap(options)];
        const pinned: Ref[][] = [[], []];
        const tickets: Ticket[][] = [[], []];
        for (const [h, heap] of heaps.entries()) {
          for (let round = 0; spent && round < 63; round++) {
            for (let k = 0; k < 48; k++) heap.alloc(0);
            heap.collect();
          }
          for (let k = 0; k < 4; k++) pinned[h]!.push(heap.alloc(1));
          for (const ref of pinned[h]!) tickets[h]!.push(heap.pin(ref));
          // Eight indices one more time: spent, at the queue's head for the first wave.
          for (let k = 0; spent && k < 8; k++) heap.alloc(0);
          if (spent) heap.collect();
        }
        for (const step of steps) {
          for (const [h, heap] of heaps.entries()) {
            const held = pinned[h]!;
            if (step.op === 'step') {
              heap.step(3);
            } else if (step.op === 'minor') {
              if (heap.phase === 'idle') heap.minor();
            } else if (step.op === 'dropAll') {
              held.splice(4);
              for (const ticket of tickets[h]!.splice(4)) heap.unpin(ticket);
            } else if (step.op === 'drop') {
              if (held.length > 4) {
                const at = 4 + (step.at % (held.length - 4));
                held.splice(at, 1);
                heap.unpin(tickets[h]!.splice(at, 1)[0]!);
              }
            } else {
              const given = step as Extract<Step, { op: 'wave' }>;
              // At maxObjects a wave throws before allocating any and alloc part-way: only waves
              // that fit (indices held by the not yet swept dead count as taken).
              const s = stateOf(heap);
              if (s.live + s.retired + given.count > s.maxObjects) continue;
              // An ephemeron holds (key, value) pairs: an even slot count.
              const w = { ...given, slots: given.kind === 'ephemeron' ? given.slots & ~1 : given.slots };
              const targets = Array.from(
                { length: w.count * w.slots },
                (_, at) => (w.picks[at % 36]! % 3 === 0 ? NULL : held[w.picks[at % 36]! % held.length]!),
              );
              const make = (): Ref[] => {
                if (h === 0) return [...heap.allocMany(w.count, w.slots, w.kind, targets)];
                return Array.from({ length: w.count }, (_, j) => {
                  const ref = heap.alloc(w.slots, w.kind);
                  for (let k = 0; k < w.slots; k++) heap.set(ref, k, targets[j * w.slots + k]!);
                  return ref;
                });
              };
              const wave = w.scoped ? heap.scope(make) : make();
              for (const ref of wave) {
                tickets[h]!.push(heap.pin(ref));
                held.push(ref);
              }
            }
            heap.verify();
          }
          if (stateOf(heaps[0]!).spentHead !== 0) setAside++;
          expect(pinned[0]).toEqual(pinned[1]);
          // Everything but the pause times, which are measured.
          const [a, b] = heaps.map((heap) => {
            const { lastPauseMs: _last, maxPauseMs: _max, totalPauseMs: _total, ...counts } = heap.stats();
            return counts;
          });
          expect(a).toEqual(b);
          // Block for block: a wave takes the slot blocks alloc would, in order (a wave carved at
          // the pool's top at once, `carveRun`, among them), and leaves the same pool.
          const [pa, pb] = heaps.map((heap) => {
            const s = stateOf(heap);
            return [s.slotTop, s.base.slice(0, s.top), s.slots.slice(0, s.slotTop)];
          });
          expect(pa).toEqual(pb);
        }
        for (const ref of pinned[0]!) {
          for (let k = 0; k < heaps[0]!.slotCount(ref); k++) expect(heaps[0]!.get(ref, k)).toBe(heaps[1]!.get(ref, k));
        }
      }),
      { numRuns: fcRuns(60) },
    );
    // Steps after spent indices were set aside were taken.
    expect(setAside).toBeGreaterThan(0);
  });

  it('makes a churning wave in one pass as alloc and set would make it, whole or up to a spent index', () => {
    // Rounds as a game spawns: a wave, some of it kept, the rest dropped, then usually a minor,
    // which gives the dropped blocks back to the pool's top and their indices to the queue, where
    // the next wave takes them in one pass (gc/allocate.ts `carveWave`): all of it, or until the
    // queue runs dry or meets a spent index, the rest in two passes. Now and then a lone alloc
    // leaves a gap or a listed block, and a collect frees old objects in the middle, so the one
    // pass must also decline. The heap that waves is compared with one that allocs and sets. (Counted
    // once: of 480 strong waves, ~55 made whole in one pass, ~34 in part, the rest declined for a
    // listed block, a gap, unmerged singles or no room, or found the queue empty.)
    const roundArb = fc.record({
      count: fc.integer({ min: 0, max: 24 }),
      slots: fc.integer({ min: 0, max: 5 }),
      withTargets: fc.boolean(),
      picks: fc.array(fc.nat(), { minLength: 16, maxLength: 16 }),
      keep: fc.nat({ max: 3 }),
      then: fc.constantFrom('minor', 'minor', 'minor', 'none', 'collect', 'lone'),
    });
    fc.assert(
      fc.property(fc.array(roundArb, { minLength: 1, maxLength: 30 }), fc.boolean(), (rounds, spent) => {
        const options = spent ? { indexBits: 24, maxObjects: 96, initialCapacity: 4 } : { initialCapacity: 8 };
        const heaps = [new Heap(options), new Heap(options)];
        const world: Ref[][] = [[], []];
        for (const [h, heap] of heaps.entries()) {
          // indexBits 24: 64 small handles an index; the first 32 churned to one short of that.
          for (let round = 0; spent && round < 63; round++) {
            for (let k = 0; k < 32; k++) heap.alloc(0);
            heap.collect();
          }
          for (let k = 0; k < 3; k++) {
            const ref = heap.alloc(2);
            heap.pin(ref);
            world[h]!.push(ref);
          }
        }
        for (const round of rounds) {
          const made: Ref[][] = [];
          for (const [h, heap] of heaps.entries()) {
            const s = stateOf(heap);
            if (s.live + s.retired + round.count > s.maxObjects) continue;
            const targets = round.withTargets
              ? Array.from({ length: round.count * round.slots }, (_, at) => {
                const pick = round.picks[at % 16]!;
                return pick % 4 === 0 ? NULL : world[h]![pick % world[h]!.length]!;
              })
              : undefined;
            const wave = h === 0
              ? [...heap.allocMany(round.count, round.slots, 'strong', targets)]
              : Array.from({ length: round.count }, (_, j) => {
                const ref = heap.alloc(round.slots);
                for (let k = 0; targets !== undefined && k < round.slots; k++) {
                  heap.set(ref, k, targets[j * round.slots + k]!);
                }
                return ref;
              });
            made.push(wave);
            // Kept (pinned, joining the world): the first object and every (keep + 2)-th after it.
            for (let j = 0; j < wave.length; j += round.keep + 2) {
              heap.pin(wave[j]!);
              world[h]!.push(wave[j]!);
            }
            if (round.then === 'minor') heap.minor();
            else if (round.then === 'collect') heap.collect();
            // (A lone alloc only where an index is left: at maxObjects it throws, as it should.)
            else if (round.then === 'lone' && s.live + s.retired < s.maxObjects) heap.alloc(1 + (round.picks[0]! % 3));
            heap.verify();
          }
          expect(made[0]).toEqual(made[1]);
          const [a, b] = heaps.map((heap) => {
            const { lastPauseMs: _last, maxPauseMs: _max, totalPauseMs: _total, ...counts } = heap.stats();
            const s = stateOf(heap);
            return [
              counts,
              [...s.freeHeads],
              [...s.freeTails],
              s.spentHead,
              s.slotTop,
              s.base.slice(0, s.top),
              s.slots.slice(0, s.slotTop),
            ];
          });
          expect(a).toEqual(b);
        }
      }),
      { numRuns: fcRuns(80) },
    );
  });

  it('makes every slot count of a churning wave in one pass, its padding slots NULL, and the rest when the queue runs dry', () => {
    // Waves of 0-5 slots with targets, each dropped and collected by a minor, so that the next wave
    // of the same shape is made in one pass (`carveWave`); then one of twice the count, whose first
    // half takes the queue's indices in one pass and the rest in two. Slot counts 3 and 5 have a
    // padding slot (blocks of 4 and 8): it must stay NULL, and no block below may change.
    for (const slotCount of [0, 1, 2, 3, 4, 5]) {
      const heaps = [new Heap(), new Heap()];
      // Eight one-slot world objects: the pool's top (slot 9) is aligned for blocks of up to 8.
      const world = heaps.map((heap) => {
        const refs = Array.from({ length: 8 }, () => heap.alloc(1));
        for (const ref of refs) heap.pin(ref);
        return refs;
      });
      for (const count of [6, 6, 6, 12]) {
        for (const [h, heap] of heaps.entries()) {
          const targets = Array.from({ length: count * slotCount }, (_, at) => world[h]![at % 8]!);
          const wave = h === 0
            ? [...heap.allocMany(count, slotCount, 'strong', targets)]
            : Array.from({ length: count }, (_, j) => {
              const ref = heap.alloc(slotCount);
              for (let k = 0; k < slotCount; k++) heap.set(ref, k, targets[j * slotCount + k]!);
              return ref;
            });
          for (const [j, ref] of wave.entries()) {
            for (let k = 0; k < slotCount; k++) expect(heap.get(ref, k)).toBe(targets[j * slotCount + k]);
          }
          heap.verify();
          // The last wave stays; the others are dropped and freed.
          if (count !== 12) expect(heap.minor().freed).toBe(count);
        }
        const [a, b] = heaps.map((heap) => {
          const s = stateOf(heap);
          return [
            [...s.freeHeads],
            s.slotTop,
            s.base.slice(0, s.top),
            s.slots.slice(0, s.slotTop + 8),
            heap.stats().live,
          ];
        });
        expect(a).toEqual(b);
      }
    }
  });

  it('takes the indices alloc takes: spent ones set aside while the heap may grow, reused once it cannot', () => {
    // indexBits 24: 64 small handles an index. Indices 1-8 churned 64 times are spent, 9-251 kept,
    // 252-255 free (the first page), 256-259 never carved (maxObjects 259): a wave of 12 sets 1-8
    // aside, takes 252-259, then (the heap full) reuses the spent ones.
    const churned = (): Heap => {
      const heap = new Heap({ indexBits: 24, maxObjects: 259, initialCapacity: 4 });
      for (let round = 0; round < 64; round++) {
        for (let k = 0; k < 8; k++) heap.alloc(0);
        if (round === 0) { for (let k = 9; k < 252; k++) heap.pin(heap.alloc(0)); }
        heap.collect();
      }
      return heap;
    };
    const [waved, oneByOne] = [churned(), churned()];
    const wave = [...waved.allocMany(12, 0)];
    const singles = Array.from({ length: 12 }, () => oneByOne.alloc(0));
    expect(wave).toEqual(singles);
    expect(wave.slice(0, 8).map((ref) => ref % 2 ** 24)).toEqual([252, 253, 254, 255, 256, 257, 258, 259]);
    // The last four reuse spent indices: their handles are exact doubles past 2^30.
    expect(wave.slice(8).every((ref) => ref >= 2 ** 30)).toBe(true);
    expect(stateOf(waved).spentHead).toBe(stateOf(oneByOne).spentHead);
    expect(stateOf(waved).freeHeads).toEqual(stateOf(oneByOne).freeHeads);
    waved.verify();
    oneByOne.verify();
  });

  it('at maxObjects or one short of it, takes queued spent indices in the order alloc does', () => {
    // indexBits 24: 64 small handles an index. In the first page (1-255, the 2-slot objects'),
    // indices 1-8 are spent and at the head of its queue, 9-255 kept; maxObjects is 255 + room, so
    // the heap may grow by `room` more indices. A wave walks its class's queue itself (the first
    // pass of `allocWave`): at maxObjects it takes the spent heads, one short of it it sets them
    // aside and takes the new page first, as alloc does.
    for (const room of [0, 1, 2]) {
      const churned = (): Heap => {
        const heap = new Heap({ indexBits: 24, maxObjects: 255 + room, initialCapacity: 4 });
        const pinned: Ref[] = [];
        for (let k = 0; k < 255; k++) pinned.push(heap.alloc(2));
        for (const ref of pinned.slice(8)) heap.pin(ref); // indices 9.. stay taken
        // 63 rounds reuse 1-8 up to generation 63 (still small); the last collect spends them.
        for (let round = 0; round < 63; round++) {
          heap.collect(); // frees what 1-8 hold
          for (let k = 0; k < 8; k++) heap.alloc(2);
        }
        heap.collect();
        expect(stateOf(heap).top).toBe(256);
        return heap;
      };
      const [waved, oneByOne] = [churned(), churned()];
      expect(stateOf(waved).generation[stateOf(waved).freeHeads[2]!]).toBeGreaterThanOrEqual(64);
      const wave = [...waved.allocMany(8 + room, 2)];
      const singles = Array.from({ length: 8 + room }, () => oneByOne.alloc(2));
      expect(wave).toEqual(singles);
      // One short of maxObjects the new indices come first (small handles), then the spent ones.
      expect(wave.slice(0, room).map((ref) => ref % 2 ** 24)).toEqual([256, 257].slice(0, room));
      expect(wave.slice(room).every((ref) => ref >= 2 ** 30)).toBe(true);
      for (const heap of [waved, oneByOne]) heap.verify();
      expect(stateOf(waved).spentHead).toBe(stateOf(oneByOne).spentHead);
      expect(stateOf(waved).slotTop).toBe(stateOf(oneByOne).slotTop);
    }
  });

  it('makes a wave whose one pass runs its queue dry part-way as alloc would, counting every object once', () => {
    // The 2-slot objects' page: 1-252 kept, 253-255 freed with their blocks (the last carved, so
    // they went back to the pool's top): a wave of 10 takes those three in its one pass
    // (`carveWave`), then carves a new page (512: the target took 256's) for the other seven.
    const make = (): Heap => {
      const heap = new Heap();
      for (let k = 0; k < 252; k++) heap.pin(heap.alloc(2));
      for (let k = 0; k < 3; k++) heap.alloc(2);
      heap.collect();
      return heap;
    };
    const [waved, oneByOne] = [make(), make()];
    expect(queuedIndices(waved, 2)).toEqual([253, 254, 255]);
    const target = waved.alloc(0);
    const targetToo = oneByOne.alloc(0);
    const wave = [...waved.allocMany(10, 2, 'strong', Array.from({ length: 20 }, () => target))];
    const singles = Array.from({ length: 10 }, () => {
      const ref = oneByOne.alloc(2);
      oneByOne.set(ref, 0, targetToo);
      oneByOne.set(ref, 1, targetToo);
      return ref;
    });
    expect(wave).toEqual(singles);
    expect(wave.map((ref) => ref % 2 ** 22)).toEqual([253, 254, 255, 512, 513, 514, 515, 516, 517, 518]);
    for (const heap of [waved, oneByOne]) heap.verify();
    expect(waved.stats()).toMatchObject({ live: 252 + 1 + 10, young: oneByOne.stats().young, slotsUsed: 2 * 262 });
  });

  it('makes its one pass only over blocks at an aligned top, with no small block left to reuse first', () => {
    // Two heaps, one making a wave and one allocating one object at a time, after the same setup:
    // (a) twenty pairs freed below a kept block (listed, unmerged), which alloc takes back first;
    // (b) a pair at the top, so a wave of 4-slot blocks must start past two padding slots;
    // (c) 4-slot objects freed at the top (their blocks back to it, their indices queued) above
    // twenty pairs freed below a kept one, which alloc merges into 4-slot blocks and takes first.
    const setups: [slots: number, setup: (heap: Heap) => void][] = [
      [2, (heap) => {
        for (let k = 0; k < 20; k++) heap.alloc(2);
        heap.pin(heap.alloc(2));
        heap.collect();
      }],
      [4, (heap) => {
        for (let k = 0; k < 20; k++) heap.alloc(4);
        heap.collect();
        heap.pin(heap.alloc(2));
      }],
      [4, (heap) => {
        for (let k = 0; k < 20; k++) heap.alloc(2);
        heap.pin(heap.alloc(2));
        for (let k = 0; k < 10; k++) heap.alloc(4);
        heap.collect();
      }],
    ];
    for (const [slots, setup] of setups) {
      const [waved, oneByOne] = [new Heap(), new Heap()];
      setup(waved);
      setup(oneByOne);
      expect(queuedIndices(waved, slots === 2 ? 2 : 3).length).toBeGreaterThanOrEqual(10);
      const wave = [...waved.allocMany(6, slots)];
      const singles = Array.from({ length: 6 }, () => oneByOne.alloc(slots));
      expect(wave).toEqual(singles);
      const [a, b] = [waved, oneByOne].map((heap) => {
        const s = stateOf(heap);
        return [s.slotTop, s.lazyFrees, s.freePairCount, [...s.base.slice(0, s.top)]];
      });
      expect(a).toEqual(b);
      waved.verify();
    }
  });

  it('takes targets at any generation of their index, and refuses an older handle of it', () => {
    const heap = new Heap();
    const first = heap.alloc(0);
    const index = heap.index(first);
    heap.collect();
    let again = heap.alloc(0);
    while (heap.index(again) !== index) again = heap.alloc(0);
    heap.pin(again);
    expect(again).not.toBe(first); // the same index, a generation on
    const [made] = [...heap.allocMany(1, 1, 'strong', [again])];
    expect(heap.get(made!, 0)).toBe(again);
    expect(() => heap.allocMany(1, 1, 'strong', [first])).toThrow(StaleRefError);
    expect(() => heap.allocMany(1, 1, 'strong', new Float64Array([first]) as unknown as Ref[])).toThrow(StaleRefError);
    const [alsoMade] = [...heap.allocMany(1, 1, 'strong', new Float64Array([again]) as unknown as Ref[])];
    expect(heap.get(alsoMade!, 0)).toBe(again);
    heap.verify();
  });

  it('carves the blocks of a wave of queued indices at the top, exactly as many as alloc would', () => {
    const make = (): Heap => {
      const heap = new Heap();
      for (let k = 0; k < 50; k++) heap.alloc(0);
      heap.collect(); // 50 indices queued, no slot block free
      return heap;
    };
    const [waved, oneByOne] = [make(), make()];
    const wave = [...waved.allocMany(20, 2)];
    const singles = Array.from({ length: 20 }, () => oneByOne.alloc(2));
    expect(wave).toEqual(singles);
    const [a, b] = [waved, oneByOne].map((heap) => {
      const s = stateOf(heap);
      return [s.slotTop, s.base.slice(0, s.top)];
    });
    expect(a).toEqual(b);
    expect(stateOf(waved).slotTop).toBe(1 + 20 * 2);
    waved.verify();
  });

  it('writes the wave into a given array (into), reused from wave to wave, and returns it', () => {
    const heap = new Heap();
    const aims = [heap.alloc(0), heap.alloc(0)];
    for (const ref of aims) heap.pin(ref);
    const into = new Float64Array(5).fill(-1) as RefArray;
    const targets = new Float64Array([aims[0]!, aims[1]!, aims[1]!]) as RefArray;
    const first = heap.allocMany(3, 1, 'strong', targets, into);
    expect(first).toBe(into);
    expect([...into.subarray(3)]).toEqual([-1, -1]); // past count: untouched
    expect(into.subarray(0, 3).every((ref) => heap.isAlive(ref as Ref))).toBe(true);
    expect([0, 1, 2].map((j) => heap.get(into[j]!, 0))).toEqual([aims[0], aims[1], aims[1]]);
    const kept = into[0]!;
    heap.pin(kept);
    heap.allocMany(2, 0, 'strong', undefined, into); // the next wave overwrites the first entries
    expect(into[0]).not.toBe(kept);
    expect(heap.get(kept, 0)).toBe(aims[0]);
    expect(heap.allocMany(0, 0, 'strong', undefined, new Float64Array(0) as RefArray).length).toBe(0);
    heap.verify();
  });

  it('refuses a bad into, naming it, and allocates nothing', () => {
    const heap = new Heap();
    const live = heap.alloc(0);
    heap.pin(live);
    const before = heap.snapshot();
    const short = new Float64Array(2) as RefArray;
    expect(() => heap.allocMany(3, 0, 'strong', undefined, short)).toThrow(
      /^into has room for 2 handles, fewer than count 3$/,
    );
    expect(() => heap.allocMany(1, 0, 'strong', undefined, [0] as never)).toThrow(
      /^into must be a RefArray \(a Float64Array of handles\), got/,
    );
    expect(() => heap.allocMany(1, 0, 'strong', undefined, new Uint32Array(1) as never)).toThrow(TypeError);
    // A Proxy of a Float64Array would run code as each handle is written: refused.
    let writes = 0;
    const proxy = new Proxy(new Float64Array(1), {
      get: (target, key) => Reflect.get(target, key, target),
      set: (target, key, value) => {
        writes++;
        return Reflect.set(target, key, value, target);
      },
    }) as RefArray;
    expect(proxy instanceof Float64Array && proxy.length === 1).toBe(true);
    expect(() => heap.allocMany(1, 1, 'strong', [live], proxy)).toThrow(
      /^into must be a RefArray \(a Float64Array of handles\), got/,
    );
    expect(writes).toBe(0);
    expect(heap.snapshot()).toEqual(before);
    heap.verify();
  });

  it('reads a Float64Array of targets twice only when nothing can change it in between', () => {
    const heap = new Heap();
    const aims = [heap.alloc(0), heap.alloc(0), heap.alloc(0)];
    for (const ref of aims) heap.pin(ref);
    // into sharing the targets' memory (the same array, or a view at an offset): the handles are
    // written as the targets are read, so the targets are read once, first.
    const shared = new Float64Array([aims[0]!, aims[1]!, aims[2]!, NULL]) as RefArray;
    heap.allocMany(4, 1, 'strong', shared, shared);
    expect([0, 1, 2, 3].map((j) => heap.get(shared[j]!, 0))).toEqual([aims[0], aims[1], aims[2], NULL]);
    const buffer = new Float64Array([aims[2]!, aims[1]!, aims[0]!, NULL]);
    const view = buffer.subarray(1) as RefArray; // into at an offset of one entry into the targets
    heap.allocMany(3, 1, 'strong', buffer.subarray(0, 3) as RefArray, view);
    expect([0, 1, 2].map((j) => heap.get(view[j]!, 0))).toEqual([aims[2], aims[1], aims[0]]);
    // A Proxy of a Float64Array answering differently on a second read: read once.
    let reads = 0;
    const fickle = new Proxy(new Float64Array([aims[0]!]), {
      get(target, key) {
        if (key === '0') return reads++ === 0 ? aims[0] : aims[1];
        const value = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as unknown as RefArray;
    const [held] = heap.allocMany(1, 1, 'strong', fickle);
    expect(reads).toBe(1);
    expect(heap.get(held!, 0)).toBe(aims[0]);
    heap.verify();
  });

  it('stores targets through the barrier: one unreachable when a cycle began survives in the wave', () => {
    const heap = new Heap({ generational: false });
    const lost = heap.alloc(0); // unreachable: white from the cycle's start
    heap.pin(heap.alloc(0));
    heap.step(1); // a cycle is marking
    expect(heap.phase).not.toBe('idle');
    const [carrier] = heap.allocMany(1, 1, 'strong', [lost]);
    heap.pin(carrier!);
    while (!heap.step(100));
    expect(heap.isAlive(lost)).toBe(true);
    expect(heap.get(carrier!, 0)).toBe(lost);
    heap.verify();
  });

  it('checks every target first: a bad one names its position, and the wave allocates nothing', () => {
    const heap = new Heap();
    const live = heap.alloc(0);
    heap.pin(live);
    const gone = heap.alloc(0);
    heap.collect();
    const before = heap.stats();
    expect(() => heap.allocMany(2, 2, 'strong', [live, NULL, live, gone])).toThrow(
      /^targets\[3\] \d+ is stale: its object \(index \d+\) was freed by major collection #1/,
    );
    expect(() => heap.allocMany(2, 1, 'strong', [live, 'x' as never])).toThrow(
      /^targets\[1\] 'x' \(a string\) is not a handle/,
    );
    expect(() => heap.allocMany(2, 1, 'strong', [live])).toThrow(
      /^targets must hold count \* slots = 2 handles, got 1$/,
    );
    expect(() => heap.allocMany(1, 1, 'strong', 7 as never)).toThrow(/^targets must be an array of handles, got 7$/);
    expect(() => heap.allocMany(1, 1, 'strong', null as never)).toThrow(TypeError);
    expect(() => heap.allocMany(1, 1, 'strong', 'ab' as never)).toThrow(TypeError);
    expect(heap.stats()).toEqual(before);
    // An array-like that answers differently on a second read: what was checked is what is stored.
    let reads = 0;
    const fickle = {
      length: 1,
      get 0() {
        return reads++ === 0 ? live : gone;
      },
    } as unknown as ArrayLike<Ref>;
    const [held] = heap.allocMany(1, 1, 'strong', fickle);
    expect(reads).toBe(1);
    expect(heap.get(held!, 0)).toBe(live);
    heap.verify();
    // A wave whose slots pass maxSlots cannot fit: refused before its targets are read.
    const tight = new Heap({ maxSlots: 64 });
    const huge = {
      length: 100 * 64,
      get 0(): never {
        throw new Error('read');
      },
    } as unknown as ArrayLike<Ref>;
    expect(() => tight.allocMany(100, 64, 'strong', huge)).toThrow(
      /^slot pool full: 100 blocks of 64 slots do not fit in maxSlots 64$/,
    );
    const full = new Heap({ maxObjects: 3 });
    const kept = full.alloc(0);
    full.pin(kept);
    const fullBefore = full.stats();
    expect(() => full.allocMany(3, 1, 'strong', [kept, kept, kept])).toThrow(HeapFullError);
    expect(full.stats()).toEqual(fullBefore);
    heap.verify();
  });

  it('targetIndex reads a slot as the target index (0 for NULL), checking the handle once', () => {
    const heap = new Heap();
    const owner = heap.alloc(2);
    const target = heap.alloc(0);
    heap.set(owner, 0, target);
    expect(heap.targetIndex(owner, 0)).toBe(heap.index(target));
    expect(heap.targetIndex(owner, 1)).toBe(0);
    expect(() => heap.targetIndex(owner, 2)).toThrow(RangeError);
    heap.collect();
    expect(() => heap.targetIndex(owner, 0)).toThrow(StaleRefError);
  });

  it('targetAt reads a slot of the object at an index (a query result), through the read barrier', () => {
    const heap = new Heap();
    const C = heap.defineComponent({}, { name: 'C' });
    const owners: Ref[] = [];
    const targets: Ref[] = [];
    for (let k = 0; k < 4; k++) {
      const owner = heap.alloc(1, 'weak');
      heap.pin(owner);
      heap.add(owner, C);
      const target = heap.alloc(0);
      if (k !== 3) heap.pin(target);
      heap.set(owner, 0, target);
      owners.push(owner);
      targets.push(target);
    }
    heap.destroy(targets[1]!); // reads NULL at once
    heap.collect(); // targets[3] had only the weak slot: cleared
    const seen = new Map<number, number>();
    for (const i of heap.query(C)) seen.set(i, heap.targetAt(i, 0));
    expect(seen).toEqual(
      new Map([
        [heap.index(owners[0]!), heap.index(targets[0]!)],
        [heap.index(owners[1]!), 0],
        [heap.index(owners[2]!), heap.index(targets[2]!)],
        [heap.index(owners[3]!), 0],
      ]),
    );
    for (const k of [0, 2]) expect(heap.targetAt(heap.index(owners[k]!), 0)).toBe(heap.targetIndex(owners[k]!, 0));
  });

  it('targetAt agrees with get for every slot kind: strong, weak, an ephemeron key and its value', () => {
    const heap = new Heap();
    const strong = heap.alloc(2);
    const weak = heap.alloc(2, 'weak');
    const pairs = heap.alloc(4, 'ephemeron');
    for (const o of [strong, weak, pairs]) heap.pin(o);
    const kept = heap.alloc(0);
    const doomedKey = heap.alloc(0);
    const value = heap.alloc(0);
    heap.pin(kept);
    heap.pin(doomedKey);
    for (const o of [strong, weak]) {
      heap.set(o, 0, kept);
      heap.set(o, 1, value);
    }
    heap.set(pairs, 0, kept);
    heap.set(pairs, 1, value);
    heap.set(pairs, 2, doomedKey);
    heap.set(pairs, 3, value);
    // The pair's key destroyed: its value reads NULL through the pair, though `strong` keeps it.
    heap.destroy(doomedKey);
    const check = (): void => {
      for (const o of [strong, weak, pairs]) {
        for (let k = 0; k < heap.slotCount(o); k++) {
          const t = heap.get(o, k);
          expect(heap.targetAt(heap.index(o), k)).toBe(t === NULL ? 0 : heap.index(t));
        }
      }
    };
    check();
    expect(heap.targetAt(heap.index(pairs), 3)).toBe(0);
    expect(heap.targetAt(heap.index(pairs), 1)).toBe(heap.index(value));
    heap.collect();
    check();
  });

  it('targetAt names a bad index or slot, and changes nothing', () => {
    const heap = new Heap();
    const owner = heap.alloc(1);
    const garbage = heap.alloc(0);
    heap.pin(owner);
    const i = heap.index(owner);
    const gone = heap.index(garbage);
    heap.collect();
    const before = heap.snapshot();
    expect(() => heap.targetAt('1' as unknown as Index, 0)).toThrow(/index must be an integer, got '1'/);
    expect(() => heap.targetAt(1.5 as Index, 0)).toThrow(/index must be an integer, got 1\.5/);
    expect(() => heap.targetAt(0 as Index, 0)).toThrow(/index 0 holds no live object/);
    expect(() => heap.targetAt(-1 as Index, 0)).toThrow(RangeError);
    expect(() => heap.targetAt(gone, 0)).toThrow(new RegExp(`index ${gone} holds no live object`));
    expect(() => heap.targetAt(1000 as Index, 0)).toThrow(/index 1000 holds no live object/);
    expect(() => heap.targetAt(i, 1)).toThrow(/slot 1 is out of range: the object has 1 slot/);
    expect(() => heap.targetAt(i, 'x' as unknown as number)).toThrow(TypeError);
    expect(heap.snapshot()).toEqual(before);
  });

  it('setAt stores by index what set stores by handle; 0 clears', () => {
    const heap = new Heap();
    const C = heap.defineComponent({}, { name: 'C' });
    const owner = heap.alloc(2);
    heap.pin(owner);
    heap.add(owner, C);
    const target = heap.alloc(0);
    const [i] = heap.query(C);
    heap.setAt(i!, 1, heap.index(target));
    expect(heap.get(owner, 1)).toBe(target);
    expect(heap.targetAt(i!, 1)).toBe(heap.index(target));
    heap.collect(); // reachable only through the slot setAt wrote
    expect(heap.isAlive(target)).toBe(true);
    heap.setAt(i!, 1, 0 as Index);
    expect(heap.get(owner, 1)).toBe(NULL);
    heap.collect();
    expect(heap.isAlive(target)).toBe(false);
    heap.verify();
  });

  it('setAt runs the write barrier: an old owner remembers a young target, a marked owner shades a white one', () => {
    const heap = new Heap();
    const old = heap.alloc(1);
    heap.pin(old);
    heap.tenure();
    const young = heap.alloc(0);
    heap.setAt(heap.index(old), 0, heap.index(young));
    heap.verify();
    expect(heap.minor().freed).toBe(0); // found through the remembered slot
    expect(heap.get(old, 0)).toBe(young);

    const flat = new Heap({ generational: false });
    const root = flat.alloc(2);
    flat.pin(root);
    let last = root;
    for (let k = 0; k < 200; k++) {
      const node = flat.alloc(1);
      flat.set(last, 0, node);
      last = node;
    }
    const loose = flat.alloc(0); // unreachable when the cycle begins
    flat.step(10); // the root is scanned; most of the chain is still unmarked
    expect(flat.phase).toBe('mark');
    flat.setAt(flat.index(root), 1, flat.index(loose)); // its only reference, from a marked object
    while (!flat.step(100));
    expect(flat.isAlive(loose)).toBe(true);
    flat.verify();
  });

  it('setAt into an ephemeron pair whose key was destroyed clears the pair first, as set does', () => {
    const heap = new Heap();
    const table = heap.alloc(2, 'ephemeron');
    heap.pin(table);
    const key = heap.alloc(0);
    const value = heap.alloc(0);
    heap.pin(key);
    heap.set(table, 0, key);
    heap.set(table, 1, value);
    heap.destroy(key);
    const fresh = heap.alloc(0);
    heap.pin(fresh);
    heap.setAt(heap.index(table), 1, heap.index(fresh)); // a value with no key: the pair reads (NULL, value)
    expect(heap.get(table, 0)).toBe(NULL);
    expect(heap.get(table, 1)).toBe(fresh);
    heap.verify();
  });

  it('setAt names a bad index, slot or target, and changes nothing', () => {
    const heap = new Heap();
    const owner = heap.alloc(1);
    const target = heap.alloc(0);
    const garbage = heap.alloc(0);
    heap.pin(owner);
    heap.pin(target);
    const i = heap.index(owner);
    const t = heap.index(target);
    const gone = heap.index(garbage);
    heap.collect();
    const destroyed = heap.alloc(0);
    const d = heap.index(destroyed);
    heap.destroy(destroyed);
    // A destroyed object takes no store, as owner either (its index stays taken until a collection).
    const destroyedOwner = heap.alloc(1);
    const dOwner = heap.index(destroyedOwner);
    heap.destroy(destroyedOwner);
    const before = heap.snapshot();
    expect(() => heap.setAt(dOwner, 0, t)).toThrow(new RegExp(`index ${dOwner} holds no live object`));
    expect(() => heap.setAt('1' as unknown as Index, 0, t)).toThrow(/index must be an integer, got '1'/);
    expect(() => heap.setAt(1.5 as Index, 0, t)).toThrow(/index must be an integer, got 1\.5/);
    expect(() => heap.setAt(0 as Index, 0, t)).toThrow(/index 0 holds no live object/);
    expect(() => heap.setAt(gone, 0, t)).toThrow(new RegExp(`index ${gone} holds no live object`));
    expect(() => heap.setAt(i, 1, t)).toThrow(/slot 1 is out of range: the object has 1 slot/);
    expect(() => heap.setAt(i, -1, t)).toThrow(RangeError);
    expect(() => heap.setAt(i, 0, gone)).toThrow(new RegExp(`index ${gone} holds no live object`));
    expect(() => heap.setAt(i, 0, d)).toThrow(new RegExp(`index ${d} holds no live object`));
    expect(() => heap.setAt(i, 0, -3 as Index)).toThrow(/index -3 holds no live object/);
    expect(() => heap.setAt(i, 0, 2 ** 40 as Index)).toThrow(RangeError);
    expect(() => heap.setAt(i, 0, null as unknown as Index)).toThrow(/index must be an integer, got null/);
    expect(heap.snapshot()).toEqual(before);
  });
});

describe('reserve', () => {
  it('grows the storage now, so the allocations it covers grow nothing', () => {
    const heap = new Heap({ initialCapacity: 4 });
    const Pos = heap.defineComponent({ x: 'f32', target: 'ref' });
    const first = heap.alloc(2);
    heap.add(first, Pos, { x: 1.5 });
    heap.pin(first);
    heap.reserve(5000, 12_000);
    const reserved = heap.stats();
    expect(reserved.capacity).toBeGreaterThanOrEqual(5000);
    expect(reserved.slotsCapacity).toBeGreaterThanOrEqual(12_000);
    // The round capacities growth uses: within a quarter of what was asked.
    expect(reserved.capacity).toBeLessThanOrEqual(5000 * 1.25);
    expect(reserved.slotsCapacity).toBeLessThanOrEqual(12_000 * 1.25);
    const column = Pos.x;
    let last = first;
    for (let k = 1; k < 4999; k++) {
      const o = heap.alloc(2);
      heap.set(o, 0, last);
      heap.add(o, Pos, { x: k, target: last });
      last = o;
    }
    heap.set(first, 1, last);
    expect(heap.stats()).toMatchObject({ capacity: reserved.capacity, slotsCapacity: reserved.slotsCapacity });
    expect(Pos.x).toBe(column);
    expect(heap.getField(first, Pos, 'x')).toBe(1.5);
    heap.collect();
    expect(heap.stats().live).toBe(4999);
    heap.verify();
  });

  it('gives member and query lists room too: adds after it copy no list, for components and queries made later too', () => {
    const heap = new Heap({ initialCapacity: 4 });
    const Early = heap.defineComponent({ x: 'f32' });
    heap.query(Early); // a query made before: reserve gives its list room
    heap.reserve(3000);
    const early = heap.query(Early);
    expect(early.buffer.byteLength).toBeGreaterThanOrEqual(3000 * 4);
    const Late = heap.defineComponent({ y: 'f32' }); // defined after: born with the room
    const both = heap.query(Early, Late); // first run after: born with the room
    const bytes = heap.stats().bytes;
    const topBefore = stateOf(heap).top;
    const objects: Ref[] = [];
    for (let k = 0; k < 2999; k++) {
      const o = heap.alloc(0);
      heap.add(o, Early);
      heap.add(o, Late);
      objects.push(o);
    }
    // What stats() counts grows by what was written: the header columns and cards (bytesPerObject)
    // up to `top` (the pages carved, and a byte a page for their class and for each component's
    // page marks), the entries of the two member lists and two query lists (no list was replaced;
    // no pins, whose columns would grow), and the memory pages of the two numeric columns, the two
    // components' position arrays and the two queries' (both first name Early): four pages of f32
    // elements or positions to a 4 KB page, so the 12 pages of indices written (by reserve for
    // Early, by the members for both) are 3 memory pages of each, where what Early's marks count
    // (its column, its positions, the queries' positions) counted one (page 0, the page of `top` then).
    const top = stateOf(heap).top;
    expect([topBefore, top]).toEqual([1, 3072]);
    const perIndex = heap.stats().bytesPerObject;
    const pages = (top >>> 8) - (topBefore >>> 8);
    const columns = 4 * (3 - 1) * 4096 + 2 * 3 * 4096;
    expect(heap.stats().bytes).toBe(bytes + (top - topBefore) * perIndex + 3 * pages + 2999 * 4 * 4 + columns);
    expect(heap.query(Early).buffer).toBe(early.buffer);
    expect(heap.query(Early, Late).buffer).toBe(both.buffer);
    expect(heap.query(Early, Late).length).toBe(2999);
    heap.verify();
    // Without reserve the same adds grow the lists.
    const plain = new Heap({ initialCapacity: 4096 });
    const P = plain.defineComponent({ x: 'f32' });
    const list = plain.query(P);
    const plainBytes = plain.stats().bytes;
    for (let k = 0; k < 2999; k++) {
      const o = plain.alloc(0);
      plain.add(o, P);
    }
    expect(plain.query(P).buffer).not.toBe(list.buffer);
    expect(plain.stats().bytes).toBeGreaterThan(plainBytes);
  });

  it('gives the weak lists room too: weak objects made and promoted copy no list, and stats() counts what they hold', () => {
    const N = 3000;
    const program = (heap: Heap, kind: 'weak' | 'strong' = 'weak') => {
      const holder = heap.alloc(N);
      heap.pin(holder);
      const wave = heap.allocMany(N / 2, 1, kind);
      for (let k = 0; k < N / 2; k++) heap.set(holder, k, wave[k]!);
      heap.minor();
      heap.minor(); // promoted: the old weak list takes them
      for (let k = 0; k < N / 2; k++) heap.set(holder, N / 2 + k, heap.alloc(1, kind));
      heap.tick({ units: 1e6 }); // the nursery full or not, whatever tick does with it, no list copies
      heap.tenure();
    };
    const heap = new Heap();
    const fresh = heap.stats().bytes;
    heap.reserve(N);
    // Room not yet used is not counted (it is zero and untouched, as for member lists).
    expect(heap.stats().bytes).toBe(fresh);
    const lists = () => [stateOf(heap).weakObjects, stateOf(heap).youngWeak];
    const reserved = lists();
    program(heap);
    expect(stateOf(heap).weakCount).toBe(N);
    expect(lists()[0]).toBe(reserved[0]);
    expect(lists()[1]).toBe(reserved[1]);
    heap.verify();
    // The same program without reserve copies the lists; stats() does not count their capacity, so
    // it reads the same bytes for both.
    const plain = new Heap();
    const plainLists = [stateOf(plain).weakObjects, stateOf(plain).youngWeak];
    program(plain);
    expect(stateOf(plain).weakObjects).not.toBe(plainLists[0]);
    expect(stateOf(plain).youngWeak).not.toBe(plainLists[1]);
    expect(plain.stats().bytes).toBe(heap.stats().bytes);
    // What the lists count: their entries in use (N old, none young after tenure()), 4 bytes each,
    // against the same program with strong objects, whose lists stay empty.
    expect([stateOf(heap).weakCount, stateOf(heap).youngWeakCount]).toEqual([N, 0]);
    const strong = new Heap();
    program(strong, 'strong');
    expect(heap.stats().bytes - strong.stats().bytes).toBe(4 * N);
  });

  it("gives the slot pool's lists of free singles and pairs room too: sweeps copy neither, and stats() counts their entries", () => {
    const program = (heap: Heap) => {
      const holder = heap.alloc(4000);
      heap.pin(holder);
      for (let k = 0; k < 4000; k++) heap.set(holder, k, heap.alloc(1 + (k & 1)));
      heap.collect(); // old: what dies now is swept block by block, not given back to the top
      for (let k = 0; k < 4000; k += 2) heap.set(holder, k, NULL);
      for (let k = 1; k < 4000; k += 4) heap.set(holder, k, NULL);
      heap.collect();
    };
    const heap = new Heap();
    const fresh = heap.stats().bytes;
    heap.reserve(10_000, 20_000);
    expect(heap.stats().bytes).toBe(fresh); // room not yet used is not counted
    const lists = [stateOf(heap).freeSingles, stateOf(heap).freePairs];
    program(heap);
    const s = stateOf(heap);
    expect(s.freeSingleCount + s.freePairCount).toBeGreaterThan(1000);
    expect(s.freeSingles).toBe(lists[0]);
    expect(s.freePairs).toBe(lists[1]);
    heap.verify();
    // A smaller reserve shrinks neither list: every free block stays listed.
    const counts = [s.freeSingleCount, s.freePairCount];
    heap.reserve(0, 10);
    expect(s.freeSingles).toBe(lists[0]);
    expect(s.freePairs).toBe(lists[1]);
    expect([s.freeSingleCount, s.freePairCount]).toEqual(counts);
    heap.verify();
    const plain = new Heap();
    const plainLists = [stateOf(plain).freeSingles, stateOf(plain).freePairs];
    program(plain);
    expect(stateOf(plain).freeSingles).not.toBe(plainLists[0]);
    expect(stateOf(plain).freePairs).not.toBe(plainLists[1]);
    // The same entries in use, the same bytes: capacity is not counted.
    expect([stateOf(plain).freeSingleCount, stateOf(plain).freePairCount]).toEqual([
      s.freeSingleCount,
      s.freePairCount,
    ]);
    expect(plain.stats().bytes).toBe(heap.stats().bytes);
  });

  it('never shrinks the weak lists: a smaller reserve keeps every weak object listed, old and young', () => {
    const heap = new Heap();
    const holder = heap.alloc(200);
    heap.pin(holder);
    for (let k = 0; k < 100; k++) heap.set(holder, k, heap.alloc(1, 'weak'));
    heap.tenure(); // 100 old weak objects
    for (let k = 100; k < 200; k++) heap.set(holder, k, heap.alloc(1, 'weak')); // 100 young ones
    const lengths = [stateOf(heap).weakObjects.length, stateOf(heap).youngWeak.length];
    heap.reserve(10);
    expect([stateOf(heap).weakObjects.length, stateOf(heap).youngWeak.length]).toEqual(lengths);
    expect([stateOf(heap).weakCount, stateOf(heap).youngWeakCount]).toEqual([100, 100]);
    heap.verify();
    // Every one is still listed: dropping the targets of half of them clears exactly those slots.
    const targets = [];
    for (let k = 0; k < 200; k++) {
      const target = heap.alloc(0);
      targets.push(target);
      heap.set(heap.get(holder, k), 0, target);
    }
    const kept = targets.filter((_, k) => k % 4 === 0);
    const keeper = heap.alloc(kept.length);
    heap.pin(keeper);
    kept.forEach((t, k) => heap.set(keeper, k, t));
    heap.collect();
    for (let k = 0; k < 200; k++) {
      expect(heap.get(heap.get(holder, k), 0)).toBe(k % 4 === 0 ? targets[k] : NULL);
    }
    heap.verify();
  });

  it('keeps every object, slot and component value, and never shrinks', () => {
    const heap = new Heap({ initialCapacity: 2 });
    const Tag = heap.defineComponent({ v: 'u32', owner: 'ref' });
    const a = heap.alloc(1);
    const b = heap.alloc(3, 'weak');
    heap.set(a, 0, b);
    heap.set(b, 2, a);
    heap.add(b, Tag, { v: 7, owner: a });
    heap.pin(a);
    heap.reserve(100, 400);
    expect(heap.get(a, 0)).toBe(b);
    expect(heap.get(b, 2)).toBe(a);
    expect(heap.getField(b, Tag, 'v')).toBe(7);
    expect(heap.getRef(b, heap.refField(Tag, 'owner'))).toBe(a);
    heap.verify();
    const grown = heap.stats();
    heap.reserve(10, 10);
    heap.reserve(0);
    expect(heap.stats()).toEqual(grown);
    heap.reserve(grown.capacity, grown.slotsCapacity);
    // (The member lists get room for 112 now, but stats() counts entries written: nothing changes.)
    expect(heap.stats()).toEqual(grown);
  });

  it('reserves up to maxObjects and maxSlots, and rejects anything else with the heap unchanged', () => {
    const heap = new Heap({ maxObjects: 1000, maxSlots: 4096, initialCapacity: 8 });
    heap.alloc(2);
    const before = heap.stats();
    expect(() => heap.reserve(1001)).toThrow(/reserved objects must be an integer from 0 to 1000, got 1001/);
    expect(() => heap.reserve(-1)).toThrow(RangeError);
    expect(() => heap.reserve(2.5)).toThrow(/got 2\.5/);
    expect(() => heap.reserve(Number.NaN)).toThrow(/got NaN/);
    expect(() => heap.reserve('64' as never)).toThrow(TypeError);
    expect(() => heap.reserve(10, 4096)).toThrow(/reserved slots must be an integer from 0 to 4095, got 4096/);
    expect(() => heap.reserve(10, -3)).toThrow(/got -3/);
    expect(heap.stats()).toEqual(before);
    heap.reserve(1000, 4095);
    expect(heap.stats()).toMatchObject({ capacity: 1000, slotsCapacity: 4095 });
    for (let k = 1; k < 1000; k++) heap.pin(heap.alloc(0));
    expect(heap.stats().capacity).toBe(1000);
    heap.verify();
  });
});
