/**
 * Index pages by class (core/free-list.ts): indices come in pages of 256, each carved for the
 * objects of one slot-count class (0 slots, 1, 2, 3-4, 5-8, ...), and a freed index waits in the
 * queue of its page's class. A model of the pages and queues predicts every index `alloc` hands
 * out, through collections, restores, restores of format 12 snapshots (one queue, no pages) and
 * heaps at `maxObjects`; `verify()` after every step.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Heap, HeapCorruptionError, HeapFullError, type Ref, SnapshotError, type Ticket } from '../mod.ts';
import { stateOf } from '../src/heap.ts';
import { INDEX_QUEUES, MIXED_CLASS } from '../src/core/state.ts';
import { asFormat12, assemble, forgeHeader, headerOf, sectionData, withVersion } from './forge.ts';
import { queuedIndices } from './queues.ts';
import { fcRuns } from './runs.ts';

const PAGE = 256;

/** The class of an object of `slots` slots, written out: its block size in the slot pool, plus one. */
function classOf(slots: number): number {
  if (slots === 0) return 0;
  let cls = 1;
  while (1 << (cls - 1) < slots) cls++;
  return cls;
}

/** The pages and queues as the model keeps them. */
class Model {
  readonly pageClass = new Map<number, number>();
  readonly queues: number[][] = Array.from({ length: INDEX_QUEUES }, () => []);
  top = 1;
  readonly maxObjects: number;
  constructor(maxObjects: number) {
    this.maxObjects = maxObjects;
  }

  /**
   * The index `alloc` of an object of class `cls` takes, or null when the heap is full; the heap's
   * columns hold indices below `columnLength` before the call.
   */
  take(cls: number, columnLength: number): number | null {
    while (this.top <= this.maxObjects) {
      for (const queue of [cls, MIXED_CLASS]) if (this.queues[queue]!.length > 0) return this.queues[queue]!.shift()!;
      this.carve(cls, columnLength);
    }
    for (const queue of [cls, ...this.queues.keys()]) {
      if (this.queues[queue]!.length > 0) return this.queues[queue]!.shift()!;
    }
    return null;
  }

  /**
   * Carves from `top` to the end of its run of pages: runs of 1, 2, 4, 8 or 16 pages, aligned, the
   * longest at most a sixteenth of the pages below, and past the first page only as far as whole
   * pages the columns hold; a top inside a page carves that page alone.
   */
  carve(cls: number, columnLength: number): void {
    const page = Math.floor(this.top / PAGE);
    let run = 1;
    while (run < 16 && run * 2 * 16 <= page) run *= 2;
    if (this.top % PAGE !== 0) run = 1;
    const pageEnd = Math.min((page + 1) * PAGE, this.maxObjects + 1);
    const runEnd = Math.min((page + run - (page % run)) * PAGE, this.maxObjects + 1);
    const end = Math.max(pageEnd, Math.min(runEnd, Math.floor(columnLength / PAGE) * PAGE));
    if (this.top % PAGE === 0 || this.top === 1) {
      for (let p = page; p * PAGE < end; p++) this.pageClass.set(p, cls);
    }
    const queue = this.pageClass.get(page)!;
    for (let i = this.top; i < end; i++) this.queues[queue]!.push(i);
    this.top = end;
  }

  /** A major collection's sweep: walks down, each freed index to the front of its page's queue. */
  sweep(freed: number[]): void {
    for (const i of [...freed].sort((a, b) => b - a)) {
      this.queues[this.pageClass.get(Math.floor(i / PAGE))!]!.unshift(i);
    }
  }

  /** Restored from a format 12 snapshot: one queue, the class queues chained in order, every page mixed. */
  asFormat12(): void {
    const one = this.queues.flat();
    for (const queue of this.queues) queue.length = 0;
    this.queues[MIXED_CLASS]!.push(...one);
    for (let page = 0; page <= Math.floor(this.top / PAGE); page++) this.pageClass.set(page, MIXED_CLASS);
  }
}

type Op =
  | { op: 'alloc'; slots: number; keep: boolean }
  | { op: 'unpin'; pick: number }
  | { op: 'resize'; pick: number; slots: number }
  | { op: 'collect' | 'restore' | 'format12' };

const slotCounts = fc.constantFrom(0, 1, 2, 3, 4, 5, 8, 9, 16, 40);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({ op: fc.constant('alloc' as const), slots: slotCounts, keep: fc.boolean() }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('unpin' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('resize' as const), pick: fc.nat(), slots: slotCounts }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('collect' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('restore' as const, 'format12' as const) }) },
);

describe('index pages by class', () => {
  it('hand out the indices a model of pages and queues predicts, through collections, restores and a full heap', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 150 }),
        fc.constantFrom(40, 300, 700, 5000, 14000),
        // Up to 200 objects of no slots first, or enough to take the heap past 16 pages, where
        // pages are carved in runs.
        fc.oneof(fc.nat(200), fc.integer({ min: 3800, max: 9000 })),
        (ops, maxObjects, burst) => {
          // No generations: only `collect` frees, in the sweep's order. Unpinned objects are garbage
          // (no slot is ever set). A burst of 0-slot objects first fills pages.
          let heap = new Heap({ generational: false, maxObjects, initialCapacity: 4 });
          const model = new Model(maxObjects);
          const pinned: { ref: Ref; ticket: Ticket }[] = [];
          let garbage: number[] = [];
          const alloc = (slots: number, keep: boolean): void => {
            const expected = model.take(classOf(slots), stateOf(heap).columnLength);
            if (expected === null) {
              expect(() => heap.alloc(slots)).toThrow(HeapFullError);
              return;
            }
            const ref = heap.alloc(slots);
            expect(heap.index(ref)).toBe(expected);
            if (keep) pinned.push({ ref, ticket: heap.pin(ref) });
            else garbage.push(expected);
          };
          for (let k = 0; k < burst; k++) alloc(0, k % 3 === 0);
          for (const step of ops) {
            if (step.op === 'alloc') {
              alloc(step.slots, step.keep);
            } else if (step.op === 'unpin') {
              if (pinned.length === 0) continue;
              const [gone] = pinned.splice(step.pick % pinned.length, 1);
              heap.unpin(gone!.ticket);
              garbage.push(heap.index(gone!.ref));
            } else if (step.op === 'resize') {
              // A resized object keeps its index, in its page: freed, the index goes back there.
              if (pinned.length === 0) continue;
              const { ref } = pinned[step.pick % pinned.length]!;
              try {
                heap.resize(ref, step.slots);
              } catch (error) {
                expect(error).toBeInstanceOf(HeapFullError);
              }
            } else if (step.op === 'collect') {
              heap.collect();
              model.sweep(garbage);
              garbage = [];
            } else {
              // The pins and their tickets are saved; the garbage is freed at the next collect, alike.
              const bytes = heap.snapshot();
              heap = Heap.restore(step.op === 'restore' ? bytes : asFormat12(bytes));
              if (step.op === 'format12') model.asFormat12();
            }
            heap.verify();
            const s = stateOf(heap);
            expect(s.top).toBe(model.top);
            for (let queue = 0; queue < INDEX_QUEUES; queue++) {
              expect(queuedIndices(heap, queue), `queue ${queue}`).toEqual(model.queues[queue]);
            }
            for (const [page, cls] of model.pageClass) expect(s.pageClass[page], `page ${page}`).toBe(cls);
          }
        },
      ),
      { numRuns: fcRuns(120) },
    );
  });

  it("keep objects of one shape together whatever order they are made in (a splay tree's nodes among their payloads)", () => {
    const heap = new Heap();
    const nodes: Ref[] = [];
    for (let k = 0; k < 600; k++) {
      // Each node after a payload of 63 objects: 31 of 2 slots, 32 of none.
      for (let j = 0; j < 31; j++) heap.alloc(2);
      for (let j = 0; j < 32; j++) heap.alloc(0);
      nodes.push(heap.alloc(3));
    }
    const indices = nodes.map((ref) => heap.index(ref));
    // 600 nodes in three pages of their own (256, 256 and 88 of them), each run without a gap:
    // without pages by class each node would lie 64 indices from the last.
    const pages = new Map<number, number[]>();
    for (const i of indices) pages.set(Math.floor(i / PAGE), [...(pages.get(Math.floor(i / PAGE)) ?? []), i]);
    expect([...pages.values()].map((run) => run.length)).toEqual([256, 256, 88]);
    for (const [page, run] of pages) expect(run).toEqual(Array.from({ length: run.length }, (_, k) => page * PAGE + k));
    heap.verify();
  });

  it('take the indices of other classes once the heap cannot carve a page: full only at maxObjects', () => {
    const heap = new Heap({ maxObjects: 300 });
    const zeros = Array.from({ length: 255 }, () => heap.alloc(0)); // the first page, 1-255
    const ones = Array.from({ length: 45 }, () => heap.alloc(1)); // the last, 256-300
    expect(ones.map((ref) => heap.index(ref))).toEqual(Array.from({ length: 45 }, (_, k) => 256 + k));
    for (const ref of zeros.slice(0, 10)) heap.pin(ref);
    heap.collect(); // frees 11-255 (and every 1-slot object): all in their pages' queues
    expect(queuedIndices(heap, 0)).toEqual(Array.from({ length: 245 }, (_, k) => 11 + k));
    expect(queuedIndices(heap, 1)).toEqual(Array.from({ length: 45 }, (_, k) => 256 + k));
    // Objects of 4 slots: no page of their own is left to carve, so they take the queues in class
    // order, 0-slot objects' first, until all 290 free indices are taken.
    const fours = Array.from({ length: 290 }, () => heap.index(heap.alloc(4)));
    expect(fours).toEqual([
      ...Array.from({ length: 245 }, (_, k) => 11 + k),
      ...Array.from({ length: 45 }, (_, k) => 256 + k),
    ]);
    expect(heap.stats().live).toBe(300);
    expect(() => heap.alloc(0)).toThrow(HeapFullError);
    heap.verify();
  });

  it('restore a format 12 snapshot with every page of the mixed class, its queue used before any new page', () => {
    const heap = new Heap();
    const kept = [heap.alloc(0), heap.alloc(2), heap.alloc(0), heap.alloc(2)];
    for (const ref of kept) heap.pin(ref);
    heap.alloc(2);
    heap.alloc(0);
    heap.collect(); // frees 3 (a 0-slot object) and 258 (a 2-slot one)
    const restored = Heap.restore(asFormat12(heap.snapshot()));
    restored.verify();
    const s = stateOf(restored);
    expect([...s.pageClass.subarray(0, 3)]).toEqual([MIXED_CLASS, MIXED_CLASS, MIXED_CLASS]);
    // The one queue, as format 12 kept it: the class queues chained, 0-slot objects' first.
    const mixed = queuedIndices(restored, MIXED_CLASS);
    expect(mixed.slice(0, 2)).toEqual([3, 4]);
    expect(mixed.length).toBe(255 - 2 + 256 - 2);
    // Any shape takes the mixed queue first; then a page of its own, at the top (512).
    expect([restored.alloc(5), restored.alloc(0)].map((ref) => restored.index(ref))).toEqual([3, 4]);
    for (let k = mixed.length - 2; k > 0; k--) restored.alloc(1);
    expect(restored.index(restored.alloc(9))).toBe(512);
    expect(s.pageClass[2]).toBe(classOf(9));
    restored.verify();
    // Saved again, as format 13: the same pages and queues.
    const again = Heap.restore(restored.snapshot());
    again.verify();
    expect([...stateOf(again).pageClass.subarray(0, 3)]).toEqual([MIXED_CLASS, MIXED_CLASS, classOf(9)]);
  });

  it("refuse a format 12 snapshot whose queue's ends are out of range or missing, naming them", () => {
    const heap = new Heap();
    heap.pin(heap.alloc(0));
    heap.alloc(0);
    heap.collect();
    const bytes = asFormat12(heap.snapshot());
    const top = stateOf(heap).top;
    for (
      const [name, value, says] of [
        ['freeHead', top, `scalar 'freeHead' is ${top}, expected an integer from 0 to ${top - 1}`],
        ['freeTail', -1, `scalar 'freeTail' is -1, expected an integer from 0 to ${top - 1}`],
        ['freeHead', 2.5, `scalar 'freeHead' is 2.5, expected an integer from 0 to ${top - 1}`],
        ['freeTail', undefined, `scalar 'freeTail' is undefined, expected an integer from 0 to ${top - 1}`],
      ] as const
    ) {
      const forged = forgeHeader(bytes, (h) => {
        if (value === undefined) delete h.scalars[name];
        else h.scalars[name] = value;
      });
      expect(() => Heap.restore(forged)).toThrow(SnapshotError);
      expect(() => Heap.restore(forged)).toThrow(`bad snapshot: ${says}`);
    }
    // A top that is no index past 0 is named by the scalar checks, before the queue's ends are
    // checked against it; a top of 1 (no object) leaves the ends only 0.
    for (const bad of [2.5, -5, 'x']) {
      const forged = forgeHeader(bytes, (h) => (h.scalars.top = bad));
      expect(() => Heap.restore(forged)).toThrow(/bad snapshot: scalar 'top'/);
    }
    const empty = asFormat12(new Heap().snapshot());
    expect(headerOf(empty).scalars.top).toBe(1);
    const past = forgeHeader(empty, (h) => (h.scalars.freeHead = 3));
    expect(() => Heap.restore(past)).toThrow("bad snapshot: scalar 'freeHead' is 3, expected an integer from 0 to 0");
    // And a format 13 snapshot names them as no part of its format.
    const current = forgeHeader(heap.snapshot(), (h) => (h.scalars.freeHead = 0));
    expect(() => Heap.restore(current)).toThrow("bad snapshot: scalar 'freeHead' is not part of this format");
    // The queue they name is checked whole once restored: one that skips a free index is refused.
    const skips = forgeHeader(bytes, (h) => (h.scalars.freeHead = 3));
    expect(() => Heap.restore(skips)).toThrow(/inconsistent .*invariant 1/);
  });

  it("carve the rest of a restored format 12 heap's last page for the mixed queue, then pages of their own", () => {
    // A format 12 heap whose top is 5 (format 12 had no pages): indices 1, 3 and 4 live, 2 free.
    const heap = new Heap({ initialCapacity: 8 });
    const refs = [heap.alloc(0), heap.alloc(0), heap.alloc(0), heap.alloc(0)];
    for (const k of [0, 2, 3]) heap.pin(refs[k]!);
    heap.collect();
    const header = headerOf(asFormat12(heap.snapshot()));
    const data = sectionData(asFormat12(heap.snapshot()));
    for (const name of ['color', 'generation', 'size', 'base', 'next', 'flags']) {
      const width = name === 'color' || name === 'flags' ? 1 : 4;
      const section = header.sections.find((s) => s.name === name)!;
      section.used = 5;
      const bytes = data.get(name)!.slice(0, 5 * width);
      // Index 2's link ends the queue (3 on was never used in format 12's layout).
      if (name === 'next') new DataView(bytes.buffer).setUint32(2 * 4, 0, true);
      data.set(name, bytes);
    }
    Object.assign(header.scalars, { top: 5, freeHead: 2, freeTail: 2 });
    const restored = Heap.restore(withVersion(assemble(asFormat12(heap.snapshot()), header, data), 12));
    restored.verify();
    expect(queuedIndices(restored, MIXED_CLASS)).toEqual([2]);
    // The mixed queue first (index 2), then the rest of page 0 (5-255), for any shape, then a page of its own.
    const made = [restored.alloc(2), restored.alloc(2)].map((ref) => restored.index(ref));
    expect(made).toEqual([2, 5]);
    expect(stateOf(restored).pageClass[0]).toBe(MIXED_CLASS);
    for (let k = 6; k < 256; k++) restored.alloc(0);
    expect(restored.index(restored.alloc(2))).toBe(256);
    expect(stateOf(restored).pageClass[1]).toBe(classOf(2));
    restored.verify();
  });

  it('come in aligned runs once the heap is past 16 pages: the longest a sixteenth of the pages below, at most 16', () => {
    // One object at a time of no slots: each carve's top, page by page, against the rule written out
    // (the columns sized for them all: a run is carved past its first page only where they reach).
    const heap = new Heap({ initialCapacity: 80_000 });
    const tops: number[] = [];
    let top = stateOf(heap).top;
    for (let k = 1; k < 272 * PAGE; k++) {
      heap.alloc(0);
      if (stateOf(heap).top !== top) tops.push((top = stateOf(heap).top) / PAGE);
    }
    const expected: number[] = [];
    for (let page = 1; page < 272;) {
      page += page < 32 ? 1 : page < 64 ? 2 : page < 128 ? 4 : page < 256 ? 8 : 16;
      expected.push(page);
    }
    expect(tops).toEqual([1, ...expected]);
    // A run is one class's whatever comes next: 2-slot objects carve the next run of 16 pages.
    const s = stateOf(heap);
    expect(Array.from(s.pageClass.subarray(256, 272))).toEqual(Array(16).fill(0));
    expect(heap.index(heap.alloc(2))).toBe(272 * PAGE);
    expect(s.top).toBe(288 * PAGE);
    expect(Array.from(s.pageClass.subarray(272, 288))).toEqual(Array(16).fill(classOf(2)));
    heap.verify();
  });

  it('carve a run past its first page only where the columns reach: a heap sized with a page a shape to spare', () => {
    // Columns for 8,500 indices: whole pages up to 8,448 (page 33's start).
    const heap = new Heap({ initialCapacity: 8_500 });
    for (let k = 1; k < 32 * PAGE; k++) heap.alloc(0);
    const s = stateOf(heap);
    expect(s.top).toBe(32 * PAGE);
    // At page 32 runs are of two pages; the second is not in the columns, so page 32 is carved alone.
    expect(heap.index(heap.alloc(2))).toBe(32 * PAGE);
    expect(s.top).toBe(33 * PAGE);
    expect(heap.stats().capacity).toBe(8_500);
    // A page the columns do not hold grows them, as a page carved alone always did.
    expect(heap.index(heap.alloc(0))).toBe(33 * PAGE);
    expect(s.top).toBe(34 * PAGE);
    expect(heap.stats().capacity).toBeGreaterThan(8_500);
    heap.verify();
  });

  it("carve a restored format 12 heap's last page alone, then up to the end of the run it is in", () => {
    // A format 12 heap whose top lies inside page 34 (8,714): indices 1-8,713 live, none free.
    const top = 34 * PAGE + 10;
    const heap = new Heap({ generational: false });
    for (let k = 1; k < top; k++) heap.pin(heap.alloc(0));
    const bytes = asFormat12(heap.snapshot());
    const header = headerOf(bytes);
    const data = sectionData(bytes);
    for (const name of ['color', 'generation', 'size', 'base', 'next', 'flags']) {
      const width = name === 'color' || name === 'flags' ? 1 : 4;
      header.sections.find((s) => s.name === name)!.used = top;
      data.set(name, data.get(name)!.slice(0, top * width));
    }
    Object.assign(header.scalars, { top, freeHead: 0, freeTail: 0 });
    const restored = Heap.restore(withVersion(assemble(bytes, header, data), 12));
    restored.verify();
    const s = stateOf(restored);
    // The rest of page 34 for the mixed queue, not the run of two it begins.
    expect(restored.index(restored.alloc(2))).toBe(top);
    expect(s.top).toBe(35 * PAGE);
    for (let i = top + 1; i < 35 * PAGE; i++) restored.alloc(0);
    // Page 35 ends the run of two that began at 34: carved alone, then pages 36 and 37 together.
    expect(restored.index(restored.alloc(2))).toBe(35 * PAGE);
    expect(s.top).toBe(36 * PAGE);
    for (let i = 35 * PAGE + 1; i < 36 * PAGE; i++) restored.alloc(2);
    expect(restored.index(restored.alloc(2))).toBe(36 * PAGE);
    expect(s.top).toBe(38 * PAGE);
    expect(Array.from(s.pageClass.subarray(34, 38))).toEqual([MIXED_CLASS, classOf(2), classOf(2), classOf(2)]);
    restored.verify();
  });

  it("cut a run at the columns' last whole page when it lies inside the run: three pages of a run of four", () => {
    // Columns for 17,152 indices (67 pages): at page 64 runs are of four pages (64-67), the fourth
    // not in the columns, so 64-66 are carved together.
    const heap = new Heap({ initialCapacity: 17_152 });
    for (let k = 1; k < 64 * PAGE; k++) heap.alloc(0);
    const s = stateOf(heap);
    expect(s.top).toBe(64 * PAGE);
    expect(heap.index(heap.alloc(2))).toBe(64 * PAGE);
    expect(s.top).toBe(67 * PAGE);
    expect(Array.from(s.pageClass.subarray(64, 67))).toEqual(Array(3).fill(classOf(2)));
    expect(heap.stats().capacity).toBe(17_152);
    heap.verify();
  });

  it('carve a run that ends at maxObjects to its last index', () => {
    // maxObjects 8,703: page 32's run of two (32-33) ends at index 8,703, and the columns hold it.
    const heap = new Heap({ maxObjects: 34 * PAGE - 1, initialCapacity: 34 * PAGE - 1 });
    for (let k = 1; k < 32 * PAGE; k++) heap.alloc(0);
    const s = stateOf(heap);
    expect(heap.index(heap.alloc(2))).toBe(32 * PAGE);
    expect(s.top).toBe(34 * PAGE);
    const rest = Array.from({ length: 2 * PAGE - 1 }, () => heap.index(heap.alloc(2)));
    expect(rest[rest.length - 1]).toBe(34 * PAGE - 1);
    expect(heap.stats().live).toBe(34 * PAGE - 1);
    expect(() => heap.alloc(2)).toThrow(HeapFullError);
    heap.verify();
  });

  it("empty a class's queue of spent indices while a restored heap's mixed queue still has some", () => {
    // A format 12 heap (page 0 mixed) with 64 small generations an index (indexBits 24): page 1 is
    // carved for 2-slot objects, which then churn through it one at a time until every index of it
    // is spent, while freed indices of page 0 wait in the mixed queue. The class's queue empties
    // with no page carved (the mixed queue is used first): its tail must be cleared with its head.
    const heap = new Heap({ initialCapacity: 8, indexBits: 24 });
    heap.pin(heap.alloc(0));
    const bytes = asFormat12(heap.snapshot());
    const header = headerOf(bytes);
    const data = sectionData(bytes);
    for (const name of ['color', 'generation', 'size', 'base', 'next', 'flags']) {
      const width = name === 'color' || name === 'flags' ? 1 : 4;
      header.sections.find((s) => s.name === name)!.used = 2;
      data.set(name, data.get(name)!.slice(0, 2 * width));
    }
    Object.assign(header.scalars, { top: 2, freeHead: 0, freeTail: 0 });
    const restored = Heap.restore(withVersion(assemble(bytes, header, data), 12));
    for (let k = 2; k < PAGE; k++) restored.alloc(0); // the rest of page 0, mixed: garbage
    expect(restored.index(restored.alloc(2))).toBe(PAGE);
    restored.minor(); // page 0's 254 garbage objects go to the mixed queue
    const mixed = queuedIndices(restored, MIXED_CLASS);
    expect(mixed).toHaveLength(PAGE - 2);
    const cls = classOf(2);
    let rounds = 0;
    let index = PAGE;
    // Each round one 2-slot object, freed by the next minor: page 1's indices in turn, 64 times each.
    while (index >= PAGE && rounds < 20_000) {
      index = restored.index(restored.alloc(2));
      restored.minor();
      rounds++;
    }
    // 256 x 64 uses of page 1: the one before the loop, and all but the last round's (the mixed queue's head).
    expect(rounds).toBe(PAGE * 64);
    expect(index).toBe(mixed[0]);
    expect(queuedIndices(restored, cls)).toEqual([]);
    expect(stateOf(restored).freeTails[cls]).toBe(0);
    restored.verify();
    // The mixed queue serves the class until it runs dry (the object just made freed to its tail);
    // then a page of the class's own.
    restored.minor();
    const next = Array.from({ length: PAGE - 1 }, () => restored.index(restored.alloc(2)));
    expect(next).toEqual([...mixed.slice(1), mixed[0], 2 * PAGE]);
    restored.verify();
  });

  it('grow the columns to the round capacities of "Capacities are round numbers", whatever the page needs', () => {
    const heap = new Heap({ initialCapacity: 1024 });
    heap.reserve(1025);
    expect(heap.stats().capacity).toBe(1280);
    heap.verify();
  });

  it('are checked by verify(): an index on another class queue, a page of no class', () => {
    const wrongQueue = new Heap();
    wrongQueue.pin(wrongQueue.alloc(0));
    wrongQueue.alloc(2); // page 1: 2-slot objects
    let s = stateOf(wrongQueue);
    // Index 2 (page 0, class 0) moved to the head of queue 2.
    s.freeHeads[0] = 3;
    s.next[2] = s.freeHeads[2]!;
    s.freeHeads[2] = 2;
    expect(() => wrongQueue.verify()).toThrow(HeapCorruptionError);
    expect(() => wrongQueue.verify()).toThrow(/invariant 1 .*index 2 is on queue 2, but its page is of class 0/);
    const noClass = new Heap();
    noClass.alloc(0);
    s = stateOf(noClass);
    s.pageClass[0] = INDEX_QUEUES;
    expect(() => noClass.verify()).toThrow(/invariant 1 .*page 0 has class 35/);
    // A top inside a page that is not the mixed class's: pages are carved whole.
    const inside = new Heap();
    inside.alloc(0);
    s = stateOf(inside);
    s.top = 200;
    s.freeHeads[0] = 2;
    s.next[199] = 0;
    s.freeTails[0] = 199;
    for (let i = 200; i < 256; i++) s.next[i] = 0;
    expect(() => inside.verify()).toThrow(/invariant 1 .*top 200 lies inside page 0, which is not of the mixed class/);
  });
});
