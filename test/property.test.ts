/**
 * Model-based property tests: random operation sequences run against the heap and against a
 * plain model (test/model.ts), compared after every step.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Component,
  Heap,
  HeapFullError,
  NULL,
  type ObjectKind,
  type Ref,
  type RefArray,
  SnapshotError,
  StaleRefError,
} from '../mod.ts';
import { Model } from './model.ts';
import { stateOf } from '../src/heap.ts';
import { CLEAR } from '../src/core/state.ts';
import { fcRuns } from './runs.ts';

type Op =
  | { op: 'alloc'; slots: number; kind: ObjectKind }
  | { op: 'reserve'; objects: number; slots: number }
  | { op: 'finalizer'; obj: number }
  | { op: 'destroy'; obj: number }
  | { op: 'link'; obj: number; target: number; weak: number }
  | { op: 'unlink'; obj: number }
  | { op: 'set'; obj: number; slot: number; target: number; byIndex: boolean }
  | { op: 'clear'; obj: number; slot: number }
  | { op: 'resize'; obj: number; slots: number }
  | { op: 'pin'; obj: number }
  | { op: 'unpin'; pin: number }
  | { op: 'collect' }
  | { op: 'minor' }
  | { op: 'step'; budget: number }
  | { op: 'intoClear' }
  | { op: 'tick'; ms: number }
  | { op: 'ticku'; units: number }
  | { op: 'tenure' }
  | { op: 'wave'; count: number; slots: number; targets: number[] | null; staleAt: number | null }
  | { op: 'save' }
  | { op: 'stale'; dead: number }
  | { op: 'churn'; count: number }
  | { op: 'scope'; body: Op[] }
  | { op: 'load'; body: Op[] };

const pick = fc.nat(1000);
/** A store into a slot, by handle (`set`) or by index (`setAt`): both must match the model. */
const setOp = fc.record({
  op: fc.constant('set' as const),
  obj: pick,
  slot: pick,
  target: pick,
  byIndex: fc.boolean(),
});
const flatOp: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('alloc' as const),
      slots: fc.nat(5),
      kind: fc.constantFrom<ObjectKind>('strong', 'strong', 'weak', 'ephemeron'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('finalizer' as const), obj: pick }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('destroy' as const), obj: pick }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('link' as const), obj: pick, target: pick, weak: pick }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('unlink' as const), obj: pick }) },
  { weight: 6, arbitrary: setOp },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('clear' as const), obj: pick, slot: pick }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('resize' as const), obj: pick, slots: fc.nat(10) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('pin' as const), obj: pick }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('unpin' as const), pin: pick }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('collect' as const) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('minor' as const) }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('step' as const), budget: fc.integer({ min: 1, max: 60 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('intoClear' as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('tick' as const), ms: fc.constantFrom(0, 0.01, 1) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('ticku' as const), units: fc.integer({ min: 0, max: 200 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('tenure' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('reserve' as const), objects: fc.nat(300), slots: fc.nat(1200) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('wave' as const),
      count: fc.nat(6),
      slots: fc.nat(3),
      // Picks of live objects (or NULL, at pick 0) for every slot; now and then one dead handle,
      // which must make the whole wave throw and allocate nothing.
      targets: fc.option(fc.array(pick, { minLength: 18, maxLength: 18 }), { nil: null }),
      staleAt: fc.option(fc.nat(17), { nil: null, freq: 4 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('stale' as const), dead: pick }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('churn' as const), count: fc.integer({ min: 1, max: 40 }) }) },
);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 12, arbitrary: flatOp },
  // Save and restore, mid-cycle or not (never inside a scope: its roots live on the JS stack).
  { weight: 1, arbitrary: fc.record({ op: fc.constant('save' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('scope' as const), body: fc.array(flatOp, { maxLength: 12 }) }),
  },
  // Save, run a few steps, then load the bytes back into the same heap (in place).
  { weight: 1, arbitrary: fc.record({ op: fc.constant('load' as const), body: fc.array(flatOp, { maxLength: 8 }) }) },
);

const heapOptions = fc.record({
  indexBits: fc.constantFrom(16, 20, 22, 24),
  // Few generation bits make indices retire within a run; many exercise double-valued handles.
  generationBits: fc.integer({ min: 2, max: 6 }),
  maxObjects: fc.integer({ min: 3, max: 80 }),
  initialCapacity: fc.integer({ min: 1, max: 3 }),
  generational: fc.boolean(),
  promoteAfter: fc.integer({ min: 1, max: 3 }),
  cardSize: fc.constantFrom(1, 2, 4, 32),
  nurserySize: fc.integer({ min: 1, max: 20 }),
  growthPercent: fc.integer({ min: 1, max: 200 }),
  minHeapObjects: fc.integer({ min: 1, max: 20 }),
});

type HeapOptionsValue = typeof heapOptions extends fc.Arbitrary<infer T> ? T : never;

/**
 * Generational heaps with cards of one object (the default), where objects get old fast, and
 * operations weighted to make old objects refer to young ones and then move, resize, destroy or
 * lose those old objects: the remembered set's paths (remembered slots, their owners remembered
 * whole, entries made stale and checked by the next minor).
 */
const rememberedOptions = fc.record({
  indexBits: fc.constant(20),
  generationBits: fc.integer({ min: 3, max: 8 }),
  maxObjects: fc.integer({ min: 8, max: 120 }),
  initialCapacity: fc.integer({ min: 1, max: 8 }),
  generational: fc.constant(true),
  promoteAfter: fc.integer({ min: 1, max: 2 }),
  cardSize: fc.constantFrom(1, 1, 1, 4),
  nurserySize: fc.integer({ min: 1, max: 30 }),
  growthPercent: fc.integer({ min: 1, max: 200 }),
  minHeapObjects: fc.integer({ min: 1, max: 40 }),
});
const rememberedOp: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      op: fc.constant('alloc' as const),
      slots: fc.integer({ min: 1, max: 4 }),
      kind: fc.constantFrom<ObjectKind>('strong', 'strong', 'strong', 'weak'),
    }),
  },
  { weight: 16, arbitrary: setOp },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('clear' as const), obj: pick, slot: pick }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('resize' as const), obj: pick, slots: fc.nat(6) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('destroy' as const), obj: pick }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('link' as const), obj: pick, target: pick, weak: pick }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('pin' as const), obj: pick }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('unpin' as const), pin: pick }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('minor' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('tenure' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('collect' as const) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('step' as const), budget: fc.integer({ min: 1, max: 60 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('ticku' as const), units: fc.integer({ min: 0, max: 200 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('save' as const) }) },
);

function nth<T>(items: T[], k: number): T | undefined {
  return items.length === 0 ? undefined : items[k % items.length];
}

/**
 * Allocates in both; a `HeapFullError` is allowed only when every usable index is live or
 * retired, or held by dead objects whose finalizers a pending sweep has yet to run.
 */
function allocOrFull(heap: Heap, model: Model, slots: number, kind: ObjectKind = 'strong'): boolean {
  let ref: Ref;
  if (kind === 'ephemeron') slots -= slots % 2;
  try {
    ref = heap.alloc(slots, kind);
  } catch (error) {
    expect(error).toBeInstanceOf(HeapFullError);
    const stats = heap.stats();
    if (heap.phase !== 'sweep') expect(stats.live + stats.retired + stats.destroyed).toBe(stats.maxObjects);
    return false;
  }
  expect(model.objects.has(ref)).toBe(false);
  if (model.dead.includes(ref)) expect({ revived: ref }).toBe(null);
  model.alloc(ref, slots, kind);
  // alloc may finish a pending sweep to make room: take in what it freed.
  model.syncDeaths(heap);
  return true;
}

/** What finalizers did during the current operation, checked once the model has caught up. */
interface FinalizerRun {
  ref: Ref;
  seen: Ref[];
  allocated: Ref | undefined;
  /** Run by a minor (the heap reads 'idle' then) rather than a major cycle. */
  byMinor: boolean;
}
let finalizerRuns: FinalizerRun[] = [];

/** The finalizer every test object gets: reads its object, and sometimes allocates. */
function finalizerRan(heap: Heap, ref: Ref): void {
  const seen = Array.from({ length: heap.slotCount(ref) }, (_, k) => heap.get(ref, k));
  expect(heap.isAlive(ref)).toBe(false);
  let allocated: Ref | undefined;
  try {
    // At maxObjects the dead objects still hold their indices while finalizers run: full is allowed.
    if (ref % 3 === 0) allocated = heap.alloc(1);
  } catch (error) {
    expect(error).toBeInstanceOf(HeapFullError);
  }
  finalizerRuns.push({ ref, seen, allocated, byMinor: heap.phase === 'idle' });
}

/**
 * Replays the finalizer log into the model. Objects finalizers allocated are old after a full
 * collection; unrooted, they may already be gone again when `collect()` ran a pending cycle's
 * finalizers before its own full collection.
 */
function settleFinalizers(
  heap: Heap,
  model: Model,
  fullCollection: boolean,
  which: 'all' | 'minor' | 'cycle' = 'all',
): number {
  const settled = (run: FinalizerRun) => which === 'all' || run.byMinor === (which === 'minor');
  const runs = finalizerRuns.filter(settled);
  finalizerRuns = finalizerRuns.filter((run) => !settled(run));
  let diedAgain = 0;
  for (const run of runs) {
    model.finalized(run.ref, run.seen);
    if (run.allocated === undefined) continue;
    if (heap.isAlive(run.allocated)) {
      model.alloc(run.allocated, 1, 'strong', fullCollection);
    } else {
      model.dead.push(run.allocated);
      diedAgain++;
    }
  }
  return diedAgain;
}

/** The component every property-test heap has: one strong and one weak reference field. */
const links = new WeakMap<Heap, Component<{ ref: 'ref'; weak: 'weakref' }>>();
function linkOf(heap: Heap): Component<{ ref: 'ref'; weak: 'weakref' }> {
  let link = links.get(heap);
  if (link === undefined) {
    links.set(heap, link = heap.defineComponent({ ref: 'ref', weak: 'weakref' }, { name: 'Link' }));
  }
  return link;
}

/** The heap under test; `save` replaces it with its restored copy. */
interface HeapBox {
  heap: Heap;
}

function run(box: HeapBox, model: Model, ops: Op[]): void {
  for (const step of ops) {
    const heap = box.heap;
    const live = [...model.objects.keys()];
    switch (step.op) {
      case 'alloc':
        allocOrFull(heap, model, step.slots, step.kind);
        break;
      case 'link': {
        // Pick 0 of the target means NULL, so links also get cleared.
        const ref = nth(live, step.obj);
        if (ref === undefined) break;
        const target = step.target % 4 === 0 ? NULL : nth(live, step.target)!;
        const weak = step.weak % 4 === 0 ? NULL : nth(live, step.weak)!;
        const object = model.objects.get(ref)!;
        if (object.link === undefined || step.target % 2 === 0) {
          heap.add(ref, linkOf(heap), { ref: target, weak });
          if (object.link === undefined) object.link = { ref: NULL, weak: NULL };
        } else {
          heap.setField(ref, linkOf(heap), 'ref', target);
          heap.setField(ref, linkOf(heap), 'weak', weak);
        }
        object.link = { ref: target, weak };
        model.resurrect(target, ref);
        break;
      }
      case 'unlink': {
        const ref = nth(live, step.obj);
        if (ref === undefined) break;
        heap.remove(ref, linkOf(heap));
        model.objects.get(ref)!.link = undefined;
        break;
      }
      case 'destroy': {
        // Gone at once, whatever refers to it; its finalizer runs now (and may allocate).
        const ref = nth(live, step.obj);
        if (ref === undefined) break;
        heap.destroy(ref);
        model.destroy(ref);
        settleFinalizers(heap, model, false);
        break;
      }
      case 'finalizer': {
        const ref = nth(live, step.obj);
        if (ref === undefined) break;
        heap.setFinalizer(ref, (dead) => finalizerRan(heap, dead));
        model.objects.get(ref)!.finalizer = true;
        break;
      }
      case 'set':
      case 'clear': {
        const ref = nth(live, step.obj);
        if (ref === undefined) break;
        const object = model.objects.get(ref)!;
        if (object.slots.length === 0) {
          expect(() => heap.set(ref, 0, NULL)).toThrow(RangeError);
          break;
        }
        const slot = step.slot % object.slots.length;
        const target = step.op === 'set' ? nth(live, step.target)! : NULL;
        // setAt is set by index: the same store, through the same barrier.
        if (step.op === 'set' && step.byIndex) heap.setAt(heap.index(ref), slot, heap.index(target));
        else heap.set(ref, slot, target);
        object.slots[slot] = target;
        // A store into a weak or ephemeron slot is no strong edge: the barrier shades nothing
        // (though a key stored into a reachable ephemeron makes its value reachable).
        if (object.kind === 'strong') model.resurrect(target, ref);
        else if (object.kind === 'ephemeron') model.resurrect(NULL, ref);
        break;
      }
      case 'resize': {
        const ref = nth(live, step.obj);
        if (ref === undefined) break;
        const object = model.objects.get(ref)!;
        const slots = object.kind === 'ephemeron' ? step.slots - step.slots % 2 : step.slots;
        if (slots !== step.slots) expect(() => heap.resize(ref, step.slots)).toThrow(RangeError);
        heap.resize(ref, slots);
        object.slots = object.slots.slice(0, slots);
        while (object.slots.length < slots) object.slots.push(NULL);
        break;
      }
      case 'pin': {
        const ref = nth(live, step.obj);
        if (ref === undefined) break;
        model.pins.set(heap.pin(ref), ref);
        model.resurrect(ref);
        break;
      }
      case 'unpin': {
        const ticket = nth([...model.pins.keys()], step.pin);
        if (ticket === undefined) break;
        heap.unpin(ticket);
        model.pins.delete(ticket);
        model.staleTickets.push(ticket);
        break;
      }
      case 'collect': {
        model.condemned = null; // a running cycle is finished inside, and the full collection is exact
        const info = heap.collect();
        expect(info.kind).toBe('major');
        const freed = model.collect();
        expect(info.freed).toBe(freed + settleFinalizers(heap, model, true));
        model.checkNoFinalizerDue();
        expect(info.live).toBe(model.objects.size);
        break;
      }
      case 'minor': {
        const deferred = heap.phase !== 'idle';
        const info = heap.minor();
        expect(info.kind).toBe('minor');
        expect(info.freed).toBe(deferred ? 0 : model.minor(stateOf(heap).pacer.lastPromotionAge));
        settleFinalizers(heap, model, false);
        if (!deferred) model.checkNoFinalizerDue();
        expect(info.live).toBe(model.objects.size);
        break;
      }
      case 'step': {
        const majors = heap.stats().majorCollections;
        if (model.tenuring) {
          // A step continues the TENURE: it makes young objects old, frees nothing, ends no cycle.
          expect(heap.step(step.budget)).toBe(false);
          if (heap.phase === 'idle') model.endTenure();
          break;
        }
        if (heap.phase === 'idle') model.beginCycle();
        const ended = stepCycle(heap, model, step.budget);
        expect(ended).toBe(heap.stats().majorCollections > majors);
        expect(ended).toBe(heap.phase === 'idle');
        break;
      }
      case 'intoClear': {
        // Steps of one unit until the cycle is in CLEAR (old weak references to the dead cleared
        // in slices, read as NULL meanwhile), so that the model compares every slot mid-CLEAR; or
        // until the cycle ends, when it had no old weak references to clear past one step.
        if (model.tenuring) break;
        if (heap.phase === 'idle') model.beginCycle();
        while (!stepCycle(heap, model, 1) && stateOf(heap).phase !== CLEAR);
        break;
      }
      case 'wave': {
        const before = heap.stats();
        const length = step.count * step.slots;
        // Slot contents for the whole wave, object by object (NULL at pick 0, else a live object).
        const targets = step.targets?.slice(0, length).map((k) => (k === 0 ? NULL : nth(live, k) ?? NULL));
        const stale = [...model.dead].reverse().find((ref) => !heap.isAlive(ref));
        if (targets !== undefined && step.staleAt !== null && step.staleAt < length && stale !== undefined) {
          targets[step.staleAt] = stale;
          expect(() => heap.allocMany(step.count, step.slots, 'strong', targets)).toThrow(
            new RegExp(`^targets\\[${step.staleAt}\\] ${stale} is stale`),
          );
          expect(heap.stats()).toEqual(before); // all or nothing: the wave was checked first
          break;
        }
        let wave: RefArray;
        try {
          wave = heap.allocMany(step.count, step.slots, 'strong', targets);
        } catch (error) {
          expect(error).toBeInstanceOf(HeapFullError);
          model.syncDeaths(heap); // it may have finished a pending sweep, but allocated nothing
          expect(heap.stats().live).toBeLessThanOrEqual(before.live);
          break;
        }
        for (let j = 0; j < wave.length; j++) {
          const ref = wave[j]!;
          expect(model.objects.has(ref)).toBe(false);
          if (model.dead.includes(ref)) expect({ revived: ref }).toBe(null);
          model.alloc(ref, step.slots);
          if (targets === undefined) continue;
          // Stored as `set` stores: the model's slots, and (while a cycle marks) the barrier's shading.
          const object = model.objects.get(ref)!;
          for (let k = 0; k < step.slots; k++) {
            object.slots[k] = targets[j * step.slots + k]!;
            model.resurrect(object.slots[k]!, ref);
          }
        }
        model.syncDeaths(heap);
        break;
      }
      case 'tenure': {
        heap.tenure();
        model.tenure();
        break;
      }
      case 'reserve': {
        // Storage only: no object, slot or collection changes (the model has nothing to do), and
        // what is reserved is there afterwards.
        const before = heap.stats();
        if (step.objects > before.maxObjects) {
          expect(() => heap.reserve(step.objects, step.slots)).toThrow(/reserved objects must be an integer/);
          expect(heap.stats()).toEqual(before);
          break;
        }
        heap.reserve(step.objects, step.slots);
        const after = heap.stats();
        expect(after.capacity).toBeGreaterThanOrEqual(Math.max(before.capacity, step.objects));
        expect(after.slotsCapacity).toBeGreaterThanOrEqual(Math.max(before.slotsCapacity, step.slots));
        expect({ ...after, capacity: 0, slotsCapacity: 0, bytes: 0 })
          .toEqual({ ...before, capacity: 0, slotsCapacity: 0, bytes: 0 });
        break;
      }
      case 'save': {
        const bytes = heap.snapshot();
        const restored: Heap = Heap.restore(bytes, {
          finalizer: () => (dead) => finalizerRan(restored, dead),
        });
        const link = restored.component('Link', { ref: 'ref', weak: 'weakref' });
        if (link !== undefined) links.set(restored, link);
        expect(restored.stats()).toEqual(heap.stats());
        box.heap = restored;
        break;
      }
      case 'load': {
        // The heap and the model go back to the saved point; the heap object, its Link component
        // object and the closures holding it stay the same. Loading is refused (SnapshotError, the
        // heap unchanged) when the body defined Link, which the snapshot lacks.
        const bytes = heap.snapshot();
        const hadLink = heap.component('Link') !== undefined;
        const saved = model.clone();
        const statsBefore = heap.stats();
        run(box, model, step.body);
        const give = { finalizer: () => (dead: Ref) => finalizerRan(heap, dead) };
        if (!hadLink && heap.component('Link') !== undefined) {
          const current = heap.snapshot();
          expect(() => heap.load(bytes, give)).toThrow(SnapshotError);
          expect(heap.snapshot()).toEqual(current);
          break;
        }
        const link = heap.component('Link');
        heap.load(bytes, give);
        model.restoreFrom(saved);
        expect(heap.stats()).toEqual(statsBefore);
        expect(heap.component('Link')).toBe(link);
        break;
      }
      case 'ticku':
      case 'tick': {
        const before = heap.stats();
        const report = heap.tick(step.op === 'tick' ? step.ms : { units: step.units });
        const after = heap.stats();
        if (report.work === 'tenure') {
          // No minor, no cycle: the nursery made old in slices (begun now, or continued).
          expect(after.minorCollections).toBe(before.minorCollections);
          expect(after.majorCollections).toBe(before.majorCollections);
          expect(after.live).toBe(before.live);
          if (!model.tenuring) model.beginTenure();
          if (heap.phase === 'idle') model.endTenure();
          break;
        }
        if (model.tenuring) {
          // Near maxObjects a stretched tick finishes the running TENURE (no cycle: it frees
          // nothing), then runs its minor, replayed below after it.
          expect([report.stretched, report.work, report.cycleEnded, report.majorFreed]).toEqual([
            true,
            'minor',
            false,
            0,
          ]);
          expect(after.majorCollections).toBe(before.majorCollections);
          model.endTenure();
        }
        // A tick runs a minor first (only when idle), then cycle slices; replay them in order
        // (what the minor's finalizers allocated exists before the cycle begins). Near maxObjects
        // (a stretched tick) it finishes the running cycle first and then runs the minor, so a
        // minor in a tick that began inside a cycle is replayed after it.
        const minorRan = after.minorCollections > before.minorCollections;
        const minorLast = minorRan && before.phase !== 'idle';
        if (minorLast) expect(report.stretched).toBe(true);
        if (minorRan && !minorLast) {
          model.minor(stateOf(heap).pacer.lastPromotionAge);
          settleFinalizers(heap, model, false, 'minor');
        }
        const cycleEnded = after.majorCollections > before.majorCollections;
        if (before.phase === 'idle' && (heap.phase !== 'idle' || cycleEnded)) model.beginCycle();
        model.syncDeaths(heap);
        settleFinalizers(heap, model, false, minorLast ? 'cycle' : 'all');
        if (cycleEnded) model.endCycle(heap);
        if (minorLast) {
          model.minor(stateOf(heap).pacer.lastPromotionAge);
          settleFinalizers(heap, model, false, 'minor');
        }
        if (heap.phase === 'idle') model.checkNoFinalizerDue();
        break;
      }
      case 'stale': {
        const ref = nth(model.dead, step.dead);
        if (ref === undefined) break;
        expect(() => heap.get(ref, 0)).toThrow(StaleRefError);
        expect(() => heap.pin(ref)).toThrow(StaleRefError);
        break;
      }
      case 'churn': {
        // Unrooted allocations, then a collection: cycles indices through their generations fast.
        for (let k = 0; k < step.count; k++) {
          if (!allocOrFull(heap, model, k % 3)) break;
        }
        model.condemned = null;
        const freed = heap.collect().freed;
        expect(freed).toBe(model.collect() + settleFinalizers(heap, model, true));
        break;
      }
      case 'scope': {
        model.scopes.push([]);
        heap.scope(() => run(box, model, step.body));
        model.scopes.pop();
        break;
      }
    }
    model.check(heap);
  }
}

/** One `step(budget)` of a cycle the model was told of, with the model brought along; whether the cycle ended. */
function stepCycle(heap: Heap, model: Model, budget: number): boolean {
  const ended = heap.step(budget);
  model.syncDeaths(heap);
  settleFinalizers(heap, model, false);
  if (ended) {
    model.endCycle(heap);
    model.checkNoFinalizerDue();
  }
  return ended;
}

/**
 * Counterexamples random seeds found, run first every time (not while one is replayed):
 * - a value stored into a marked ephemeron that has left the roots, its key pinned: the marker
 *   keeps the value (the ephemeron is marked, and so is its key), and the model condemned it, its
 *   `resurrect` having reached from the owner and from the roots apart (seed -1661958438, session
 *   26; the failure session 25 saw once and could not keep).
 */
const MODEL_REGRESSIONS: [HeapOptionsValue, Op[]][] = [
  JSON.parse(
    '[{"indexBits":16,"generationBits":2,"maxObjects":3,"initialCapacity":1,"generational":false,"promoteAfter":1,"cardSize":1,"nurserySize":1,"growthPercent":1,"minHeapObjects":1},[{"op":"scope","body":[{"op":"churn","count":1}]},{"op":"pin","obj":0},{"op":"alloc","slots":0,"kind":"strong"},{"op":"scope","body":[{"op":"alloc","slots":2,"kind":"ephemeron"},{"op":"step","budget":1}]},{"op":"load","body":[{"op":"set","obj":755,"slot":0,"target":0,"byIndex":false},{"op":"set","obj":614,"slot":273,"target":70,"byIndex":false},{"op":"link","obj":0,"target":0,"weak":0}]},{"op":"scope","body":[{"op":"step","budget":4}]}]]',
  ),
];

/**
 * Counterexamples of the remembered-set property, run first every time (not while one is replayed):
 * - a tick near `maxObjects` during a TENURE finished it and ran a minor, and reported a major cycle
 *   ended ('minor+major', with the last cycle's freed count); the model, still in the TENURE, saw
 *   no 'tenure' work (seed 1780973656, CI's Bun run, session 36).
 */
const REMEMBERED_REGRESSIONS: [HeapOptionsValue, Op[]][] = [
  JSON.parse(
    '[{"indexBits":20,"generationBits":3,"maxObjects":8,"initialCapacity":1,"generational":true,"promoteAfter":1,"cardSize":1,"nurserySize":1,"growthPercent":1,"minHeapObjects":1},[{"op":"alloc","slots":1,"kind":"strong"},{"op":"ticku","units":0},{"op":"alloc","slots":1,"kind":"strong"},{"op":"alloc","slots":1,"kind":"strong"},{"op":"ticku","units":0},{"op":"alloc","slots":1,"kind":"strong"},{"op":"alloc","slots":1,"kind":"strong"},{"op":"alloc","slots":1,"kind":"strong"},{"op":"ticku","units":0},{"op":"destroy","obj":0},{"op":"set","obj":0,"slot":0,"target":0,"byIndex":false},{"op":"set","obj":0,"slot":0,"target":0,"byIndex":false},{"op":"tenure"},{"op":"step","budget":1},{"op":"minor"},{"op":"set","obj":0,"slot":0,"target":0,"byIndex":false},{"op":"set","obj":0,"slot":0,"target":0,"byIndex":false},{"op":"minor"},{"op":"tenure"},{"op":"unpin","pin":0},{"op":"minor"},{"op":"set","obj":0,"slot":0,"target":0,"byIndex":false},{"op":"alloc","slots":1,"kind":"strong"},{"op":"set","obj":0,"slot":0,"target":0,"byIndex":false},{"op":"set","obj":0,"slot":0,"target":0,"byIndex":false},{"op":"pin","obj":0},{"op":"clear","obj":0,"slot":0},{"op":"alloc","slots":1,"kind":"strong"},{"op":"set","obj":0,"slot":0,"target":0,"byIndex":false}]]',
  ),
];

describe('the heap agrees with a reference model', () => {
  it('under random alloc / set / resize / pin / unpin / scope / collect / minor / step / tick, weak kinds and finalizers', () => {
    fc.assert(
      fc.property(heapOptions, fc.array(op, { minLength: 10, maxLength: 150, size: '+1' }), (options, ops) => {
        const box = { heap: new Heap(options) };
        const model = new Model(options.generational, options.promoteAfter);
        finalizerRuns = []; // a failed run may leave entries behind; each run starts clean
        run(box, model, ops);
        const heap = box.heap;
        // A final collection frees everything the model says is unreachable.
        const freed = heap.collect().freed;
        expect(freed).toBe(model.collect() + settleFinalizers(heap, model, true));
        model.checkNoFinalizerDue();
        model.check(heap);
      }),
      { numRuns: fcRuns(400), ...replay(MODEL_REGRESSIONS) },
    );
  });
});

describe('the remembered set agrees with the reference model', () => {
  it('when old objects come to refer to young ones and are then stored into, resized, destroyed or lost', () => {
    fc.assert(
      fc.property(
        rememberedOptions,
        fc.array(rememberedOp, { minLength: 20, maxLength: 200, size: '+1' }),
        (options, ops) => {
          const box = { heap: new Heap(options) };
          const model = new Model(options.generational, options.promoteAfter);
          finalizerRuns = [];
          run(box, model, ops);
          const freed = box.heap.collect().freed;
          expect(freed).toBe(model.collect() + settleFinalizers(box.heap, model, true));
          model.check(box.heap);
        },
      ),
      { numRuns: fcRuns(300), ...replay(REMEMBERED_REGRESSIONS) },
    );
  });
});

/**
 * `FC_SEED` and `FC_PATH` from a failure report replay that counterexample (`FC_SEED=… FC_PATH=…
 * npx vitest run …`); `FC_EXAMPLE` (the counterexample's JSON) runs it first, on its own. Otherwise
 * `regressions` (kept counterexamples) run first.
 */
function replay(
  regressions: [HeapOptionsValue, Op[]][] = [],
): Partial<fc.Parameters<[HeapOptionsValue, Op[]]>> {
  const env = typeof process === 'undefined' ? {} : process.env;
  if (env['FC_EXAMPLE'] !== undefined) return { examples: [JSON.parse(env['FC_EXAMPLE'])] };
  if (env['FC_SEED'] !== undefined) return { seed: Number(env['FC_SEED']), path: env['FC_PATH'] ?? '' };
  return regressions.length === 0 ? {} : { examples: regressions };
}
