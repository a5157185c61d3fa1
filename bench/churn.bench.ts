/**
 * `churn`: spawn and drop short-lived objects that reference long-lived ones, and collect.
 *
 * A world of 10^4 long-lived objects (a 4-slot tree, its root pinned) stays alive. One round
 * allocates K short-lived 2-slot objects, each referencing two world objects, keeps their handles
 * in an array (which is no root: JavaScript variables never are) and then collects, which frees
 * all K. The rate is objects created and destroyed per second, K / round time, so the cost of the
 * collection (marking the world, sweeping) is included, amortized over K.
 *
 * Anchors in the same process:
 * - bitECS 0.4: `addEntity` then `removeEntity` for K entities per round in a world that also holds
 *   10^4 live entities. Bare entities, no components: the least work bitECS can do per entity,
 *   and less than ecs-heap does (no references stored, nothing traced).
 * - ecs-heap bare: `alloc(0)` and collect, the same work as bitECS.
 * - JavaScript objects: `{ a, b }` referencing two world objects, dropped when the next round
 *   overwrites them; the engine's GC cost is inside the measured time, as mitata times many rounds.
 */
import { addEntity, createWorld, removeEntity } from 'bitecs';
import { bench, group, summary } from 'mitata';
import type { Heap, Index, Ref } from '../mod.ts';
import { buildHeap, buildJsNodes, exerciseCollector, type JsNode } from './collect.bench.ts';
import {
  type Ctx,
  makeGraph,
  measure,
  p50,
  type Paired,
  paired,
  pow10,
  prng,
  ratio,
  sig,
  type SuiteReport,
  type Table,
  type Target,
} from './common.ts';

const WORLD = 1e4;

/** Two world picks per short-lived object, the same sequence for every contender. */
function picks(k: number): Uint32Array {
  const rand = prng(0xc4a7 ^ k);
  const p = new Uint32Array(2 * k);
  for (let j = 0; j < p.length; j++) p[j] = Math.floor(rand() * WORLD);
  return p;
}

/** The world's handles, in allocation order (index i+1 holds tree node i). */
function worldHeap(): { heap: Heap; world: Ref[] } {
  const heap = buildHeap(makeGraph('tree', WORLD));
  const world: Ref[] = [];
  for (let i = 1; i <= WORLD; i++) world.push(heap.refAt(i as Index));
  return { heap, world };
}

interface JsPair {
  a: JsNode;
  b: JsNode;
}

// Each factory builds one contender's state and returns one round: K objects created and
// destroyed. The mitata runs and the paired runs use the same factories.

/** K allocs with 2 slots and 2 set() each, then `collect()` (or `minor()`), which frees all K. */
function ecsRound(k: number, collector: 'collect' | 'minor'): () => unknown {
  const { heap, world } = worldHeap();
  const p = picks(k);
  const held: Ref[] = new Array(k).fill(0);
  return () => {
    for (let j = 0; j < k; j++) {
      const o = heap.alloc(2);
      heap.set(o, 0, world[p[2 * j]!]!);
      heap.set(o, 1, world[p[2 * j + 1]!]!);
      held[j] = o;
    }
    const info = collector === 'collect' ? heap.collect() : heap.minor();
    if (info.freed !== k) throw new Error(`churn: ${collector}() freed ${info.freed}, expected ${k}`);
    return held;
  };
}

/** K bare `alloc(0)` then `collect()`: the same work as bitECS's bare entities. */
function bareRound(k: number): () => unknown {
  const { heap } = worldHeap();
  const held: Ref[] = new Array(k).fill(0);
  return () => {
    for (let j = 0; j < k; j++) held[j] = heap.alloc(0);
    heap.collect();
    return held;
  };
}

/** K `addEntity` then K `removeEntity`, in a world that holds 10^4 live entities too. */
export function bitecsRound(k: number): () => unknown {
  const world = createWorld();
  for (let i = 0; i < WORLD; i++) addEntity(world);
  const held: number[] = new Array(k).fill(0);
  return () => {
    for (let j = 0; j < k; j++) held[j] = addEntity(world);
    for (let j = 0; j < k; j++) removeEntity(world, held[j]!);
    return held;
  };
}

/** K `{ a, b }` objects referencing the same tree as JavaScript objects, dropped next round. */
function jsRound(k: number): () => unknown {
  // world[i] is the object at heap index i + 1.
  const world = buildJsNodes(makeGraph('tree', WORLD)).slice(1);
  const p = picks(k);
  const held: (JsPair | null)[] = new Array(k).fill(null);
  return () => {
    for (let j = 0; j < k; j++) held[j] = { a: world[p[2 * j]!]!, b: world[p[2 * j + 1]!]! };
    return held;
  };
}

export async function churnSuite(ctx: Ctx): Promise<SuiteReport> {
  const ks = ctx.quick ? [1e3, 1e4] : [1e3, 1e4, 1e5];
  const name = (what: string, k: number) => `${what} K=${pow10(k)}`;

  exerciseCollector();
  const stats = await measure(ctx, `churn (${ctx.runtime})`, () => {
    for (const k of ks) {
      group(`churn: ${pow10(k)} objects created and destroyed per round, world of ${pow10(WORLD)}`, () => {
        summary(() => {
          bench(name('ecs-heap 2 refs', k), function* () {
            yield ecsRound(k, 'collect');
          }).baseline(true);
          bench(name('ecs-heap 2 refs minor', k), function* () {
            yield ecsRound(k, 'minor');
          });
          bench(name('ecs-heap bare', k), function* () {
            yield bareRound(k);
          });
          bench(name('bitECS', k), function* () {
            yield bitecsRound(k);
          });
          bench(name('JS objects', k), function* () {
            yield jsRound(k);
          });
        });
      });
    }
  });

  // Paired: bitECS and the two ecs-heap rounds in turn, for the target ratios (see `paired`).
  const pairs = new Map<number, Paired>();
  for (const k of ks) {
    ctx.log(`[bench] churn: paired ratios, K=${pow10(k)}`);
    pairs.set(
      k,
      paired([
        { name: 'bitECS', fn: bitecsRound(k) },
        { name: 'ecs-heap collect()', fn: ecsRound(k, 'collect') },
        { name: 'ecs-heap minor()', fn: ecsRound(k, 'minor') },
      ], ctx.quick ? 1000 : 2000),
    );
  }

  const rows: string[][] = [];
  const targets: Target[] = [];
  const derived: Record<string, unknown>[] = [];
  const rate = (what: string, k: number) => k / (p50(stats, name(what, k)) / 1e9);
  for (const k of ks) {
    const ecs = rate('ecs-heap 2 refs', k);
    const minor = rate('ecs-heap 2 refs minor', k);
    const bare = rate('ecs-heap bare', k);
    const bit = rate('bitECS', k);
    const js = rate('JS objects', k);
    const pair = pairs.get(k)!;
    // Paired ratios are time(entry) / time(bitECS) per round; rates are their inverse.
    const collectOverBit = 1 / pair.ratios[1]!;
    const minorOverBit = 1 / pair.ratios[2]!;
    rows.push([
      pow10(k),
      sig(ecs / 1e6),
      sig(minor / 1e6),
      sig(bare / 1e6),
      sig(bit / 1e6),
      sig(js / 1e6),
      ratio(collectOverBit),
      ratio(minorOverBit),
      ratio(bare / bit),
      ratio(ecs / js),
    ]);
    derived.push({
      k,
      ecsHeapCollectPerSec: ecs,
      ecsHeapMinorPerSec: minor,
      ecsHeapBarePerSec: bare,
      bitEcsPerSec: bit,
      jsObjectsPerSec: js,
      paired: { rounds: pair.rounds, names: pair.names, medianNs: pair.medians, timeOverBitEcs: pair.ratios },
      collectOverBitEcsPaired: collectOverBit,
      minorOverBitEcsPaired: minorOverBit,
    });
    targets.push({
      name: `churn K=${pow10(k)} (${ctx.runtime}): ecs-heap (2 refs, collect() every round) / bitECS (paired)`,
      goal: '>= 10',
      value: collectOverBit,
      met: collectOverBit >= 10,
    });
  }
  const table: Table = {
    title: `churn: objects created + destroyed per second (millions), world of ${
      pow10(WORLD)
    } live (${ctx.runtime} ${ctx.runtimeVersion})`,
    columns: [
      'K per round',
      'collect()',
      'minor()',
      'bare',
      'bitECS',
      'JS objects',
      'collect()/bitECS',
      'minor()/bitECS',
      'bare/bitECS',
      'collect()/JS',
    ],
    rows,
  };
  return {
    suite: 'churn',
    runtime: ctx.runtime,
    tables: [table],
    targets,
    notes: [
      'collect(): one round is K allocs (2 slots, 2 set() each) then collect(), which marks the 10^4-object world ' +
      'and frees all K. minor(): the same round ending in minor(), which frees the K young objects without ' +
      "tracing the old world. bare: alloc(0) + collect(), the same work as bitECS's bare addEntity + removeEntity. " +
      'Rates use mitata medians; collect()/bitECS and minor()/bitECS are paired ratios (rounds alternating ' +
      'between the contenders), the others ratios of medians.',
      "JS objects: the engine allocating { a, b } pairs; its GC is amortized into the time (the engine's own churn, for reference).",
    ],
    data: { stats: Object.fromEntries(stats), rates: derived },
  };
}
