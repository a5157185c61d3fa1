/**
 * The remembered set's upkeep (src/gc/cards.ts): a minor keeps a card dirty exactly while an
 * old object in it refers (through a slot or a component field, strong or weak) to an object
 * that stays young past that minor, and cleans it otherwise. A card kept too long costs every
 * later minor a scan; one cleaned too early loses an edge (verify()'s invariant 5).
 */
import { describe, expect, it } from 'vitest';
import { Heap, NULL, type Ref } from '../mod.ts';

type Via = 'slot' | 'weak slot' | 'ref field' | 'weakref field';

/** An old pinned object referring to a young one through `via`; returns both. */
function edge(heap: Heap, via: Via): { old: Ref; young: Ref } {
  const Link = heap.defineComponent({ to: 'ref', weak: 'weakref' }, { name: 'Link' });
  const old = heap.alloc(1, via === 'weak slot' ? 'weak' : 'strong');
  heap.pin(old);
  heap.add(old, Link);
  heap.tenure();
  const young = heap.alloc(0);
  heap.pin(young); // kept alive whatever the edge
  if (via === 'slot' || via === 'weak slot') heap.set(old, 0, young);
  else heap.setField(old, Link, via === 'ref field' ? 'to' : 'weak', young);
  return { old, young };
}

describe('a dirty card', () => {
  for (const via of ['slot', 'weak slot', 'ref field', 'weakref field'] as const) {
    for (const promoteAfter of [2, 3]) {
      it(`stays dirty while its object refers to a young one through a ${via}, until that one is promoted (promoteAfter ${promoteAfter})`, () => {
        const heap = new Heap({ promoteAfter, cardSize: 1 });
        const { young } = edge(heap, via);
        expect(heap.stats().dirtyCards).toBe(1);
        for (let minor = 1; minor <= promoteAfter; minor++) {
          heap.pin(heap.alloc(0)); // another young object, so the nursery is never empty after a minor
          heap.minor();
          heap.verify();
          // After this minor, `young` has survived `minor` minors: old once that reaches promoteAfter.
          expect(heap.stats().dirtyCards).toBe(minor < promoteAfter ? 1 : 0);
        }
        expect(heap.isAlive(young)).toBe(true);
      });
    }
  }

  it('is cleaned when its object no longer refers to a young one', () => {
    const heap = new Heap({ cardSize: 1 });
    const { old } = edge(heap, 'slot');
    heap.set(old, 0, NULL);
    heap.pin(heap.alloc(0));
    heap.minor();
    expect(heap.stats().dirtyCards).toBe(0);
    heap.verify();
  });

  it('covers every object of its card: an old neighbour referring to a young object keeps it dirty', () => {
    const heap = new Heap({ cardSize: 4, promoteAfter: 3 });
    const a = heap.alloc(1); // indices 1..3 share card 0
    const b = heap.alloc(1);
    heap.pin(a);
    heap.pin(b);
    heap.tenure();
    const young = heap.alloc(0);
    heap.pin(young);
    heap.set(b, 0, young);
    heap.set(a, 0, young);
    heap.set(a, 0, NULL); // a no longer refers to it; b still does
    heap.minor();
    expect(heap.stats().dirtyCards).toBe(1);
    heap.verify();
  });
});

describe('the remembered set, beyond one object', () => {
  it('holds more dirty cards than its first list has room for', () => {
    const heap = new Heap({ cardSize: 1, promoteAfter: 3 });
    const olds = Array.from({ length: 100 }, () => heap.alloc(1));
    for (const old of olds) heap.pin(old);
    heap.tenure();
    for (const old of olds) heap.set(old, 0, heap.alloc(0));
    expect(heap.stats().dirtyCards).toBe(100);
    heap.verify();
    heap.minor();
    expect(heap.stats()).toMatchObject({ dirtyCards: 100, young: 100 });
    heap.verify();
  });

  it("scans only a card's old objects: a young object sharing the card keeps nothing alive", () => {
    const heap = new Heap({ cardSize: 4 });
    const old = heap.alloc(1); // index 1: card 0 holds indices 0..3
    heap.pin(old);
    heap.tenure();
    const garbage = heap.alloc(1); // index 2: young, in card 0, unreachable
    const child = heap.alloc(0); // index 3
    heap.set(garbage, 0, child);
    heap.set(old, 0, heap.alloc(0)); // card 0 is dirty
    expect([heap.index(garbage), heap.index(child)]).toEqual([2, 3]);
    heap.minor();
    expect([heap.isAlive(garbage), heap.isAlive(child)]).toEqual([false, false]);
    heap.verify();
  });
});

describe('an object promoted by a minor', () => {
  for (const via of ['slot', 'weak slot', 'ref field', 'weakref field'] as const) {
    it(`has its card dirtied exactly when it still refers to a young object, through a ${via}`, () => {
      const heap = new Heap({ cardSize: 1, promoteAfter: 2 });
      const Link = heap.defineComponent({ to: 'ref', weak: 'weakref' }, { name: 'Link' });
      const oldTarget = heap.alloc(0);
      heap.pin(oldTarget);
      heap.tenure();
      const kind = via === 'weak slot' ? 'weak' : 'strong';
      const referrer = heap.alloc(1, kind); // promoted by the second minor
      const control = heap.alloc(1, kind); // promoted too, referring only to an old object
      heap.pin(referrer);
      heap.pin(control);
      heap.add(referrer, Link);
      heap.add(control, Link);
      heap.minor();
      const young = heap.alloc(0); // young past the second minor
      heap.pin(young);
      const link = (from: Ref, to: Ref) => {
        if (via === 'slot' || via === 'weak slot') heap.set(from, 0, to);
        else heap.setField(from, Link, via === 'ref field' ? 'to' : 'weak', to);
      };
      link(referrer, young);
      link(control, oldTarget);
      expect(heap.stats().dirtyCards).toBe(0); // young referrers need no card
      heap.minor();
      expect(heap.stats()).toMatchObject({ young: 1, dirtyCards: 1 });
      heap.verify();
    });
  }
});

describe('a destroyed young object', () => {
  for (const via of ['slot', 'ref field'] as const) {
    it(`reclaims a destroyed young object an old one named through a ${via}, at the next minor`, () => {
      const heap = new Heap({ cardSize: 1 });
      const Link = heap.defineComponent({ to: 'ref' }, { name: 'Link' });
      const old = heap.alloc(1);
      heap.pin(old);
      heap.add(old, Link);
      heap.tenure();
      const young = heap.alloc(0);
      if (via === 'slot') heap.set(old, 0, young);
      else heap.setField(old, Link, 'to', young);
      heap.destroy(young);
      expect(heap.stats().destroyed).toBe(1);
      heap.minor();
      expect(heap.stats()).toMatchObject({ destroyed: 0, live: 1, young: 0 });
      heap.verify();
    });
  }
});
