/**
 * The bitECS bridge's marking (src/bitecs/mark.ts) and its checks of `createCollector`'s options and of
 * the ids given to `root`/`unroot` (src/bitecs/options.ts): tests written from the survivors of a
 * mutation run over src/bitecs. They cover
 * - marking: an entity rooted several ways is reached once; `null` lists; what a 'many' field holds
 *   where a list belongs; an entry equal to the field's own "no entity" value; values that only look
 *   like ids (fractions, bigints, ids past 2^31, a stale version in a prefab's pair); removed roots
 *   leaving the root list; long chains through fields, lists and relations both ways; and a
 *   model-based property test (random fields, lists, relation pairs, roots and removals by hand);
 * - weak fields: errors name the weak field, and its "no entity" entries stay;
 * - option checks: the exact error type and message, naming the option and the bad value, for each
 *   refused shape (the world, the options object, its keys, refs, roots, relations, none), with the
 *   world and its stores unchanged; and the shapes that are accepted;
 * - `root`/`unroot` ids at the bounds of "an integer from 0 to 2^32 - 1".
 */
import {
  $internal,
  addComponent,
  addEntity,
  addPrefab,
  createEntityIndex,
  createRelation,
  createWorld,
  deleteWorld,
  entityExists,
  getRelationTargets,
  removeEntity,
  withVersioning,
  type World,
} from 'bitecs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCollector } from '../bitecs.ts';
import { collectWorld } from '../src/bitecs/collector.ts';
import { addRoot } from '../src/bitecs/roots.ts';
import { makeBridgeState } from '../src/bitecs/state.ts';
import { alive, refusedCollect, refusedCreate, thrown } from './bitecs-helpers.ts';

describe('bitECS bridge marking: what is kept and removed', () => {
  it('rooted by root(eid) and two root components, an entity is reached once; its dangling field counts once', () => {
    const world = createWorld();
    const Player = {};
    const Level = {};
    const Target = { eid: new Uint32Array(16) };
    const Watch = { eid: new Uint32Array(16) };
    const gc = createCollector(world, { refs: [Target.eid, Watch.eid], roots: [Player, Level] });
    const hero = addEntity(world), gone = addEntity(world), kept = addEntity(world), junk = addEntity(world);
    addComponent(world, hero, Player);
    addComponent(world, hero, Level);
    gc.root(hero);
    Target.eid[hero] = gone;
    Watch.eid[hero] = kept;
    removeEntity(world, gone); // by hand: Target.eid[hero] dangles
    expect(gc.collect()).toMatchObject({ freed: 1, live: 2, cleared: 1, cascaded: 0 });
    expect(alive(world)).toEqual([hero, kept]);
    expect(entityExists(world, junk)).toBe(false);
    expect(Target.eid[hero]).toBe(0);
    expect(Watch.eid[hero]).toBe(kept);
  });

  it("a 'many' field's null or missing list names no entity, at createCollector and at collect()", () => {
    const world = createWorld();
    const Children = { list: [null, undefined, []] as (number[] | null | undefined)[] };
    const Slots = { list: [null] as (Uint32Array | null)[] };
    const gc = createCollector(world, {
      allowNoRoots: true,
      refs: [{ store: Children.list, many: true }, { store: Slots.list, many: true, none: 0 }],
    });
    const root = addEntity(world), other = addEntity(world), child = addEntity(world);
    gc.root(root);
    gc.root(other);
    Children.list[root] = null;
    Children.list[other] = [child];
    Slots.list[other] = null;
    expect(gc.collect()).toMatchObject({ freed: 0, live: 3, cleared: 0 });
    Children.list[other] = null;
    expect(gc.collect()).toMatchObject({ freed: 1, live: 2, cleared: 0 });
    expect(entityExists(world, child)).toBe(false);
    expect(Children.list[root]).toBe(null);
  });

  it("a 'many' field holding a string or an object where a list belongs throws at collect(), naming it", () => {
    const world = createWorld();
    const Lists = { list: [] as unknown[] };
    const gc = createCollector(world, { allowNoRoots: true, refs: [{ store: Lists.list as number[][], many: true }] });
    const root = addEntity(world), child = addEntity(world);
    gc.root(root);
    const cases: [unknown, string][] = [
      [
        'ab',
        "refs[0] holds 'ab' (a string) for entity 1: a 'many' field holds a list of entity ids per entity; " +
        'collect() changed nothing',
      ],
      [
        {},
        "refs[0] holds an object ([object Object]) for entity 1: a 'many' field holds a list of entity ids per " +
        'entity; collect() changed nothing',
      ],
      [
        child,
        "refs[0] holds 2 for entity 1: a 'many' field holds a list of entity ids per entity (a single id: declare " +
        'the field without many: true); collect() changed nothing',
      ],
    ];
    for (const [notAList, message] of cases) {
      Lists.list[root] = notAList;
      const error = refusedCollect(gc, [Lists.list]);
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toBe(message);
      expect(entityExists(world, child)).toBe(true);
    }
    Lists.list[root] = [child];
    expect(gc.collect()).toMatchObject({ freed: 0, live: 2, cleared: 0 });
  });

  it('an entry equal to the field\'s own "no entity" value names no entity, even when an entity has that id', () => {
    const world = createWorld();
    const root = addEntity(world), taken = addEntity(world), kept = addEntity(world);
    // `taken` is 2: fields whose "no entity" value is 2 do not point at it.
    const Single = { eid: new Int32Array(16).fill(taken) };
    const Lists = { list: [] as number[][] };
    const gc = createCollector(world, {
      allowNoRoots: true,
      refs: [{ store: Single.eid, none: taken }, { store: Lists.list, many: true, none: taken }],
    });
    gc.root(root);
    Lists.list[root] = [taken, kept, taken];
    expect(gc.collect()).toMatchObject({ freed: 1, live: 2, cleared: 0 });
    expect(alive(world)).toEqual([root, kept]);
    expect(Lists.list[root]).toEqual([taken, kept, taken]);
    expect(Single.eid[root]).toBe(taken);
  });

  it('a bigint in an id field or a list throws the TypeError naming the field, entity and value', () => {
    const world = createWorld();
    const Plain = { eid: [] as unknown[] };
    const Lists = { list: [] as unknown[][] };
    const gc = createCollector(world, {
      allowNoRoots: true,
      refs: [Plain.eid as number[], { store: Lists.list as number[][], many: true }],
    });
    const root = addEntity(world), child = addEntity(world);
    gc.root(root);
    Plain.eid[root] = 2n;
    let error = refusedCollect(gc, [Plain.eid, Lists.list]);
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe(
      'refs[0] holds 2n (a bigint) for entity 1: not an entity id (a number); collect() changed nothing',
    );
    Plain.eid[root] = child;
    Lists.list[root] = [child, 2n];
    error = refusedCollect(gc, [Plain.eid, Lists.list]);
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe(
      'refs[1] holds 2n (a bigint) for entity 1 at list index 1: not an entity id (a number); ' +
        'collect() changed nothing',
    );
    Lists.list[root] = [child];
    expect(gc.collect()).toMatchObject({ freed: 0, live: 2, cleared: 0 });
  });

  it('a list entry that only looks like a live id (a fraction, 2^31 + id) does not keep that entity', () => {
    const world = createWorld();
    const Lists = { list: [] as number[][] };
    const gc = createCollector(world, { allowNoRoots: true, refs: [{ store: Lists.list, many: true }] });
    const root = addEntity(world), near = addEntity(world);
    gc.root(root);
    // A fraction is no id: collect() refuses it rather than follow its integer part.
    Lists.list[root] = [near + 0.5];
    const error = refusedCollect(gc, [Lists.list]);
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe(
      'refs[0] holds 2.5 for entity 1 at list index 0: not an entity id (ids are integers); collect() changed nothing',
    );
    // 2^31 + 2 is an integer naming no entity: dangling, dropped; entity 2 is not reached through it.
    Lists.list[root] = [2 ** 31 + near];
    expect(gc.collect()).toMatchObject({ freed: 1, live: 1, cleared: 1 });
    expect(entityExists(world, near)).toBe(false);
    expect(Lists.list[root]).toEqual([]);
  });

  it("a prefab's pair naming a removed entity does not keep the entity that got its index (versioned world)", () => {
    const world = createWorld(createEntityIndex(withVersioning(8)));
    const Uses = createRelation();
    const gc = createCollector(world, { allowNoRoots: true, relations: [Uses] });
    const Goblin = addPrefab(world);
    const sword = addEntity(world);
    addComponent(world, Goblin, Uses(sword));
    removeEntity(world, sword); // bitECS leaves Uses(sword) on the prefab (its query skips prefabs)
    const newcomer = addEntity(world); // same index, next version
    expect(newcomer & 0xff_ffff).toBe(sword);
    expect(getRelationTargets(world, Goblin, Uses)).toEqual([sword]);
    expect(gc.collect()).toMatchObject({ freed: 1, live: 1, cleared: 1 });
    expect(entityExists(world, newcomer)).toBe(false);
    expect(getRelationTargets(world, Goblin, Uses)).toEqual([]);
  });

  it('roots the game removed leave the root list at the next collect(), so it does not grow with them', () => {
    // Observed through the collector's state: roots() and isRoot() already hide removed roots, but a
    // game that roots and removes entities by hand for hours must not keep every one of them listed.
    const world = createWorld();
    const s = makeBridgeState(world, { allowNoRoots: true });
    const keeper = addEntity(world);
    addRoot(s, keeper);
    for (let round = 0; round < 5; round++) {
      const batch: number[] = [];
      for (let i = 0; i < 50; i++) batch.push(addEntity(world));
      for (const eid of batch) addRoot(s, eid);
      expect(s.rootCount).toBe(51);
      for (const eid of batch) removeEntity(world, eid);
      expect(collectWorld(s)).toMatchObject({ freed: 0, live: 1 });
      expect(s.rootCount).toBe(1);
    }
    expect(alive(world)).toEqual([keeper]);
  });

  it('marks through a long chain of fields, lists and relation pairs both ways', () => {
    const world = createWorld();
    const length = 800;
    const Next = { eid: new Uint32Array(length + 8) };
    const Links = { list: [] as number[][] };
    const ChildOf = createRelation(); // traced parent -> child
    const Holds = createRelation(); // traced subject -> target
    const gc = createCollector(world, {
      allowNoRoots: true,
      refs: [Next.eid, { store: Links.list, many: true }],
      relations: [{ relation: ChildOf, edge: 'target->subject' }, { relation: Holds, edge: 'subject->target' }],
    });
    const chain: number[] = [];
    for (let i = 0; i < length; i++) chain.push(addEntity(world));
    const garbage: number[] = [];
    for (let i = 0; i < 40; i++) garbage.push(addEntity(world));
    // Each link of the chain is one of four kinds of edge, in turn.
    for (let i = 0; i + 1 < length; i++) {
      const from = chain[i]!, to = chain[i + 1]!;
      switch (i % 4) {
        case 0:
          Next.eid[from] = to;
          break;
        case 1:
          Links.list[from] = [to];
          break;
        case 2:
          addComponent(world, to, ChildOf(from));
          break;
        default:
          addComponent(world, from, Holds(to));
      }
    }
    // Garbage pointing into the chain, and the chain's last entity pointing at nothing reached.
    for (const g of garbage) Next.eid[g] = chain[length >> 1]!;
    gc.root(chain[0]!);
    expect(gc.collect()).toMatchObject({ freed: garbage.length, live: length, cleared: 0, cascaded: 0 });
    expect(alive(world)).toEqual(chain);
    // Cutting the chain in the middle (a ChildOf pair: i % 4 === 2) removes the second half.
    const cut = 402;
    expect(cut % 4).toBe(2);
    removeEntity(world, chain[cut + 1]!);
    expect(gc.collect()).toMatchObject({ freed: length - cut - 2, live: cut + 1 });
    expect(alive(world)).toEqual(chain.slice(0, cut + 1));
  });
});

describe('bitECS bridge marking: weak fields', () => {
  it('an error in a weak field names that field; its "no entity" entries stay and are not counted', () => {
    const world = createWorld();
    const Owns = { eid: new Uint32Array(16) };
    const Target = { eid: [] as unknown[] };
    const Seen = { list: [] as unknown[][] };
    const gc = createCollector(world, {
      allowNoRoots: true,
      refs: [
        Owns.eid,
        { store: Target.eid as number[], weak: true },
        { store: Seen.list as number[][], many: true, weak: true },
      ],
    });
    const player = addEntity(world), ally = addEntity(world), enemy = addEntity(world);
    gc.root(player);
    Owns.eid[player] = ally;
    Seen.list[player] = [0, ally, 0, enemy];
    Target.eid[player] = 1.5;
    let error = refusedCollect(gc, [Owns.eid, Target.eid, Seen.list]);
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe(
      'refs[1] holds 1.5 for entity 1: not an entity id (ids are integers); collect() changed nothing',
    );
    Target.eid[player] = enemy;
    Seen.list[ally] = [player, 0.25];
    error = refusedCollect(gc, [Owns.eid, Target.eid, Seen.list]);
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe(
      'refs[2] holds 0.25 for entity 2 at list index 1: not an entity id (ids are integers); collect() changed nothing',
    );
    Seen.list[ally] = [player, 0];
    // The weak entries naming `enemy` (unreached) are cleared; the zeros are "no entity" and stay.
    expect(gc.collect()).toMatchObject({ freed: 1, live: 2, cleared: 2 });
    expect(Target.eid[player]).toBe(0);
    expect(Seen.list[player]).toEqual([0, ally, 0]);
    expect(Seen.list[ally]).toEqual([player, 0]);
  });
});

// ---- the property test -------------------------------------------------------------------------

// How an entity is rooted, as bits (several at once is allowed): root(eid), the Player component, Level.
const BY_ROOT = 1, BY_PLAYER = 2, BY_LEVEL = 4;

/**
 * A random world: `size` entities, each with a single-id field and a list field (entity numbers
 * 1..size, 0 = none), `ChildOf` and `Holds` pairs, a few roots (explicit, by either of two root
 * components, or several ways at once), and some entities the game removes by hand before
 * collecting (so fields name removed entities).
 */
const worldArb = fc.integer({ min: 1, max: 24 }).chain((size) => {
  const entity = fc.integer({ min: 1, max: size });
  const perEntity = <T>(arb: fc.Arbitrary<T>) => fc.array(arb, { minLength: size, maxLength: size });
  return fc.record({
    size: fc.constant(size),
    field: perEntity(fc.integer({ min: 0, max: size })),
    lists: perEntity(fc.array(entity, { maxLength: 3 })),
    parent: perEntity(fc.integer({ min: 0, max: size })),
    holds: fc.array(fc.tuple(entity, entity), { maxLength: size }),
    // Mostly not roots, so that some of the world is garbage.
    rootedBy: perEntity(fc.oneof(
      { weight: 6, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: BY_ROOT | BY_PLAYER | BY_LEVEL }) },
    )),
    removed: perEntity(fc.oneof(
      { weight: 4, arbitrary: fc.constant(false) },
      { weight: 1, arbitrary: fc.constant(true) },
    )),
  });
});

describe('bitECS bridge marking: property', () => {
  it('the survivors are what the roots reach through fields, lists and pairs both ways; dangling entries go', () => {
    fc.assert(
      fc.property(worldArb, (g) => {
        const world = createWorld();
        const Field = { eid: new Uint32Array(g.size + 1) };
        const Lists = { list: [] as number[][] };
        const Player = {};
        const Level = {};
        const ChildOf = createRelation(); // traced parent -> child
        const Holds = createRelation(); // traced subject -> target
        const gc = createCollector(world, {
          refs: [Field.eid, { store: Lists.list, many: true }],
          roots: [Player, Level],
          relations: [{ relation: ChildOf, edge: 'target->subject' }, Holds],
        });
        const ids = [0];
        for (let e = 1; e <= g.size; e++) ids.push(addEntity(world));
        // In a fresh world bitECS gives out 1, 2, ...: entity number e is id e.
        expect(ids).toEqual([...ids.keys()]);
        const holdsOf = new Map<number, Set<number>>(); // subject -> targets
        for (let e = 1; e <= g.size; e++) {
          Field.eid[e] = g.field[e - 1]!;
          Lists.list[e] = [...g.lists[e - 1]!];
          const parent = g.parent[e - 1]!;
          if (parent !== 0 && parent !== e) addComponent(world, e, ChildOf(parent));
          const rootedBy = g.rootedBy[e - 1]!;
          if ((rootedBy & BY_ROOT) !== 0) gc.root(e);
          if ((rootedBy & BY_PLAYER) !== 0) addComponent(world, e, Player);
          if ((rootedBy & BY_LEVEL) !== 0) addComponent(world, e, Level);
        }
        for (const [subject, target] of g.holds) {
          if (subject === target) continue;
          const targets = holdsOf.get(subject) ?? new Set();
          holdsOf.set(subject, targets.add(target));
          addComponent(world, subject, Holds(target));
        }
        const roots = new Set<number>();
        for (let e = 1; e <= g.size; e++) if (g.rootedBy[e - 1] !== 0) roots.add(e);
        // The game removes some entities itself: bitECS drops their pairs and the pairs naming them.
        const live = new Set<number>();
        for (let e = 1; e <= g.size; e++) {
          if (g.removed[e - 1]!) removeEntity(world, e);
          else live.add(e);
        }

        // The model: a walk from the live roots over the live entities.
        const edges = (e: number): number[] => {
          const out = [Field.eid[e]!, ...Lists.list[e]!];
          for (let c = 1; c <= g.size; c++) if (g.parent[c - 1] === e && c !== e) out.push(c);
          out.push(...holdsOf.get(e) ?? []);
          return out.filter((v) => live.has(v));
        };
        const reached = new Set([...roots].filter((r) => live.has(r)));
        const work = [...reached];
        while (work.length > 0) {
          for (const v of edges(work.pop()!)) {
            if (!reached.has(v)) {
              reached.add(v);
              work.push(v);
            }
          }
        }
        let cleared = 0;
        for (const e of reached) {
          if (Field.eid[e] !== 0 && !live.has(Field.eid[e]!)) cleared++;
          cleared += Lists.list[e]!.filter((v) => !live.has(v)).length;
        }
        const expectedFields = [...reached].map((e) => {
          const v = Field.eid[e]!;
          return [e, live.has(v) ? v : 0, Lists.list[e]!.filter((x) => live.has(x))];
        });

        const info = gc.collect();
        expect(info).toMatchObject({ freed: live.size - reached.size, live: reached.size, cleared, cascaded: 0 });
        expect(alive(world)).toEqual([...reached].sort((a, b) => a - b));
        expect([...reached].map((e) => [e, Field.eid[e], Lists.list[e]])).toEqual(expectedFields);
        // A second collection finds nothing more to do.
        expect(gc.collect()).toMatchObject({ freed: 0, live: reached.size, cleared: 0 });
      }),
      { numRuns: 100 },
    );
  });
});

// ---- option checks -----------------------------------------------------------------------------

const NOT_A_WORLD = 'not a bitECS 0.4 world (make one with createWorld(); deleteWorld() unmakes it)';
const ID_ARRAY_NAMES = 'Uint32Array, Int32Array, Uint16Array, Int16Array, Uint8Array or Int8Array';

describe('createCollector: refused worlds and options, by exact message', () => {
  it('a value that is not a bitECS 0.4 world: a TypeError naming it', () => {
    const deleted = createWorld();
    deleteWorld(deleted);
    const cases: [unknown, string][] = [
      [undefined, 'undefined'],
      [null, 'null'],
      [3, '3'],
      ['world', "'world' (a string)"],
      [{}, 'an object ([object Object])'],
      [() => 0, 'a function'],
      [deleted, 'an object ([object Object])'],
      // Objects carrying bitECS's internal key without a 0.4 world's context in it (another version's world).
      [{ [$internal]: {} }, 'an object ([object Object])'],
      [{ [$internal]: { entityIndex: null } }, 'an object ([object Object])'],
      [{ [$internal]: { entityIndex: 5 } }, 'an object ([object Object])'],
      [{ [$internal]: { entityIndex: { dense: [] } } }, 'an object ([object Object])'],
    ];
    for (const [bad, described] of cases) {
      const error = thrown(() => createCollector(bad as World, { allowNoRoots: true }));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toBe(`world is ${described}: ${NOT_A_WORLD}`);
    }
  });

  it('each refused option names itself and the bad value, and leaves the world and stores unchanged', () => {
    const world = createWorld();
    const kept = [addEntity(world), addEntity(world)];
    const store = new Uint32Array(8);
    store[kept[0]!] = kept[1]!;
    const plain = [0, kept[0]!];
    const Likes = createRelation();
    const cases: [unknown, ErrorConstructor, string][] = [
      // The options object itself.
      [5, TypeError, 'options must be an object, got 5'],
      ['refs', TypeError, "options must be an object, got 'refs' (a string)"],
      [null, TypeError, 'options must be an object, got null'],
      [true, TypeError, 'options must be an object, got true'],
      [[store], TypeError, 'options must be an object, got an object ([object Array])'],
      [
        { ref: [store] },
        TypeError,
        "options has an unknown key 'ref' (known: refs, roots, relations, none, allowNoRoots)",
      ],
      // Lists.
      [
        { refs: store },
        TypeError,
        'refs must be a list, got an object ([object Uint32Array]) (to declare one field, write [store])',
      ],
      [{ roots: {} }, TypeError, 'roots must be a list, got an object ([object Object])'],
      [
        { roots: new Uint32Array(2) },
        TypeError,
        'roots must be a list, got an object ([object Uint32Array]) (to declare one field, write [it])',
      ],
      [{ relations: {} }, TypeError, 'relations must be a list, got an object ([object Object])'],
      [{ relations: 'Likes' }, TypeError, "relations must be a list, got 'Likes' (a string)"],
      [
        { relations: new Int32Array(1) },
        TypeError,
        'relations must be a list, got an object ([object Int32Array]) (to declare one field, write [it])',
      ],
      // refs entries.
      [
        { refs: [null] },
        TypeError,
        'refs[0] is null: expected an array indexed by entity id, or { store, none?, many?, weak? }',
      ],
      [
        { refs: [plain, { store, nil: 0 }] },
        TypeError,
        "refs[1] has an unknown key 'nil' (known: store, none, many, weak)",
      ],
      [
        { refs: [{ store: 'x' }] },
        TypeError,
        "refs[0].store is 'x' (a string): expected an integer typed array or an array indexed by entity id",
      ],
      [
        { refs: [{ store: {} }] },
        TypeError,
        'refs[0].store is an object ([object Object]): expected an integer typed array or an array indexed by ' +
        'entity id',
      ],
      [
        { refs: [{ store: new DataView(new ArrayBuffer(8)) }] },
        TypeError,
        'refs[0].store is an object ([object DataView]): expected an integer typed array or an array indexed by ' +
        'entity id',
      ],
      [
        { refs: [new Float32Array(4)] },
        TypeError,
        `refs[0] is a Float32Array: an id field is a ${ID_ARRAY_NAMES}, or an array of integers (a float array can ` +
        'hold fractions and, as Float32Array, not every id exactly)',
      ],
      [
        { refs: [store, { store: new Uint32Array(2), many: true }] },
        TypeError,
        "refs[1].store is a Uint32Array: a 'many' field is an array holding a list of ids per entity",
      ],
      [{ refs: [{ store: [], many: true, none: 0.5 }] }, RangeError, 'refs[0].none 0.5 is not an integer'],
      [
        { refs: [{ store: [], many: true, none: '0' }] },
        TypeError,
        "refs[0].none must be a number, got '0' (a string)",
      ],
      [
        { refs: [{ store: [[], {}], many: true }] },
        TypeError,
        "refs[0].store holds an object ([object Object]) for entity 1: a 'many' field holds a list of entity ids per " +
        'entity',
      ],
      [
        { refs: [{ store: [new Uint8Array(2)], many: true, none: -1 }] },
        RangeError,
        'refs[0].store\'s "no entity" value -1 cannot be stored in a Uint8Array (it reads back as 255)',
      ],
      [{ refs: [store], none: Number.NaN }, RangeError, 'options.none is NaN, which no field can compare equal to'],
      [{ refs: [{ store, none: Number.NaN }] }, RangeError, 'refs[0].none is NaN, which no field can compare equal to'],
      // roots and relations entries.
      [
        { roots: [{}, null] },
        TypeError,
        'roots[1] is null: roots lists components (objects); root a single entity with collector.root(eid)',
      ],
      [
        { roots: ['Player'] },
        TypeError,
        "roots[0] is 'Player' (a string): roots lists components (objects); root a single entity with " +
        'collector.root(eid)',
      ],
      [
        { relations: [null] },
        TypeError,
        'relations[0] is null: expected a relation (createRelation()) or { relation, edge }',
      ],
      [
        { relations: [Likes, { relation: Likes, kind: 'x' }] },
        TypeError,
        "relations[1] has an unknown key 'kind' (known: relation, edge)",
      ],
      // No root components, not asked for.
      [
        { refs: [store] },
        TypeError,
        'options.roots is missing: with no root components, the only roots are prefabs and the entities given to ' +
        'root(eid), and collect() before any root(eid) removes every entity. List root components (roots: [Player, ' +
        'Level]), or pass allowNoRoots: true if that is what you mean',
      ],
      [
        { refs: [store], roots: [], allowNoRoots: false },
        TypeError,
        'options.roots is empty: with no root components, the only roots are prefabs and the entities given to ' +
        'root(eid), and collect() before any root(eid) removes every entity. List root components (roots: [Player, ' +
        'Level]), or pass allowNoRoots: true if that is what you mean',
      ],
    ];
    for (const [options, type, message] of cases) {
      const error = refusedCreate(world, options, [store, plain]);
      expect(error, message).toBeInstanceOf(type);
      expect(error.message).toBe(message);
    }
    expect(alive(world)).toEqual(kept);
  });

  it('accepted shapes: function components as roots, a relation with or without its edge, null lists', () => {
    const world = createWorld();
    class Player {}
    const Targets = createRelation();
    const Follows = createRelation();
    const Leads = createRelation();
    const Lists = { list: [null, undefined] as (number[] | null | undefined)[] };
    const gc = createCollector(world, {
      refs: [{ store: Lists.list, many: true }],
      roots: [Player],
      relations: [{ relation: Targets }, { relation: Follows, edge: 'subject->target' }, {
        relation: Leads,
        edge: 'target->subject',
      }],
    });
    const player = addEntity(world), prey = addEntity(world), guide = addEntity(world), led = addEntity(world);
    const junk = addEntity(world);
    addComponent(world, player, Player);
    addComponent(world, player, Targets(prey)); // { relation } alone means 'subject->target'
    addComponent(world, prey, Follows(guide));
    addComponent(world, led, Leads(guide)); // traced guide -> led
    addComponent(world, junk, Targets(player)); // points into the reached part, is not reached
    expect(gc.collect()).toMatchObject({ freed: 1, live: 4, cleared: 0 });
    expect(alive(world)).toEqual([player, prey, guide, led]);
  });
});

describe('root and unroot: ids at the bounds of 0 .. 2^32 - 1', () => {
  it('0 and 2^32 - 1 are well-formed ids (no such entity); past them, and non-numbers, are refused by name', () => {
    const world = createWorld();
    const gc = createCollector(world, { allowNoRoots: true });
    const a = addEntity(world);
    gc.root(a);
    for (const edge of [0, 2 ** 32 - 1]) {
      const error = thrown(() => gc.root(edge));
      expect(error).toBeInstanceOf(RangeError);
      expect(error.message).toBe(`entity ${edge} does not exist in this world`);
      expect(gc.unroot(edge)).toBe(false);
    }
    const cases: [unknown, ErrorConstructor, string][] = [
      [2 ** 32, RangeError, '4294967296 is not an entity id (an integer from 0 to 2^32 - 1)'],
      [-1, RangeError, '-1 is not an entity id (an integer from 0 to 2^32 - 1)'],
      ['1', TypeError, "must be an entity id (a number), got '1' (a string)"],
      [null, TypeError, 'must be an entity id (a number), got null'],
    ];
    for (const [bad, type, message] of cases) {
      const rootError = thrown(() => gc.root(bad as number));
      expect(rootError).toBeInstanceOf(type);
      expect(rootError.message).toBe(`root eid ${message}`);
      const unrootError = thrown(() => gc.unroot(bad as number));
      expect(unrootError).toBeInstanceOf(type);
      expect(unrootError.message).toBe(`unroot eid ${message}`);
    }
    expect(gc.roots()).toEqual([a]);
    expect(gc.collect()).toMatchObject({ freed: 0, live: 1 });
  });
});
