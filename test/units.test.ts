/**
 * Work units, exactly. Budgets of `step(units)` and `tick({ units })` are counted in them, and the
 * units mode of `tick` promises the same collections at the same frames in every run, so the cost
 * model is part of the behaviour: src/gc/collector.ts documents it (one unit per object promoted,
 * per object scanned and per slot or `ref` field scanned, per root shaded, per index swept and one
 * more per object freed, 64 per finalizer), and src/gc/pacer.ts the minor's estimate (6 per young
 * object, 4 per remembered slot). These tests count them on heaps small enough to count by hand.
 */
import { describe, expect, it } from 'vitest';
import { Heap, type Ref, type TickReport } from '../mod.ts';

/** Every report of the heap's collector calls, in order. */
function reports(heap: Heap): TickReport[] {
  const seen: TickReport[] = [];
  heap.observe((report) => seen.push(report));
  return seen;
}

/**
 * Without generations: a pinned root (2 slots) -> a (1 slot) -> b (0 slots), and two garbage
 * objects, g1 (0 slots) and g2 (3 slots). Indices 1..5.
 */
function small(options: ConstructorParameters<typeof Heap>[0] = {}): { heap: Heap; root: Ref; a: Ref; b: Ref } {
  const heap = new Heap({ generational: false, ...options });
  const root = heap.alloc(2);
  heap.pin(root);
  const a = heap.alloc(1);
  const b = heap.alloc(0);
  heap.set(root, 0, a);
  heap.set(a, 0, b);
  heap.alloc(0);
  heap.alloc(3);
  return { heap, root, a, b };
}

describe('work units', () => {
  it('of a full collection: roots, objects and slots scanned, indices swept, objects freed', () => {
    const { heap } = small();
    const seen = reports(heap);
    heap.collect();
    // Marking starts: 1, plus 1 per root (one pin). Scanning: root 1 + 2 slots, a 1 + 1, b 1 = 6.
    // The atomic step shades the roots again: 1. Sweep: 5 indices + 2 freed = 7. Total 16.
    expect(seen.map((r) => [r.call, r.units])).toEqual([['collect', 16]]);
  });

  it('count each root: pins and the objects of open scopes, at the start of marking and again at its end', () => {
    const { heap, root } = small();
    heap.pin(root); // a second pin of the same object is a second root
    const seen = reports(heap);
    heap.scope(() => {
      heap.alloc(0); // index 4 or 6: a scoped root, 0 slots, freed by nothing
      heap.collect();
    });
    // Roots: 2 pins + 1 scoped object = 3, counted at the start (1 + 3) and at the end (3).
    // Scanning: root 3, a 2, b 1, the scoped object 1 = 7. Sweep: 6 indices + 2 freed = 8.
    expect(seen[0]!.units).toBe(4 + 7 + 3 + 8);
  });

  it('of ref fields: one per field element scanned', () => {
    const { heap, root } = small();
    const C = heap.defineComponent({ to: 'ref', pair: ['ref', 2], hp: 'f32' }, { name: 'C' });
    heap.add(root, C);
    const seen = reports(heap);
    heap.collect();
    // As in the first test, plus the root's 3 ref elements (the f32 field is not looked at).
    expect(seen[0]!.units).toBe(16 + 3);
  });

  it('of a finalizer: 64', () => {
    const heap = new Heap({ generational: false });
    heap.setFinalizer(heap.alloc(0), () => {});
    const seen = reports(heap);
    heap.collect();
    // Marking: 1 (no roots). Atomic: 0. The finalizer: 64. Sweep: 1 index + 1 freed.
    expect(seen[0]!.units).toBe(1 + 64 + 2);
  });

  it('of promotion: one per young object made old, plus the young weak and finalizer entries handed over', () => {
    const heap = new Heap();
    const root = heap.alloc(1);
    heap.pin(root);
    heap.collect(); // the root is old
    const weak = heap.alloc(2, 'weak');
    heap.set(root, 0, weak);
    heap.setFinalizer(heap.alloc(0), () => {});
    heap.alloc(0);
    const seen = reports(heap);
    heap.collect();
    // Promotion: 3 young objects + 1 young weak + 1 young finalizable entry = 5. Marking: 1 + 1
    // pin; root 1 + 1 slot, weak 1 + 2 slots = 5; atomic 1. Finalizer 64. Sweep: 4 indices + 2 freed.
    expect(seen[0]!.units).toBe(5 + 2 + 5 + 1 + 64 + 6);
  });

  it('of a minor: one per young object before it', () => {
    const heap = new Heap();
    const root = heap.alloc(1);
    heap.pin(root);
    heap.set(root, 0, heap.alloc(0));
    heap.alloc(0);
    const seen = reports(heap);
    heap.minor();
    const report = heap.tick({ units: 1000 }); // nothing due: no units
    expect(seen.map((r) => [r.call, r.units])).toEqual([['minor', 3], ['tick', 0]]);
    expect(report.work).toBe('nothing');
  });

  it('of step() slices: the same total as one collection, each slice within its budget but for one object', () => {
    const { heap } = small();
    const seen = reports(heap);
    while (!heap.step(2));
    const units = seen.map((r) => r.units);
    expect(units.reduce((a, b) => a + b, 0)).toBe(16);
    // A slice stops once it has spent its budget; it may finish the object it is scanning (root: 3).
    for (const u of units) expect(u).toBeLessThanOrEqual(2 + 2);
    expect(units.length).toBeGreaterThanOrEqual(6);
    expect(seen.at(-1)!.cycleEnded).toBe(true);
  });
});

describe('the pacer in units mode', () => {
  it('runs a minor when its estimate (6 per young object, 4 per remembered slot) fits the budget, else folds it into a major cycle', () => {
    const make = () => {
      const heap = new Heap({ nurserySize: 10, cardSize: 1, minHeapObjects: 1_000_000 });
      const old = heap.alloc(1);
      heap.pin(old);
      heap.tenure();
      const young = Array.from({ length: 10 }, () => heap.alloc(0));
      heap.set(old, 0, young[0]!); // one dirty card of one object
      expect(heap.stats().dirtyCards).toBe(1);
      return heap;
    };
    // 10 young * 6 + 1 remembered object * 4 = 64.
    expect(make().tick({ units: 64 }).work).toBe('minor');
    expect(make().tick({ units: 63 }).work).toBe('major');
    const cards = new Heap({ nurserySize: 10, cardSize: 4, minHeapObjects: 1_000_000 });
    const old = cards.alloc(1);
    cards.pin(old);
    cards.tenure();
    for (let k = 0; k < 10; k++) cards.alloc(0);
    cards.set(old, 0, cards.refAt(cards.index(old) + 1));
    // A card of 4 objects counts 4 remembered slots: 60 + 16.
    expect(cards.tick({ units: 75 }).work).toBe('major');
  });

  it('plans the next major cycle at growthPercent more old objects than the last one left, never below minHeapObjects', () => {
    const heap = new Heap({ generational: false, growthPercent: 50, minHeapObjects: 10 });
    const root = heap.alloc(101);
    heap.pin(root);
    for (let k = 0; k < 100; k++) heap.set(root, k, heap.alloc(0));
    heap.collect();
    expect(heap.stats().nextMajorAt).toBe(152); // 101 * 1.5, rounded up
    for (let k = 0; k < 100; k++) heap.set(root, k, 0 as Ref);
    heap.collect();
    expect(heap.stats().nextMajorAt).toBe(10); // 1 * 1.5 is below the floor
  });

  it('is due for a major cycle exactly when the old objects reach the plan, and for a minor when the nursery is full', () => {
    const heap = new Heap({ generational: false, minHeapObjects: 5 });
    const root = heap.alloc(8);
    heap.pin(root);
    for (let k = 0; k < 3; k++) heap.set(root, k, heap.alloc(0));
    expect(heap.stats().planned).toBe('nothing'); // 4 < 5
    heap.set(root, 3, heap.alloc(0));
    expect(heap.stats().planned).toBe('major'); // 5 >= 5
    const young = new Heap({ nurserySize: 3, minHeapObjects: 1_000 });
    young.alloc(0);
    young.alloc(0);
    expect(young.stats().planned).toBe('nothing');
    young.alloc(0);
    expect(young.stats().planned).toBe('minor');
  });

  it('counts as debt the units allocation asked for (8 per object) and no tick paid, and forgets it once nothing is due', () => {
    const heap = new Heap({ generational: false, minHeapObjects: 4 });
    const root = heap.alloc(10);
    heap.pin(root);
    for (let k = 0; k < 9; k++) heap.set(root, k, heap.alloc(0));
    // 10 objects allocated since the heap was made: 80 units asked; the tick pays 1 (the minimum chunk).
    const first = heap.tick({ units: 1 });
    expect(first.work).toBe('major');
    expect(first.debt).toBe(80 - first.units);
    const second = heap.tick({ units: 1 });
    expect(second.debt).toBe(first.debt - second.units); // nothing allocated since
    while (heap.phase !== 'idle') heap.tick({ units: 1000 });
    expect(heap.tick({ units: 0 }).debt).toBe(0); // nothing due: no debt
  });
});

describe('the pacer in milliseconds mode (on a stubbed clock)', () => {
  /**
   * Runs `fn` with `performance.now` replaced by a clock that moves only when told: the tick's
   * decisions then depend on the pacer's estimates alone.
   */
  function withClock<T>(fn: (advance: (ms: number) => void) => T): T {
    const real = performance.now;
    let now = 1000;
    performance.now = () => now;
    try {
      return fn((ms) => void (now += ms));
    } finally {
      performance.now = real;
    }
  }

  /**
   * A heap whose first minor (of `young` garbage objects, run by a tick) takes `ms` by the clock:
   * a finalizer of one of them advances it. Then `young` more objects fill the nursery again.
   */
  function measured(young: number, ms: number, advance: (ms: number) => void): Heap {
    const heap = new Heap({ nurserySize: young, minHeapObjects: 1_000_000 });
    heap.setFinalizer(heap.alloc(0), () => advance(ms));
    for (let k = 1; k < young; k++) heap.alloc(0);
    // The first estimate: 30 ns per young object, so the minor fits a 1 ms budget.
    expect(heap.tick(1).work).toBe('minor');
    for (let k = 0; k < young; k++) heap.alloc(0);
    return heap;
  }

  it('estimates a minor from the ones measured (a moving average), and runs it only when it fits the budget', () => {
    // Measured: 3 ms for 300 objects, 10 us each. Estimate: 30 ns + 0.25 * (10 us - 30 ns) =
    // 2.5225 us per young object, 0.75675 ms for the next 300.
    withClock((advance) => {
      expect(measured(300, 3, advance).tick(0.7567).work).toBe('major');
      expect(measured(300, 3, advance).tick(0.7568).work).toBe('minor');
    });
  });

  it('does not time minors of fewer than 256 objects', () => {
    withClock((advance) => {
      // 255 objects: not measured, the estimate stays 30 ns each (7.65 us for 255).
      expect(measured(255, 3, advance).tick(0.008).work).toBe('minor');
      // 256: measured (3 ms), the estimate grows to 0.25 * 3 / 256 ms each, far past 0.008 ms.
      expect(measured(256, 3, advance).tick(0.008).work).toBe('major');
    });
  });
});
