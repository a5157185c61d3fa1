import { describe, expect, it } from 'vitest';
import { GcForbiddenError, Heap, NULL } from '../mod.ts';

describe('minor collections', () => {
  it('free unreachable young objects and never an old one', () => {
    const heap = new Heap();
    const oldGarbage = heap.alloc(1);
    heap.collect(); // nothing is rooted: oldGarbage is freed
    expect(heap.isAlive(oldGarbage)).toBe(false);
    const world = heap.alloc(2);
    const ticket = heap.pin(world);
    heap.collect(); // world survives a full collection and is old
    expect(heap.stats()).toMatchObject({ young: 0, old: 1 });
    heap.unpin(ticket); // world is unreachable now, but old: a minor must not free it
    const young = heap.alloc(0);
    expect(heap.stats()).toMatchObject({ young: 1, old: 1 });
    const info = heap.minor();
    expect(info).toMatchObject({ kind: 'minor', freed: 1, live: 1 });
    expect(heap.isAlive(world)).toBe(true);
    expect(heap.isAlive(young)).toBe(false);
    heap.verify();
    expect(heap.collect().freed).toBe(1);
  });

  it('keep young objects that old objects reach through a set', () => {
    const heap = new Heap({ cardSize: 4 });
    const world = heap.alloc(2);
    heap.pin(world);
    heap.collect();
    const bullet = heap.alloc(1);
    const target = heap.alloc(0);
    heap.set(bullet, 0, target); // young to young: no card
    expect(heap.stats().dirtyCards).toBe(0);
    heap.set(world, 1, bullet); // old to young: the barrier dirties world's card
    expect(heap.stats().dirtyCards).toBe(1);
    heap.verify();
    expect(heap.minor().freed).toBe(0);
    expect(heap.get(world, 1)).toBe(bullet);
    expect(heap.get(bullet, 0)).toBe(target);
    heap.verify();
  });

  it('free young objects whose old referrer dropped them before the minor, and clean the card', () => {
    const heap = new Heap();
    const world = heap.alloc(1);
    heap.pin(world);
    heap.collect();
    const bullet = heap.alloc(0);
    heap.set(world, 0, bullet);
    heap.set(world, 0, NULL);
    expect(heap.stats().dirtyCards).toBe(1); // dirty, though it no longer needs to be
    expect(heap.minor().freed).toBe(1);
    expect(heap.isAlive(bullet)).toBe(false);
    expect(heap.stats().dirtyCards).toBe(0);
    heap.verify();
  });

  it('follow old-to-young edges across a resize that moves the block, and drop them on shrink', () => {
    const heap = new Heap();
    const world = heap.alloc(2);
    heap.pin(world);
    heap.collect();
    const bullet = heap.alloc(0);
    heap.set(world, 1, bullet);
    heap.resize(world, 9); // a new, larger block; the edge moves with it
    heap.verify();
    expect(heap.minor().freed).toBe(0);
    expect(heap.get(world, 1)).toBe(bullet);
    heap.resize(world, 1); // the slot holding the young object is gone
    heap.verify();
    heap.minor(); // bullet has survived once already; with promoteAfter 2 it is still young
    expect(heap.isAlive(bullet)).toBe(false);
  });

  it('promote after promoteAfter minors, dirtying the card of a promoted object that refers to a young one', () => {
    const heap = new Heap({ promoteAfter: 2, cardSize: 1 });
    const parent = heap.alloc(1);
    heap.pin(parent);
    heap.minor(); // parent: age 1
    expect(heap.stats().young).toBe(1);
    const child = heap.alloc(0);
    heap.set(parent, 0, child); // young to young
    expect(heap.stats().dirtyCards).toBe(0);
    heap.minor(); // parent promoted (age 2), child still young (age 1)
    expect(heap.stats()).toMatchObject({ young: 1, old: 1, dirtyCards: 1 });
    heap.verify(); // invariant 5 holds only because the promotion dirtied parent's card
    heap.minor(); // child promoted; no young object is left, so no card stays dirty
    expect(heap.stats()).toMatchObject({ young: 0, old: 2, dirtyCards: 0 });
    expect(heap.get(parent, 0)).toBe(child);
    heap.verify();
  });

  it('root young objects held by pins and open scopes', () => {
    const heap = new Heap();
    const pinned = heap.alloc(0);
    const ticket = heap.pin(pinned);
    heap.scope(() => {
      const scoped = heap.alloc(0);
      const garbage = heap.alloc(0);
      expect(heap.minor().freed).toBe(0); // garbage was allocated inside the scope: rooted too
      expect(heap.isAlive(scoped) && heap.isAlive(garbage)).toBe(true);
    });
    expect(heap.minor().freed).toBe(2);
    heap.unpin(ticket);
    expect(heap.isAlive(pinned)).toBe(true);
  });

  it('leave every survivor of a full collection old with clean cards', () => {
    const heap = new Heap();
    const world = heap.alloc(1);
    heap.pin(world);
    heap.collect();
    heap.set(world, 0, heap.alloc(0));
    heap.alloc(0);
    expect(heap.stats()).toMatchObject({ young: 2, dirtyCards: 1 });
    expect(heap.collect().freed).toBe(1);
    expect(heap.stats()).toMatchObject({ young: 0, old: 2, dirtyCards: 0 });
    heap.verify();
  });

  it('do nothing without generations', () => {
    const heap = new Heap({ generational: false });
    const a = heap.alloc(1);
    heap.set(a, 0, heap.alloc(0));
    expect(heap.stats()).toMatchObject({ young: 0, old: 2, dirtyCards: 0 });
    expect(heap.minor()).toMatchObject({ kind: 'minor', freed: 0, live: 2 });
    expect(heap.collect().freed).toBe(2);
    expect(heap.stats().minorCollections).toBe(1);
  });

  it('are forbidden inside noGc and work again after', () => {
    const heap = new Heap();
    heap.alloc(0);
    expect(() => heap.noGc(() => heap.minor())).toThrow(GcForbiddenError);
    expect(heap.stats().minorCollections).toBe(0);
    expect(heap.minor().freed).toBe(1);
  });
});

describe('generational options', () => {
  it('are validated, naming the bad value', () => {
    expect(() => new Heap({ promoteAfter: 0 })).toThrow(/promoteAfter.*got 0/);
    expect(() => new Heap({ promoteAfter: 4 })).toThrow(RangeError);
    expect(() => new Heap({ cardSize: 3 })).toThrow(/cardSize must be a power of two, got 3/);
    expect(() => new Heap({ cardSize: 8192 })).toThrow(RangeError);
    // @ts-expect-error: a string where a boolean belongs
    expect(() => new Heap({ generational: 'yes' })).toThrow(/generational must be true or false, got 'yes'/);
  });
});
