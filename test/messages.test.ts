/**
 * Error messages that lead to the cause: a stale handle says when and by what its object went
 * and points at roots; a forbidden collection says where it was called from; a foreign component
 * is named; counts are singular or plural as they should be.
 */
import { describe, expect, it } from 'vitest';
import { GcForbiddenError, Heap, type HeapOptions, StaleRefError } from '../mod.ts';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a throw');
}

describe('error messages', () => {
  it('name the Heap option that is wrong, and its range', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ indexBits: 15 }, 'indexBits must be an integer from 16 to 24, got 15'],
      [{ generationBits: 0 }, 'generationBits must be an integer from 1 to 31, got 0'],
      [{ indexBits: 16, generationBits: 38 }, 'generationBits must be an integer from 1 to 32, got 38'],
      [{ maxObjects: 0 }, 'maxObjects must be an integer from 1 to 4194303, got 0'],
      [{ initialCapacity: 11, maxObjects: 10 }, 'initialCapacity must be an integer from 1 to 10, got 11'],
      [{ maxSlots: 1 }, 'maxSlots must be an integer from 2 to 4294967295, got 1'],
      [{ maxSlotsPerObject: -1 }, 'maxSlotsPerObject must be an integer from 0 to 1073741824, got -1'],
      [{ generational: 1 }, 'generational must be true or false, got 1'],
      [{ promoteAfter: 4 }, 'promoteAfter must be an integer from 1 to 3, got 4'],
      [{ cardSize: 8192 }, 'cardSize must be an integer from 1 to 4096, got 8192'],
      [{ cardSize: 3 }, 'cardSize must be a power of two, got 3'],
      [{ nurserySize: 0.5 }, 'nurserySize must be an integer from 1 to 1073741824, got 0.5'],
      [{ growthPercent: '50' }, "growthPercent must be an integer, got '50' (a string)"],
      [{ minHeapObjects: 0 }, 'minHeapObjects must be an integer from 1 to 1073741824, got 0'],
      [{ onFinalizerError: 5 }, 'onFinalizerError must be a function, got 5'],
      [{ colour: 1 }, "unknown Heap option 'colour'"],
    ];
    for (const [options, message] of cases) {
      expect(messageOf(() => new Heap(options as HeapOptions))).toBe(message);
    }
    for (const [options, named] of [[null, 'null'], [[], 'an object ([object Array])'], [3, '3']] as const) {
      expect(messageOf(() => new Heap(options as unknown as HeapOptions))).toBe(
        `Heap options must be an object, got ${named}`,
      );
    }
  });

  it("say when and by what a stale handle's object was freed, and point at roots", () => {
    const heap = new Heap();
    const forgotten = heap.alloc(1);
    heap.collect();
    expect(messageOf(() => heap.get(forgotten, 0))).toBe(
      `handle ${forgotten} is stale: its object (index 1) was freed by major collection #1: nothing reached it from ` +
        'a root. A handle in a JavaScript variable does not keep its object alive: pin it (heap.pin), or hold it ' +
        'from a pinned object.',
    );
    const young = heap.alloc(0);
    heap.minor();
    expect(messageOf(() => heap.set(young, 0, forgotten))).toMatch(/was freed by minor collection #1: nothing reached/);
    const destroyed = heap.alloc(0);
    heap.destroy(destroyed);
    expect(messageOf(() => heap.pin(destroyed))).toMatch(/was destroyed \(heap\.destroy\)\.$/);
    heap.minor();
    expect(messageOf(() => heap.pin(destroyed))).toMatch(
      /was destroyed \(heap\.destroy\), and minor collection #2 reclaimed its index\.$/,
    );
    // Once the index holds another object, the cause is not known any more.
    for (let k = 0; k < 4; k++) heap.alloc(0);
    expect(messageOf(() => heap.get(forgotten, 0))).toMatch(/was freed, and the index has been reused since\.$/);
  });

  it('say that a cycle under way found the object dead', () => {
    const heap = new Heap();
    const a = heap.alloc(0);
    heap.setFinalizer(heap.alloc(0), () => {}); // so the cycle stops in its finalizer phase
    while (heap.phase !== 'sweep') heap.step(1);
    const error = (() => {
      try {
        heap.get(a, 0);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(StaleRefError);
    expect(error!.message).toMatch(/was found unreachable by major collection #1, which has yet to sweep it/);
  });

  it('say where a forbidden collection was called from', () => {
    const heap = new Heap();
    const seen: string[] = [];
    const Hooked = heap.defineComponent({}, {
      name: 'Hooked',
      onRemove: () => seen.push(messageOf(() => heap.collect())),
    });
    const a = heap.alloc();
    heap.add(a, Hooked);
    heap.remove(a, Hooked);
    heap.setFinalizer(heap.alloc(), () => seen.push(messageOf(() => heap.minor())));
    heap.collect();
    heap.noGc(() => seen.push(messageOf(() => heap.step())));
    const b = heap.alloc();
    heap.setFinalizer(b, () => seen.push(messageOf(() => heap.tick())));
    heap.destroy(b);
    expect(seen.map((m) => m.split(': collection is forbidden')[0])).toEqual([
      "collect() called inside the onRemove hook of 'Hooked' run by remove()",
      'minor() called inside a finalizer or onRemove hook run by a collection',
      'step() called inside noGc()',
      'tick() called inside a finalizer or onRemove hook run by destroy()',
    ]);
    expect(() => heap.noGc(() => heap.collect())).toThrow(GcForbiddenError);
  });

  it('name a component of another heap, and an object that is no component', () => {
    const heap = new Heap();
    const other = new Heap();
    const Position = other.defineComponent({ x: 'f32' }, { name: 'Position' });
    const a = heap.alloc();
    expect(messageOf(() => heap.add(a, Position))).toMatch(
      /^component 'Position' is not a component of this heap: it belongs to another heap/,
    );
    expect(messageOf(() => heap.has(a, { name: 'Fake', id: 0, schema: {} }))).toMatch(
      /^an object named 'Fake' is not a component of this heap \(components come from heap.defineComponent\)/,
    );
    expect(messageOf(() => heap.query(5 as never))).toMatch(/^5 is not a component of this heap/);
  });

  it('count in the singular and the plural', () => {
    const heap = new Heap({ maxObjects: 2, maxSlots: 8 });
    const a = heap.alloc(1);
    heap.setFinalizer(a, () => {});
    const bytes = heap.snapshot();
    expect(messageOf(() => Heap.restore(bytes))).toMatch(/^1 object had a finalizer,/);
    expect(messageOf(() => heap.alloc(9))).toMatch(/^slot pool full: 9 slots do not fit/);
    const b = heap.alloc(0);
    heap.destroy(b);
    expect(messageOf(() => heap.alloc(0))).toBe(
      'heap full: maxObjects 2 reached (1 live, 0 retired, 1 destroyed awaiting a collection, which reclaims their indices)',
    );
    expect(messageOf(() => heap.allocMany(3))).toMatch(/^heap full: a wave of 3 objects does not fit/);
  });
});
