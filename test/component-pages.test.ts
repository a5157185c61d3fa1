/**
 * A component's numeric columns and membership positions count in `stats().bytes` by the memory
 * pages their members' pages of indices are on (core/component-store.ts `pages`, `numericColumnBytes`): a model of which
 * pages of indices each component wrote, through adds, removes, collections, `reserve`, restores
 * (which write only pages holding a member or a value) and in-place loads, predicts the count after
 * every step, with `verify()` after every step.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Component, Heap, type Ref, SnapshotError, type Ticket } from '../mod.ts';
import {
  componentBytes,
  copyMarkedPages,
  markNonzeroPages,
  numericColumnBytes,
  pageRuns,
  positionBytes,
} from '../src/core/component-store.ts';
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
  | { op: 'addMany'; objs: number[]; c: number }
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
    op: fc.constant('addMany' as const),
    objs: fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
    c: fc.integer({ min: 0, max: 2 }),
  }),
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
            // The membership positions (4 bytes an index) by the same pages, within their array.
            const positions = Math.min(data.position.byteLength, memoryPages(written[c]!, 4, last) * MEMORY_PAGE);
            expect(positionBytes(data, s.top)).toBe(positions);
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
          } else if (o.op === 'addMany') {
            if (objects.length === 0) continue;
            const wave = o.objs.map((k) => objects[k % objects.length]!);
            for (const ref of wave) {
              const i = heap.index(ref);
              if (!members[o.c]!.has(i)) nonzero[o.c]!.delete(i);
              members[o.c]!.add(i);
              written[o.c]!.add(i >>> 8);
            }
            heap.addMany(wave, components[o.c] as Component);
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
    // Objects of one and two slots, with no component, on pages 1 and 2: `other`'s page of Key.k
    // (2 KB of f64) is on another 4 KB memory page than `first`'s.
    heap.pin(heap.alloc(1));
    const other = heap.alloc(2);
    heap.pin(other);
    expect([heap.index(first) >>> 8, heap.index(other) >>> 8]).toEqual([0, 2]);
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
    // Once more at the same top: a member on a page the save had not marked, counted, then loaded away.
    const topNow = stateOf(heap).top;
    heap.add(other, Key, { k: 9 });
    const counted = heap.stats().bytes;
    expect(counted).toBeGreaterThan(statsBefore);
    heap.load(saved);
    expect(stateOf(heap).top).toBe(topNow);
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
    // maxObjects 256: indices 0-256 are on two pages, both within the record's range.
    const small = new Heap({ maxObjects: 256 });
    small.defineComponent({ k: 'f64' }, { name: 'Key' });
    const two = Heap.restore(forgeHeader(small.snapshot(), (header) => (header.components[0]!.pages = [0, 2])));
    expect(Array.from(stateOf(two).components.list[0]!.pages)).toEqual([1, 1]);
    expect(() => Heap.restore(forgeHeader(small.snapshot(), (header) => (header.components[0]!.pages = [0, 3]))))
      .toThrow(/component 'Key' has page runs/);
  });

  it('a save from before the marks were kept restores every value, and marks the pages holding one or a member', () => {
    const heap = new Heap({ initialCapacity: 2048 });
    const Key = heap.defineComponent({ k: 'f64' }, { name: 'Key' });
    const Arr = heap.defineComponent({ v: ['f32', 4], b: 'u8' }, { name: 'Arr' });
    const refs = Array.from({ length: 1600 }, () => heap.alloc(0));
    refs.forEach((r) => heap.pin(r));
    // Index 0 is reserved: the objects hold indices 1 to 1600, index p * 256 + k on page p.
    const on = (page: number, k: number) => refs[page * 256 + k - 1]!;
    expect([[0, 7], [3, 9], [5, 255]].map(([p, k]) => heap.index(on(p!, k!)))).toEqual([7, 777, 1535]);
    heap.add(on(0, 7), Key, { k: 1.5 }); // a member, page 0
    heap.add(on(3, 9), Key, { k: 7.5 });
    heap.remove(on(3, 9), Key); // its value stays on page 3, which holds no member
    heap.add(on(4, 2), Key); // a member whose value is 0, page 4
    heap.add(on(5, 255), Arr); // page 5: a value in the last element of the page's last index
    heap.setField(on(5, 255), Arr, 'v', 2.25, 3);
    heap.setField(on(5, 255), Arr, 'b', 9);
    heap.remove(on(5, 255), Arr);
    heap.add(on(5, 1), Arr); // and a member there with nothing written
    const old = forgeHeader(heap.snapshot(), (header) => header.components.forEach((c) => delete c.pages));
    const restored = Heap.restore(old);
    const r = stateOf(restored);
    const marked = (c: number) => pageRuns(r.components.list[c]!.pages);
    expect([marked(0), marked(1)]).toEqual([[0, 1, 3, 5], [5, 6]]);
    const [K, A] = [restored.component('Key', { k: 'f64' })!, restored.component('Arr', { v: ['f32', 4], b: 'u8' })!];
    const at = (ref: Ref) => restored.index(ref);
    expect([K.k[at(on(0, 7))], K.k[at(on(3, 9))], K.k[at(on(4, 2))]]).toEqual([1.5, 7.5, 0]);
    expect([A.v[at(on(5, 255)) * 4 + 3], A.b[at(on(5, 255))]]).toEqual([2.25, 9]);
    restored.verify();
  });

  it('marks the pages holding a nonzero byte, word by word or byte by byte', () => {
    for (const offset of [0, 1, 4]) {
      for (const at of [0, 3, 255, 256, 300, 514]) {
        // 515 one-byte elements: pages 0 (0-255), 1 (256-511) and part of 2 (512-514); a view at
        // `offset` bytes into its buffer (1: unaligned for words).
        const buffer = new Uint8Array(515 + offset);
        const source = buffer.subarray(offset);
        source[at] = 1;
        const pages = new Uint8Array(4);
        markNonzeroPages(source, 1, pages);
        expect([...pages], `offset ${offset}, byte ${at}`).toEqual([0, 1, 2, 3].map((p) => (at >>> 8 === p ? 1 : 0)));
      }
    }
    // A page marked already stays marked; a zero page is not.
    const pages = Uint8Array.of(1, 0, 0);
    markNonzeroPages(new Float64Array(600), 1, pages);
    expect([...pages]).toEqual([1, 0, 0]);
  });

  it('writes exactly the marked pages of a restored column, and zeros past the saved elements', () => {
    const target = new Float32Array(4 * 1024).fill(NaN);
    const source = Float32Array.from({ length: 4 * 600 }, (_, k) => k + 1);
    copyMarkedPages(target, source, 4, Uint8Array.of(0, 1, 1, 0));
    // Page 1 (indices 256-511) whole; page 2 up to the source's end (index 599), zeros to its end.
    expect(target.slice(0, 4 * 256).every(Number.isNaN)).toBe(true);
    expect([...target.slice(4 * 256, 4 * 600)]).toEqual([...source.slice(4 * 256)]);
    expect(target.slice(4 * 600, 4 * 768).every((x) => x === 0)).toBe(true);
    expect(target.slice(4 * 768).every(Number.isNaN)).toBe(true);
  });

  it('reserve keeps array elements below top and marks the pages up to the last index it makes', () => {
    const heap = new Heap({ initialCapacity: 600 });
    const Arr = heap.defineComponent({ v: ['f32', 4] }, { name: 'Arr' });
    const refs = Array.from({ length: 500 }, () => heap.alloc(0));
    refs.forEach((r, k) => {
      heap.pin(r);
      heap.add(r, Arr);
      heap.setField(r, Arr, 'v', k + 0.5, k % 4);
    });
    heap.reserve(4095); // indices up to 4095: pages 0 to 15
    refs.forEach((r, k) => expect(heap.getField(r, Arr, 'v', k % 4)).toBe(k + 0.5));
    expect(pageRuns(stateOf(heap).components.list[0]!.pages)).toEqual([0, 16]);
    heap.reserve(4096); // index 4096 is on page 16
    expect(pageRuns(stateOf(heap).components.list[0]!.pages)).toEqual([0, 17]);
    heap.verify();
  });

  it("counts a component's reference columns for the indices below top, beside its numeric pages", () => {
    const heap = new Heap({ initialCapacity: 600 });
    const Both = heap.defineComponent({ r: ['ref', 2], x: 'f64' }, { name: 'Both' });
    const a = heap.alloc(0);
    heap.pin(a);
    heap.add(a, Both);
    const s = stateOf(heap);
    // Two ref elements an index (8 bytes) below top, the page of x (2 KB of f64: one memory page),
    // the positions of that page (1 KB: the memory page holding them, within the array's 2,404
    // bytes), a byte a page, one member entry.
    const both = s.components.list[0]!;
    expect(both.position.byteLength).toBe(601 * 4);
    expect(componentBytes(both, s.top)).toBe(s.top * 8 + 4096 + 601 * 4 + ((s.top >>> 8) + 1) + 4);
  });

  it('a load in place restores array elements on every page below the higher top, the last one too', () => {
    const heap = new Heap({ initialCapacity: 2048 });
    const Arr = heap.defineComponent({ v: ['f32', 4], w: 'u16' }, { name: 'Arr' });
    const refs = Array.from({ length: 700 }, () => heap.alloc(0));
    refs.forEach((r, k) => {
      heap.pin(r);
      heap.add(r, Arr);
      heap.setField(r, Arr, 'v', k + 0.25, 3);
      heap.setField(r, Arr, 'w', k + 1);
    });
    const saved = heap.snapshot();
    refs.forEach((r) => {
      heap.setField(r, Arr, 'v', -1, 3);
      heap.setField(r, Arr, 'w', 0);
    });
    heap.load(saved);
    // Each field from its own saved column.
    refs.forEach((r, k) =>
      expect([heap.getField(r, Arr, 'v', 3), heap.getField(r, Arr, 'w')]).toEqual([k + 0.25, k + 1])
    );
    heap.verify();
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

  it("a component of one shape among others fills the memory pages it counts, once the heap's pages come in runs", () => {
    // The splay's payloads: 31 inner objects (2 slots) then 32 leaves (no slots) with a `u8` x 10
    // and an `f64` field, 1,500 times: the leaves' pages interleave with the inner objects'.
    const heap = new Heap();
    const Leaf = heap.defineComponent({ values: ['u8', 10], tag: 'f64' }, { name: 'Leaf' });
    const held = heap.alloc(0);
    heap.pin(held);
    for (let n = 0; n < 1500; n++) {
      for (let k = 0; k < 31; k++) heap.alloc(2);
      for (let k = 0; k < 32; k++) heap.add(heap.alloc(0), Leaf, { tag: k });
    }
    const s = stateOf(heap);
    const leaf = s.components.list[0]!;
    const members = 1500 * 32;
    // Their pages of indices: 188, in runs of up to 16 once the heap is past 16 pages.
    let leafPages = 0;
    for (let p = 0; p < s.top / PAGE; p++) leafPages += leaf.pages[p]!;
    expect(leafPages).toBe(Math.ceil((members + 1) / PAGE));
    // 18 bytes an index on those pages: what the elements take, within a few partial memory pages
    // at the runs' ends; carved a page at a time, each page alone between two of inner objects'
    // (2.5 KB of `values`, 2 KB of `tag`), they took 1.97 times that.
    const tight = leafPages * PAGE * 18;
    const counted = numericColumnBytes(leaf, s.top);
    expect(counted).toBeGreaterThanOrEqual(tight);
    expect(counted).toBeLessThan(tight * 1.15);
    heap.verify();
  });
});
