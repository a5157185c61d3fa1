import { describe, expect, it } from 'vitest';
import { GcForbiddenError, Heap, type Index, NULL } from '../mod.ts';
import { stateOf } from '../src/heap.ts';
import { PROBE_EVERY } from '../src/gc/pacer.ts';
import { queuedIndices } from './queues.ts';

describe('minor collections', () => {
  it('free unreachable young objects and never an old one', () => {
    const heap = new Heap();
    const oldGarbage = heap.alloc(1);
    heap.collect(); // nothing is rooted: oldGarbage is freed
    expect(heap.isAlive(oldGarbage)).toBe(false);
    const world = heap.alloc(2);
    const ticket = heap.pin(world);
    heap.collect(); // world survives a full collection and is old
    expect(heap.stats()).toMatchObject({ young: 0, old: 1 });
    heap.unpin(ticket); // world is unreachable now, but old: a minor must not free it
    const young = heap.alloc(0);
    expect(heap.stats()).toMatchObject({ young: 1, old: 1 });
    const info = heap.minor();
    expect(info).toMatchObject({ kind: 'minor', freed: 1, live: 1 });
    expect(heap.isAlive(world)).toBe(true);
    expect(heap.isAlive(young)).toBe(false);
    heap.verify();
    expect(heap.collect().freed).toBe(1);
  });

  it('free a nursery of plain objects and objects with components in its order, newest first', () => {
    const heap = new Heap();
    const Tag = heap.defineComponent({ v: 'u8' }, { name: 'Tag' });
    const tagged = heap.query(Tag);
    heap.pin(heap.alloc(1));
    heap.collect(); // an old root; nothing freed, so the free queue is empty
    const wave = [...heap.allocMany(6, 2)];
    const indices = wave.map((ref) => heap.index(ref));
    // Two in the middle take the general path (their components go too), the rest the plain one.
    heap.add(wave[1]!, Tag);
    heap.add(wave[4]!, Tag);
    heap.set(wave[2]!, 0, wave[3]!);
    expect(heap.minor().freed).toBe(6);
    heap.verify();
    expect(heap.stats()).toMatchObject({ live: 1, young: 0, slotsUsed: 1 });
    expect([...tagged]).toEqual([]);
    for (const ref of wave) expect(heap.isAlive(ref)).toBe(false);
    // Queued in the order the minor freed them: the nursery's, newest first, after the indices of
    // their page never used yet (core/free-list.ts).
    expect(queuedIndices(heap, 2).slice(-6)).toEqual([...indices].reverse());
    heap.verify();
  });

  it('retire an index a minor frees at its last generation', () => {
    const heap = new Heap({ generationBits: 1 }); // generations 0 and 1: an index's second free retires it
    heap.pin(heap.alloc(0));
    const first = heap.alloc(0);
    const index = heap.index(first);
    // The rest of the first page kept: `first`'s index is its one free index after the minor.
    for (let k = 3; k < 256; k++) heap.pin(heap.alloc(0));
    expect(heap.minor().freed).toBe(1);
    const second = heap.alloc(0);
    expect(heap.index(second)).toBe(index); // generation 1: the index's last
    expect(heap.minor().freed).toBe(1);
    expect(heap.stats().retired).toBe(1);
    heap.verify();
    const third = heap.alloc(0);
    expect(heap.index(third)).not.toBe(index);
    for (const ref of [first, second]) expect(heap.isAlive(ref)).toBe(false);
    expect(heap.isAlive(third)).toBe(true);
    heap.verify();
  });

  it('retire an index a minor frees at its last generation, its block below the top', () => {
    const heap = new Heap({ generationBits: 1 });
    heap.pin(heap.alloc(0));
    const first = heap.alloc(2);
    const index = heap.index(first);
    // The rest of the 2-slot objects' page kept: `first`'s index is its one free index after the minor.
    for (let k = 257; k < 512; k++) heap.pin(heap.alloc(2));
    heap.pin(heap.alloc(1)); // a live block above: the pair lies below the top
    expect(heap.minor().freed).toBe(1);
    const second = heap.alloc(2); // the same index at its last generation, the same pair
    expect(heap.index(second)).toBe(index);
    expect(heap.minor().freed).toBe(1);
    expect(heap.stats().retired).toBe(1);
    heap.verify();
    expect(heap.index(heap.alloc(2))).not.toBe(index);
    for (const ref of [first, second]) expect(heap.isAlive(ref)).toBe(false);
    heap.verify();
  });

  it('keep young objects that old objects reach through a set', () => {
    const heap = new Heap({ cardSize: 4 });
    const world = heap.alloc(2);
    heap.pin(world);
    heap.collect();
    const bullet = heap.alloc(1);
    const target = heap.alloc(0);
    heap.set(bullet, 0, target); // young to young: no card
    expect(heap.stats().dirtyCards).toBe(0);
    heap.set(world, 1, bullet); // old to young: the barrier dirties world's card
    expect(heap.stats().dirtyCards).toBe(1);
    heap.verify();
    expect(heap.minor().freed).toBe(0);
    expect(heap.get(world, 1)).toBe(bullet);
    expect(heap.get(bullet, 0)).toBe(target);
    heap.verify();
  });

  it('free young objects whose old referrer dropped them before the minor, and clean the card', () => {
    const heap = new Heap();
    const world = heap.alloc(1);
    heap.pin(world);
    heap.collect();
    const bullet = heap.alloc(0);
    heap.set(world, 0, bullet);
    heap.set(world, 0, NULL);
    expect(heap.stats().dirtyCards).toBe(1); // dirty, though it no longer needs to be
    expect(heap.minor().freed).toBe(1);
    expect(heap.isAlive(bullet)).toBe(false);
    expect(heap.stats().dirtyCards).toBe(0);
    heap.verify();
  });

  it('follow old-to-young edges across a resize that moves the block, and drop them on shrink', () => {
    const heap = new Heap();
    const world = heap.alloc(2);
    heap.pin(world);
    heap.collect();
    const bullet = heap.alloc(0);
    heap.set(world, 1, bullet);
    heap.resize(world, 9); // a new, larger block; the edge moves with it
    heap.verify();
    expect(heap.minor().freed).toBe(0);
    expect(heap.get(world, 1)).toBe(bullet);
    heap.resize(world, 1); // the slot holding the young object is gone
    heap.verify();
    heap.minor(); // bullet has survived once already; with promoteAfter 2 it is still young
    expect(heap.isAlive(bullet)).toBe(false);
  });

  it('promote after promoteAfter minors, dirtying the card of a promoted object that refers to a young one', () => {
    const heap = new Heap({ promoteAfter: 2, cardSize: 1 });
    const parent = heap.alloc(1);
    heap.pin(parent);
    heap.minor(); // parent: age 1
    expect(heap.stats().young).toBe(1);
    const child = heap.alloc(0);
    heap.set(parent, 0, child); // young to young
    expect(heap.stats().dirtyCards).toBe(0);
    heap.minor(); // parent promoted (age 2), child still young (age 1)
    expect(heap.stats()).toMatchObject({ young: 1, old: 1, dirtyCards: 1 });
    heap.verify(); // invariant 5 holds only because the promotion dirtied parent's card
    heap.minor(); // child promoted; no young object is left, so no card stays dirty
    expect(heap.stats()).toMatchObject({ young: 0, old: 2, dirtyCards: 0 });
    expect(heap.get(parent, 0)).toBe(child);
    heap.verify();
  });

  it('root young objects held by pins and open scopes', () => {
    const heap = new Heap();
    const pinned = heap.alloc(0);
    const ticket = heap.pin(pinned);
    heap.scope(() => {
      const scoped = heap.alloc(0);
      const garbage = heap.alloc(0);
      expect(heap.minor().freed).toBe(0); // garbage was allocated inside the scope: rooted too
      expect(heap.isAlive(scoped) && heap.isAlive(garbage)).toBe(true);
    });
    expect(heap.minor().freed).toBe(2);
    heap.unpin(ticket);
    expect(heap.isAlive(pinned)).toBe(true);
  });

  it('leave every survivor of a full collection old with clean cards', () => {
    const heap = new Heap();
    const world = heap.alloc(1);
    heap.pin(world);
    heap.collect();
    heap.set(world, 0, heap.alloc(0));
    heap.alloc(0);
    expect(heap.stats()).toMatchObject({ young: 2, dirtyCards: 1 });
    expect(heap.collect().freed).toBe(1);
    expect(heap.stats()).toMatchObject({ young: 0, old: 2, dirtyCards: 0 });
    heap.verify();
  });

  it('do nothing without generations', () => {
    const heap = new Heap({ generational: false });
    const a = heap.alloc(1);
    heap.set(a, 0, heap.alloc(0));
    expect(heap.stats()).toMatchObject({ young: 0, old: 2, dirtyCards: 0 });
    expect(heap.minor()).toMatchObject({ kind: 'minor', freed: 0, live: 2 });
    expect(heap.collect().freed).toBe(2);
    expect(heap.stats().minorCollections).toBe(1);
  });

  it('are forbidden inside noGc and work again after', () => {
    const heap = new Heap();
    heap.alloc(0);
    expect(() => heap.noGc(() => heap.minor())).toThrow(GcForbiddenError);
    expect(heap.stats().minorCollections).toBe(0);
    expect(heap.minor().freed).toBe(1);
  });
});

describe('tenure()', () => {
  it('makes every young object old at once, so no minor traces a level just built', () => {
    const heap = new Heap({ nurserySize: 100 });
    const level = heap.alloc(4);
    heap.pin(level);
    let parent = level;
    for (let k = 0; k < 1000; k++) {
      const node = heap.alloc(2);
      heap.set(parent, k % 2 === 0 ? 0 : 1, node);
      if (k % 2 === 1) parent = node;
    }
    const loose = heap.alloc(0); // garbage: tenure keeps it (old) until the next major
    expect(heap.stats().young).toBe(1002);
    heap.tenure();
    expect(heap.stats()).toMatchObject({ young: 0, old: 1002, dirtyCards: 0 });
    expect(heap.stats().nextMajorAt).toBeGreaterThanOrEqual(2004);
    heap.verify();
    const report = heap.tick({ units: 1_000_000 });
    expect(report.work).toBe('nothing');
    expect(heap.isAlive(loose)).toBe(true);
    // A young object referred to from a tenured one is remembered by the barrier.
    const young = heap.alloc(0);
    heap.set(level, 2, young);
    heap.minor();
    expect(heap.isAlive(young)).toBe(true);
    heap.collect();
    expect(heap.isAlive(loose)).toBe(false);
    heap.verify();
  });

  it('works during a cycle, and is forbidden inside noGc', () => {
    const heap = new Heap();
    const root = heap.alloc(1);
    heap.pin(root);
    heap.collect();
    for (let k = 0; k < 100; k++) heap.alloc(0);
    heap.step(3); // promoting
    const during = heap.alloc(0);
    heap.set(root, 0, during);
    heap.tenure();
    expect(heap.stats().young).toBe(0);
    heap.verify();
    while (!heap.step(10)) heap.verify();
    expect(heap.isAlive(during)).toBe(true);
    expect(heap.stats().live).toBe(2);
    expect(() => heap.noGc(() => heap.tenure())).toThrow(GcForbiddenError);
  });
});

describe('the remembered set', () => {
  it('remembers single objects by default: a minor scans only the old objects that refer to young ones', () => {
    const heap = new Heap();
    const old = Array.from({ length: 64 }, () => heap.alloc(1));
    for (const ref of old) heap.pin(ref);
    heap.collect();
    const young = heap.alloc(0);
    heap.set(old[10]!, 0, young);
    heap.set(old[11]!, 0, young);
    heap.set(old[11]!, 0, young); // once each
    expect(heap.stats().dirtyCards).toBe(2);
    heap.minor();
    expect(heap.isAlive(young)).toBe(true);
    expect(heap.stats().dirtyCards).toBe(2); // young is still young after one minor (promoteAfter 2)
    heap.minor();
    expect(heap.stats()).toMatchObject({ young: 0, dirtyCards: 0 });
    heap.verify();
  });

  it('remembers an object being promoted by a cycle when it comes to refer to an object allocated since', () => {
    const heap = new Heap();
    const root = heap.alloc(1);
    heap.pin(root);
    const holder = heap.alloc(1); // young when the cycle begins: promoted by it
    heap.set(root, 0, holder);
    for (let k = 0; k < 50; k++) heap.alloc(0);
    heap.step(1); // the cycle promotes in slices; holder is not promoted yet
    const fresh = heap.alloc(0); // young, allocated during the cycle
    heap.set(holder, 0, fresh);
    heap.verify();
    while (!heap.step(5)) heap.verify();
    expect(heap.stats().young).toBe(1); // fresh
    heap.minor();
    expect(heap.isAlive(fresh)).toBe(true);
    heap.verify();
  });
});

describe('generational options', () => {
  it('are validated, naming the bad value', () => {
    expect(() => new Heap({ promoteAfter: 0 })).toThrow(/promoteAfter.*got 0/);
    expect(() => new Heap({ promoteAfter: 4 })).toThrow(RangeError);
    expect(() => new Heap({ cardSize: 3 })).toThrow(/cardSize must be a power of two, got 3/);
    expect(() => new Heap({ cardSize: 8192 })).toThrow(RangeError);
    // @ts-expect-error: a string where a boolean belongs
    expect(() => new Heap({ generational: 'yes' })).toThrow(/generational must be true or false, got 'yes'/);
  });
});

describe('early promotion of a full nursery that nearly all survives', () => {
  const NURSERY = 64;

  /** A pinned old holder of `n` slots, and a helper that fills them with new young objects (all reachable). */
  function setUp(options: { promoteAfter?: number } = {}) {
    const heap = new Heap({ nurserySize: NURSERY, ...options });
    const holder = heap.alloc(4 * NURSERY);
    heap.pin(holder);
    heap.collect(); // the holder is old
    let next = 0;
    const spawn = (count: number, keep: number): void => {
      for (let k = 0; k < count; k++) {
        const o = heap.alloc(1);
        if (k < keep) heap.set(holder, next++ % (4 * NURSERY), o);
      }
    };
    return { heap, spawn };
  }

  it('promotes survivors at their first minor once minors measured nearly all surviving, aged objects too', () => {
    const { heap, spawn } = setUp();
    spawn(NURSERY, NURSERY);
    heap.minor(); // survival measured (all): survivors age, as promoteAfter says
    expect(heap.stats().young).toBe(NURSERY);
    spawn(NURSERY, NURSERY);
    heap.minor(); // the aged ones survive again (measured) and go old at age 2; the new ones age
    expect(heap.stats()).toMatchObject({ young: NURSERY, old: NURSERY + 1 });
    expect(stateOf(heap).pacer.lastPromotionAge).toBe(2);
    spawn(NURSERY, NURSERY);
    heap.minor(); // both measured at 100%, a full nursery: everything goes old at once
    expect(heap.stats()).toMatchObject({ young: 0, old: 3 * NURSERY + 1 });
    expect(stateOf(heap).pacer.lastPromotionAge).toBe(1);
    heap.verify();
    // Exactly `nurserySize` young objects is a full nursery, as for `tick`'s minor.
    spawn(NURSERY, NURSERY);
    heap.minor();
    expect(heap.stats().young).toBe(0);
    heap.verify();
  });

  it('keeps objects that live one minor interval young, so they die young, through minor() and tick', () => {
    // Each round's objects replace the last round's in the holder: they survive the minor after
    // their round and die before the next. Every minor sees its new objects all survive and its
    // aged ones die: early promotion would fill the old generation with garbage. (Where survival
    // was measured high before the rounds began, as after collecting a level built young, session
    // 13's rule promoted every round at its first minor: the generational suite's fixture.)
    const heap = new Heap({ nurserySize: NURSERY });
    const holder = heap.alloc(NURSERY);
    heap.pin(holder);
    heap.collect();
    const old = heap.stats().old;
    for (let round = 0; round < 40; round++) {
      for (let k = 0; k < NURSERY; k++) heap.set(holder, k, heap.alloc(0));
      const info = heap.minor();
      expect(info.freed).toBe(round === 0 ? 0 : NURSERY);
      expect(heap.stats()).toMatchObject({ young: NURSERY, old });
      heap.verify();
    }
    // (Plain reads: Bun's toMatchObject with an asymmetric matcher writes the matcher into the object it checks.)
    expect(stateOf(heap).pacer.youngSurvival).toBeCloseTo(0.5, 2);
    expect(stateOf(heap).pacer.agedSurvival).toBe(0);
    // The same through tick: the nursery is collected by minors, never made old without one.
    for (let frame = 0; frame < 40; frame++) {
      for (let k = 0; k < NURSERY; k++) heap.set(holder, k, heap.alloc(0));
      expect(heap.tick({ units: 1e6 }).work).toBe('minor');
    }
    expect(heap.stats().old).toBe(old);
  });

  it('counts only nurseries promoted early toward the probe: one made old because its minor did not fit is not', () => {
    // Objects that live one minor interval: survival settles at a half, aged survival at 0.
    const heap = new Heap({ nurserySize: NURSERY });
    const holder = heap.alloc(NURSERY);
    heap.pin(holder);
    heap.collect();
    for (let round = 0; round < 12; round++) {
      for (let k = 0; k < NURSERY; k++) heap.set(holder, k, heap.alloc(0));
      heap.minor();
    }
    for (let frame = 0; frame < PROBE_EVERY + 2; frame++) {
      for (let k = 0; k < NURSERY; k++) heap.set(holder, k, heap.alloc(0));
      // A budget of one unit: the minor does not fit, and half survives, so no catch-up either.
      expect(heap.tick({ units: 1 }).work).toBe('tenure');
      expect(stateOf(heap).pacer.earlyRun).toBe(0);
      heap.verify();
    }
  });

  it('in tick, makes a qualifying nursery old without a minor, and probes one in PROBE_EVERY with two minors', () => {
    const { heap, spawn } = setUp();
    for (let k = 0; k < 2; k++) {
      spawn(NURSERY, NURSERY);
      heap.minor(); // survival, then aged survival, measured at 100%
    }
    const works: string[] = [];
    const planned: string[] = [];
    const minorsBefore = heap.stats().minorCollections;
    for (let frame = 0; frame < 2 * (PROBE_EVERY + 2); frame++) {
      spawn(NURSERY, NURSERY);
      planned.push(heap.stats().planned);
      const report = heap.tick({ units: 1e6 });
      works.push(report.work);
      heap.verify();
    }
    // stats() said beforehand what each tick did.
    expect(planned).toEqual(works);
    // Early (TENURE: no marking) PROBE_EVERY times, then the probe (a minor that keeps its survivors
    // young, as promoteAfter says), then the minor that measures them, and again.
    const cycle = [...Array(PROBE_EVERY).fill('tenure'), 'minor', 'minor'];
    expect(works).toEqual([...cycle, ...cycle]);
    expect(heap.stats().minorCollections - minorsBefore).toBe(4);
    // The measuring minor promoted the probe's survivors (age 2) and kept its own new ones young;
    // every other object spawned is old (those the holder's slots no longer name too, until a major).
    expect(heap.stats()).toMatchObject({
      young: NURSERY,
      old: 1 + 2 * NURSERY + 2 * (PROBE_EVERY + 2) * NURSERY - NURSERY,
    });
  });

  it('stops promoting early at the next probe once the aged objects die, and keeps the old generation from growing', () => {
    const { heap, spawn } = setUp();
    for (let k = 0; k < 2; k++) {
      spawn(NURSERY, NURSERY);
      heap.minor();
    }
    spawn(NURSERY, NURSERY);
    expect(heap.tick({ units: 1e6 }).work).toBe('tenure');
    // The program changes: what it spawns now lives one minor interval.
    const holder = heap.alloc(NURSERY);
    heap.pin(holder);
    const works: string[] = [];
    const olds: number[] = [];
    for (let frame = 0; frame < 3 * (PROBE_EVERY + 2); frame++) {
      for (let k = 0; k < NURSERY; k++) heap.set(holder, k, heap.alloc(0));
      works.push(heap.tick({ units: 1e6 }).work);
      olds.push(heap.stats().old);
      heap.verify();
    }
    // Until the probe, nurseries still go old (the price of probing one in PROBE_EVERY); the minor
    // after the probe sees the probe's survivors die, and from then on minors collect them young.
    const lastEarly = works.lastIndexOf('tenure');
    expect(lastEarly).toBeLessThan(PROBE_EVERY);
    expect(works.slice(lastEarly + 1).every((w) => w === 'minor')).toBe(true);
    expect(olds.at(-1)).toBe(olds[lastEarly + 3]);
    expect(stateOf(heap).pacer.agedSurvival).toBeLessThan(0.9);
    expect(heap.collect().freed).toBeGreaterThanOrEqual((lastEarly + 1) * NURSERY); // the garbage early promotion made
  });

  it('asks the aged objects too: survival alone is not enough', () => {
    // Each round: 64 objects kept for good and 12 that live one round (the next round's replace
    // them). A minor sees 92% of its young objects survive, but of those kept young only 84%
    // survive the next one: early promotion would make the short-lived ones die old.
    const heap = new Heap({ nurserySize: NURSERY });
    const keep = heap.alloc(NURSERY * 20);
    const short = heap.alloc(12);
    heap.pin(keep);
    heap.pin(short);
    heap.collect();
    let kept = 0;
    let old = heap.stats().old;
    for (let round = 0; round < 16; round++) {
      for (let k = 0; k < NURSERY; k++) heap.set(keep, kept++, heap.alloc(0));
      for (let k = 0; k < 12; k++) heap.set(short, k, heap.alloc(0));
      const freed = heap.minor().freed;
      if (round >= 2) {
        // Last round's short-lived objects die young; its long-lived ones are promoted at age 2.
        expect([round, freed, heap.stats().old - old]).toEqual([round, 12, NURSERY]);
      }
      old = heap.stats().old;
      heap.verify();
    }
    const pacer = stateOf(heap).pacer;
    expect(pacer.youngSurvival).toBeGreaterThan(0.9);
    expect(pacer.agedSurvival).toBeLessThan(0.9);
  });

  it('measures aged survival over the aged objects only: young garbage of age 0 does not count', () => {
    const heap = new Heap({ nurserySize: NURSERY });
    const holder = heap.alloc(200);
    heap.pin(holder);
    heap.collect();
    for (let k = 0; k < 10; k++) heap.set(holder, k, heap.alloc(0));
    heap.minor(); // 10 objects kept young, at age 1
    expect(stateOf(heap).pacer.agedMeasured).toBe(false);
    for (let k = 0; k < 100; k++) {
      const o = heap.alloc(0);
      if (k < 95) heap.set(holder, 10 + k, o); // 5 die at age 0
    }
    heap.minor();
    // The 10 aged objects all survived: 1, whatever the 5 new ones did (10 / 15 if they counted).
    expect(stateOf(heap).pacer).toMatchObject({ agedMeasured: true, agedSurvival: 1 });
    // The next minor meets the 95 aged ones; 19 of them die: a sample of 76 / 95 = 0.8, a quarter
    // of the way from 1.
    for (let k = 0; k < 19; k++) heap.set(holder, 10 + k, NULL);
    heap.minor();
    expect(stateOf(heap).pacer.agedSurvival).toBeCloseTo(1 + 0.25 * (0.8 - 1), 12);
  });

  it('counts for the pacer exactly the aged objects a minor frees, of every kind and wherever their blocks lie', () => {
    // The nursery sweep frees plain objects in a loop of their own and hands the aged ones, weak
    // ones and those whose blocks lie below a survivor's back to it; objects with components take
    // `releaseObject`. Each way, an object counts as aged (for `agedSurvival`) only if it had
    // survived a minor before.
    const heap = new Heap();
    const Tag = heap.defineComponent({ v: 'u8' }, { name: 'Tag' });
    const holder = heap.alloc(64);
    heap.pin(holder);
    heap.collect();
    const make = (kind: number) => {
      if (kind === 3) {
        const o = heap.alloc(1);
        heap.add(o, Tag);
        return o;
      }
      return kind === 4 ? heap.alloc(1, 'weak') : heap.alloc([0, 2, 4][kind]!);
    };
    // Twenty of the five kinds, kept through one minor: aged.
    for (let k = 0; k < 20; k++) heap.set(holder, k, make(k % 5));
    heap.minor();
    expect(stateOf(heap).pacer.agedMeasured).toBe(false);
    // Twenty new ones kept, and ten of every kind dropped among them (their blocks below kept
    // ones), none of which may count: they had not survived a minor.
    for (let k = 0; k < 30; k++) {
      const o = make(k % 5);
      if (k % 3 !== 0) heap.set(holder, 20 + (k - Math.floor(k / 3) - 1), o);
    }
    // Seven of the aged dropped, of every kind.
    for (const k of [0, 1, 2, 3, 4, 6, 9]) heap.set(holder, k, NULL);
    expect(heap.minor().freed).toBe(10 + 7);
    expect(stateOf(heap).pacer.agedSurvival).toBe(13 / 20);
    heap.verify();
  });

  it('in tick, folds a qualifying nursery into a major cycle that is due', () => {
    const heap = new Heap({ nurserySize: NURSERY, minHeapObjects: NURSERY });
    const holder = heap.alloc(4 * NURSERY);
    heap.pin(holder);
    heap.collect();
    let next = 0;
    for (let k = 0; k < 2; k++) {
      for (let j = 0; j < NURSERY; j++) heap.set(holder, next++, heap.alloc(0));
      heap.minor(); // both survivals measured at 100%; the first nursery goes old: a major is due
    }
    expect(heap.stats().old).toBeGreaterThanOrEqual(stateOf(heap).pacer.nextMajorAt); // due
    for (let j = 0; j < NURSERY; j++) heap.set(holder, next++, heap.alloc(0));
    const minors = heap.stats().minorCollections;
    expect(heap.stats().planned).toBe('major');
    // No minor, no TENURE: the cycle that is due takes the nursery (its PROMOTE phase) and runs.
    expect(heap.tick({ units: 1e6 })).toMatchObject({ work: 'major', cycleEnded: true, minorFreed: 0, young: 0 });
    expect(heap.stats()).toMatchObject({ minorCollections: minors, majorCollections: 2, old: 1 + 3 * NURSERY });
    heap.verify();
  });

  it('are saved by snapshots: a restored heap promotes early and probes at the same frames', () => {
    const { heap, spawn } = setUp();
    for (let k = 0; k < 2; k++) {
      spawn(NURSERY, NURSERY);
      heap.minor();
    }
    for (let frame = 0; frame < 3; frame++) {
      spawn(NURSERY, NURSERY);
      heap.tick({ units: 1e6 });
    }
    expect(stateOf(heap).pacer).toMatchObject({ agedMeasured: true, agedSurvival: 1, earlyRun: 3 });
    const copy = Heap.restore(heap.snapshot());
    expect(stateOf(copy).pacer).toMatchObject({ agedMeasured: true, agedSurvival: 1, earlyRun: 3 });
    // The same program on both (the holder's handle is the same in the copy).
    const holder = heap.refAt(1 as Index);
    const run = (h: Heap): string[] => {
      const works: string[] = [];
      for (let frame = 0; frame < PROBE_EVERY + 2; frame++) {
        for (let k = 0; k < NURSERY; k++) h.set(holder, k, h.alloc(0));
        works.push(h.tick({ units: 1e6 }).work);
      }
      return works;
    };
    const works = run(heap);
    expect(works.slice(0, PROBE_EVERY - 3)).toEqual(Array(PROBE_EVERY - 3).fill('tenure'));
    expect(run(copy)).toEqual(works);
    copy.verify();
  });

  it('keeps promoteAfter for a nursery below nurserySize, and where survival was measured low', () => {
    const small = setUp();
    for (let k = 0; k < 3; k++) {
      small.spawn(NURSERY, NURSERY);
      small.heap.minor(); // both survivals measured: all
    }
    small.heap.tenure(); // nothing young left
    small.spawn(3, 3);
    small.heap.minor(); // a minor asked for early, on 3 young objects: they age, and stay young
    expect(small.heap.stats().young).toBe(3);
    small.heap.verify();

    const low = setUp();
    low.spawn(NURSERY, NURSERY);
    low.heap.minor();
    low.spawn(NURSERY, NURSERY / 8); // an eighth of the new ones survives: the estimate falls below 90%
    low.heap.minor();
    low.spawn(NURSERY, NURSERY);
    low.heap.minor();
    // The aged survived (measured at 100%), but the nursery did not nearly all survive: the last
    // minor's survivors are promoted at age 2, this nursery's stay young one more minor.
    expect(low.heap.stats().young).toBe(NURSERY);
    low.heap.verify();
  });

  it('holds with promoteAfter 3, and what the old survivors still refer to stays reachable', () => {
    const { heap, spawn } = setUp({ promoteAfter: 3 });
    for (let k = 0; k < 2; k++) {
      spawn(NURSERY, NURSERY);
      heap.minor(); // survival, then aged survival, measured at 100%
    }
    expect(heap.stats().young).toBe(2 * NURSERY); // ages 1 and 2: promoteAfter 3 keeps both young
    // Young objects that point at younger ones: when the older ones go old early, their edges to
    // the new ones must be remembered (or the new ones promoted with them).
    const chain = heap.alloc(1);
    heap.pin(chain);
    let tail = chain;
    for (let k = 0; k < NURSERY; k++) {
      const o = heap.alloc(1);
      heap.set(tail, 0, o);
      tail = o;
    }
    heap.minor();
    expect(heap.stats().young).toBe(0);
    heap.verify();
    // The chain is old now; a new young object hung off its tail must survive the next minor.
    const leaf = heap.alloc(0);
    heap.set(tail, 0, leaf);
    heap.minor();
    expect(heap.isAlive(leaf)).toBe(true);
    heap.verify();
  });
});
