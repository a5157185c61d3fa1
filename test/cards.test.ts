/**
 * The remembered set's upkeep (src/gc/cards.ts): a minor keeps a card dirty exactly while an
 * old object in it refers (through a slot or a component field, strong or weak) to an object
 * that stays young past that minor, and cleans it otherwise. A card kept too long costs every
 * later minor a scan; one cleaned too early loses an edge (verify()'s invariant 5).
 */
import { describe, expect, it } from 'vitest';
import { Heap, type Index, NULL, type Ref } from '../mod.ts';
import { stateOf } from '../src/heap.ts';
import { CARD_CLEAN, CARD_DIRTY, CARD_DIRTY_SLOT, CARD_SLOT, CARD_SLOT_LIMIT } from '../src/core/state.ts';

type Via = 'slot' | 'weak slot' | 'ref field' | 'weakref field';

/** An old pinned object referring to a young one through `via`; returns both. */
function edge(heap: Heap, via: Via): { old: Ref; young: Ref } {
  // Array fields, the reference in the last element: a scan must find it at the object's own elements.
  const Link = heap.defineComponent({ to: ['ref', 3], weak: ['weakref', 3] }, { name: 'Link' });
  const old = heap.alloc(1, via === 'weak slot' ? 'weak' : 'strong');
  heap.pin(old);
  heap.add(old, Link);
  heap.tenure();
  const young = heap.alloc(0);
  heap.pin(young); // kept alive whatever the edge
  if (via === 'slot' || via === 'weak slot') heap.set(old, 0, young);
  else heap.setField(old, Link, via === 'ref field' ? 'to' : 'weak', young, 2);
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
  it('holds more dirty cards and remembered slots than its first lists have room for', () => {
    const heap = new Heap({ cardSize: 1, promoteAfter: 3 });
    const olds = Array.from({ length: 100 }, () => heap.alloc(2));
    for (const old of olds) heap.pin(old);
    heap.tenure();
    const s = stateOf(heap);
    const [cards, slots] = [s.dirtyCards.length, s.rememberedSlots.length / 2];
    for (const old of olds) heap.set(old, 0, heap.alloc(0)); // a remembered slot each
    for (const old of olds) heap.set(old, 1, heap.alloc(0)); // then remembered whole: a dirty card each
    expect([cards, slots]).toEqual([64, 64]);
    expect(heap.stats()).toMatchObject({ dirtyCards: 200, rememberedSlots: 100 });
    expect(s.dirtyCount).toBe(100);
    heap.verify();
    heap.minor();
    expect(heap.stats()).toMatchObject({ dirtyCards: 200, rememberedSlots: 100, young: 200 });
    heap.verify();
  });

  it("scans only a card's old objects: a young object sharing the card keeps nothing alive", () => {
    const heap = new Heap({ cardSize: 4 });
    const old = heap.alloc(1); // index 1: card 0 holds indices 0..3
    heap.pin(old);
    heap.tenure();
    const garbage = heap.alloc(1); // index 2: young, in card 0, unreachable
    const child = heap.alloc(0); // index 256, the first of the 0-slot objects' page (core/free-list.ts)
    heap.set(garbage, 0, child);
    heap.set(old, 0, heap.alloc(0)); // card 0 is dirty
    expect([heap.index(garbage), heap.index(child)]).toEqual([2, 256]);
    heap.minor();
    expect([heap.isAlive(garbage), heap.isAlive(child)]).toEqual([false, false]);
    heap.verify();
  });
});

describe('an object promoted by a minor', () => {
  for (const via of ['slot', 'weak slot', 'ref field', 'weakref field'] as const) {
    it(`has its card dirtied exactly when it still refers to a young object, through a ${via}`, () => {
      const heap = new Heap({ cardSize: 1, promoteAfter: 2 });
      const Link = heap.defineComponent({ to: ['ref', 3], weak: ['weakref', 3] }, { name: 'Link' });
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
        else heap.setField(from, Link, via === 'ref field' ? 'to' : 'weak', to, 2);
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
  for (const via of ['slot', 'slot of an object remembered whole', 'ref field'] as const) {
    it(`reclaims a destroyed young object an old one named through a ${via}, at the next minor`, () => {
      const heap = new Heap({ cardSize: 1 });
      const Link = heap.defineComponent({ to: 'ref' }, { name: 'Link' });
      const old = heap.alloc(2);
      heap.pin(old);
      heap.add(old, Link);
      heap.tenure();
      const young = heap.alloc(0);
      if (via === 'ref field') {
        heap.setField(old, Link, 'to', young);
      } else {
        heap.set(old, 0, young);
        // A second slot naming a young object: the card scan, not the remembered slot, meets it.
        if (via !== 'slot') heap.set(old, 1, young);
      }
      heap.destroy(young);
      expect(heap.stats().destroyed).toBe(1);
      heap.minor();
      expect(heap.stats()).toMatchObject({ destroyed: 0, live: 1, young: 0 });
      expect([heap.get(old, 0), heap.get(old, 1)]).toEqual([NULL, NULL]);
      heap.verify();
    });
  }
});

describe('a remembered slot (an old strong object remembered by the one slot that names a young object)', () => {
  /** An old pinned 4-slot object whose slot 1 names a fresh young object (the only edge to it). */
  function remembered(options: ConstructorParameters<typeof Heap>[0] = {}) {
    const heap = new Heap({ promoteAfter: 3, ...options });
    const old = heap.alloc(4);
    const ticket = heap.pin(old);
    heap.tenure();
    const young = heap.alloc(0);
    heap.set(old, 1, young);
    heap.verify();
    return { heap, old, young, ticket, s: stateOf(heap) };
  }

  /** A young object (pinned) so that the nursery is not empty after the next minor. */
  function keepNurseryBusy(heap: Heap): void {
    heap.pin(heap.alloc(0));
  }

  it('is how a store into one slot of an old strong object is remembered, and keeps its young target alive', () => {
    const { heap, young, s } = remembered();
    expect(heap.stats()).toMatchObject({ dirtyCards: 1, rememberedSlots: 1 });
    expect(s.cards[heap.index(heap.refAt(1 as Index))]).toBe(CARD_SLOT + 1);
    keepNurseryBusy(heap);
    heap.minor();
    heap.verify();
    expect(heap.isAlive(young)).toBe(true);
    expect(heap.stats().rememberedSlots).toBe(1); // still young after one minor (promoteAfter 3)
  });

  it('is taken by whichever slot of an old object first names a young one, each slot alike', () => {
    // Slot by slot, on a clean card: the barrier's inline test of "this slot is remembered
    // already" (gc/barrier.ts) must let every first store through to `rememberSlot`, whatever
    // value `CARD_SLOT + k` shares with the other card marks.
    const slots = 8;
    for (let k = 0; k < slots; k++) {
      const heap = new Heap({ promoteAfter: 3 });
      const old = heap.alloc(slots);
      heap.pin(old);
      heap.tenure();
      const s = stateOf(heap);
      expect(s.cards[heap.index(old)]).toBe(CARD_CLEAN);
      const young = heap.alloc(0);
      heap.set(old, k, young);
      expect(s.cards[heap.index(old)]).toBe(CARD_SLOT + k);
      expect(heap.stats()).toMatchObject({ dirtyCards: 1, rememberedSlots: 1 });
      heap.set(old, k, young); // again: remembered already, nothing new
      expect(heap.stats()).toMatchObject({ dirtyCards: 1, rememberedSlots: 1 });
      keepNurseryBusy(heap);
      heap.minor();
      heap.verify();
      expect(heap.isAlive(young)).toBe(true);
    }
  });

  it('is dropped, and the card cleaned, once its target is promoted or overwritten', () => {
    const { heap, old, young, s } = remembered();
    for (let k = 0; k < 3; k++) {
      keepNurseryBusy(heap);
      heap.minor();
      heap.verify();
    }
    expect(heap.isAlive(young)).toBe(true);
    expect(heap.stats()).toMatchObject({ dirtyCards: 0, rememberedSlots: 0 });
    expect(s.cards[heap.index(old)]).toBe(CARD_CLEAN);
    // Overwritten by NULL before the minor: nothing keeps the young object.
    const next = heap.alloc(0);
    heap.set(old, 2, next);
    heap.set(old, 2, NULL);
    keepNurseryBusy(heap);
    heap.minor();
    expect(heap.isAlive(next)).toBe(false);
    expect(heap.stats()).toMatchObject({ dirtyCards: 0, rememberedSlots: 0 });
    heap.verify();
  });

  it('makes way for the whole object when a second slot or a ref field names a young object', () => {
    const { heap, old, s } = remembered();
    heap.set(old, 1, heap.alloc(0)); // the same slot again: nothing new
    expect(heap.stats()).toMatchObject({ dirtyCards: 1, rememberedSlots: 1 });
    const second = heap.alloc(0);
    heap.set(old, 3, second);
    expect(heap.stats()).toMatchObject({ dirtyCards: 2, rememberedSlots: 1 });
    expect(s.cards[heap.index(old)]).toBe(CARD_DIRTY_SLOT);
    heap.verify();
    keepNurseryBusy(heap);
    heap.minor();
    heap.verify();
    expect(heap.isAlive(second)).toBe(true);

    const other = remembered();
    const Link = other.heap.defineComponent({ to: 'ref' }, { name: 'Link' });
    other.heap.add(other.old, Link);
    const viaField = other.heap.alloc(0);
    other.heap.setField(other.old, Link, 'to', viaField);
    expect(other.s.cards[other.heap.index(other.old)]).toBe(CARD_DIRTY_SLOT);
    keepNurseryBusy(other.heap);
    other.heap.minor();
    other.heap.verify();
    expect(other.heap.isAlive(viaField)).toBe(true);
    expect(other.heap.isAlive(other.young)).toBe(true);
  });

  it('stays listed once when an object remembered whole gets more young references', () => {
    const { heap, old, s } = remembered();
    heap.set(old, 3, heap.alloc(0));
    expect(s.cards[heap.index(old)]).toBe(CARD_DIRTY_SLOT);
    const Link = heap.defineComponent({ to: 'ref' }, { name: 'Link' });
    heap.add(old, Link);
    heap.setField(old, Link, 'to', heap.alloc(0));
    heap.set(old, 2, heap.alloc(0));
    expect(heap.stats()).toMatchObject({ dirtyCards: 2, rememberedSlots: 1 });
    expect(s.dirtyCount).toBe(1);
    heap.verify();
  });

  it('of an object remembered whole too: dropped alone, the card staying dirty', () => {
    const { heap, old, young, s } = remembered();
    const other = heap.alloc(0);
    heap.set(old, 3, other);
    heap.set(old, 1, NULL); // the remembered slot no longer names a young object; slot 3 still does
    keepNurseryBusy(heap);
    heap.minor();
    expect(heap.isAlive(young)).toBe(false);
    expect(heap.isAlive(other)).toBe(true);
    expect(heap.stats()).toMatchObject({ dirtyCards: 1, rememberedSlots: 0 });
    expect(s.cards[heap.index(old)]).toBe(CARD_DIRTY);
    heap.verify();
  });

  it('of an object remembered whole too: its owner resized, the card stays dirty and listed once', () => {
    const { heap, old, young, s } = remembered();
    const other = heap.alloc(0);
    heap.set(old, 3, other);
    heap.resize(old, 40);
    expect(s.cards[heap.index(old)]).toBe(CARD_DIRTY);
    expect([s.dirtyCount, s.rememberedSlotsStale]).toEqual([1, 1]);
    heap.verify();
    keepNurseryBusy(heap);
    heap.minor();
    expect([heap.isAlive(young), heap.isAlive(other)]).toEqual([true, true]);
    expect(heap.stats()).toMatchObject({ dirtyCards: 1, rememberedSlots: 0 });
    heap.verify();
  });

  it('is dropped alone: the others stay, once each', () => {
    const a = remembered();
    const { heap } = a;
    const b = heap.alloc(2);
    heap.pin(b);
    heap.tenure();
    // a's entry first, then b's: the minor drops the first and moves the second down.
    heap.set(a.old, 1, heap.alloc(0)); // a fresh young object for a's slot, after the tenure
    const bYoung = heap.alloc(0);
    heap.set(b, 0, bYoung);
    expect(heap.stats().rememberedSlots).toBe(2);
    heap.set(a.old, 1, NULL);
    for (let k = 0; k < 2; k++) {
      keepNurseryBusy(heap);
      heap.minor();
      expect(heap.stats()).toMatchObject({ rememberedSlots: 1, dirtyCards: 1 });
      heap.verify();
    }
    expect(heap.isAlive(bYoung)).toBe(true);
  });

  it('is never used for weak objects, slots past the card byte or cards of many objects', () => {
    const weak = new Heap();
    const w = weak.alloc(1, 'weak');
    weak.pin(w);
    weak.tenure();
    weak.set(w, 0, weak.alloc(0));
    expect(weak.stats()).toMatchObject({ dirtyCards: 1, rememberedSlots: 0 });
    weak.verify();

    const wide = new Heap({ maxSlotsPerObject: 300 });
    const big = wide.alloc(300);
    wide.pin(big);
    wide.tenure();
    const far = wide.alloc(0);
    wide.set(big, CARD_SLOT_LIMIT, far);
    expect(wide.stats()).toMatchObject({ dirtyCards: 1, rememberedSlots: 0 });
    wide.set(big, CARD_SLOT_LIMIT - 1, far); // the card is dirty: the object is remembered whole already
    expect(wide.stats()).toMatchObject({ dirtyCards: 1, rememberedSlots: 0 });
    wide.pin(wide.alloc(0));
    wide.minor();
    expect(wide.isAlive(far)).toBe(true);
    wide.verify();

    const { heap } = remembered({ cardSize: 4 });
    expect(heap.stats()).toMatchObject({ dirtyCards: 1, rememberedSlots: 0 });
  });

  it('follows its owner through a resize that moves or shrinks the block: remembered whole, the entry checked', () => {
    const { heap, old, young, s } = remembered();
    heap.resize(old, 40); // a bigger block elsewhere: the entry's position is now the old block's
    expect(s.rememberedSlotsStale).toBe(1);
    expect(s.cards[heap.index(old)]).toBe(CARD_DIRTY);
    heap.verify();
    const filler = heap.alloc(4); // may take the freed block, its slot 1 naming a young garbage object
    heap.set(filler, 1, heap.alloc(0));
    keepNurseryBusy(heap);
    const freed = heap.minor().freed;
    expect(freed).toBe(2); // filler and its target: nothing names them, whatever the old entry said
    expect(heap.isAlive(young)).toBe(true);
    expect(s.rememberedSlotsStale).toBe(0);
    heap.verify();

    // Shrinking drops the remembered slot: what only it named is garbage.
    const again = remembered();
    again.heap.resize(again.old, 1);
    again.heap.verify();
    keepNurseryBusy(again.heap);
    again.heap.minor();
    expect(again.heap.isAlive(again.young)).toBe(false);
    again.heap.verify();
  });

  it('does not outlive its owner: destroyed, or freed by a major cycle, its slot reused by a young object', () => {
    for (const end of ['destroy', 'collect'] as const) {
      const { heap, old, young, ticket, s } = remembered();
      const oldIndex = heap.index(old);
      if (end === 'destroy') {
        heap.destroy(old);
      } else {
        // A cycle clears the remembered set when it starts: the entry to lose is one made while
        // it marks, in an object it will free (a handle in a variable keeps nothing alive).
        heap.unpin(ticket);
        heap.pin(young);
        heap.step(1);
        expect(heap.phase).toBe('mark');
        heap.set(old, 2, heap.alloc(0));
        expect(heap.stats().rememberedSlots).toBe(1);
        while (heap.phase !== 'idle') heap.step(100);
        expect(heap.isAlive(old)).toBe(false);
      }
      expect(s.rememberedSlotsStale).toBe(1);
      heap.verify();
      // New objects take the freed index and block; one names young garbage at the old position.
      const fresh: Ref[] = [];
      for (let k = 0; k < 4; k++) {
        const o = heap.alloc(4);
        heap.set(o, 1, heap.alloc(0));
        fresh.push(o);
      }
      expect(fresh.some((o) => heap.index(o) === oldIndex) || end === 'destroy').toBe(true);
      keepNurseryBusy(heap);
      heap.minor();
      for (const o of fresh) expect(heap.isAlive(o)).toBe(false);
      expect(heap.stats().rememberedSlots).toBe(0);
      heap.verify();
    }
  });

  it('survives a snapshot, stale or not', () => {
    for (const stale of [false, true]) {
      const { heap, old, young } = remembered();
      if (stale) heap.resize(old, 40);
      const restored = Heap.restore(heap.snapshot());
      expect(stateOf(restored).rememberedSlotsStale).toBe(stale ? 1 : 0);
      expect(restored.stats()).toEqual(heap.stats());
      restored.verify();
      restored.pin(restored.alloc(0));
      restored.minor();
      expect(restored.isAlive(young)).toBe(true);
      restored.verify();
    }
  });
});
