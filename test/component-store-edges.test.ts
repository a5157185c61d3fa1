/**
 * Edges of the component store (src/core/component-store.ts) seen through the public `Heap` API:
 * what `reserve` does to component data already written, which fields become columns and how
 * large one may be, `weakref` fields of old objects in a minor, a heap of exactly
 * `FEW_COMPONENTS` components in a snapshot, the schema check of `heap.component(name, schema)`, and
 * numeric fields of every type (stored as their typed array stores, zero again when re-added).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Heap, not, NULL, type Ref } from '../mod.ts';
import { fcRuns } from './runs.ts';
import { errorOf } from './naming.ts';
import { storedAs } from './model.ts';

const sorted = (a: ArrayLike<number>) => Array.from(a).sort((x, y) => x - y);

describe('reserve and the component data already written', () => {
  it('keeps every array field of the objects in use when it commits fresh indices', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -1000, max: 1000 }), fc.boolean()), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 300 }),
        (objects, extra) => {
          const heap = new Heap({ initialCapacity: 4, maxObjects: 1024 });
          const Body = heap.defineComponent({ v: ['f32', 3], hp: 'i16' }, { name: 'Body' });
          const Links = heap.defineComponent({ to: ['ref', 2], seen: ['weakref', 3] }, { name: 'Links' });
          const root = heap.alloc();
          heap.pin(root);
          const made: { ref: Ref; value: number; target: Ref }[] = [];
          const linkedOf = new Map<Ref, boolean>();
          for (const [value, linked] of objects) {
            const ref = heap.alloc();
            heap.add(ref, Body, { v: [value, value + 1, value + 2], hp: value });
            const target = heap.alloc(); // kept alive only by `ref`'s strong field
            heap.add(ref, Links);
            heap.setField(ref, Links, 'to', target, 1);
            heap.setField(ref, Links, 'seen', linked ? root : target, 2);
            heap.pin(ref);
            made.push({ ref, value, target });
            linkedOf.set(ref, linked);
          }
          heap.reserve(Math.min(1024, 2 * objects.length + 2 + extra)); // past every index in use
          heap.verify();
          heap.collect();
          for (const { ref, value, target } of made) {
            const i = heap.index(ref);
            expect(Array.from(Body.v.subarray(3 * i, 3 * i + 3))).toEqual([value, value + 1, value + 2]);
            expect(Body.hp[i]).toBe(value);
            expect(heap.isAlive(target)).toBe(true);
            expect(heap.getField(ref, Links, 'to', 1)).toBe(target);
            expect(heap.getField(ref, Links, 'to', 0)).toBe(NULL);
            expect(heap.getField(ref, Links, 'seen', 2)).toBe(linkedOf.get(ref) ? root : target);
          }
          heap.verify();
        },
      ),
      { numRuns: fcRuns(40) },
    );
  });

  it('never shrinks a member list or a cached query list, whatever room it is asked for', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.boolean()), { minLength: 0, maxLength: 120 }),
        fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 0, max: 30 }),
        (objects, reserves, later) => {
          const heap = new Heap({ initialCapacity: 4 });
          const A = heap.defineComponent({ x: 'f32' }, { name: 'A' });
          const B = heap.defineComponent({}, { name: 'B' });
          const model = new Map<Ref, [boolean, boolean]>();
          const spawn = (a: boolean, b: boolean) => {
            const ref = heap.alloc();
            heap.pin(ref);
            if (a) heap.add(ref, A, { x: 1 });
            if (b) heap.add(ref, B);
            model.set(ref, [a, b]);
          };
          for (const [a, b] of objects) spawn(a, b);
          // Queries made before the reserve: their lists hold members already.
          heap.query(A);
          heap.query(A, B);
          heap.query(B, not(A));
          for (const room of reserves) {
            heap.reserve(room);
            heap.verify();
          }
          for (let k = 0; k < later; k++) spawn(k % 2 === 0, k % 3 === 0);
          const expected = (keep: (a: boolean, b: boolean) => boolean) =>
            sorted([...model].filter(([, [a, b]]) => keep(a, b)).map(([ref]) => heap.index(ref)));
          for (const [ref, [a, b]] of model) {
            expect(heap.has(ref, A)).toBe(a);
            expect(heap.has(ref, B)).toBe(b);
          }
          expect(sorted(heap.query(A))).toEqual(expected((a) => a));
          expect(sorted(heap.query(A, B))).toEqual(expected((a, b) => a && b));
          expect(sorted(heap.query(B, not(A)))).toEqual(expected((a, b) => b && !a));
          heap.verify();
        },
      ),
      { numRuns: fcRuns(60) },
    );
  });
});

describe('reserve and the arrays query hands out', () => {
  it('keeps handing out the same query array after a reserve of no more room than its list has', () => {
    const heap = new Heap({ initialCapacity: 4 });
    const A = heap.defineComponent({ x: 'f32' }, { name: 'A' });
    const B = heap.defineComponent({}, { name: 'B' });
    for (let k = 0; k < 10; k++) {
      const ref = heap.alloc();
      heap.pin(ref);
      heap.add(ref, A);
      if (k % 2 === 0) heap.add(ref, B);
    }
    const one = heap.query(A);
    const two = heap.query(A, not(B));
    expect(heap.query(A)).toBe(one);
    for (const room of [16, 0, 10, 16]) { // lists start with room for 16
      heap.reserve(room);
      expect(heap.query(A)).toBe(one);
      expect(heap.query(A, not(B))).toBe(two);
    }
    heap.reserve(100);
    const grown = heap.query(A);
    expect(Array.from(grown)).toEqual(Array.from(one));
    heap.reserve(100);
    expect(heap.query(A)).toBe(grown);
    heap.verify();
  });
});

describe('reference fields', () => {
  it('are kept by the heap: neither a ref nor a weakref field becomes a column of the component', () => {
    const heap = new Heap({ maxObjects: 100 });
    const Link = heap.defineComponent(
      { x: 'f32', strong: 'ref', weak: 'weakref', many: ['weakref', 2], v: ['u8', 2] },
      { name: 'Link' },
    );
    expect(Object.keys(Link).sort()).toEqual(['id', 'name', 'schema', 'v', 'x']);
    expect('weak' in Link).toBe(false);
    expect('many' in Link).toBe(false);
    expect(Link.x.length).toBe(101);
  });

  it("are not held to the numeric columns' 1 GiB limit: they grow with the heap instead", () => {
    const heap = new Heap(); // maxObjects 2^22 - 1: a numeric ['u32', 1024] column would take 16 GiB
    expect(() => heap.defineComponent({ m: ['u32', 1024] }, { name: 'Numbers' })).toThrow(RangeError);
    const Seen = heap.defineComponent({ at: ['weakref', 1024] }, { name: 'Seen' });
    const Held = heap.defineComponent({ at: ['ref', 1024] }, { name: 'Held' });
    const a = heap.alloc();
    heap.pin(a);
    const b = heap.alloc();
    heap.add(a, Seen);
    heap.add(a, Held);
    heap.setField(a, Seen, 'at', b, 1023);
    heap.setField(a, Held, 'at', b, 1023);
    heap.collect();
    expect(heap.getField(a, Seen, 'at', 1023)).toBe(b);
    heap.setField(a, Held, 'at', NULL, 1023);
    heap.collect();
    expect(heap.isAlive(b)).toBe(false);
    expect(heap.getField(a, Seen, 'at', 1023)).toBe(NULL);
    heap.verify();
  });

  it("weakref: an old object's field keeps no young target alive through a minor, and reads NULL after", () => {
    const heap = new Heap({ maxObjects: 1000 });
    const Seen = heap.defineComponent({ at: ['weakref', 2], held: 'ref' }, { name: 'Seen' });
    const owner = heap.alloc();
    heap.pin(owner);
    heap.add(owner, Seen);
    heap.collect();
    heap.collect(); // the owner is old now
    const young = heap.alloc();
    const kept = heap.alloc();
    heap.setField(owner, Seen, 'at', young, 1);
    heap.setField(owner, Seen, 'held', kept);
    expect(heap.stats().dirtyCards).toBe(1);
    heap.verify();
    heap.minor();
    expect(heap.isAlive(young)).toBe(false);
    expect(heap.isAlive(kept)).toBe(true);
    expect(heap.getField(owner, Seen, 'at', 1)).toBe(NULL);
    heap.verify();
  });
});

describe('numeric column size limit', () => {
  // For each numeric type an array length whose column passes 1 GiB at a maxObjects below 2^24.
  const cases: [string, number, number][] = [
    ['u8', 100, 1],
    ['i8', 65, 1],
    ['u16', 33, 2],
    ['i16', 40, 2],
    ['u32', 17, 4],
    ['i32', 20, 4],
    ['f32', 24, 4],
    ['f64', 9, 8],
  ];
  for (const [type, length, bytesPerElement] of cases) {
    it(`refuses a ['${type}', ${length}] field just past 1 GiB at maxObjects, naming its size`, () => {
      const entries = Math.floor(2 ** 30 / (length * bytesPerElement)) + 1; // maxObjects + 1
      const heap = new Heap({ indexBits: 24, maxObjects: entries - 1 });
      const mib = Math.ceil((entries * length * bytesPerElement) / 2 ** 20);
      const error = errorOf(() => heap.defineComponent({ m: [type, length] } as never, { name: 'Big' }));
      expect(error).toBeInstanceOf(RangeError);
      expect(error.message).toMatch(
        new RegExp(`^field 'm' of component 'Big' needs a column of ${mib} MiB for maxObjects ${entries - 1} `),
      );
      expect(heap.component('Big')).toBeUndefined();
      heap.verify();
    });
  }
});

describe('a heap of exactly four components (the most without masks)', () => {
  it('survives restore and load, counting the same bytes', () => {
    const heap = new Heap({ initialCapacity: 4 });
    const A = heap.defineComponent({ x: 'f32' }, { name: 'A' });
    const B = heap.defineComponent({ to: 'weakref' }, { name: 'B' });
    const C = heap.defineComponent({}, { name: 'C' });
    const D = heap.defineComponent({ v: ['u8', 2] }, { name: 'D' });
    const refs: Ref[] = [];
    for (let k = 0; k < 20; k++) {
      const ref = heap.alloc();
      heap.pin(ref);
      if (k % 2 === 0) heap.add(ref, A, { x: k });
      if (k % 3 === 0) heap.add(ref, B);
      if (k % 5 === 0) heap.add(ref, C);
      heap.add(ref, D, { v: [k, 1] });
      refs.push(ref);
    }
    const bytes = heap.snapshot();
    const restored = Heap.restore(bytes);
    restored.verify();
    expect(restored.stats().bytes).toBe(heap.stats().bytes);
    expect(restored.query(restored.component('A')!).length).toBe(10);
    expect(restored.query(restored.component('C')!).length).toBe(4);
    heap.remove(refs[0]!, A);
    heap.load(bytes);
    heap.verify();
    expect(heap.has(refs[0]!, A)).toBe(true);
    expect(sorted(heap.query(A, C))).toEqual(sorted([0, 10].map((k) => heap.index(refs[k]!))));
    // The fifth starts the masks, built from the lists the load gave back.
    const E = heap.defineComponent({}, { name: 'E' });
    heap.add(refs[1]!, E);
    heap.verify();
    expect(Array.from(heap.query(E, B, not(A)))).toEqual([]);
    expect(Array.from(heap.query(E, D))).toEqual([heap.index(refs[1]!)]);
  });
});

// ---- heap.component(name, schema): schemaDifference -----------------------------------------

const NUMERIC = ['f32', 'f64', 'i8', 'i16', 'i32', 'u8', 'u16', 'u32'] as const;
const TYPES = [...NUMERIC, 'ref', 'weakref'] as const;
type Type = (typeof TYPES)[number];
type Spec = Type | readonly [Type, number];

/** How the documentation spells a field: `'f32'` and `['f32', 1]` are the same field. */
function text(type: Type, length: number): string {
  return length === 1 ? `'${type}'` : `['${type}', ${length}]`;
}

const fieldArb = fc.record({
  type: fc.constantFrom(...TYPES),
  length: fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 4 })),
  asArray: fc.boolean(),
});
type Field = { type: Type; length: number; asArray: boolean };

function specOf(f: Field, asArray = f.asArray): Spec {
  return f.length === 1 && !asArray ? f.type : [f.type, f.length];
}

/** A schema of fields `f0` .. (at least one), defined in a heap as `Thing`, with some other spelling of it. */
const schemaCase = fc
  .array(fieldArb, { minLength: 1, maxLength: 5 })
  .chain((fields) =>
    fc.record({
      fields: fc.constant(fields),
      respelled: fc.array(fc.boolean(), { minLength: fields.length, maxLength: fields.length }),
      order: fc.shuffledSubarray(fields.map((_, k) => k), { minLength: fields.length, maxLength: fields.length }),
      at: fc.integer({ min: 0, max: fields.length - 1 }),
      change: fc.constantFrom('type', 'length', 'drop', 'add'),
      otherType: fc.constantFrom(...TYPES),
      otherLength: fc.integer({ min: 1, max: 5 }),
    })
  );

describe('heap.component(name, schema)', () => {
  it('matches a schema with the same fields, types and lengths in any order and spelling, and names the first difference', () => {
    fc.assert(
      fc.property(schemaCase, (c) => {
        const heap = new Heap({ maxObjects: 64 });
        const schema = Object.fromEntries(c.fields.map((f, k) => [`f${k}`, specOf(f)]));
        const Thing = heap.defineComponent(schema, { name: 'Thing' });
        // The same schema, written afresh (new arrays), in another order, each field spelled either way.
        const same: Record<string, Spec> = {};
        for (const k of c.order) {
          const f = c.fields[k]!;
          same[`f${k}`] = specOf(f, f.length === 1 ? c.respelled[k]! : true);
        }
        expect(heap.component('Thing', same)).toBe(Thing);
        // One difference at field `at` (or one field too many).
        const changed: Record<string, unknown> = { ...same };
        const f = c.fields[c.at]!;
        const name = `f${c.at}`;
        let message: string;
        if (c.change === 'type' || c.change === 'length') {
          const type = c.change === 'type'
            ? (c.otherType === f.type ? TYPES[(TYPES.indexOf(f.type) + 1) % TYPES.length]! : c.otherType)
            : f.type;
          const length = c.change === 'length' ? (c.otherLength === f.length ? f.length + 1 : c.otherLength) : f.length;
          changed[name] = c.respelled[c.at] || length !== 1 ? [type, length] : type;
          message = `has field '${name}' of type ${text(f.type, f.length)}, not ${text(type, length)}`;
        } else if (c.change === 'drop') {
          delete changed[name];
          message = `has field '${name}', which the schema given lacks`;
        } else {
          changed.extra = c.otherLength === 1 ? c.otherType : [c.otherType, c.otherLength];
          message = `has no field 'extra'`;
        }
        const error = errorOf(() => heap.component('Thing', changed as never));
        expect(error).toBeInstanceOf(TypeError);
        expect(error.message).toBe(`component 'Thing' ${message}`);
        heap.verify();
      }),
      { numRuns: fcRuns(100) },
    );
  });

  it("treats 'f32' and ['f32', 1] as one spelling, and ['f32', 2] as another field", () => {
    const heap = new Heap({ maxObjects: 64 });
    const Body = heap.defineComponent({ x: 'f32', v: ['f32', 2], w: ['i8', 1] }, { name: 'Body' });
    expect(heap.component('Body', { x: ['f32', 1], v: ['f32', 2], w: 'i8' })).toBe(Body);
    expect(errorOf(() => heap.component('Body', { x: 'f32', v: ['f32', 3], w: 'i8' })).message).toBe(
      "component 'Body' has field 'v' of type ['f32', 2], not ['f32', 3]",
    );
    expect(errorOf(() => heap.component('Body', { x: 'f64', v: ['f32', 2], w: 'i8' })).message).toBe(
      "component 'Body' has field 'x' of type 'f32', not 'f64'",
    );
    expect(errorOf(() => heap.component('Body', { x: 'f32', v: 'f32', w: 'i8' })).message).toBe(
      "component 'Body' has field 'v' of type ['f32', 2], not 'f32'",
    );
    expect(errorOf(() => heap.component('Body', { x: 'f32', v: ['f32', 2], w: ['u8', 1] })).message).toBe(
      "component 'Body' has field 'w' of type 'i8', not 'u8'",
    );
  });

  it('names a field given as something that is no field spec', () => {
    const heap = new Heap({ maxObjects: 64 });
    heap.defineComponent({ x: 'f32' }, { name: 'Body' });
    for (
      const [given, shown] of [[3, '3'], [null, 'null'], [{}, 'an object ([object Object])']] as const
    ) {
      const error = errorOf(() => heap.component('Body', { x: given } as never));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toBe(
        `component 'Body' has field 'x' of type 'f32', not ${shown}, which is no field type (a type such as 'f32', or ['f32', length])`,
      );
    }
  });

  it('refuses a schema that is not an object of fields, for a tag too', () => {
    const heap = new Heap({ maxObjects: 64 });
    const Tag = heap.defineComponent({}, { name: 'Tag' });
    heap.defineComponent({ x: 'f32' }, { name: 'Body' });
    expect(heap.component('Tag', {})).toBe(Tag);
    expect(heap.component('Tag')).toBe(Tag);
    for (const name of ['Tag', 'Body']) {
      for (const given of [3, 'f32', null, [], ['f32'], true]) {
        const error = errorOf(() => heap.component(name, given as never));
        expect(error).toBeInstanceOf(TypeError);
        expect(error.message).toBe(`component '${name}' was asked for with a schema that is not an object of fields`);
      }
    }
    expect(heap.component('Other', 3 as never)).toBeUndefined();
    heap.verify();
  });
});

// ---- every column type: stored as its typed array stores, zero again on joining --------------

describe('numeric fields of every type', () => {
  it('a store or a zeroing never reaches the next element: the next object keeps its values', () => {
    for (const type of NUMERIC) {
      for (const length of [1, 3]) {
        const heap = new Heap();
        const C = heap.defineComponent({ a: [type, length] }, { name: 'C' });
        const [o0, o1, o2] = [heap.alloc(), heap.alloc(), heap.alloc()];
        for (const o of [o0, o1, o2]) heap.pin(o);
        const valuesOf = (o: Ref) => Array.from({ length }, (_, e) => heap.getField(o, C, 'a', e));
        const seven = Array.from({ length }, (_, e) => 7 + e);
        // Each object's elements lie right after the previous object's: o1's after o0's, o2's after o1's.
        heap.add(o1, C, { a: seven } as never);
        heap.add(o2, C, { a: seven } as never);
        const label = `${type} x ${length}`;
        heap.add(o0, C); // zeroes o0's elements
        expect(valuesOf(o1), `${label}: add`).toEqual(seven);
        heap.setField(o0, C, 'a', 3, length - 1); // o0's last element
        expect(valuesOf(o1), `${label}: setField`).toEqual(seven);
        heap.remove(o1, C);
        heap.addMany(new Float64Array([o1]) as never, C); // zeroes o1's elements
        expect(valuesOf(o2), `${label}: addMany`).toEqual(seven);
        heap.remove(o1, C);
        heap.add(o1, C, { a: seven.map((v) => v + 1) } as never);
        expect(valuesOf(o2), `${label}: add with init`).toEqual(seven);
        expect(valuesOf(o0), `${label}: the object before`).toEqual([...Array(length - 1).fill(0), 3]);
        heap.verify();
      }
    }
  });

  it('hold what their typed array stores, and read zero again when the component joins anew (add, addMany)', () => {
    const valueArb = fc.oneof(
      fc.integer({ min: -70000, max: 70000 }),
      fc.double({ noNaN: false }),
      fc.constantFrom(2 ** 32 + 5, -(2 ** 31) - 1, 0.5, -0.5, 255.7),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...NUMERIC), fc.integer({ min: 1, max: 3 })), { minLength: 5, maxLength: 9 }),
        fc.array(valueArb, { minLength: 30, maxLength: 30 }),
        fc.array(fc.constantFrom('add', 'addMany', 'set'), { minLength: 1, maxLength: 6 }),
        (fields, values, steps) => {
          // Past `FEW_COMPONENTS` components (masks on), with columns of several types each.
          const heap = new Heap({ maxObjects: 256 });
          const components = fields.map(([type, length], k) =>
            heap.defineComponent({ a: [type, length], b: type }, { name: `C${k}` })
          );
          const objects = [heap.alloc(), heap.alloc(), heap.alloc()];
          for (const o of objects) heap.pin(o);
          let v = 0;
          const next = () => values[v++ % values.length]!;
          for (const step of steps) {
            components.forEach((C, k) => {
              const [type, length] = fields[k]!;
              for (const o of objects) {
                if (step === 'set') {
                  if (!heap.has(o, C)) continue;
                  const value = next();
                  heap.setField(o, C, 'b', value);
                  expect(heap.getField(o, C, 'b')).toBe(storedAs(type, value));
                  continue;
                }
                if (heap.has(o, C)) {
                  // Written, then removed: joining again, it reads zero.
                  const a = Array.from({ length }, next);
                  heap.setField(o, C, 'a', a[length - 1]!, length - 1);
                  heap.remove(o, C);
                }
              }
              if (step === 'add') {
                for (const o of objects) {
                  const a = Array.from({ length }, next);
                  const b = next();
                  heap.add(o, C, { a, b } as never);
                  for (let e = 0; e < length; e++) expect(heap.getField(o, C, 'a', e)).toBe(storedAs(type, a[e]!));
                  expect(heap.getField(o, C, 'b')).toBe(storedAs(type, b));
                }
              } else if (step === 'addMany') {
                heap.addMany(new Float64Array(objects) as never, C);
                for (const o of objects) {
                  for (let e = 0; e < length; e++) expect(heap.getField(o, C, 'a', e)).toBe(0);
                  expect(heap.getField(o, C, 'b')).toBe(0);
                }
              }
            });
            heap.verify();
          }
        },
      ),
      { numRuns: fcRuns(60) },
    );
  });
});
