import { describe, expect, it } from 'vitest';
import { GcForbiddenError, Heap, HeapFullError, NULL, type Ref, StaleRefError } from '../mod.ts';

/** A pinned object, so tests have a root to hang things on. */
function rooted(heap: Heap, slots: number, kind?: 'strong' | 'weak' | 'ephemeron'): Ref {
  const ref = heap.alloc(slots, kind);
  heap.pin(ref);
  return ref;
}

/** Each way to collect everything unreachable: full, incremental, and (for young objects) minor. */
const collections: [string, (heap: Heap) => void][] = [
  ['collect()', (heap) => heap.collect()],
  ['step()', (heap) => {
    while (!heap.step(3));
  }],
  ['minor()', (heap) => heap.minor()],
];

describe('weak slots', () => {
  for (const [name, collect] of collections) {
    it(`do not keep their targets alive, and read NULL once they are freed (${name})`, () => {
      const heap = new Heap();
      const cache = rooted(heap, 2, 'weak');
      const kept = rooted(heap, 0);
      const dropped = heap.alloc(0);
      heap.set(cache, 0, kept);
      heap.set(cache, 1, dropped);
      collect(heap);
      expect(heap.isAlive(dropped)).toBe(false);
      expect(heap.get(cache, 0)).toBe(kept);
      expect(heap.get(cache, 1)).toBe(NULL);
      heap.verify();
    });
  }

  it('clear in an old weak object when a minor frees a young target', () => {
    const heap = new Heap();
    const cache = rooted(heap, 1, 'weak');
    heap.collect(); // cache is old now
    const bullet = heap.alloc(0);
    heap.set(cache, 0, bullet);
    heap.minor();
    expect(heap.isAlive(bullet)).toBe(false);
    expect(heap.get(cache, 0)).toBe(NULL);
    heap.verify();
  });

  it('let a weakly read object be stored strongly again during a cycle (it then survives)', () => {
    const heap = new Heap();
    const cache = rooted(heap, 1, 'weak');
    const holder = rooted(heap, 1);
    const entry = heap.alloc(0);
    heap.set(cache, 0, entry);
    heap.step(1); // marking has begun; entry is white and only weakly held
    heap.set(holder, 0, heap.get(cache, 0));
    while (!heap.step(1));
    expect(heap.isAlive(entry)).toBe(true);
    expect(heap.get(cache, 0)).toBe(entry);
  });
});

describe('ephemerons', () => {
  for (const [name, collect] of collections) {
    it(`keep a value while its key is reachable from elsewhere, and clear the pair with the key (${name})`, () => {
      const heap = new Heap();
      const table = rooted(heap, 4, 'ephemeron');
      const holder = rooted(heap, 1);
      const liveKey = heap.alloc(0);
      const liveValue = heap.alloc(1);
      const deadKey = heap.alloc(0);
      const deadValue = heap.alloc(0);
      heap.set(holder, 0, liveKey);
      heap.set(table, 0, liveKey);
      heap.set(table, 1, liveValue);
      heap.set(table, 2, deadKey);
      heap.set(table, 3, deadValue);
      collect(heap);
      expect([heap.get(table, 0), heap.get(table, 1)]).toEqual([liveKey, liveValue]);
      expect([heap.get(table, 2), heap.get(table, 3)]).toEqual([NULL, NULL]);
      expect(heap.isAlive(deadKey) || heap.isAlive(deadValue)).toBe(false);
      heap.verify();
    });

    it(`converge when one value is another pair's key (${name})`, () => {
      const heap = new Heap();
      const table = rooted(heap, 4, 'ephemeron');
      const holder = rooted(heap, 1);
      const a = heap.alloc(0);
      const b = heap.alloc(0);
      const c = heap.alloc(0);
      heap.set(holder, 0, a);
      // Pair 0 (b -> c) comes first but only becomes live once pair 1 (a -> b) marks b.
      heap.set(table, 0, b);
      heap.set(table, 1, c);
      heap.set(table, 2, a);
      heap.set(table, 3, b);
      collect(heap);
      expect([a, b, c].every((ref) => heap.isAlive(ref))).toBe(true);
      heap.verify();
    });
  }

  it('work in a heap whose first ephemeron comes after many weak objects and cycles, and in a restored heap', () => {
    // Until a heap makes an ephemeron, the collectors skip their ephemeron scans of the weak lists;
    // the first one, and one brought back by a restore (the flag is not saved but derived), must be
    // scanned as any other.
    const heap = new Heap();
    const holder = rooted(heap, 1);
    for (let k = 0; k < 300; k++) heap.set(holder, 0, heap.alloc(1, 'weak'));
    heap.collect();
    heap.minor();
    const table = rooted(heap, 2, 'ephemeron');
    const key = rooted(heap, 0);
    const value = heap.alloc(0);
    heap.set(table, 0, key);
    heap.set(table, 1, value);
    heap.minor(); // the young value is kept by its reached key
    heap.collect();
    expect(heap.isAlive(value)).toBe(true);
    heap.verify();
    const restored = Heap.restore(heap.snapshot());
    restored.collect();
    restored.minor();
    expect(restored.isAlive(value)).toBe(true);
    expect(restored.get(table, 1)).toBe(value);
    restored.verify();
  });

  it('do not keep a value alive through its own key (a value referring to its key)', () => {
    const heap = new Heap();
    const table = rooted(heap, 2, 'ephemeron');
    const key = heap.alloc(0);
    const value = heap.alloc(1);
    heap.set(value, 0, key);
    heap.set(table, 0, key);
    heap.set(table, 1, value);
    heap.collect();
    expect(heap.isAlive(key) || heap.isAlive(value)).toBe(false);
    expect(heap.get(table, 0)).toBe(NULL);
  });

  it('need an even slot count, on alloc and resize', () => {
    const heap = new Heap();
    expect(() => heap.alloc(3, 'ephemeron')).toThrow(/even slot count.*got 3/);
    const table = heap.alloc(2, 'ephemeron');
    expect(() => heap.resize(table, 5)).toThrow(RangeError);
    expect(heap.slotCount(table)).toBe(2);
    // @ts-expect-error: not a kind
    expect(() => heap.alloc(2, 'soft')).toThrow(/kind must be .* got 'soft'/);
    expect(heap.stats().live).toBe(1);
    heap.verify();
  });
});

describe('finalizers', () => {
  for (const [name, collect] of collections) {
    it(`run once, after the object is unreachable, with its slots still readable (${name})`, () => {
      const heap = new Heap();
      const holder = rooted(heap, 1);
      const sound = heap.alloc(2);
      const buffer = heap.alloc(0);
      heap.set(sound, 0, buffer);
      const seen: unknown[] = [];
      heap.setFinalizer(sound, (ref) => {
        seen.push([ref, heap.isAlive(ref), heap.slotCount(ref), heap.get(ref, 0), heap.index(ref)]);
      });
      heap.set(holder, 0, sound);
      collect(heap);
      expect(seen).toEqual([]);
      heap.set(holder, 0, NULL);
      collect(heap);
      heap.collect();
      expect(seen).toEqual([[sound, false, 2, buffer, sound]]);
      expect(heap.isAlive(sound)).toBe(false);
      heap.verify();
    });
  }

  it('cannot resurrect their object, and may allocate', () => {
    const heap = new Heap();
    const holder = rooted(heap, 1);
    const doomed = heap.alloc(1);
    let allocated: Ref = NULL;
    const errors: string[] = [];
    heap.setFinalizer(doomed, (ref) => {
      // Nor store into it: its slots are readable, not writable (by handle or by index).
      const at = heap.index(ref);
      const holderAt = heap.index(holder);
      for (
        const attempt of [
          () => heap.set(holder, 0, ref),
          () => heap.pin(ref),
          () => heap.setFinalizer(ref, () => {}),
          () => heap.set(ref, 0, holder),
          () => heap.setAt(at, 0, holderAt),
          () => heap.setAt(holderAt, 0, at),
        ]
      ) {
        try {
          attempt();
        } catch (error) {
          errors.push((error as Error).name);
        }
      }
      allocated = heap.alloc(1);
      heap.set(holder, 0, allocated);
    });
    heap.collect();
    expect(errors).toEqual([
      'StaleRefError',
      'StaleRefError',
      'StaleRefError',
      'StaleRefError',
      'RangeError',
      'RangeError',
    ]);
    expect(heap.isAlive(doomed)).toBe(false);
    expect(heap.get(holder, 0)).toBe(allocated);
    expect(heap.isAlive(allocated)).toBe(true);
    heap.verify();
  });

  it('forbid collection inside a finalizer', () => {
    const heap = new Heap({ onFinalizerError: () => {} });
    const caught: unknown[] = [];
    const doomed = heap.alloc(0);
    heap.setFinalizer(doomed, () => {
      for (const call of [() => heap.collect(), () => heap.minor(), () => heap.step(), () => heap.tick()]) {
        try {
          call();
        } catch (error) {
          caught.push(error);
        }
      }
    });
    heap.collect();
    expect(caught.length).toBe(4);
    expect(caught.every((error) => error instanceof GcForbiddenError)).toBe(true);
  });

  it('see a consistent heap: verify() and stats() work inside them during collect, minor, step and tick', () => {
    for (const collect of ['collect', 'minor', 'step', 'tick'] as const) {
      const heap = new Heap({ nurserySize: 4, minHeapObjects: 1 });
      const root = heap.alloc(2);
      heap.pin(root);
      if (collect === 'step') heap.collect(); // so the doomed objects below are old for a major
      const verified: string[] = [];
      for (let k = 0; k < 3; k++) {
        const doomed = heap.alloc(1);
        heap.set(doomed, 0, root);
        heap.setFinalizer(doomed, (dead) => {
          heap.verify();
          expect(heap.isAlive(dead)).toBe(false);
          expect(heap.get(dead, 0)).toBe(root); // the dead stay readable while finalizers run
          const fresh = heap.alloc(1); // allocating in a finalizer keeps the heap consistent
          heap.set(root, 1, fresh);
          heap.verify();
          verified.push(collect);
        });
      }
      if (collect === 'collect') heap.collect();
      else if (collect === 'minor') heap.minor();
      else if (collect === 'step') { while (!heap.step(10)); }
      else for (let frame = 0; frame < 50 && verified.length < 3; frame++) heap.tick(1);
      expect(verified).toEqual([collect, collect, collect]);
      heap.verify();
    }
  });

  it('report errors after the collection, without stopping the other finalizers', () => {
    const heap = new Heap();
    const ran: number[] = [];
    for (let k = 0; k < 4; k++) {
      heap.setFinalizer(heap.alloc(0), () => {
        ran.push(k);
        if (k % 2 === 0) throw new Error(`boom ${k}`);
      });
    }
    let thrown: unknown;
    try {
      heap.collect();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AggregateError);
    expect((thrown as AggregateError).errors.map((e: Error) => e.message)).toEqual(['boom 0', 'boom 2']);
    expect(ran.sort()).toEqual([0, 1, 2, 3]);
    expect(heap.stats().live).toBe(0);
    heap.verify();
    expect(heap.collect().freed).toBe(0);
  });

  it('hand errors to onFinalizerError instead when given', () => {
    const reported: unknown[] = [];
    const heap = new Heap({ onFinalizerError: (error) => reported.push(error) });
    heap.setFinalizer(heap.alloc(0), () => {
      throw new Error('boom');
    });
    expect(heap.collect().freed).toBe(1);
    expect(reported.map((e) => (e as Error).message)).toEqual(['boom']);
  });

  it('run in the sweep phase of incremental cycles, within the budget', () => {
    const heap = new Heap();
    const ran: number[] = [];
    for (let k = 0; k < 50; k++) heap.setFinalizer(heap.alloc(0), () => ran.push(k));
    let slices = 0;
    while (!heap.step(100)) {
      slices++;
      if (ran.length > 0 && ran.length < 50) expect(heap.phase).toBe('sweep');
    }
    expect(ran.length).toBe(50);
    expect(slices).toBeGreaterThan(10); // 64 units a finalizer: a 100-unit budget runs one or two
  });

  it('meet HeapFullError at maxObjects: dead objects are reclaimed only after every finalizer ran', () => {
    const heap = new Heap({ maxObjects: 2, onFinalizerError: (error) => errors.push(error) });
    const errors: unknown[] = [];
    heap.alloc(0);
    heap.setFinalizer(heap.alloc(0), () => heap.alloc(0));
    heap.collect();
    expect(errors.length).toBe(1);
    expect(errors[0]).toBeInstanceOf(HeapFullError);
    expect(heap.stats().live).toBe(0);
  });

  it('reject what is not a function, and stale handles', () => {
    const heap = new Heap();
    const ref = heap.alloc(0);
    // @ts-expect-error: not a function
    expect(() => heap.setFinalizer(ref, 'close')).toThrow(/must be a function, got 'close'/);
    heap.collect();
    expect(() => heap.setFinalizer(ref, () => {})).toThrow(StaleRefError);
  });
});

describe('weak processing, exactly', () => {
  const modes: [string, boolean][] = [['collect()', false], ['minor()', true]];
  const run = (heap: Heap, minor: boolean): void => {
    if (minor) heap.minor();
    else heap.collect();
  };

  for (const [name, minor] of modes) {
    it(`an unreached ephemeron keeps none of its values, a reached one only those of reached keys (${name})`, () => {
      const heap = new Heap({ generational: minor });
      const key = rooted(heap, 0);
      const lost = heap.alloc(2, 'ephemeron'); // unreached
      const value = heap.alloc(0);
      heap.set(lost, 0, key);
      heap.set(lost, 1, value);
      const table = rooted(heap, 2, 'ephemeron');
      const orphan = heap.alloc(0);
      heap.set(table, 1, orphan); // a pair with no key
      run(heap, minor);
      expect([heap.isAlive(lost), heap.isAlive(value), heap.isAlive(orphan)]).toEqual([false, false, false]);
      expect(heap.get(table, 1)).toBe(NULL);
      heap.verify();
    });

    it(`reads only the ephemeron's own pairs, not the slots of the block after it (${name})`, () => {
      const heap = new Heap({ generational: minor });
      // Blocks of 2 at offsets 0 and 2: the ephemeron's, then a weak object's whose slots would
      // read as a pair (a reached key, and a value only the weak slot names).
      const table = rooted(heap, 2, 'ephemeron');
      const cache = rooted(heap, 2, 'weak');
      const key = rooted(heap, 0);
      const value = heap.alloc(0);
      heap.set(cache, 0, key);
      heap.set(cache, 1, value);
      run(heap, minor);
      expect(heap.isAlive(value)).toBe(false);
      expect([heap.get(cache, 0), heap.get(cache, 1), heap.get(table, 0)]).toEqual([key, NULL, NULL]);
      heap.verify();
    });

    for (const kind of ['ephemeron', 'weak'] as const) {
      it(`clears only a ${kind} object's own slots: a dead object after it is intact for its finalizer (${name})`, () => {
        const heap = new Heap({ generational: minor });
        const holder = rooted(heap, 2, kind);
        const dead = heap.alloc(2); // its block follows the holder's
        const a = heap.alloc(0);
        const b = heap.alloc(0);
        heap.set(dead, 0, a);
        heap.set(dead, 1, b);
        heap.set(holder, 0, a);
        let seen: Ref[] = [];
        heap.setFinalizer(dead, (ref) => void (seen = [heap.get(ref, 0), heap.get(ref, 1)]));
        run(heap, minor);
        expect(seen).toEqual([a, b]);
        expect(heap.get(holder, 0)).toBe(NULL);
        heap.verify();
      });
    }

    it(`clears only a live object's own weakref elements: a dead one after it is intact for its finalizer (${name})`, () => {
      const heap = new Heap({ generational: minor });
      const Seen = heap.defineComponent({ at: ['weakref', 2] }, { name: 'Seen' });
      const holder = rooted(heap, 0);
      const dead = heap.alloc(0); // the next index: its elements follow the holder's
      expect(heap.index(dead)).toBe(heap.index(holder) + 1);
      const a = heap.alloc(0);
      const b = heap.alloc(0);
      heap.add(holder, Seen, { at: [a, NULL] });
      heap.add(dead, Seen, { at: [a, b] });
      let seen: Ref[] = [];
      heap.setFinalizer(dead, (ref) => void (seen = [0, 1].map((k) => heap.getField(ref, Seen, 'at', k))));
      run(heap, minor);
      expect(seen).toEqual([a, b]);
      expect(heap.getField(holder, Seen, 'at', 0)).toBe(NULL);
      heap.verify();
    });

    it(`keeps weak references to live objects, young and old, and clears those to dead ones (${name})`, () => {
      const heap = new Heap({ generational: minor });
      const Seen = heap.defineComponent({ at: ['weakref', 3] }, { name: 'Seen' });
      const old = rooted(heap, 0);
      if (minor) heap.tenure();
      const live = rooted(heap, 0);
      const table = rooted(heap, 4, 'ephemeron');
      const cache = rooted(heap, 3, 'weak');
      const watcher = rooted(heap, 0);
      const dead = heap.alloc(0);
      heap.set(table, 0, live);
      heap.set(table, 1, old); // a live key's old value
      heap.set(table, 2, old);
      heap.set(table, 3, live); // an old key's young value
      heap.set(cache, 0, live);
      heap.set(cache, 1, old);
      heap.set(cache, 2, dead);
      heap.add(watcher, Seen, { at: [live, old, dead] });
      run(heap, minor);
      expect([0, 1, 2, 3].map((k) => heap.get(table, k))).toEqual([live, old, old, live]);
      expect([0, 1, 2].map((k) => heap.get(cache, k))).toEqual([live, old, NULL]);
      expect([0, 1, 2].map((k) => heap.getField(watcher, Seen, 'at', k))).toEqual([live, old, NULL]);
      heap.verify();
    });
  }

  it('clears weak references from objects allocated during a cycle to objects the cycle frees', () => {
    const heap = new Heap();
    let last = rooted(heap, 1);
    for (let k = 0; k < 50; k++) {
      const next = heap.alloc(1);
      heap.set(last, 0, next);
      last = next;
    }
    const doomed = heap.alloc(0); // old and unreached once the cycle marks
    heap.tenure();
    heap.step(1); // a cycle begins: the chain takes many slices to mark
    expect(heap.phase).toBe('mark');
    const cache = rooted(heap, 1, 'weak'); // young, black: allocated during the cycle
    heap.set(cache, 0, doomed);
    while (!heap.step(5));
    expect(heap.isAlive(doomed)).toBe(false);
    expect(heap.get(cache, 0)).toBe(NULL);
    heap.verify();
    heap.alloc(0); // may take the freed index: the weak slot must not name it
    expect(heap.get(cache, 0)).toBe(NULL);
    heap.verify();
  });
});

describe('a minor and a weak young object with a component', () => {
  it('keeps nothing through its weak slots, on the slow marking path too', () => {
    const heap = new Heap();
    const Tag = heap.defineComponent({ n: 'u8' }, { name: 'Tag' });
    const weak = heap.alloc(1, 'weak');
    heap.pin(weak);
    heap.add(weak, Tag); // an object with components is scanned outside the markers' hot loops
    const target = heap.alloc(0);
    heap.set(weak, 0, target);
    heap.minor();
    expect(heap.isAlive(target)).toBe(false);
    expect(heap.get(weak, 0)).toBe(NULL);
    heap.verify();
  });
});
