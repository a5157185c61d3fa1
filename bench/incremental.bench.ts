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
 * The loop itself (world, spawns, per-frame timing) lives in bench/lib/game-loop.ts, which the
 * game-loop and level-load suites run too.
 *
 * Throughput: the collector's total time over the 600 frames in both heap modes, and a fixed-work
 * comparison: one full major cycle on the same world plus 2x10^4 garbage objects, drained with
 * `step(budget)` slices of 10^3, 10^4, 10^5 units against one `collect()`, paired.
 */
import type { Heap } from '../mod.ts';
import { ms, pow10, ratio, sig } from './lib/format.ts';
import {
  type LoopSpec,
  own,
  runHeapLoop,
  runJsLoop,
  type RunLog,
  type RunStats,
  runStats,
  sizedOptions,
} from './lib/game-loop.ts';
import { DEFAULTS } from './lib/defaults.ts';
import { makeGraph, prng } from './lib/graphs.ts';
import { buildHeap, exerciseCollector, handlesOf } from './lib/heaps.ts';
import { pairedData, pairedStaged, type Staged } from './lib/paired.ts';
import { atMost, type Ctx, report, type Section, type SuiteReport, type Table } from './lib/report.ts';
import { max, median, percentile } from './lib/stats.ts';

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
const STEP_BUDGETS = [1e3, 1e4, 1e5];

type Mode = 'tick' | 'collect' | 'js';
const MODES: Mode[] = ['tick', 'collect', 'js'];

/** The loop of this suite in one mode: same seed in every mode, so the same world and spawns. */
function spec(mode: 'tick' | 'collect', frames: number): LoopSpec {
  return {
    world: WORLD,
    spawns: SPAWNS,
    keep: KEEP,
    frames,
    load: 'collect', // the loading screen: the world becomes the old generation
    mode,
    budgetMs: BUDGET_MS,
    collectEvery: COLLECT_EVERY,
    options: sizedOptions(WORLD, { growthPercent: GROWTH_PERCENT }),
    seed: 0x6a3e,
  };
}

function runLoop(ctx: Ctx, mode: Mode, frames: number): RunLog {
  return mode === 'js' ? runJsLoop(ctx, spec('tick', frames)) : runHeapLoop(ctx, spec(mode, frames));
}

/** Median over runs of one statistic, and the worst run's value. */
function across(runs: RunStats[], key: keyof RunStats): { med: number; worst: number } {
  const xs = runs.map((r) => r[key]);
  return { med: median(xs), worst: max(xs) };
}

interface Runs {
  frames: number;
  reps: number;
  logs: Map<Mode, RunLog[]>;
  stats: Map<Mode, RunStats[]>;
  coldTick: RunLog;
  coldCollect: RunLog;
}

/**
 * Warm-up, then the measured runs. Warm-up: short loops on the same world, so the measured frames
 * run compiled code. The first one's first frames are the cold numbers (as cold as this process
 * still is: suites that ran before compiled much of the same code). Tick mode twice: in Node the
 * first two heaps of a process each ran their first minors slowly (the engine re-optimizing for
 * the new heap), as Heap.warmUp()'s two scratch heaps also allow for. The JS mode warms up just
 * before its runs. The heap modes take turns; the JavaScript runs come after them all.
 * Interleaved, they cost the next heap run its compiled code: while the heap's code sits idle
 * through the engine collecting the JS world, the engine discards its optimized code (deopt reason
 * "weak objects"), and the next heap's first minors ran deoptimized, 5-14 ms each (measured in Node).
 */
function runAll(ctx: Ctx): Runs {
  const frames = ctx.quick ? 300 : FRAMES;
  const reps = ctx.quick ? 1 : 5;
  ctx.log(`[bench] incremental: warm-up loop (${pow10(WORLD)}-node world, ${WARM_FRAMES} frames per mode)`);
  const coldTick = runLoop(ctx, 'tick', WARM_FRAMES);
  const coldCollect = runLoop(ctx, 'collect', WARM_FRAMES);
  runLoop(ctx, 'tick', WARM_FRAMES);
  const heapModes: Mode[] = ['tick', 'collect'];
  const logs = new Map<Mode, RunLog[]>(MODES.map((m) => [m, []]));
  for (let r = 0; r < reps; r++) {
    for (let j = 0; j < heapModes.length; j++) {
      const mode = heapModes[(r + j) % heapModes.length]!;
      ctx.log(`[bench] incremental: run ${r + 1}/${reps}, mode ${mode}, ${frames} frames`);
      logs.get(mode)!.push(runLoop(ctx, mode, frames));
    }
  }
  runLoop(ctx, 'js', WARM_FRAMES);
  for (let r = 0; r < reps; r++) {
    ctx.log(`[bench] incremental: run ${r + 1}/${reps}, mode js, ${frames} frames`);
    logs.get('js')!.push(runLoop(ctx, 'js', frames));
  }
  const stats = new Map<Mode, RunStats[]>(MODES.map((m) => [m, logs.get(m)!.map((l) => runStats(l, FIRST))]));
  return { frames, reps, logs, stats, coldTick, coldCollect };
}

const fmt = (x: number) => (Number.isNaN(x) ? 'n/a' : ms(x * 1e6));

function medWorst(runs: Runs, mode: Mode, key: keyof RunStats): string {
  const a = across(runs.stats.get(mode)!, key);
  return runs.reps === 1 ? fmt(a.med) : `${fmt(a.med)} (${fmt(a.worst)})`;
}

const liveRatio = (runs: Runs, m: Mode) => median(runs.logs.get(m)!.map((l) => l.maxLive / l.reachable));
const count = (runs: Runs, m: Mode, f: (l: RunLog) => number) => median(runs.logs.get(m)!.map(f));
const jsName = (ctx: Ctx) => `JS objects, ${ctx.runtime === 'bun' ? 'JSC' : 'V8'} collects`;
const heapRows: [Mode, string][] = [['tick', `tick(${BUDGET_MS}) every frame`], [
  'collect',
  `collect() every ${COLLECT_EVERY} frames`,
]];

/** Tables 1 and 2: the collector's share of each frame, and whole frames, per mode. */
function frameTables(ctx: Ctx, runs: Runs): Table[] {
  const f = runs.frames;
  return [
    {
      title: `incremental: the collector's share of each frame, ms, ${
        pow10(WORLD)
      }-node world, ${SPAWNS} spawns a frame (${KEEP * 100}% kept), ${f} frames (${ctx.label} ${ctx.runtimeVersion})`,
      columns: [
        'mode',
        'p50',
        'p99',
        `max, frames 1-${FIRST}`,
        `max, frames ${FIRST + 1}-${f}`,
        'own p99',
        `own max, ${FIRST + 1}-${f}`,
        'total',
        'majors / minors',
        'max live / reachable',
      ],
      rows: heapRows.map(([m, label]) => [
        label,
        medWorst(runs, m, 'collectorP50'),
        medWorst(runs, m, 'collectorP99'),
        medWorst(runs, m, 'collectorFirstMax'),
        medWorst(runs, m, 'collectorSteadyMax'),
        medWorst(runs, m, 'collectorOwnP99'),
        medWorst(runs, m, 'collectorOwnSteadyMax'),
        fmt(across(runs.stats.get(m)!, 'collectorTotal').med),
        `${count(runs, m, (l) => l.majors)} / ${count(runs, m, (l) => l.minors)}`,
        `${count(runs, m, (l) => l.maxLive)} / ${count(runs, m, (l) => l.reachable)} = ${sig(liveRatio(runs, m))}`,
      ]),
    },
    {
      title: `incremental: whole frames (spawning + collector), ms (${ctx.label})`,
      columns: ['mode', 'p50', 'p99', `max, frames 1-${FIRST}`, `max, frames ${FIRST + 1}-${f}`, 'own p99', 'own max'],
      rows: [...heapRows, ['js', jsName(ctx)] as [Mode, string]].map(([m, label]) => [
        label,
        medWorst(runs, m, 'frameP50'),
        medWorst(runs, m, 'frameP99'),
        medWorst(runs, m, 'frameFirstMax'),
        medWorst(runs, m, 'frameSteadyMax'),
        medWorst(runs, m, 'frameOwnP99'),
        medWorst(runs, m, 'frameOwnMax'),
      ]),
    },
  ];
}

type Select = (l: RunLog, i: number) => boolean;

/** Table 3: pauses pooled over runs, by what the collector did in the frame. */
function pauseTable(ctx: Ctx, runs: Runs): Table {
  const pooled = (m: Mode, select: Select, cpu = false) =>
    runs.logs.get(m)!.flatMap((l) =>
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
  const collectPauses: Select = (l, i) => l.majorFrame[i]!;
  const { coldTick, coldCollect } = runs;
  const nursery = DEFAULTS.nurserySize;
  const rows = [
    tickRow('tick(1), every frame', () => true),
    tickRow('tick(1), frames with a minor', (l, i) => l.minorFrame[i]! && !l.majorFrame[i]!),
    tickRow(
      `tick(1), minors of more than 2 x ${nursery} young (deferred by a major cycle)`,
      (l, i) => l.minorFrame[i]! && l.youngBefore[i]! > 2 * nursery,
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
      `${jsName(ctx)}: whole frames`,
      runs.logs.get('js')!.flatMap((l) => l.frameMs),
      runs.logs.get('js')!.flatMap((l) => own(l.frameMs, l.frameCpuMs)),
    ),
    pauseRow(
      'cold: tick(1), first 10 frames of the warm-up loop',
      coldTick.collectorMs.slice(0, 10),
      own(coldTick.collectorMs, coldTick.collectorCpuMs).slice(0, 10),
    ),
    pauseRow(
      'cold: collect(), the warm-up loop',
      coldCollect.collectorMs.filter((_, i) => coldCollect.majorFrame[i]!),
      null,
    ),
  ];
  if (ctx.fullGc !== null) rows.push(pauseRow(`${ctx.gcName} of the JS world, forced`, [engineGcMs(runs)], null));
  return {
    title: `incremental: pause distribution, pooled over ${runs.reps} run${
      runs.reps === 1 ? '' : 's'
    }, ms (${ctx.label})`,
    columns: ['pauses', 'count', 'p50', 'p99', 'max', 'own p99', 'own max'],
    rows,
  };
}

const engineGcMs = (runs: Runs) => median(runs.logs.get('js')!.map((l) => l.engineGcMs));

function targetsSection(ctx: Ctx, runs: Runs): Section {
  const runsNote = `median of ${runs.reps} run${runs.reps === 1 ? '' : 's'}`;
  const tick = runs.stats.get('tick')!;
  const all = `all ${runs.frames} frames`;
  return {
    targets: [
      atMost(`game loop tick(1) p99, wall (${ctx.label}, ${runsNote})`, across(tick, 'collectorP99').med, 1.5, 'ms'),
      atMost(
        `game loop tick(1) max over ${all}, wall (${ctx.label}, ${runsNote})`,
        across(tick, 'collectorMax').med,
        3,
        'ms',
      ),
      atMost(
        `game loop tick(1) p99, own time = min(wall, CPU) (${ctx.label}, ${runsNote})`,
        across(tick, 'collectorOwnP99').med,
        1.5,
        'ms',
      ),
      atMost(
        `game loop tick(1) max over ${all}, own time = min(wall, CPU) (${ctx.label}, ${runsNote})`,
        across(tick, 'collectorOwnMax').med,
        3,
        'ms',
      ),
      atMost(
        `game loop tick(1) live objects bounded (${ctx.label}): max live / reachable at the end`,
        liveRatio(runs, 'tick'),
        1.5,
        'x',
      ),
    ],
    ratios: [
      {
        name: `game loop (${ctx.label}): collect() every ${COLLECT_EVERY} frames p99 pause / tick(1) p99, ${runsNote}`,
        value: across(runs.stats.get('collect')!, 'collectorP99').med / across(tick, 'collectorP99').med,
      },
    ],
  };
}

/** Table 4: one full major cycle, stepped or stop-the-world, paired. */
function fixedWorkSection(ctx: Ctx): Section {
  ctx.log('[bench] incremental: fixed work, one major cycle stepped vs collect(), paired');
  const cycles = [cycleFixture(null), ...STEP_BUDGETS.map((b) => cycleFixture(b))];
  const pair = pairedStaged(cycles, ctx.quick ? 1500 : 4000);
  const sliceMax = STEP_BUDGETS.map((b, k) => maxSliceMs(cycles[k + 1]!, b));
  return {
    tables: [{
      title: `incremental: one full major cycle, ${pow10(WORLD)}-node world + ${pow10(GARBAGE)} garbage, ` +
        `stepped vs stop-the-world (${ctx.label})`,
      columns: ['cycle', 'slices', 'total ms (paired median)', 'vs collect() (paired)', 'longest slice ms'],
      rows: cycles.map((c, k) => [
        c.name,
        k === 0 ? '1' : String(c.slices),
        ms(pair.medians[k]!),
        ratio(pair.ratios[k]!),
        k === 0 ? ms(pair.medians[0]!) : ms(sliceMax[k - 1]! * 1e6),
      ]),
    }],
    ratios: STEP_BUDGETS.map((b, k) => ({
      name: `major cycle in step(${pow10(b)}) slices / one collect() (${ctx.label}), time, paired`,
      value: pair.ratios[k + 1]!,
    })),
    notes: [
      'fixed work: the same cycle (mark 10^5, free 2x10^4, sweep all) on identical heaps, the setup (allocating the ' +
      'garbage) untimed, the four taking turns (pairedStaged). slices: step() calls to finish the cycle. The ' +
      'collector-total column of the game loop compares what each mode spent over the frames; the modes free at ' +
      'different times, so the fixed-work table is the like-for-like throughput cost.',
    ],
    data: {
      fixedWork: {
        ...pairedData(pair, 'timeOverCollect'),
        slices: cycles.map((c) => c.slices),
        longestSliceMs: sliceMax,
      },
    },
  };
}

function notes(ctx: Ctx, runs: Runs): string[] {
  const tickLogs = runs.logs.get('tick')!;
  const r = runs.reps;
  return [
    `game loop: growthPercent ${GROWTH_PERCENT} (set low so major cycles happen within ${runs.frames} frames: ` +
    `tick mode ran ${count(runs, 'tick', (l) => l.majors)} major cycle(s), the first ending in frame ${
      median(tickLogs.map((l) => l.firstMajorFrame))
    }, and ${
      count(runs, 'tick', (l) => l.minors)
    } minors; nurserySize ${DEFAULTS.nurserySize}, the default, so a minor every ~4 frames). ` +
    `${r} run${r === 1 ? '' : 's'} per mode, each on a fresh identical world (seeded PRNG); the heap modes ` +
    'take turns, the JS runs come after them (see runAll for why); ' +
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
      : ` A forced ${ctx.gcName} of that world (after the frames) takes ${fmt(engineGcMs(runs))} ms.`),
  ];
}

function runsData(runs: Runs): Record<string, unknown> {
  return {
    frames: runs.frames,
    reps: runs.reps,
    growthPercent: GROWTH_PERCENT,
    runs: Object.fromEntries(
      MODES.map((m) => [
        m,
        runs.logs.get(m)!.map((l, k) => ({
          stats: runStats(l, FIRST),
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
    cold: { tick: runStats(runs.coldTick, FIRST), collect: runStats(runs.coldCollect, FIRST) },
  };
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
  const heap = buildHeap(makeGraph('tree', WORLD), sizedOptions(WORLD, { growthPercent: GROWTH_PERCENT }));
  heap.collect();
  const nodes = handlesOf(heap, WORLD);
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
        heap.set(o, 0, nodes[picks[2 * j]!]!);
        heap.set(o, 1, nodes[picks[2 * j + 1]!]!);
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
  if (!ctx.json) console.log(`\n### incremental (${ctx.label})\n`);
  exerciseCollector();
  const runs = runAll(ctx);
  return Promise.resolve(report('incremental', ctx, [
    { tables: [...frameTables(ctx, runs), pauseTable(ctx, runs)] },
    targetsSection(ctx, runs),
    fixedWorkSection(ctx),
    { notes: notes(ctx, runs), data: runsData(runs) },
  ]));
}
