/** Lists over slots (src/lists.ts): push, swap-remove, length, items, against a plain array. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Heap, listHas, listItems, listLength, listPush, listRemove, NULL, type Ref, StaleRefError } from '../mod.ts';

const sorted = (refs: Ref[]): Ref[] => [...refs].sort((a, b) => a - b);

describe('lists', () => {
  it('push, remove (swap-remove), length, items, has', () => {
    const heap = new Heap();
    const squad = heap.alloc(); // a list can start with no slots
    heap.pin(squad);
    const units = Array.from({ length: 6 }, () => heap.alloc());
    for (const u of units) listPush(heap, squad, u);
    expect(listLength(heap, squad)).toBe(6);
    expect(listItems(heap, squad)).toEqual(units);
    expect(heap.slotCount(squad)).toBe(8); // 4, then doubled
    expect(listRemove(heap, squad, units[1]!)).toBe(true);
    // The last item took the removed one's place.
    expect(listItems(heap, squad)).toEqual([units[0], units[5], units[2], units[3], units[4]]);
    expect(listRemove(heap, squad, units[1]!)).toBe(false);
    expect(listHas(heap, squad, units[2]!)).toBe(true);
    expect(listHas(heap, squad, units[1]!)).toBe(false);
    // A list keeps its items alive (a strong list), and nothing else.
    heap.collect();
    expect(units.map((u) => heap.isAlive(u))).toEqual([true, false, true, true, true, true]);
    heap.verify();
  });

  it('skips items destroyed or collected since, and fills their holes', () => {
    const heap = new Heap();
    const inventory = heap.alloc(0);
    const seen = heap.alloc(0, 'weak'); // a weak list keeps nothing alive
    heap.pin(inventory);
    heap.pin(seen);
    const items = Array.from({ length: 5 }, () => heap.alloc());
    for (const item of items) {
      listPush(heap, inventory, item);
      listPush(heap, seen, item);
    }
    heap.destroy(items[1]!);
    expect(listLength(heap, inventory)).toBe(4);
    expect(listItems(heap, inventory)).toEqual([items[0], items[2], items[3], items[4]]);
    const fresh = heap.alloc();
    listPush(heap, inventory, fresh); // into the hole or at the back: either way an item
    expect(sorted(listItems(heap, inventory))).toEqual(sorted([items[0]!, items[2]!, items[3]!, items[4]!, fresh]));
    listRemove(heap, inventory, items[3]!);
    heap.collect();
    expect(listItems(heap, seen)).toEqual([items[0], items[2], items[4]]); // items[3] was collected
    heap.verify();
  });

  it('halves its capacity once a quarter full, never dropping an item', () => {
    const heap = new Heap();
    const list = heap.alloc();
    heap.pin(list);
    const items = Array.from({ length: 64 }, () => heap.alloc());
    for (const item of items) listPush(heap, list, item);
    expect(heap.slotCount(list)).toBe(64);
    for (const item of items.slice(0, 60)) listRemove(heap, list, item);
    expect(sorted(listItems(heap, list))).toEqual(sorted(items.slice(60)));
    expect(heap.slotCount(list)).toBeLessThanOrEqual(16);
  });

  it('rejects stale lists and items, ephemerons and NULL, leaving the list as it was', () => {
    const heap = new Heap();
    const list = heap.alloc(4);
    heap.pin(list);
    const item = heap.alloc();
    for (let k = 0; k < 4; k++) listPush(heap, list, item);
    const gone = heap.alloc();
    heap.destroy(gone);
    expect(() => listPush(heap, list, gone)).toThrow(StaleRefError);
    expect(heap.slotCount(list)).toBe(4); // the growth was taken back
    expect(() => listPush(heap, gone, item)).toThrow(StaleRefError);
    expect(() => listLength(heap, heap.alloc(2, 'ephemeron'))).toThrow(/is an ephemeron/);
    expect(() => listPush(heap, list, NULL)).toThrow(/NULL is not an item/);
    expect(listRemove(heap, list, NULL)).toBe(false);
    expect(listLength(heap, list)).toBe(4);
    heap.verify();
  });

  it('name the call that was given an ephemeron; NULL is in no list; remove takes the first occurrence', () => {
    const heap = new Heap();
    const pairs = heap.alloc(2, 'ephemeron');
    const item = heap.alloc();
    const calls = [
      ['listPush', () => listPush(heap, pairs, item)],
      ['listRemove', () => listRemove(heap, pairs, item)],
      ['listLength', () => listLength(heap, pairs)],
      ['listItems', () => listItems(heap, pairs)],
      ['listHas', () => listHas(heap, pairs, item)],
    ] as const;
    for (const [name, call] of calls) {
      expect(call).toThrow(
        new TypeError(`${name}: ${pairs} is an ephemeron, whose slots are (key, value) pairs, not items`),
      );
    }
    const list = heap.alloc(0);
    heap.pin(list);
    const [a, b, c] = [heap.alloc(), heap.alloc(), heap.alloc()];
    for (const x of [a, b, a, c]) listPush(heap, list, x);
    expect(heap.slotCount(list)).toBe(4);
    listPush(heap, list, b); // 8 slots now, three of them free
    expect(listHas(heap, list, NULL)).toBe(false);
    expect(listRemove(heap, list, a)).toBe(true);
    expect(listItems(heap, list)).toEqual([b, b, a, c]); // the first `a` went; the last item took its place
    heap.verify();
  });

  it('capacity follows its rule exactly: doubles from 4 when full, halves on a removal that leaves it a quarter full', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat(39)), { maxLength: 200, size: 'max' }), (steps) => {
        const heap = new Heap();
        const list = heap.alloc(0);
        heap.pin(list);
        const pool = Array.from({ length: 40 }, () => heap.alloc());
        pool.forEach((item) => heap.pin(item));
        const model: Ref[] = [];
        let capacity = 0;
        for (const [push, k] of steps) {
          if (push || model.length === 0) {
            const item = pool[k]!;
            listPush(heap, list, item);
            if (model.length === capacity) capacity = Math.max(4, capacity * 2);
            model.push(item);
          } else {
            // Without holes the items fill the front, so a quarter full always has its back half free.
            const item = model[k % model.length]!;
            expect(listRemove(heap, list, item)).toBe(true);
            model.splice(model.indexOf(item), 1);
            if (capacity > 4 && model.length <= capacity >>> 2) capacity >>>= 1;
          }
          expect(heap.slotCount(list)).toBe(capacity);
          expect(sorted(listItems(heap, list))).toEqual(sorted(model));
        }
      }),
      { numRuns: 100 },
    );
  });

  it("never halves over an item left in the back half by a destroyed one's hole", () => {
    // 16 items, then holes: the items left after the removal lie at slot 0 and at `back` (8 or 14).
    for (const back of [8, 14]) {
      const heap = new Heap();
      const list = heap.alloc(0);
      heap.pin(list);
      const items = Array.from({ length: 16 }, () => heap.alloc());
      items.forEach((item) => heap.pin(item));
      for (const item of items) listPush(heap, list, item);
      for (let k = 1; k < 15; k++) if (k !== back) heap.destroy(items[k]!);
      expect(listRemove(heap, list, items[0]!)).toBe(true); // the last item (slot 15) moves to slot 0
      expect(heap.slotCount(list)).toBe(16);
      expect(listItems(heap, list)).toEqual([items[15], items[back]]);
      heap.verify();
    }
  });

  it('agree with an array under random pushes, removes, destroys and collections', () => {
    type Op = { op: 'push' | 'remove' | 'destroy' | 'collect' | 'minor'; k: number };
    const op = fc.record({
      op: fc.constantFrom<Op['op']>('push', 'push', 'push', 'remove', 'remove', 'destroy', 'collect', 'minor'),
      k: fc.nat(100),
    });
    fc.assert(
      fc.property(fc.boolean(), fc.array(op, { maxLength: 120 }), (weak, ops) => {
        const heap = new Heap({ initialCapacity: 4 });
        const list = heap.alloc(0, weak ? 'weak' : 'strong');
        heap.pin(list);
        const pool = Array.from({ length: 12 }, () => heap.alloc());
        const keep = heap.alloc(12); // roots the pool, so a weak list's items stay
        heap.pin(keep);
        pool.forEach((item, k) => heap.set(keep, k, item));
        let model: Ref[] = [];
        for (const { op, k } of ops) {
          const live = pool.filter((item) => heap.isAlive(item));
          const item = live[k % Math.max(1, live.length)];
          if (op === 'push' && item !== undefined) {
            listPush(heap, list, item);
            model.push(item);
          } else if (op === 'remove') {
            const target = model[k % Math.max(1, model.length)] ?? item ?? pool[0]!;
            const at = model.indexOf(target);
            expect(listRemove(heap, list, target)).toBe(at !== -1);
            if (at !== -1) model.splice(at, 1);
          } else if (op === 'destroy' && item !== undefined) {
            heap.destroy(item);
            model = model.filter((m) => m !== item);
          } else if (op === 'collect') {
            heap.collect();
          } else if (op === 'minor') {
            heap.minor();
          }
          expect(sorted(listItems(heap, list))).toEqual(sorted(model));
          expect(listLength(heap, list)).toBe(model.length);
          expect(heap.slotCount(list)).toBeLessThanOrEqual(Math.max(4, 4 * (model.length + 1), 16));
          heap.verify();
        }
      }),
      { numRuns: 150 },
    );
  });
});
