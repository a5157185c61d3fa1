/**
 * `incremental`: the game loop. A 10^5-node world (a 4-slot tree, its root pinned, `collect()`ed
 * at load so it is old); every frame spawns 2,000 objects (`alloc(2)`, both slots pointing at
 * random world nodes), and 1% of them stick in the world: stored into a random slot of a random
 * world leaf, replacing what was there (which becomes garbage), so the world stays bounded. 600
 * frames. Three modes, each on a fresh but identical world (same seeded PRNG, same spawns):
 *
 * - tick: `heap.tick(1)` every frame (minors when the nursery is full, incremental major slices);
 *   growthPercent 5, so major cycles start during the 600 frames (at the default 100 the old
 *   generation would have to double first, and this world's grows by ~20 objects a frame);
 * - collect: `heap.collect()` every 60 frames and nothing in between (pause spikes);
 * - JS objects: the same world and spawns as JavaScript objects, the engine collecting on its own;
 *   its pauses land inside whichever frame allocates when it decides to collect, so they show up
 *   as frame-time spikes. (With `gc` exposed, the cost of a forced full `gc()` of that world is
 *   reported too.)
 *
 * Timed per frame: the collector's share (tick/collect) and the whole frame (spawning included),
 * in wall time and in CPU time (`process.cpuUsage()`, microseconds, every thread of the process).
 * Wall time is what a player sees, but on a shared machine it also holds the milliseconds other
 * processes ran on our core; CPU time leaves those out (and adds the engine's helper threads), so
 * a spike in wall time without one in CPU time was the machine, not the collector. The modes run
 * REPS times each (the heap modes taking turns, then the JS runs); the tables give the median over
 * runs of each statistic and, for maxima, the worst run too.
 *
 * Warm-up: a short loop (every mode, the same world, 120 frames) runs first, so the engine
 * has compiled the minor and incremental paths before the measured frames; its first frames are
 * reported separately ("cold"), and each measured run reports the max over its first 60 frames
 * apart from the max over the rest, so neither is hidden.
 *
 * Throughput: the collector's total time over the 600 frames in both heap modes, and a fixed-work
 * comparison: one full major cycle on the same world plus 2x10^4 garbage objects, drained with
 * `step(budget)` slices of 10^3, 10^4, 10^5 units against one `collect()`, paired.
 */
import process from 'node:process';
import type { Heap, HeapOptions, Index, Ref } from '../mod.ts';
import { buildHeap, exerciseCollector } from './collect.bench.ts';
import {
  type Ctx,
  makeGraph,
  median,
  ms,
  pow10,
  prng,
  ratio,
  sig,
  type SuiteReport,
  type Table,
  type Target,
} from './common.ts';
import { pairedStaged, type Staged } from './generational.bench.ts';

const WORLD = 100_000;
const SPAWNS = 2_000;
const KEEP = 0.01;
const FRAMES = 600;
const COLLECT_EVERY = 60;
const BUDGET_MS = 1;
const GROWTH_PERCENT = 5;
/** Frames of the warm-up loop, per mode. */
const WARM_FRAMES = 120;
/** Frames counted as "first frames" in each run; the rest are the steady state. */
const FIRST = 60;
const GARBAGE = 20_000;
/** The default nurserySize: tick() runs a minor once this many young objects exist. */
const NURSERY = 8192;
const STEP_BUDGETS = [1e3, 1e4, 1e5];

type Mode = 'tick' | 'collect' | 'js';
const MODES: Mode[] = ['tick', 'collect', 'js'];

function heapOptions(world: number): HeapOptions {
  // Sized for the peak up front (collect mode holds 60 frames of garbage), so no frame grows columns.
  return { initialCapacity: Math.max(1 << 18, 2 * world), growthPercent: GROWTH_PERCENT };
}

function firstLeaf(n: number): number {
  return Math.ceil((n - 1) / 4);
}

/** CPU time of the whole process so far, in milliseconds (microsecond resolution). */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

interface RunLog {
  mode: Mode;
  /** Milliseconds inside tick()/collect() per frame (0 when not called); empty for JS objects. */
  collectorMs: number[];
  /** Milliseconds of the whole frame. */
  frameMs: number[];
  /** The same in CPU time. */
  collectorCpuMs: number[];
  frameCpuMs: number[];
  /** Per frame, what the collector did: a minor, major-cycle work, both, or nothing. */
  minorFrame: boolean[];
  majorFrame: boolean[];
  /** Young objects when the collector was called (after the frame's spawns). */
  youngBefore: number[];
  /** stats().live after each frame. */
  maxLive: number;
  /** Live after one more, untimed collect(): what the world really holds. */
  reachable: number;
  majors: number;
  minors: number;
  /** Frame in which the first major cycle ended (0: none). */
  firstMajorFrame: number;
  /** The engine's full gc() on the JS world after the frames, median of 3 (NaN when not exposed). */
  engineGcMs: number;
}

/** One run of the game loop on a fresh world of `world` nodes. */
function runLoop(ctx: Ctx, mode: Mode, world: number, frames: number): RunLog {
  const rand = prng(0x6a3e); // same seed in every mode: same world, same spawns
  const pick = (n: number) => Math.floor(rand() * n);
  const first = firstLeaf(world);
  const leaves = world - first;
  const log: RunLog = {
    mode,
    collectorMs: [],
    frameMs: [],
    collectorCpuMs: [],
    frameCpuMs: [],
    minorFrame: [],
    majorFrame: [],
    youngBefore: [],
    maxLive: 0,
    reachable: 0,
    majors: 0,
    minors: 0,
    firstMajorFrame: 0,
    engineGcMs: NaN,
  };
  if (mode === 'js') {
    runJs(ctx, log, world, frames, rand);
    return log;
  }
  const heap: Heap = buildHeap(makeGraph('tree', world), heapOptions(world));
  heap.collect(); // the loading screen: the world becomes the old generation
  const nodes = new Float64Array(world);
  for (let i = 0; i < world; i++) nodes[i] = heap.refAt((i + 1) as Index);
  // The engine's own garbage from earlier runs (the JS mode's world above all) is collected now,
  // not during this run's frames, where its full GC would show up as a collector pause.
  ctx.fullGc?.();
  const before = heap.stats();
  let minors = before.minorCollections;
  let majors = before.majorCollections;
  let young = before.young;
  for (let frame = 1; frame <= frames; frame++) {
    const phaseBefore = heap.phase;
    const f0c = cpuMs();
    const f0 = performance.now();
    for (let n = 0; n < SPAWNS; n++) {
      const o: Ref = heap.alloc(2);
      heap.set(o, 0, nodes[pick(world)] as Ref);
      heap.set(o, 1, nodes[pick(world)] as Ref);
      if (rand() < KEEP) heap.set(nodes[first + pick(leaves)] as Ref, pick(4), o);
    }
    const c0c = cpuMs();
    const c0 = performance.now();
    if (mode === 'tick') heap.tick(BUDGET_MS);
    else if (frame % COLLECT_EVERY === 0) heap.collect();
    const f1 = performance.now();
    const f1c = cpuMs();
    log.collectorMs.push(f1 - c0);
    log.frameMs.push(f1 - f0);
    log.collectorCpuMs.push(f1c - c0c);
    log.frameCpuMs.push(f1c - f0c);
    const st = heap.stats();
    log.youngBefore.push(young + SPAWNS); // every spawn is young until the collector runs
    young = st.young;
    log.minorFrame.push(st.minorCollections !== minors);
    log.majorFrame.push(phaseBefore !== 'idle' || st.phase !== 'idle' || st.majorCollections !== majors);
    if (log.firstMajorFrame === 0 && st.majorCollections !== majors) log.firstMajorFrame = frame;
    minors = st.minorCollections;
    majors = st.majorCollections;
    if (st.live > log.maxLive) log.maxLive = st.live;
  }
  log.minors = minors - before.minorCollections;
  log.majors = majors - before.majorCollections;
  log.reachable = heap.collect().live;
  return log;
}

// ---- the same loop with JavaScript objects -------------------------------------------------

type Slot = object | null;
interface JsWorldNode {
  c0: Slot;
  c1: Slot;
  c2: Slot;
  c3: Slot;
}
interface JsSpawn {
  a: JsWorldNode;
  b: JsWorldNode;
}

function setSlot(node: JsWorldNode, slot: number, value: Slot): void {
  if (slot === 0) node.c0 = value;
  else if (slot === 1) node.c1 = value;
  else if (slot === 2) node.c2 = value;
  else node.c3 = value;
}

function runJs(ctx: Ctx, log: RunLog, world: number, frames: number, rand: () => number): void {
  const pick = (n: number) => Math.floor(rand() * n);
  const first = firstLeaf(world);
  const leaves = world - first;
  // The tree of makeGraph('tree'): node i's children are 4i+1 .. 4i+4.
  const nodes: JsWorldNode[] = [];
  for (let i = 0; i < world; i++) nodes.push({ c0: null, c1: null, c2: null, c3: null });
  for (let i = 0; i < world; i++) {
    for (let k = 0; k < 4; k++) if (4 * i + k + 1 < world) setSlot(nodes[i]!, k, nodes[4 * i + k + 1]!);
  }
  // The game's own per-frame list of what it spawned, overwritten next frame: spawned objects are
  // reachable for the rest of their frame (as handles in JavaScript variables would be).
  const spawned: (JsSpawn | null)[] = new Array(SPAWNS).fill(null);
  ctx.fullGc?.();
  for (let frame = 1; frame <= frames; frame++) {
    const f0c = cpuMs();
    const f0 = performance.now();
    for (let n = 0; n < SPAWNS; n++) {
      const o: JsSpawn = { a: nodes[pick(world)]!, b: nodes[pick(world)]! };
      spawned[n] = o;
      if (rand() < KEEP) setSlot(nodes[first + pick(leaves)]!, pick(4), o);
    }
    const f1 = performance.now();
    log.frameMs.push(f1 - f0);
    log.frameCpuMs.push(cpuMs() - f0c);
  }
  const gc = ctx.fullGc;
  if (gc !== null) {
    const times: number[] = [];
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      gc();
      times.push(performance.now() - t0);
    }
    log.engineGcMs = median(times);
  }
  // Keep the world alive through the gc() calls above.
  if (nodes.length !== world || spawned.length !== SPAWNS) throw new Error('incremental: JS world changed size');
}

// ---- statistics ------------------------------------------------------------------------------

/** Nearest-rank percentile: the smallest value with at least fraction `q` of the values at or below it. */
function percentile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

function max(xs: number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, b) => (b > a ? b : a), -Infinity);
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

interface RunStats {
  collectorP50: number;
  collectorP99: number;
  collectorMax: number;
  collectorFirstMax: number;
  collectorSteadyMax: number;
  collectorTotal: number;
  collectorOwnP99: number;
  collectorOwnMax: number;
  collectorOwnSteadyMax: number;
  frameP50: number;
  frameP99: number;
  frameMax: number;
  frameFirstMax: number;
  frameSteadyMax: number;
  frameOwnP99: number;
  frameOwnMax: number;
  /** Frames whose collector share passed 1.5 ms, wall time. */
  overBudget: number;
}

/**
 * Per frame, min(wall, CPU): the process's CPU time counts every thread (the engine compiles and
 * collects on helper threads, so it can exceed wall time), wall time counts the time other
 * processes held our core; the smaller of the two bounds the main thread's own work from above.
 */
function own(wall: number[], cpu: number[]): number[] {
  return wall.map((w, i) => Math.min(w, cpu[i]!));
}

function runStats(log: RunLog): RunStats {
  const c = log.collectorMs;
  const f = log.frameMs;
  const cc = own(c, log.collectorCpuMs);
  const fc = own(f, log.frameCpuMs);
  return {
    collectorP50: percentile(c, 0.5),
    collectorP99: percentile(c, 0.99),
    collectorMax: max(c),
    collectorFirstMax: max(c.slice(0, FIRST)),
    collectorSteadyMax: max(c.slice(FIRST)),
    collectorTotal: sum(c),
    collectorOwnP99: percentile(cc, 0.99),
    collectorOwnMax: max(cc),
    collectorOwnSteadyMax: max(cc.slice(FIRST)),
    frameP50: percentile(f, 0.5),
    frameP99: percentile(f, 0.99),
    frameMax: max(f),
    frameFirstMax: max(f.slice(0, FIRST)),
    frameSteadyMax: max(f.slice(FIRST)),
    frameOwnP99: percentile(fc, 0.99),
    frameOwnMax: max(fc),
    overBudget: c.filter((x) => x > 1.5).length,
  };
}

/** Median over runs of one statistic, and the worst run's value. */
function across(runs: RunStats[], key: keyof RunStats): { med: number; worst: number } {
  const xs = runs.map((r) => r[key]);
  return { med: median(xs), worst: max(xs) };
}

// ---- fixed work: one major cycle, stepped or stop-the-world ----------------------------------

interface CycleFixture extends Staged {
  heap: Heap;
  /** Slices the last drain took. */
  slices: number;
}

/**
 * The world plus GARBAGE dead objects (allocated by the setup, referencing world nodes, held by
 * nothing), then one whole major cycle: `collect()`, or `step(budget)` until it reports the end
 * of the cycle. Every call does the same work: mark the world, free the garbage, sweep every index.
 */
function cycleFixture(budget: number | null): CycleFixture {
  const heap = buildHeap(makeGraph('tree', WORLD), heapOptions(WORLD));
  heap.collect();
  const nodes = new Float64Array(WORLD);
  for (let i = 0; i < WORLD; i++) nodes[i] = heap.refAt((i + 1) as Index);
  const rand = prng(0x9a7b);
  const picks = new Uint32Array(2 * GARBAGE);
  for (let j = 0; j < picks.length; j++) picks[j] = Math.floor(rand() * WORLD);
  const fx: CycleFixture = {
    name: budget === null ? 'collect()' : `step(${pow10(budget)}) until done`,
    heap,
    slices: 0,
    setup: () => {
      for (let j = 0; j < GARBAGE; j++) {
        const o = heap.alloc(2);
        heap.set(o, 0, nodes[picks[2 * j]!] as Ref);
        heap.set(o, 1, nodes[picks[2 * j + 1]!] as Ref);
      }
    },
    fn: budget === null ? () => heap.collect() : () => {
      let slices = 1;
      while (!heap.step(budget)) slices++;
      fx.slices = slices;
    },
  };
  // Check once that the cycle frees exactly the garbage.
  fx.setup();
  fx.fn();
  if (heap.stats().live !== WORLD) throw new Error(`incremental: a major cycle left ${heap.stats().live} live`);
  return fx;
}

/** The longest single `step(budget)` slice of a drained cycle, median over 5 cycles. */
function maxSliceMs(fx: CycleFixture, budget: number): number {
  const maxima: number[] = [];
  for (let r = 0; r < 5; r++) {
    fx.setup();
    let worst = 0;
    for (let done = false; !done;) {
      const t0 = performance.now();
      done = fx.heap.step(budget);
      const t = performance.now() - t0;
      if (t > worst) worst = t;
    }
    maxima.push(worst);
  }
  return median(maxima);
}

// ---- the suite -------------------------------------------------------------------------------

export function incrementalSuite(ctx: Ctx): Promise<SuiteReport> {
  const quick = ctx.quick;
  const frames = quick ? 300 : FRAMES;
  const reps = quick ? 1 : 5;
  const notes: string[] = [];
  const targets: Target[] = [];
  const tables: Table[] = [];
  if (!ctx.json) console.log(`\n### incremental (${ctx.runtime})\n`);

  exerciseCollector();
  // Warm-up: short loops on the same world, so the measured frames run compiled code. The first
  // one's first frames are the cold numbers (as cold as this process still is: suites that ran
  // before compiled much of the same code). Tick mode twice: in Node the first two heaps of a
  // process each ran their first minors slowly (the engine re-optimizing for the new heap), as
  // Heap.warmUp()'s two scratch heaps also allow for. The JS mode warms up just before its runs.
  ctx.log(`[bench] incremental: warm-up loop (${pow10(WORLD)}-node world, ${WARM_FRAMES} frames per mode)`);
  const coldTick = runLoop(ctx, 'tick', WORLD, WARM_FRAMES);
  const coldCollect = runLoop(ctx, 'collect', WORLD, WARM_FRAMES);
  runLoop(ctx, 'tick', WORLD, WARM_FRAMES);

  // The heap modes take turns; the JavaScript runs come after them all. Interleaved, they cost
  // the next heap run its compiled code: while the heap's code sits idle through the engine
  // collecting the JS world, the engine discards its optimized code (deopt reason "weak objects"),
  // and the next heap's first minors ran deoptimized, 5-14 ms each (measured in Node).
  const heapModes: Mode[] = ['tick', 'collect'];
  const logs = new Map<Mode, RunLog[]>(MODES.map((m) => [m, []]));
  for (let r = 0; r < reps; r++) {
    for (let j = 0; j < heapModes.length; j++) {
      const mode = heapModes[(r + j) % heapModes.length]!;
      ctx.log(`[bench] incremental: run ${r + 1}/${reps}, mode ${mode}, ${frames} frames`);
      logs.get(mode)!.push(runLoop(ctx, mode, WORLD, frames));
    }
  }
  runLoop(ctx, 'js', WORLD, WARM_FRAMES);
  for (let r = 0; r < reps; r++) {
    ctx.log(`[bench] incremental: run ${r + 1}/${reps}, mode js, ${frames} frames`);
    logs.get('js')!.push(runLoop(ctx, 'js', WORLD, frames));
  }
  const statsOf = (m: Mode) => logs.get(m)!.map(runStats);
  const tickStats = statsOf('tick');
  const collectStats = statsOf('collect');
  const jsStats = statsOf('js');

  // ---- tables 1 and 2: per mode ---------------------------------------------------------------
  const fmt = (x: number) => (Number.isNaN(x) ? 'n/a' : ms(x * 1e6));
  const medWorst = (runs: RunStats[], key: keyof RunStats) => {
    const a = across(runs, key);
    return reps === 1 ? fmt(a.med) : `${fmt(a.med)} (${fmt(a.worst)})`;
  };
  const liveRatio = (m: Mode) => median(logs.get(m)!.map((l) => l.maxLive / l.reachable));
  const count = (m: Mode, f: (l: RunLog) => number) => median(logs.get(m)!.map(f));
  const jsName = `JS objects, ${ctx.runtime === 'bun' ? 'JSC' : 'V8'} collects`;
  const heapRows: [Mode, string, RunStats[]][] = [
    ['tick', `tick(${BUDGET_MS}) every frame`, tickStats],
    ['collect', `collect() every ${COLLECT_EVERY} frames`, collectStats],
  ];
  tables.push({
    title: `incremental: the collector's share of each frame, ms, ${
      pow10(WORLD)
    }-node world, ${SPAWNS} spawns a frame (${
      KEEP * 100
    }% kept), ${frames} frames (${ctx.runtime} ${ctx.runtimeVersion})`,
    columns: [
      'mode',
      'p50',
      'p99',
      `max, frames 1-${FIRST}`,
      `max, frames ${FIRST + 1}-${frames}`,
      'own p99',
      `own max, ${FIRST + 1}-${frames}`,
      'total',
      'majors / minors',
      'max live / reachable',
    ],
    rows: heapRows.map(([m, label, runs]) => [
      label,
      medWorst(runs, 'collectorP50'),
      medWorst(runs, 'collectorP99'),
      medWorst(runs, 'collectorFirstMax'),
      medWorst(runs, 'collectorSteadyMax'),
      medWorst(runs, 'collectorOwnP99'),
      medWorst(runs, 'collectorOwnSteadyMax'),
      fmt(across(runs, 'collectorTotal').med),
      `${count(m, (l) => l.majors)} / ${count(m, (l) => l.minors)}`,
      `${count(m, (l) => l.maxLive)} / ${count(m, (l) => l.reachable)} = ${sig(liveRatio(m))}`,
    ]),
  });
  tables.push({
    title: `incremental: whole frames (spawning + collector), ms (${ctx.runtime})`,
    columns: [
      'mode',
      'p50',
      'p99',
      `max, frames 1-${FIRST}`,
      `max, frames ${FIRST + 1}-${frames}`,
      'own p99',
      'own max',
    ],
    rows: [...heapRows, ['js', jsName, jsStats] as [Mode, string, RunStats[]]].map(([, label, runs]) => [
      label,
      medWorst(runs, 'frameP50'),
      medWorst(runs, 'frameP99'),
      medWorst(runs, 'frameFirstMax'),
      medWorst(runs, 'frameSteadyMax'),
      medWorst(runs, 'frameOwnP99'),
      medWorst(runs, 'frameOwnMax'),
    ]),
  });

  // ---- table 3: pause distribution -------------------------------------------------------------
  type Select = (l: RunLog, i: number) => boolean;
  const pooled = (m: Mode, select: Select, cpu = false) =>
    logs.get(m)!.flatMap((l) =>
      (cpu ? own(l.collectorMs, l.collectorCpuMs) : l.collectorMs).filter((_, i) => select(l, i))
    );
  const pauseRow = (label: string, xs: number[], cpu: number[] | null): string[] => [
    label,
    String(xs.length),
    fmt(percentile(xs, 0.5)),
    fmt(percentile(xs, 0.99)),
    fmt(max(xs)),
    cpu === null ? 'n/a' : fmt(percentile(cpu, 0.99)),
    cpu === null ? 'n/a' : fmt(max(cpu)),
  ];
  const tickRow = (label: string, select: Select) =>
    pauseRow(label, pooled('tick', select), pooled('tick', select, true));
  const engineGc = median(logs.get('js')!.map((l) => l.engineGcMs));
  const collectPauses: Select = (l, i) => l.majorFrame[i]!;
  const coldCollectPauses = coldCollect.collectorMs.filter((_, i) => coldCollect.majorFrame[i]!);
  const pauseRows = [
    tickRow('tick(1), every frame', () => true),
    tickRow('tick(1), frames with a minor', (l, i) => l.minorFrame[i]! && !l.majorFrame[i]!),
    tickRow(
      `tick(1), minors of more than 2 x ${NURSERY} young (deferred by a major cycle)`,
      (l, i) => l.minorFrame[i]! && l.youngBefore[i]! > 2 * NURSERY,
    ),
    tickRow('tick(1), frames with major-cycle work', (l, i) => l.majorFrame[i]! && !l.minorFrame[i]!),
    tickRow('tick(1), frames with both', (l, i) => l.majorFrame[i]! && l.minorFrame[i]!),
    tickRow('tick(1), frames with neither', (l, i) => !l.majorFrame[i]! && !l.minorFrame[i]!),
    pauseRow(
      `collect() every ${COLLECT_EVERY} frames (its pauses)`,
      pooled('collect', collectPauses),
      pooled('collect', collectPauses, true),
    ),
    pauseRow(
      `${jsName}: whole frames`,
      logs.get('js')!.flatMap((l) => l.frameMs),
      logs.get('js')!.flatMap((l) => own(l.frameMs, l.frameCpuMs)),
    ),
    pauseRow(
      'cold: tick(1), first 10 frames of the warm-up loop',
      coldTick.collectorMs.slice(0, 10),
      own(coldTick.collectorMs, coldTick.collectorCpuMs).slice(0, 10),
    ),
    pauseRow('cold: collect(), the warm-up loop', coldCollectPauses, null),
  ];
  if (ctx.fullGc !== null) pauseRows.push(pauseRow(`${ctx.gcName} of the JS world, forced`, [engineGc], null));
  tables.push({
    title: `incremental: pause distribution, pooled over ${reps} run${reps === 1 ? '' : 's'}, ms (${ctx.runtime})`,
    columns: ['pauses', 'count', 'p50', 'p99', 'max', 'own p99', 'own max'],
    rows: pauseRows,
  });

  // ---- table 3: fixed work -------------------------------------------------------------------
  ctx.log('[bench] incremental: fixed work, one major cycle stepped vs collect(), paired');
  const cycles = [cycleFixture(null), ...STEP_BUDGETS.map((b) => cycleFixture(b))];
  const pair = pairedStaged(cycles, quick ? 1500 : 4000);
  const sliceMax = STEP_BUDGETS.map((b, k) => maxSliceMs(cycles[k + 1]!, b));
  tables.push({
    title: `incremental: one full major cycle, ${pow10(WORLD)}-node world + ${pow10(GARBAGE)} garbage, ` +
      `stepped vs stop-the-world (${ctx.runtime})`,
    columns: ['cycle', 'slices', 'total ms (paired median)', 'vs collect() (paired)', 'longest slice ms'],
    rows: cycles.map((c, k) => [
      c.name,
      k === 0 ? '1' : String(c.slices),
      ms(pair.medians[k]!),
      ratio(pair.ratios[k]!),
      k === 0 ? ms(pair.medians[0]!) : ms(sliceMax[k - 1]! * 1e6),
    ]),
  });

  // ---- targets -------------------------------------------------------------------------------
  const runsNote = `median of ${reps} run${reps === 1 ? '' : 's'}`;
  const p99 = across(tickStats, 'collectorP99').med;
  const worstTick = across(tickStats, 'collectorMax').med;
  const p99Cpu = across(tickStats, 'collectorOwnP99').med;
  const worstTickCpu = across(tickStats, 'collectorOwnMax').med;
  const bounded = liveRatio('tick');
  targets.push(
    {
      name: `game loop tick(1) p99, wall (${ctx.runtime}, ${runsNote})`,
      goal: '<= 1.5 ms',
      value: p99,
      met: p99 <= 1.5,
    },
    {
      name: `game loop tick(1) max over all ${frames} frames, wall (${ctx.runtime}, ${runsNote})`,
      goal: '<= 3 ms',
      value: worstTick,
      met: worstTick <= 3,
    },
    {
      name: `game loop tick(1) p99, own time = min(wall, CPU) (${ctx.runtime}, ${runsNote})`,
      goal: '<= 1.5 ms',
      value: p99Cpu,
      met: p99Cpu <= 1.5,
    },
    {
      name: `game loop tick(1) max over all ${frames} frames, own time = min(wall, CPU) (${ctx.runtime}, ${runsNote})`,
      goal: '<= 3 ms',
      value: worstTickCpu,
      met: worstTickCpu <= 3,
    },
    {
      name: `game loop tick(1) live objects bounded (${ctx.runtime}): max live / reachable at the end`,
      goal: '<= 1.5',
      value: bounded,
      met: bounded <= 1.5,
    },
  );

  const tickLogs = logs.get('tick')!;
  notes.push(
    `game loop: growthPercent ${GROWTH_PERCENT} (set low so major cycles happen within ${frames} frames: ` +
      `tick mode ran ${count('tick', (l) => l.majors)} major cycle(s), the first ending in frame ${
        median(tickLogs.map((l) => l.firstMajorFrame))
      }, and ${count('tick', (l) => l.minors)} minors; nurserySize 8192, the default, so a minor every ~4 frames). ` +
      `${reps} run${reps === 1 ? '' : 's'} per mode, each on a fresh identical world (seeded PRNG); the heap modes ` +
      'take turns, the JS runs come after them (see the suite for why); ' +
      `cells are the median over runs, '(x)' the worst run. Warm-up loops (every mode, the same world, ` +
      `${WARM_FRAMES} frames; tick mode twice) ran first; 'cold' rows are the first one's first frames. ` +
      "'frames with major-cycle work': a major cycle was running before or after the tick. max live: " +
      'stats().live after a frame; reachable: live after one more collect() at the end (what the world holds). ' +
      "own: per frame, min(wall time, the process's CPU time from " +
      'process.cpuUsage()): CPU time leaves out the time other processes held our core but counts the ' +
      "engine's helper threads (compiling, collecting), so the smaller of the two bounds the main thread's " +
      'own work from above; a wall-time spike with no own-time spike was the machine.',
    `JS objects: the same world and spawns as plain objects; spawned objects stay referenced until the next frame ` +
      `overwrites them. The engine's collections run inside frames, so they show up in the frame columns.` +
      (ctx.fullGc === null
        ? ''
        : ` A forced ${ctx.gcName} of that world (after the frames) takes ${fmt(engineGc)} ms.`),
    'fixed work: the same cycle (mark 10^5, free 2x10^4, sweep all) on identical heaps, the setup (allocating the ' +
      'garbage) untimed, the four taking turns (pairedStaged). slices: step() calls to finish the cycle. The ' +
      'collector-total column of the game loop compares what each mode spent over the frames; the modes free at ' +
      'different times, so the fixed-work table is the like-for-like throughput cost.',
  );

  return Promise.resolve({
    suite: 'incremental',
    runtime: ctx.runtime,
    tables,
    targets,
    notes,
    data: {
      frames,
      reps,
      growthPercent: GROWTH_PERCENT,
      runs: Object.fromEntries(
        MODES.map((m) => [
          m,
          logs.get(m)!.map((l, k) => ({
            stats: runStats(l),
            majors: l.majors,
            minors: l.minors,
            maxLive: l.maxLive,
            reachable: l.reachable,
            firstMajorFrame: l.firstMajorFrame,
            engineGcMs: l.engineGcMs,
            run: k,
          })),
        ]),
      ),
      cold: { tick: runStats(coldTick), collect: runStats(coldCollect) },
      fixedWork: {
        rounds: pair.rounds,
        names: pair.names,
        medianNs: pair.medians,
        timeOverCollect: pair.ratios,
        slices: cycles.map((c) => c.slices),
        longestSliceMs: sliceMax,
      },
    },
  });
}
