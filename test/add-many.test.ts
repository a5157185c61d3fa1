import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Heap, not, NULL, type Ref, type RefArray, StaleRefError } from '../mod.ts';

/**
 * A heap with four kinds of component: plain, with a weakref field, with an onRemove hook, and a
 * tag; with `others`, that many more defined (past four, the heap keeps component masks).
 */
function world(removed: Ref[], others = 0) {
  const heap = new Heap({ initialCapacity: 4, nurserySize: 8 });
  for (let k = 0; k < others; k++) heap.defineComponent({ n: 'u8' }, { name: `Other${k}` });
  const Position = heap.defineComponent({ x: 'f32', v: ['i16', 3] }, { name: 'Position' });
  const Target = heap.defineComponent({ target: 'weakref', since: 'u32' }, { name: 'Target' });
  const Sound = heap.defineComponent({ buffer: 'u32' }, { name: 'Sound', onRemove: (ref) => removed.push(ref) });
  const Tag = heap.defineComponent({}, { name: 'Tag' });
  return { heap, components: [Position, Target, Sound, Tag] as const };
}

type World = ReturnType<typeof world>;

/** What a program can see of one object's membership in every component, and the fields it reads. */
function seen(w: World, refs: Ref[]): unknown[] {
  const [Position, Target, Sound, Tag] = w.components;
  return refs.map((ref) => {
    if (!w.heap.isAlive(ref)) return 'dead';
    const i = w.heap.index(ref);
    return [
      w.heap.has(ref, Position) ? [Position.x[i], ...Position.v.subarray(3 * i, 3 * i + 3)] : null,
      w.heap.has(ref, Target) ? [w.heap.getField(ref, Target, 'target'), Target.since[i]] : null,
      w.heap.has(ref, Sound) ? Sound.buffer[i] : null,
      w.heap.has(ref, Tag),
    ];
  });
}

/** Every query a game might hold, as sorted member lists (the order of a query is not part of the contract). */
function queries(w: World): number[][] {
  const [Position, Target, Sound, Tag] = w.components;
  const sorted = (a: ArrayLike<number>) => Array.from(a).sort((x, y) => x - y);
  return [
    sorted(w.heap.query(Position)),
    sorted(w.heap.query(Target)),
    sorted(w.heap.query(Sound)),
    sorted(w.heap.query(Tag)),
    sorted(w.heap.query(Position, Tag)),
    sorted(w.heap.query(Tag, not(Position))),
    sorted(w.heap.query(Sound, not(Target))),
  ];
}

/** `stats()` without its clock readings (pause times differ between any two heaps). */
function counts(w: World): Record<string, unknown> {
  return Object.fromEntries(Object.entries(w.heap.stats()).filter(([key]) => !key.endsWith('Ms')));
}

const setUpOp = fc.oneof(
  fc.record({ op: fc.constant('alloc' as const), keep: fc.boolean() }),
  fc.record({
    op: fc.constant('add' as const),
    obj: fc.nat(),
    component: fc.integer({ min: 0, max: 3 }),
    value: fc.integer({ min: -100, max: 100 }),
  }),
  fc.record({ op: fc.constant('remove' as const), obj: fc.nat(), component: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ op: fc.constant('collect' as const) }),
  fc.record({ op: fc.constant('minor' as const) }),
  fc.record({ op: fc.constant('step' as const) }),
);
type SetUpOp = typeof setUpOp extends fc.Arbitrary<infer T> ? T : never;

/** Runs the same set-up on a world; returns the handles it made (some may be dead by the end). */
function setUp(w: World, ops: SetUpOp[]): Ref[] {
  const made: Ref[] = [];
  const holder = w.heap.alloc(64);
  w.heap.pin(holder);
  let held = 0;
  for (const o of ops) {
    const live = made.filter((r) => w.heap.isAlive(r));
    if (o.op === 'alloc') {
      const r = w.heap.alloc(0);
      made.push(r);
      if (o.keep) w.heap.set(holder, held++ % 64, r);
    } else if (o.op === 'add' && live.length > 0) {
      const r = live[o.obj % live.length]!;
      const c = w.components[o.component]!;
      if (c === w.components[0]) w.heap.add(r, c, { x: o.value, v: [o.value, -o.value, 1] });
      else if (c === w.components[1]) w.heap.add(r, c, { target: live[0]!, since: o.value & 0xff });
      else if (c === w.components[2]) w.heap.add(r, c, { buffer: o.value & 0xff });
      else w.heap.add(r, c);
    } else if (o.op === 'remove' && live.length > 0) {
      w.heap.remove(live[o.obj % live.length]!, w.components[o.component]!);
    } else if (o.op === 'collect') {
      w.heap.collect();
    } else if (o.op === 'minor') {
      if (w.heap.phase === 'idle') w.heap.minor();
    } else if (o.op === 'step') {
      w.heap.step(3);
    }
  }
  // Queries made before the wave, so that adding refreshes them.
  queries(w);
  return made;
}

describe('addMany', () => {
  it('does what add does for each handle: members, fields, queries, hooks, stats, verify()', () => {
    fc.assert(
      fc.property(
        fc.array(setUpOp, { minLength: 1, maxLength: 40 }),
        fc.array(fc.nat(), { minLength: 0, maxLength: 30 }),
        fc.integer({ min: 0, max: 3 }),
        fc.constantFrom('RefArray', 'array'),
        fc.nat(),
        fc.constantFrom(0, 30), // 30 others: masks, the four in the first word and the second
        (ops, picks, component, form, cut, others) => {
          const removedA: Ref[] = [];
          const removedB: Ref[] = [];
          const a = world(removedA, others);
          const b = world(removedB, others);
          const made = setUp(a, ops);
          expect(setUp(b, ops)).toEqual(made);
          const live = made.filter((r) => a.heap.isAlive(r));
          if (live.length === 0) return;
          // Duplicates, members already, in any order; `count` may stop short of the end.
          const wave = picks.map((p) => live[p % live.length]!);
          const count = wave.length === 0 ? 0 : cut % (wave.length + 1);
          const refs = form === 'RefArray' ? Float64Array.from(wave) as RefArray : wave;
          a.heap.addMany(refs, a.components[component]!, count);
          for (let k = 0; k < count; k++) b.heap.add(wave[k]!, b.components[component]!);
          expect(seen(a, made)).toEqual(seen(b, made));
          expect(queries(a)).toEqual(queries(b));
          expect(counts(a)).toEqual(counts(b));
          a.heap.verify();
          // Later collections see the same heap: the same objects freed, the same hooks run.
          a.heap.collect();
          b.heap.collect();
          expect(removedA).toEqual(removedB);
          expect(seen(a, made)).toEqual(seen(b, made));
          expect(queries(a)).toEqual(queries(b));
          a.heap.verify();
        },
      ),
      { numRuns: 100 },
    );
  });

  it('takes every handle when count is left out, and nothing for count 0', () => {
    const w = world([]);
    const [Position, , , Tag] = w.components;
    const wave = w.heap.allocMany(5);
    w.heap.addMany(wave, Position, 0);
    expect(w.heap.query(Position).length).toBe(0);
    w.heap.addMany(wave, Tag);
    expect(Array.from(w.heap.query(Tag)).sort()).toEqual(Array.from(wave, (r) => w.heap.index(r)).sort());
    w.heap.verify();
  });

  it('adds nothing when a handle is bad, naming it, and reads an array-like once before checking', () => {
    const w = world([]);
    const [Position, Target] = w.components;
    const wave = w.heap.allocMany(4);
    const stale = w.heap.alloc(0);
    w.heap.collect(); // nothing is pinned: every object above is freed
    const fresh = w.heap.allocMany(3);
    expect(w.heap.query(Position).length + w.heap.query(Target).length).toBe(0);
    const before = counts(w);
    for (
      const [refs, message] of [
        [[fresh[0]!, NULL, fresh[1]!], /refs\[1\] 0 is NULL/],
        [[fresh[0]!, stale], /refs\[1\] .* is stale/],
        [Float64Array.from([fresh[0]!, fresh[1]!, wave[2]!]), /refs\[2\] .* is stale/],
        [[fresh[0]!, 'x'], /refs\[1\] 'x' \(a string\) is not a handle/],
        // The first bad entry is named, whatever comes after it (the fuzz test met a string after a stale one).
        [[fresh[0]!, stale, 'x'], /refs\[1\] .* is stale/],
      ] as const
    ) {
      expect(() => w.heap.addMany(refs as unknown as Ref[], Position)).toThrow(StaleRefError);
      expect(() => w.heap.addMany(refs as unknown as Ref[], Position)).toThrow(message);
    }
    expect(() => w.heap.addMany(null as unknown as Ref[], Position)).toThrow(
      /refs must be an array of handles, got null/,
    );
    expect(() => w.heap.addMany(fresh, Position, 4)).toThrow(/count/);
    expect(() => w.heap.addMany(fresh, Position, -1)).toThrow(/count/);
    expect(() => w.heap.addMany(fresh, Position, 1.5)).toThrow(/count/);
    expect(() => w.heap.addMany(fresh, {} as typeof Position)).toThrow(TypeError);
    expect(w.heap.query(Position).length).toBe(0);
    expect(counts(w)).toEqual(before);
    // A getter that destroys an object named earlier in the list: read first, then checked.
    const sneaky = {
      length: 2,
      0: fresh[0]!,
      get 1() {
        w.heap.destroy(fresh[0]!);
        return fresh[1]!;
      },
    };
    expect(() => w.heap.addMany(sneaky as unknown as ArrayLike<Ref>, Target)).toThrow(/refs\[0\] .* destroyed/);
    expect(w.heap.query(Target).length).toBe(0);
    // The same through a Proxy of a RefArray (which `instanceof Float64Array` does not tell apart).
    const more = w.heap.allocMany(2);
    let reads = 0;
    const proxy = new Proxy(more, {
      get(target, key) {
        if (key === '1' && reads++ === 1) w.heap.destroy(more[0]!);
        const value = Reflect.get(target, key);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    expect(proxy instanceof Float64Array).toBe(true);
    w.heap.addMany(proxy, Target); // read once into a copy: the destroy comes after every check and add
    expect(w.heap.has(more[1]!, Target)).toBe(true);
    expect(w.heap.isAlive(more[0]!)).toBe(true);
    w.heap.verify();
  });
});
