/**
 * Edges of src/ecs/components.ts that the mutation run of the `components` group left open: the
 * lists' high-water marks that `stats().bytes` counts, a wave that outgrows a member list, the
 * handles past `addMany`'s count, an object's components in more than one mask word, and the keys
 * of cached queries (one cache per set of terms, whatever their order; no two sets alike).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Heap, not, type Ref, type RefArray } from '../mod.ts';
import { stateOf } from '../src/heap.ts';
import { fcRuns } from './runs.ts';

const sorted = (a: ArrayLike<number>): number[] => Array.from(a).sort((x, y) => x - y);

describe('stats().bytes and the lists of a component and its queries', () => {
  const op = fc.oneof(
    fc.record({
      op: fc.constantFrom('add' as const, 'remove' as const),
      obj: fc.nat(),
      c: fc.integer({ min: 0, max: 1 }),
    }),
    fc.record({ op: fc.constant('addMany' as const), objs: fc.array(fc.nat(), { maxLength: 12 }) }),
  );

  it('count the most entries each list ever held: members that leave and others that join cost no less', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 24 }), fc.array(op, { maxLength: 40 }), (objects, ops) => {
        const heap = new Heap({ initialCapacity: 8 });
        const C = heap.defineComponent({ x: 'f32' }, { name: 'C' });
        const D = heap.defineComponent({}, { name: 'D' });
        const refs = Array.from(heap.allocMany(objects));
        // Built first, so that each join and leave refreshes them.
        heap.query(C);
        heap.query(C, not(D));
        const before = heap.stats().bytes;
        // The model: who has C and D, and the most members each list ever held.
        const has = [new Set<number>(), new Set<number>()];
        const high = { C: 0, D: 0, onlyC: 0 };
        const settle = () => {
          high.C = Math.max(high.C, has[0]!.size);
          high.D = Math.max(high.D, has[1]!.size);
          high.onlyC = Math.max(high.onlyC, [...has[0]!].filter((o) => !has[1]!.has(o)).length);
        };
        for (const o of ops) {
          if (o.op === 'addMany') {
            const wave = o.objs.map((k) => refs[k % objects]!);
            heap.addMany(wave, C);
            for (const k of o.objs) has[0]!.add(k % objects);
          } else {
            const k = o.obj % objects;
            const component = o.c === 0 ? C : D;
            if (o.op === 'add') {
              heap.add(refs[k]!, component);
              has[o.c]!.add(k);
            } else {
              heap.remove(refs[k]!, component);
              has[o.c]!.delete(k);
            }
          }
          settle();
          // Four bytes an entry ever written: C's and D's member lists, query(C) (C's members)
          // and query(C, not(D)); from C's first member on, the memory page of C.x that holds page
          // 0 of indices (core/component-store.ts `numericColumnBytes`), of C's positions and of
          // both queries' (their first component is C: `queryPositionBytes`); from D's first member
          // on, of D's positions (`positionBytes`; a page, or the array if shorter).
          const s = stateOf(heap);
          const page = (array: Uint32Array) => Math.min(4096, array.byteLength);
          const [byC, byCNotD] = [...s.components.queries.values()].map((q) => page(q.position));
          const onC = 4096 + page(s.components.list[0]!.position) + byC! + byCNotD!;
          const pages = (high.C > 0 ? onC : 0) + (high.D > 0 ? page(s.components.list[1]!.position) : 0);
          expect(heap.stats().bytes - before).toBe(4 * (high.C + high.D + high.C + high.onlyC) + pages);
        }
        expect(sorted(heap.query(C))).toEqual(sorted([...has[0]!].map((k) => heap.index(refs[k]!))));
        heap.verify();
      }),
      {
        numRuns: fcRuns(60),
        // Three join, two leave, one joins again: by `add`, then by `addMany`, for C and for D.
        examples: [[4, [
          ...[0, 1, 2].map((obj) => ({ op: 'add' as const, obj, c: 0 })),
          ...[0, 1].map((obj) => ({ op: 'remove' as const, obj, c: 0 })),
          { op: 'add' as const, obj: 0, c: 0 },
          { op: 'remove' as const, obj: 0, c: 0 },
          { op: 'addMany' as const, objs: [1] },
          ...[0, 1, 2].map((obj) => ({ op: 'add' as const, obj, c: 1 })),
          ...[0, 1].map((obj) => ({ op: 'remove' as const, obj, c: 1 })),
          { op: 'add' as const, obj: 3, c: 1 },
        ]]],
      },
    );
  });
});

describe('addMany', () => {
  it('takes in a wave of more than twice the room its member list has, after some members and from none', () => {
    const heap = new Heap({ initialCapacity: 8 });
    const C = heap.defineComponent({ x: 'f32' }, { name: 'C' });
    const D = heap.defineComponent({ y: 'u8' }, { name: 'D' });
    const first = heap.allocMany(10);
    heap.addMany(first, C);
    heap.query(C); // built from the ten, refreshed by the wave
    const wave = heap.allocMany(100);
    heap.addMany(wave, C);
    heap.addMany(wave, D); // D had no member: 100 at once
    heap.verify();
    const all = [...first, ...wave].map((ref) => heap.index(ref as Ref));
    expect(sorted(heap.query(C))).toEqual(sorted(all));
    // Built now, from D's member list.
    expect(sorted(heap.query(D))).toEqual(sorted(wave.map((ref) => heap.index(ref as Ref))));
    expect(sorted(heap.query(C, not(D)))).toEqual(sorted(first.map((ref) => heap.index(ref as Ref))));
    // Leaving takes the last member's place: the whole list must hold what was added.
    for (const ref of wave) heap.remove(ref as Ref, C);
    expect(sorted(heap.query(C))).toEqual(sorted(first.map((ref) => heap.index(ref as Ref))));
    for (const ref of first) expect(heap.has(ref as Ref, C)).toBe(true);
    heap.verify();
  });

  it('grows the member list only when a wave needs the room: many waves of one object each', () => {
    const heap = new Heap({ initialCapacity: 8 });
    const C = heap.defineComponent({}, { name: 'C' });
    const refs = heap.allocMany(64);
    heap.query(C);
    const before = heap.stats().bytes;
    for (let k = 0; k < refs.length; k++) heap.addMany(refs.subarray(k, k + 1) as RefArray, C);
    expect(heap.query(C).length).toBe(64);
    // The member list, query(C)'s, and C's and query(C)'s positions on page 0 of indices (each
    // array: shorter than a memory page).
    const positions = stateOf(heap).components.list[0]!.position.byteLength;
    expect(positions).toBeLessThan(4096);
    expect(heap.stats().bytes - before).toBe(4 * 64 + 4 * 64 + 2 * positions);
    heap.verify();
  });

  it('leaves the handles past its count alone, even one of an object found dead in a sweep', () => {
    const heap = new Heap({ initialCapacity: 8 });
    const C = heap.defineComponent({}, { name: 'C' });
    const root = heap.alloc(4);
    heap.pin(root);
    const kept = heap.alloc();
    heap.set(root, 0, kept);
    heap.add(kept, C);
    const garbage = Array.from({ length: 6 }, () => heap.alloc());
    for (const ref of garbage) heap.add(ref, C);
    heap.tenure(); // all old: only a major cycle finds the garbage dead
    while (heap.phase !== 'sweep') heap.step(1); // the sweep has begun, none of its dead freed yet
    expect(sorted(heap.query(C))).toEqual([heap.index(kept)]); // drops the dead for this cycle
    const joining = heap.alloc();
    heap.set(root, 1, joining);
    // A reused array: past the count, the handle of an object that died.
    const wave = new Float64Array([joining, garbage[0]!]) as RefArray;
    heap.addMany(wave, C, 1);
    expect(sorted(heap.query(C))).toEqual(sorted([heap.index(kept), heap.index(joining)]));
    heap.verify();
    while (!heap.step(2));
    expect(sorted(heap.query(C))).toEqual(sorted([heap.index(kept), heap.index(joining)]));
    heap.verify();
  });
});

describe('an object with components in more than one mask word', () => {
  it('keeps what it was not asked to remove, and its death or destroy runs the hooks of exactly those', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 69 }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.boolean(),
        (ids, removals, destroy) => {
          const ran: number[] = [];
          const heap = new Heap({ initialCapacity: 8, maxObjects: 64 });
          // 70 components, three words of masks; each has a hook saying its id.
          const components = Array.from(
            { length: 70 },
            (_, k) => heap.defineComponent({ v: 'u8' }, { name: `C${k}`, onRemove: () => ran.push(k) }),
          );
          const o = heap.alloc();
          const index = heap.index(o);
          const other = heap.alloc();
          heap.pin(other);
          heap.add(other, components[ids[0]!]!);
          for (const k of ids) heap.add(o, components[k]!, { v: k });
          const left = new Set(ids);
          for (const r of removals) {
            const k = ids[r % ids.length]!;
            heap.remove(o, components[k]!);
            if (left.delete(k)) expect(ran.pop()).toBe(k);
            heap.verify();
          }
          expect(ran).toEqual([]);
          for (let k = 0; k < 70; k++) {
            expect(heap.has(o, components[k]!)).toBe(left.has(k));
            if (left.has(k)) expect(heap.getField(o, components[k]!, 'v')).toBe(k);
          }
          if (destroy) heap.destroy(o);
          else heap.collect(); // o is garbage: it dies, and its hooks run in the finalizer phase
          expect(sorted(ran)).toEqual(sorted([...left]));
          for (const c of components) expect(heap.query(c).includes(index)).toBe(false);
          expect(heap.has(other, components[ids[0]!]!)).toBe(true);
          heap.verify();
        },
      ),
      { numRuns: fcRuns(80) },
    );
  });

  it('runs the hook of a later word below the bit of an earlier one (ids 5 and 33), and of one only in a later word', () => {
    const ran: number[] = [];
    const heap = new Heap();
    const components = Array.from(
      { length: 40 },
      (_, k) => heap.defineComponent({}, { name: `C${k}`, onRemove: () => ran.push(k) }),
    );
    const a = heap.alloc();
    heap.add(a, components[5]!);
    heap.add(a, components[33]!);
    const b = heap.alloc();
    heap.add(b, components[34]!);
    heap.destroy(a);
    expect(ran).toEqual([5, 33]);
    heap.destroy(b);
    expect(ran).toEqual([5, 33, 34]);
    heap.verify();
  });
});

describe('cached queries', () => {
  /** A heap of `n` components and objects each with a random set of them (`sets`). */
  function world(n: number, sets: number[][]) {
    const heap = new Heap({ initialCapacity: 8, maxObjects: 256 });
    const components = Array.from({ length: n }, (_, k) => heap.defineComponent({}, { name: `C${k}` }));
    const refs = sets.map((set) => {
      const ref = heap.alloc();
      for (const k of set) heap.add(ref, components[k]!);
      return ref;
    });
    return { heap, components, refs };
  }

  /** Queries as term lists: component ids, and negated ones as `~id`. */
  const terms = (w: ReturnType<typeof world>, spec: string) =>
    spec.split(' ').map((t) => t.startsWith('~') ? not(w.components[Number(t.slice(1))]!) : w.components[Number(t)]!);

  // Pairs whose ids, written without separators, read alike: 1,23 and 1,2,3; 1 !2 and 12; 12 !3 and 1 !23.
  const specs = [
    '1 23',
    '1 2 3',
    '1 ~2',
    '12',
    '12 ~3',
    '1 ~23',
    '0 ~1 ~23',
    '0 ~1 ~2 ~3',
    '0 ~12 ~3',
    '0 ~1 ~2',
  ];

  it('answer each set of terms with its own members, even sets whose ids concatenate alike', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uniqueArray(fc.integer({ min: 0, max: 23 }), { maxLength: 6 }), { maxLength: 12 }),
        fc.array(fc.constantFrom(...specs.keys()), { minLength: 1, maxLength: 16 }),
        (sets, asked) => {
          // Objects that tell the colliding queries apart, then the random ones.
          const w = world(24, [[1, 23], [1, 2, 3], [1], [12], [12, 23], [0, 2], [0], [0, 23], ...sets]);
          for (const at of asked) {
            const spec = specs[at]!;
            const all = spec.split(' ').filter((t) => !t.startsWith('~')).map(Number);
            const none = spec.split(' ').filter((t) => t.startsWith('~')).map((t) => Number(t.slice(1)));
            const expected = w.refs.filter((ref) =>
              all.every((k) => w.heap.has(ref, w.components[k]!)) &&
              none.every((k) => !w.heap.has(ref, w.components[k]!))
            );
            expect(sorted(w.heap.query(...terms(w, spec))), spec).toEqual(sorted(expected.map((r) => w.heap.index(r))));
          }
          w.heap.verify();
        },
      ),
      { numRuns: fcRuns(40) },
    );
  });

  it('keep one cache per set of terms, whatever their order: asked in another order, the same array and no more bytes', () => {
    const w = world(12, [[5, 6, 7], [5, 6, 7, 9], [5, 6, 7, 10, 11], [6, 7], [5, 7, 9, 10, 11]]);
    const orders = [[5, 6, 7], [5, 7, 6], [6, 5, 7], [6, 7, 5], [7, 5, 6], [7, 6, 5]];
    const nots = [[9, 10, 11], [9, 11, 10], [10, 9, 11], [10, 11, 9], [11, 9, 10], [11, 10, 9]];
    const query = (all: number[], none: number[]) =>
      w.heap.query(...all.map((k) => w.components[k]!), ...none.map((k) => not(w.components[k]!)));
    const first = query(orders[0]!, nots[0]!);
    expect(sorted(first)).toEqual([w.heap.index(w.refs[0]!)]);
    const bytes = w.heap.stats().bytes;
    for (const all of orders) {
      for (const none of nots) expect(query(all, none)).toBe(first);
    }
    const withAll = query(orders[0]!, []);
    expect(sorted(withAll)).toEqual(sorted([0, 1, 2].map((k) => w.heap.index(w.refs[k]!))));
    const moreBytes = w.heap.stats().bytes;
    expect(moreBytes).toBeGreaterThan(bytes); // a new set of terms: a new cache
    for (const all of orders) expect(query(all, [])).toBe(withAll);
    expect(w.heap.stats().bytes).toBe(moreBytes);
    w.heap.verify();
  });
});
