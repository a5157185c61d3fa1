/**
 * The collector's phase machine and marker, on cases the model-based tests reach rarely: objects
 * wider than the gray stack (in slots and in `ref` array fields, for major and minor marking),
 * the gray stack's memory handed back after a cycle, what a cycle driven by `step()` leaves for
 * the next one (its freed count, the next major's plan, the remembered set), and `tenure()`
 * during a cycle.
 */
import { describe, expect, it } from 'vitest';
import { Heap, NULL, type Ref, StaleTicketError, type Ticket } from '../mod.ts';
import { stateOf } from '../src/heap.ts';

/** Steps until the running (or a new) cycle ends; returns the last slice's report of freed objects. */
function cycle(heap: Heap, budget: number): number {
  let freed = -1;
  const stop = heap.observe((report) => void (freed = report.majorFreed));
  while (!heap.step(budget));
  stop();
  return freed;
}

describe('marking objects wider than the gray stack (256 entries at first)', () => {
  for (const generational of [false, true]) {
    it(`keeps every target of a 600-slot object and of 500 ref field elements (generational ${generational})`, () => {
      const heap = new Heap({ generational });
      const Many = heap.defineComponent({ refs: ['ref', 300], more: ['ref', 200] }, { name: 'Many' });
      const root = heap.alloc(600);
      heap.pin(root);
      // The holder is the last root shaded, so it is scanned first, on the gray stack as it began:
      // its ref fields outgrow the stack while they are shaded.
      const holder = heap.alloc(1);
      heap.pin(holder);
      heap.set(root, 0, holder);
      heap.add(holder, Many);
      const viaSlots: Ref[] = [];
      const viaFields: Ref[] = [];
      for (let k = 1; k < 600; k++) {
        const target = heap.alloc(1);
        heap.set(root, k, target);
        viaSlots.push(target);
      }
      for (let k = 0; k < 500; k++) {
        const target = heap.alloc(1);
        heap.setField(holder, Many, k < 300 ? 'refs' : 'more', target, k < 300 ? k : k - 300);
        viaFields.push(target);
      }
      // Each target refers on to one more object, so the gray stack holds them all at once.
      for (const ref of [...viaSlots, ...viaFields]) heap.set(ref, 0, heap.alloc(0));
      const garbage = heap.alloc(3);
      if (generational) {
        heap.minor();
        expect(heap.isAlive(garbage)).toBe(false);
        expect(heap.stats().live).toBe(2 + 2 * 1099);
        heap.verify();
      }
      heap.alloc(0);
      heap.collect();
      expect(heap.stats().live).toBe(2 + 2 * 1099);
      // The stack grew by doubling only as far as it had to: to 512 entries for the holder's 500
      // field targets, then to 1,024 for the root's 600 slots (the root is scanned last, on an
      // empty stack); below 4,096 entries it is kept after the cycle.
      expect(stateOf(heap).markStack.length).toBe(1024);
      for (const ref of [...viaSlots, ...viaFields]) {
        if (!heap.isAlive(ref) || heap.get(ref, 0) === NULL) expect({ lost: ref }).toBe(null);
      }
      heap.verify();
      // The same in slices.
      heap.alloc(0);
      cycle(heap, 300);
      expect(heap.stats().live).toBe(2 + 2 * 1099);
      heap.verify();
    });
  }

  for (const minor of [false, true]) {
    it(`grows the gray stack only when shading ref fields fills it, once per fill (${minor ? 'minor' : 'major'})`, () => {
      // Holders whose component has 300 or 600 `ref` elements, each to a fresh object.
      const build = (chained: boolean): number => {
        const heap = new Heap({ generational: minor });
        const Wide = heap.defineComponent({ refs: ['ref', 600] }, { name: 'Wide' });
        const fill = (holder: Ref, count: number, last?: Ref): void => {
          heap.add(holder, Wide);
          for (let k = 0; k < count; k++) {
            heap.setField(holder, Wide, 'refs', k === count - 1 && last ? last : heap.alloc(0), k);
          }
        };
        const outer = heap.alloc(0);
        heap.pin(outer);
        // Chained: the outer holder's last target (scanned next) is a holder of 600 more, shaded
        // while the outer's other 299 targets are still on the stack.
        fill(outer, 300, chained ? heap.alloc(0) : undefined);
        if (chained) fill(heap.getField(outer, Wide, 'refs', 299) as Ref, 600);
        if (minor) expect(heap.minor().freed).toBe(0);
        else heap.collect();
        heap.verify();
        return stateOf(heap).markStack.length;
      };
      expect(build(false)).toBe(512); // 256 entries filled once
      expect(build(true)).toBe(1024); // and then 512 filled once more (299 + 600 entries)
    });
  }

  it('keeps a gray stack past 4,096 entries while it is at most 1/16 of the heap', () => {
    const heap = new Heap({ generational: false, initialCapacity: 131_072 });
    expect(stateOf(heap).columnLength >> 4).toBe(8192);
    const root = heap.alloc(6000);
    heap.pin(root);
    for (let k = 0; k < 6000; k++) heap.set(root, k, heap.alloc(0));
    heap.collect(); // grows to 8,192 entries: exactly 1/16 of the heap's 131,072 indices
    expect(stateOf(heap).markStack.length).toBe(8192);
  });

  it('hands a grown gray stack back after the cycle, once it passed 4,096 entries and 1/16 of the heap', () => {
    const heap = new Heap({ generational: false });
    const root = heap.alloc(6000);
    heap.pin(root);
    for (let k = 0; k < 6000; k++) heap.set(root, k, heap.alloc(0));
    const before = heap.stats().bytes;
    heap.collect(); // the gray stack grows to hold 6,000 objects (4 bytes each), then shrinks back
    expect(heap.stats().bytes).toBe(before);
    // 4,096 entries or fewer: kept (a heap that needed it will need it again).
    const small = new Heap({ generational: false });
    const r = small.alloc(3000);
    small.pin(r);
    for (let k = 0; k < 3000; k++) small.set(r, k, small.alloc(0));
    const smallBefore = small.stats().bytes;
    small.collect();
    expect(small.stats().bytes).toBeGreaterThan(smallBefore);
  });
});

describe('a cycle driven by step()', () => {
  it('reports what it freed, counted afresh each cycle', () => {
    const heap = new Heap({ generational: false });
    heap.pin(heap.alloc(0));
    heap.alloc(0);
    heap.alloc(0);
    expect(cycle(heap, 2)).toBe(2);
    heap.alloc(0);
    expect(cycle(heap, 2)).toBe(1);
    expect(cycle(heap, 2)).toBe(0);
  });

  it('sweeps down to the lowest dead index and no further: nothing dead, nothing swept', () => {
    for (const deadAt of [null, 1, 50, 100]) {
      const heap = new Heap({ generational: false });
      // 100 objects at indices 1..100, all pinned but the one at `deadAt`.
      const refs = Array.from({ length: 100 }, () => heap.alloc(0));
      refs.forEach((ref, k) => k + 1 !== deadAt && heap.pin(ref));
      const pins = deadAt === null ? 100 : 99;
      const units: number[] = [];
      heap.observe((report) => units.push(report.units));
      heap.collect();
      // Marking: 1 to start, 1 per root shaded, 1 per object scanned, 1 per root in the atomic
      // step. Sweeping: 1 per index from 255 (the first page's last, core/free-list.ts) down to
      // `deadAt`, 1 more for the object freed.
      expect(stateOf(heap).top).toBe(256);
      const swept = deadAt === null ? 0 : 255 - deadAt + 2;
      expect(units).toEqual([1 + 3 * pins + swept]);
      expect(heap.stats().live).toBe(pins);
      heap.verify();
    }
  });

  it('plans the next major cycle when it ends', () => {
    const heap = new Heap({ generational: false, minHeapObjects: 1, growthPercent: 100 });
    const root = heap.alloc(10);
    heap.pin(root);
    for (let k = 0; k < 10; k++) heap.set(root, k, heap.alloc(0));
    cycle(heap, 5);
    expect(heap.stats().nextMajorAt).toBe(22); // 11 old objects, grown by 100%
  });

  it('plans from the old objects only: those allocated during the cycle are young', () => {
    const heap = new Heap({ minHeapObjects: 1, growthPercent: 100 });
    const root = heap.alloc(20);
    heap.pin(root);
    for (let k = 0; k < 10; k++) heap.set(root, k, heap.alloc(0));
    heap.tenure();
    heap.step(1);
    for (let k = 10; k < 20; k++) heap.set(root, k, heap.alloc(0)); // young: allocated during the cycle
    cycle(heap, 5);
    expect(heap.stats()).toMatchObject({ old: 11, young: 10, nextMajorAt: 22 });
  });

  it('forgets every dirty card when it leaves no young object, and keeps them while one is left', () => {
    const heap = new Heap({ cardSize: 1 });
    const root = heap.alloc(2);
    heap.pin(root);
    heap.tenure();
    heap.set(root, 0, heap.alloc(0)); // old -> young: a dirty card
    expect(heap.stats().dirtyCards).toBe(1);
    cycle(heap, 5); // the young object is promoted by the cycle: no card needs to stay dirty
    expect(heap.stats()).toMatchObject({ young: 0, dirtyCards: 0 });
    heap.step(1); // a new cycle
    const late = heap.alloc(0); // young, allocated during the cycle
    heap.set(root, 1, late);
    cycle(heap, 5);
    expect(heap.stats()).toMatchObject({ young: 1, dirtyCards: 1 });
    heap.verify();
    heap.minor();
    expect(heap.isAlive(late)).toBe(true);
  });
});

describe('tenure()', () => {
  it('plans the next major cycle from the new old generation when idle, and leaves a running cycle its plan', () => {
    const heap = new Heap({ minHeapObjects: 1, growthPercent: 100 });
    const root = heap.alloc(20);
    heap.pin(root);
    for (let k = 0; k < 9; k++) heap.set(root, k, heap.alloc(0));
    heap.tenure();
    expect(heap.stats().nextMajorAt).toBe(20); // 10 old objects, grown by 100%
    for (let k = 9; k < 20; k++) heap.set(root, k, heap.alloc(0));
    heap.step(1); // a cycle starts
    const planned = heap.stats().nextMajorAt;
    heap.tenure();
    expect(heap.stats().nextMajorAt).toBe(planned);
    heap.verify();
  });
});

describe('the pin table', () => {
  it('grows by doubling, one entry per pin slot in each of its three columns', () => {
    const heap = new Heap();
    const ref = heap.alloc(0);
    for (let k = 0; k < 63; k++) heap.pin(ref); // pin slots 1..63 of the first 64
    const before = heap.stats().bytes;
    heap.pin(ref); // slot 64: the table grows from 64 to 128 entries
    expect(heap.stats().bytes - before).toBe(64 * 3 * 4);
  });
});

describe('pins()', () => {
  it('lists every live pin once, also when the pin table is exactly full', () => {
    const heap = new Heap();
    const ref = heap.alloc(0);
    const tickets = Array.from({ length: 63 }, () => heap.pin(ref)); // slots 1..63 of 64
    expect(heap.pins().map((p) => p.ticket)).toEqual(tickets);
    heap.unpin(tickets[5]!);
    expect(heap.pins().length).toBe(62);
  });
});

describe('tickets', () => {
  it('name only pin slots in use: a number for a slot never used, or a free one, is stale', () => {
    const heap = new Heap(); // 22 index bits: a ticket is slot + generation * 2^22
    const ref = heap.alloc(0);
    const ticket = heap.pin(ref); // slot 1, generation 0
    heap.unpin(ticket); // slot 1 is free, at generation 1: the next ticket for it will be 1 + 2^22
    for (const forged of [2, 5, 1 + 2 ** 22, 0]) {
      expect(heap.pinned(forged as Ticket)).toBe(NULL);
      expect(() => heap.unpin(forged as Ticket)).toThrow(StaleTicketError);
    }
    expect(heap.stats().pins).toBe(0);
    heap.verify();
  });

  it('retire a pin slot whose generation would overflow: its stale tickets never name a pin again', () => {
    const heap = new Heap({ generationBits: 1 }); // pin slot generations 0 and 1
    const ref = heap.alloc(0);
    const first = heap.pin(ref); // slot 1, generation 0
    heap.unpin(first);
    const second = heap.pin(ref); // slot 1, generation 1
    heap.unpin(second); // slot 1 retires
    const third = heap.pin(ref);
    expect(third % 2 ** 22).toBe(2); // a fresh slot
    expect([heap.pinned(first), heap.pinned(second), heap.pinned(third)]).toEqual([NULL, NULL, ref]);
    heap.verify();
  });
});

describe('a minor', () => {
  it('a minor does not age what its finalizers allocate', () => {
    const heap = new Heap({ promoteAfter: 1 });
    let made: Ref | undefined;
    heap.setFinalizer(heap.alloc(0), () => {
      made = heap.alloc(0);
      heap.pin(made);
    });
    heap.minor();
    expect(heap.isAlive(made!)).toBe(true);
    expect(heap.stats()).toMatchObject({ young: 1, old: 0 }); // age 0: promoted by the next minor
    heap.minor();
    expect(heap.stats()).toMatchObject({ young: 0, old: 1 });
    heap.verify();
  });
});

describe('marking, exactly', () => {
  it("scans exactly an object's own slots, and needs no more stack than its slots", () => {
    for (const minor of [true, false]) {
      const heap = new Heap({ generational: minor });
      // A pinned root of 256 slots (its block at the start of the pool), then a garbage object
      // whose block follows it, naming an object only the garbage reaches.
      const root = heap.alloc(256);
      heap.pin(root);
      for (let k = 0; k < 255; k++) heap.set(root, k, heap.alloc(0));
      const garbage = heap.alloc(1);
      const behind = heap.alloc(0);
      heap.set(garbage, 0, behind);
      if (minor) expect(heap.minor().freed).toBe(2);
      else heap.collect();
      expect([heap.isAlive(garbage), heap.isAlive(behind)]).toEqual([false, false]);
      // The root alone on the stack with its 256 slots' targets fills the 256 entries exactly.
      expect(stateOf(heap).markStack.length).toBe(256);
      heap.verify();
    }
  });
  it('scans each object once, however many roots and ref fields name it', () => {
    for (const minor of [true, false]) {
      const heap = new Heap({ generational: minor });
      const Link = heap.defineComponent({ to: 'ref' }, { name: 'Link' });
      // Two objects naming each other through ref fields, both pinned twice.
      const a = heap.alloc(0);
      const b = heap.alloc(0);
      heap.add(a, Link, { to: b });
      heap.add(b, Link, { to: a });
      for (const ref of [a, b, a, b]) heap.pin(ref);
      const seen: number[] = [];
      heap.observe((report) => seen.push(report.units));
      if (minor) heap.minor();
      else heap.collect();
      // A minor: 2 units per young object and 5 per survivor; a full collection: start 1 + 4
      // roots, 2 objects of 1 unit + 1 element each, the atomic step's 4 roots, no index swept
      // (nothing died: gc/sweep.ts).
      expect(seen).toEqual([minor ? 2 * 2 + 5 * 2 : 5 + 4 + 4]);
      expect([heap.isAlive(a), heap.isAlive(b)]).toEqual([true, true]);
      heap.verify();
    }
  });

  it("scans exactly an object's own ref field elements", () => {
    for (const minor of [true, false]) {
      const heap = new Heap({ generational: minor });
      const Link = heap.defineComponent({ to: 'ref' }, { name: 'Link' });
      // The holder and a garbage object at the next index, whose element follows the holder's.
      const holder = heap.alloc(0);
      const garbage = heap.alloc(0);
      expect(heap.index(garbage)).toBe(heap.index(holder) + 1);
      heap.pin(holder);
      const behind = heap.alloc(0);
      heap.add(holder, Link);
      heap.add(garbage, Link, { to: behind });
      if (minor) expect(heap.minor().freed).toBe(2);
      else heap.collect();
      expect([heap.isAlive(garbage), heap.isAlive(behind)]).toEqual([false, false]);
      heap.verify();
    }
  });
});

describe('a reused index', () => {
  it('starts with a blank header without generations: no free-queue link or flags left over', () => {
    const heap = new Heap({ generational: false });
    const s = stateOf(heap);
    const dead = [heap.alloc(0, 'weak'), heap.alloc(0), heap.alloc(0)];
    heap.setFinalizer(dead[1]!, () => {});
    heap.collect();
    heap.collect(); // the finalized object goes too
    expect(dead.map((ref) => heap.isAlive(ref))).toEqual([false, false, false]);
    // The free queue links indices through `next`; taking one must clear it.
    const fresh = [heap.alloc(0), heap.alloc(0), heap.alloc(0)];
    for (const ref of fresh) expect([s.next[heap.index(ref)], s.flags[heap.index(ref)]]).toEqual([0, 0]);
    heap.verify();
  });
});
