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
