/**
 * `heap.load(bytes, options?)`: restore in place. The heap becomes the one saved, and every
 * component object and closure holding it stays valid; a snapshot of other components, bad
 * bytes or a missing finalizer leave it as it was.
 */
import { describe, expect, it } from 'vitest';
import { Heap, HeapError, type Index, NULL, type Ref, SnapshotError } from '../mod.ts';
import { statsOf } from './naming.ts';

/** What a program can observe of a heap: its counters and every listed object's slots. */
function observe(heap: Heap, refs: Ref[]): unknown {
  return {
    stats: statsOf(heap),
    objects: refs.map((ref) =>
      heap.isAlive(ref) ? Array.from({ length: heap.slotCount(ref) }, (_, k) => heap.get(ref, k)) : 'dead'
    ),
  };
}

/** A small game: units with a position and a target, a world list, a finalizer on some. */
function game(heap: Heap) {
  const Position = heap.defineComponent({ x: 'f32', y: 'f32' }, { name: 'Position' });
  const Target = heap.defineComponent({ enemy: 'ref', seen: 'weakref' }, { name: 'Target' });
  const world = heap.alloc(8);
  heap.pin(world);
  const units: Ref[] = [];
  for (let k = 0; k < 8; k++) {
    const unit = heap.alloc(1);
    heap.set(world, k, unit);
    heap.add(unit, Position, { x: k, y: -k });
    units.push(unit);
  }
  for (let k = 0; k < 8; k += 2) heap.add(units[k]!, Target, { enemy: units[k + 1]!, seen: units[(k + 3) % 8]! });
  return { Position, Target, world, units };
}

/** A heap whose 'Sound' component has no hook: `count` members, every `keep`-th held by a pinned list. */
function soundsWithoutHook(count: number, keep: number) {
  const old = new Heap();
  const Sound = old.defineComponent({ clip: 'u32' }, { name: 'Sound' });
  const world = old.alloc(Math.ceil(count / keep));
  old.pin(world);
  for (let k = 0; k < count; k++) {
    const s = old.alloc();
    old.add(s, Sound, { clip: k });
    if (k % keep === 0) old.set(world, k / keep, s);
  }
  return { old, Sound, world };
}

/** A heap whose 'Sound' component has a hook, which records each removed member's clip. */
function soundsWithHook() {
  const removed: number[] = [];
  const heap = new Heap();
  const Hooked = heap.defineComponent({ clip: 'u32' }, {
    name: 'Sound',
    onRemove: (ref) => removed.push(Hooked.clip[heap.index(ref)]!),
  });
  return { heap, removed };
}

describe('load', () => {
  it('takes the heap back to the saved point, keeping its component objects and closures valid', () => {
    const heap = new Heap();
    const { Position, Target, world, units } = game(heap);
    const moveAll = () => {
      const x = Position.x; // a closure holding the component object, as game systems do
      for (const i of heap.query(Position)) x[i]! += 1;
    };
    const bytes = heap.snapshot();
    const saved = heap.stats();
    // Play on: move, kill, spawn, collect.
    moveAll();
    heap.destroy(units[1]!);
    heap.set(world, 1, heap.alloc(0));
    heap.collect();
    expect(heap.query(Target).length).toBe(4);
    heap.load(bytes);
    heap.verify();
    expect(heap.stats()).toEqual(saved);
    // The same component objects read the saved columns and answer the saved queries.
    expect(heap.query(Position).length).toBe(8);
    expect(Position.x[heap.index(units[3]!)]).toBe(3);
    expect(heap.isAlive(units[1]!)).toBe(true);
    expect(heap.getField(units[0]!, Target, 'enemy')).toBe(units[1]);
    expect(heap.getField(units[0]!, Target, 'seen')).toBe(units[3]);
    expect(heap.component('Position')).toBe(Position);
    moveAll();
    expect(Position.x[heap.index(units[3]!)]).toBe(4);
    // It continues exactly as a restored copy of the same bytes does.
    const copy = Heap.restore(bytes);
    const CopyPosition = copy.component('Position', { x: 'f32', y: 'f32' })!;
    for (const i of copy.query(CopyPosition)) CopyPosition.x[i]! += 1;
    const made: Ref[][] = [[], []];
    [heap, copy].forEach((h, k) => {
      h.destroy(units[5]!);
      made[k]!.push(h.alloc(3), ...h.allocMany(3, 1));
      h.collect();
    });
    expect(made[0]).toEqual(made[1]);
    expect(observe(heap, [world, ...units, ...made[0]!])).toEqual(observe(copy, [world, ...units, ...made[0]!]));
  });

  it('restores a heap saved in the middle of an incremental cycle, and one loaded in the middle of its own', () => {
    const heap = new Heap({ initialCapacity: 16 });
    const { world, units } = game(heap);
    heap.set(world, 0, NULL); // unit 0 is garbage from here
    heap.step(3); // mid-cycle
    const bytes = heap.snapshot();
    const copy = Heap.restore(bytes);
    while (heap.phase !== 'idle') heap.step(5);
    heap.step(2);
    expect(heap.phase).not.toBe('idle');
    heap.load(bytes); // while a cycle of its own runs
    heap.verify();
    for (const h of [heap, copy]) while (h.phase !== 'idle') h.step(5);
    expect(heap.isAlive(units[0]!)).toBe(false);
    expect(observe(heap, [world, ...units])).toEqual(observe(copy, [world, ...units]));
  });

  it("keeps the heap's own onRemove hooks, observers and onFinalizerError, unless given a new handler", () => {
    const removed: Ref[] = [];
    const errors: unknown[] = [];
    const heap = new Heap({ onFinalizerError: (error) => errors.push(error) });
    const Sound = heap.defineComponent({ clip: 'u32' }, { name: 'Sound', onRemove: (ref) => removed.push(ref) });
    const a = heap.alloc();
    heap.add(a, Sound, { clip: 7 });
    const reports: string[] = [];
    heap.observe((report) => reports.push(report.call));
    heap.setFinalizer(a, () => {
      throw new Error('boom');
    });
    const bytes = heap.snapshot();
    // Loading needs the finalizer back; the hook it keeps from the heap.
    heap.load(bytes, {
      finalizer: () => () => {
        throw new Error('boom again');
      },
    });
    heap.collect();
    expect(removed).toEqual([a]);
    expect(errors.map((e) => (e as Error).message)).toEqual(['boom again']);
    expect(reports).toEqual(['collect']);
    const other: unknown[] = [];
    heap.load(bytes, {
      finalizer: () => () => {
        throw new Error('third');
      },
      onFinalizerError: (error) => other.push(error),
    });
    heap.collect();
    expect(other.length).toBe(1);
    expect(errors.length).toBe(1);
  });

  it('refuses other components, bad bytes and missing finalizers, leaving the heap as it was', () => {
    const source = new Heap();
    game(source);
    source.setFinalizer(source.alloc(), () => {});
    const bytes = source.snapshot();
    const heap = new Heap();
    const { Position, units } = game(heap);
    const before = heap.snapshot();
    const unchanged = () => {
      expect(heap.snapshot()).toEqual(before);
      heap.verify();
      expect(Position.x[heap.index(units[2]!)]).toBe(2);
    };
    expect(() => heap.load(bytes)).toThrow(/1 object had a finalizer, and functions are not saved/);
    unchanged();
    expect(() => heap.load(bytes.subarray(0, 40))).toThrow(SnapshotError);
    unchanged();
    expect(() => heap.load(bytes, { onRemove: {} })).toThrow(/load keeps each component's own onRemove hook/);
    expect(() => heap.load(bytes, { finalizer: 3 as never })).toThrow(/load option finalizer must be a function/);
    expect(() => heap.load(bytes, { nope: 1 } as never)).toThrow(/unknown load option 'nope'/);
    unchanged();
    // Other components: names, order, schema.
    const fewer = new Heap();
    fewer.defineComponent({ x: 'f32', y: 'f32' }, { name: 'Position' });
    expect(() => heap.load(fewer.snapshot())).toThrow(
      /the snapshot's components are not this heap's: it has 'Position', this heap 'Position', 'Target'/,
    );
    const swapped = new Heap();
    swapped.defineComponent({ enemy: 'ref', seen: 'weakref' }, { name: 'Target' });
    swapped.defineComponent({ x: 'f32', y: 'f32' }, { name: 'Position' });
    expect(() => heap.load(swapped.snapshot())).toThrow(/defined in the same order/);
    const wider = new Heap();
    wider.defineComponent({ x: 'f64', y: 'f32' }, { name: 'Position' });
    wider.defineComponent({ enemy: 'ref', seen: 'weakref' }, { name: 'Target' });
    expect(() => heap.load(wider.snapshot())).toThrow(
      /the snapshot's component 'Position' is not this heap's: in the snapshot it has field 'x' of type 'f64', not 'f32'/,
    );
    unchanged();
    // The same fields written in another order are the same schema.
    const reordered = new Heap();
    reordered.defineComponent({ y: 'f32', x: 'f32' }, { name: 'Position' });
    reordered.defineComponent({ seen: 'weakref', enemy: 'ref' }, { name: 'Target' });
    const r = reordered.alloc();
    reordered.add(r, reordered.component('Position', { x: 'f32', y: 'f32' })!, { x: 5, y: 6 });
    heap.load(reordered.snapshot());
    heap.verify();
    expect(Position.x[heap.index(r)]).toBe(5);
    expect(Position.y[heap.index(r)]).toBe(6);
  });

  it('is refused inside scope(), noGc(), finalizers and hooks', () => {
    const heap = new Heap();
    const bytes = heap.snapshot();
    expect(() => heap.scope(() => heap.load(bytes))).toThrow(HeapError);
    expect(() => heap.noGc(() => heap.load(bytes))).toThrow(/load between frames/);
    const a = heap.alloc();
    let thrown: unknown;
    heap.setFinalizer(a, () => {
      try {
        heap.load(bytes);
      } catch (error) {
        thrown = error;
      }
    });
    heap.collect();
    expect(thrown).toBeInstanceOf(HeapError);
  });

  it("runs the heap's onRemove hook for members saved before the component had one", () => {
    // A save game from a version of the game whose component had no hook, loaded by one whose has.
    const { old, Sound, world } = soundsWithoutHook(2, 1);
    old.collect(); // two old members, held
    const young = old.alloc();
    old.add(young, Sound, { clip: 9 });
    old.set(world, 1, young); // one young member held, the old one it replaces dropped
    const { heap, removed } = soundsWithHook();
    heap.load(old.snapshot());
    heap.verify();
    const [first, second] = [heap.get(world, 0), heap.get(world, 1)];
    heap.set(world, 0, NULL);
    heap.collect(); // frees the old member, and the one dropped before the save
    expect(removed.sort()).toEqual([0, 1]);
    heap.set(world, 1, NULL);
    heap.minor();
    heap.collect();
    expect(removed.sort()).toEqual([0, 1, 9]);
    expect(heap.isAlive(first) || heap.isAlive(second)).toBe(false);
    heap.verify();
  });

  it("takes a save made in a cycle's sweep, its dead members left without the heap's hook", () => {
    const { old, Sound, world } = soundsWithoutHook(40, 5);
    old.collect(); // 32 of them garbage, old: the next cycle finds them dead
    for (let k = 0; k < 40; k++) old.add(old.alloc(), Sound, { clip: 100 + k });
    old.tenure(); // made old: the young garbage is the cycle's too
    for (let steps = 0; old.phase !== 'sweep'; steps++) {
      expect(steps).toBeLessThan(10_000);
      old.step(1);
    }
    const bytes = old.snapshot(); // dead members not yet swept
    const { heap, removed } = soundsWithHook();
    heap.load(bytes);
    heap.verify();
    heap.collect();
    expect(removed).toEqual([]); // found dead before the load: no hook then
    for (let k = 0; k < 8; k++) heap.set(world, k, NULL);
    heap.collect();
    expect(removed.sort((a, b) => a - b)).toEqual([0, 5, 10, 15, 20, 25, 30, 35]);
    heap.verify();
  });

  it('refuses a save of a heap with another maxObjects, naming both (the columns are sized for it)', () => {
    const source = new Heap({ maxObjects: 5000 });
    source.defineComponent({ x: 'f32' }, { name: 'Position' });
    const heap = new Heap();
    heap.defineComponent({ x: 'f32' }, { name: 'Position' });
    const before = heap.snapshot();
    expect(() => heap.load(source.snapshot())).toThrow(SnapshotError);
    expect(() => heap.load(source.snapshot())).toThrow(
      /^the snapshot's heap has maxObjects 5000, this heap \d+: load needs the same \(component columns are sized for it and never move\); Heap\.restore makes a new heap instead$/,
    );
    expect(heap.snapshot()).toEqual(before);
    // Components named in the message, or none.
    const bare = new Heap();
    expect(() => bare.load(heap.snapshot())).toThrow(/it has 'Position', this heap none \(load needs/);
  });

  it('copies array fields whole and clears what the heap used past the saved objects', () => {
    const make = () => {
      const heap = new Heap();
      return { heap, Bag: heap.defineComponent({ items: ['u16', 3], w: 'f64' }, { name: 'Bag' }) };
    };
    const saved = make();
    const kept: Ref[] = [];
    for (let k = 0; k < 4; k++) {
      const r = saved.heap.alloc();
      saved.heap.pin(r);
      saved.heap.add(r, saved.Bag, { w: k + 0.5 });
      const i = saved.heap.index(r);
      for (let e = 0; e < 3; e++) saved.Bag.items[i * 3 + e] = 10 * k + e + 1;
      kept.push(r);
    }
    const bytes = saved.heap.snapshot();
    const { heap, Bag } = make();
    // This heap has used more indices than the saved one, every element of them set.
    for (let k = 0; k < 12; k++) {
      const r = heap.alloc();
      heap.pin(r);
      heap.add(r, Bag, { w: -1 });
      Bag.items.fill(7, heap.index(r) * 3, heap.index(r) * 3 + 3);
    }
    heap.load(bytes);
    heap.verify();
    for (const [k, r] of kept.entries()) {
      const i = heap.index(r);
      expect(Array.from(Bag.items.subarray(i * 3, i * 3 + 3))).toEqual([10 * k + 1, 10 * k + 2, 10 * k + 3]);
      expect(Bag.w[i]).toBe(k + 0.5);
    }
    const top = 1 + Math.max(...kept.map((r) => heap.index(r)));
    expect(Array.from(Bag.items.subarray(top * 3, 16 * 3)).every((v) => v === 0)).toBe(true);
    expect(Array.from(Bag.w.subarray(top, 16)).every((v) => v === 0)).toBe(true);
  });

  it('gives handles back the same: an index read before load names the same object after', () => {
    const heap = new Heap();
    const { Position, units } = game(heap);
    const bytes = heap.snapshot();
    const i = heap.index(units[4]!);
    heap.destroy(units[4]!);
    heap.collect();
    expect(heap.refAt(i)).toBe(NULL);
    heap.load(bytes);
    expect(heap.refAt(i as Index)).toBe(units[4]);
    expect(Position.y[i]).toBe(-4);
  });
});
