import { describe, expect, it } from 'vitest';
import { MUTATION_RUN } from './runs.ts';
import { GcForbiddenError, Heap, NULL, type Ref, StaleRefError } from '../mod.ts';
import { stateOf } from '../src/heap.ts';
import { MARK } from '../src/core/state.ts';

/** A pinned chain of `n` objects (each refers to the next), so marking takes many slices. */
function chain(heap: Heap, n: number): Ref[] {
  const nodes = [heap.alloc(1)];
  heap.pin(nodes[0]!);
  for (let k = 1; k < n; k++) {
    const node = heap.alloc(1);
    heap.set(nodes[k - 1]!, 0, node);
    nodes.push(node);
  }
  return nodes;
}

/** Steps with `budget` until the cycle ends, verifying between slices; returns the slice count. */
function runCycle(heap: Heap, budget: number, between: () => void = () => {}): number {
  let slices = 0;
  for (;;) {
    slices++;
    if (heap.step(budget)) return slices;
    heap.verify();
    between();
  }
}

describe('step()', () => {
  it.skipIf(MUTATION_RUN)(
    'moves through idle, mark and sweep, and returns true on the slice that ends the cycle',
    () => {
      const heap = new Heap();
      chain(heap, 1000);
      for (let k = 0; k < 500; k++) heap.alloc(2);
      expect(heap.phase).toBe('idle');
      const seen = new Set<string>();
      let slices = 0;
      while (!heap.step(50)) {
        seen.add(heap.phase);
        slices++;
        heap.verify();
      }
      expect(heap.phase).toBe('idle');
      expect([...seen].sort()).toEqual(['mark', 'sweep']);
      expect(slices).toBeGreaterThan(20);
      expect(heap.stats()).toMatchObject({ live: 1000, majorCollections: 1, phase: 'idle' });
      heap.verify();
    },
  );

  it('keeps what the program links in between slices, and objects allocated during the cycle', () => {
    const heap = new Heap();
    const nodes = chain(heap, 300);
    const loose = heap.alloc(1); // unreachable when the cycle begins
    const looseChild = heap.alloc(0);
    heap.set(loose, 0, looseChild);
    heap.step(20); // marking has begun
    const fresh: Ref[] = [];
    runCycle(heap, 20, () => {
      if (fresh.length === 0) heap.set(nodes[150]!, 0, loose); // the barrier shades loose
      fresh.push(heap.alloc(0)); // allocated black: survives this cycle
    });
    expect(heap.isAlive(loose)).toBe(true);
    expect(heap.isAlive(looseChild)).toBe(true);
    expect(heap.get(loose, 0)).toBe(looseChild);
    for (const ref of fresh) expect(heap.isAlive(ref)).toBe(true);
    // nodes 151.. were cut off by that set: the next cycle frees them and the fresh objects.
    runCycle(heap, 1000);
    expect(heap.isAlive(nodes[151]!)).toBe(false);
    expect(fresh.some((ref) => heap.isAlive(ref))).toBe(false);
    expect(heap.stats().live).toBe(151 + 2);
    heap.verify();
  });

  it('shades a white object stored into a black one (the insertion barrier)', () => {
    // Without generations: a generational cycle first promotes the nursery, marking nothing yet.
    const heap = new Heap({ generational: false });
    const root = heap.alloc(2);
    heap.pin(root);
    let last = root;
    for (let k = 0; k < 200; k++) {
      const node = heap.alloc(1);
      heap.set(last, 0, node);
      last = node;
    }
    const loose = heap.alloc(0); // unreachable when the cycle begins
    heap.step(10); // the root is scanned (black); most of the chain is still white
    expect(stateOf(heap).phase).toBe(MARK);
    heap.set(root, 1, loose); // the only reference to loose is from a black object
    runCycle(heap, 10);
    expect(heap.isAlive(loose)).toBe(true);
    expect(heap.get(root, 1)).toBe(loose);
    heap.verify();
  });

  it('keeps nothing alive through a store into garbage (no floating garbage)', () => {
    const heap = new Heap();
    heap.pin(heap.alloc(1));
    const g1 = heap.alloc(1);
    const g2 = heap.alloc(0);
    heap.step(1);
    heap.set(g1, 0, g2);
    while (!heap.step(100));
    expect(heap.isAlive(g1)).toBe(false);
    expect(heap.isAlive(g2)).toBe(false);
    heap.verify();
  });

  it('re-scans the roots when marking ends: an object pinned mid-cycle survives it', () => {
    const heap = new Heap({ generational: false }); // so that step(10) is past promotion, marking
    chain(heap, 300);
    const loose = heap.alloc(0); // unreachable when the cycle begins, white
    heap.step(10);
    expect(stateOf(heap).phase).toBe(MARK);
    const ticket = heap.pin(loose);
    runCycle(heap, 10);
    expect(heap.isAlive(loose)).toBe(true);
    heap.unpin(ticket);
    runCycle(heap, 1000);
    expect(heap.isAlive(loose)).toBe(false);
  });

  it('re-scans open scopes when marking ends', () => {
    const heap = new Heap({ generational: false }); // so that step(10) is past promotion, marking
    chain(heap, 300);
    heap.step(10);
    expect(stateOf(heap).phase).toBe(MARK);
    const kept = heap.scope(() => {
      const inScope = heap.alloc(1);
      const old = heap.alloc(0); // allocated during the cycle: black anyway
      heap.set(inScope, 0, old);
      runCycle(heap, 10);
      return [inScope, old];
    });
    expect(kept.every((ref) => heap.isAlive(ref))).toBe(true);
    heap.verify();
  });

  it('frees everything unreachable when the cycle began, even objects the program drops mid-cycle', () => {
    const heap = new Heap();
    const nodes = chain(heap, 100);
    const garbage = Array.from({ length: 50 }, () => heap.alloc(0));
    heap.step(10);
    heap.set(nodes[98]!, 0, NULL); // drops nodes[99] during marking; it may float to the next cycle
    runCycle(heap, 10);
    for (const ref of garbage) expect(heap.isAlive(ref)).toBe(false);
    runCycle(heap, 10);
    expect(heap.isAlive(nodes[99]!)).toBe(false);
  });

  it('makes objects found dead unreadable at once, before the sweep reaches them', () => {
    const heap = new Heap();
    // Below the chain, so the sweep (walking indices downward, gc/sweep.ts) reaches it last.
    const garbage = heap.alloc(0);
    chain(heap, 10);
    while (heap.phase !== 'sweep') heap.step(1);
    expect(heap.isAlive(garbage)).toBe(false);
    expect(() => heap.get(garbage, 0)).toThrow(StaleRefError);
    expect(() => heap.pin(garbage)).toThrow(StaleRefError);
    expect(heap.stats().live).toBe(10);
    heap.verify();
  });

  it('rejects bad budgets, naming them, and does nothing', () => {
    const heap = new Heap();
    for (const bad of [0, -1, 1.5, NaN]) expect(() => heap.step(bad)).toThrow(RangeError);
    // @ts-expect-error: a string budget
    expect(() => heap.step('10')).toThrow(/step budget must be an integer, got '10'/);
    expect(heap.phase).toBe('idle');
  });
});

describe('collect() and minor() during a cycle', () => {
  it('collect() finishes the cycle, then collects exactly', () => {
    const heap = new Heap();
    const nodes = chain(heap, 200);
    heap.step(30);
    expect(heap.phase).toBe('mark');
    heap.set(nodes[99]!, 0, NULL);
    const info = heap.collect();
    expect(info).toMatchObject({ kind: 'major', freed: 100, live: 100 });
    expect(heap.phase).toBe('idle');
    expect(heap.stats().majorCollections).toBe(2);
    heap.verify();
  });

  it('minor() is deferred while a cycle runs, and works again after', () => {
    const heap = new Heap();
    chain(heap, 200);
    heap.step(250); // past PROMOTE (the nursery is emptied first), into marking
    expect(heap.phase).toBe('mark');
    const young = heap.alloc(0);
    expect(heap.minor()).toMatchObject({ kind: 'minor', freed: 0 });
    expect(heap.stats().minorCollections).toBe(0);
    heap.verify();
    runCycle(heap, 30);
    expect(heap.isAlive(young)).toBe(true); // allocated during the cycle: it survived it
    expect(heap.minor().freed).toBe(1);
  });
});

describe('tick()', () => {
  it('runs a minor once the nursery holds nurserySize young objects', () => {
    const heap = new Heap({ nurserySize: 100, minHeapObjects: 1_000_000 });
    for (let k = 0; k < 99; k++) heap.alloc(0);
    expect(heap.stats().planned).toBe('nothing');
    heap.tick();
    expect(heap.stats().minorCollections).toBe(0);
    heap.alloc(0);
    expect(heap.stats().planned).toBe('minor');
    heap.tick();
    expect(heap.stats()).toMatchObject({ minorCollections: 1, live: 0 });
  });

  it.skipIf(MUTATION_RUN)(
    'starts a major cycle when the old generation passed its growth target, and finishes it over ticks',
    () => {
      const heap = new Heap({ generational: false, minHeapObjects: 10_000, growthPercent: 50 });
      const nodes = chain(heap, 9_000);
      heap.tick(0); // not due yet (9,000 < 10,000); the allocations so far are paid for
      expect(heap.stats().majorCollections).toBe(0);
      let last = nodes[nodes.length - 1]!;
      for (let k = 0; k < 1_000; k++) {
        const node = heap.alloc(1);
        heap.set(last, 0, node);
        last = node;
      }
      expect(heap.stats().planned).toBe('major');
      let ticks = 0;
      while (heap.stats().majorCollections === 0) {
        heap.tick(0); // a zero budget: one chunk per tick, plus the assist for 1,000 allocations
        ticks++;
        heap.verify();
      }
      expect(ticks).toBeGreaterThan(5);
      expect(heap.stats().nextMajorAt).toBe(15_000);
      expect(heap.stats().planned).toBe('nothing');
    },
  );

  it.skipIf(MUTATION_RUN)(
    'never stretches its budget: when allocation outpaces it, the heap grows and the debt shows',
    () => {
      // Without generations every collection is a major cycle. 500 allocations a frame on a budget
      // of zero milliseconds: each tick does only its one minimal chunk, so the debt grows.
      const run = (budget: number | { units: number }) => {
        const heap = new Heap({ generational: false, minHeapObjects: 2000 });
        const world = chain(heap, 2000);
        let maxLive = 0;
        let maxDebt = 0;
        let maxUnits = 0;
        for (let frame = 0; frame < 300; frame++) {
          for (let k = 0; k < 500; k++) heap.set(heap.alloc(1), 0, world[k]!); // garbage by next frame
          const report = heap.tick(budget);
          maxLive = Math.max(maxLive, heap.stats().live);
          maxDebt = Math.max(maxDebt, report.debt);
          maxUnits = Math.max(maxUnits, report.units);
          expect(report.debt).toBe(heap.stats().debt);
        }
        heap.verify();
        return { maxLive, maxDebt, maxUnits, majors: heap.stats().majorCollections };
      };
      const starved = run(0);
      expect(starved.maxUnits).toBeLessThan(1024); // one chunk a tick, and an object's overrun
      expect(starved.maxDebt).toBeGreaterThan(100_000);
      expect(starved.maxLive).toBeGreaterThan(50_000);
      const paid = run({ units: 20_000 });
      expect(paid.maxUnits).toBeLessThan(20_000 + 1024);
      expect(paid.majors).toBeGreaterThan(5);
      expect(paid.maxLive).toBeLessThan(20_000);
      expect(paid.maxDebt).toBeLessThan(starved.maxDebt / 10);
    },
  );

  it('rejects bad budgets, and is forbidden inside noGc like step', () => {
    const heap = new Heap();
    for (const bad of [-1, NaN, Infinity]) expect(() => heap.tick(bad)).toThrow(RangeError);
    // @ts-expect-error: a string budget
    expect(() => heap.tick('1')).toThrow(/got '1'/);
    expect(() => heap.noGc(() => heap.tick())).toThrow(GcForbiddenError);
    expect(() => heap.noGc(() => heap.step())).toThrow(GcForbiddenError);
    expect(heap.phase).toBe('idle');
  });

  it('records pauses in stats()', () => {
    const heap = new Heap();
    chain(heap, 5000);
    heap.collect();
    const stats = heap.stats();
    expect(stats.lastPauseMs).toBeGreaterThan(0);
    expect(stats.maxPauseMs).toBeGreaterThanOrEqual(stats.lastPauseMs);
    expect(stats.totalPauseMs).toBeGreaterThanOrEqual(stats.maxPauseMs);
  });
});

describe('tick() reports and budgets', () => {
  it('fills a report object it is given instead of making one, and refuses anything but an object', () => {
    const heap = new Heap({ nurserySize: 100 });
    heap.pin(heap.alloc(0));
    const into = heap.tick({ units: 2000 });
    const seen: unknown[] = [];
    heap.observe((report) => seen.push(report));
    for (let k = 0; k < 150; k++) heap.alloc(0);
    const filled = heap.tick({ units: 2000 }, into);
    expect(filled).toBe(into);
    expect(seen).toEqual([into]);
    expect(seen[0]).toBe(into);
    expect(filled).toMatchObject({ call: 'tick', work: 'minor', minorFreed: 150, young: 1, budgetUnits: 2000 }); // the pinned one
    // The same fields, with the same values, as a report made anew (ms aside).
    for (let k = 0; k < 150; k++) heap.alloc(0);
    const twin = new Heap({ nurserySize: 100 }); // the same calls, reports made anew
    twin.pin(twin.alloc(0));
    twin.tick({ units: 2000 });
    for (let k = 0; k < 150; k++) twin.alloc(0);
    twin.tick({ units: 2000 });
    for (let k = 0; k < 150; k++) twin.alloc(0);
    const fresh = twin.tick({ units: 2000 });
    const again = heap.tick({ units: 2000 }, into);
    expect(Object.keys(again).sort()).toEqual(Object.keys(fresh).sort());
    expect({ ...again, ms: 0 }).toEqual({ ...fresh, ms: 0 });
    const before = heap.stats();
    for (const bad of [null, 5, 'report', [], true]) {
      expect(() => heap.tick(1, bad as never)).toThrow(TypeError);
      expect(() => heap.tick(1, bad as never)).toThrow(/report to fill must be an object, got/);
    }
    expect({ ...heap.stats(), lastPauseMs: 0, maxPauseMs: 0, totalPauseMs: 0 }).toEqual({
      ...before,
      lastPauseMs: 0,
      maxPauseMs: 0,
      totalPauseMs: 0,
    });
  });

  it('returns what it did, and tells observers of every collector call', () => {
    const heap = new Heap({ nurserySize: 100, minHeapObjects: 1_000_000 });
    const seen: string[] = [];
    const stop = heap.observe((report) => seen.push(`${report.call}:${report.work}`));
    expect(heap.tick()).toMatchObject({ call: 'tick', work: 'nothing', units: 0, budgetMs: 1, budgetUnits: null });
    for (let k = 0; k < 150; k++) heap.alloc(0);
    const report = heap.tick({ units: 100_000 });
    expect(report).toMatchObject({
      call: 'tick',
      work: 'minor',
      minorFreed: 150,
      budgetMs: null,
      budgetUnits: 100_000,
      young: 0,
      old: 0,
      debt: 0,
      phase: 'idle',
    });
    expect(report.units).toBeGreaterThan(0);
    heap.pin(heap.alloc(0)); // so the cycle step(1) starts is not over at once
    heap.step(1);
    expect(heap.phase).not.toBe('idle');
    heap.minor(); // deferred: a cycle is running
    heap.collect();
    stop();
    heap.tick();
    expect(seen).toEqual(['tick:nothing', 'tick:minor', 'step:major', 'minor:nothing', 'collect:full']);
    expect(() => heap.observe(5 as never)).toThrow(/observe needs a function, got 5/);
  });

  it.skipIf(MUTATION_RUN)(
    'makes an oversized nursery old in slices instead of running a minor past the budget: alone, or in the major cycle that is due',
    () => {
      const run = (options: ConstructorParameters<typeof Heap>[0]) => {
        const heap = new Heap({ nurserySize: 1000, ...options });
        const root = heap.alloc(2);
        heap.pin(root);
        heap.tenure(); // one old object; the next major is planned at growthPercent more
        // A minor measures survival (a heap that has measured none folds an oversized nursery
        // into a major cycle, which measures it): 0% of one garbage object moves it to 75%.
        heap.alloc(0);
        expect(heap.minor().freed).toBe(1);
        if (options?.growthPercent === 1) {
          // A second old object (promoted by two minors) makes the cycle planned at 2 due.
          heap.set(root, 1, heap.alloc(0));
          heap.minor();
          heap.minor();
          expect(heap.stats().planned).toBe('major');
        }
        let parent = root;
        for (let k = 0; k < 50_000; k++) {
          const node = heap.alloc(2);
          heap.set(parent, k % 2, node);
          if (k % 2 === 1) parent = node;
        }
        const first = heap.tick({ units: 5000 }); // a minor of 50,000 young objects would not fit
        expect(first.work).toBe(options?.growthPercent === 1 ? 'major' : 'tenure');
        expect(first.units).toBeLessThan(5000 + 1024);
        let ticks = 1;
        while (heap.phase !== 'idle') {
          const report = heap.tick({ units: 5000 });
          expect(report.units).toBeLessThan(5000 + 1024);
          ticks++;
          heap.verify();
        }
        expect(heap.stats()).toMatchObject({ live: 50_001, young: 0 });
        return { heap, ticks };
      };
      // No major cycle due (the default floor of 8,192 old objects is not reached): made old alone,
      // one unit an object (TENURE), without marking or sweeping; then the cycle is due.
      const alone = run({});
      expect(alone.ticks).toBe(10); // 50,000 young objects, 5,000 units a tick
      expect(alone.heap.stats()).toMatchObject({ majorCollections: 0, planned: 'major' });
      // A major cycle due: the nursery goes to it (its PROMOTE phase), which then marks and sweeps.
      const folded = run({ minHeapObjects: 1, growthPercent: 1 });
      expect(folded.ticks).toBeGreaterThan(20);
      expect(folded.heap.stats().majorCollections).toBe(1);
    },
  );

  it('runs a fitting minor before a due major cycle, so only the nursery survivors are promoted', () => {
    // promoteAfter 1: one minor makes the survivors old, so the old generation reaches the
    // trigger (minHeapObjects 10) while the nursery holds far fewer than nurserySize objects.
    const build = () => {
      const heap = new Heap({ nurserySize: 100, minHeapObjects: 10, promoteAfter: 1 });
      const root = heap.alloc(10);
      heap.pin(root);
      for (let k = 0; k < 10; k++) heap.set(root, k, heap.alloc(0));
      heap.minor();
      expect(heap.stats()).toMatchObject({ old: 11, young: 0, planned: 'major' });
      return heap;
    };
    const heap = build();
    for (let k = 0; k < 5; k++) heap.alloc(0); // young garbage
    const kept = heap.alloc(0);
    heap.pin(kept); // a young survivor
    expect(heap.stats()).toMatchObject({ young: 6, planned: 'major' });
    const report = heap.tick({ units: 100_000 });
    expect(report).toMatchObject({ work: 'minor+major', minorFreed: 5, cycleEnded: true, young: 0, old: 12 });
    expect(heap.stats()).toMatchObject({ minorCollections: 2, majorCollections: 1, live: 12 });
    heap.verify();
    // With an empty nursery there is nothing for a minor to do: the tick starts the cycle at once.
    const idle = build();
    expect(idle.tick({ units: 100_000 })).toMatchObject({ work: 'major', minorFreed: 0, cycleEnded: true });
    expect(idle.stats()).toMatchObject({ minorCollections: 1, majorCollections: 1 });
    // Without generations there is no nursery: a due cycle starts at once too.
    const flat = new Heap({ generational: false, minHeapObjects: 10 });
    for (let k = 0; k < 12; k++) flat.alloc(0);
    expect(flat.tick({ units: 100_000 })).toMatchObject({ work: 'major', majorFreed: 12, cycleEnded: true });
  });

  it('makes the same collections at the same ticks in units mode, whatever the clock says', () => {
    const run = () => {
      const heap = new Heap({ nurserySize: 500, minHeapObjects: 2000 });
      const world = heap.alloc(8);
      heap.pin(world);
      const log: string[] = [];
      let seed = 1;
      for (let frame = 0; frame < 200; frame++) {
        for (let k = 0; k < 300; k++) {
          seed = (seed * 1103515245 + 12345) & 0x7fffffff;
          const o = heap.alloc(1);
          if (seed % 10 === 0) heap.set(world, seed % 8, o);
        }
        const r = heap.tick({ units: 3000 });
        log.push(`${r.work}/${r.units}/${r.minorFreed}/${r.majorFreed}/${r.young}/${r.old}`);
      }
      return log.join(' ');
    };
    expect(run()).toBe(run());
  });
});

describe('alloc while a sweep is pending', () => {
  it('finishes the sweep to make room rather than report a full heap', () => {
    const heap = new Heap({ maxObjects: 10, initialCapacity: 10 });
    const keep = heap.alloc(0);
    heap.pin(keep);
    for (let k = 0; k < 9; k++) heap.alloc(0);
    while (heap.phase !== 'sweep') heap.step(1);
    expect(heap.stats().live).toBe(1);
    const refs = Array.from({ length: 9 }, () => heap.alloc(0));
    expect(heap.phase).toBe('idle');
    expect(refs.every((ref) => heap.isAlive(ref))).toBe(true);
    heap.verify();
  });
});

describe('Heap.warmUp()', () => {
  it('runs the collector paths on scratch heaps and leaves nothing behind', () => {
    const heap = new Heap();
    const ms = Heap.warmUp(1);
    expect(ms).toBeGreaterThan(0);
    expect(heap.stats()).toMatchObject({ live: 0, majorCollections: 0, minorCollections: 0 });
    expect(() => Heap.warmUp(0)).toThrow(RangeError);
  });
});
