/**
 * Error messages that lead to the cause: a stale handle says when and by what its object went
 * and points at roots; a forbidden collection says where it was called from; a foreign component
 * is named; counts are singular or plural as they should be.
 */
import { describe, expect, it } from 'vitest';
import { GcForbiddenError, Heap, type HeapOptions, NULL, type Ref, StaleRefError } from '../mod.ts';
import { FREED_BY_MAJOR } from '../src/core/free-cause.ts';
import { assemble, headerOf, sectionData } from './forge.ts';
import { errorOf } from './naming.ts';

function messageOf(fn: () => unknown): string {
  return errorOf(fn).message;
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
    // Once the index holds another object, the cause is not known any more. (255 objects of its
    // slot count take every index queued in its page, the first, core/free-list.ts.)
    for (let k = 0; k < 255; k++) heap.alloc(1);
    expect(messageOf(() => heap.get(forgotten, 0))).toMatch(/was freed, and the index has been reused since\.$/);
  });

  it('say only that the object was freed when its index keeps no cause (a forged save game)', () => {
    // Every collection records why it freed an index (src/core/free-cause.ts); 0, "unknown", comes
    // only from save-game bytes that say so, which restore accepts (any 32-bit cause is valid).
    const heap = new Heap();
    heap.pin(heap.alloc(1));
    const forgotten = heap.alloc(1); // index 2
    heap.collect();
    const bytes = heap.snapshot();
    const data = sectionData(bytes);
    const base = data.get('base')!;
    const view = new DataView(base.buffer, base.byteOffset);
    expect(view.getUint32(2 * 4, true)).toBe(FREED_BY_MAJOR + 1 * 8); // freed by major collection #1
    view.setUint32(2 * 4, 0, true);
    const restored = Heap.restore(assemble(bytes, headerOf(bytes), data));
    restored.verify();
    expect(messageOf(() => restored.get(forgotten, 0))).toBe(
      `handle ${forgotten} is stale: its object (index 2) was freed. A handle in a JavaScript variable does not ` +
        'keep its object alive: pin it (heap.pin), or hold it from a pinned object.',
    );
  });

  it('say what is wrong with a value that is no live handle, exactly', () => {
    // 16 index bits and 4 generation bits: a handle is index + generation * 2^16, generation <= 15.
    const heap = new Heap({ indexBits: 16, generationBits: 4 });
    heap.pin(heap.alloc(1));
    const a = heap.alloc(1); // index 2, the heap's top 3
    heap.pin(a);
    const scale = 2 ** 16;
    const cases: [unknown, string][] = [
      ['x', "handle 'x' (a string) is not a handle (handles are numbers)"],
      [0, 'handle 0 is NULL'],
      [1.5, 'handle 1.5 is not a handle (not a non-negative integer below 2^53)'],
      [-1, 'handle -1 is not a handle (not a non-negative integer below 2^53)'],
      [2 ** 53, 'handle 9007199254740992 is not a handle (not a non-negative integer below 2^53)'],
      // The largest integer passes that check and fails the next ones: index 65535, never allocated.
      [Number.MAX_SAFE_INTEGER, 'handle 9007199254740991 names index 65535, which this heap never allocated'],
      [scale, 'handle 65536 names index 0, which this heap never allocated'],
      [3, 'handle 3 names index 3, which this heap never allocated'],
      [2 + 16 * scale, `handle ${2 + 16 * scale} is not a handle of this heap (generation out of range)`],
      [2 + 15 * scale, `handle ${2 + 15 * scale} is not a handle of this heap (index 2 is at generation 0)`],
      [2 + scale, `handle ${2 + scale} is not a handle of this heap (index 2 is at generation 0)`],
    ];
    for (const [value, message] of cases) {
      expect(messageOf(() => heap.get(value as Ref, 0))).toBe(message);
      // NULL is a target a slot may take.
      if (value !== 0) expect(messageOf(() => heap.set(a, 0, value as Ref))).toBe(message.replace(/^handle/, 'target'));
      expect(heap.isAlive(value as Ref)).toBe(false);
    }
    expect(heap.get(a, 0)).toBe(NULL); // no failed store stored anything
    expect(heap.index(a)).toBe(2);
    expect(heap.get(2 as Ref, 0)).toBe(NULL); // the boundary: index 2 at generation 0 is `a`
  });

  it("keep a retired index's last cause, and say nothing of the objects before it", () => {
    // One generation bit: an index holds two objects, then retires (its handles could not stay unique).
    const heap = new Heap({ indexBits: 16, generationBits: 1 });
    const first = heap.alloc(1);
    expect(heap.index(first)).toBe(1);
    heap.collect();
    const second = heap.alloc(1);
    expect(heap.index(second)).toBe(1); // the index reused, at generation 1
    heap.collect();
    const retiredCause = `handle ${second} is stale: its object (index 1) was freed by major collection #2: ` +
      'nothing reached it from a root. A handle in a JavaScript variable does not keep its object alive: pin it ' +
      '(heap.pin), or hold it from a pinned object.';
    expect(messageOf(() => heap.get(second, 0))).toBe(retiredCause);
    expect(messageOf(() => heap.get(first, 0))).toBe(`handle ${first} is stale: its object (index 1) was freed.`);
    const next = heap.alloc(1);
    expect(heap.index(next)).toBe(2); // a retired index is never reused, so its cause stays
    expect(messageOf(() => heap.get(second, 0))).toBe(retiredCause);
  });

  it('say that a minor collection found the object dead while its finalizers run', () => {
    const heap = new Heap();
    const x = heap.alloc(1);
    const y = heap.alloc(1);
    const seen: string[] = [];
    heap.setFinalizer(x, (ref) => {
      seen.push(messageOf(() => heap.set(y, 0, NULL)), messageOf(() => heap.pin(ref)));
      expect(heap.get(y, 0)).toBe(NULL); // still readable to the finalizers, never revived
    });
    heap.setFinalizer(y, () => {});
    heap.minor();
    const roots = 'A handle in a JavaScript variable does not keep its object alive: pin it (heap.pin), or hold ' +
      'it from a pinned object.';
    expect(seen).toEqual([
      `handle ${y} is stale: its object (index 2) was found unreachable by minor collection #1, whose finalizers ` +
      `are running. ${roots}`,
      `handle ${x} is stale: its object (index 1) was found unreachable by minor collection #1, whose finalizers ` +
      `are running. ${roots}`,
    ]);
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

  it('let destroy hooks read their own object, and no object a cycle under way found dead', () => {
    const heap = new Heap();
    const seen: string[] = [];
    const unreached = heap.alloc(1);
    const owner = heap.alloc(1);
    heap.pin(owner);
    const Hooked = heap.defineComponent({}, {
      name: 'Hooked',
      onRemove: (ref) => {
        seen.push(`own index: ${heap.index(ref)}`, messageOf(() => heap.get(unreached, 0)));
      },
    });
    heap.add(owner, Hooked);
    heap.setFinalizer(heap.alloc(0), () => {}); // so the cycle stops in its finalizer phase
    while (heap.phase !== 'sweep') heap.step(1);
    heap.destroy(owner);
    expect(seen).toEqual([
      'own index: 2',
      `handle ${unreached} is stale: its object (index 1) was found unreachable by major collection #1, which has ` +
      'yet to sweep it. A handle in a JavaScript variable does not keep its object alive: pin it (heap.pin), or ' +
      'hold it from a pinned object.',
    ]);
    expect(messageOf(() => heap.get(owner, 0))).toMatch(/was destroyed \(heap\.destroy\)\.$/);
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

  it('name what is wrong in a component definition, exactly, and define nothing', () => {
    const heap = new Heap();
    const cases: [unknown, unknown, string, typeof TypeError][] = [
      [null, {}, 'a component schema must be an object of fields, got null', TypeError],
      [[], {}, 'a component schema must be an object of fields, got an object ([object Array])', TypeError],
      ['x', {}, "a component schema must be an object of fields, got 'x' (a string)", TypeError],
      [{}, null, 'component options must be an object, got null', TypeError],
      [{}, 5, 'component options must be an object, got 5', TypeError],
      [{}, { name: '' }, "a component name must be a non-empty string, got '' (a string)", TypeError],
      [{}, { name: 5 }, 'a component name must be a non-empty string, got 5', TypeError],
      [{}, { onRemove: 1 }, 'onRemove must be a function, got 1', TypeError],
      [{ x: 5 }, {}, "field 'x' has type undefined; types are f32 f64 i8 i16 i32 u8 u16 u32 ref weakref", TypeError],
      [{ x: ['f32', 1.5] }, {}, "the length of array field 'x' must be an integer from 1 to 1024, got 1.5", RangeError],
    ];
    for (const [schema, options, message, kind] of cases) {
      const error = errorOf(() => heap.defineComponent(schema as never, options as never));
      expect(error).toBeInstanceOf(kind);
      expect(error.message).toBe(message);
    }
    // Nothing was defined: the next component takes the first default name.
    expect(heap.defineComponent({}).name).toBe('component0');
    // A numeric column may take 1 GiB exactly (allocated at once, for every index: its zero pages
    // cost nothing until written), not a byte more: the message says the most.
    const exact = new Heap({ indexBits: 24, maxObjects: 2 ** 24 - 1 });
    expect(exact.defineComponent({ m: ['u8', 64] }, { name: 'Exact' }).m.byteLength).toBe(2 ** 30);
    expect(messageOf(() => exact.defineComponent({ m: ['u8', 65] }, { name: 'Over' }))).toBe(
      "field 'm' of component 'Over' needs a column of 1040 MiB for maxObjects 16777215 (columns are allocated " +
        'once, for every index, so that they never move; the most is 1024 MiB): lower maxObjects, or the ' +
        "array's length",
    );
    expect(exact.component('Over')).toBeUndefined();
    exact.verify();
  });
});
