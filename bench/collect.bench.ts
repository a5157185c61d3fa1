/**
 * `collect`: a full `heap.collect()` of a heap whose objects are all reachable (so the same heap
 * can be collected again and again), on the standard tree and random graphs at 10^4..10^6 objects,
 * against anchors built from the same edge list in the same process:
 *
 * - limit (a lower bound): a minimal mark plus a scan of the colors; it skips duties the heap
 *   cannot skip (see bench/lib/limit.ts), so no real collector reaches 1x;
 * - same-work: the limit plus those duties (the base/size indirection, the stack room check, the
 *   flags test, the free-list rebuild), on columns laid out as the heap's;
 * - engine GC: the runtime's own full collection (`gc()` in Node and Deno, `Bun.gc(true)` in Bun)
 *   of the same graph built as JavaScript objects `{c0, c1, c2, c3}`;
 * - naive: an object-per-entity mark-sweep in TypeScript (bench/lib/naive.ts).
 */
import { bench, group, summary } from 'mitata';
import { atLeast, atMost, type Ctx, report, type Section, type SuiteReport } from './lib/report.ts';
import { ms, pow10, ratio } from './lib/format.ts';
import { type GraphKind, makeGraph } from './lib/graphs.ts';
import { buildHeap, exerciseCollector } from './lib/heaps.ts';
import { buildJsGraph } from './lib/js-graph.ts';
import { buildLimit, buildSameWork, limitCollect, sameWorkCollect } from './lib/limit.ts';
import { measure, p50, type Stat } from './lib/measure.ts';
import { buildNaive, naiveCollect } from './lib/naive.ts';
import { type Paired, pairedData, pairedWarm } from './lib/paired.ts';

const KINDS: GraphKind[] = ['tree', 'random'];
const name = (what: string, kind: GraphKind, n: number) => `${what} ${kind} ${pow10(n)}`;

/** mitata medians of every contender, each benchmark building its own copy of the graph. */
function measureMedians(ctx: Ctx, sizes: number[]): Promise<Map<string, Stat>> {
  const gc = ctx.fullGc;
  return measure(ctx, `collect (${ctx.label})`, () => {
    // The fixed cost of one engine GC in this process with no graph built: subtract it mentally.
    if (gc !== null) bench(`${ctx.gcName} with no graph`, () => gc());
    for (const kind of KINDS) {
      for (const n of sizes) {
        group(`${kind} graph, ${pow10(n)} objects, 4 slots each`, () => {
          summary(() => {
            // Setup (before `yield`) builds the graph and drops it afterwards, so only one graph
            // is alive while the engine's GC is timed.
            bench(name('ecs-heap', kind, n), function* () {
              const heap = buildHeap(makeGraph(kind, n));
              const first = heap.collect();
              if (kind === 'tree' && first.freed !== 0) throw new Error('tree: collect freed reachable objects');
              yield () => heap.collect().live;
            }).baseline(true);
            bench(name('limit', kind, n), function* () {
              const h = buildLimit(makeGraph(kind, n));
              limitCollect(h);
              yield () => limitCollect(h);
            });
            bench(name('same-work', kind, n), function* () {
              const h = buildSameWork(makeGraph(kind, n));
              sameWorkCollect(h);
              yield () => sameWorkCollect(h);
            });
            bench(name('naive', kind, n), function* () {
              const w = buildNaive(makeGraph(kind, n));
              naiveCollect(w);
              yield () => naiveCollect(w);
            });
            if (gc !== null) {
              bench(name('engine-gc', kind, n), function* () {
                const roots = buildJsGraph(makeGraph(kind, n));
                gc();
                // The closure holds the roots, so the graph stays alive while it is timed. (Not
                // do_not_optimize(roots): mitata keeps its last argument in a global, which would
                // keep this graph alive through the next benchmarks' engine GCs.)
                yield () => {
                  gc();
                  return roots;
                };
              });
            }
          });
        });
      }
    }
  });
}

/**
 * The ratios, paired round by round on one copy of each graph: every contender is called twice in
 * a row and the second call timed (`pairedWarm`), so each collection runs with its own data in the
 * caches, as in the mitata medians, while load from other processes hits all of them alike.
 */
function measurePairs(ctx: Ctx, sizes: number[]): Map<string, Paired> {
  const pairs = new Map<string, Paired>();
  for (const kind of KINDS) {
    for (const n of sizes) {
      ctx.log(`[bench] collect: paired ratios, ${kind} ${pow10(n)}`);
      const g = makeGraph(kind, n);
      const heap = buildHeap(g);
      const limit = buildLimit(g);
      const same = buildSameWork(g);
      const entries: { name: string; fn: () => unknown }[] = [
        { name: 'ecs-heap', fn: () => heap.collect() },
        { name: 'limit', fn: () => limitCollect(limit) },
        { name: 'same-work', fn: () => sameWorkCollect(same) },
      ];
      const gc = ctx.fullGc;
      if (gc !== null) {
        const roots = buildJsGraph(g);
        entries.push({
          name: 'engine-gc',
          fn: () => {
            gc();
            return roots; // the closure keeps the graph alive
          },
        });
      }
      pairs.set(`${kind} ${n}`, pairedWarm(entries, ctx.quick ? 1000 : 2000));
    }
  }
  return pairs;
}

function ratiosSection(ctx: Ctx, sizes: number[], stats: Map<string, Stat>, pairs: Map<string, Paired>): Section {
  const gc = ctx.fullGc;
  const s: Required<Section> = { tables: [], targets: [], ratios: [], notes: [], data: {} };
  const rows: string[][] = [];
  const derived: Record<string, unknown>[] = [];
  for (const kind of KINDS) {
    for (const n of sizes) {
      const ecs = p50(stats, name('ecs-heap', kind, n));
      const naive = p50(stats, name('naive', kind, n));
      const engine = gc === null ? NaN : p50(stats, name('engine-gc', kind, n));
      const pair = pairs.get(`${kind} ${n}`)!;
      // Paired ratios are time(entry) / time(ecs-heap) per round.
      const overLimit = 1 / pair.ratios[1]!;
      const overSame = 1 / pair.ratios[2]!;
      const engineOverEcs = gc === null ? NaN : pair.ratios[3]!;
      rows.push([
        kind,
        pow10(n),
        ms(ecs),
        (ecs / n).toFixed(1),
        ms(p50(stats, name('limit', kind, n))),
        ratio(overLimit),
        ms(p50(stats, name('same-work', kind, n))),
        ratio(overSame),
        gc === null ? 'n/a' : ms(engine),
        ratio(engineOverEcs),
        ms(naive),
        ratio(naive / ecs),
      ]);
      derived.push({
        kind,
        n,
        ecsHeapNs: ecs,
        limitNs: p50(stats, name('limit', kind, n)),
        sameWorkNs: p50(stats, name('same-work', kind, n)),
        engineGcNs: engine,
        naiveNs: naive,
        naiveOverEcs: naive / ecs,
        paired: pairedData(pair, 'timeOverEcsHeap'),
        ecsOverLimitPaired: overLimit,
        ecsOverSameWorkPaired: overSame,
        engineGcOverEcsPaired: engineOverEcs,
      });
      const at = `collect ${pow10(n)} ${kind} (${ctx.label})`;
      s.ratios.push(
        { name: `${at}: ecs-heap / limit (lower bound), time, paired`, value: overLimit },
        { name: `${at}: ecs-heap / same-work loop, time, paired`, value: overSame },
        { name: `${at}: ${ctx.gcName} / ecs-heap, time, paired`, value: engineOverEcs },
      );
      if (kind === 'tree' && n === 1e6) {
        s.targets.push(atMost(`${at}: ecs-heap / limit (lower bound; paired)`, overLimit, 1.5));
        if (gc !== null) {
          s.targets.push(
            atLeast(`collect 10^6 tree (${ctx.label}): ${ctx.gcName} / ecs-heap (paired)`, engineOverEcs, 3),
          );
        }
      }
    }
  }
  s.tables.push({
    title: `collect: full collection of an all-reachable heap (${ctx.label} ${ctx.runtimeVersion})`,
    columns: [
      'graph',
      'objects',
      'ecs-heap ms',
      'ns/object',
      'limit ms (lower bound)',
      'ecs-heap/limit',
      'same-work ms',
      'ecs-heap/same-work',
      `${ctx.gcName} ms`,
      'engine/ecs-heap',
      'naive ms',
      'naive/ecs-heap',
    ],
    rows,
  });
  s.data.ratios = derived;
  return s;
}

function notes(ctx: Ctx, stats: Map<string, Stat>): string[] {
  const out: string[] = [];
  if (ctx.fullGc === null) {
    out.push(
      `${ctx.gcName} is not exposed in this process (run Node with --expose-gc, Deno with --v8-flags=--expose-gc): ` +
        'the engine-GC anchor is skipped.',
    );
  } else {
    out.push(
      `${ctx.gcName} with no graph built takes ${
        ms(p50(stats, `${ctx.gcName} with no graph`))
      } ms in this process; the engine-GC column includes it.`,
    );
  }
  out.push(
    'Times (ms, ns/object) are mitata medians per collection, taken back to back (caches warm). The three ratios ' +
      'are paired: rounds that call every contender on its own copy of the graph, each twice in a row with the ' +
      'second call timed (so caches are warm, as in the medians), the order rotating; each ratio is the median ' +
      'of the per-round ratios. ecs-heap/limit and ecs-heap/same-work: 1x is as fast as the hand-written loop, ' +
      "lower is better. engine/ecs-heap: how many times faster ecs-heap is than the engine's full GC. " +
      'naive/ecs-heap is a ratio of medians. Every collector path, mark-stack growth included, ran once before ' +
      'measuring (exerciseCollector).',
    'limit is a lower bound, not the same work: it skips the base/size indirection into a slot pool, the ' +
      "stack room check, the flags test and the free-list rebuild, which the heap's collector must do. " +
      'same-work does those too (bench/lib/limit.ts); what ecs-heap adds beyond it is weak processing with ' +
      'nothing weak, promotion, card clearing, pacing and statistics.',
  );
  return out;
}

export async function collectSuite(ctx: Ctx): Promise<SuiteReport> {
  const sizes = ctx.quick ? [1e4, 1e5] : [1e4, 1e5, 1e6];
  exerciseCollector();
  const stats = await measureMedians(ctx, sizes);
  const pairs = measurePairs(ctx, sizes);
  return report('collect', ctx, [
    ratiosSection(ctx, sizes, stats, pairs),
    { notes: notes(ctx, stats), data: { stats: Object.fromEntries(stats) } },
  ]);
}
