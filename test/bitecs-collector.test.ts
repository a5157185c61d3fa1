/**
 * Tests for the bitECS bridge's collector, explicit roots and bookkeeping (src/bitecs/collector.ts,
 * roots.ts, state.ts, prefabs.ts, relations.ts), written from the survivors of the bridge's mutation
 * run. They cover: worlds, root lists and relation edge lists that outgrow the bridge's initial
 * internal arrays (64 entries per entity, 16 explicit roots), checked against a reachability model
 * with fast-check too; explicit roots across `resetWorld` and `deleteWorld`; `isRoot` never throwing;
 * the error messages of `root`, `unroot`, `roots` and `collect` naming what was wrong; the slow path
 * after a callback removes or adds entities during `collect()` (what it counts as cascaded, what it
 * clears and what it leaves alone); a prefab removed during `collect()`; and the report's `ms`.
 */
import {
  addComponent,
  addEntity,
  addPrefab,
  createRelation,
  createWorld,
  deleteWorld,
  entityExists,
  observe,
  onRemove,
  removeEntity,
  resetWorld,
  type World,
} from 'bitecs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCollector } from '../bitecs.ts';
import { alive, thrown } from './bitecs-helpers.ts';
import { fcRuns } from './runs.ts';

const sorted = (eids: Iterable<number>): number[] => [...eids].sort((a, b) => a - b);

/** Adds `count` entities and returns them in order (a fresh world gives out 1, 2, 3, ...). */
function addEntities(world: World, count: number): number[] {
  const eids: number[] = [];
  for (let i = 0; i < count; i++) eids.push(addEntity(world));
  return eids;
}

describe('bitECS bridge: worlds larger than the initial internal arrays', () => {
  it('a world of 300 entities: a chain through a field is kept to its last entity, the rest removed', () => {
    const world = createWorld();
    const Next = { eid: new Uint32Array(1024) };
    const gc = createCollector(world, { allowNoRoots: true, refs: [Next.eid] });
    // 1 -> 2 -> ... -> 250 (the chain), 251..300 garbage; the highest ids are both kinds.
    const eids = addEntities(world, 300);
    for (let i = 0; i < 249; i++) Next.eid[eids[i]!] = eids[i + 1]!;
    Next.eid[300] = 299; // garbage pointing at garbage
    gc.root(eids[0]!);
    expect(gc.collect()).toMatchObject({ freed: 50, live: 250, cleared: 0, cascaded: 0 });
    expect(alive(world)).toEqual(eids.slice(0, 250));
    expect(Next.eid[249]).toBe(250);
    expect(Next.eid[300]).toBe(0); // a removed entity's field is reset
  });

  it('the entity with the highest id is kept when it is reached, in a first and a later, larger collection', () => {
    const world = createWorld();
    const Next = { eid: new Uint32Array(1024) };
    const gc = createCollector(world, { allowNoRoots: true, refs: [Next.eid] });
    const first = addEntities(world, 65); // ids 1..65: past 64 by one
    gc.root(first[0]!);
    Next.eid[first[0]!] = first[64]!;
    expect(gc.collect()).toMatchObject({ freed: 63, live: 2 });
    expect(alive(world)).toEqual([1, 65]);
    // Grow again, past twice the first size: ids 2..64 are reused, then 66..600 are new.
    const second = addEntities(world, 598);
    const top = Math.max(...second);
    expect(top).toBe(600);
    Next.eid[65] = top;
    expect(gc.collect()).toMatchObject({ freed: 597, live: 3 });
    expect(alive(world)).toEqual([1, 65, top]);
  });

  it('more than 64 relation pairs are all edges: a 200-long ChildOf chain is kept from its root', () => {
    const world = createWorld();
    const ChildOf = createRelation();
    const gc = createCollector(world, {
      allowNoRoots: true,
      relations: [{ relation: ChildOf, edge: 'target->subject' }],
    });
    const chain = addEntities(world, 200);
    for (let i = 1; i < chain.length; i++) addComponent(world, chain[i]!, ChildOf(chain[i - 1]!));
    const orphans = addEntities(world, 10);
    for (const orphan of orphans) addComponent(world, orphan, ChildOf(orphans[0]!));
    gc.root(chain[0]!);
    expect(gc.collect()).toMatchObject({ freed: 10, live: 200, cascaded: 0 });
    expect(alive(world)).toEqual(chain);
  });

  it('more than 16 explicit roots: every one is listed, is a root, and is kept', () => {
    const world = createWorld();
    const gc = createCollector(world, { allowNoRoots: true });
    const eids = addEntities(world, 100);
    const rooted = eids.filter((eid) => eid % 3 !== 0); // 67 roots
    for (const eid of rooted) gc.root(eid);
    expect(sorted(gc.roots())).toEqual(rooted);
    for (const eid of eids) expect(gc.isRoot(eid)).toBe(eid % 3 !== 0);
    expect(gc.collect()).toMatchObject({ freed: 33, live: 67 });
    expect(alive(world)).toEqual(rooted);
    // Unrooting every other one leaves the rest rooted.
    for (const eid of rooted.filter((_, k) => k % 2 === 0)) expect(gc.unroot(eid)).toBe(true);
    const still = rooted.filter((_, k) => k % 2 === 1);
    expect(sorted(gc.roots())).toEqual(still);
    expect(gc.collect()).toMatchObject({ freed: rooted.length - still.length, live: still.length });
    expect(alive(world)).toEqual(still);
  });

  it('rooting an entity whose id is far past 64 first: isRoot, unroot and roots() see it', () => {
    const world = createWorld();
    const gc = createCollector(world, { allowNoRoots: true });
    addEntities(world, 300);
    gc.root(250);
    expect(gc.isRoot(250)).toBe(true);
    expect(gc.roots()).toEqual([250]);
    gc.root(250); // again: still one root
    expect(gc.roots()).toEqual([250]);
    expect(gc.collect()).toMatchObject({ freed: 299, live: 1 });
    expect(gc.unroot(250)).toBe(true);
    expect(gc.isRoot(250)).toBe(false);
    expect(gc.collect()).toMatchObject({ freed: 1, live: 0 });
    expect(entityExists(world, 250)).toBe(false);
  });

  it('rooting entity 64 (the first id past the initial array) first: it is a root until unrooted', () => {
    const world = createWorld();
    const gc = createCollector(world, { allowNoRoots: true });
    addEntities(world, 70);
    gc.root(64);
    expect(gc.isRoot(64)).toBe(true);
    expect(gc.unroot(64)).toBe(true);
    expect(gc.unroot(64)).toBe(false);
    expect(gc.roots()).toEqual([]);
  });

  it('property: in worlds of up to 400 entities, exactly what the roots reach through fields survives', () => {
    const graph = fc.integer({ min: 1, max: 400 }).chain((size) =>
      fc.record({
        size: fc.constant(size),
        // Edges as pairs of positions in the entity list (0-based); a list edge goes into a 'many' field.
        single: fc.array(fc.tuple(fc.nat(size - 1), fc.nat(size - 1)), { maxLength: size }),
        many: fc.array(fc.tuple(fc.nat(size - 1), fc.nat(size - 1)), { maxLength: size }),
        roots: fc.uniqueArray(fc.nat(size - 1), { maxLength: 40 }),
      })
    );
    fc.assert(
      fc.property(graph, ({ size, single, many, roots }) => {
        const world = createWorld();
        const Next = { eid: new Uint32Array(512) };
        const Links = { list: [] as number[][] };
        const gc = createCollector(world, {
          allowNoRoots: true,
          refs: [Next.eid, { store: Links.list, many: true }],
        });
        const eids = addEntities(world, size);
        for (const eid of eids) Links.list[eid] = [];
        const out = eids.map(() => [] as number[]); // the model: positions each position points at
        for (const [from, to] of single) {
          Next.eid[eids[from]!] = eids[to]!;
        }
        for (let from = 0; from < size; from++) {
          const target = Next.eid[eids[from]!]!;
          if (target !== 0) out[from]!.push(eids.indexOf(target));
        }
        for (const [from, to] of many) {
          Links.list[eids[from]!]!.push(eids[to]!);
          out[from]!.push(to);
        }
        for (const r of roots) gc.root(eids[r]!);
        // The model: a walk from the roots.
        const reached = new Set<number>(roots);
        const work = [...roots];
        while (work.length > 0) {
          for (const to of out[work.pop()!]!) if (!reached.has(to)) (reached.add(to), work.push(to));
        }
        const info = gc.collect();
        const survivors = sorted([...reached].map((p) => eids[p]!));
        expect(info).toMatchObject({ freed: size - reached.size, live: reached.size, cleared: 0, cascaded: 0 });
        expect(alive(world)).toEqual(survivors);
        expect(sorted(gc.roots())).toEqual(sorted(roots.map((p) => eids[p]!)));
      }),
      { numRuns: fcRuns(40) },
    );
  });
});

describe('bitECS bridge: explicit roots across resetWorld and deleteWorld', () => {
  it('after resetWorld the old roots are gone, and the new entities that reuse their ids can be rooted', () => {
    const world = createWorld();
    const gc = createCollector(world, { allowNoRoots: true });
    const [a1, a2, a3] = addEntities(world, 3) as [number, number, number];
    gc.root(a1);
    gc.root(a2);
    gc.root(a3);
    resetWorld(world);
    // Before anything reads the new entity index, and after: none of the old roots is one.
    expect(gc.isRoot(a1)).toBe(false);
    expect(gc.roots()).toEqual([]);
    expect(gc.isRoot(a1)).toBe(false);
    expect(gc.unroot(a1)).toBe(false);
    expect(gc.roots()).toEqual([]);
    // bitECS gives the same ids out again; rooted in another order than before, all three are roots.
    const [b1, b2, b3] = addEntities(world, 3) as [number, number, number];
    expect([b1, b2, b3]).toEqual([a1, a2, a3]);
    const junk = addEntity(world);
    gc.root(b3);
    gc.root(b2);
    gc.root(b1);
    expect(sorted(gc.roots())).toEqual([b1, b2, b3]);
    for (const eid of [b1, b2, b3]) expect(gc.isRoot(eid)).toBe(true);
    expect(gc.isRoot(junk)).toBe(false);
    expect(gc.collect()).toMatchObject({ freed: 1, live: 3 });
    expect(alive(world)).toEqual([b1, b2, b3]);
    expect(gc.unroot(b2)).toBe(true);
    expect(sorted(gc.roots())).toEqual([b1, b3]);
  });

  it('after resetWorld, rooting the entity that reuses the first old root id roots it', () => {
    const world = createWorld();
    const gc = createCollector(world, { allowNoRoots: true });
    const [a1, a2] = addEntities(world, 2) as [number, number];
    gc.root(a1);
    gc.root(a2);
    resetWorld(world);
    const [b1, b2] = addEntities(world, 2) as [number, number];
    gc.root(b1); // the old root list had this id first
    gc.root(b2);
    expect(sorted(gc.roots())).toEqual([b1, b2]);
    expect(gc.isRoot(b1) && gc.isRoot(b2)).toBe(true);
    expect(gc.collect()).toMatchObject({ freed: 0, live: 2 });
  });

  it('after deleteWorld: isRoot is false and does not throw; root, unroot, roots and collect name the world', () => {
    const world = createWorld();
    const gc = createCollector(world, { allowNoRoots: true });
    const eid = addEntity(world);
    gc.root(eid);
    expect(gc.world).toBe(world);
    deleteWorld(world);
    expect(gc.isRoot(eid)).toBe(false);
    expect(gc.world).toBe(world);
    const calls: [string, () => unknown][] = [
      ['root', () => gc.root(eid)],
      ['unroot', () => gc.unroot(eid)],
      ['roots', () => gc.roots()],
      ['collect', () => gc.collect()],
    ];
    for (const [name, call] of calls) {
      const error = thrown(call);
      expect(error, name).toBeInstanceOf(TypeError);
      expect(error.message, name).toMatch(/^the collector's world is .*: not a bitECS 0\.4 world/);
    }
  });
});

describe('bitECS bridge: bad ids', () => {
  it('isRoot never throws: symbols, bigints and other non-ids are simply not roots', () => {
    const world = createWorld();
    const gc = createCollector(world, { allowNoRoots: true });
    const eid = addEntity(world);
    gc.root(eid);
    for (const bad of [Symbol('eid'), BigInt(eid), -eid, eid + 0.5, Number.NaN, `${eid}`, null, undefined, {}]) {
      expect(gc.isRoot(bad as unknown as number)).toBe(false);
    }
    expect(gc.isRoot(eid)).toBe(true);
  });

  it('root and unroot name the bad id in their message, and change nothing', () => {
    const world = createWorld();
    const gc = createCollector(world, { allowNoRoots: true });
    const eid = addEntity(world);
    gc.root(eid);
    const cases: [() => unknown, ErrorConstructor, RegExp][] = [
      [() => gc.root(-1), RangeError, /^root eid -1 is not an entity id/],
      [() => gc.root(2.5), RangeError, /^root eid 2\.5 is not an entity id/],
      [() => gc.root('1' as unknown as number), TypeError, /^root eid must be an entity id \(a number\), got '1'/],
      [() => gc.unroot(-1), RangeError, /^unroot eid -1 is not an entity id/],
      [() => gc.unroot(2 ** 32), RangeError, /^unroot eid 4294967296 is not an entity id/],
      [() => gc.unroot(null as unknown as number), TypeError, /^unroot eid must be an entity id \(a number\)/],
    ];
    for (const [call, type, message] of cases) {
      const error = thrown(call);
      expect(error, String(message)).toBeInstanceOf(type);
      expect(error.message).toMatch(message);
    }
    expect(gc.roots()).toEqual([eid]);
    expect(gc.collect()).toMatchObject({ freed: 0, live: 1 });
  });
});

describe('bitECS bridge: callbacks that remove or add entities during collect()', () => {
  it('cascaded counts only the reached entities that died; fields naming the reached survivors stay', () => {
    const world = createWorld();
    const Doomed = {};
    const Target = { eid: new Uint32Array(64) };
    const Children = { list: [] as number[][] };
    const gc = createCollector(world, { allowNoRoots: true, refs: [Target.eid, { store: Children.list, many: true }] });
    const root = addEntity(world), friend = addEntity(world), pet = addEntity(world), junk = addEntity(world);
    addComponent(world, junk, Doomed);
    gc.root(root);
    Target.eid[root] = friend;
    Children.list[root] = [friend, pet];
    Target.eid[friend] = pet;
    // Removing the junk makes the game remove the pet, which the root reaches.
    observe(world, onRemove(Doomed), () => removeEntity(world, pet));
    const info = gc.collect();
    expect(info).toMatchObject({ freed: 2, live: 2, cascaded: 1, cleared: 2 });
    expect(alive(world)).toEqual([root, friend]);
    expect(Target.eid[root]).toBe(friend);
    expect(Children.list[root]).toEqual([friend]);
    expect(Target.eid[friend]).toBe(0);
  });

  it('an entity an observer spawns during collect() is kept, its field naming a removed entity cleared', () => {
    const world = createWorld();
    const Enemy = {};
    const Target = { eid: new Uint32Array(64) };
    const gc = createCollector(world, { allowNoRoots: true, refs: [Target.eid] });
    const player = addEntity(world), victim = addEntity(world), other = addEntity(world);
    gc.root(player);
    gc.root(victim);
    gc.root(other);
    expect(gc.collect()).toMatchObject({ freed: 0, live: 3 });
    const enemy = addEntity(world);
    addComponent(world, enemy, Enemy);
    Target.eid[enemy] = victim;
    // The game removes the victim, which survived the last collection, then another entity: bitECS
    // hands out the last removed id first, so the corpse below does not reuse the victim's.
    removeEntity(world, victim);
    removeEntity(world, other);
    // A corpse that inherits the removed enemy's target: a stale id, written during collect().
    let corpse = 0;
    observe(world, onRemove(Enemy), (eid: number) => {
      corpse = addEntity(world);
      Target.eid[corpse] = Target.eid[eid]!;
    });
    const info = gc.collect();
    expect(corpse).not.toBe(victim);
    expect(entityExists(world, corpse)).toBe(true);
    expect(Target.eid[corpse]).toBe(0);
    expect(info).toMatchObject({ freed: 1, live: 2, cascaded: 0, cleared: 1 });
    expect(alive(world)).toEqual(sorted([player, corpse]));
  });

  it('a prefab an observer removes during collect() is counted as cascaded, and collect() completes', () => {
    const world = createWorld();
    const Doomed = {};
    const Likes = createRelation();
    const gc = createCollector(world, { allowNoRoots: true, relations: [Likes] });
    const Goblin = addPrefab(world);
    const liked = addEntity(world), junk = addEntity(world);
    addComponent(world, Goblin, Likes(liked));
    addComponent(world, junk, Doomed);
    observe(world, onRemove(Doomed), () => removeEntity(world, Goblin));
    const info = gc.collect();
    expect(info).toMatchObject({ freed: 2, live: 1, cascaded: 1 });
    expect(alive(world)).toEqual([liked]);
    expect(entityExists(world, junk)).toBe(false);
  });
});

describe('bitECS bridge: the report', () => {
  it('ms is a non-negative duration no longer than the call took', () => {
    const world = createWorld();
    const Next = { eid: new Uint32Array(256) };
    const gc = createCollector(world, { allowNoRoots: true, refs: [Next.eid] });
    const eids = addEntities(world, 100);
    gc.root(eids[0]!);
    const before = performance.now();
    const info = gc.collect();
    const took = performance.now() - before;
    expect(info.ms).toBeGreaterThanOrEqual(0);
    expect(info.ms).toBeLessThanOrEqual(took);
  });
});
