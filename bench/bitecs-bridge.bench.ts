/**
 * `bitecs-bridge`: dropping a subtree of a bitECS scene graph, and cleaning up after it.
 *
 * The scene is the standard tree (`makeGraph('tree', n)`: node i's children are 4i+1..4i+4) as
 * bitECS entities with a `Node` tag; the game drops the subtree under one node, chosen so that it
 * holds about a tenth of the scene. Three ways to clean up, each in its own fresh world:
 *
 * - bridge: `Parent.eid` and `Child0..3.eid` are `Uint32Array` ref fields; the game clears the
 *   parent's child field and calls the bridge's `collect()`, which marks the rest of the scene,
 *   removes the dropped subtree with `removeEntity` and resets the removed entities' fields. The
 *   collector has collected once before (as in a game that collects every so often), so its
 *   columns are sized.
 * - bitECS relations: every node but the root has `ChildOf(parent)`, a relation created with
 *   `autoRemoveSubject`; the game calls `removeEntity` on the subtree's root and bitECS removes
 *   the rest by cascading through the relation. The same cleanup, bitECS's own way.
 * - by hand (the limit): the same ref fields as the bridge; the game walks the dropped subtree
 *   itself (explicit stack over the child fields) and calls `removeEntity` on each node. The
 *   least work the cleanup can be: no marking of what survives.
 *
 * Why not mitata: every sample destroys its world, building a world costs more than the cleanup,
 * and the bitECS side takes up to a second per sample, so mitata's 12-sample minimum plus its
 * calibration would take minutes. Instead each round builds all three worlds, then times the
 * three cleanups in an order that rotates each round (as `paired` does); the table shows medians
 * over rounds and the median of the per-round ratios.
 *
 * Standalone: `node --expose-gc --import tsx bench/bitecs-bridge.bench.ts [--quick] [--json]`
 * (or `npx bun ...`, `npx deno run -A --v8-flags=--expose-gc ...`). In the harness, register
 * `bitecsBridgeSuite` in bench/run.ts's SUITES.
 */
import process from 'node:process';
import {
  $internal,
  addComponent,
  addEntity,
  createRelation,
  createWorld,
  removeEntity,
  withAutoRemoveSubject,
  type World,
} from 'bitecs';
import { createCollector } from '../bitecs.ts';
import { pow10, ratio, sig } from './lib/format.ts';
import { type Graph, makeGraph, SLOTS } from './lib/graphs.ts';
import { isMain, runStandalone } from './lib/output.ts';
import { type Ctx, report, type SuiteReport, type Table, type Target } from './lib/report.ts';
import { median } from './lib/stats.ts';

// ---- the scene -------------------------------------------------------------------------------

/** Sizes of every node's subtree (0-based nodes; children come after their parent). */
function subtreeSizes(g: Graph): Uint32Array {
  const size = new Uint32Array(g.n).fill(1);
  for (let i = g.n - 1; i > 0; i--) size[(i - 1) >> 2]! += size[i]!;
  return size;
}

/** The node whose subtree is closest to a tenth of the scene (ties: the first). */
function pickDropped(g: Graph): { node: number; size: number } {
  const size = subtreeSizes(g);
  let best = 1;
  for (let i = 2; i < g.n; i++) {
    if (Math.abs(size[i]! - g.n / 10) < Math.abs(size[best]! - g.n / 10)) best = i;
  }
  return { node: best, size: size[best]! };
}

interface FieldScene {
  world: World;
  /** Node i (0-based) is entity eid[i]. */
  eid: Uint32Array;
  parent: Uint32Array;
  /** child[k][e]: the k-th child of entity e, or 0. */
  child: Uint32Array[];
}

const Node = {};

/** The tree as entities with ref fields (for the bridge and for cleanup by hand). */
function buildFieldScene(g: Graph): FieldScene {
  const world = createWorld();
  const capacity = g.n + 1;
  const scene: FieldScene = {
    world,
    eid: new Uint32Array(g.n),
    parent: new Uint32Array(capacity),
    child: [0, 1, 2, 3].map(() => new Uint32Array(capacity)),
  };
  for (let i = 0; i < g.n; i++) {
    const e = addEntity(world);
    addComponent(world, e, Node);
    scene.eid[i] = e;
  }
  for (let i = 0; i < g.n; i++) {
    const e = scene.eid[i]!;
    for (let k = 0; k < SLOTS; k++) {
      const t = g.edges[SLOTS * i + k]!; // 1-based target node, 0 for none
      if (t === 0) continue;
      const c = scene.eid[t - 1]!;
      scene.child[k]![e] = c;
      scene.parent[c] = e;
    }
  }
  return scene;
}

/** The tree as entities with `ChildOf(parent)` pairs of an `autoRemoveSubject` relation. */
function buildRelationScene(g: Graph): { world: World; eid: Uint32Array } {
  const world = createWorld();
  const ChildOf = createRelation(withAutoRemoveSubject);
  const eid = new Uint32Array(g.n);
  for (let i = 0; i < g.n; i++) {
    const e = addEntity(world);
    addComponent(world, e, Node);
    eid[i] = e;
    if (i > 0) addComponent(world, e, ChildOf(eid[(i - 1) >> 2]!));
  }
  return { world, eid };
}

function aliveCount(world: World): number {
  return (world as { [$internal]: { entityComponents: Map<number, unknown> } })[$internal].entityComponents.size;
}

/** The game cuts the link from the dropped node's parent (the same write for bridge and by hand). */
function cut(scene: FieldScene, dropped: number): void {
  const e = scene.eid[dropped]!;
  const p = scene.parent[e]!;
  for (let k = 0; k < SLOTS; k++) if (scene.child[k]![p] === e) scene.child[k]![p] = 0;
}

// ---- the three cleanups (each returns a function that does it once) --------------------------

function bridgeCleanup(g: Graph, dropped: number): { run: () => number; world: World } {
  const scene = buildFieldScene(g);
  const gc = createCollector(scene.world, { refs: [scene.parent, ...scene.child], allowNoRoots: true });
  gc.root(scene.eid[0]!);
  // A game that adopted the bridge collects every so often: the collector's columns are sized.
  if (gc.collect().freed !== 0) throw new Error('bitecs-bridge: the first collection freed something');
  cut(scene, dropped);
  return { run: () => gc.collect().freed, world: scene.world };
}

function relationCleanup(g: Graph, dropped: number): { run: () => number; world: World } {
  const { world, eid } = buildRelationScene(g);
  return {
    run: () => {
      const before = aliveCount(world);
      removeEntity(world, eid[dropped]!);
      return before - aliveCount(world);
    },
    world,
  };
}

function handCleanup(g: Graph, dropped: number): { run: () => number; world: World } {
  const scene = buildFieldScene(g);
  cut(scene, dropped);
  const stack = new Uint32Array(g.n);
  return {
    run: () => {
      const { world, child } = scene;
      let sp = 0;
      let freed = 0;
      stack[sp++] = scene.eid[dropped]!;
      while (sp > 0) {
        const e = stack[--sp]!;
        for (let k = 0; k < SLOTS; k++) {
          const c = child[k]![e]!;
          if (c !== 0) stack[sp++] = c;
        }
        removeEntity(world, e);
        freed++;
      }
      return freed;
    },
    world: scene.world,
  };
}

const CONTENDERS = {
  bridge: bridgeCleanup,
  relations: relationCleanup,
  hand: handCleanup,
} as const;
type Contender = keyof typeof CONTENDERS;

interface SizeResult {
  n: number;
  dropped: number;
  subtree: number;
  rounds: number;
  /** Median milliseconds per contender. */
  medianMs: Partial<Record<Contender, number>>;
  /** Median over rounds of (relations / bridge) and (bridge / hand). */
  relationsOverBridge: number | null;
  bridgeOverHand: number;
  /** Queries bitECS had registered in the relation world after one cascade. */
  queriesAfterCascade: number | null;
}

function measureSize(ctx: Ctx, n: number, rounds: number, withRelations: boolean): SizeResult {
  const g = makeGraph('tree', n);
  const { node: dropped, size: subtree } = pickDropped(g);
  const names: Contender[] = withRelations ? ['bridge', 'relations', 'hand'] : ['bridge', 'hand'];
  const times: Record<Contender, number[]> = { bridge: [], relations: [], hand: [] };
  const relOverBridge: number[] = [];
  const bridgeOverHand: number[] = [];
  let queriesAfterCascade: number | null = null;
  // One unmeasured warm-up round, then `rounds` measured ones.
  for (let r = -1; r < rounds; r++) {
    ctx.log(`[bench] bitecs-bridge: 10^${Math.log10(n)} scene, round ${r + 1} of ${rounds}`);
    const built = names.map((name) => ({ name, ...CONTENDERS[name](g, dropped) }));
    const t: Partial<Record<Contender, number>> = {};
    for (let j = 0; j < built.length; j++) {
      const b = built[(Math.max(r, 0) + j) % built.length]!;
      ctx.fullGc?.();
      const t0 = performance.now();
      const freed = b.run();
      t[b.name] = performance.now() - t0;
      if (freed !== subtree || aliveCount(b.world) !== n - subtree) {
        throw new Error(
          `bitecs-bridge: ${b.name} freed ${freed} (alive ${aliveCount(b.world)}), expected ${subtree} of ${n}`,
        );
      }
      if (b.name === 'relations') {
        queriesAfterCascade = (b.world as { [$internal]: { queries: Set<unknown> } })[$internal].queries.size;
      }
    }
    if (r < 0) continue;
    for (const name of names) times[name].push(t[name]!);
    if (withRelations) relOverBridge.push(t.relations! / t.bridge!);
    bridgeOverHand.push(t.bridge! / t.hand!);
  }
  const medianMs: Partial<Record<Contender, number>> = {};
  for (const name of names) medianMs[name] = median(times[name]);
  return {
    n,
    dropped,
    subtree,
    rounds,
    medianMs,
    relationsOverBridge: withRelations ? median(relOverBridge) : null,
    bridgeOverHand: median(bridgeOverHand),
    queriesAfterCascade,
  };
}

// ---- the suite -------------------------------------------------------------------------------

export function bitecsBridgeSuite(ctx: Ctx): Promise<SuiteReport> {
  // bitECS's cascade costs O(subtree x scene) (see the notes): it is measured up to 10^4 only.
  const plan: { n: number; rounds: number; relations: boolean }[] = ctx.quick
    ? [{ n: 1e3, rounds: 7, relations: true }, { n: 1e4, rounds: 3, relations: true }]
    : [
      { n: 1e3, rounds: 15, relations: true },
      { n: 1e4, rounds: 7, relations: true },
      { n: 1e5, rounds: 7, relations: false },
    ];
  const results = plan.map((p) => measureSize(ctx, p.n, p.rounds, p.relations));

  const ms3 = (x: number | undefined) => (x === undefined ? 'not run' : sig(x));
  const table: Table = {
    title:
      `bitecs-bridge: drop a subtree of a bitECS scene graph, clean up (ms, median) (${ctx.label} ${ctx.runtimeVersion})`,
    columns: [
      'scene',
      'subtree',
      'bridge collect()',
      'bitECS autoRemoveSubject',
      'by hand (limit)',
      'bitECS / bridge',
      'bridge / by hand',
    ],
    rows: results.map((r) => [
      pow10(r.n),
      String(r.subtree),
      ms3(r.medianMs.bridge),
      ms3(r.medianMs.relations),
      ms3(r.medianMs.hand),
      r.relationsOverBridge === null ? 'not run' : ratio(r.relationsOverBridge),
      ratio(r.bridgeOverHand),
    ]),
  };
  const targets: Target[] = results.filter((r) => r.relationsOverBridge !== null).map((r) => ({
    name: `bitecs-bridge ${pow10(r.n)} scene (${ctx.label}): bitECS autoRemoveSubject cascade / bridge collect()`,
    goal: '>= 1',
    value: r.relationsOverBridge!,
    met: r.relationsOverBridge! >= 1,
  }));
  const cascaded = [...results].reverse().find((r) => r.queriesAfterCascade !== null);
  const notes = [
    'Each round builds a fresh world per contender and times one cleanup; ratios are medians of ' +
    'per-round ratios (the order rotates each round), times are medians over rounds.',
    'bridge: the game clears one child field and calls collect(), which marks the whole surviving ' +
    'scene (5 Uint32Array ref fields per node), removes the subtree with removeEntity and resets ' +
    "the removed entities' fields. by hand: the game walks the subtree through the same fields and " +
    'calls removeEntity on each node, marking nothing: the least the cleanup can cost.',
    'bitECS autoRemoveSubject: removeEntity on the subtree root; bitECS 0.4.0 cascades by running ' +
    'query(world, [Wildcard(eid)]) for every removed entity that has relations. Each is a new ' +
    'query, registered for good and built by scanning every live entity, so the cascade costs ' +
    'O(subtree x scene) and leaves one query per removed entity in the world (' +
    (cascaded === undefined
      ? 'not measured here'
      : `${cascaded.queriesAfterCascade} after dropping ${cascaded.subtree} nodes of ${pow10(cascaded.n)}`) +
    '), which every later removeEntity iterates. Not run at 10^5: while this suite was written, a ' +
    '1,365-node subtree of a 10^5 scene took 13 s in Node and a 5,461-node one exhausted a 4 GB heap.',
  ];
  return Promise.resolve(report('bitecs-bridge', ctx, [{
    tables: [table],
    targets,
    ratios: results.flatMap((r) => [
      ...(r.relationsOverBridge === null ? [] : [{
        name: `bitecs-bridge ${pow10(r.n)} scene (${ctx.label}): autoRemoveSubject cascade / bridge collect(), time`,
        value: r.relationsOverBridge,
      }]),
      {
        name: `bitecs-bridge ${pow10(r.n)} scene (${ctx.label}): bridge collect() / by hand, time`,
        value: r.bridgeOverHand,
      },
    ]),
    notes,
    data: { results },
  }]));
}

// ---- standalone ------------------------------------------------------------------------------

if (isMain(import.meta)) process.exitCode = await runStandalone('bitecs-bridge', bitecsBridgeSuite);
