/**
 * `binary-trees`: the Benchmarks Game's binary-trees, written for ecs-heap from its description
 * (not from any of its programs). With max depth n (min depth 4): build and check a "stretch" tree
 * of depth n+1 and drop it; build a long-lived tree of depth n and keep it to the end; then for
 * depth d = 4, 6, ..., n build and check 2^(n-d+4) trees of depth d one after another, each
 * dropped once checked. A tree of depth d is a perfect binary tree of 2^(d+1)-1 nodes; checking
 * counts its nodes. Almost everything allocated dies young: an allocator and young-generation
 * benchmark.
 *
 * ecs-heap: a node is a 2-slot object (left, right; NULL in leaves); the long-lived tree's root is
 * pinned; a check walks the tree by index (`targetAt`). Collection as a game would do it:
 * `heap.tick(1)` after each tree is built and checked (one tree = one frame's worth of work), so
 * the pacer runs a minor whenever the nursery is full; trees are never collected while being built
 * (alloc never collects). Plain JS: `{ left, right }` objects, the engine collecting on its own. Both run the whole program in the same process, in
 * alternating order, and both must produce the same check values.
 *
 * Reported per depth: time ratio (plain JS time / ecs-heap time: ecs-heap's speed relative to JS;
 * target >= 0.8x), the same program as minimal loops over the heap's layout run beside them (the
 * floor, bench/lib/binary-trees-floor.ts: ecs-heap / floor is what the library's calls cost, floor
 * / JS what the layout costs), peak memory (ecs-heap `stats().bytes`, sampled after each tree is built and at
 * phase ends, against the engine's `heapUsed` sampled at the same points, both over their baseline;
 * target ecs-heap <= 1/3 of JS), the engine scavenges during the ecs-heap run (PerformanceObserver
 * 'gc' entries of kind minor; target 0, judged on one extra run without the harness's `stats()`
 * samples, which make engine objects themselves, and with the heap's columns allocated up front
 * (`initialCapacity`: the capacity the timed runs grew to), as V8 also scavenges when ArrayBuffer
 * memory grows, garbage or not: the heap's own work should make no garbage, as boxing handles past
 * the small-integer range would; the loop passes one report object to every `tick(1, report)`, as
 * a game loop that must make no garbage does), and the largest handle seen (handles past
 * 2^30, or 2^31 in V8 without pointer compression, are heap numbers in V8's slower paths).
 */
import process from 'node:process';
import { Heap, type Index, type Ref } from '../mod.ts';
import { runFloor } from './lib/binary-trees-floor.ts';
import { GcObserver, gcObserverWorks, type GcPause, heapUsedAfterGc, heapUsedNow } from './lib/engine.ts';
import { megabytes, msOf, ratio, sig } from './lib/format.ts';
import { warmUpOnce } from './lib/game-loop.ts';
import { isMain, runStandalone } from './lib/output.ts';
import { atLeast, atMost, type Ctx, report, type Section, type SuiteReport, type Target } from './lib/report.ts';
import { median } from './lib/stats.ts';

const MIN_DEPTH = 4;
/** Sample memory every this many trees within a depth (and after every tree of depth >= 12). */
const SAMPLE_EVERY = 1024;

interface Outcome {
  /** The program's output values: stretch check, each depth's (iterations, check), long-lived check. */
  checks: number[];
  ms: number;
  /** Peak of the sampled memory, over the baseline, in bytes. */
  peakBytes: number;
}

// ---- plain JavaScript ------------------------------------------------------------------------

export interface JsTree {
  left: JsTree | null;
  right: JsTree | null;
}

export function jsBuild(depth: number): JsTree {
  return depth > 0 ? { left: jsBuild(depth - 1), right: jsBuild(depth - 1) } : { left: null, right: null };
}

export function jsCheck(t: JsTree): number {
  return t.left === null ? 1 : 1 + jsCheck(t.left) + jsCheck(t.right!);
}

function runJs(maxDepth: number): Outcome {
  const base = heapUsedNow();
  let peak = 0;
  const sample = () => {
    const used = heapUsedNow() - base;
    if (used > peak) peak = used;
  };
  const t0 = performance.now();
  const checks: number[] = [];
  const stretch = jsBuild(maxDepth + 1);
  sample();
  checks.push(jsCheck(stretch));
  const longLived = jsBuild(maxDepth);
  sample();
  for (let d = MIN_DEPTH; d <= maxDepth; d += 2) {
    const iterations = 2 ** (maxDepth - d + MIN_DEPTH);
    let check = 0;
    for (let i = 1; i <= iterations; i++) {
      const t = jsBuild(d);
      if (d >= 12 || i % SAMPLE_EVERY === 0) sample();
      check += jsCheck(t);
    }
    checks.push(iterations, check);
  }
  checks.push(jsCheck(longLived));
  return { checks, ms: performance.now() - t0, peakBytes: peak };
}

// ---- ecs-heap ----------------------------------------------------------------------------------

/** Builds a tree of `depth` below a fresh node; returns its handle. Tracks the largest handle. */
class HeapTrees {
  maxHandle = 0;
  readonly heap: Heap;
  constructor(heap: Heap) {
    this.heap = heap;
  }

  build(depth: number): Ref {
    const h = this.heap;
    const node = h.alloc(2);
    if (node > this.maxHandle) this.maxHandle = node;
    if (depth > 0) {
      h.set(node, 0, this.build(depth - 1));
      h.set(node, 1, this.build(depth - 1));
    }
    return node;
  }

  /** Counts the tree's nodes, walking it by index (`targetAt`: one checked call per hop, no handles). */
  check(node: Ref): number {
    return this.#checkAt(this.heap.index(node));
  }

  #checkAt(node: Index): number {
    const h = this.heap;
    const left = h.targetAt(node, 0);
    return left === 0 ? 1 : 1 + this.#checkAt(left) + this.#checkAt(h.targetAt(node, 1));
  }
}

interface HeapOutcome extends Outcome {
  maxHandle: number;
  /** `stats().capacity` at the end: the object indices the run's columns grew to. */
  capacity: number;
  minors: number;
  majors: number;
}

/**
 * A heap for the program at `maxDepth`. `initialCapacity`: columns allocated up front for that
 * many objects (default: the heap's default, growing as the program needs).
 */
function heapFor(maxDepth: number, initialCapacity?: number): Heap {
  // Depth 20's stretch tree alone has 2^22 - 1 nodes: one more index bit than the default.
  return new Heap({
    ...(maxDepth >= 20 ? { indexBits: 23 } : {}),
    ...(initialCapacity === undefined ? {} : { initialCapacity }),
  });
}

/**
 * The program on `heap` (made here by default). `sampling` false: no `stats()` samples (each
 * makes a small engine object), for counting scavenges.
 */
function runHeap(maxDepth: number, sampling = true, heap = heapFor(maxDepth)): HeapOutcome {
  const trees = new HeapTrees(heap);
  const base = heap.stats().bytes;
  let peak = 0;
  const sample = () => {
    if (!sampling) return;
    const used = heap.stats().bytes - base;
    if (used > peak) peak = used;
  };
  const t0 = performance.now();
  const checks: number[] = [];
  const stretch = trees.build(maxDepth + 1);
  sample();
  checks.push(trees.check(stretch));
  // One report object, filled by every tick (tick's `into`): the loop makes no engine garbage.
  const report = heap.tick(1);
  const longLived = trees.build(maxDepth);
  heap.pin(longLived);
  sample();
  for (let d = MIN_DEPTH; d <= maxDepth; d += 2) {
    const iterations = 2 ** (maxDepth - d + MIN_DEPTH);
    let check = 0;
    for (let i = 1; i <= iterations; i++) {
      const t = trees.build(d);
      if (d >= 12 || i % SAMPLE_EVERY === 0) sample();
      check += trees.check(t);
      heap.tick(1, report);
    }
    checks.push(iterations, check);
  }
  checks.push(trees.check(longLived));
  const ms = performance.now() - t0;
  const st = heap.stats();
  return {
    checks,
    ms,
    peakBytes: peak,
    maxHandle: trees.maxHandle,
    capacity: st.capacity,
    minors: st.minorCollections,
    majors: st.majorCollections,
  };
}

// ---- the suite ---------------------------------------------------------------------------------

interface DepthResult {
  depth: number;
  rounds: number;
  jsMs: number[];
  heapMs: number[];
  /** The floor's (bench/lib/binary-trees-floor.ts), run beside the two in each round. */
  floorMs: number[];
  /** Median over rounds of JS time / ecs-heap time. */
  speed: number;
  /** Medians over rounds of ecs-heap time / floor time and floor time / JS time. */
  heapOverFloor: number;
  floorOverJs: number;
  jsPeak: number;
  heapPeak: number;
  /** Engine GC pauses during the ecs-heap runs (per run), and during the JS runs. */
  /** And during one ecs-heap run without `stats()` samples (the scavenge target's). */
  quietRunPauses: GcPause[][];
  heapRunPauses: GcPause[][];
  jsRunPauses: GcPause[][];
  maxHandle: number;
  /** The largest `stats().capacity` a run reached (the quiet run's columns are allocated for it). */
  capacity: number;
  minors: number;
  majors: number;
  checks: number[];
}

async function observed<T>(observe: boolean, run: () => T): Promise<{ result: T; pauses: GcPause[] }> {
  if (!observe) return { result: run(), pauses: [] };
  const obs = new GcObserver();
  await new Promise((resolve) => setTimeout(resolve, 0)); // earlier entries are delivered first
  obs.start();
  const result = run();
  return { result, pauses: await obs.stop() };
}

async function runDepth(ctx: Ctx, depth: number, rounds: number, observe: boolean): Promise<DepthResult> {
  const r: DepthResult = {
    depth,
    rounds,
    jsMs: [],
    heapMs: [],
    floorMs: [],
    speed: NaN,
    heapOverFloor: NaN,
    floorOverJs: NaN,
    jsPeak: 0,
    heapPeak: 0,
    heapRunPauses: [],
    jsRunPauses: [],
    quietRunPauses: [],
    maxHandle: 0,
    capacity: 0,
    minors: 0,
    majors: 0,
    checks: [],
  };
  const ratios: number[] = [];
  const overFloor: number[] = [];
  const floorOverJs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    let js: Outcome | undefined;
    let hp: HeapOutcome | undefined;
    let floor: { checks: number[]; ms: number } | undefined;
    for (let j = 0; j < 3; j++) {
      heapUsedAfterGc(ctx); // each run starts from a collected engine heap
      const which = (round + j) % 3;
      if (which === 2) {
        ctx.log(`[bench] binary-trees: depth ${depth}, round ${round + 1}/${rounds}, the floor (minimal loops)`);
        const t0 = performance.now();
        const { checks } = runFloor(depth);
        floor = { checks, ms: performance.now() - t0 };
      } else if (which === 0) {
        ctx.log(`[bench] binary-trees: depth ${depth}, round ${round + 1}/${rounds}, ecs-heap`);
        const o = await observed(observe, () => runHeap(depth));
        hp = o.result;
        r.heapRunPauses.push(o.pauses);
      } else {
        ctx.log(`[bench] binary-trees: depth ${depth}, round ${round + 1}/${rounds}, JS objects`);
        const o = await observed(observe, () => runJs(depth));
        js = o.result;
        r.jsRunPauses.push(o.pauses);
      }
    }
    if (js!.checks.join() !== hp!.checks.join() || floor!.checks.join() !== hp!.checks.join()) {
      throw new Error(
        `binary-trees: check values differ: JS ${js!.checks.join()}, ecs-heap ${hp!.checks.join()}, ` +
          `floor ${floor!.checks.join()}`,
      );
    }
    r.checks = hp!.checks;
    r.jsMs.push(js!.ms);
    r.heapMs.push(hp!.ms);
    r.floorMs.push(floor!.ms);
    ratios.push(js!.ms / hp!.ms);
    overFloor.push(hp!.ms / floor!.ms);
    floorOverJs.push(floor!.ms / js!.ms);
    r.jsPeak = Math.max(r.jsPeak, js!.peakBytes);
    r.heapPeak = Math.max(r.heapPeak, hp!.peakBytes);
    r.maxHandle = Math.max(r.maxHandle, hp!.maxHandle);
    r.capacity = Math.max(r.capacity, hp!.capacity);
    r.minors = hp!.minors;
    r.majors = hp!.majors;
  }
  r.speed = median(ratios);
  r.heapOverFloor = median(overFloor);
  r.floorOverJs = median(floorOverJs);
  if (observe) {
    // Once more, without the harness's stats() samples and with the columns allocated up front
    // for the capacity the runs above reached: V8 also scavenges when external (ArrayBuffer)
    // memory grows ("external memory pressure" in --trace-gc), which column growth causes without
    // making any JavaScript garbage. Any scavenge left is garbage the heap's own calls make.
    heapUsedAfterGc(ctx);
    ctx.log(`[bench] binary-trees: depth ${depth}, ecs-heap without memory samples or column growth (scavenges)`);
    // Made before observing: V8 answers the new columns' memory with scavenges at once.
    const sized = heapFor(depth, r.capacity);
    r.quietRunPauses.push((await observed(true, () => runHeap(depth, false, sized))).pauses);
  }
  return r;
}

function depthSection(ctx: Ctx, results: DepthResult[], observe: boolean): Section {
  const targets: Target[] = [];
  const scavenges = (p: GcPause[][]) => Math.max(...p.map((x) => x.filter((g) => g.kind === 'minor').length));
  const rows = results.map((r) => {
    const memRatio = r.heapPeak / r.jsPeak;
    const at = `binary-trees depth ${r.depth} (${ctx.label})`;
    targets.push(
      atLeast(`${at}: speed, plain JS time / ecs-heap time`, r.speed, 0.8, 'x'),
      atMost(`${at}: peak memory, ecs-heap / plain JS`, memRatio, 1 / 3, 'x'),
    );
    if (observe) {
      targets.push(
        atMost(
          `${at}: engine scavenges during an ecs-heap run without the harness's stats() samples or column growth`,
          scavenges(r.quietRunPauses),
          0,
        ),
      );
    }
    return [
      String(r.depth),
      msOf(median(r.heapMs)),
      msOf(median(r.jsMs)),
      ratio(r.speed),
      msOf(median(r.floorMs)),
      ratio(r.heapOverFloor),
      ratio(r.floorOverJs),
      megabytes(r.heapPeak),
      megabytes(r.jsPeak),
      ratio(memRatio),
      observe ? `${scavenges(r.heapRunPauses)} (${scavenges(r.quietRunPauses)})` : 'n/a',
      observe ? String(scavenges(r.jsRunPauses)) : 'n/a',
      `${sig(r.maxHandle)}${r.maxHandle > 2 ** 31 ? ' (> 2^31)' : r.maxHandle > 2 ** 30 ? ' (> 2^30)' : ''}`,
      `${r.minors} / ${r.majors}`,
    ];
  });
  return {
    tables: [{
      title: `binary-trees: ecs-heap (tick(1) per tree) vs plain JS objects (${ctx.label} ${ctx.runtimeVersion})`,
      columns: [
        'max depth',
        'ecs-heap ms',
        'JS ms',
        'JS time / ecs-heap time',
        'floor ms',
        'ecs-heap / floor',
        'floor / JS',
        'ecs-heap peak',
        'JS peak',
        'memory ecs-heap / JS',
        'scavenges in ecs-heap run (unsampled, pre-sized)',
        'in JS run',
        'largest handle',
        'minors / majors',
      ],
      rows,
    }],
    targets,
    ratios: results.flatMap((r) => [
      { name: `binary-trees depth ${r.depth} (${ctx.label}): plain JS time / ecs-heap time`, value: r.speed },
      {
        name:
          `binary-trees depth ${r.depth} (${ctx.label}): ecs-heap time / floor time (minimal loops, the same layout)`,
        value: r.heapOverFloor,
      },
      { name: `binary-trees depth ${r.depth} (${ctx.label}): floor time / plain JS time`, value: r.floorOverJs },
      {
        name: `binary-trees depth ${r.depth} (${ctx.label}): ecs-heap peak bytes / JS peak heapUsed`,
        value: r.heapPeak / r.jsPeak,
      },
    ]),
    data: {
      depths: results.map((r) => ({
        ...r,
        heapRunPauses: r.heapRunPauses.map((p) => ({
          count: p.length,
          minor: p.filter((g) => g.kind === 'minor').length,
        })),
        jsRunPauses: r.jsRunPauses.map((p) => ({ count: p.length, minor: p.filter((g) => g.kind === 'minor').length })),
        quietRunPauses: r.quietRunPauses.map((p) => ({
          count: p.length,
          minor: p.filter((g) => g.kind === 'minor').length,
        })),
      })),
    },
  };
}

export async function binaryTreesSuite(ctx: Ctx): Promise<SuiteReport> {
  const warmMs = warmUpOnce();
  const depths = ctx.quick ? [16] : ctx.full ? [16, 18, 20] : [16, 18];
  const rounds = ctx.quick ? 1 : 3;
  const observe = await gcObserverWorks(ctx);
  const results: DepthResult[] = [];
  for (const d of depths) results.push(await runDepth(ctx, d, rounds, observe));
  return report('binary-trees', ctx, [
    depthSection(ctx, results, observe),
    {
      notes: [
        `Each depth runs the whole program ${rounds} time${rounds === 1 ? '' : 's'} per contender, ecs-heap and JS ` +
        'alternating (order rotating), from a collected engine heap; times are medians, the speed ratio the median of ' +
        'per-round ratios. Both produced the same check values. ecs-heap calls tick(1) after each tree (the pacer ' +
        'runs a minor when the nursery is full); the stretch tree is dropped and ticked away before the long-lived ' +
        `tree is built. Depth 20 (--full only) uses indexBits 23: its stretch tree has 2^22 - 1 nodes. ` +
        `Heap.warmUp() ran first${warmMs === 0 ? ' (earlier in this process)' : ''}.`,
        "The floor (bench/lib/binary-trees-floor.ts) runs the same program as minimal loops over the heap's " +
        'layout (header columns, a two-slot block per node, a free queue, a nursery, handles with generations): the ' +
        "common calls' checks and stores, and a minor when 8,192 objects are young, without the library's " +
        'bookkeeping (pacer, counters, scopes, index classes, cards, reports). Its check values match. ecs-heap / ' +
        'floor is what the calls and that bookkeeping cost; floor / JS what the layout itself costs against the ' +
        "engine's objects, which no tightening of the library's calls reaches below.",
        'Peak memory is sampled, not traced: after the stretch and long-lived trees are built, and after every ' +
        `tree of depth >= 12 and every ${SAMPLE_EVERY}th smaller one, ecs-heap's stats().bytes and the engine's ` +
        'process.memoryUsage().heapUsed, each minus its value at the start of its run. The engine may peak ' +
        'between samples (just before a scavenge), so the JS peak reads low, if anything.',
        observe
          ? 'Scavenges: PerformanceObserver gc entries of kind minor during the run (the worst run shown). The ' +
            'ecs-heap program allocates no JavaScript objects itself (handles are numbers), so they come from the ' +
            "heap's own allocations (boxed handles past the small-integer range, result records) or this harness's " +
            'stats() samples (one small object per sample, about 1,400 a run at depth 18), and V8 also scavenges ' +
            'when external (ArrayBuffer) memory grows ("external memory pressure" in --trace-gc), as it does each ' +
            'time the columns grow, with no JavaScript garbage made. In parentheses, and for the target: one more ' +
            'ecs-heap run without the samples and with initialCapacity set to the capacity the runs above grew to ' +
            "(no column grows), made before the observation starts, so what is left is the heap's own."
          : `Scavenges: ${ctx.runtime} does not deliver PerformanceObserver gc entries: n/a.`,
      ],
      data: { warmUpMs: warmMs, rounds },
    },
  ]);
}

if (isMain(import.meta)) process.exitCode = await runStandalone('binary-trees', binaryTreesSuite);
