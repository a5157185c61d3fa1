/**
 * The compiler's side of the API: branded handles, indices and tickets, field names typed from
 * the schema, components assignable to `Component`. Each `@ts-expect-error` line must fail to
 * compile (tsc and `deno check` run over test/ in `npm test`), and the rest must compile; the
 * run-time assertions check that the types describe what the calls really return.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type Component,
  type ComponentBase,
  Heap,
  type Index,
  type IndexArray,
  NULL,
  type Ref,
  type Ticket,
} from '../mod.ts';

describe('types', () => {
  it('tell handles, indices and tickets apart, and let each be used as a number', () => {
    const heap = new Heap();
    const a = heap.alloc(2);
    const i = heap.index(a);
    const ticket = heap.pin(a);
    expectTypeOf(a).toEqualTypeOf<Ref>();
    expectTypeOf(i).toEqualTypeOf<Index>();
    expectTypeOf(ticket).toEqualTypeOf<Ticket>();
    expectTypeOf(NULL).toEqualTypeOf<Ref>();
    // Mix-ups the compiler rejects (never run: at run time each of them would "work" today, which
    // is the bug: an index or a ticket equal to some live handle names that object).
    const mixUps = (): void => {
      // @ts-expect-error an index is not a handle: it would name whatever object takes the index next
      heap.get(i, 0);
      // @ts-expect-error a ticket is not a handle
      heap.set(a, 0, ticket);
      // @ts-expect-error a handle is not a ticket
      heap.unpin(a);
      // @ts-expect-error a plain number is not a handle
      heap.set(a, 0, 5);
      // @ts-expect-error nor is a handle an index
      heap.refAt(a);
    };
    expect(mixUps).toBeTypeOf('function');
    // Each is still a number where a number is wanted: arithmetic, comparisons, column indexing.
    const column = new Float32Array(8);
    column[i] = 1;
    expect(i * 2 + 1).toBe(3);
    expect(a > 0 && ticket > 0).toBe(true);
    expect(heap.refAt(i)).toBe(a);
    heap.set(a, 1, NULL);
    heap.unpin(ticket);
  });

  it('type query results as indices, read-only', () => {
    const heap = new Heap();
    const Position = heap.defineComponent({ x: 'f32' }, { name: 'Position' });
    heap.add(heap.alloc(), Position);
    const q = heap.query(Position);
    expectTypeOf(q).toEqualTypeOf<IndexArray>();
    expectTypeOf(q[0]!).toEqualTypeOf<Index>();
    for (const i of q) {
      expectTypeOf(i).toEqualTypeOf<Index>();
      expect(heap.refAt(i)).not.toBe(NULL);
    }
    // @ts-expect-error writing into a query's view would corrupt the query
    q[0] = 1;
    expect(q).toBeInstanceOf(Uint32Array);
  });

  it('check field names and value types against the schema', () => {
    const heap = new Heap();
    const Unit = heap.defineComponent({ hp: 'f32', target: 'ref', seen: 'weakref', aim: ['f32', 2] }, {
      name: 'Unit',
    });
    const a = heap.alloc();
    heap.add(a, Unit, { hp: 3, target: NULL, aim: [0, 1] });
    expectTypeOf(heap.getField(a, Unit, 'hp')).toEqualTypeOf<number>();
    expectTypeOf(heap.getField(a, Unit, 'target')).toEqualTypeOf<Ref>();
    expectTypeOf(heap.getField(a, Unit, 'seen')).toEqualTypeOf<Ref>();
    // @ts-expect-error no such field
    expect(() => heap.getField(a, Unit, 'nope')).toThrow(TypeError);
    // @ts-expect-error a ref field takes a handle, not a number
    expect(() => heap.setField(a, Unit, 'target', 7)).toThrow();
    // @ts-expect-error no such field in init either
    expect(() => heap.add(a, Unit, { speed: 1 })).toThrow(TypeError);
    // @ts-expect-error an array field takes an array
    expect(() => heap.add(a, Unit, { aim: 1 })).toThrow(RangeError);
    heap.setField(a, Unit, 'target', a);
    expect(heap.getField(a, Unit, 'target')).toBe(a);
    // Numeric columns are typed too; ref fields have no column.
    expectTypeOf(Unit.hp).toEqualTypeOf<Float32Array>();
    // @ts-expect-error ref fields are read and written through the heap (the barrier), never as columns
    expect(Unit.target).toBeUndefined();
  });

  it('let a typed component go wherever a component is expected', () => {
    const heap = new Heap();
    const Position = heap.defineComponent({ x: 'f32', y: 'f32' }, { name: 'Position' });
    const Tag = heap.defineComponent({}, { name: 'Tag' });
    const all: Component[] = [Position, Tag];
    const base: ComponentBase = Position;
    const names = (components: readonly Component[]): string[] => components.map((c) => c.name);
    expect(names(all)).toEqual(['Position', 'Tag']);
    expect(base.name).toBe('Position');
    // A component typed only as `Component` still works with every call, with untyped fields.
    const any: Component = Position;
    const a = heap.alloc();
    heap.add(a, any, { x: 1 });
    expectTypeOf(heap.getField(a, any, 'x')).toEqualTypeOf<number>();
    expect(heap.getField(a, any, 'x')).toBe(1);
  });

  it('type a component found by name when its schema is given, and check that schema', () => {
    const heap = new Heap();
    heap.defineComponent({ x: 'f32', link: 'ref' }, { name: 'Thing' });
    const untyped = heap.component('Thing');
    expectTypeOf(untyped).toEqualTypeOf<Component | undefined>();
    const Thing = heap.component('Thing', { x: 'f32', link: 'ref' })!;
    expectTypeOf(Thing.x).toEqualTypeOf<Float32Array>();
    expectTypeOf(heap.getField<typeof Thing.schema, 'link'>).returns.toEqualTypeOf<Ref>();
    expect(Thing).toBe(untyped);
    expect(heap.component('Thing', { link: 'ref', x: ['f32', 1] })).toBe(Thing); // same schema, other spelling
    expect(() => heap.component('Thing', { x: 'f64', link: 'ref' })).toThrow(
      /component 'Thing' has field 'x' of type 'f32', not 'f64'/,
    );
    expect(() => heap.component('Thing', { x: 'f32' })).toThrow(/has field 'link', which the schema given lacks/);
    expect(() => heap.component('Thing', { x: 'f32', link: 'ref', y: 'f32' })).toThrow(/has no field 'y'/);
    expect(heap.component('Other', { x: 'f32' })).toBeUndefined();
  });
});
