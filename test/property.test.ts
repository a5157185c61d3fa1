/**
 * Model-based property tests: random operation sequences run against the heap and against a
 * plain model (test/model.ts), compared after every step.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Heap, HeapFullError, NULL, type Ref, StaleRefError } from '../mod.ts';
import { Model } from './model.ts';

type Op =
  | { op: 'alloc'; slots: number }
  | { op: 'set'; obj: number; slot: number; target: number }
  | { op: 'clear'; obj: number; slot: number }
  | { op: 'resize'; obj: number; slots: number }
  | { op: 'pin'; obj: number }
  | { op: 'unpin'; pin: number }
  | { op: 'collect' }
  | { op: 'minor' }
  | { op: 'step'; budget: number }
  | { op: 'tick'; ms: number }
  | { op: 'stale'; dead: number }
  | { op: 'churn'; count: number }
  | { op: 'scope'; body: Op[] };

const pick = fc.nat(1000);
const flatOp: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('alloc' as const), slots: fc.nat(5) }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('set' as const), obj: pick, slot: pick, target: pick }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('clear' as const), obj: pick, slot: pick }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('resize' as const), obj: pick, slots: fc.nat(10) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('pin' as const), obj: pick }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('unpin' as const), pin: pick }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('collect' as const) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('minor' as const) }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('step' as const), budget: fc.integer({ min: 1, max: 60 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('tick' as const), ms: fc.constantFrom(0, 0.01, 1) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('stale' as const), dead: pick }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('churn' as const), count: fc.integer({ min: 1, max: 40 }) }) },
);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 12, arbitrary: flatOp },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('scope' as const), body: fc.array(flatOp, { maxLength: 12 }) }),
  },
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

function nth<T>(items: T[], k: number): T | undefined {
  return items.length === 0 ? undefined : items[k % items.length];
}

/** Allocates in both; a `HeapFullError` is allowed only when every usable index is live or retired. */
function allocOrFull(heap: Heap, model: Model, slots: number): boolean {
  let ref: Ref;
  try {
    ref = heap.alloc(slots);
  } catch (error) {
    expect(error).toBeInstanceOf(HeapFullError);
    const stats = heap.stats();
    expect(stats.live + stats.retired).toBe(stats.maxObjects);
    return false;
  }
  expect(model.objects.has(ref)).toBe(false);
  if (model.dead.includes(ref)) expect({ revived: ref }).toBe(null);
  model.alloc(ref, slots);
  // alloc may finish a pending sweep to make room: take in what it freed.
  model.syncDeaths(heap);
  return true;
}

function run(heap: Heap, model: Model, ops: Op[]): void {
  for (const step of ops) {
    const live = [...model.objects.keys()];
    switch (step.op) {
      case 'alloc':
        allocOrFull(heap, model, step.slots);
        break;
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
        heap.set(ref, slot, target);
        model.resurrect(target);
        object.slots[slot] = target;
        break;
      }
      case 'resize': {
        const ref = nth(live, step.obj);
        if (ref === undefined) break;
        heap.resize(ref, step.slots);
        const object = model.objects.get(ref)!;
        object.slots = object.slots.slice(0, step.slots);
        while (object.slots.length < step.slots) object.slots.push(NULL);
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
        expect(info.freed).toBe(model.collect());
        expect(info.live).toBe(model.objects.size);
        break;
      }
      case 'minor': {
        const deferred = heap.phase !== 'idle';
        const info = heap.minor();
        expect(info.kind).toBe('minor');
        expect(info.freed).toBe(deferred ? 0 : model.minor());
        expect(info.live).toBe(model.objects.size);
        break;
      }
      case 'step': {
        const majors = heap.stats().majorCollections;
        if (heap.phase === 'idle') model.beginCycle();
        const ended = heap.step(step.budget);
        expect(ended).toBe(heap.stats().majorCollections > majors);
        expect(ended).toBe(heap.phase === 'idle');
        model.syncDeaths(heap);
        if (ended) model.endCycle(heap);
        break;
      }
      case 'tick': {
        const before = heap.stats();
        heap.tick(step.ms);
        const after = heap.stats();
        // A tick runs a minor first (only when idle), then cycle slices; replay them in order.
        if (after.minorCollections > before.minorCollections) model.minor();
        const cycleEnded = after.majorCollections > before.majorCollections;
        if (before.phase === 'idle' && (heap.phase !== 'idle' || cycleEnded)) model.beginCycle();
        model.syncDeaths(heap);
        if (cycleEnded) model.endCycle(heap);
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
        expect(heap.collect().freed).toBe(model.collect());
        break;
      }
      case 'scope': {
        model.scopes.push([]);
        heap.scope(() => run(heap, model, step.body));
        model.scopes.pop();
        break;
      }
    }
    model.check(heap);
  }
}

describe('the heap agrees with a reference model', () => {
  it('under random alloc / set / resize / pin / unpin / scope / collect / minor / step / tick', () => {
    fc.assert(
      fc.property(heapOptions, fc.array(op, { minLength: 10, maxLength: 150, size: '+1' }), (options, ops) => {
        const heap = new Heap(options);
        const model = new Model(options.generational, options.promoteAfter);
        run(heap, model, ops);
        // A final collection with no roots frees everything the model says is unreachable.
        expect(heap.collect().freed).toBe(model.collect());
        model.check(heap);
      }),
      { numRuns: 400 },
    );
  });
});
