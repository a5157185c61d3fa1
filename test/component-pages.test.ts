/**
 * A component's numeric columns count in `stats().bytes` by the memory pages their members' pages
 * of indices are on (core/component-store.ts `pages`, `numericColumnBytes`): a model of which
 * pages of indices each component wrote, through adds, removes, collections, `reserve`, restores
 * (which write only pages holding a member or a value) and in-place loads, predicts the count after
 * every step, with `verify()` after every step.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Component, Heap, type Ref, SnapshotError, type Ticket } from '../mod.ts';
import { numericColumnBytes } from '../src/core/component-store.ts';
import { stateOf } from '../src/heap.ts';
import { forgeHeader, headerOf } from './forge.ts';
import { fcRuns } from './runs.ts';

const PAGE = 256;
const MEMORY_PAGE = 4096;

/** Bytes an index of each component's numeric fields, field by field (Tag has none). */
const FIELD_BYTES = [[8], [3, 2], []] as const;

function define(heap: Heap) {
  return [
    heap.defineComponent({ x: 'f64' }, { name: 'Key' }),
    heap.defineComponent({ v: ['u8', 3], w: 'i16' }, { name: 'Leaf' }),
    heap.defineComponent({ r: 'ref' }, { name: 'Tag' }),
  ] as const;
}

/** The memory pages a field of `bytes` an index has written, given the pages of indices written, up to page `last`. */
function memoryPages(written: Set<number>, bytes: number, last: number): number {
  const pages = new Set<number>();
  for (const p of written) {
    if (p > last) continue;
    const from = Math.floor((p * PAGE * bytes) / MEMORY_PAGE);
    const to = Math.floor(((p + 1) * PAGE * bytes - 1) / MEMORY_PAGE);
    for (let m = from; m <= to; m++) pages.add(m);
  }
  return pages.size;
}

type Op =
  | { op: 'alloc'; slots: number; count: number }
  | { op: 'add'; obj: number; c: number }
  | { op: 'set'; obj: number; c: number; value: number }
  | { op: 'remove'; obj: number; c: number }
  | { op: 'drop'; obj: number }
  | { op: 'collect' }
  | { op: 'reserve'; more: number }
  | { op: 'restore' }
  | { op: 'restoreOld' }
  | { op: 'load' };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant('alloc' as const),
    slots: fc.integer({ min: 0, max: 9 }),
    count: fc.integer({ min: 1, max: 300 }),
  }),
  fc.record({ op: fc.constant('add' as const), obj: fc.nat(), c: fc.integer({ min: 0, max: 2 }) }),
  fc.record({
    op: fc.constant('set' as const),
    obj: fc.nat(),
    c: fc.integer({ min: 0, max: 1 }),
    value: fc.integer({ min: 0, max: 3 }),
  }),
  fc.record({ op: fc.constant('remove' as const), obj: fc.nat(), c: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ op: fc.constant('drop' as const), obj: fc.nat() }),
  fc.constant({ op: 'collect' as const }),
  fc.record({ op: fc.constant('reserve' as const), more: fc.integer({ min: 1, max: 600 }) }),
  fc.constant({ op: 'restore' as const }),
  fc.constant({ op: 'restoreOld' as const }),
  fc.constant({ op: 'load' as const }),
);

describe('numeric component columns by the pages written', () => {
  it('count what a model of the pages of indices each component wrote predicts, through restores and loads', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        let heap = new Heap({ initialCapacity: 16, maxObjects: 20_000 });
        let components = define(heap);
        const root = heap.alloc(0);
        heap.pin(root);
        // The model: live objects (pinned), pages each component wrote, and which indices hold a
        // nonzero value (a value stays after its member leaves; `add` clears it).
        const pins = new Map<Ref, Ticket | null>();
        const written = components.map(() => new Set<number>());
        const nonzero = components.map(() => new Set<number>());
        const members = components.map(() => new Set<number>());
        const dropped = new Set<number>();
        const live = () => [...pins.keys()];
        /** What a restore or load writes: the pages of indices below top holding a member or a value. */
        const restoredPages = (c: number) => {
          const top = stateOf(heap).top;
          const pages = new Set<number>();
          for (const i of [...members[c]!, ...nonzero[c]!]) if (i < top) pages.add(i >>> 8);
          return pages;
        };
        const check = () => {
          const s = stateOf(heap);
          s.components.list.forEach((data, c) => {
            const last = (s.top - 1) >>> 8;
            const want = FIELD_BYTES[c]!.reduce((sum, bytes) => sum + memoryPages(written[c]!, bytes, last), 0);
            expect(numericColumnBytes(data, s.top)).toBe(want * MEMORY_PAGE);
          });
          heap.verify();
        };
        for (const o of ops) {
          const objects = live();
          if (o.op === 'alloc') {
            for (let k = 0; k < o.count; k++) pins.set(heap.alloc(o.slots), null);
            for (const [ref] of pins) if (pins.get(ref) === null) pins.set(ref, heap.pin(ref));
          } else if (o.op === 'reserve') {
            const from = stateOf(heap).top;
            const count = Math.min(from + o.more, 20_000);
            heap.reserve(count);
            // `reserve` commits indices top .. count for every component (core/free-list.ts `reserveIndices`).
            for (const w of written) for (let p = from >>> 8; p <= count >>> 8; p++) w.add(p);
          } else if (o.op === 'collect') {
            heap.collect();
            // The dropped objects are freed: their components leave, their values stay.
            for (const i of dropped) for (const m of members) m.delete(i);
            dropped.clear();
          } else if (o.op === 'restore' || o.op === 'restoreOld') {
            // A save records the pages written, and its restore counts the same (and writes them);
            // a save made before it did (forged here by dropping the record) marks the pages
            // holding a value or a member.
            const saved = heap.stats();
            const bytes = o.op === 'restore'
              ? heap.snapshot()
              : forgeHeader(heap.snapshot(), (header) => header.components.forEach((c) => delete c.pages));
            if (o.op === 'restoreOld') components.forEach((_, c) => written[c] = restoredPages(c));
            heap = Heap.restore(bytes);
            components = [heap.component('Key'), heap.component('Leaf'), heap.component('Tag')] as never;
            if (o.op === 'restore') expect(heap.stats()).toEqual(saved);
          } else if (o.op === 'load') {
            // In place: the saved heap's marks (here the same heap's), and its stats.
            const saved = heap.stats();
            heap.load(heap.snapshot());
            expect(heap.stats()).toEqual(saved);
          } else if (objects.length > 0) {
            const ref = objects[('obj' in o ? o.obj : 0) % objects.length]!;
            const i = heap.index(ref);
            if (o.op === 'drop') {
              heap.unpin(pins.get(ref)!);
              pins.delete(ref);
              dropped.add(i); // a member until the next collection frees it
            } else {
              const C = components[o.c] as Component;
              if (o.op === 'add') {
                if (!members[o.c]!.has(i)) nonzero[o.c]!.delete(i);
                heap.add(ref, C);
                members[o.c]!.add(i);
                written[o.c]!.add(i >>> 8);
              } else if (o.op === 'remove') {
                heap.remove(ref, C);
                members[o.c]!.delete(i);
              } else if (members[o.c]!.has(i)) {
                heap.setField(ref, C as never, (o.c === 0 ? 'x' : 'w') as never, o.value as never);
                if (o.value !== 0) nonzero[o.c]!.add(i);
                else nonzero[o.c]!.delete(i);
              }
            }
          }
          check();
        }
      }),
      { numRuns: fcRuns(80) },
    );
  });

  it('a load in place clears what only this heap wrote, and counts what the saved heap counted', () => {
    const heap = new Heap({ initialCapacity: 1024 });
    const Key = heap.defineComponent({ k: 'f64' }, { name: 'Key' });
    const first = heap.alloc(0);
    heap.pin(first);
    heap.add(first, Key, { k: 1.5 });
    const saved = heap.snapshot();
    const statsBefore = heap.stats().bytes;
    const s = stateOf(heap);
    const before = numericColumnBytes(s.components.list[0]!, s.top);
    // Members on pages of their own (3 slots: another class of page), with values, then the old save loaded.
    const later: number[] = [];
    for (let k = 0; k < 300; k++) {
      const o = heap.alloc(3);
      heap.pin(o);
      heap.add(o, Key, { k: k + 2 });
      later.push(heap.index(o));
    }
    const column = Key.k;
    const written = numericColumnBytes(s.components.list[0]!, s.top);
    expect(written).toBeGreaterThan(before);
    heap.load(saved);
    // The column users hold is the same array, its later members' values gone.
    expect(Key.k).toBe(column);
    expect(later.filter((i) => column[i] !== 0)).toEqual([]);
    expect(heap.getField(first, Key, 'k')).toBe(1.5);
    const after = heap.snapshot();
    expect(after.findIndex((byte, k) => byte !== saved[k])).toBe(-1);
    const t = stateOf(heap);
    // The saved heap's marks: its count, not the later pages' (their memory stays the process's,
    // as a replaced header column's does, uncounted).
    expect(numericColumnBytes(t.components.list[0]!, t.top)).toBe(before);
    expect(t.components.list[0]!.pages[later[0]! >>> 8]).toBe(0);
    expect(heap.stats().bytes).toBe(statsBefore);
    heap.verify();
  });

  it('a save records the pages written as runs; a restore refuses runs that are no increasing pages within maxObjects', () => {
    const heap = new Heap({ initialCapacity: 2048, maxObjects: 5000 });
    const Key = heap.defineComponent({ k: 'f64' }, { name: 'Key' });
    heap.defineComponent({}, { name: 'Tag' });
    const refs = Array.from({ length: 1500 }, () => heap.alloc(0));
    refs.forEach((r) => heap.pin(r));
    heap.add(refs[0]!, Key);
    heap.add(refs[1000]!, Key);
    heap.reserve(4000);
    const bytes = heap.snapshot();
    expect([heap.index(refs[0]!) >>> 8, heap.index(refs[1000]!) >>> 8, stateOf(heap).top]).toEqual([0, 3, 1536]);
    // Key: its two members' pages (0 and 3), and reserve's, from the page of top (6) to index
    // 4000's (15); Tag: reserve's.
    expect(headerOf(bytes).components.map((c) => c.pages)).toEqual([[0, 1, 3, 4, 6, 16], [6, 16]]);
    expect(Heap.restore(bytes).stats()).toEqual(heap.stats());
    const pages = Math.floor(5001 / 256) + 1; // indexPagesFor(maxObjects + 1)
    for (const runs of [[3, 1], [0], ['0', '1'], [0, pages + 1], [0, 2, 2, 4], [1.5, 2], {}]) {
      const forged = forgeHeader(bytes, (header) => (header.components[0]!.pages = runs));
      expect(() => Heap.restore(forged), JSON.stringify(runs)).toThrow(SnapshotError);
      expect(() => Heap.restore(forged)).toThrow(/component 'Key' has page runs/);
    }
    // The whole range is a valid record: every page marked.
    const all = Heap.restore(forgeHeader(bytes, (header) => (header.components[0]!.pages = [0, pages])));
    expect(stateOf(all).components.list[0]!.pages.every((m) => m === 1)).toBe(true);
    all.verify();
  });

  it('a restore keeps a page whose only value is -0 (zero by value, not by its bytes), and a value left by a member that left', () => {
    const heap = new Heap({ initialCapacity: 2048 });
    const Key = heap.defineComponent({ k: 'f64' }, { name: 'Key' });
    const Mark = heap.defineComponent({ m: 'u8' }, { name: 'Mark' });
    const a = heap.alloc(0);
    heap.pin(a);
    heap.add(a, Key, { k: -0 });
    heap.add(a, Mark, { m: 7 });
    heap.remove(a, Mark); // its value stays in the column, which a snapshot saves
    for (const bytes of [heap.snapshot()]) {
      const restored = Heap.restore(bytes);
      const r = stateOf(restored);
      expect(Object.is(restored.component('Key', { k: 'f64' })!.k[restored.index(a)], -0)).toBe(true);
      expect(restored.component('Mark', { m: 'u8' })!.m[restored.index(a)]).toBe(7);
      expect(r.components.list.map((c) => c.pages[0])).toEqual([1, 1]);
      const again = restored.snapshot();
      expect(again.findIndex((byte, k) => byte !== bytes[k])).toBe(-1);
      restored.verify();
    }
    expect(Mark.m[heap.index(a)]).toBe(7);
  });

  it('a restore writes only the pages holding something: a component few objects have costs their pages', () => {
    const heap = new Heap({ initialCapacity: 1 << 15 });
    const Key = heap.defineComponent({ k: 'f64' }, { name: 'Key' });
    const root = heap.alloc(1);
    heap.pin(root);
    // A splay's shape: a node (3 slots) with the Key now and then, among 2-slot objects without.
    let last = root;
    for (let n = 0; n < 200; n++) {
      for (let k = 0; k < 63; k++) {
        const o = heap.alloc(2);
        heap.set(o, 0, last);
        last = o;
      }
      const node = heap.alloc(3);
      heap.add(node, Key, { k: n + 0.5 });
      heap.set(node, 0, last);
      last = node;
    }
    heap.set(root, 0, last);
    const s = stateOf(heap);
    // The nodes sit in a page of their own (core/free-list.ts): one page of Key.k (2 KB) is one memory page.
    expect(numericColumnBytes(s.components.list[0]!, s.top)).toBe(MEMORY_PAGE);
    const restored = Heap.restore(heap.snapshot());
    const r = stateOf(restored);
    expect(numericColumnBytes(r.components.list[0]!, r.top)).toBe(MEMORY_PAGE);
    expect(restored.stats().bytes).toBe(heap.stats().bytes);
    const [again, saved] = [restored.snapshot(), heap.snapshot()];
    expect(again.length).toBe(saved.length);
    expect(again.findIndex((byte, k) => byte !== saved[k])).toBe(-1);
    const K = restored.component('Key', { k: 'f64' })!;
    expect(restored.query(K).length).toBe(200);
    expect([...restored.query(K)].map((i) => K.k[i]).sort((a, b) => a - b)[199]).toBe(199.5);
    restored.verify();
  });
});
