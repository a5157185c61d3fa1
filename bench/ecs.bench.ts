/**
 * `ecs`: the cases of noctjs/ecs-benchmark (github.com/noctjs/ecs-benchmark, `src/cases/bitecs/*.js`
 * and its README), ecs-heap against bitECS 0.4 in the same process. One op is one call of the
 * case's per-frame function; counts are the benchmark's (`src/bench.js`):
 *
 * - packed_5 (1000 entities with A, B, C, D, E, one i32 field each): five queries, one per
 *   component, each doubling its field.
 * - simple_iter (1000 each of (A,B), (A,B,C), (A,B,C,D), (A,B,C,E)): three systems swapping
 *   fields, over (A,B), (C,D) and (C,E).
 * - frag_iter (26 components A..Z, 100 entities each, every entity also has Data): double Data's
 *   field over all 2600, then Z's over its 100.
 * - entity_cycle (1000 entities with A): for each entity with A, create one entity with B (copying
 *   A's value); then destroy every entity with B. bitECS destroys with `removeEntity`; ecs-heap
 *   has no destroy: the B entities are simply not kept (no pin, nothing refers to them), and the
 *   collector frees them: `minor()` (they are young) or `collect()` (a full mark of the 1000 A
 *   entities and a sweep).
 * - add_remove (1000 entities with A): add the tag B to each entity with A, then remove B from
 *   each entity with B.
 *
 * - spawn_wave (ours, 1500 entities: the game suite's projectile wave): spawn the wave with three
 *   components (Position and Velocity of two f32 fields, Projectile of one i32), write every field,
 *   destroy the wave. bitECS: `addEntity`, three `addComponent` calls and `removeEntity` per entity.
 *   ecs-heap: `allocMany`, the components by three `add` calls per entity or three `addMany` calls
 *   for the wave, and a `minor()` that frees the wave (nothing holds it).
 * - spawn_wave_40 (ours): the same wave in a world that defines 37 more components (one entity has
 *   them all, on both sides): what freeing an entity costs when a game defines dozens of
 *   components it does not have (ecs-heap visits only those its mask bits name).
 *
 * Then one case of ours: `query()` during a sweep. Objects a cycle found dead stay members until its
 * sweep frees them, so `query()` drops them first; it does so once a cycle per query, so a game's
 * systems querying every frame of a long sweep pay it once. Timed against the same `query()` on an
 * identical heap with no cycle running (10^5 live members, and 10^5 dead ones in the sweeping heap).
 *
 * bitECS 0.4 is used as its docs show: components are plain objects of arrays (`{ value:
 * Int32Array }`, tags `{}`), `addEntity`, `addComponent(world, eid, C)`, `query(world, [A, B])`
 * each frame. ecs-heap: components from `defineComponent({ value: 'i32' })`, entities pinned, each
 * system iterates `heap.query(...)`'s dense indices and indexes the SoA columns directly, read
 * into locals before the loop. Where a loop adds or removes components (entity_cycle, add_remove)
 * it first copies the query's indices, because a query view is documented as valid only until the
 * next add, remove or collection.
 */
import { addComponent, addEntity, createWorld, query, removeComponent, removeEntity } from 'bitecs';
import { bench, group, summary } from 'mitata';
import { type Component, Heap, type Index, type Ref, type RefArray } from '../mod.ts';
import { spawnSync } from 'node:child_process';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { ratio, sig } from './lib/format.ts';
import { selfCommand } from './lib/runtime.ts';
import { max, median, min } from './lib/stats.ts';
import { measure, p50 } from './lib/measure.ts';
import { queryHeap, SWEEP_MEMBERS } from './lib/query-heap.ts';
import { type Paired, paired, pairedData } from './lib/paired.ts';
import { type Ctx, type Ratio, report, type Section, type SuiteReport, type Table } from './lib/report.ts';

/** Entity ids bitECS will hand out in these cases stay far below this (they are recycled). */
const MAX_EIDS = 1 << 16;

type I32Store = { value: Int32Array };
const i32Store = (): I32Store => ({ value: new Int32Array(MAX_EIDS) });

type Schema = { readonly value: 'i32' };
const I32: Schema = { value: 'i32' };

/** A heap for a case: room for `capacity` objects, so no growth while measuring. */
function ecsHeap(capacity: number): Heap {
  return new Heap({ initialCapacity: capacity });
}

/** A live entity: allocated and pinned (the game holds it). */
function spawn(heap: Heap): Ref {
  const e = heap.alloc(0);
  heap.pin(e);
  return e;
}

// ---- packed_5 ------------------------------------------------------------------------------------

function packed5Bitecs(count: number): () => void {
  const world = createWorld();
  const comps = [i32Store(), i32Store(), i32Store(), i32Store(), i32Store()];
  for (let i = 0; i < count; i++) {
    const e = addEntity(world);
    for (const c of comps) addComponent(world, e, c);
  }
  const [A, B, C, D, E] = comps as [I32Store, I32Store, I32Store, I32Store, I32Store];
  const system = (c: I32Store) => {
    const ents = query(world, [c]);
    const v = c.value;
    for (let i = 0, n = ents.length; i < n; i++) v[ents[i]!] *= 2;
  };
  return () => {
    system(A);
    system(B);
    system(C);
    system(D);
    system(E);
  };
}

function packed5Ecs(count: number): () => void {
  const heap = ecsHeap(count + 16);
  const comps: Component<Schema>[] = [];
  for (const name of ['A', 'B', 'C', 'D', 'E']) comps.push(heap.defineComponent(I32, { name }));
  for (let i = 0; i < count; i++) {
    const e = spawn(heap);
    for (const c of comps) heap.add(e, c);
  }
  const [A, B, C, D, E] = comps as [
    Component<Schema>,
    Component<Schema>,
    Component<Schema>,
    Component<Schema>,
    Component<Schema>,
  ];
  const system = (c: Component<Schema>) => {
    const ents = heap.query(c);
    const v = c.value;
    for (let i = 0, n = ents.length; i < n; i++) v[ents[i]!] *= 2;
  };
  return () => {
    system(A);
    system(B);
    system(C);
    system(D);
    system(E);
  };
}

// ---- simple_iter ---------------------------------------------------------------------------------

function simpleIterBitecs(count: number): () => void {
  const world = createWorld();
  const [A, B, C, D, E] = [i32Store(), i32Store(), i32Store(), i32Store(), i32Store()];
  const make = (...cs: I32Store[]) => {
    const e = addEntity(world);
    cs.forEach((c, k) => {
      addComponent(world, e, c);
      c.value[e] = [0, 1, 2, 3][k]!;
    });
  };
  for (let i = 0; i < count; i++) {
    make(A, B);
    make(A, B, C);
    make(A, B, C, D);
    make(A, B, C, E);
  }
  const swap = (x: I32Store, y: I32Store) => {
    const ents = query(world, [x, y]);
    const xv = x.value;
    const yv = y.value;
    for (let i = 0, n = ents.length; i < n; i++) {
      const e = ents[i]!;
      const t = xv[e]!;
      xv[e] = yv[e]!;
      yv[e] = t;
    }
  };
  return () => {
    swap(A, B);
    swap(C, D);
    swap(C, E);
  };
}

function simpleIterEcs(count: number): () => void {
  const heap = ecsHeap(4 * count + 16);
  const [A, B, C, D, E] = ['A', 'B', 'C', 'D', 'E'].map((name) => heap.defineComponent(I32, { name })) as [
    Component<Schema>,
    Component<Schema>,
    Component<Schema>,
    Component<Schema>,
    Component<Schema>,
  ];
  const make = (...cs: Component<Schema>[]) => {
    const e = spawn(heap);
    const i = heap.index(e);
    cs.forEach((c, k) => {
      heap.add(e, c);
      c.value[i] = [0, 1, 2, 3][k]!;
    });
  };
  for (let i = 0; i < count; i++) {
    make(A, B);
    make(A, B, C);
    make(A, B, C, D);
    make(A, B, C, E);
  }
  const swap = (x: Component<Schema>, y: Component<Schema>) => {
    const ents = heap.query(x, y);
    const xv = x.value;
    const yv = y.value;
    for (let i = 0, n = ents.length; i < n; i++) {
      const e = ents[i]!;
      const t = xv[e]!;
      xv[e] = yv[e]!;
      yv[e] = t;
    }
  };
  return () => {
    swap(A, B);
    swap(C, D);
    swap(C, E);
  };
}

// ---- frag_iter -----------------------------------------------------------------------------------

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');

function fragIterBitecs(count: number): () => void {
  const world = createWorld();
  const comps = LETTERS.map(() => i32Store());
  const Z = comps[25]!;
  const Data = i32Store();
  for (let i = 0; i < count; i++) {
    for (const c of comps) {
      const e = addEntity(world);
      addComponent(world, e, Data);
      addComponent(world, e, c);
    }
  }
  const double = (c: I32Store) => {
    const ents = query(world, [c]);
    const v = c.value;
    for (let i = 0, n = ents.length; i < n; i++) v[ents[i]!] *= 2;
  };
  return () => {
    double(Data);
    double(Z);
  };
}

function fragIterEcs(count: number): () => void {
  const heap = ecsHeap(26 * count + 16);
  const comps = LETTERS.map((name) => heap.defineComponent(I32, { name }));
  const Z = comps[25]!;
  const Data = heap.defineComponent(I32, { name: 'Data' });
  for (let i = 0; i < count; i++) {
    for (const c of comps) {
      const e = spawn(heap);
      heap.add(e, Data);
      heap.add(e, c);
    }
  }
  const double = (c: Component<Schema>) => {
    const ents = heap.query(c);
    const v = c.value;
    for (let i = 0, n = ents.length; i < n; i++) v[ents[i]!] *= 2;
  };
  return () => {
    double(Data);
    double(Z);
  };
}

// ---- entity_cycle --------------------------------------------------------------------------------

function entityCycleBitecs(count: number): () => void {
  const world = createWorld();
  const A = i32Store();
  const B = i32Store();
  for (let i = 0; i < count; i++) {
    const e = addEntity(world);
    addComponent(world, e, A);
    A.value[e] = i;
  }
  return () => {
    const as = query(world, [A]);
    for (let i = 0, n = as.length; i < n; i++) {
      const e = addEntity(world);
      addComponent(world, e, B);
      B.value[e] = A.value[as[i]!]!;
    }
    // bitECS defers query removals until the next query: iterating while removing is safe.
    const bs = query(world, [B]);
    for (let i = 0, n = bs.length; i < n; i++) removeEntity(world, bs[i]!);
  };
}

/** The collection that destroys the B entities each op. */
type Destroyer = 'minor' | 'collect';

function entityCycleEcs(count: number, destroyer: Destroyer): () => void {
  const heap = ecsHeap(2 * count + 16);
  const A = heap.defineComponent(I32, { name: 'A' });
  const B = heap.defineComponent(I32, { name: 'B' });
  for (let i = 0; i < count; i++) {
    const e = spawn(heap);
    heap.add(e, A);
    A.value[heap.index(e)] = i;
  }
  heap.collect(); // the A entities are old from here on, as in a running game
  const as = new Uint32Array(count);
  const values = new Int32Array(count);
  const spawned = new Uint32Array(count);
  return () => {
    const q = heap.query(A);
    const n = q.length;
    as.set(q); // the view is valid until the next add: keep a copy
    const av = A.value;
    for (let i = 0; i < n; i++) values[i] = av[as[i]!]!;
    for (let i = 0; i < n; i++) {
      const e = heap.alloc(0); // not pinned: the next collection frees it
      heap.add(e, B);
      spawned[i] = heap.index(e);
    }
    const bv = B.value; // read after the allocations (which may grow the columns)
    for (let i = 0; i < n; i++) bv[spawned[i]!] = values[i]!;
    // "Destroy every entity with B": nothing holds them, so the collector frees them all.
    const info = destroyer === 'minor' ? heap.minor() : heap.collect();
    if (info.freed !== n) throw new Error(`ecs: entity_cycle ${destroyer}() freed ${info.freed}, expected ${n}`);
  };
}

// ---- add_remove ----------------------------------------------------------------------------------

function addRemoveBitecs(count: number): () => void {
  const world = createWorld();
  const A = {};
  const B = {};
  for (let i = 0; i < count; i++) {
    const e = addEntity(world);
    addComponent(world, e, A);
  }
  return () => {
    const as = query(world, [A]);
    for (let i = 0, n = as.length; i < n; i++) addComponent(world, as[i]!, B);
    const bs = query(world, [B]);
    for (let i = 0, n = bs.length; i < n; i++) removeComponent(world, bs[i]!, B);
  };
}

function addRemoveEcs(count: number): () => void {
  const heap = ecsHeap(count + 16);
  const A = heap.defineComponent({}, { name: 'A' });
  const B = heap.defineComponent({}, { name: 'B' });
  for (let i = 0; i < count; i++) heap.add(spawn(heap), A);
  const scratch = new Uint32Array(count);
  return () => {
    const as = heap.query(A);
    let n = as.length;
    scratch.set(as); // the view is valid until the next add: keep a copy
    for (let i = 0; i < n; i++) heap.add(heap.refAt(scratch[i]! as Index), B);
    const bs = heap.query(B);
    n = bs.length;
    scratch.set(bs);
    for (let i = 0; i < n; i++) heap.remove(heap.refAt(scratch[i]! as Index), B);
  };
}

// ---- spawn_wave (ours) ---------------------------------------------------------------------------

/** The wave's three components' values: a projectile's position, velocity and expiry frame. */
function waveValue(i: number): number {
  return (i * 7) % 1000;
}

/** Components a game defines besides the wave's three, for spawn_wave_40: each held by one entity. */
const OTHER_COMPONENTS = 37;

function spawnWaveBitecs(count: number, others = 0): () => void {
  const world = createWorld();
  const Position = { x: new Float32Array(2 * count + 16), y: new Float32Array(2 * count + 16) };
  const Velocity = { vx: new Float32Array(2 * count + 16), vy: new Float32Array(2 * count + 16) };
  const Projectile = { expires: new Int32Array(2 * count + 16) };
  const spawned = new Uint32Array(count);
  // The rest of the game's components, registered with the world by an entity that has them all.
  const holder = addEntity(world);
  for (let k = 0; k < others; k++) addComponent(world, holder, { value: new Int32Array(2 * count + 16) });
  return () => {
    for (let i = 0; i < count; i++) {
      const e = addEntity(world);
      addComponent(world, e, Position);
      addComponent(world, e, Velocity);
      addComponent(world, e, Projectile);
      spawned[i] = e;
    }
    for (let i = 0; i < count; i++) {
      const e = spawned[i]!;
      Position.x[e] =
        Position.y[e] =
        Velocity.vx[e] =
        Velocity.vy[e] =
        Projectile.expires[e] =
          waveValue(i);
    }
    for (let i = 0; i < count; i++) removeEntity(world, spawned[i]!);
  };
}

/** The same wave on a heap: `allocMany`, then the components by `add` per entity or by `addMany`, then `minor()`. */
function spawnWaveEcs(count: number, adder: 'add' | 'addMany', others = 0): () => void {
  const heap = ecsHeap(2 * count + 16);
  const holder = spawn(heap);
  for (let k = 0; k < others; k++) heap.add(holder, heap.defineComponent(I32, { name: `Other${k}` }));
  const Position = heap.defineComponent({ x: 'f32', y: 'f32' }, { name: 'Position' });
  const Velocity = heap.defineComponent({ vx: 'f32', vy: 'f32' }, { name: 'Velocity' });
  const Projectile = heap.defineComponent({ expires: 'i32' }, { name: 'Projectile' });
  heap.query(Projectile); // a game's system query, kept up to date by every add
  const wave = new Float64Array(count) as RefArray;
  return () => {
    heap.allocMany(count, 0, 'strong', undefined, wave);
    if (adder === 'addMany') {
      heap.addMany(wave, Position);
      heap.addMany(wave, Velocity);
      heap.addMany(wave, Projectile);
    } else {
      for (let i = 0; i < count; i++) {
        heap.add(wave[i]!, Position);
        heap.add(wave[i]!, Velocity);
        heap.add(wave[i]!, Projectile);
      }
    }
    const { x, y } = Position;
    const { vx, vy } = Velocity;
    const expires = Projectile.expires;
    for (let i = 0; i < count; i++) {
      const e = heap.index(wave[i]!);
      x[e] =
        y[e] =
        vx[e] =
        vy[e] =
        expires[e] =
          waveValue(i);
    }
    // Nothing holds the wave: the minor frees it (the cost of bitECS's removeEntity calls).
    const info = heap.minor();
    if (info.freed !== count) throw new Error(`ecs: spawn_wave minor() freed ${info.freed}, expected ${count}`);
  };
}

// ---- the suite -----------------------------------------------------------------------------------

interface Case {
  name: string;
  /** The entity count noctjs/ecs-benchmark uses for the case. */
  count: number;
  what: string;
  bitecs: (count: number) => () => void;
  ecs: { label: string; make: (count: number) => () => void }[];
}

const CASES: Case[] = [
  {
    name: 'packed_5',
    count: 1000,
    what: '1000 entities (A,B,C,D,E); 5 queries, double each field',
    bitecs: packed5Bitecs,
    ecs: [{ label: 'ecs-heap', make: packed5Ecs }],
  },
  {
    name: 'simple_iter',
    count: 1000,
    what: '4x1000 entities; swap over (A,B), (C,D), (C,E)',
    bitecs: simpleIterBitecs,
    ecs: [{ label: 'ecs-heap', make: simpleIterEcs }],
  },
  {
    name: 'frag_iter',
    count: 100,
    what: '26x100 entities (one of A..Z, + Data); double Data, then Z',
    bitecs: fragIterBitecs,
    ecs: [{ label: 'ecs-heap', make: fragIterEcs }],
  },
  {
    name: 'entity_cycle',
    count: 1000,
    what: '1000 with A; create 1000 with B, destroy them',
    bitecs: entityCycleBitecs,
    ecs: [
      { label: 'ecs-heap minor()', make: (count) => entityCycleEcs(count, 'minor') },
      { label: 'ecs-heap collect()', make: (count) => entityCycleEcs(count, 'collect') },
    ],
  },
  {
    name: 'add_remove',
    count: 1000,
    what: '1000 with A; add B to each, remove B from each',
    bitecs: addRemoveBitecs,
    ecs: [{ label: 'ecs-heap', make: addRemoveEcs }],
  },
  {
    name: 'spawn_wave',
    count: 1500,
    what: 'ours: spawn 1500 with Position, Velocity, Projectile, write them, destroy them',
    bitecs: spawnWaveBitecs,
    ecs: [
      { label: 'ecs-heap add', make: (count) => spawnWaveEcs(count, 'add') },
      { label: 'ecs-heap addMany', make: (count) => spawnWaveEcs(count, 'addMany') },
    ],
  },
  {
    name: 'spawn_wave_40',
    count: 1500,
    what: `ours: spawn_wave in a world of ${OTHER_COMPONENTS + 3} components (the others on one entity)`,
    bitecs: (count) => spawnWaveBitecs(count, OTHER_COMPONENTS),
    ecs: [{ label: 'ecs-heap addMany', make: (count) => spawnWaveEcs(count, 'addMany', OTHER_COMPONENTS) }],
  },
];

/** Sanity: both sides of each iteration case compute the same field values after a few ops. */
function checkSameResults(): void {
  const sum = (xs: ArrayLike<number>) => {
    let s = 0;
    for (let i = 0; i < xs.length; i++) s = (s + xs[i]!) | 0;
    return s;
  };
  // simple_iter: after an odd number of ops, the (A,B)-only entities hold A=1, B=0.
  const world = createWorld();
  const A = i32Store();
  const B = i32Store();
  const e = addEntity(world);
  addComponent(world, e, A);
  addComponent(world, e, B);
  B.value[e] = 1;
  const heap = ecsHeap(16);
  const HA = heap.defineComponent(I32, { name: 'A' });
  const HB = heap.defineComponent(I32, { name: 'B' });
  const r = spawn(heap);
  heap.add(r, HA);
  heap.add(r, HB, { value: 1 });
  for (let k = 0; k < 3; k++) {
    for (const x of query(world, [A, B])) [A.value[x], B.value[x]] = [B.value[x]!, A.value[x]!];
    for (const x of heap.query(HA, HB)) [HA.value[x], HB.value[x]] = [HB.value[x]!, HA.value[x]!];
  }
  if (sum(A.value) !== 1 || sum(HA.value) !== 1 || heap.getField(r, HB, 'value') !== 0) {
    throw new Error('ecs: the two implementations disagree on simple_iter');
  }
}

async function querySweepSection(ctx: Ctx): Promise<Section> {
  const idle = queryHeap(false);
  const sweeping = queryHeap(true);
  const t0 = performance.now();
  const first = sweeping.heap.query(sweeping.P).length;
  const firstMs = performance.now() - t0;
  if (first !== SWEEP_MEMBERS || idle.heap.query(idle.P).length !== SWEEP_MEMBERS) {
    throw new Error(`ecs: query() during a sweep found ${first} members, expected ${SWEEP_MEMBERS}`);
  }
  const IDLE = 'query() with no cycle running';
  const SWEEP = 'query() during a sweep, after its first call';
  const stats = await measure(ctx, `ecs query during a sweep (${ctx.label})`, () => {
    group(`query() of ${SWEEP_MEMBERS} live members`, () => {
      summary(() => {
        bench(IDLE, () => idle.heap.query(idle.P)).baseline(true);
        bench(SWEEP, () => sweeping.heap.query(sweeping.P));
      });
    });
  });
  const idleNs = p50(stats, IDLE);
  const sweepNs = p50(stats, SWEEP);
  return {
    tables: [{
      title: `ecs: query() during a sweep, ${SWEEP_MEMBERS} live members (${ctx.label} ${ctx.runtimeVersion})`,
      columns: ['call', 'µs', 'over idle'],
      rows: [
        [IDLE, sig(idleNs / 1e3), '1.00x'],
        [
          `query() during a sweep, its first call (drops ${SWEEP_MEMBERS} dead; one timing)`,
          sig(firstMs * 1e3),
          ratio(firstMs * 1e6 / idleNs),
        ],
        [SWEEP, sig(sweepNs / 1e3), ratio(sweepNs / idleNs)],
      ],
    }],
    ratios: [{ name: `ecs query() during a sweep (${ctx.label}): later call / idle call`, value: sweepNs / idleNs }],
    notes: [
      'query() during a sweep: the sweeping heap holds as many dead members as live ones until its sweep frees them; ' +
      "the query drops them at its first call after the cycle's atomic step and not again that cycle.",
    ],
    data: { querySweep: { idleNs, sweepNs, firstMs } },
  };
}

/** One fresh process of bench/child/first-drop.ts: the first query() during a sweep, after `Heap.warmUp()` or not. */
function firstDropSample(ctx: Ctx, mode: 'warm' | 'cold', k: number): { ms: number; warmUpMs: number } {
  const script = fileURLToPath(new URL('./child/first-drop.ts', import.meta.url));
  const { command, args } = selfCommand(ctx.runtime, script);
  ctx.log(`[bench] ecs: first drop, ${mode} process ${k}`);
  const child = spawnSync(command, [...args, mode], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 1 << 20,
  });
  if (child.status !== 0) throw new Error(`ecs: first-drop process failed (${child.status}): ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as { ms: number; warmUpMs: number };
}

/**
 * A query's first call during a sweep drops the cycle's dead members in one pass, once a cycle:
 * too rarely for the engine to compile that pass from a game's calls, so its first run in a process
 * is uncompiled. `Heap.warmUp()` runs it on a small heap (src/warm-up.ts). Each timing is a fresh
 * process's one first call (in this process it has run already), the processes in turn.
 */
function firstDropSection(ctx: Ctx): Section {
  const processes = ctx.quick ? 3 : 8;
  const runs = { cold: [] as number[], warm: [] as number[] };
  const warmUps: number[] = [];
  for (let k = 1; k <= processes; k++) {
    for (const mode of ['cold', 'warm'] as const) {
      const sample = firstDropSample(ctx, mode, k);
      runs[mode].push(sample.ms);
      if (mode === 'warm') warmUps.push(sample.warmUpMs);
    }
  }
  const row = (label: string, ms: number[]) => [
    label,
    sig(median(ms)),
    sig(min(ms)),
    sig(max(ms)),
    String(ms.filter((x) => x < 1).length) + ` of ${ms.length}`,
    ms.map((x) => sig(x, 2)).join(' '),
  ];
  return {
    tables: [{
      title: `ecs: the first query() during a sweep (drops ${SWEEP_MEMBERS} dead of ${
        2 * SWEEP_MEMBERS
      } members), ms, one per fresh process (${ctx.label} ${ctx.runtimeVersion})`,
      columns: ['processes', 'median', 'min', 'max', 'under 1 ms', 'each'],
      rows: [
        row('no warm-up', runs.cold),
        row(`after Heap.warmUp() (median ${sig(median(warmUps))} ms)`, runs.warm),
      ],
    }],
    ratios: [{
      name: `ecs first query() during a sweep (${ctx.label}): after warmUp / without, medians`,
      value: median(runs.warm) / median(runs.cold),
    }],
    notes: [
      'first query() during a sweep: Heap.warmUp() compiles the drop pass in most processes; in the rest the ' +
      'engine had not compiled it yet when the game called it (it decides when on its own), and the first call ' +
      'runs as without warm-up.',
    ],
    data: { firstDrop: { cold: runs.cold, warm: runs.warm, warmUpMs: warmUps } },
  };
}

export async function ecsSuite(ctx: Ctx): Promise<SuiteReport> {
  checkSameResults();
  // Each factory runs a few ops first: entity_cycle and add_remove check their own results.
  for (const c of CASES) {
    const ops = [c.bitecs(c.count), ...c.ecs.map((e) => e.make(c.count))];
    for (const op of ops) for (let k = 0; k < 3; k++) op();
  }

  const name = (c: Case, label: string) => `${c.name} ${label}`;
  const stats = await measure(ctx, `ecs (${ctx.label})`, () => {
    for (const c of CASES) {
      group(`${c.name}: ${c.what}`, () => {
        summary(() => {
          bench(name(c, 'bitECS'), function* () {
            yield c.bitecs(c.count);
          }).baseline(true);
          for (const e of c.ecs) {
            bench(name(c, e.label), function* () {
              yield e.make(c.count);
            });
          }
        });
      });
    }
  });

  const pairs = new Map<string, Paired>();
  for (const c of CASES) {
    ctx.log(`[bench] ecs: paired ratios, ${c.name}`);
    pairs.set(
      c.name,
      paired([
        { name: 'bitECS', fn: c.bitecs(c.count) },
        ...c.ecs.map((e) => ({ name: e.label, fn: e.make(c.count) })),
      ], ctx.quick ? 500 : 1500),
    );
  }

  const rows: string[][] = [];
  const derived: Record<string, unknown>[] = [];
  const ratios: Ratio[] = [];
  const opsPerSec = (ns: number) => Math.round(1e9 / ns).toLocaleString('en-US');
  for (const c of CASES) {
    const bit = p50(stats, name(c, 'bitECS'));
    const pair = pairs.get(c.name)!;
    c.ecs.forEach((e, k) => {
      const ecs = p50(stats, name(c, e.label));
      // Paired ratios are time(entry) / time(bitECS); ops/s ratios are their inverse.
      const speedup = 1 / pair.ratios[k + 1]!;
      rows.push([
        c.name,
        e.label,
        opsPerSec(ecs),
        opsPerSec(bit),
        ratio(speedup),
        sig(ecs / 1e3),
        sig(bit / 1e3),
      ]);
      derived.push({
        case: c.name,
        count: c.count,
        contender: e.label,
        ecsHeapNs: ecs,
        bitEcsNs: bit,
        ecsHeapOpsPerSec: 1e9 / ecs,
        bitEcsOpsPerSec: 1e9 / bit,
        ecsHeapOverBitEcsOpsPaired: speedup,
        paired: pairedData(pair, 'timeOverBitEcs'),
      });
      ratios.push({ name: `ecs ${c.name} (${ctx.label}): ${e.label} ops/s / bitECS ops/s, paired`, value: speedup });
    });
  }
  const table: Table = {
    title:
      `ecs: noctjs/ecs-benchmark cases and spawn_wave, ops/s, ecs-heap vs bitECS 0.4 (${ctx.label} ${ctx.runtimeVersion})`,
    columns: [
      'case',
      'ecs-heap',
      'ecs-heap ops/s',
      'bitECS ops/s',
      'ecs-heap/bitECS',
      'ecs-heap µs/op',
      'bitECS µs/op',
    ],
    rows,
  };
  const querySweep = await querySweepSection(ctx);
  const firstDrop = firstDropSection(ctx);
  return report('ecs', ctx, [
    {
      tables: [table],
      ratios,
      notes: [
        'Cases and counts from noctjs/ecs-benchmark (src/cases/bitecs/*.js, src/bench.js). ops/s from mitata medians; ' +
        'ecs-heap/bitECS is a paired ratio of ops/s (rounds calling both in turn), > 1x means ecs-heap is faster.',
        'entity_cycle: bitECS destroys with removeEntity; ecs-heap keeps no reference to the B entities and the ' +
        'collection named in the row frees them (each op checks it freed all 1000). minor() traces only the young B ' +
        'entities; collect() marks the 1000 pinned A entities and sweeps every index.',
        'ecs-heap loops that add or remove (entity_cycle, add_remove) first copy the query (a view valid only until ' +
        'the next add or remove) and turn indices into handles with refAt (add/remove take handles).',
        "spawn_wave is ours (the game suite's projectile wave): bitECS adds three components per entity and removes " +
        'each entity; ecs-heap spawns with allocMany, adds the components per entity (add) or per wave (addMany), ' +
        'and a minor() frees the wave (each op checks it freed all 1500).',
      ],
      data: { stats: Object.fromEntries(stats), cases: derived },
    },
    querySweep,
    firstDrop,
  ]);
}
