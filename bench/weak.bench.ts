/**
 * `weak`: what weak references, ephemerons and finalizers cost, against the same work without
 * them and against the engine's own `WeakMap`, in the same process.
 *
 * 1. Collection with 10% weak and 10% ephemeron objects against an all-strong heap of the same
 *    size and shape (the same objects, the same slot contents; only the kinds differ), at 10^5
 *    and 10^6 objects, 4 slots each:
 *    - tree: the standard tree (`makeGraph`). The weak and ephemeron objects are leaves (a tree
 *      node's children would die with a weak parent): leaves with index = 3 (mod 15) are weak,
 *      = 7 (mod 15) ephemerons, 10% of all objects each. Their four slots, NULL in the standard
 *      tree, point to seeded random objects, in both heaps: strong edges to objects the tree
 *      reaches anyway in the strong heap, weak slots or two (key, value) pairs in the other.
 *      Every object stays reachable in both.
 *    - random: the standard random graph; objects with index = 3 (mod 10) are weak, = 7 (mod 10)
 *      ephemerons, keeping their four random slots. Their slots no longer keep targets alive, so
 *      a few more objects are unreachable (the live counts are in the table); both heaps are
 *      collected once before measuring, so every measured collection frees nothing, and the
 *      measured work is marking, the ephemeron fixed point and the weak-slot clearing pass.
 *    A third heap holds the same objects as strong objects with NULL slots (no such references at
 *    all), so weak/none is what weak processing adds and weak/strong what holding the same edges
 *    weakly saves or costs.
 * 2. Finalizers: K objects allocated and dropped, then `collect()`, which frees all K, with a
 *    finalizer set on each (`setFinalizer`, one shared function) or a component whose `onRemove`
 *    hook runs instead, against the same round without either: ns per finalized object.
 * 3. A weak cache of entities: an `'ephemeron'` table mapping entity -> cached object (the cached
 *    object refers back to its entity, the case a plain weak-keyed map with strong values leaks),
 *    against a JavaScript `WeakMap` from entity objects to cached objects doing the same job. One
 *    round: drop last round's survivors, insert N entities with their cached objects, look up all
 *    N, drop half, force a full collection (`collect()`, or the engine's `gc()` for the WeakMap),
 *    and look up the surviving half. The table is indexed by entity index (key at slot 2i, value
 *    at 2i+1), as SoA code indexes columns; the collector clears the pairs of dead keys.
 */
import { bench, group, summary } from 'mitata';
import { type ComponentBase, Heap, NULL, type Ref, type RefArray } from '../mod.ts';
import { ms, pow10, ratio, sig } from './lib/format.ts';
import { type Graph, type GraphKind, makeGraph, prng, SLOTS } from './lib/graphs.ts';
import { exerciseCollector } from './lib/heaps.ts';
import { measure, p50, type Stat } from './lib/measure.ts';
import { type Paired, paired, pairedData } from './lib/paired.ts';
import { type Ctx, type Ratio, report, type Section, type SuiteReport } from './lib/report.ts';

// ---- 1. collection with weak and ephemeron objects ---------------------------------------------

const STRONG = 0;
const WEAK_KIND = 1;
const EPHEMERON_KIND = 2;

/** A standard graph plus the kind each object gets in the weak heap (`kinds[i]`, 1-based). */
interface MixedGraph {
  graph: Graph;
  kinds: Uint8Array;
  weak: number;
  ephemerons: number;
}

export function mixedGraph(kind: GraphKind, n: number): MixedGraph {
  const graph = makeGraph(kind, n);
  const kinds = new Uint8Array(n + 1);
  const edges = graph.edges;
  const rand = prng(0x3eac ^ n);
  let weak = 0;
  let ephemerons = 0;
  for (let i = 1; i <= n; i++) {
    let k = STRONG;
    if (kind === 'tree') {
      // Node i (1-based) is a leaf when its first child, 4(i-1)+1 (0-based), is past the end.
      const leaf = SLOTS * (i - 1) + 1 >= n;
      if (leaf && i % 15 === 3) k = WEAK_KIND;
      else if (leaf && i % 15 === 7) k = EPHEMERON_KIND;
      if (k !== STRONG) {
        for (let s = 0; s < SLOTS; s++) edges[SLOTS * (i - 1) + s] = 1 + Math.floor(rand() * n);
      }
    } else {
      if (i % 10 === 3) k = WEAK_KIND;
      else if (i % 10 === 7) k = EPHEMERON_KIND;
    }
    kinds[i] = k;
    if (k === WEAK_KIND) weak++;
    else if (k === EPHEMERON_KIND) ephemerons++;
  }
  return { graph, kinds, weak, ephemerons };
}

/**
 * How the heap holds the mix's weak and ephemeron objects: `weak` as the mix says; `strong` as
 * strong objects with the same slot contents (the all-strong heap of the same size and shape);
 * `none` as strong objects whose slots stay NULL (the heap without those references at all).
 */
export type MixMode = 'strong' | 'weak' | 'none';
const MODES: MixMode[] = ['strong', 'weak', 'none'];
const MODE_NAMES: Record<MixMode, string> = { strong: 'all strong', weak: 'weak+ephemeron', none: 'no such refs' };

/** The graph as a heap, object i at index i, roots pinned; the mix's objects held as `mode` says. */
export function buildMixedHeap(m: MixedGraph, mode: MixMode): Heap {
  const g = m.graph;
  const heap = new Heap({ initialCapacity: g.n });
  const refs = new Float64Array(g.n + 1) as RefArray;
  for (let i = 1; i <= g.n; i++) {
    const k = mode === 'weak' ? m.kinds[i]! : STRONG;
    refs[i] = heap.alloc(SLOTS, k === STRONG ? 'strong' : k === WEAK_KIND ? 'weak' : 'ephemeron');
  }
  const edges = g.edges;
  for (let i = 1; i <= g.n; i++) {
    if (mode === 'none' && m.kinds[i] !== STRONG) continue;
    const ref = refs[i] as Ref;
    const base = SLOTS * (i - 1);
    for (let s = 0; s < SLOTS; s++) {
      const t = edges[base + s]!;
      if (t !== 0) heap.set(ref, s, refs[t] as Ref);
    }
  }
  for (const r of g.roots) heap.pin(refs[r] as Ref);
  return heap;
}

// ---- 2. finalizers -------------------------------------------------------------------------------

type FinalizerMode = 'plain' | 'setFinalizer' | 'onRemove';

/** One round: K objects allocated and dropped (with a finalizer, an onRemove component, or neither), then collect(). */
function finalizerRound(k: number, mode: FinalizerMode): () => number {
  const heap = new Heap({ initialCapacity: k + 16 });
  heap.pin(heap.alloc(1));
  let finalized = 0;
  const fin = (_ref: Ref) => {
    finalized++;
  };
  const Tracked: ComponentBase = heap.defineComponent({}, { name: 'Tracked', onRemove: fin });
  return () => {
    const before = finalized;
    for (let j = 0; j < k; j++) {
      const o = heap.alloc(0);
      if (mode === 'setFinalizer') heap.setFinalizer(o, fin);
      else if (mode === 'onRemove') heap.add(o, Tracked);
    }
    const info = heap.collect();
    if (info.freed !== k || (mode !== 'plain' && finalized - before !== k)) {
      throw new Error(
        `weak: finalizer round (${mode}) freed ${info.freed}, finalized ${finalized - before}, expected ${k}`,
      );
    }
    return info.live;
  };
}

// ---- 3. a weak cache of entities ------------------------------------------------------------------

/**
 * ecs-heap: a pinned world object with N slots holds the entities (the game's live set); an
 * ephemeron table with 2 slots per object index maps entity -> cached object; the cached object
 * (1 slot) refers back to its entity. Returns one round; it checks what it finds.
 */
function ecsCacheRound(n: number): () => number {
  // At most N/2 survivors + N/2 cached objects of the last round + 2N new objects + world + table.
  const capacity = 3 * n + 8;
  const heap = new Heap({ initialCapacity: capacity });
  const world = heap.alloc(n);
  heap.pin(world);
  const table = heap.alloc(2 * (capacity + 1), 'ephemeron');
  heap.pin(table);
  const lookup = (e: Ref): Ref => {
    const i = heap.index(e);
    return heap.get(table, 2 * i) === e ? heap.get(table, 2 * i + 1) : NULL;
  };
  return () => {
    // Last round's survivors are dropped now; this round's collection frees them.
    for (let k = 0; k < n; k++) heap.set(world, k, NULL);
    for (let k = 0; k < n; k++) {
      const e = heap.alloc(0);
      const cached = heap.alloc(1);
      heap.set(cached, 0, e);
      heap.set(world, k, e);
      const i = heap.index(e);
      heap.set(table, 2 * i, e);
      heap.set(table, 2 * i + 1, cached);
    }
    let hits = 0;
    for (let k = 0; k < n; k++) if (lookup(heap.get(world, k)) !== NULL) hits++;
    for (let k = 1; k < n; k += 2) heap.set(world, k, NULL);
    heap.collect();
    for (let k = 0; k < n; k += 2) if (lookup(heap.get(world, k)) !== NULL) hits++;
    if (hits !== n + n / 2) throw new Error(`weak: ecs-heap cache found ${hits} of ${n + n / 2} lookups`);
    return hits;
  };
}

/** Checks the ecs-heap cache once: after a round, exactly N/2 pairs remain and the dropped entities are gone. */
function checkEcsCache(n: number): void {
  const heap = new Heap({ initialCapacity: 3 * n + 8 });
  const world = heap.alloc(n);
  heap.pin(world);
  const table = heap.alloc(2 * (3 * n + 9), 'ephemeron');
  heap.pin(table);
  const entities: Ref[] = [];
  for (let k = 0; k < n; k++) {
    const e = heap.alloc(0);
    const cached = heap.alloc(1);
    heap.set(cached, 0, e);
    heap.set(world, k, e);
    heap.set(table, 2 * heap.index(e), e);
    heap.set(table, 2 * heap.index(e) + 1, cached);
    entities.push(e);
  }
  for (let k = 1; k < n; k += 2) heap.set(world, k, NULL);
  const info = heap.collect();
  let pairs = 0;
  for (let s = 0; s < heap.slotCount(table); s += 2) if (heap.get(table, s) !== NULL) pairs++;
  const deadGone = entities.every((e, k) => heap.isAlive(e) === (k % 2 === 0));
  if (info.freed !== n || pairs !== n / 2 || !deadGone || info.live !== 2 + n) {
    throw new Error(`weak: ecs-heap cache check failed (freed ${info.freed}, pairs ${pairs}, live ${info.live})`);
  }
  heap.verify();
}

interface JsEntity {
  id: number;
}
interface JsCached {
  entity: JsEntity;
  value: number;
}

/** The same job with JavaScript objects and a WeakMap; the forced collection is the engine's full GC. */
function jsCacheRound(n: number, gc: () => void): () => number {
  const world: (JsEntity | null)[] = new Array(n).fill(null);
  const cache = new WeakMap<JsEntity, JsCached>();
  return () => {
    world.fill(null);
    for (let k = 0; k < n; k++) {
      const e = { id: k };
      world[k] = e;
      cache.set(e, { entity: e, value: k });
    }
    let hits = 0;
    for (let k = 0; k < n; k++) if (cache.get(world[k]!) !== undefined) hits++;
    for (let k = 1; k < n; k += 2) world[k] = null;
    gc();
    for (let k = 0; k < n; k += 2) if (cache.get(world[k]!) !== undefined) hits++;
    if (hits !== n + n / 2) throw new Error(`weak: WeakMap cache found ${hits} of ${n + n / 2} lookups`);
    return hits;
  };
}

/**
 * Checks that the WeakMap does the same job: a cached object whose entity was dropped is
 * collected by the forced GC, although it refers to its entity. (WeakRef targets stay alive
 * until the current job ends, so the check waits a macrotask before collecting.)
 */
async function checkJsCache(gc: () => void): Promise<boolean> {
  const cache = new WeakMap<JsEntity, JsCached>();
  const refs: WeakRef<JsCached>[] = [];
  (() => {
    for (let k = 0; k < 100; k++) {
      const e = { id: k };
      const cached = { entity: e, value: k };
      cache.set(e, cached);
      refs.push(new WeakRef(cached));
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 0));
  gc();
  gc();
  return refs.every((r) => r.deref() === undefined);
}

// ---- the suite -----------------------------------------------------------------------------------

interface Plan {
  sizes: number[];
  kinds: GraphKind[];
  finalizerSizes: number[];
  cacheSizes: number[];
  budget: number;
  mixed: Map<string, MixedGraph>;
}

const cname = (what: string, kind: GraphKind, n: number) => `${what} ${kind} ${pow10(n)}`;
const fname = (mode: FinalizerMode, k: number) => `${mode} K=${pow10(k)}`;
const wname = (what: string, n: number) => `${what} N=${pow10(n)}`;

function measureMedians(ctx: Ctx, plan: Plan): Promise<Map<string, Stat>> {
  const gc = ctx.fullGc;
  return measure(ctx, `weak (${ctx.label})`, () => {
    for (const kind of plan.kinds) {
      for (const n of plan.sizes) {
        group(`collect, ${kind} graph, ${pow10(n)} objects: all strong vs 10% weak + 10% ephemeron`, () => {
          summary(() => {
            for (const mode of MODES) {
              const b = bench(cname(MODE_NAMES[mode], kind, n), function* () {
                const heap = buildMixedHeap(plan.mixed.get(`${kind} ${n}`)!, mode);
                heap.collect();
                yield () => heap.collect().live;
              });
              if (mode === 'strong') b.baseline(true);
            }
          });
        });
      }
    }
    for (const k of plan.finalizerSizes) {
      group(`finalizers: ${pow10(k)} objects dropped and collected per round`, () => {
        summary(() => {
          bench(fname('plain', k), function* () {
            yield finalizerRound(k, 'plain');
          }).baseline(true);
          bench(fname('setFinalizer', k), function* () {
            yield finalizerRound(k, 'setFinalizer');
          });
          bench(fname('onRemove', k), function* () {
            yield finalizerRound(k, 'onRemove');
          });
        });
      });
    }
    // The fixed cost of one engine GC in this process, which every WeakMap round pays.
    if (gc !== null) bench(`${ctx.gcName} alone`, () => gc());
    for (const n of plan.cacheSizes) {
      group(`weak cache of ${pow10(n)} entities: insert, look up, drop half, collect, look up`, () => {
        summary(() => {
          bench(wname('ecs-heap ephemeron', n), function* () {
            yield ecsCacheRound(n);
          }).baseline(true);
          if (gc !== null) {
            bench(wname('JS WeakMap', n), function* () {
              yield jsCacheRound(n, gc);
            });
          }
        });
      });
    }
  });
}

/** Section 1, paired: the three heaps of each graph in turn. */
function collectSection(ctx: Ctx, plan: Plan, stats: Map<string, Stat>): Section {
  const rows: string[][] = [];
  const ratios: Ratio[] = [];
  const derived: unknown[] = [];
  for (const kind of plan.kinds) {
    for (const n of plan.sizes) {
      ctx.log(`[bench] weak: paired ratio, collect ${kind} ${pow10(n)}`);
      const m = plan.mixed.get(`${kind} ${n}`)!;
      const heaps = MODES.map((mode) => buildMixedHeap(m, mode));
      for (const heap of heaps) heap.collect();
      const infos = heaps.map((heap) => heap.collect());
      if (infos.some((info) => info.freed !== 0)) throw new Error('weak: a repeated collection freed objects');
      if (kind === 'tree' && infos.some((info) => info.live !== n)) throw new Error('weak: the tree lost objects');
      heaps[1]!.verify();
      const [liveStrong, liveWeak, liveNone] = infos.map((info) => info.live) as [number, number, number];
      const pair = paired(
        MODES.map((mode, k) => ({ name: MODE_NAMES[mode], fn: () => heaps[k]!.collect() })),
        plan.budget,
      );
      const [strong, weak, none] = MODES.map((mode) => p50(stats, cname(MODE_NAMES[mode], kind, n))) as [
        number,
        number,
        number,
      ];
      // Paired ratios are time(entry) / time(all strong) per round.
      const weakOverNone = pair.ratios[1]! / pair.ratios[2]!;
      rows.push([
        kind,
        pow10(n),
        `${m.weak} + ${m.ephemerons}`,
        `${liveStrong} / ${liveWeak} / ${liveNone}`,
        ms(strong),
        ms(weak),
        ms(none),
        ratio(pair.ratios[1]!),
        ratio(weakOverNone),
        // Only where both heaps mark the same objects (the tree): in the random graph the live counts differ.
        liveWeak === liveNone ? sig((pair.medians[1]! - pair.medians[2]!) / (m.weak + m.ephemerons)) : 'n/a',
      ]);
      ratios.push(
        {
          name: `weak collect ${kind} ${pow10(n)} (${ctx.label}): weak+ephemeron / all strong, time, paired`,
          value: pair.ratios[1]!,
        },
        {
          name: `weak collect ${kind} ${pow10(n)} (${ctx.label}): weak+ephemeron / no such refs, time, paired`,
          value: weakOverNone,
        },
      );
      derived.push({
        kind,
        n,
        weak: m.weak,
        ephemerons: m.ephemerons,
        live: { strong: liveStrong, weak: liveWeak, none: liveNone },
        ns: { strong, weak, none },
        paired: pairedData(pair, 'timeOverStrong'),
        weakOverNonePaired: weakOverNone,
      });
    }
  }
  return {
    tables: [{
      title:
        `weak: full collection, all strong vs 10% weak + 10% ephemeron objects (${ctx.label} ${ctx.runtimeVersion})`,
      columns: [
        'graph',
        'objects',
        'weak + ephemeron objects',
        'live strong / weak / none',
        'strong ms',
        'weak ms',
        'none ms',
        'weak/strong',
        'weak/none',
        'ns per weak object',
      ],
      rows,
    }],
    ratios,
    data: { collect: derived },
  };
}

/** Section 2, paired: rounds with finalizers, onRemove hooks, or neither. */
function finalizerSection(ctx: Ctx, plan: Plan, stats: Map<string, Stat>): Section {
  const rows: string[][] = [];
  const derived: unknown[] = [];
  for (const k of plan.finalizerSizes) {
    ctx.log(`[bench] weak: paired ratio, finalizers K=${pow10(k)}`);
    const pair = paired([
      { name: 'plain', fn: finalizerRound(k, 'plain') },
      { name: 'setFinalizer', fn: finalizerRound(k, 'setFinalizer') },
      { name: 'onRemove', fn: finalizerRound(k, 'onRemove') },
    ], plan.budget);
    const plain = p50(stats, fname('plain', k));
    const fin = p50(stats, fname('setFinalizer', k));
    const hook = p50(stats, fname('onRemove', k));
    // Extra ns per finalized object, from the paired ratio and the plain round's paired median.
    const extra = (r: number) => (pair.medians[0]! * (r - 1)) / k;
    rows.push([
      pow10(k),
      ms(plain),
      sig(plain / k),
      ms(fin),
      ratio(pair.ratios[1]!),
      sig(extra(pair.ratios[1]!)),
      ms(hook),
      ratio(pair.ratios[2]!),
      sig(extra(pair.ratios[2]!)),
    ]);
    derived.push({
      k,
      plainNs: plain,
      setFinalizerNs: fin,
      onRemoveNs: hook,
      paired: pairedData(pair, 'timeOverPlain'),
      extraNsPerObject: { setFinalizer: extra(pair.ratios[1]!), onRemove: extra(pair.ratios[2]!) },
    });
  }
  return {
    tables: [{
      title: `weak: finalization, K objects dropped and collected per round (${ctx.label} ${ctx.runtimeVersion})`,
      columns: [
        'K',
        'plain ms',
        'plain ns/object',
        'setFinalizer ms',
        'setFinalizer/plain',
        'ns per finalized object',
        'onRemove ms',
        'onRemove/plain',
        'ns per onRemove hook',
      ],
      rows,
    }],
    data: { finalizers: derived },
  };
}

/** Section 3, paired: the ephemeron table against a JS WeakMap with forced engine GC. */
function cacheSection(ctx: Ctx, plan: Plan, stats: Map<string, Stat>): Section {
  const gc = ctx.fullGc;
  const rows: string[][] = [];
  const ratios: Ratio[] = [];
  const derived: unknown[] = [];
  for (const n of plan.cacheSizes) {
    let pair: Paired | undefined;
    if (gc !== null) {
      ctx.log(`[bench] weak: paired ratio, cache N=${pow10(n)}`);
      pair = paired([
        { name: 'ecs-heap ephemeron', fn: ecsCacheRound(n) },
        { name: 'JS WeakMap', fn: jsCacheRound(n, gc) },
      ], plan.budget);
      ratios.push({
        name: `weak cache N=${pow10(n)} (${ctx.label}): JS WeakMap + ${ctx.gcName} / ecs-heap ephemeron, time, paired`,
        value: pair.ratios[1]!,
      });
    }
    const ecs = p50(stats, wname('ecs-heap ephemeron', n));
    const js = gc === null ? NaN : p50(stats, wname('JS WeakMap', n));
    rows.push([
      pow10(n),
      ms(ecs),
      sig(ecs / n),
      gc === null ? 'n/a' : ms(js),
      gc === null ? 'n/a' : sig(js / n),
      pair === undefined ? 'n/a' : ratio(pair.ratios[1]!),
    ]);
    derived.push({
      n,
      ecsHeapNs: ecs,
      weakMapNs: js,
      paired: pair === undefined ? null : pairedData(pair, 'timeOverEcsHeap'),
    });
  }
  return {
    tables: [{
      title: `weak: weak cache of N entities, ephemeron table vs JS WeakMap (${ctx.label} ${ctx.runtimeVersion})`,
      columns: ['N', 'ecs-heap ms', 'ecs-heap ns/entity', 'WeakMap ms', 'WeakMap ns/entity', 'WeakMap/ecs-heap'],
      rows,
    }],
    ratios,
    data: { cache: derived },
  };
}

function notes(ctx: Ctx, stats: Map<string, Stat>, weakMapChecked: boolean): string[] {
  const out = [
    'Times are mitata medians; the ratios are paired (rounds calling the contenders in turn, see `paired`). ' +
    'strong: the weak and ephemeron objects as strong objects with the same slots (the all-strong heap of the same ' +
    'size and shape); weak: as weak objects and ephemerons; none: as strong objects with NULL slots (the heap ' +
    'without those references). weak/strong < 1x means weak references are cheaper than tracing the same edges ' +
    'strongly; weak/none is what weak processing (the ephemeron fixed point, clearing dead weak slots) adds to a ' +
    'collection; ns per weak object = (paired weak median - none median) / (weak + ephemeron objects), given only ' +
    'for the tree: in the random graph the three heaps have different live counts (weak and none edges do not keep ' +
    'targets alive), so they mark different numbers of objects.',
    'Finalization: one round allocates K 0-slot objects, gives each a finalizer (setFinalizer with one shared ' +
    'function) or a tag component with an onRemove hook (add), drops them all and runs collect(); ns per finalized ' +
    "object = (paired ratio - 1) x plain round / K, and includes the setFinalizer or add call. The engine's " +
    'FinalizationRegistry is no anchor: its callbacks run later, asynchronously, so there is no synchronous round to time.',
    "Weak cache: one round = drop last round's survivors, insert N (entity + cached object referring back to it), " +
    'look up N, drop half, forced full collection, look up the N/2 survivors (every lookup checked). ecs-heap ' +
    'collects only its own heap; the WeakMap side pays a full engine GC of the whole process heap (gc(), as a ' +
    'game forcing it would), so WeakMap/ecs-heap > 1x means ecs-heap is faster. Before measuring, both were ' +
    'checked to drop the cached objects of dropped entities.',
  ];
  if (ctx.fullGc === null) {
    out.push(
      `${ctx.gcName} is not exposed in this process (run Node with --expose-gc, Deno with --v8-flags=--expose-gc): ` +
        'the WeakMap anchor, which needs a forced full GC, is skipped.',
    );
  } else {
    if (!weakMapChecked) {
      out.push('Check failed: the WeakMap kept cached objects of dropped entities after a forced GC.');
    }
    out.push(
      `${ctx.gcName} alone (no cache built) takes ${ms(p50(stats, `${ctx.gcName} alone`))} ms in this process: ` +
        'every WeakMap round includes one.',
    );
  }
  return out;
}

export async function weakSuite(ctx: Ctx): Promise<SuiteReport> {
  const plan: Plan = {
    sizes: ctx.quick ? [1e4, 1e5] : [1e5, 1e6],
    kinds: ['tree', 'random'],
    finalizerSizes: [1e4, 1e5],
    cacheSizes: [1e4, 1e5],
    budget: ctx.quick ? 1000 : 2000,
    mixed: new Map(),
  };
  for (const kind of plan.kinds) for (const n of plan.sizes) plan.mixed.set(`${kind} ${n}`, mixedGraph(kind, n));
  exerciseCollector();
  for (const n of plan.cacheSizes) checkEcsCache(n);
  const weakMapChecked = ctx.fullGc === null ? false : await checkJsCache(ctx.fullGc);
  const stats = await measureMedians(ctx, plan);
  return report('weak', ctx, [
    collectSection(ctx, plan, stats),
    finalizerSection(ctx, plan, stats),
    cacheSection(ctx, plan, stats),
    { notes: notes(ctx, stats, weakMapChecked), data: { stats: Object.fromEntries(stats) } },
  ]);
}
