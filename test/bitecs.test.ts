/**
 * The bitECS bridge (`ecs-heap/bitecs`) against the real bitecs 0.4 package: unit tests, error
 * tests, and a model-based property test (random create / prefab / instance / link / unlink /
 * adopt / pair / root / unroot / remove / collect against a plain model: maps and a reachability
 * walk).
 */
import {
  addComponent,
  addEntity,
  addPrefab,
  createEntityIndex,
  createRelation,
  createWorld,
  deleteWorld,
  entityExists,
  getAllEntities,
  getEntityComponents,
  getRelationTargets,
  hasComponent,
  IsA,
  observe,
  onRemove,
  removeComponent,
  removeEntity,
  resetWorld,
  Wildcard,
  withAutoRemoveSubject,
  withVersioning,
  type World,
} from 'bitecs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BitecsCollection, type Collector, type CollectorOptions, createCollector } from '../bitecs.ts';
import { collectWorld } from '../src/bitecs/collector.ts';
import { addRoot } from '../src/bitecs/roots.ts';
import { makeBridgeState } from '../src/bitecs/state.ts';
import { alive, refusedCollect } from './bitecs-helpers.ts';

const N = 1024;

/** A small scene: `Parent.eid` and `Target.eid` hold one id each, `Children.list` a list. */
function scene(world: World = createWorld()) {
  const Parent = { eid: new Uint32Array(N) };
  const Target = { eid: new Int32Array(N) };
  const Children = { list: [] as number[][] };
  const gc = createCollector(world, {
    allowNoRoots: true,
    refs: [Parent.eid, Target.eid, { store: Children.list, many: true }],
  });
  const spawn = (parent = 0): number => {
    const eid = addEntity(world);
    Parent.eid[eid] = parent;
    Target.eid[eid] = 0;
    Children.list[eid] = [];
    if (parent !== 0) Children.list[parent]!.push(eid);
    return eid;
  };
  return { world, Parent, Target, Children, gc, spawn };
}

describe('bitECS bridge: collection', () => {
  it('bitECS 0.4 gives out ids from 1, so the default "no entity" value 0 never names one', () => {
    const world = createWorld();
    expect(addEntity(world)).toBe(1);
    const versioned = createWorld(createEntityIndex(withVersioning(8)));
    expect(addEntity(versioned)).toBe(1);
  });

  it('removes exactly what no root reaches, and reports it', () => {
    const { world, Children, gc, spawn } = scene();
    const root = spawn();
    gc.root(root);
    const a = spawn(root);
    const b = spawn(a);
    const lost = spawn();
    const lostChild = spawn(lost);
    const info = gc.collect();
    expect(info).toMatchObject({ freed: 2, live: 3, cleared: 0, cascaded: 0 });
    expect(info.ms).toBeGreaterThanOrEqual(0);
    expect(alive(world)).toEqual([root, a, b]);
    expect(entityExists(world, lost)).toBe(false);
    expect(entityExists(world, lostChild)).toBe(false);

    // Dropping a subtree: cut the link, collect.
    Children.list[root] = [];
    expect(gc.collect()).toMatchObject({ freed: 2, live: 1 });
    expect(alive(world)).toEqual([root]);
  });

  it('with no roots, collects everything; an empty world collects nothing', () => {
    const { world, gc, spawn } = scene();
    expect(gc.collect()).toMatchObject({ freed: 0, live: 0 });
    for (let i = 0; i < 10; i++) spawn(i === 0 ? 0 : i);
    expect(gc.collect()).toMatchObject({ freed: 10, live: 0 });
    expect(getAllEntities(world)).toEqual([]);
  });

  it('collects unreachable cycles and keeps reachable ones', () => {
    const { world, Parent, Target, gc, spawn } = scene();
    const root = spawn();
    gc.root(root);
    const a = spawn(), b = spawn(), c = spawn(), d = spawn();
    Target.eid[root] = a;
    Target.eid[a] = b;
    Target.eid[b] = a; // a <-> b, reached
    Parent.eid[c] = d;
    Parent.eid[d] = c; // c <-> d, not reached
    expect(gc.collect()).toMatchObject({ freed: 2, live: 3 });
    expect(alive(world)).toEqual([root, a, b]);
  });

  it('follows ids in plain arrays and every integer typed array alike, and ignores holes', () => {
    const world = createWorld();
    const plain: number[] = [];
    const stores = [new Int32Array(8), new Uint16Array(8), new Int16Array(8), new Uint8Array(8), new Int8Array(8)];
    const gc = createCollector(world, { allowNoRoots: true, refs: [plain, ...stores] });
    const root = addEntity(world), a = addEntity(world);
    gc.root(root);
    plain[root] = a;
    let from = a;
    for (const store of stores) {
      const next = addEntity(world);
      store[from] = next;
      from = next;
    }
    const garbage = addEntity(world);
    expect(gc.collect()).toMatchObject({ freed: 1, live: 7, cleared: 0 });
    expect(entityExists(world, garbage)).toBe(false);
    expect(entityExists(world, from)).toBe(true);
    expect(plain.length).toBe(2);
  });

  it('a plain array with holes: holes are "no entity", not dangling', () => {
    const world = createWorld();
    const plain: number[] = [];
    const wide = new Uint32Array(8);
    const gc = createCollector(world, { allowNoRoots: true, refs: [plain, wide] });
    const root = addEntity(world), a = addEntity(world), b = addEntity(world);
    gc.root(root);
    plain[root] = a;
    wide[a] = b;
    // `plain` has holes (undefined) at 0 and past 1: they are "no entity", not dangling.
    expect(gc.collect()).toMatchObject({ freed: 0, live: 3, cleared: 0 });
    expect(plain.length).toBe(2);
  });

  it('clears fields that name an entity the game removed itself, and counts them', () => {
    const { world, Parent, Target, Children, gc, spawn } = scene();
    const root = spawn();
    gc.root(root);
    const a = spawn(root), b = spawn(root);
    Target.eid[a] = b;
    removeEntity(world, b); // by hand: Target.eid[a] and Children.list[root] now dangle
    const info = gc.collect();
    expect(info).toMatchObject({ freed: 0, live: 2, cleared: 2 });
    expect(Target.eid[a]).toBe(0);
    expect(Children.list[root]).toEqual([a]);
    expect(Parent.eid[a]).toBe(root);
  });

  it('treats integers that are not live ids (0, negatives, huge, never given out) as dangling', () => {
    const world = createWorld();
    const store: number[] = [];
    const gc = createCollector(world, { allowNoRoots: true, refs: [{ store, none: -1 }] });
    const root = addEntity(world);
    gc.root(root);
    const others: number[] = [];
    for (const v of [0, -3, 2 ** 40, 2 ** 32, 99]) {
      const e = addEntity(world);
      gc.root(e);
      store[e] = v;
      others.push(e);
    }
    store[root] = -1;
    const info = gc.collect();
    expect(info).toMatchObject({ freed: 0, cleared: 5 });
    for (const e of others) expect(store[e]).toBe(-1);
    expect(store[root]).toBe(-1);
  });

  it('resets the fields of removed entities, so a recycled id starts with no references', () => {
    const { world, Parent, Target, Children, gc, spawn } = scene();
    const root = spawn();
    gc.root(root);
    const kept = spawn(root);
    const lost = spawn();
    Target.eid[lost] = kept;
    Parent.eid[lost] = root;
    Children.list[lost] = [kept, root];
    gc.collect();
    expect(entityExists(world, lost)).toBe(false);
    expect(Target.eid[lost]).toBe(0);
    expect(Parent.eid[lost]).toBe(0);
    expect(Children.list[lost]).toEqual([]);
    const recycled = addEntity(world);
    expect(recycled).toBe(lost);
    expect(Target.eid[recycled]).toBe(0);
  });

  it('weak fields do not keep their target alive, and are cleared when it is removed', () => {
    const world = createWorld();
    const Owns = { eid: new Uint32Array(16) };
    const Target = { eid: new Uint32Array(16) };
    const Seen = { list: [] as number[][] };
    const gc = createCollector(world, {
      allowNoRoots: true,
      refs: [Owns.eid, { store: Target.eid, weak: true }, { store: Seen.list, many: true, weak: true }],
    });
    const player = addEntity(world), missile = addEntity(world), enemy = addEntity(world), ally = addEntity(world);
    gc.root(player);
    gc.root(ally);
    Owns.eid[player] = missile;
    Target.eid[missile] = enemy; // weak: the enemy is not kept alive by being targeted
    Seen.list[player] = [enemy, ally, missile];
    const info = gc.collect();
    expect(info).toMatchObject({ freed: 1, live: 3, cleared: 2 });
    expect(entityExists(world, enemy)).toBe(false);
    expect(Target.eid[missile]).toBe(0);
    expect(Seen.list[player]).toEqual([ally, missile]);
    // A weak field naming a live entity is left alone.
    Target.eid[missile] = ally;
    expect(gc.collect()).toMatchObject({ freed: 0, cleared: 0 });
    expect(Target.eid[missile]).toBe(ally);
  });

  it('a custom "no entity" value: Int32Array fields with -1', () => {
    const world = createWorld();
    const Target = { eid: new Int32Array(16).fill(-1) };
    const gc = createCollector(world, { allowNoRoots: true, refs: [Target.eid], none: -1 });
    const root = addEntity(world), a = addEntity(world), b = addEntity(world);
    gc.root(root);
    Target.eid[root] = a;
    expect(gc.collect()).toMatchObject({ freed: 1, cleared: 0 });
    expect(entityExists(world, b)).toBe(false);
    expect(Target.eid[b]).toBe(-1);
    Target.eid[root] = -1;
    expect(gc.collect()).toMatchObject({ freed: 1, live: 1 });
    expect(Target.eid[a]).toBe(-1);
  });

  it("'many' fields: typed-array lists keep their length and fill dropped entries with the sentinel", () => {
    const world = createWorld();
    const Slots = { eids: [] as Uint32Array[] };
    const gc = createCollector(world, { allowNoRoots: true, refs: [{ store: Slots.eids, many: true }] });
    const root = addEntity(world), a = addEntity(world), b = addEntity(world), c = addEntity(world);
    gc.root(root);
    Slots.eids[root] = Uint32Array.of(a, 0, b, c);
    removeEntity(world, b);
    expect(gc.collect()).toMatchObject({ freed: 0, live: 3, cleared: 1 });
    expect([...Slots.eids[root]!]).toEqual([a, 0, c, 0]);
  });

  it('keeps reached entities whose field sits past the end of a short store', () => {
    const world = createWorld();
    const short = new Uint32Array(2);
    const gc = createCollector(world, { allowNoRoots: true, refs: [short] });
    const root = addEntity(world), a = addEntity(world), b = addEntity(world), c = addEntity(world);
    gc.root(root);
    short[root] = c; // root is 1, the store has entries for 0 and 1 only
    expect(gc.collect()).toMatchObject({ freed: 2, live: 2 });
    expect(alive(world)).toEqual([root, c]);
    expect(entityExists(world, a) || entityExists(world, b)).toBe(false);
    expect(short.length).toBe(2);
  });

  it('many collections in a row give the same answers (the epoch never needs a clearing pass)', () => {
    const { world, Children, gc, spawn } = scene();
    const root = spawn();
    gc.root(root);
    for (let round = 0; round < 300; round++) {
      const a = spawn(root);
      spawn(a);
      spawn(); // garbage
      const info = gc.collect();
      expect(info.freed).toBe(round === 0 ? 1 : 3);
      Children.list[root] = [];
      expect(alive(world).length).toBe(3);
    }
  });

  it('survives the epoch wrapping around', () => {
    const world = createWorld();
    const Parent = { eid: new Uint32Array(16) };
    const s = makeBridgeState(world, { refs: [Parent.eid], allowNoRoots: true });
    const root = addEntity(world), a = addEntity(world), b = addEntity(world);
    Parent.eid[root] = a;
    addRoot(s, root);
    s.epoch = 0xffff_fffe - 2;
    const first = collectWorld(s);
    expect(first.freed).toBe(1); // b
    expect(s.epoch).toBe(0xffff_fffe);
    const c = addEntity(world);
    const second = collectWorld(s); // wraps: stamps cleared once, epoch restarts at 2
    expect(s.epoch).toBe(2);
    expect(second.freed).toBe(1); // c
    expect(alive(world)).toEqual([root, a]);
    expect(entityExists(world, b) || entityExists(world, c)).toBe(false);
  });
});

describe('bitECS bridge: roots', () => {
  it('root, unroot, isRoot and roots()', () => {
    const { world, gc, spawn } = scene();
    const a = spawn(), b = spawn();
    expect(gc.isRoot(a)).toBe(false);
    gc.root(a);
    gc.root(a); // again: still one root
    gc.root(b);
    expect(gc.roots().sort()).toEqual([a, b]);
    expect(gc.isRoot(a)).toBe(true);
    expect(gc.unroot(a)).toBe(true);
    expect(gc.unroot(a)).toBe(false);
    expect(gc.isRoot(a)).toBe(false);
    expect(gc.roots()).toEqual([b]);
    expect(gc.collect()).toMatchObject({ freed: 1, live: 1 });
    expect(alive(world)).toEqual([b]);
    for (const bad of [-1, 1.5, Number.NaN, '1', null, undefined, 2 ** 33]) {
      expect(gc.isRoot(bad as number)).toBe(false);
    }
  });

  it('a rooted entity the game removes stops being a root, and its recycled id is not one', () => {
    const { world, gc, spawn } = scene();
    const a = spawn();
    gc.root(a);
    removeEntity(world, a);
    expect(gc.isRoot(a)).toBe(false);
    expect(gc.roots()).toEqual([]);
    // Even before a collection, the entity that reuses the id (no versioning here) is not a root.
    const recycled = spawn();
    expect(recycled).toBe(a);
    expect(gc.isRoot(recycled)).toBe(false);
    expect(gc.unroot(recycled)).toBe(false);
    expect(gc.collect()).toMatchObject({ freed: 1, live: 0 });
    // Rooting the new entity works as usual.
    const again = spawn();
    gc.root(again);
    expect(gc.collect()).toMatchObject({ freed: 0, live: 1 });
    expect(gc.roots()).toEqual([again]);
  });

  it('root components: entities with any of them are roots, as long as they have it', () => {
    const world = createWorld();
    const Player = {};
    const Camera = {};
    const Target = { eid: new Uint32Array(16) };
    const gc = createCollector(world, { refs: [Target.eid], roots: [Player, Camera] });
    const player = addEntity(world), camera = addEntity(world), weapon = addEntity(world), junk = addEntity(world);
    addComponent(world, player, Player);
    addComponent(world, camera, Camera);
    Target.eid[player] = weapon;
    expect(gc.collect()).toMatchObject({ freed: 1, live: 3 });
    expect(entityExists(world, junk)).toBe(false);
    removeComponent(world, camera, Camera);
    expect(gc.collect()).toMatchObject({ freed: 1, live: 2 });
    expect(alive(world)).toEqual([player, weapon]);
  });

  it('prefabs are roots, so IsA instances keep their template', () => {
    const world = createWorld();
    const gc = createCollector(world, { allowNoRoots: true });
    const Goblin = addPrefab(world);
    const goblin = addEntity(world);
    addComponent(world, goblin, IsA(Goblin));
    gc.root(goblin);
    expect(gc.collect()).toMatchObject({ freed: 0, live: 2 });
    gc.unroot(goblin);
    expect(gc.collect()).toMatchObject({ freed: 1, live: 1 });
    expect(entityExists(world, Goblin)).toBe(true);
  });

  it('resetWorld drops the explicit roots', () => {
    const { world, gc, spawn } = scene();
    const a = spawn();
    gc.root(a);
    resetWorld(world);
    const b = addEntity(world);
    expect(b).toBe(a);
    expect(gc.collect()).toMatchObject({ freed: 1, live: 0 });
    expect(gc.roots()).toEqual([]);
  });

  it('worlds sharing one entity index: collecting one leaves the other alone', () => {
    const index = createEntityIndex();
    const left = createWorld(index);
    const right = createWorld(index);
    const gc = createCollector(left, { allowNoRoots: true });
    const l1 = addEntity(left), r1 = addEntity(right), l2 = addEntity(left), r2 = addEntity(right);
    gc.root(l1);
    expect(gc.collect()).toMatchObject({ freed: 1, live: 1 });
    expect(entityExists(left, l2)).toBe(false);
    expect(alive(right)).toEqual([r1, r2]);
    expect(entityExists(right, r1) && entityExists(right, r2)).toBe(true);
  });

  it('versioned worlds: a removed root does not root its recycled index; stale ids in fields are cleared', () => {
    const world = createWorld(createEntityIndex(withVersioning(8)));
    const Target = { eid: [] as number[] };
    const gc = createCollector(world, { allowNoRoots: true, refs: [Target.eid] });
    const holder = addEntity(world), a = addEntity(world);
    gc.root(holder);
    gc.root(a);
    removeEntity(world, a);
    const a2 = addEntity(world); // same index, next version
    expect(a2).not.toBe(a);
    expect(a2 & 0xffffff).toBe(a);
    expect(gc.isRoot(a2)).toBe(false);
    Target.eid[holder] = a; // a stale versioned id
    const info = gc.collect();
    expect(info).toMatchObject({ freed: 1, live: 1, cleared: 1 });
    expect(entityExists(world, a2)).toBe(false);
    expect(Target.eid[holder]).toBe(0);
    // A field holding the current version is followed.
    const b = addEntity(world);
    Target.eid[holder] = b;
    expect(gc.collect()).toMatchObject({ freed: 0, live: 2 });
    // root() on a stale version is refused; on the current one it replaces nothing wrongly.
    expect(() => gc.root(a2)).toThrow(RangeError);
  });
});

describe('bitECS bridge: relations', () => {
  it("'target->subject' edges: a parent keeps its children (ChildOf without autoRemoveSubject)", () => {
    const world = createWorld();
    const ChildOf = createRelation();
    const gc = createCollector(world, {
      allowNoRoots: true,
      relations: [{ relation: ChildOf, edge: 'target->subject' }],
    });
    const root = addEntity(world), child = addEntity(world), grandchild = addEntity(world);
    const orphanParent = addEntity(world), orphan = addEntity(world);
    addComponent(world, child, ChildOf(root));
    addComponent(world, grandchild, ChildOf(child));
    addComponent(world, orphan, ChildOf(orphanParent));
    gc.root(root);
    expect(gc.collect()).toMatchObject({ freed: 2, live: 3, cascaded: 0 });
    expect(alive(world)).toEqual([root, child, grandchild]);
    // Dropping the subtree through bitECS's own API.
    removeComponent(world, child, ChildOf(root));
    expect(gc.collect()).toMatchObject({ freed: 2, live: 1 });
  });

  it("a bare relation means 'subject->target': what an entity points at stays alive", () => {
    const world = createWorld();
    const Targeting = createRelation();
    const gc = createCollector(world, { allowNoRoots: true, relations: [Targeting] });
    const hunter = addEntity(world), prey = addEntity(world), bystander = addEntity(world);
    addComponent(world, hunter, Targeting(prey));
    addComponent(world, bystander, Targeting(hunter));
    gc.root(hunter);
    expect(gc.collect()).toMatchObject({ freed: 1, live: 2 });
    expect(entityExists(world, bystander)).toBe(false);
    expect(getRelationTargets(world, hunter, Targeting)).toEqual([prey]);
  });

  it('autoRemoveSubject relations are traced both ways, so bitECS never removes a reached subject', () => {
    const world = createWorld();
    const ChildOf = createRelation(withAutoRemoveSubject);
    const gc = createCollector(world, {
      allowNoRoots: true,
      relations: [{ relation: ChildOf, edge: 'target->subject' }],
    });
    const parent = addEntity(world), child = addEntity(world);
    addComponent(world, child, ChildOf(parent));
    gc.root(child); // only the child is rooted: removing its parent would make bitECS remove it
    expect(gc.collect()).toMatchObject({ freed: 0, live: 2, cascaded: 0 });
  });

  it('an undeclared autoRemoveSubject relation cascades: reported as cascaded, and nothing dangles', () => {
    const world = createWorld();
    const ChildOf = createRelation(withAutoRemoveSubject);
    const Target = { eid: new Uint32Array(16) };
    const Watch = { eid: new Uint32Array(16) };
    const gc = createCollector(world, { allowNoRoots: true, refs: [Target.eid, { store: Watch.eid, weak: true }] });
    const root = addEntity(world), parent = addEntity(world), child = addEntity(world);
    addComponent(world, child, ChildOf(parent));
    gc.root(root);
    Target.eid[root] = child; // reached, but its parent is not: bitECS removes it with the parent
    Watch.eid[root] = child;
    const info = gc.collect();
    expect(info).toMatchObject({ freed: 2, live: 1, cascaded: 1, cleared: 2 });
    expect(Target.eid[root]).toBe(0);
    expect(Watch.eid[root]).toBe(0);
  });

  it('an onRemove observer that removes a reached entity is noticed too', () => {
    const world = createWorld();
    const Doomed = {};
    const Target = { eid: new Uint32Array(16) };
    const gc = createCollector(world, { allowNoRoots: true, refs: [Target.eid] });
    const root = addEntity(world), friend = addEntity(world), junk = addEntity(world);
    addComponent(world, junk, Doomed);
    gc.root(root);
    Target.eid[root] = friend;
    observe(world, onRemove(Doomed), () => removeEntity(world, friend));
    const info = gc.collect();
    expect(info).toMatchObject({ freed: 2, live: 1, cascaded: 1, cleared: 1 });
    expect(Target.eid[root]).toBe(0);
    expect(hasComponent(world, root, Doomed)).toBe(false);
  });

  it('a reached entity bitECS removes by cascading has its own fields reset too, so a recycled id starts empty', () => {
    const world = createWorld();
    const ChildOf = createRelation(withAutoRemoveSubject);
    const Target = { eid: new Uint32Array(16) };
    const Lists = { list: [] as number[][] };
    const gc = createCollector(world, { allowNoRoots: true, refs: [Target.eid, { store: Lists.list, many: true }] });
    const root = addEntity(world), parent = addEntity(world), child = addEntity(world);
    addComponent(world, child, ChildOf(parent));
    gc.root(root);
    Target.eid[root] = child;
    Target.eid[child] = root; // the cascaded entity's own references
    Lists.list[child] = [root, root];
    expect(gc.collect()).toMatchObject({ freed: 2, live: 1, cascaded: 1, cleared: 1 });
    expect(Target.eid[child]).toBe(0);
    expect(Lists.list[child]).toEqual([]);
    const reborn = addEntity(world); // bitECS without versioning hands the id out again
    expect([reborn === child || reborn === parent, Target.eid[reborn], Lists.list[reborn] ?? []]).toEqual([
      true,
      0,
      [],
    ]);
  });

  it('a callback that removes a reached entity and adds one (the count unchanged) is noticed, in every world kind', () => {
    for (const versioned of [false, true]) {
      for (const shared of [false, true]) {
        for (const addFirst of [false, true]) {
          const index = versioned ? createEntityIndex(withVersioning(8)) : createEntityIndex();
          const world = createWorld(index);
          if (shared) addEntity(createWorld(index)); // another world's entity in the same index
          const Doomed = {};
          const Target = { eid: [] as number[] };
          const gc = createCollector(world, { allowNoRoots: true, refs: [Target.eid] });
          const root = addEntity(world), friend = addEntity(world), junk = addEntity(world);
          addComponent(world, junk, Doomed);
          gc.root(root);
          Target.eid[root] = friend;
          let added = 0;
          observe(world, onRemove(Doomed), () => {
            if (addFirst) added = addEntity(world);
            removeEntity(world, friend);
            if (!addFirst) added = addEntity(world);
          });
          const info = gc.collect();
          const at = `versioned ${versioned}, shared ${shared}, add first ${addFirst}`;
          if (added === friend) {
            // bitECS gave `friend`'s id to the new entity (no versioning): nobody can tell them apart.
            expect([at, versioned, addFirst, Target.eid[root]]).toEqual([at, false, false, friend]);
            continue;
          }
          // Two entities go (junk, friend) and one comes: as many live as were reached. Friend's id, stale
          // now, is not left behind.
          expect([at, info.freed, info.cascaded, info.cleared, Target.eid[root]]).toEqual([at, 2, 1, 1, 0]);
          expect([at, alive(world).includes(added)]).toEqual([at, true]);
          // Versioned, removed first: `friend`'s index again, with a new version (only the exact id tells).
          if (versioned && !addFirst) expect([at, added & 0xffffff]).toEqual([at, friend & 0xffffff]);
        }
      }
    }
  });

  it("a new entity given a removed garbage entity's id (no versioning) is noticed too: it was never reached", () => {
    for (const shared of [false, true]) {
      const index = createEntityIndex();
      const world = createWorld(index);
      if (shared) addEntity(createWorld(index)); // another world's entity in the same index
      const Doomed = {};
      const Target = { eid: new Uint32Array(16) };
      const gc = createCollector(world, { allowNoRoots: true, refs: [Target.eid] });
      const root = addEntity(world), friend = addEntity(world), garbage = addEntity(world), junk = addEntity(world);
      addComponent(world, junk, Doomed); // removed after `garbage`, so its callback can reuse `garbage`'s id
      gc.root(root);
      Target.eid[root] = friend;
      let added = 0;
      observe(world, onRemove(Doomed), () => {
        added = addEntity(world);
        removeEntity(world, friend);
      });
      expect(gc.collect()).toMatchObject({ freed: 3, live: 2, cascaded: 1, cleared: 1 });
      expect(added).toBe(garbage); // the same id, so only the marks tell it from a reached entity
      expect(Target.eid[root]).toBe(0);
    }
  });

  it('the slow path leaves alone what a callback stored that is no list (it runs after removals: it cannot refuse)', () => {
    const world = createWorld();
    const Doomed = {};
    const Lists = { list: [] as unknown[] };
    const gc = createCollector(world, { allowNoRoots: true, refs: [{ store: Lists.list as number[][], many: true }] });
    const root = addEntity(world), junk = addEntity(world);
    addComponent(world, junk, Doomed);
    gc.root(root);
    let debris = 0;
    const arrayLike = { length: 1, 0: junk };
    observe(world, onRemove(Doomed), () => {
      debris = addEntity(world);
      Lists.list[debris] = arrayLike; // no list by collect()'s rule
    });
    expect(gc.collect()).toMatchObject({ freed: 1, live: 2, cleared: 0 });
    expect(Lists.list[debris]).toBe(arrayLike);
    expect(arrayLike[0]).toBe(junk);
  });
});

describe('bitECS bridge: prefabs (bitECS queries skip them)', () => {
  it('a relation out of a prefab is traced: what the template points at stays alive', () => {
    const world = createWorld();
    const Uses = createRelation();
    const Wields = createRelation(withAutoRemoveSubject);
    const Parent = { eid: new Uint32Array(16) };
    const gc = createCollector(world, { allowNoRoots: true, refs: [Parent.eid], relations: [Uses, Wields] });
    const Goblin = addPrefab(world);
    const sword = addEntity(world), hilt = addEntity(world), club = addEntity(world), junk = addEntity(world);
    addComponent(world, Goblin, Uses(sword));
    addComponent(world, Goblin, Wields(club));
    Parent.eid[sword] = hilt; // reached through the prefab's pair, then through the field
    expect(gc.collect()).toMatchObject({ freed: 1, live: 4, cleared: 0, cascaded: 0 });
    expect(alive(world)).toEqual([Goblin, sword, hilt, club]);
    expect(entityExists(world, junk)).toBe(false);
    expect(getRelationTargets(world, Goblin, Uses)).toEqual([sword]);
  });

  it("a prefab's pair whose target the collector removes is cleared: the recycled id is not named, instances do not copy it", () => {
    const world = createWorld();
    const Likes = createRelation(); // not declared: not an edge
    const ChildOf = createRelation(); // declared 'target->subject': the prefab does not keep its parent
    const gc = createCollector(world, {
      allowNoRoots: true,
      relations: [{ relation: ChildOf, edge: 'target->subject' }],
    });
    const Goblin = addPrefab(world);
    const liked = addEntity(world), parent = addEntity(world);
    addComponent(world, Goblin, Likes(liked));
    addComponent(world, Goblin, ChildOf(parent));
    const info = gc.collect();
    expect(info).toMatchObject({ freed: 2, live: 1, cleared: 2 });
    expect(getRelationTargets(world, Goblin, Likes)).toEqual([]);
    expect(getRelationTargets(world, Goblin, ChildOf)).toEqual([]);
    // bitECS gives the ids out again: nothing on the prefab names the new entities.
    const reused = [addEntity(world), addEntity(world)].sort((a, b) => a - b);
    expect(reused).toEqual([liked, parent].sort((a, b) => a - b));
    expect(hasComponent(world, Goblin, Likes(liked))).toBe(false);
    expect(hasComponent(world, Goblin, Wildcard(liked))).toBe(false);
    const goblin = addEntity(world);
    addComponent(world, goblin, IsA(Goblin));
    expect(hasComponent(world, goblin, Likes(liked))).toBe(false);
    expect(getRelationTargets(world, goblin, ChildOf)).toEqual([]);
  });

  it('a target the game removed itself is cleared from the prefab at the next collect()', () => {
    const world = createWorld();
    const Likes = createRelation();
    const gc = createCollector(world, { allowNoRoots: true, relations: [Likes] });
    const Base = addPrefab(world), Goblin = addPrefab(world);
    const liked = addEntity(world), kept = addEntity(world);
    addComponent(world, Goblin, IsA(Base));
    addComponent(world, Goblin, Likes(liked));
    addComponent(world, Goblin, Likes(kept));
    removeEntity(world, liked);
    removeEntity(world, Base);
    // bitECS's removeEntity leaves both pairs on the prefab (its query skips prefabs).
    expect(getRelationTargets(world, Goblin, Likes).sort()).toEqual([liked, kept].sort());
    expect(getRelationTargets(world, Goblin, IsA)).toEqual([Base]);
    expect(gc.collect()).toMatchObject({ freed: 0, live: 2, cleared: 2 });
    expect(getRelationTargets(world, Goblin, Likes)).toEqual([kept]);
    expect(getRelationTargets(world, Goblin, IsA)).toEqual([]);
    expect(hasComponent(world, Goblin, Wildcard(liked))).toBe(false);
    expect(hasComponent(world, Goblin, Wildcard(kept))).toBe(true);
    // Instancing copies the prefab's pairs (bitECS throws when one names a removed entity).
    const goblin = addEntity(world);
    addComponent(world, goblin, IsA(Goblin));
    expect(getRelationTargets(world, goblin, Likes)).toEqual([kept]);
  });

  it("a removed subject's bookkeeping pair on the prefab it pointed at is cleared too", () => {
    const world = createWorld();
    const Fears = createRelation();
    const gc = createCollector(world, { allowNoRoots: true });
    const Dragon = addPrefab(world);
    const peasant = addEntity(world);
    addComponent(world, peasant, Fears(Dragon)); // bitECS marks the prefab with Wildcard(peasant)
    expect(hasComponent(world, Dragon, Wildcard(peasant))).toBe(true);
    expect(gc.collect()).toMatchObject({ freed: 1, live: 1, cleared: 0 });
    expect(hasComponent(world, Dragon, Wildcard(peasant))).toBe(false);
  });
});

describe('bitECS bridge: bad input throws, naming the value, and changes nothing', () => {
  const world = createWorld();
  const store = new Uint32Array(8);

  it('createCollector: not a world', () => {
    for (const bad of [undefined, null, 3, 'world', {}, [], () => 0]) {
      expect(() => createCollector(bad as unknown as World)).toThrow(TypeError);
    }
    expect(() => createCollector({} as World)).toThrow(/not a bitECS 0.4 world/);
  });

  it('createCollector: bad options', () => {
    const cases: [unknown, RegExp, ErrorConstructor][] = [
      [[], /options must be an object/, TypeError],
      [{ ref: [store] }, /unknown key 'ref'/, TypeError],
      [{ refs: store }, /refs must be a list.*\[store\]/, TypeError],
      [{ refs: [3] }, /refs\[0\] is 3/, TypeError],
      [{ refs: [{ store: 'x' }] }, /refs\[0\]\.store is 'x' \(a string\)/, TypeError],
      [{ refs: [new DataView(new ArrayBuffer(8))] }, /refs\[0\]/, TypeError],
      [{ refs: [new BigUint64Array(4)] }, /refs\[0\]/, TypeError],
      [{ refs: [{ store, many: 'yes' }] }, /many must be a boolean/, TypeError],
      [{ refs: [{ store, weak: 1 }] }, /weak must be a boolean/, TypeError],
      [{ refs: [{ store, many: true }] }, /a 'many' field is an array/, TypeError],
      [{ refs: [{ store, nil: 0 }] }, /unknown key 'nil'/, TypeError],
      [{ refs: [{ store, none: -1 }] }, /none -1 cannot be stored in a Uint32Array/, RangeError],
      [{ refs: [store], none: -1 }, /options\.none -1 cannot be stored/, RangeError],
      [{ refs: [store], none: Number.NaN }, /NaN/, RangeError],
      [{ refs: [store], none: '0' }, /options\.none must be a number/, TypeError],
      [{ roots: [5] }, /roots\[0\] is 5.*collector\.root\(eid\)/, TypeError],
      [{ roots: {} }, /roots must be a list/, TypeError],
      [{ relations: [{}] }, /relations\[0\]\.relation is undefined/, TypeError],
      [{ relations: [5] }, /relations\[0\] is 5/, TypeError],
      [{ relations: [{ relation: createRelation(), edge: 'up' }] }, /edge must be/, TypeError],
      // Stores (issue 9.8): integer typed arrays or arrays of integers; lists only with many: true.
      [{ refs: [new Float32Array(4)] }, /refs\[0\] is a Float32Array: an id field is a Uint32Array/, TypeError],
      [{ refs: [{ store: new Float64Array(4) }] }, /refs\[0\]\.store is a Float64Array/, TypeError],
      [{ refs: [new Uint8ClampedArray(4)] }, /refs\[0\] is a Uint8ClampedArray/, TypeError],
      [{ refs: [[0, [1, 2]]] }, /refs\[0\] holds an array for entity 1: .*\{ store, many: true \}/, TypeError],
      [{ refs: [[0, new Uint32Array(2)]] }, /refs\[0\] holds a Uint32Array for entity 1: .*many: true/, TypeError],
      [{ refs: [[0, 2.5]] }, /refs\[0\] holds 2\.5 for entity 1: not an entity id/, RangeError],
      [{ refs: [[Number.NaN]] }, /refs\[0\] holds NaN for entity 0/, RangeError],
      [{ refs: [{ store: [undefined, '1'] }] }, /refs\[0\]\.store holds '1' \(a string\) for entity 1/, TypeError],
      [{ refs: [{ store: [null] }] }, /holds null for entity 0: not an entity id/, TypeError],
      [{ refs: [{ store: [[], 5], many: true }] }, /holds 5 for entity 1: a 'many' field .*a single id/, TypeError],
      [
        { refs: [{ store: [[1, [2]]], many: true }] },
        /holds an array for entity 0 at list index 1, inside a list/,
        TypeError,
      ],
      [{ refs: [{ store: [[1, 0.5]], many: true }] }, /holds 0\.5 for entity 0 at list index 1/, RangeError],
      [
        { refs: [{ store: [new Float32Array(2)], many: true }] },
        /a Float32Array for entity 0: .*Uint32Array/,
        TypeError,
      ],
      [{ refs: [{ store: [{}], many: true }] }, /holds an object .* for entity 0: a 'many' field/, TypeError],
      [
        { refs: [{ store: [new Uint8Array(2)], many: true, none: -1 }] },
        /-1 cannot be stored in a Uint8Array/,
        RangeError,
      ],
      [{ refs: [store, { store, weak: true }] }, /refs\[1\] is the same store as refs\[0\]/, TypeError],
      [{ refs: [store], none: 0.5 }, /options\.none 0\.5 is not an integer/, RangeError],
      // A collector with no root components must be asked for.
      [{ refs: [store] }, /options\.roots is missing: .*allowNoRoots: true/, TypeError],
      [{ refs: [store], roots: [] }, /options\.roots is empty/, TypeError],
      [{ refs: [store], allowNoRoots: false }, /options\.roots is missing/, TypeError],
      [{ allowNoRoots: 'yes' }, /options\.allowNoRoots must be a boolean, got 'yes'/, TypeError],
      [undefined, /options\.roots is missing/, TypeError],
    ];
    for (const [options, message, type] of cases) {
      let error: unknown;
      try {
        createCollector(world, options as never);
      } catch (e) {
        error = e;
      }
      expect(error, String(message)).toBeInstanceOf(type);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('root and unroot: malformed ids, and root of an entity that does not exist', () => {
    const gc: Collector = createCollector(world, { allowNoRoots: true, refs: [store] });
    const a = addEntity(world);
    gc.root(a);
    const before = gc.roots();
    expect(() => gc.root(-1)).toThrow(RangeError);
    expect(() => gc.root(1.5)).toThrow(/1\.5 is not an entity id/);
    expect(() => gc.root('1' as unknown as number)).toThrow(TypeError);
    expect(() => gc.root(2 ** 32)).toThrow(RangeError);
    expect(() => gc.root(999)).toThrow(/entity 999 does not exist/);
    expect(() => gc.unroot(-1)).toThrow(RangeError);
    expect(() => gc.unroot(null as unknown as number)).toThrow(TypeError);
    expect(gc.unroot(999)).toBe(false);
    expect(gc.roots()).toEqual(before);
  });

  it('createCollector with no root components only when asked (allowNoRoots), and changes nothing when refused', () => {
    const w = createWorld();
    const a = addEntity(w), b = addEntity(w);
    expect(() => createCollector(w)).toThrow(/roots is missing/);
    expect(() => createCollector(w, {})).toThrow(/roots is missing/);
    expect(() => createCollector(w, { roots: [] })).toThrow(/roots is empty/);
    expect(alive(w)).toEqual([a, b]);
    const Player = {};
    addComponent(w, a, Player);
    expect(createCollector(w, { roots: [Player] }).collect()).toMatchObject({ freed: 1, live: 1 });
    // Asked for: the only roots are prefabs and root(eid); with none, everything goes.
    expect(createCollector(w, { allowNoRoots: true }).collect()).toMatchObject({ freed: 1, live: 0 });
  });

  it('collect after deleteWorld throws a TypeError', () => {
    const w = createWorld();
    const gc = createCollector(w, { allowNoRoots: true });
    addEntity(w);
    deleteWorld(w);
    expect(() => gc.collect()).toThrow(TypeError);
    expect(() => gc.root(1)).toThrow(TypeError);
  });
});

describe('bitECS bridge: stores checked as collect() reads them (issue 9.8)', () => {
  /** A world whose stores the game fills after making the collector, as games do. */
  function filledLater(extra: (CollectorOptions['refs'] & unknown[])[number][] = []) {
    const world = createWorld();
    const Target = { eid: new Uint32Array(16) };
    const Children = { list: [] as number[][] };
    const gc = createCollector(world, {
      refs: [Target.eid, Children.list as unknown as number[], ...extra], // lists, declared without many
      allowNoRoots: true,
    });
    const root = addEntity(world), child = addEntity(world), gone = addEntity(world), garbage = addEntity(world);
    gc.root(root);
    removeEntity(world, gone);
    Target.eid[root] = gone; // dangling: cleared by a collection that succeeds
    return { world, Target, Children, gc, root, child, gone, garbage };
  }

  it('a number[][] store declared without many: true throws, naming it, and removes nothing', () => {
    const { world, Target, Children, gc, root, child } = filledLater();
    Children.list[root] = [child];
    const error = refusedCollect(gc, [Target.eid, Children.list]);
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(/^refs\[1\] holds an array for entity 1: .*\{ store, many: true \}/);
    expect(Children.list[root]).toEqual([child]);
    expect(entityExists(world, child)).toBe(true);
    // Declared rightly, the same store is traced.
    const fixed = createCollector(world, {
      refs: [Target.eid, { store: Children.list, many: true }],
      allowNoRoots: true,
    });
    fixed.root(root);
    expect(fixed.collect()).toMatchObject({ freed: 1, live: 2, cleared: 1 });
  });

  it('a fraction, NaN or a non-number written into a plain array store throws', () => {
    for (
      const [bad, type] of [[1.5, RangeError], [Number.NaN, RangeError], ['2', TypeError], [null, TypeError]] as const
    ) {
      const plain: unknown[] = [];
      const { Target, gc, root } = filledLater([plain as number[]]);
      plain[root] = bad;
      const error = refusedCollect(gc, [Target.eid, plain]);
      expect(error).toBeInstanceOf(type);
      expect(error.message).toMatch(/^refs\[2\] holds .* for entity 1: not an entity id/);
    }
  });

  it("a 'many' store holding a single id, or a list holding a non-id, throws", () => {
    const Lists = { list: [] as unknown[] };
    const { Target, gc, root, child } = filledLater([{ store: Lists.list as number[][], many: true }]);
    Lists.list[root] = child; // a single id where a list belongs
    let error = refusedCollect(gc, [Target.eid, Lists.list]);
    expect(error.message).toMatch(/^refs\[2\] holds 2 for entity 1: a 'many' field .*a single id/);
    Lists.list[root] = [child, 'x'];
    error = refusedCollect(gc, [Target.eid, Lists.list]);
    expect(error.message).toMatch(/^refs\[2\] holds 'x' \(a string\) for entity 1 at list index 1/);
    Lists.list[root] = [child];
    expect(gc.collect()).toMatchObject({ freed: 1, live: 2, cleared: 1 });
  });

  it("a 'many' store given a float array or an array-like later throws at collect(), as createCollector refuses it", () => {
    // The same rule whenever the list is stored: before, collect() followed any object with a length.
    for (const weak of [false, true]) {
      const Lists = { list: [] as unknown[] };
      const { world, Target, gc, root, child } = filledLater([{ store: Lists.list as number[][], many: true, weak }]);
      for (
        const [list, named] of [[Float32Array.of(child), 'a Float32Array'], [{ length: 1, 0: child }, '']] as const
      ) {
        Lists.list[root] = list;
        const error = refusedCollect(gc, [Target.eid, Lists.list]);
        expect(error).toBeInstanceOf(TypeError);
        expect(error.message).toMatch(/^refs\[2\] holds .* for entity 1: a 'many' field holds a list of entity ids/);
        if (named !== '') expect(error.message).toContain(`holds ${named} for entity 1`);
        expect(() => createCollector(world, { refs: [{ store: Lists.list as number[][], many: true, weak }] }))
          .toThrow(/^refs\[0\]\.store holds .* for entity 1: a 'many' field holds a list of entity ids/);
      }
      Lists.list[root] = Uint32Array.of(child);
      // A weak list does not keep `child`: it is removed and its entry cleared to the sentinel.
      expect(gc.collect()).toMatchObject({ freed: weak ? 2 : 1, cleared: weak ? 2 : 1 });
      expect(entityExists(world, child)).toBe(!weak);
      expect([...(Lists.list[root] as Uint32Array)]).toEqual([weak ? 0 : child]);
    }
  });

  it("garbage's fields are never read: whatever they hold, they are reset when it is removed", () => {
    const Lists = { list: [] as unknown[] };
    const plain: unknown[] = [];
    const { world, Target, gc, root, garbage } = filledLater([plain as number[], {
      store: Lists.list as number[][],
      many: true,
    }]);
    plain[garbage] = [1, 2];
    Lists.list[garbage] = 7;
    expect(gc.collect()).toMatchObject({ freed: 2, live: 1, cleared: 1 });
    expect(entityExists(world, garbage)).toBe(false);
    expect(Target.eid[root]).toBe(0);
    expect(plain[garbage]).toBe(0);
    expect(Lists.list[garbage]).toBe(undefined);
  });

  it('weak fields are checked before anything is removed', () => {
    const Watch = { list: [] as unknown[] };
    const { world, Target, gc, root, garbage } = filledLater([{
      store: Watch.list as number[][],
      many: true,
      weak: true,
    }]);
    Watch.list[root] = [garbage, 0.25];
    refusedCollect(gc, [Target.eid, Watch.list]);
    expect(entityExists(world, garbage)).toBe(true);
    Watch.list[root] = [garbage];
    expect(gc.collect()).toMatchObject({ freed: 2, live: 1, cleared: 2 }); // child and garbage go
    expect(Watch.list[root]).toEqual([]);
  });
});

// ---- the property test -------------------------------------------------------------------------

type Op =
  | { op: 'create'; parent: number; field: number }
  | { op: 'prefab' }
  | { op: 'instance'; prefab: number }
  | { op: 'link'; from: number; field: number; to: number }
  | { op: 'unlink'; from: number; field: number }
  | { op: 'adopt'; child: number; parent: number }
  | { op: 'pair'; from: number; to: number; uses: boolean }
  | { op: 'root'; e: number }
  | { op: 'unroot'; e: number }
  | { op: 'remove'; e: number; collectNow: boolean }
  | { op: 'collect' };

const pick = fc.nat(1000);
// `field` 3 means "no field" for create/link/unlink (the list field is 2), and in the shared-index
// run it also gives the other world an entity.
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ op: fc.constant('create' as const), parent: pick, field: fc.nat(3) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('prefab' as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('instance' as const), prefab: pick }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('link' as const), from: pick, field: fc.nat(3), to: pick }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('unlink' as const), from: pick, field: fc.nat(3) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('adopt' as const), child: pick, parent: pick }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('pair' as const), from: pick, to: pick, uses: fc.boolean() }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('root' as const), e: pick }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('unroot' as const), e: pick }) },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('remove' as const), e: pick, collectNow: fc.boolean() }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('collect' as const) }) },
);

/** Adds `v` to the set under `k`. */
function addTo(map: Map<number, Set<number>>, k: number, v: number): void {
  const set = map.get(k);
  if (set === undefined) map.set(k, new Set([v]));
  else set.add(v);
}

/**
 * The model: live entities with their field values (a strong single field, a weak one with another
 * sentinel, and a list field), the prefabs, the pairs of three relations (ChildOf: child -> parent,
 * traced parent -> child; Uses: traced subject -> target; Likes: not traced), and the root set.
 *
 * bitECS's removal, as the model keeps it: a removed entity's own pairs go, and so do the pairs
 * naming it, except on prefabs, which bitECS's query skips: those stay until the next collection
 * clears them (and name whichever entity gets the id meanwhile). A collection walks from the roots
 * and the prefabs (not through the weak field or Likes), deletes the rest, clears the entries of
 * survivors that name entities which are not live afterwards, and the prefabs' pairs whose target
 * is not live.
 */
class Model {
  readonly a = new Map<number, number>(); // field 0: Uint32Array, none 0
  readonly b = new Map<number, number>(); // field 1: Int32Array, none -1, weak
  readonly list = new Map<number, number[]>(); // field 2: lists, none 0
  readonly childOf = new Map<number, number>();
  readonly uses = new Map<number, Set<number>>();
  readonly likes = new Map<number, Set<number>>();
  readonly live = new Set<number>();
  readonly prefabs = new Set<number>();
  readonly roots = new Set<number>();

  create(eid: number): void {
    this.live.add(eid);
    this.a.set(eid, 0);
    this.b.set(eid, -1);
    this.list.set(eid, []);
  }

  /** An `IsA` instance of `prefab`: bitECS copies the prefab's pairs onto it. */
  instance(eid: number, prefab: number): void {
    this.create(eid);
    for (const t of this.uses.get(prefab) ?? []) addTo(this.uses, eid, t);
    for (const t of this.likes.get(prefab) ?? []) addTo(this.likes, eid, t);
    const parent = this.childOf.get(prefab);
    if (parent !== undefined) this.childOf.set(eid, parent);
  }

  remove(eid: number): void {
    this.live.delete(eid);
    this.roots.delete(eid);
    this.prefabs.delete(eid);
    this.childOf.delete(eid);
    this.uses.delete(eid);
    this.likes.delete(eid);
    for (const [child, parent] of this.childOf) {
      if (parent === eid && !this.prefabs.has(child)) this.childOf.delete(child);
    }
    for (const pairs of [this.uses, this.likes]) {
      for (const [subject, targets] of pairs) if (!this.prefabs.has(subject)) targets.delete(eid);
    }
  }

  collect(): { freed: number; cleared: number } {
    for (const r of this.roots) if (!this.live.has(r)) this.roots.delete(r);
    const reached = new Set<number>([...this.roots, ...this.prefabs]);
    const work = [...reached];
    const follow = (v: number) => {
      if (this.live.has(v) && !reached.has(v)) {
        reached.add(v);
        work.push(v);
      }
    };
    while (work.length > 0) {
      const e = work.pop()!;
      follow(this.a.get(e)!);
      for (const v of this.list.get(e)!) follow(v);
      for (const [child, parent] of this.childOf) if (parent === e) follow(child);
      for (const t of this.uses.get(e) ?? []) follow(t);
    }
    let cleared = 0;
    for (const e of reached) {
      if (this.a.get(e) !== 0 && !this.live.has(this.a.get(e)!)) (this.a.set(e, 0), cleared++);
      if (this.b.get(e) !== -1 && !reached.has(this.b.get(e)!)) (this.b.set(e, -1), cleared++);
      const list = this.list.get(e)!;
      const kept = list.filter((v) => v === 0 || this.live.has(v));
      cleared += list.length - kept.length;
      this.list.set(e, kept);
    }
    let freed = 0;
    for (const e of [...this.live]) {
      if (!reached.has(e)) {
        this.remove(e);
        this.a.set(e, 0);
        this.b.set(e, -1);
        this.list.set(e, []);
        freed++;
      }
    }
    // The prefabs' pairs naming entities that are gone.
    for (const p of this.prefabs) {
      const parent = this.childOf.get(p);
      if (parent !== undefined && !this.live.has(parent)) (this.childOf.delete(p), cleared++);
      for (const pairs of [this.uses, this.likes]) {
        for (const t of pairs.get(p) ?? []) if (!this.live.has(t)) (pairs.get(p)!.delete(t), cleared++);
      }
    }
    return { freed, cleared };
  }
}

const sorted = (xs: Iterable<number>): number[] => [...xs].sort((x, y) => x - y);

/** Whether an entity has a pair naming a removed entity, its own or bitECS's bookkeeping `Wildcard(eid)`. */
function namesRemoved(world: World, eid: number): boolean {
  const IS_PAIR = Symbol.for('bitecs-isPairComponent');
  const PAIR_TARGET = Symbol.for('bitecs-pairTarget');
  return getEntityComponents(world, eid).some((c: Record<symbol, unknown>) => {
    const target = c[PAIR_TARGET];
    return c[IS_PAIR] === true && typeof target === 'number' && !entityExists(world, target);
  });
}

/**
 * Runs `ops` against a world and the model. `shared`: the world shares its entity index with a
 * second world that gets entities too (ids interleave), which the collector must leave alone.
 *
 * (Versioned worlds are not used here: in bitecs 0.4.0, `withVersioning` keeps its sparse array
 * under full versioned ids but looks entities up by unversioned ones, so after a few recycles
 * `entityExists` denies fresh entities and `removeEntity` leaves some behind. The unit test above
 * covers the bridge's version handling on a sequence where bitECS is consistent.)
 */
function runProperty(shared: boolean, ops: Op[]): void {
  const index = createEntityIndex();
  const world = createWorld(index);
  const other = shared ? createWorld(index) : undefined;
  const otherLive = new Set<number>();
  const A = { eid: new Uint32Array(256) };
  const B = { eid: new Int32Array(256).fill(-1) };
  const L = { list: [] as number[][] };
  const ChildOf = createRelation();
  const Uses = createRelation();
  const Likes = createRelation(); // not declared: never an edge
  const gc = createCollector(world, {
    refs: [A.eid, { store: B.eid, none: -1, weak: true }, { store: L.list, many: true }],
    relations: [{ relation: ChildOf, edge: 'target->subject' }, Uses],
    allowNoRoots: true,
  });
  const get = (field: number, eid: number): number => field === 0 ? A.eid[eid]! : B.eid[eid]!;
  const model = new Model();
  const seen: number[] = []; // every id ever created
  const choose = (n: number, from: Iterable<number> = model.live): number | undefined => {
    const l = [...from];
    return l.length === 0 ? undefined : l[n % l.length];
  };
  const spawn = (eid: number): void => {
    seen.push(eid);
    // A game initializes every field of a new entity (bitECS recycles ids with old values).
    A.eid[eid] = 0;
    B.eid[eid] = -1;
    L.list[eid] = [];
  };

  const check = (info?: BitecsCollection, expected?: { freed: number; cleared: number }) => {
    expect(alive(world)).toEqual(sorted(model.live));
    for (const e of seen) if (!otherLive.has(e)) expect(entityExists(world, e)).toBe(model.live.has(e));
    if (other !== undefined) expect(alive(other)).toEqual(sorted(otherLive));
    if (info !== undefined && expected !== undefined) {
      expect(info.freed).toBe(expected.freed);
      expect(info.cleared).toBe(expected.cleared);
      expect(info.live).toBe(model.live.size);
      expect(info.cascaded).toBe(0);
      // After a collection nothing dangles, and the fields and pairs equal the model's.
      for (const e of model.live) {
        const a = get(0, e), b = get(1, e);
        expect(a === 0 || model.live.has(a)).toBe(true);
        expect(b === -1 || model.live.has(b)).toBe(true);
        for (const v of L.list[e] ?? []) expect(v === 0 || model.live.has(v)).toBe(true);
        expect(a).toBe(model.a.get(e));
        expect(b).toBe(model.b.get(e));
        expect(L.list[e] ?? []).toEqual(model.list.get(e));
        expect(sorted(getRelationTargets(world, e, Uses))).toEqual(sorted(model.uses.get(e) ?? []));
        expect(sorted(getRelationTargets(world, e, Likes))).toEqual(sorted(model.likes.get(e) ?? []));
        const parent = model.childOf.get(e);
        expect(getRelationTargets(world, e, ChildOf)).toEqual(parent === undefined ? [] : [parent]);
      }
      expect(sorted(gc.roots())).toEqual(sorted(model.roots));
    }
  };

  for (const o of ops) {
    switch (o.op) {
      case 'create': {
        if (other !== undefined && o.field === 3) otherLive.add(addEntity(other));
        const eid = addEntity(world);
        spawn(eid);
        model.create(eid);
        const parent = choose(o.parent);
        if (parent !== undefined && parent !== eid) {
          if (o.field === 0) (A.eid[parent] = eid, model.a.set(parent, eid));
          else if (o.field === 1) (B.eid[parent] = eid, model.b.set(parent, eid));
          else if (o.field === 2) (L.list[parent]!.push(eid), model.list.get(parent)!.push(eid));
        }
        break;
      }
      case 'prefab': {
        const eid = addPrefab(world);
        spawn(eid);
        model.create(eid);
        model.prefabs.add(eid);
        break;
      }
      case 'instance': {
        // Relations only in the unshared run (see 'adopt'). bitECS itself throws when instancing a
        // prefab that still has a pair (or a bookkeeping pair) naming a removed entity, until
        // collect() clears it: not done here.
        const prefab = choose(o.prefab, model.prefabs);
        if (other !== undefined || prefab === undefined || namesRemoved(world, prefab)) break;
        const eid = addEntity(world);
        spawn(eid);
        addComponent(world, eid, IsA(prefab));
        model.instance(eid, prefab);
        break;
      }
      case 'link': {
        const from = choose(o.from), to = choose(o.to);
        if (from === undefined || to === undefined) break;
        if (o.field === 0) (A.eid[from] = to, model.a.set(from, to));
        else if (o.field === 1) (B.eid[from] = to, model.b.set(from, to));
        else (L.list[from]!.push(to), model.list.get(from)!.push(to));
        break;
      }
      case 'unlink': {
        const from = choose(o.from);
        if (from === undefined) break;
        if (o.field === 0) (A.eid[from] = 0, model.a.set(from, 0));
        else if (o.field === 1) (B.eid[from] = -1, model.b.set(from, -1));
        else (L.list[from]!.pop(), model.list.get(from)!.pop());
        break;
      }
      case 'adopt': {
        const child = choose(o.child), parent = choose(o.parent);
        // Not with a shared index: there bitECS 0.4.0's removeEntity can meet a stale query entry
        // (a removed subject whose id another world reuses) and throw inside bitECS.
        if (other !== undefined) break;
        if (child === undefined || parent === undefined || child === parent || model.childOf.has(child)) break;
        addComponent(world, child, ChildOf(parent));
        model.childOf.set(child, parent);
        break;
      }
      case 'pair': {
        const from = choose(o.from), to = choose(o.to);
        if (other !== undefined || from === undefined || to === undefined || from === to) break;
        addComponent(world, from, (o.uses ? Uses : Likes)(to));
        addTo(o.uses ? model.uses : model.likes, from, to);
        break;
      }
      case 'root': {
        const e = choose(o.e);
        if (e === undefined) break;
        gc.root(e);
        model.roots.add(e);
        break;
      }
      case 'unroot': {
        const e = choose(o.e);
        if (e === undefined) break;
        expect(gc.unroot(e)).toBe(model.roots.has(e));
        model.roots.delete(e);
        break;
      }
      case 'remove': {
        // The game removes an entity by hand: fields naming it dangle until the next collection
        // (or, once bitECS recycles the id, name the new entity: nobody can tell without versions).
        const e = choose(o.e);
        if (e === undefined) break;
        removeEntity(world, e);
        model.remove(e);
        // bitECS sometimes does clear a prefab's pair naming `e`: its removal query can still hold
        // an entity removed earlier (removals are committed lazily) whose id the prefab now has.
        // That is bitECS's business: the model follows what it did.
        for (const p of model.prefabs) {
          for (const [relation, pairs] of [[Uses, model.uses], [Likes, model.likes]] as const) {
            if (pairs.get(p)?.has(e) && !getRelationTargets(world, p, relation).includes(e)) pairs.get(p)!.delete(e);
          }
          if (model.childOf.get(p) === e && getRelationTargets(world, p, ChildOf).length === 0) model.childOf.delete(p);
        }
        if (o.collectNow) {
          const expected = model.collect();
          check(gc.collect(), expected);
        }
        break;
      }
      case 'collect': {
        const expected = model.collect();
        const info = gc.collect();
        check(info, expected);
        break;
      }
    }
    check();
  }
  const expected = model.collect();
  check(gc.collect(), expected);
}

describe('bitECS bridge: property', () => {
  it('the survivors are exactly what the roots and prefabs reach; fields and prefab pairs never dangle', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 10, maxLength: 120, size: 'max' }), (ops) => runProperty(false, ops)),
      { numRuns: 300 },
    );
  });

  it('the same in a world sharing its entity index with another world, which is left alone', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 10, maxLength: 120, size: 'max' }), (ops) => runProperty(true, ops)),
      { numRuns: 200 },
    );
  });
});

describe('the sub-path boundary', () => {
  it('keeps bitecs out of everything mod.ts loads', async () => {
    const { readFileSync } = await import('node:fs');
    const seen = new Set<string>();
    const visit = (url: URL): void => {
      if (seen.has(url.href)) return;
      seen.add(url.href);
      const source = readFileSync(url, 'utf8');
      expect(source).not.toMatch(/from '(bitecs|[^']*\/bitecs(-bridge)?\.ts)'/);
      for (const [, path] of source.matchAll(/from '(\.{1,2}\/[^']+\.ts)'/g)) visit(new URL(path!, url));
    };
    visit(new URL('../mod.ts', import.meta.url));
    expect(seen.size).toBeGreaterThan(10);
  });
});
