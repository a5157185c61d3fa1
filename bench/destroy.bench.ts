/**
 * `destroy`: killing by hand. One round spawns K short-lived 2-slot objects referencing a 10^4-object
 * world (the churn workload, bench/lib/churn.ts), destroys every one of them explicitly, and runs
 * `minor()`, which reclaims their indices. A game that destroys its bullets must pay no more than
 * one that drops them, and compare with an ECS that destroys by hand.
 *
 * Contenders, paired (called in turn, rounds rotating; ratios are medians of per-round ratios):
 * - bitECS 0.4: `addEntity` then `removeEntity` (the anchor: destroying by hand is all it does);
 * - ecs-heap dropped: the churn round with `minor()`: nothing destroyed, the minor finds them dead;
 * - ecs-heap destroyed: the same objects `destroy`ed, then `minor()`;
 * - ecs-heap destroyed, named by the world: each object is also stored in a slot of an old world
 *   node first, so the minor must clear that name (through the remembered set) before it can
 *   reclaim the index.
 */
import type { Heap, Index, Ref } from '../mod.ts';
import { bitecsChurnRound, CHURN_WORLD, churnPicks, ecsChurnRound } from './lib/churn.ts';
import { pow10, ratio, sig } from './lib/format.ts';
import { buildHeap, exerciseCollector } from './lib/heaps.ts';
import { makeGraph } from './lib/graphs.ts';
import { paired, pairedData } from './lib/paired.ts';
import { type Ctx, report, type Section, type SuiteReport } from './lib/report.ts';

/** K objects a round, `destroy`ed, then `minor()`; `named`: each is first stored in an old world node's slot. */
function destroyRound(k: number, named: boolean): () => unknown {
  const heap: Heap = buildHeap(makeGraph('tree', CHURN_WORLD));
  const world: Ref[] = [];
  for (let i = 1; i <= CHURN_WORLD; i++) world.push(heap.refAt(i as Index));
  heap.collect(); // the world is old: what a game's level is after loading
  const p = churnPicks(k);
  const firstLeaf = Math.ceil((CHURN_WORLD - 1) / 4);
  const held: Ref[] = new Array(k).fill(0);
  return () => {
    for (let j = 0; j < k; j++) {
      const o = heap.alloc(2);
      heap.set(o, 0, world[p[2 * j]!]!);
      heap.set(o, 1, world[p[2 * j + 1]!]!);
      if (named) heap.set(world[firstLeaf + (j % (CHURN_WORLD - firstLeaf))]!, 3, o);
      held[j] = o;
    }
    for (let j = 0; j < k; j++) heap.destroy(held[j]!);
    heap.minor();
    const stats = heap.stats();
    if (stats.destroyed !== 0 || stats.live !== CHURN_WORLD) {
      throw new Error(`destroy: ${stats.destroyed} destroyed objects left, ${stats.live} live after the minor`);
    }
    return held;
  };
}

export function destroySuite(ctx: Ctx): Promise<SuiteReport> {
  const ks = ctx.quick ? [1e3] : [1e3, 1e4];
  exerciseCollector();
  const s: Required<Section> = { tables: [], targets: [], ratios: [], notes: [], data: {} };
  const rows: string[][] = [];
  const derived: Record<string, unknown>[] = [];
  for (const k of ks) {
    ctx.log(`[bench] destroy: paired rounds, K=${pow10(k)}`);
    const pair = paired([
      { name: 'bitECS add+remove', fn: bitecsChurnRound(k) },
      { name: 'ecs-heap dropped, minor()', fn: ecsChurnRound(k, 'minor', true) },
      { name: 'ecs-heap destroyed, minor()', fn: destroyRound(k, false) },
      { name: 'ecs-heap destroyed, named by the world, minor()', fn: destroyRound(k, true) },
    ], ctx.quick ? 1000 : 3000);
    const rate = (entry: number) => k / (pair.medians[entry]! / 1e9) / 1e6;
    rows.push([
      pow10(k),
      sig(rate(0)),
      sig(rate(1)),
      sig(rate(2)),
      sig(rate(3)),
      ratio(1 / pair.ratios[2]!),
      ratio(pair.ratios[2]! / pair.ratios[1]!),
      ratio(pair.ratios[3]! / pair.ratios[1]!),
    ]);
    derived.push({ k, paired: pairedData(pair, 'timeOverBitEcs') });
    const at = `destroy K=${pow10(k)} (${ctx.label})`;
    s.ratios.push(
      { name: `${at}: ecs-heap destroy+minor rate / bitECS add+remove rate, paired`, value: 1 / pair.ratios[2]! },
      { name: `${at}: ecs-heap destroyed time / dropped time, paired`, value: pair.ratios[2]! / pair.ratios[1]! },
    );
  }
  s.tables.push({
    title: `destroy: objects created + destroyed per second (millions), world of ${
      pow10(CHURN_WORLD)
    } live (${ctx.label} ${ctx.runtimeVersion})`,
    columns: [
      'K per round',
      'bitECS',
      'dropped',
      'destroyed',
      'destroyed, named',
      'destroyed/bitECS',
      'destroyed time / dropped time',
      'named time / dropped time',
    ],
    rows,
  });
  s.notes.push(
    'Each ecs-heap object has 2 reference slots set (bitECS entities are bare); every round ends with all K freed ' +
      'and their indices reusable (checked).',
  );
  s.data.rounds = derived;
  return Promise.resolve(report('destroy', ctx, [s]));
}
