/**
 * The facade's (src/heap.ts) less travelled paths, found by mutation testing it (group `facade`,
 * docs/mutation-testing.md): the checked paths behind the one-condition fast paths, messages
 * compared whole, and the rare states a call can meet (an ephemeron pair whose key was destroyed,
 * hooks run inside hooks). Tests whose calls throw mostly compare snapshots before and after: a call
 * that throws changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { Heap, type Index, NULL, type Ref, SnapshotError, StaleRefError, type TickReport } from '../mod.ts';
import { forgeHeader } from './forge.ts';
import { errorOf } from './naming.ts';

/** A strong object of 2 slots and an ephemeron of 2 pairs, pinned, and two objects to store: one pinned, one not. */
function strongAndPairs(heap: Heap): { strong: Ref; pairs: Ref; kept: Ref; doomed: Ref } {
  const strong = heap.alloc(2);
  const pairs = heap.alloc(4, 'ephemeron');
  heap.pin(strong);
  heap.pin(pairs);
  const kept = heap.alloc(0);
  const doomed = heap.alloc(0);
  heap.pin(kept);
  return { strong, pairs, kept, doomed };
}

describe('the facade: reads through the read barrier', () => {
  it('targetIndex and targetAt read 0 for a destroyed target, and for the value of a pair whose key was destroyed', () => {
    const heap = new Heap();
    const { strong, pairs, kept, doomed } = strongAndPairs(heap);
    const value = heap.alloc(0);
    heap.pin(value);
    heap.set(strong, 0, kept);
    heap.set(strong, 1, doomed);
    heap.set(pairs, 0, kept);
    heap.set(pairs, 1, value);
    heap.set(pairs, 2, doomed);
    heap.set(pairs, 3, value);
    heap.destroy(doomed);
    const at = (o: Ref) => heap.index(o);
    expect([0, 1].map((k) => heap.targetIndex(strong, k))).toEqual([at(kept), 0]);
    expect([0, 1, 2, 3].map((k) => heap.targetIndex(pairs, k))).toEqual([at(kept), at(value), 0, 0]);
    // The checked path of targetAt (an ephemeron's odd slot takes it) reads the same.
    expect([0, 1, 2, 3].map((k) => heap.targetAt(at(pairs), k))).toEqual([at(kept), at(value), 0, 0]);
    expect([0, 1].map((k) => heap.targetAt(at(strong), k))).toEqual([at(kept), 0]);
    heap.verify();
  });

  it('refAt names a bad index, and reads NULL where no live object is', () => {
    const heap = new Heap();
    const a = heap.alloc(0);
    heap.pin(a);
    expect(errorOf(() => heap.refAt(1.5 as Index)).message).toBe(
      'index must be an integer from 0 to 9007199254740991, got 1.5',
    );
    expect(heap.refAt(0 as Index)).toBe(NULL);
    expect(heap.refAt(2 as Index)).toBe(NULL); // the heap's top
    expect(heap.refAt(1 as Index)).toBe(a);
  });
});

describe('the facade: stores', () => {
  it('a store into a pair whose key was destroyed clears that pair only, whichever slot it writes', () => {
    for (const slot of [2, 3]) {
      const heap = new Heap();
      const pairs = heap.alloc(6, 'ephemeron');
      heap.pin(pairs);
      const objects = [0, 1, 2, 3, 4].map(() => heap.alloc(0));
      for (const o of objects) heap.pin(o);
      const [k0, v0, k1, v1, fresh] = objects as [Ref, Ref, Ref, Ref, Ref];
      heap.set(pairs, 0, k0);
      heap.set(pairs, 1, v0);
      heap.set(pairs, 2, k1);
      heap.set(pairs, 3, v1);
      heap.set(pairs, 4, k0);
      heap.set(pairs, 5, v1);
      heap.destroy(k1);
      heap.set(pairs, slot, fresh);
      // The written pair starts (NULL, NULL); the pairs beside it keep theirs.
      const expected = [k0, v0, slot === 2 ? fresh : NULL, slot === 3 ? fresh : NULL, k0, v1];
      expect([0, 1, 2, 3, 4, 5].map((k) => heap.get(pairs, k))).toEqual(expected);
      heap.verify();
    }
  });

  it('setFinalizer and resize name what is wrong, and change nothing', () => {
    const heap = new Heap();
    const table = heap.alloc(2, 'ephemeron');
    heap.pin(table);
    const gone = heap.alloc(0); // index 256: a 0-slot object's page (core/free-list.ts)
    heap.collect();
    const before = heap.snapshot();
    expect(errorOf(() => heap.resize(table, 3)).message).toBe(
      'an ephemeron needs an even slot count (key, value pairs), got 3',
    );
    const stale = errorOf(() => heap.setFinalizer(gone, () => {}));
    expect(stale).toBeInstanceOf(StaleRefError);
    expect(stale.message).toMatch(
      new RegExp(`^handle ${gone} is stale: its object \\(index 256\\) was freed by major`),
    );
    expect(heap.snapshot()).toEqual(before);
  });
});

describe('the facade: allocMany', () => {
  it('names targets that are no array, and a bad first target of a Float64Array', () => {
    const heap = new Heap();
    const gone = heap.alloc(0);
    heap.collect();
    const live = heap.alloc(0);
    heap.pin(live);
    const before = heap.snapshot();
    expect(errorOf(() => heap.allocMany(1, 2, 'strong', 'ab' as unknown as Ref[])).message).toBe(
      "targets must be an array of handles, got 'ab' (a string)",
    );
    const first = errorOf(() => heap.allocMany(2, 1, 'strong', Float64Array.of(gone, live) as unknown as Ref[]));
    expect(first).toBeInstanceOf(StaleRefError);
    expect(first.message).toMatch(new RegExp(`^targets\\[0\\] ${gone} is stale`));
    expect(heap.snapshot()).toEqual(before);
  });
});

describe('the facade: components', () => {
  it('add checks an array field’s values, their count and each one, and changes nothing', () => {
    const heap = new Heap();
    const Path = heap.defineComponent({ points: ['f32', 3], next: ['ref', 2] }, { name: 'Path' });
    const a = heap.alloc(0);
    heap.pin(a);
    const before = heap.snapshot();
    expect(errorOf(() => heap.add(a, Path, { points: [1, 2] })).message).toBe("field 'points' takes 3 values, got 2");
    expect(errorOf(() => heap.add(a, Path, { next: [NULL] })).message).toBe("field 'next' takes 2 values, got 1");
    expect(errorOf(() => heap.add(a, Path, { points: [1, 'x', 3] as unknown as number[] })).message).toMatch(
      /^field 'points' /,
    );
    expect(heap.has(a, Path)).toBe(false);
    expect(heap.snapshot()).toEqual(before);
    heap.add(a, Path, { points: [1, 2, 3], next: [a, NULL] });
    expect([0, 1, 2].map((k) => heap.getField(a, Path, 'points', k))).toEqual([1, 2, 3]);
    expect(heap.getField(a, Path, 'next', 0)).toBe(a);
  });

  it('getField names an object without the component', () => {
    const heap = new Heap();
    const Health = heap.defineComponent({ hp: 'f32' }, { name: 'Health' });
    const a = heap.alloc(0);
    expect(errorOf(() => heap.getField(a, Health, 'hp')).message).toBe(`the object ${a} has no component 'Health'`);
  });

  it('destroy inside an onRemove hook skips only the hook already running for that object', () => {
    const heap = new Heap();
    const ran: string[] = [];
    let inner: Ref = NULL;
    const Tracked = heap.defineComponent({}, {
      name: 'Tracked',
      onRemove: (ref) => {
        ran.push(`Tracked ${ref === inner ? 'inner' : 'outer'}`);
        if (ref !== inner) {
          heap.destroy(inner); // another object: its Tracked hook runs
          heap.destroy(ref); // this object: its Tracked hook is running already
        }
      },
    });
    const Tagged = heap.defineComponent({}, { name: 'Tagged', onRemove: () => ran.push('Tagged outer') });
    const outer = heap.alloc(0);
    inner = heap.alloc(0);
    heap.add(outer, Tracked);
    heap.add(outer, Tagged);
    heap.add(inner, Tracked);
    heap.remove(outer, Tracked);
    expect(ran).toEqual(['Tracked outer', 'Tracked inner', 'Tagged outer']);
    expect(heap.isAlive(outer)).toBe(false);
    expect(heap.isAlive(inner)).toBe(false);
    heap.verify();
  });
});

describe('the facade: addMany and remove', () => {
  it('addMany names refs that are no array, and the first entry that is no number', () => {
    const heap = new Heap();
    const Tag = heap.defineComponent({}, { name: 'Tag' });
    const a = heap.alloc(0);
    const b = heap.alloc(0);
    const before = heap.snapshot();
    expect(errorOf(() => heap.addMany('ab' as unknown as Ref[], Tag)).message).toBe(
      "refs must be an array of handles, got 'ab' (a string)",
    );
    expect(errorOf(() => heap.addMany([a, 'x', 'y'] as unknown as Ref[], Tag)).message).toBe(
      "refs[1] 'x' (a string) is not a handle (handles are numbers)",
    );
    expect(errorOf(() => heap.addMany(['x', b, 'y'] as unknown as Ref[], Tag)).message).toBe(
      "refs[0] 'x' (a string) is not a handle (handles are numbers)",
    );
    expect(heap.snapshot()).toEqual(before);
  });

  it("addMany reads an array-like's entries once each, all before checking any, and none past count", () => {
    const heap = new Heap();
    const Tag = heap.defineComponent({}, { name: 'Tag' });
    const a = heap.alloc(0);
    const b = heap.alloc(0);
    heap.pin(a);
    heap.pin(b);
    const reads: number[] = [];
    // Reading entry 1 destroys entry 0's object: checked after every read, entry 0 is stale.
    const hostile = {
      length: 3,
      get 0() {
        reads.push(0);
        return a;
      },
      get 1() {
        reads.push(1);
        heap.destroy(a);
        return b;
      },
      get 2(): Ref {
        throw new Error('entry 2 is past count and must not be read');
      },
    };
    const error = errorOf(() => heap.addMany(hostile as unknown as ArrayLike<Ref>, Tag, 2));
    expect(error).toBeInstanceOf(StaleRefError);
    expect(error.message).toMatch(/^refs\[0\] \d+ is stale: its object \(index 1\) was destroyed/);
    expect(reads).toEqual([0, 1]);
    expect(heap.has(b, Tag)).toBe(false);
    expect(heap.query(Tag).length).toBe(0);
    heap.verify();
  });

  it('remove runs no hook for an object without the component, and a hook for another object inside a hook', () => {
    const heap = new Heap();
    const ran: string[] = [];
    const names = new Map<Ref, string>();
    let first = true;
    const Hooked = heap.defineComponent({}, {
      name: 'Hooked',
      onRemove: (ref) => {
        ran.push(names.get(ref)!);
        if (first) {
          first = false;
          heap.remove(others[0]!, Hooked); // another member: its hook runs
          heap.remove(others[1]!, Hooked); // no member: nothing runs
        }
      },
    });
    const outer = heap.alloc(0);
    const others = [heap.alloc(0), heap.alloc(0)];
    names.set(outer, 'outer').set(others[0]!, 'member').set(others[1]!, 'not a member');
    heap.add(outer, Hooked);
    heap.add(others[0]!, Hooked);
    heap.remove(others[1]!, Hooked);
    expect(ran).toEqual([]);
    heap.remove(outer, Hooked);
    expect(ran).toEqual(['outer', 'member']);
    expect([outer, ...others].map((o) => heap.has(o, Hooked))).toEqual([false, false, false]);
    heap.verify();
  });
});

describe('the facade: ref fields through RefField', () => {
  it('setRef keeps a strong target stored into a marked owner during marking, and a weakref target not', () => {
    const heap = new Heap({ generational: false });
    const Link = heap.defineComponent({ to: 'ref', seen: 'weakref' }, { name: 'Link' });
    const to = heap.refField(Link, 'to');
    const seen = heap.refField(Link, 'seen');
    const root = heap.alloc(1);
    heap.pin(root);
    heap.add(root, Link);
    let last = root;
    for (let k = 0; k < 200; k++) {
      const node = heap.alloc(1);
      heap.set(last, 0, node);
      last = node;
    }
    const strongTarget = heap.alloc(0); // unreachable when the cycle begins
    const weakTarget = heap.alloc(0);
    heap.step(10); // the root is scanned (black); most of the chain is not
    expect(heap.phase).toBe('mark');
    heap.setRef(root, to, strongTarget);
    heap.setRef(root, seen, weakTarget);
    while (!heap.step(100));
    heap.verify();
    expect(heap.isAlive(strongTarget)).toBe(true); // the barrier shaded it
    expect(heap.getRef(root, to)).toBe(strongTarget);
    expect(heap.isAlive(weakTarget)).toBe(false); // a weak field keeps nothing, not even for a cycle
    expect(heap.getRef(root, seen)).toBe(NULL);
  });

  it('names a numeric field given to refField, and the target of a bad setRef', () => {
    const heap = new Heap();
    const Link = heap.defineComponent({ to: 'ref', hp: 'f32' }, { name: 'Link' });
    expect(errorOf(() => heap.refField(Link, 'hp' as 'to')).message).toBe(
      "field 'hp' of component 'Link' is a 'f32' field; refField takes 'ref' and 'weakref' fields (numeric " +
        'columns are read directly: component.field[index])',
    );
    const a = heap.alloc(0);
    heap.pin(a);
    heap.add(a, Link);
    const gone = heap.alloc(0);
    heap.collect();
    expect(errorOf(() => heap.setRef(a, heap.refField(Link, 'to'), gone)).message).toMatch(
      new RegExp(`^value for field 'to' ${gone} is stale`),
    );
    expect(heap.getRef(a, heap.refField(Link, 'to'))).toBe(NULL);
  });
  it('names what is no RefField: null, a number, a look-alike', () => {
    const heap = new Heap();
    const Link = heap.defineComponent({ to: 'ref' }, { name: 'Link' });
    const a = heap.alloc(0);
    heap.add(a, Link);
    const real = heap.refField(Link, 'to');
    const lookAlike = Object.create(Object.getPrototypeOf(real));
    for (const [field, named] of [[null, 'null'], [5, '5'], [lookAlike, 'an object ([object Object])']] as const) {
      expect(errorOf(() => heap.getRef(a, field as never)).message).toBe(
        `${named} is not a RefField (they come from heap.refField)`,
      );
    }
  });
});

describe('the facade: pins, observers and budgets', () => {
  it('pins() names nothing for a pin of a destroyed object, and keeps the pin', () => {
    const heap = new Heap();
    const a = heap.alloc(0);
    const b = heap.alloc(0);
    const ta = heap.pin(a);
    const tb = heap.pin(b);
    heap.destroy(a);
    expect(heap.pins()).toEqual([{ ticket: ta, ref: NULL }, { ticket: tb, ref: b }]);
    expect(heap.pinned(ta)).toBe(NULL);
  });

  it("an observer's remover removes that observer once, and no other", () => {
    const heap = new Heap();
    const calls: string[] = [];
    const stopFirst = heap.observe(() => calls.push('first'));
    heap.observe(() => calls.push('second'));
    stopFirst();
    stopFirst(); // already removed: removes nothing else
    heap.collect();
    expect(calls).toEqual(['second']);
  });

  it('tick names a budget that is neither milliseconds nor { units }', () => {
    const heap = new Heap();
    for (const budget of [null, 'x', [1]]) {
      expect(errorOf(() => heap.tick(budget as unknown as number)).message).toBe(
        `tick needs a number of milliseconds or { units }, got ${
          budget === null ? 'null' : budget === 'x' ? "'x' (a string)" : 'an object ([object Array])'
        }`,
      );
    }
    expect(errorOf(() => heap.tick({ units: -1 })).message).toBe(
      'tick units must be an integer from 0 to 9007199254740991, got -1',
    );
    expect(errorOf(() => Heap.warmUp(0)).message).toBe('warm-up rounds must be an integer from 1 to 1000, got 0');
  });
});

describe('the facade: collection calls', () => {
  it("step() while a nursery is made old in slices reports that work as 'tenure'", () => {
    const NURSERY = 64;
    const heap = new Heap({ nurserySize: NURSERY });
    const holder = heap.alloc(NURSERY);
    heap.pin(holder);
    heap.collect();
    const works: string[] = [];
    heap.observe((report) => works.push(`${report.call} ${report.work}`));
    // Objects that live one minor interval, then a nursery whose minor does not fit one unit: made
    // old in slices (TENURE) instead, as in test/generational.test.ts.
    for (let round = 0; round < 12; round++) {
      for (let k = 0; k < NURSERY; k++) heap.set(holder, k, heap.alloc(0));
      heap.minor();
    }
    for (let k = 0; k < NURSERY; k++) heap.set(holder, k, heap.alloc(0));
    works.length = 0;
    heap.tick({ units: 1 });
    expect(heap.step(1)).toBe(false);
    while (!heap.step(1000));
    expect(works.slice(0, 3)).toEqual(['tick tenure', 'step tenure', 'step tenure']);
    heap.verify();
  });

  it('say in whole why a collection is forbidden and what to do', () => {
    const heap = new Heap();
    expect(errorOf(() => heap.noGc(() => heap.minor())).message).toBe(
      'minor() called inside noGc(): collection is forbidden there (collections do not nest, and finalizers and ' +
        'hooks run inside one or inside the call that triggered them); collect after it returns',
    );
  });
});

describe('the facade: stale handles, in every state of their index', () => {
  const roots = 'A handle in a JavaScript variable does not keep its object alive: pin it (heap.pin), or hold it ' +
    'from a pinned object.';

  it('say the cause only for the object an index held last', () => {
    const heap = new Heap({ indexBits: 16 });
    const first = heap.alloc(0);
    heap.collect();
    const second = heap.alloc(0); // the same index, one generation on
    expect(heap.index(second)).toBe(1);
    expect(errorOf(() => heap.get(first, 0)).message).toBe(
      `handle ${first} is stale: its object (index 1) was freed, and the index has been reused since.`,
    );
    heap.collect(); // frees `second`: index 1 is free again, two generations past `first`
    expect(errorOf(() => heap.get(first, 0)).message).toBe(`handle ${first} is stale: its object (index 1) was freed.`);
    expect(errorOf(() => heap.get(second, 0)).message).toBe(
      `handle ${second} is stale: its object (index 1) was freed by major collection #2: nothing reached it from a ` +
        `root. ${roots}`,
    );
  });

  it("let a destroy hook read its own object, and not an older handle of that object's index", () => {
    const heap = new Heap({ indexBits: 16 });
    const older = heap.alloc(1); // of the owner's slot count: its page (core/free-list.ts)
    heap.collect();
    const seen: string[] = [];
    const Hooked = heap.defineComponent({}, {
      name: 'Hooked',
      onRemove: (ref) => seen.push(`${heap.index(ref)}`, errorOf(() => heap.get(older, 0)).message),
    });
    const owner = heap.alloc(1);
    expect([heap.index(owner), owner - older]).toEqual([1, 2 ** 16]); // index 1 again, a generation on
    heap.add(owner, Hooked);
    heap.destroy(owner);
    expect(seen).toEqual([
      '1',
      `handle ${older} is stale: its object (index 1) was freed, and the index has been reused since.`,
    ]);
  });

  it('name each call’s handle argument as the handle', () => {
    const heap = new Heap();
    const Link = heap.defineComponent({ to: 'ref' }, { name: 'Link' });
    const to = heap.refField(Link, 'to');
    const gone = heap.alloc(2);
    heap.collect();
    const cause = `handle ${gone} is stale: its object (index 1) was freed by major collection #1`;
    for (
      const call of [
        () => heap.resize(gone, 4),
        () => heap.remove(gone, Link),
        () => heap.setRef(gone, to, NULL),
        () => heap.whyAlive(gone),
        () => heap.setField(gone, Link, 'to', NULL),
      ]
    ) {
      expect(errorOf(call).message.startsWith(cause)).toBe(true);
    }
  });
});

describe('the facade: more reads and checks', () => {
  it('targetIndex reads an odd slot of a strong object, and an even slot of pairs, whatever precedes it', () => {
    const heap = new Heap();
    const { strong, pairs, kept, doomed } = strongAndPairs(heap);
    heap.set(strong, 0, doomed);
    heap.set(strong, 1, kept);
    heap.set(pairs, 0, kept);
    heap.set(pairs, 1, doomed); // a value destroyed, its key live
    heap.set(pairs, 2, kept);
    heap.destroy(doomed);
    expect(heap.targetIndex(strong, 1)).toBe(heap.index(kept));
    expect(heap.targetIndex(pairs, 2)).toBe(heap.index(kept));
    expect(heap.targetIndex(pairs, 1)).toBe(0);
  });

  it('allocMany and addMany name targets and refs that are null or have no length', () => {
    const heap = new Heap();
    const Tag = heap.defineComponent({}, { name: 'Tag' });
    for (const [value, named] of [[null, 'null'], [{}, 'an object ([object Object])']] as const) {
      expect(errorOf(() => heap.allocMany(1, 1, 'strong', value as never)).message).toBe(
        `targets must be an array of handles, got ${named}`,
      );
      expect(errorOf(() => heap.addMany(value as never, Tag)).message).toBe(
        `refs must be an array of handles, got ${named}`,
      );
    }
    expect(heap.stats().live).toBe(0);
  });

  it('add and setField name a stale handle given as a ref field’s value', () => {
    const heap = new Heap();
    const Link = heap.defineComponent({ to: 'ref' }, { name: 'Link' });
    const gone = heap.alloc(0);
    heap.collect();
    const a = heap.alloc(0);
    heap.pin(a);
    const stale = new RegExp(`^value for field 'to' ${gone} is stale`);
    expect(errorOf(() => heap.add(a, Link, { to: gone })).message).toMatch(stale);
    expect(heap.has(a, Link)).toBe(false);
    heap.add(a, Link);
    expect(errorOf(() => heap.setField(a, Link, 'to', gone)).message).toMatch(stale);
  });

  it("remove of another component inside an onRemove hook runs that component's hook", () => {
    const heap = new Heap();
    const ran: string[] = [];
    const B = heap.defineComponent({}, { name: 'B', onRemove: () => ran.push('B') });
    const A = heap.defineComponent({}, {
      name: 'A',
      onRemove: (ref) => {
        ran.push('A');
        heap.remove(ref, B);
      },
    });
    const a = heap.alloc(0);
    heap.add(a, A);
    heap.add(a, B);
    heap.remove(a, A);
    expect(ran).toEqual(['A', 'B']);
    expect([heap.has(a, A), heap.has(a, B)]).toEqual([false, false]);
    heap.verify();
  });
});

describe('the facade: what collector calls report', () => {
  it("collect() counts what it freed, not what its finalizers allocated; its report ends a cycle, a minor's not", () => {
    const heap = new Heap();
    const reports: TickReport[] = [];
    heap.observe((report) => reports.push({ ...report }));
    for (let k = 0; k < 5; k++) heap.alloc(1);
    const made: Ref[] = [];
    heap.setFinalizer(heap.alloc(0), () => {
      for (let k = 0; k < 3; k++) made.push(heap.alloc(0)); // new: they live through this collection
    });
    const info = heap.collect();
    expect(info.freed).toBe(6);
    expect(made.every((o) => heap.isAlive(o))).toBe(true);
    expect(info.live).toBe(3);
    heap.minor(); // (a full collection leaves every survivor old: the minor frees none of them)
    expect(heap.collect().freed).toBe(3);
    expect(reports.map((r) => [r.call, r.work, r.cycleEnded, r.stretched])).toEqual([
      ['collect', 'full', true, false],
      ['minor', 'minor', false, false],
      ['collect', 'full', true, false],
    ]);
  });

  it('a minor during a major cycle is deferred and reports nothing done', () => {
    const heap = new Heap();
    heap.pin(heap.alloc(0));
    heap.alloc(0);
    heap.step(1);
    const reports: TickReport[] = [];
    heap.observe((report) => reports.push({ ...report }));
    expect(heap.minor().freed).toBe(0);
    expect(reports.map((r) => [r.call, r.work, r.units])).toEqual([['minor', 'nothing', 0]]);
  });

  it("a minor's units are its own work: the same minor twice reports the same", () => {
    const heap = new Heap();
    const units: number[] = [];
    heap.observe((report) => units.push(report.units));
    for (let round = 0; round < 2; round++) {
      for (let k = 0; k < 100; k++) heap.alloc(1);
      heap.minor();
    }
    expect(units[0]).toBeGreaterThan(0);
    expect(units[1]).toBe(units[0]);
  });

  it("a report's ms is the call's own wall time, and maxPauseMs the longest of them", () => {
    const heap = new Heap();
    const root = heap.alloc(2);
    heap.pin(root);
    let last = root;
    for (let k = 0; k < 20_000; k++) {
      const o = heap.alloc(2);
      heap.set(last, 0, o);
      last = o;
    }
    const pauses: number[] = [];
    heap.observe((report) => pauses.push(report.ms));
    const before = performance.now();
    heap.collect(); // the long pause: 20,000 objects marked
    const around = performance.now() - before;
    heap.minor(); // a short one after it
    expect(pauses[0]).toBeGreaterThanOrEqual(0);
    expect(pauses[0]).toBeLessThanOrEqual(around);
    const stats = heap.stats();
    expect(stats.maxPauseMs).toBe(Math.max(...pauses));
    expect(stats.lastPauseMs).toBe(pauses[1]);
  });
});

describe('the facade: queries while the dead are still members', () => {
  it("leave out a minor's dead while its finalizers run, and a cycle's dead in its sweep after that", () => {
    const heap = new Heap();
    const C = heap.defineComponent({}, { name: 'C' });
    const kept = heap.alloc(0);
    heap.pin(kept);
    heap.add(kept, C);
    const young = heap.alloc(0);
    heap.add(young, C);
    expect(heap.query(C).length).toBe(2); // the query is built with both
    const seen: number[][] = [];
    heap.setFinalizer(young, () => seen.push([...heap.query(C)]));
    heap.minor();
    expect(seen).toEqual([[heap.index(kept)]]);
    // Then a major cycle finds an old member dead: in its sweep the query leaves it out too.
    const old = heap.alloc(0);
    heap.add(old, C);
    heap.tenure();
    heap.setFinalizer(heap.alloc(0), () => {}); // so the cycle stops in its finalizer phase
    while (heap.phase !== 'sweep') heap.step(1);
    expect([...heap.query(C)]).toEqual([heap.index(kept)]);
    heap.verify();
  });

  it('names a null term', () => {
    const heap = new Heap();
    const C = heap.defineComponent({}, { name: 'C' });
    expect(errorOf(() => heap.query(C, null as never)).message).toBe(
      'null is not a component of this heap (components come from heap.defineComponent)',
    );
  });
});

describe('the facade: arguments that are not what they should be', () => {
  it('name a component that is undefined or null, on a fresh heap and after lookups', () => {
    const heap = new Heap();
    const a = heap.alloc(0);
    const named = (value: unknown) =>
      `${value} is not a component of this heap (components come from heap.defineComponent)`;
    for (const value of [undefined, null]) {
      expect(errorOf(() => heap.has(a, value as never)).message).toBe(named(value));
    }
    const C = heap.defineComponent({}, { name: 'C' });
    for (let k = 0; k < 5; k++) heap.has(a, C); // the recent-components cache filled and cycled
    for (const value of [undefined, null]) {
      expect(errorOf(() => heap.has(a, value as never)).message).toBe(named(value));
    }
  });

  it('add takes init as an object, its own fields only; alloc names a bad slot count', () => {
    const heap = new Heap();
    const P = heap.defineComponent({ x: 'f32' }, { name: 'P' });
    const a = heap.alloc(0);
    heap.pin(a);
    const before = heap.snapshot();
    expect(errorOf(() => heap.add(a, P, null as never)).message).toBe('init must be an object, got null');
    expect(errorOf(() => heap.alloc(-1)).message).toMatch(/^slot count must be an integer from 0 to \d+, got -1$/);
    expect(heap.snapshot()).toEqual(before);
    // An inherited enumerable property is no field given: ignored, as add's loop over fields ignores it.
    const init = Object.create({ bogus: 1 });
    init.x = 2;
    heap.add(a, P, init);
    expect(heap.getField(a, P, 'x')).toBe(2);
    heap.verify();
  });

  it("a component's handle arguments: add names the handle", () => {
    const heap = new Heap();
    const P = heap.defineComponent({ x: 'f32' }, { name: 'P' });
    const gone = heap.alloc(0);
    heap.collect();
    expect(errorOf(() => heap.add(gone, P)).message).toMatch(new RegExp(`^handle ${gone} is stale`));
  });

  it('adding a component with a weakref field twice to a young object lists it once for the minor', () => {
    const heap = new Heap();
    const Seen = heap.defineComponent({ who: 'weakref' }, { name: 'Seen' });
    const watcher = heap.alloc(0);
    heap.pin(watcher);
    const target = heap.alloc(0);
    heap.add(watcher, Seen, { who: target });
    heap.add(watcher, Seen);
    heap.verify();
    heap.minor();
    heap.verify();
    expect(heap.getField(watcher, Seen, 'who')).toBe(NULL);
  });

  it('Heap.restore says a snapshot whose components cannot be defined is bad', () => {
    const heap = new Heap();
    heap.defineComponent({ x: 'f32' }, { name: 'A' });
    heap.defineComponent({ y: 'f32' }, { name: 'B' });
    const forged = forgeHeader(heap.snapshot(), (header) => {
      header.components[1]!.name = 'A';
    });
    const error = errorOf(() => Heap.restore(forged));
    expect(error).toBeInstanceOf(SnapshotError);
    expect(error.message).toBe(
      "bad snapshot: its options or components are invalid (a component named 'A' is defined already)",
    );
  });
});

describe('the facade: index calls off their fast paths', () => {
  it('targetAt names a fractional slot and an index the running cycle found dead', () => {
    const heap = new Heap();
    const owner = heap.alloc(1);
    heap.pin(owner);
    const unreached = heap.alloc(1);
    heap.set(unreached, 0, owner);
    const i = heap.index(owner);
    const dead = heap.index(unreached);
    expect(errorOf(() => heap.targetAt(i, 0.5)).message).toBe('slot 0.5 is out of range: the object has 1 slot');
    heap.setFinalizer(heap.alloc(0), () => {}); // so the cycle stops in its finalizer phase
    while (heap.phase !== 'sweep') heap.step(1);
    expect(errorOf(() => heap.targetAt(dead, 0)).message).toBe(`index ${dead} holds no live object`);
    expect(heap.targetAt(i, 0)).toBe(0);
  });

  it('setAt names a target index given as a string, and clears a pair slot given 0', () => {
    const heap = new Heap();
    const owner = heap.alloc(1);
    const pairs = heap.alloc(2, 'ephemeron');
    const key = heap.alloc(0);
    for (const o of [owner, pairs, key]) heap.pin(o);
    const before = heap.snapshot();
    const error = errorOf(() => heap.setAt(heap.index(owner), 0, `${heap.index(key)}` as unknown as Index));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe(`index must be an integer, got '${heap.index(key)}' (a string)`);
    expect(heap.snapshot()).toEqual(before);
    heap.set(pairs, 0, key);
    heap.set(pairs, 1, owner);
    heap.setAt(heap.index(pairs), 1, 0 as Index); // an ephemeron takes the checked path
    expect([heap.get(pairs, 0), heap.get(pairs, 1)]).toEqual([key, NULL]);
  });

  it('get reads any slot of an object inside its own destroy hook, whatever the slot before it holds', () => {
    const heap = new Heap();
    const { strong, pairs, kept: live, doomed } = strongAndPairs(heap);
    heap.set(strong, 0, doomed);
    heap.set(strong, 1, live);
    heap.set(pairs, 0, live);
    heap.set(pairs, 1, doomed);
    heap.set(pairs, 2, live);
    heap.set(pairs, 3, live);
    heap.destroy(doomed);
    const read: Ref[] = [];
    const Hooked = heap.defineComponent({}, {
      name: 'Hooked',
      onRemove: (ref) => {
        for (let k = 0; k < heap.slotCount(ref); k++) read.push(heap.get(ref, k));
      },
    });
    heap.add(strong, Hooked);
    heap.add(pairs, Hooked);
    heap.destroy(strong);
    heap.destroy(pairs);
    expect(read).toEqual([NULL, live, live, NULL, live, live]);
  });
});
