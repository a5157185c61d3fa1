/**
 * `heap.whyAlive(ref)` and `heap.pins()`: unit cases for each kind of step, and a property test
 * against a breadth-first search over a plain model of the graph: same reachability, a shortest
 * path when no ephemeron is needed, and every step a real edge of the heap.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Heap, NULL, type ObjectKind, type PathStep, type Ref, StaleRefError, type Ticket } from '../mod.ts';
import { statsOf } from './naming.ts';

describe('whyAlive', () => {
  it('a pinned object: one step, the pin and its ticket', () => {
    const heap = new Heap();
    const a = heap.alloc(1);
    const ticket = heap.pin(a);
    expect(heap.whyAlive(a)).toEqual([{ via: 'pin', ref: a, ticket }]);
  });

  it('a chain of slots, from the root', () => {
    const heap = new Heap();
    const [root, b, c] = [heap.alloc(3), heap.alloc(2), heap.alloc(0)];
    const ticket = heap.pin(root);
    heap.set(root, 2, b);
    heap.set(b, 1, c);
    expect(heap.whyAlive(c)).toEqual([
      { via: 'pin', ref: root, ticket },
      { via: 'slot', ref: b, from: root, slot: 2 },
      { via: 'slot', ref: c, from: b, slot: 1 },
    ]);
  });

  it('the shortest of two paths', () => {
    const heap = new Heap();
    const root = heap.alloc(2);
    heap.pin(root);
    // root -0-> long1 -0-> long2 -0-> target, and root -1-> short -0-> target
    const [long1, long2, short, target] = [heap.alloc(1), heap.alloc(1), heap.alloc(1), heap.alloc(0)];
    heap.set(root, 0, long1);
    heap.set(long1, 0, long2);
    heap.set(long2, 0, target);
    heap.set(root, 1, short);
    heap.set(short, 0, target);
    expect(heap.whyAlive(target)!.map((step) => step.ref)).toEqual([root, short, target]);
  });

  it('an object nothing reaches: null (it is garbage the next collection frees)', () => {
    const heap = new Heap();
    const a = heap.alloc(1);
    const b = heap.alloc(0);
    heap.set(a, 0, b); // a points at b, but nothing points at a
    expect(heap.whyAlive(a)).toBeNull();
    expect(heap.whyAlive(b)).toBeNull();
    heap.collect();
    expect(heap.isAlive(b)).toBe(false);
  });

  it('an object allocated in an open scope is a root', () => {
    const heap = new Heap();
    const b = heap.alloc(0); // outside the scope: reached only through a
    heap.scope(() => {
      const a = heap.alloc(1);
      heap.set(a, 0, b);
      expect(heap.whyAlive(b)).toEqual([{ via: 'scope', ref: a }, { via: 'slot', ref: b, from: a, slot: 0 }]);
      expect(heap.whyAlive(a)).toEqual([{ via: 'scope', ref: a }]);
    });
  });

  it('an object allocated in a scope that has returned is no root', () => {
    const heap = new Heap();
    let a = NULL;
    heap.scope(() => {
      a = heap.alloc(0);
    });
    expect(heap.whyAlive(a)).toBeNull();
    heap.collect();
    expect(heap.isAlive(a)).toBe(false);
  });

  it('a pin wins over an open scope, and the first pin over later ones', () => {
    const heap = new Heap();
    heap.scope(() => {
      const a = heap.alloc();
      const first = heap.pin(a);
      heap.pin(a);
      expect(heap.whyAlive(a)).toEqual([{ via: 'pin', ref: a, ticket: first }]);
    });
  });

  it('ref fields of components are edges, with the component, field and element', () => {
    const heap = new Heap();
    const Follow = heap.defineComponent({ hp: 'f32', leader: 'ref', squad: ['ref', 3] }, { name: 'Follow' });
    const [root, leader, mate] = [heap.alloc(), heap.alloc(), heap.alloc()];
    const ticket = heap.pin(root);
    heap.add(root, Follow, { leader });
    heap.setField(root, Follow, 'squad', mate, 2);
    expect(heap.whyAlive(leader)).toEqual([
      { via: 'pin', ref: root, ticket },
      { via: 'field', ref: leader, from: root, component: 'Follow', field: 'leader', element: 0 },
    ]);
    expect(heap.whyAlive(mate)![1]).toEqual({
      via: 'field',
      ref: mate,
      from: root,
      component: 'Follow',
      field: 'squad',
      element: 2,
    });
  });

  it('weak slots, weakref fields and the slots of weak objects keep nothing alive', () => {
    const heap = new Heap();
    const Seen = heap.defineComponent({ target: 'weakref' }, { name: 'Seen' });
    const root = heap.alloc(1);
    heap.pin(root);
    const cache = heap.alloc(1, 'weak');
    heap.set(root, 0, cache);
    const [inCache, seen] = [heap.alloc(), heap.alloc()];
    heap.set(cache, 0, inCache);
    heap.add(root, Seen, { target: seen });
    expect(heap.whyAlive(cache)).not.toBeNull();
    expect(heap.whyAlive(inCache)).toBeNull();
    expect(heap.whyAlive(seen)).toBeNull();
  });

  it('a ref field of a weak object is still a strong edge (the marker traces it)', () => {
    const heap = new Heap();
    const Owner = heap.defineComponent({ owner: 'ref' }, { name: 'Owner' });
    const cache = heap.alloc(1, 'weak');
    const ticket = heap.pin(cache);
    const owner = heap.alloc();
    heap.add(cache, Owner, { owner });
    expect(heap.whyAlive(owner)).toEqual([
      { via: 'pin', ref: cache, ticket },
      { via: 'field', ref: owner, from: cache, component: 'Owner', field: 'owner', element: 0 },
    ]);
    heap.collect();
    expect(heap.isAlive(owner)).toBe(true);
  });

  it('an ephemeron value is reached through its pair while the key is reached, and names the key', () => {
    const heap = new Heap();
    const root = heap.alloc(2);
    const ticket = heap.pin(root);
    const table = heap.alloc(4, 'ephemeron');
    heap.set(root, 0, table);
    const [key, value, lostKey, lostValue] = [heap.alloc(), heap.alloc(), heap.alloc(), heap.alloc()];
    heap.set(table, 2, key);
    heap.set(table, 3, value);
    heap.set(table, 0, lostKey);
    heap.set(table, 1, lostValue);
    expect(heap.whyAlive(value)).toBeNull(); // its key is not reached yet
    heap.set(root, 1, key);
    expect(heap.whyAlive(value)).toEqual([
      { via: 'pin', ref: root, ticket },
      { via: 'slot', ref: table, from: root, slot: 0 },
      { via: 'ephemeron', ref: value, from: table, slot: 3, key },
    ]);
    expect(heap.whyAlive(lostValue)).toBeNull();
    heap.collect();
    expect([heap.isAlive(value), heap.isAlive(lostValue)]).toEqual([true, false]);
  });

  it('a value found in a later ephemeron round can itself lead on', () => {
    const heap = new Heap();
    const root = heap.alloc(2);
    heap.pin(root);
    const table = heap.alloc(2, 'ephemeron');
    const [key, value, beyond] = [heap.alloc(), heap.alloc(1), heap.alloc()];
    heap.set(root, 0, table);
    heap.set(root, 1, key);
    heap.set(table, 0, key);
    heap.set(table, 1, value);
    heap.set(value, 0, beyond);
    const path = heap.whyAlive(beyond)!;
    expect(path.map((step) => step.via)).toEqual(['pin', 'slot', 'ephemeron', 'slot']);
  });

  it('a destroyed object is never a step: an ephemeron pair it keys keeps nothing, destroyed young or old', () => {
    for (const old of [false, true]) {
      const heap = new Heap();
      const root = heap.alloc(2);
      const ticket = heap.pin(root);
      const table = heap.alloc(2, 'ephemeron');
      const [key, value] = [heap.alloc(), heap.alloc()];
      heap.set(root, 0, table);
      heap.set(root, 1, key);
      heap.set(table, 0, key);
      heap.set(table, 1, value);
      if (old) heap.collect();
      expect(heap.whyAlive(value)!.map((step) => step.via)).toEqual(['pin', 'slot', 'ephemeron']);
      heap.destroy(key);
      // root's slot and the pair still hold its index until a collection clears them.
      expect(heap.whyAlive(value)).toBeNull();
      expect(heap.whyAlive(table)).toEqual([
        { via: 'pin', ref: root, ticket },
        { via: 'slot', ref: table, from: root, slot: 0 },
      ]);
      heap.collect();
      expect(heap.isAlive(value)).toBe(false);
      heap.verify();
    }
  });

  it('an index reclaimed from a destroyed object and reused holds an ordinary object again', () => {
    for (const old of [false, true]) {
      const heap = new Heap();
      const root = heap.alloc(1);
      const ticket = heap.pin(root);
      const gone = heap.alloc(1); // of `fresh`'s slot count, so `fresh` may take its index
      heap.set(root, 0, gone);
      if (old) heap.collect();
      const index = heap.index(gone);
      heap.destroy(gone);
      if (old) heap.collect();
      else heap.minor();
      expect(heap.stats().destroyed).toBe(0);
      // The index comes back once the page's indices queued before it are taken (core/free-list.ts).
      let fresh = heap.alloc(1);
      while (heap.index(fresh) !== index) fresh = heap.alloc(1);
      const leaf = heap.alloc(0);
      heap.set(root, 0, fresh);
      heap.set(fresh, 0, leaf);
      expect(heap.whyAlive(leaf)).toEqual([
        { via: 'pin', ref: root, ticket },
        { via: 'slot', ref: fresh, from: root, slot: 0 },
        { via: 'slot', ref: leaf, from: fresh, slot: 0 },
      ]);
      heap.verify();
    }
  });

  it('during an incremental cycle: reachable objects have paths, unreachable ones none', () => {
    const heap = new Heap();
    // Below the others, so the sweep (walking indices downward) has not reached it when it begins.
    const dropped = heap.alloc();
    const root = heap.alloc(1);
    heap.pin(root);
    const kept = heap.alloc(1);
    heap.set(root, 0, kept);
    heap.step(1); // a cycle is running: marking has begun
    expect(heap.phase).toBe('mark');
    expect(heap.whyAlive(kept)!.length).toBe(2);
    expect(heap.whyAlive(dropped)).toBeNull();
    while (heap.phase !== 'sweep') heap.step(1);
    expect(heap.isAlive(dropped)).toBe(false); // found dead: whyAlive now throws for it
    expect(() => heap.whyAlive(dropped)).toThrow(StaleRefError);
    expect(heap.whyAlive(kept)!.length).toBe(2);
  });

  it('bad handles throw StaleRefError naming the value and change nothing', () => {
    const heap = new Heap();
    const a = heap.alloc();
    heap.collect(); // a is freed
    const before = statsOf(heap);
    for (const bad of [NULL, a, 1.5, -1, 999, '1', undefined]) {
      expect(() => heap.whyAlive(bad as Ref)).toThrow(StaleRefError);
      expect(() => heap.whyAlive(bad as Ref)).toThrow(String(bad));
    }
    expect(statsOf(heap)).toEqual(before);
    heap.verify();
  });
});

describe('pins', () => {
  it('lists each live pin with its ticket, in pin-table order; unpinned ones leave', () => {
    const heap = new Heap();
    const [a, b] = [heap.alloc(), heap.alloc()];
    expect(heap.pins()).toEqual([]);
    const t1 = heap.pin(a);
    const t2 = heap.pin(b);
    const t3 = heap.pin(a);
    expect(heap.pins()).toEqual([{ ticket: t1, ref: a }, { ticket: t2, ref: b }, { ticket: t3, ref: a }]);
    heap.unpin(t2);
    expect(heap.pins()).toEqual([{ ticket: t1, ref: a }, { ticket: t3, ref: a }]);
    const t4 = heap.pin(b); // takes the freed place, under a new generation
    expect(t4).not.toBe(t2);
    expect(heap.pins()).toEqual([{ ticket: t1, ref: a }, { ticket: t4, ref: b }, { ticket: t3, ref: a }]);
    for (const { ticket, ref } of heap.pins()) expect(heap.pinned(ticket)).toBe(ref);
  });
});

// ---- property: against a breadth-first search over a model ---------------------------------------

interface GraphSpec {
  objects: { kind: ObjectKind; slots: number; scoped: boolean }[];
  edges: { from: number; slot: number; to: number }[];
  links: { from: number; to: number; weak: number; element: number }[];
  pins: number[];
  /** Incremental work done before the checks (0: none), to look at the heap mid-cycle too. */
  steps: number;
}

const graphSpec: fc.Arbitrary<GraphSpec> = fc.integer({ min: 1, max: 40 }).chain((n) =>
  fc.record({
    objects: fc.array(
      fc.record({
        kind: fc.constantFrom<ObjectKind>('strong', 'strong', 'strong', 'weak', 'ephemeron', 'ephemeron'),
        slots: fc.integer({ min: 0, max: 3 }).map((k) => k * 2),
        scoped: fc.constantFrom(true, false, false, false, false, false, false, false),
      }),
      { minLength: n, maxLength: n },
    ),
    edges: fc.array(fc.record({ from: fc.nat(n - 1), slot: fc.nat(5), to: fc.nat(n - 1) }), {
      minLength: n,
      maxLength: n * 4,
    }),
    links: fc.array(
      fc.record({ from: fc.nat(n - 1), to: fc.nat(n), weak: fc.nat(n), element: fc.nat(1) }),
      { maxLength: n },
    ),
    pins: fc.array(fc.nat(n - 1), { minLength: 1, maxLength: 4 }),
    steps: fc.constantFrom(0, 0, 1, 5, 40),
  })
);

/** The model: per object its kind, slots and strong field targets, as plain arrays of numbers (object numbers). */
interface ModelNode {
  kind: ObjectKind;
  slots: number[];
  refs: number[];
}

/** Breadth-first distances over strong edges only (slots of strong objects, ref fields); -1 = not reached. */
function strongDistances(nodes: ModelNode[], roots: number[]): number[] {
  const dist = nodes.map(() => -1);
  const queue: number[] = [];
  for (const r of roots) if (dist[r] === -1) (dist[r] = 0, queue.push(r));
  for (let head = 0; head < queue.length; head++) {
    const x = queue[head]!;
    const out = [...(nodes[x]!.kind === 'strong' ? nodes[x]!.slots : []), ...nodes[x]!.refs];
    for (const t of out) if (t >= 0 && dist[t] === -1) (dist[t] = dist[x]! + 1, queue.push(t));
  }
  return dist;
}

/** Everything reachable, ephemerons included (a value once its ephemeron and key are reached), to a fixed point. */
function reachable(nodes: ModelNode[], roots: number[]): Set<number> {
  const seen = new Set<number>();
  const queue = [...roots];
  for (let changed = true; changed;) {
    while (queue.length > 0) {
      const x = queue.pop()!;
      if (seen.has(x)) continue;
      seen.add(x);
      for (const t of [...(nodes[x]!.kind === 'strong' ? nodes[x]!.slots : []), ...nodes[x]!.refs]) {
        if (t >= 0) queue.push(t);
      }
    }
    changed = false;
    for (const x of seen) {
      const { kind, slots } = nodes[x]!;
      if (kind !== 'ephemeron') continue;
      for (let k = 0; k < slots.length; k += 2) {
        if (slots[k]! >= 0 && seen.has(slots[k]!) && slots[k + 1]! >= 0 && !seen.has(slots[k + 1]!)) {
          queue.push(slots[k + 1]!);
          changed = true;
        }
      }
    }
  }
  return seen;
}

describe('whyAlive, property: agrees with a breadth-first search over a model', () => {
  it('same reachability, shortest strong paths, and every step a real edge', () => {
    fc.assert(
      fc.property(graphSpec, (spec) => {
        const heap = new Heap();
        const Link = heap.defineComponent({ to: ['ref', 2], weak: 'weakref' }, { name: 'Link' });
        const refs: Ref[] = [];
        const nodes: ModelNode[] = [];
        const build = (scoped: boolean): void => {
          spec.objects.forEach((o, k) => {
            if (o.scoped !== scoped) return;
            refs[k] = heap.alloc(o.slots, o.kind);
            nodes[k] = { kind: o.kind, slots: new Array<number>(o.slots).fill(-1), refs: [] };
          });
        };
        build(false);
        heap.scope(() => {
          build(true);
          for (const { from, slot, to } of spec.edges) {
            if (slot >= nodes[from]!.slots.length) continue;
            heap.set(refs[from]!, slot, refs[to]!);
            nodes[from]!.slots[slot] = to;
          }
          const linked = new Map<number, number[]>();
          for (const { from, to, weak, element } of spec.links) {
            if (!heap.has(refs[from]!, Link)) heap.add(refs[from]!, Link);
            const targets = linked.get(from) ?? [-1, -1];
            const target = to < spec.objects.length ? to : -1; // n means NULL
            heap.setField(refs[from]!, Link, 'to', target < 0 ? NULL : refs[target]!, element);
            targets[element] = target;
            linked.set(from, targets);
            if (weak < spec.objects.length) heap.setField(refs[from]!, Link, 'weak', refs[weak]!);
          }
          for (const [from, targets] of linked) nodes[from]!.refs = targets;
          const tickets = spec.pins.map((p) => heap.pin(refs[p]!));
          // Incremental work may free garbage (what the model finds unreachable) but nothing reachable.
          for (let k = 0; k < spec.steps; k++) heap.step(3);

          const roots = [...spec.pins, ...spec.objects.flatMap((o, k) => (o.scoped ? [k] : []))];
          const dist = strongDistances(nodes, roots);
          const reached = reachable(nodes, roots);
          const objectOf = new Map(refs.map((ref, k) => [ref, k]));
          for (let k = 0; k < refs.length; k++) {
            if (!heap.isAlive(refs[k]!)) {
              expect(reached.has(k)).toBe(false);
              continue;
            }
            const path = heap.whyAlive(refs[k]!);
            if (!reached.has(k)) {
              expect(path).toBeNull();
              continue;
            }
            expect(path).not.toBeNull();
            checkPath(heap, path!, refs[k]!, objectOf, spec, tickets, Link);
            // No ephemeron needed: a shortest path (the root step plus one step per edge).
            if (dist[k]! >= 0) expect(path!.length).toBe(dist[k]! + 1);
          }
        });
        heap.verify();
      }),
      { numRuns: 300 },
    );
  });
});

/** Every step is a real edge (or root) of the heap as it is now, and the path ends at `target`. */
function checkPath(
  heap: Heap,
  path: PathStep[],
  target: Ref,
  objectOf: Map<Ref, number>,
  spec: GraphSpec,
  tickets: Ticket[],
  Link: Parameters<Heap['getField']>[1],
): void {
  expect(path[path.length - 1]!.ref).toBe(target);
  path.forEach((step, k) => {
    expect(heap.isAlive(step.ref)).toBe(true);
    if (k === 0) {
      if (step.via === 'pin') {
        expect(heap.pinned(step.ticket)).toBe(step.ref);
        expect(tickets).toContain(step.ticket);
      } else {
        expect(step.via).toBe('scope');
        expect(spec.objects[objectOf.get(step.ref)!]!.scoped).toBe(true);
      }
      return;
    }
    expect(step.via === 'pin' || step.via === 'scope').toBe(false);
    if (step.via === 'pin' || step.via === 'scope') return;
    expect(step.from).toBe(path[k - 1]!.ref);
    const fromKind = spec.objects[objectOf.get(step.from)!]!.kind;
    if (step.via === 'slot') {
      expect(fromKind).toBe('strong');
      expect(heap.get(step.from, step.slot)).toBe(step.ref);
    } else if (step.via === 'field') {
      expect([step.component, step.field]).toEqual(['Link', 'to']);
      expect(heap.getField(step.from, Link, step.field, step.element)).toBe(step.ref);
    } else {
      expect(fromKind).toBe('ephemeron');
      expect(step.slot % 2).toBe(1);
      expect(heap.get(step.from, step.slot)).toBe(step.ref);
      expect(heap.get(step.from, step.slot - 1)).toBe(step.key);
      expect(heap.whyAlive(step.key)).not.toBeNull();
    }
  });
}
