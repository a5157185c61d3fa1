/**
 * The bitECS bridge's reference fields (src/bitecs/fields.ts: reading and clearing the declared
 * `refs`), tests written from the survivors of the mutation run over src/bitecs. They cover:
 * - entries checked as collect() reads them: the list index in messages (index 0 too), weak fields
 *   and lists holding a bigint, a single id, an object or a string; each refused with its field,
 *   entity and value named, and nothing removed or cleared;
 * - weak fields: holes and null lists are "no entity"; huge integers and stale versions whose
 *   entity index is reached are dangling; garbage a previous collection reached is not read;
 * - dangling entries cleared after marking: more than the pending record first holds, in every
 *   kind of field, and huge integers in plain and typed lists;
 * - fields of removed entities: stores shorter than the world do not grow, typed-array lists stay
 *   (same array, same length) filled with the "no entity" value;
 * - the slow path (a callback removed or added entities during collect()): every store kind, none
 *   values and holes kept, dead ids, huge integers and non-ids cleared, lists filtered in order,
 *   non-lists left alone, `cleared` counting live entities' entries only; and a property test of
 *   list clearing there against a plain filter.
 */
import {
  addComponent,
  addEntity,
  createEntityIndex,
  createWorld,
  entityExists,
  observe,
  onRemove,
  removeEntity,
  withVersioning,
  type World,
} from 'bitecs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Collector, createCollector } from '../bitecs.ts';
import { alive, refusedCollect } from './bitecs-helpers.ts';

/** `collect()` refused with `type` and exactly `message` (and the "changed nothing" ending), changing nothing. */
function refused(gc: Collector, stores: unknown[], type: ErrorConstructor, message: string): void {
  const error = refusedCollect(gc, stores);
  expect(error).toBeInstanceOf(type);
  expect(error.message).toBe(`${message}; collect() changed nothing`);
}

/** 2^31 + eid in a Uint32Array, 2^32 + eid in a plain array: integers whose low bits are `eid`, naming no entity. */
const hugeU32 = (eid: number): number => (0x8000_0000 | eid) >>> 0;
const huge = (eid: number): number => 2 ** 32 + eid;

describe('bitECS bridge fields: entries checked as collect() reads them', () => {
  it('a non-id at list index 0 is named with its index, in strong and weak lists', () => {
    const world = createWorld();
    const Strong = { list: [] as unknown[] };
    const Weak = { list: [] as unknown[] };
    const gc = createCollector(world, {
      allowNoRoots: true,
      refs: [{ store: Strong.list as number[][], many: true }, {
        store: Weak.list as number[][],
        many: true,
        weak: true,
      }],
    });
    const root = addEntity(world), other = addEntity(world);
    gc.root(root);
    Strong.list[root] = ['x', other];
    refused(
      gc,
      [Strong.list, Weak.list],
      TypeError,
      `refs[0] holds 'x' (a string) for entity ${root} at list index 0: not an entity id (a number)`,
    );
    Strong.list[root] = [other];
    Weak.list[root] = [0.5];
    refused(
      gc,
      [Strong.list, Weak.list],
      RangeError,
      `refs[1] holds 0.5 for entity ${root} at list index 0: not an entity id (ids are integers)`,
    );
    Weak.list[root] = [other];
    expect(gc.collect()).toMatchObject({ freed: 0, live: 2, cleared: 0 });
  });

  it('a bigint in a weak field or a weak list throws a TypeError naming it', () => {
    const world = createWorld();
    const Watch = { eid: [] as unknown[] };
    const Seen = { list: [] as unknown[] };
    const gc = createCollector(world, {
      allowNoRoots: true,
      refs: [{ store: Watch.eid as number[], weak: true }, { store: Seen.list as number[][], many: true, weak: true }],
    });
    const root = addEntity(world), other = addEntity(world), garbage = addEntity(world);
    gc.root(root);
    gc.root(other);
    Watch.eid[root] = BigInt(other);
    const stores = [Watch.eid, Seen.list];
    refused(
      gc,
      stores,
      TypeError,
      `refs[0] holds ${other}n (a bigint) for entity ${root}: not an entity id (a number)`,
    );
    Watch.eid[root] = other;
    Seen.list[root] = [other, BigInt(root)];
    refused(
      gc,
      stores,
      TypeError,
      `refs[1] holds ${root}n (a bigint) for entity ${root} at list index 1: not an entity id (a number)`,
    );
    expect(entityExists(world, garbage)).toBe(true);
    Seen.list[root] = [other, garbage];
    expect(gc.collect()).toMatchObject({ freed: 1, live: 2, cleared: 1 });
    expect(Seen.list[root]).toEqual([other]);
  });

  it("a weak 'many' field holding a single id, an object or a string throws, naming it", () => {
    const world = createWorld();
    const Seen = { list: [] as unknown[] };
    const gc = createCollector(world, {
      allowNoRoots: true,
      refs: [{ store: Seen.list as number[][], many: true, weak: true }],
    });
    const root = addEntity(world), other = addEntity(world);
    gc.root(root);
    gc.root(other);
    const many = "a 'many' field holds a list of entity ids per entity";
    Seen.list[root] = other;
    refused(
      gc,
      [Seen.list],
      TypeError,
      `refs[0] holds ${other} for entity ${root}: ${many} (a single id: declare the field without many: true)`,
    );
    Seen.list[root] = {};
    refused(gc, [Seen.list], TypeError, `refs[0] holds an object ([object Object]) for entity ${root}: ${many}`);
    Seen.list[root] = 'ab';
    refused(gc, [Seen.list], TypeError, `refs[0] holds 'ab' (a string) for entity ${root}: ${many}`);
  });
});

describe('bitECS bridge fields: weak fields', () => {
  it('holes in a weak plain array and null or missing weak lists are "no entity"', () => {
    const world = createWorld();
    const Watch = { eid: [] as number[] };
    const Seen = { list: [] as (number[] | null)[] };
    const gc = createCollector(world, {
      allowNoRoots: true,
      refs: [{ store: Watch.eid, weak: true }, { store: Seen.list, many: true, weak: true }],
    });
    const root = addEntity(world), a = addEntity(world), b = addEntity(world);
    gc.root(root);
    gc.root(a);
    gc.root(b);
    Watch.eid[b] = a; // root and a are holes
    Seen.list[a] = null; // root: missing, b: a list
    Seen.list[b] = [root];
    expect(gc.collect()).toMatchObject({ freed: 0, live: 3, cleared: 0 });
    expect(Watch.eid.length).toBe(b + 1);
    expect(root in Watch.eid || a in Watch.eid).toBe(false);
    expect(Seen.list[a]).toBe(null);
    expect(Seen.list[b]).toEqual([root]);
  });

  it('an integer whose low bits name a reached entity, but which is not it, is cleared from weak fields', () => {
    const world = createWorld();
    const WatchU32 = new Uint32Array(8);
    const WatchPlain: number[] = [];
    const SeenPlain: number[][] = [];
    const SeenU32: Uint32Array[] = [];
    const gc = createCollector(world, {
      allowNoRoots: true,
      refs: [
        { store: WatchU32, weak: true },
        { store: WatchPlain, weak: true },
        { store: SeenPlain, many: true, weak: true },
        { store: SeenU32, many: true, weak: true },
      ],
    });
    const root = addEntity(world), keep = addEntity(world);
    gc.root(root);
    gc.root(keep);
    WatchU32[root] = hugeU32(keep);
    WatchPlain[root] = huge(keep);
    WatchPlain[keep] = root;
    SeenPlain[root] = [huge(keep), keep];
    SeenU32[root] = Uint32Array.of(hugeU32(root), 0); // nothing else in it to drop
    expect(gc.collect()).toMatchObject({ freed: 0, live: 2, cleared: 4 });
    expect(WatchU32[root]).toBe(0);
    expect(WatchPlain[root]).toBe(0);
    expect(WatchPlain[keep]).toBe(root);
    expect(SeenPlain[root]).toEqual([keep]);
    expect([...SeenU32[root]!]).toEqual([0, 0]);
  });

  it('versioned worlds: a weak field or list naming a stale version of a reached entity is cleared', () => {
    const world = createWorld(createEntityIndex(withVersioning(8)));
    const Watch = { eid: new Uint32Array(8) };
    const Seen = { list: [] as number[][] };
    const gc = createCollector(world, {
      allowNoRoots: true,
      refs: [{ store: Watch.eid, weak: true }, { store: Seen.list, many: true, weak: true }],
    });
    const holder = addEntity(world), old = addEntity(world);
    removeEntity(world, old);
    const reused = addEntity(world); // the same index, the next version
    expect(reused & 0xff_ffff).toBe(old);
    gc.root(holder);
    gc.root(reused);
    Watch.eid[holder] = old;
    Seen.list[holder] = [reused, old];
    expect(gc.collect()).toMatchObject({ freed: 0, live: 2, cleared: 2 });
    expect(Watch.eid[holder]).toBe(0);
    expect(Seen.list[holder]).toEqual([reused]);
  });

  it('garbage that an earlier collection reached: its weak lists are not read', () => {
    const world = createWorld();
    const Target = { eid: new Uint32Array(8) };
    const Seen = { list: [] as unknown[] };
    const gc = createCollector(world, {
      allowNoRoots: true,
      refs: [Target.eid, { store: Seen.list as number[][], many: true, weak: true }],
    });
    const root = addEntity(world), dropped = addEntity(world), gone = addEntity(world);
    gc.root(root);
    Target.eid[root] = dropped;
    Seen.list[dropped] = [root];
    expect(gc.collect()).toMatchObject({ freed: 1, live: 2, cleared: 0 });
    expect(entityExists(world, gone)).toBe(false);
    // Now only root is reached; what `dropped` holds is never read, whatever it is.
    Target.eid[root] = 0;
    Seen.list[dropped] = [gone, 0.5];
    expect(gc.collect()).toMatchObject({ freed: 1, live: 1, cleared: 0 });
    expect(entityExists(world, dropped)).toBe(false);
    expect(Seen.list[dropped]).toEqual([]);
  });
});

describe('bitECS bridge fields: dangling entries cleared after marking', () => {
  it('many dangling entries in one collection, in every kind of field, are all cleared', () => {
    const world = createWorld();
    const A = { eid: new Uint32Array(64) };
    const B = { eid: [] as number[] };
    const L = { list: [] as number[][] };
    const W = { eid: new Int32Array(64).fill(-1) };
    const WL = { list: [] as Int16Array[] };
    const gc = createCollector(world, {
      allowNoRoots: true,
      refs: [
        A.eid,
        B.eid,
        { store: L.list, many: true },
        { store: W.eid, weak: true, none: -1 },
        { store: WL.list, many: true, weak: true, none: -1 },
      ],
    });
    const keep = addEntity(world), gone = addEntity(world);
    gc.root(keep);
    const holders: number[] = [];
    for (let i = 0; i < 40; i++) {
      const e = addEntity(world);
      gc.root(e);
      holders.push(e);
      B.eid[e] = keep;
      L.list[e] = [keep];
      WL.list[e] = Int16Array.of(keep, -1);
      // Each holder one dangling entry, the fields taken in turn.
      const field = i % 5;
      if (field === 0) A.eid[e] = gone;
      else if (field === 1) B.eid[e] = gone;
      else if (field === 2) L.list[e] = [gone, keep, gone];
      else if (field === 3) W.eid[e] = gone;
      else WL.list[e] = Int16Array.of(gone, keep);
    }
    removeEntity(world, gone);
    expect(gc.collect()).toMatchObject({ freed: 0, live: 41, cleared: 48 });
    holders.forEach((e, i) => {
      expect(A.eid[e]).toBe(0);
      expect(B.eid[e]).toBe(i % 5 === 1 ? 0 : keep);
      expect(L.list[e]).toEqual([keep]);
      expect(W.eid[e]).toBe(-1);
      expect([...WL.list[e]!]).toEqual([keep, -1]);
    });
  });

  it('plain and Uint32Array lists drop an integer whose low bits name a reached entity, keep the rest in order', () => {
    const world = createWorld();
    const Plain = { list: [] as number[][] };
    const Wide = { list: [] as Uint32Array[] };
    const gc = createCollector(world, {
      allowNoRoots: true,
      refs: [{ store: Plain.list, many: true }, { store: Wide.list, many: true }],
    });
    const root = addEntity(world), keep = addEntity(world);
    gc.root(root);
    Plain.list[root] = [keep, huge(root), 0, keep];
    Wide.list[root] = Uint32Array.of(hugeU32(keep), keep, 0, hugeU32(root));
    Plain.list[keep] = [];
    expect(gc.collect()).toMatchObject({ freed: 0, live: 2, cleared: 3 });
    expect(Plain.list[root]).toEqual([keep, 0, keep]);
    expect([...Wide.list[root]!]).toEqual([keep, 0, 0, 0]);
  });
});

describe('bitECS bridge fields: fields of removed entities', () => {
  it('a plain-array store shorter than the world does not grow when garbage past its end is removed', () => {
    const world = createWorld();
    const Target = { eid: [] as number[] };
    const Children = { list: [] as number[][] };
    const gc = createCollector(world, {
      allowNoRoots: true,
      refs: [Target.eid, { store: Children.list, many: true }],
    });
    const root = addEntity(world), garbage = addEntity(world), more = addEntity(world);
    gc.root(root);
    Target.eid[root] = 0;
    Children.list[root] = [];
    expect([Target.eid.length, Children.list.length]).toEqual([garbage, garbage]);
    expect(gc.collect()).toMatchObject({ freed: 2, live: 1, cleared: 0 });
    expect(entityExists(world, garbage) || entityExists(world, more)).toBe(false);
    expect([Target.eid.length, Children.list.length]).toEqual([garbage, garbage]);
    expect(garbage in Target.eid || garbage in Children.list).toBe(false);
  });

  it('typed-array lists of removed entities stay, the same arrays of the same length, filled with "no entity"', () => {
    const world = createWorld();
    const kinds = [
      { type: Uint32Array, none: 0, weak: false },
      { type: Int32Array, none: -1, weak: false },
      { type: Uint16Array, none: 0, weak: true },
      { type: Int16Array, none: -1, weak: false },
      { type: Uint8Array, none: 0, weak: false },
      { type: Int8Array, none: -1, weak: true },
    ];
    const stores = kinds.map(() =>
      [] as (Uint32Array | Int32Array | Uint16Array | Int16Array | Uint8Array | Int8Array)[]
    );
    const gc = createCollector(world, {
      allowNoRoots: true,
      refs: kinds.map(({ none, weak }, k) => ({ store: stores[k]!, many: true as const, none, weak })),
    });
    const root = addEntity(world), garbage = addEntity(world), other = addEntity(world);
    gc.root(root);
    const lists = kinds.map(({ type, none }, k) => (stores[k]![garbage] = type.of(root, other, none, garbage)));
    expect(gc.collect()).toMatchObject({ freed: 2, live: 1, cleared: 0 });
    kinds.forEach(({ none }, k) => {
      expect(stores[k]![garbage]).toBe(lists[k]);
      expect([...lists[k]!]).toEqual([none, none, none, none]);
    });
  });
});

/**
 * Makes `junk`, garbage whose removal runs a callback (an `onRemove` observer, as games use for
 * effects) that spawns `debris` entities, fills their fields with `fill` (collect() never marked
 * them), and then removes `friend`, a reached entity, if given: collect() must then read liveness
 * again and clear what dangles. Returns `junk`; make the other garbage after it, so that it goes
 * first and the debris get fresh ids.
 */
function slowPath(world: World, debris: number, fill: (debris: number[]) => void, friend?: number): number {
  const Doomed = {};
  const junk = addEntity(world);
  addComponent(world, junk, Doomed);
  observe(world, onRemove(Doomed), () => {
    const spawned: number[] = [];
    for (let i = 0; i < debris; i++) spawned.push(addEntity(world));
    fill(spawned);
    if (friend !== undefined) removeEntity(world, friend);
  });
  return junk;
}

describe('bitECS bridge fields: the slow path (a callback removed or added entities)', () => {
  it('single-id fields of every kind: dead ids, huge integers, non-ids cleared; live ids, none, holes kept', () => {
    const world = createWorld();
    const A = { eid: new Uint32Array(16) };
    const B = { eid: new Int32Array(16).fill(-1) };
    const P = { eid: [] as unknown[] };
    const W = { eid: new Uint16Array(16) };
    const Short = { eid: new Uint8Array(4) };
    const gc = createCollector(world, {
      allowNoRoots: true,
      refs: [A.eid, { store: B.eid, none: -1 }, P.eid as number[], { store: W.eid, weak: true }, Short.eid],
    });
    const root = addEntity(world), keep = addEntity(world), friend = addEntity(world);
    gc.root(root);
    A.eid[root] = keep;
    B.eid[root] = friend;
    P.eid[keep] = root; // P[root] is a hole
    Short.eid[root] = keep;
    const junk = slowPath(world, 2, ([d1, d2]) => {
      A.eid[d1!] = junk; // removed now
      B.eid[d2!] = keep;
      P.eid[d1!] = '7';
      P.eid[d2!] = 2n;
      A.eid[d2!] = hugeU32(root);
      W.eid[d1!] = friend; // removed right after
      W.eid[d2!] = root;
    }, friend);
    W.eid[root] = junk; // weak: cleared as junk goes
    const info = gc.collect();
    expect(info).toMatchObject({ freed: 2, cascaded: 1, live: 4, cleared: 7 });
    const [d1, d2] = alive(world).filter((e) => e !== root && e !== keep);
    expect([A.eid[root], B.eid[root], W.eid[root], Short.eid[root]]).toEqual([keep, -1, 0, keep]);
    expect(root in P.eid).toBe(false);
    expect([A.eid[keep], B.eid[keep], P.eid[keep], W.eid[keep]]).toEqual([0, -1, root, 0]);
    expect([A.eid[d1!], B.eid[d1!], P.eid[d1!], W.eid[d1!]]).toEqual([0, -1, 0, 0]);
    expect([A.eid[d2!], B.eid[d2!], P.eid[d2!], W.eid[d2!]]).toEqual([0, keep, 0, root]);
    // The debris sit past the end of the short store, which stays as it was.
    expect(d1! >= Short.eid.length && d2! >= Short.eid.length).toBe(true);
    expect([...Short.eid]).toEqual([0, keep, 0, 0]);
    expect(P.eid.length).toBe(d2! + 1);
  });

  it('lists of every kind: dead ids, huge integers, non-ids dropped in order; typed arrays keep their length', () => {
    const world = createWorld();
    const L = { list: [] as unknown[] };
    const T = { list: [] as unknown[] };
    const I = { list: [] as unknown[] };
    const gc = createCollector(world, {
      allowNoRoots: true,
      refs: [
        { store: L.list as number[][], many: true },
        { store: T.list as Uint32Array[], many: true },
        { store: I.list as Int8Array[], many: true, weak: true, none: -1 },
      ],
    });
    const root = addEntity(world), keep = addEntity(world), friend = addEntity(world);
    gc.root(root);
    L.list[root] = [keep, friend, 0, keep];
    L.list[keep] = [];
    const rootWide = (T.list[root] = Uint32Array.of(friend, keep, 0, root));
    const junk = slowPath(world, 3, ([d1, d2, d3]) => {
      L.list[d1!] = [junk, 'x', 3n, huge(root), root, 0];
      T.list[d1!] = Uint32Array.of(hugeU32(keep), keep, friend);
      I.list[d1!] = Int8Array.of(-1, keep, junk);
      // Not lists: left as they are (the next collect() that reads them refuses them).
      L.list[d2!] = 7;
      T.list[d2!] = {};
      I.list[d2!] = 'ab';
      L.list[d3!] = null;
    }, friend);
    const rootSeen = (I.list[root] = Int8Array.of(-1, friend, keep, junk));
    const info = gc.collect();
    expect(info).toMatchObject({ freed: 2, cascaded: 1, live: 5, cleared: 11 });
    const [d1, d2, d3] = alive(world).filter((e) => e !== root && e !== keep);
    expect(L.list[root]).toEqual([keep, 0, keep]);
    expect(T.list[root]).toBe(rootWide);
    expect([...rootWide]).toEqual([keep, 0, root, 0]);
    expect(I.list[root]).toBe(rootSeen);
    expect([...rootSeen]).toEqual([-1, keep, -1, -1]);
    expect(L.list[d1!]).toEqual([root, 0]);
    expect([...(T.list[d1!] as Uint32Array)]).toEqual([keep, 0, 0]);
    expect([...(I.list[d1!] as Int8Array)]).toEqual([-1, keep, -1]);
    expect([L.list[d2!], T.list[d2!], I.list[d2!], L.list[d3!]]).toEqual([7, {}, 'ab', null]);
  });

  it('cleared counts entries of live entities only, not those of an entity a callback removed', () => {
    const world = createWorld();
    const Target = { eid: new Uint32Array(8) };
    const Children = { list: [] as number[][] };
    const gc = createCollector(world, {
      allowNoRoots: true,
      refs: [Target.eid, { store: Children.list, many: true }],
    });
    const root = addEntity(world), friend = addEntity(world);
    gc.root(root);
    Target.eid[root] = friend;
    Children.list[root] = [friend];
    // The friend's own fields name itself: dead too once the callback removed it.
    Target.eid[friend] = friend;
    Children.list[friend] = [friend];
    slowPath(world, 0, () => {}, friend);
    const info = gc.collect();
    expect(info).toMatchObject({ freed: 2, cascaded: 1, live: 1, cleared: 2 });
    expect(Target.eid[root]).toBe(0);
    expect(Children.list[root]).toEqual([]);
  });

  it('versioned worlds: a stale id whose index a callback gave to a new entity is cleared', () => {
    const world = createWorld(createEntityIndex(withVersioning(8)));
    const Target = { eid: new Uint32Array(8) };
    const Children = { list: [] as number[][] };
    const gc = createCollector(world, {
      allowNoRoots: true,
      refs: [Target.eid, { store: Children.list, many: true }],
    });
    const root = addEntity(world), friend = addEntity(world);
    gc.root(root);
    Target.eid[root] = friend;
    Children.list[root] = [friend];
    const Doomed = {};
    const junk = addEntity(world);
    addComponent(world, junk, Doomed);
    const spawned: number[] = [];
    observe(world, onRemove(Doomed), () => {
      removeEntity(world, friend);
      // bitECS hands out the friend's index again, with the next version (two entities, so that
      // the world's entity count differs from the reached count and collect() looks again).
      spawned.push(addEntity(world), addEntity(world));
    });
    const info = gc.collect();
    expect(spawned.map((e) => e & 0xff_ffff)).toContain(friend);
    expect(spawned).not.toContain(friend);
    expect(info).toMatchObject({ freed: 2, cascaded: 1, live: 3, cleared: 2 });
    expect(Target.eid[root]).toBe(0);
    expect(Children.list[root]).toEqual([]);
  });

  it('property: a list of an entity a callback added keeps exactly its "no entity" values and live ids', () => {
    const kinds = { Uint32Array, Int32Array, Uint16Array, Int16Array, Uint8Array, Int8Array };
    const storeArb = fc.constantFrom('plain', ...(Object.keys(kinds) as (keyof typeof kinds)[]));
    const entryArb = fc.tuple(fc.constantFrom('none', 'live', 'dead', 'huge', 'string', 'bigint'), fc.nat(2));
    fc.assert(
      fc.property(storeArb, fc.boolean(), fc.array(entryArb, { maxLength: 8 }), (store, weak, picks) => {
        const world = createWorld();
        const none = store.startsWith('Int') ? -1 : 0;
        const Lists = { list: [] as unknown[] };
        const gc = createCollector(world, {
          allowNoRoots: true,
          refs: [{ store: Lists.list as number[][], many: true, weak, none }],
        });
        const live = [addEntity(world), addEntity(world), addEntity(world)];
        for (const e of live) gc.root(e);
        let expected: number[] = [];
        let dropped = 0;
        slowPath(world, 1, ([debris]) => {
          const values: unknown[] = [];
          for (const [what, k] of picks) {
            const v = what === 'none'
              ? none
              : what === 'live'
              ? live[k]
              : what === 'dead'
              ? dead[k]
              : what === 'huge'
              ? (store === 'plain' ? huge(live[k]!) : hugeU32(live[k]!))
              : what === 'string'
              ? String(live[k])
              : BigInt(live[k]!);
            // A typed array holds only numbers, and those past 2^31 only a Uint32Array.
            if (store !== 'plain' && (typeof v !== 'number' || (what === 'huge' && store !== 'Uint32Array'))) continue;
            values.push(v);
          }
          expected = values.filter((v) => v === none || live.includes(v as number)) as number[];
          dropped = values.length - expected.length;
          if (store !== 'plain') expected.push(...new Array<number>(dropped).fill(none));
          Lists.list[debris!] = store === 'plain' ? values : kinds[store].from(values as number[]);
        });
        const dead = [addEntity(world), addEntity(world), addEntity(world)]; // garbage, removed after junk
        const info = gc.collect();
        const [debris] = alive(world).filter((e) => !live.includes(e));
        expect(Array.from(Lists.list[debris!] as ArrayLike<number>)).toEqual(expected);
        expect(info).toMatchObject({ freed: 4, live: 4, cleared: dropped, cascaded: 0 });
      }),
      { numRuns: 150 },
    );
  });
});
