/**
 * `refField`, `getRef`, `setRef` and `refIndex`: a `ref` or `weakref` field resolved once. They
 * must read and write exactly what `getField` and `setField` do (read barrier, write barrier,
 * checks), whatever the collector does in between.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Heap, NULL, type Ref, RefField, StaleRefError } from '../mod.ts';

function world() {
  const heap = new Heap({ nurserySize: 16, minHeapObjects: 32 });
  const Link = heap.defineComponent({ next: 'ref', seen: ['weakref', 3], hp: 'f32' }, { name: 'Link' });
  return { heap, Link, next: heap.refField(Link, 'next'), seen: heap.refField(Link, 'seen') };
}

describe('refField', () => {
  it('names the field, its strength and its length', () => {
    const { next, seen } = world();
    expect(next).toBeInstanceOf(RefField);
    expect(next).toMatchObject({ name: 'Link.next', strong: true, length: 1 });
    expect(seen).toMatchObject({ name: 'Link.seen', strong: false, length: 3 });
    expect(Object.isFrozen(next)).toBe(true);
  });

  it('refuses a numeric field, an unknown field and a component of another heap, naming them', () => {
    const { heap, Link } = world();
    // @ts-expect-error: hp is an f32 field
    expect(() => heap.refField(Link, 'hp')).toThrow(/field 'hp' of component 'Link' is a 'f32' field/);
    // @ts-expect-error: no such field
    expect(() => heap.refField(Link, 'nope')).toThrow(/component 'Link' has no field 'nope'/);
    expect(() => new Heap().refField(Link, 'next')).toThrow(/belongs to another heap/);
  });

  it('refuses what is not a RefField, one of another heap, a stale handle, a non-member and a bad element, changing nothing', () => {
    const { heap, Link, next, seen } = world();
    const a = heap.alloc(0);
    heap.pin(a);
    heap.add(a, Link);
    const b = heap.alloc(0);
    heap.pin(b);
    const other = world();
    const gone = heap.alloc(0);
    heap.collect();
    const before = heap.snapshot();
    expect(() => heap.getRef(a, 'next' as unknown as RefField)).toThrow(/'next' \(a string\) is not a RefField/);
    // Only heap.refField makes one: a lookalike, or one built by hand, is refused by name.
    const lookalike = Object.create(RefField.prototype) as RefField;
    expect(() => heap.getRef(a, lookalike)).toThrow(/is not a RefField \(they come from heap.refField\)/);
    expect(() => heap.setRef(a, lookalike, b)).toThrow(/is not a RefField/);
    const Forged = RefField as unknown as new (key: symbol, parts: unknown) => RefField;
    expect(() => new Forged(Symbol('heap.refField'), {})).toThrow(/RefFields come from heap.refField/);
    expect(() => heap.setRef(a, other.next, b)).toThrow(/RefField 'Link.next' belongs to another heap/);
    expect(() => heap.getRef(b, next)).toThrow(/has no component 'Link'/);
    expect(() => heap.setRef(b, next, a)).toThrow(/has no component 'Link'/);
    expect(() => heap.getRef(a, seen, 3)).toThrow(/element 3 is out of range: field 'seen' has 3/);
    expect(() => heap.refIndex(a, seen, -1)).toThrow(/element -1 is out of range/);
    expect(() => heap.setRef(a, next, 12345 as Ref)).toThrow(StaleRefError);
    expect(() => heap.getRef(gone, next)).toThrow(StaleRefError);
    expect(() => heap.setRef(gone, next, a)).toThrow(StaleRefError);
    expect(heap.snapshot()).toEqual(before);
    heap.verify();
  });

  it('keeps targets alive through a ref field (the barrier), not through a weakref one, and reads NULL once they go', () => {
    const { heap, Link, next, seen } = world();
    const owner = heap.alloc(0);
    heap.pin(owner);
    heap.add(owner, Link);
    heap.minor();
    heap.minor(); // the owner is old: storing a young target must be remembered
    const kept = heap.alloc(0);
    const watched = heap.alloc(0);
    heap.setRef(owner, next, kept);
    heap.setRef(owner, seen, watched, 2);
    heap.minor();
    expect(heap.getRef(owner, next)).toBe(kept);
    expect(heap.refIndex(owner, next)).toBe(heap.index(kept));
    expect(heap.getRef(owner, seen, 2)).toBe(NULL);
    expect(heap.refIndex(owner, seen, 2)).toBe(0);
    heap.destroy(kept);
    expect(heap.getRef(owner, next)).toBe(NULL);
    expect(heap.refIndex(owner, next)).toBe(0);
    heap.verify();
  });

  it('stays valid after load(), reading the loaded values', () => {
    const { heap, Link, next } = world();
    const a = heap.alloc(0);
    const b = heap.alloc(0);
    heap.pin(a);
    heap.add(a, Link);
    heap.setRef(a, next, b);
    const saved = heap.snapshot();
    heap.setRef(a, next, NULL);
    heap.load(saved);
    expect(heap.getRef(a, next)).toBe(b);
    heap.verify();
  });

  it('reads and writes what getField and setField do, through random stores and collections', () => {
    type Op =
      | { kind: 'alloc' }
      | { kind: 'add'; who: number }
      | { kind: 'setRef' | 'setField'; who: number; target: number; element: number; weak: boolean }
      | { kind: 'unpin' | 'destroy'; who: number }
      | { kind: 'minor' | 'collect' | 'step' };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.constant({ kind: 'alloc' as const }),
      fc.record({ kind: fc.constant('add' as const), who: fc.nat() }),
      fc.record({
        kind: fc.constantFrom('setRef' as const, 'setField' as const),
        who: fc.nat(),
        target: fc.integer({ min: -1, max: 1000 }),
        element: fc.nat(2),
        weak: fc.boolean(),
      }),
      fc.record({ kind: fc.constantFrom('unpin' as const, 'destroy' as const), who: fc.nat() }),
      fc.record({ kind: fc.constantFrom('minor' as const, 'collect' as const, 'step' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const { heap, Link, next, seen } = world();
        const refs: Ref[] = [];
        const tickets = new Map<Ref, ReturnType<Heap['pin']>>();
        const pick = (k: number) => (refs.length === 0 ? undefined : refs[k % refs.length]!);
        for (const o of ops) {
          switch (o.kind) {
            case 'alloc': {
              const ref = heap.alloc(0);
              refs.push(ref);
              if (refs.length % 2 === 1) tickets.set(ref, heap.pin(ref));
              break;
            }
            case 'add': {
              const who = pick(o.who);
              if (who !== undefined && heap.isAlive(who)) heap.add(who, Link);
              break;
            }
            case 'setRef':
            case 'setField': {
              const who = pick(o.who);
              const target = o.target < 0 ? NULL : pick(o.target);
              if (who === undefined || target === undefined || !heap.isAlive(who) || !heap.has(who, Link)) break;
              if (target !== NULL && !heap.isAlive(target)) break;
              if (o.kind === 'setRef') {
                if (o.weak) heap.setRef(who, seen, target, o.element);
                else heap.setRef(who, next, target);
              } else if (o.weak) heap.setField(who, Link, 'seen', target, o.element);
              else heap.setField(who, Link, 'next', target);
              break;
            }
            case 'unpin': {
              const who = pick(o.who);
              const ticket = who === undefined ? undefined : tickets.get(who);
              if (ticket !== undefined) {
                heap.unpin(ticket);
                tickets.delete(who!);
              }
              break;
            }
            case 'destroy': {
              const who = pick(o.who);
              if (who !== undefined && heap.isAlive(who)) heap.destroy(who);
              break;
            }
            case 'minor':
              heap.minor();
              break;
            case 'collect':
              heap.collect();
              break;
            case 'step':
              heap.step(7);
              break;
          }
          heap.verify();
          for (const ref of refs) {
            if (!heap.isAlive(ref) || !heap.has(ref, Link)) continue;
            const strong = heap.getRef(ref, next);
            expect(strong).toBe(heap.getField(ref, Link, 'next'));
            expect(heap.refIndex(ref, next)).toBe(strong === NULL ? 0 : heap.index(strong));
            for (let e = 0; e < 3; e++) {
              const weak = heap.getRef(ref, seen, e);
              expect(weak).toBe(heap.getField(ref, Link, 'seen', e));
              expect(heap.refIndex(ref, seen, e)).toBe(weak === NULL ? 0 : heap.index(weak));
            }
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
