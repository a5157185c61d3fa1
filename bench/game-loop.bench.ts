/**
 * `game-loop`: the steady game loop, judged as a game ships it. After `Heap.warmUp()` (as at
 * loading), a 100k-node world (the standard 4-slot tree, root pinned, `collect()`ed at load so it
 * is old), then 600 frames that each spawn 2,000 objects (2 slots pointing at random world nodes;
 * 1% stick in the world, replacing what a random leaf slot held) and call `heap.tick(1)`. The
 * loop is the incremental suite's (bench/lib/game-loop.ts); this suite reports it against the
 * issue's tighter targets:
 *
 * - tick(1) p99 <= 1.2 ms, max <= 2 ms, max live / reachable <= 1.2x.
 *
 * Two heap configurations, each on a fresh identical world: the library defaults (every option
 * but initialCapacity), where the old generation grows too slowly for a major cycle to start in
 * 600 frames, so the frames hold minors only; and growthPercent 5, where major cycles run during
 * the frames too (the incremental suite's setting). Anchor: the same world and frames as
 * JavaScript objects, the engine collecting on its own (its GC pauses, where the runtime reports
 * them, and whole frames).
 */
import process from 'node:process';
import { gcObserverWorks } from './lib/engine.ts';
import { msOf, ratio, sig } from './lib/format.ts';
import {
  type LoopSpec,
  observedJsLoop,
  runHeapLoop,
  type RunLog,
  type RunStats,
  runStats,
  sizedOptions,
  warmUpOnce,
} from './lib/game-loop.ts';
import { isMain, runStandalone } from './lib/output.ts';
import { atMost, type Ctx, report, type Section, type SuiteReport, type Target } from './lib/report.ts';
import { max, median, percentile } from './lib/stats.ts';

const WORLD = 100_000;
const SPAWNS = 2_000;
const FRAMES = 600;
const FIRST = 60;

interface Config {
  label: string;
  growthPercent: number | undefined;
}

const CONFIGS: Config[] = [
  { label: 'defaults', growthPercent: undefined },
  { label: 'growthPercent 5', growthPercent: 5 },
];

function spec(config: Config, frames: number): LoopSpec {
  return {
    world: WORLD,
    spawns: SPAWNS,
    keep: 0.01,
    frames,
    load: 'collect',
    mode: 'tick',
    budgetMs: 1,
    collectEvery: 0,
    options: sizedOptions(WORLD, config.growthPercent === undefined ? {} : { growthPercent: config.growthPercent }),
    seed: 0x6a3e,
  };
}

interface ConfigRuns {
  config: Config;
  logs: RunLog[];
  stats: RunStats[];
}

const med = (c: ConfigRuns, key: keyof RunStats) => median(c.stats.map((s) => s[key]));
const worst = (c: ConfigRuns, key: keyof RunStats) => max(c.stats.map((s) => s[key]));
const liveRatio = (c: ConfigRuns) => median(c.logs.map((l) => l.maxLive / l.reachable));

function runConfigs(ctx: Ctx, reps: number, frames: number): ConfigRuns[] {
  const out = CONFIGS.map((config) => ({ config, logs: [] as RunLog[], stats: [] as RunStats[] }));
  for (let r = 0; r < reps; r++) {
    for (let j = 0; j < out.length; j++) {
      const c = out[(r + j) % out.length]!;
      ctx.log(`[bench] game-loop: run ${r + 1}/${reps}, ${c.config.label}, ${frames} frames`);
      const log = runHeapLoop(ctx, spec(c.config, frames));
      c.logs.push(log);
      c.stats.push(runStats(log, FIRST));
    }
  }
  return out;
}

function configSection(ctx: Ctx, runs: ConfigRuns[], js: { log: RunLog; pauses: number[] }, frames: number): Section {
  const targets: Target[] = [];
  const cell = (c: ConfigRuns, key: keyof RunStats) =>
    c.stats.length === 1 ? msOf(med(c, key)) : `${msOf(med(c, key))} (${msOf(worst(c, key))})`;
  const rows = runs.map((c) => [
    `tick(1), ${c.config.label}`,
    cell(c, 'collectorP50'),
    cell(c, 'collectorP99'),
    cell(c, 'collectorMax'),
    cell(c, 'collectorOwnP99'),
    cell(c, 'frameP99'),
    `${median(c.logs.map((l) => l.majors))} / ${median(c.logs.map((l) => l.minors))}`,
    sig(liveRatio(c)),
  ]);
  const jsFrameP99 = percentile(js.log.frameMs, 0.99);
  rows.push([
    'JS objects: engine GC pauses in the frames',
    msOf(percentile(js.pauses, 0.5)),
    msOf(percentile(js.pauses, 0.99)),
    msOf(js.pauses.length === 0 ? NaN : max(js.pauses)),
    '',
    msOf(jsFrameP99),
    `${js.pauses.length} pauses`,
    '',
  ]);
  for (const c of runs) {
    const at = `game-loop ${
      WORLD / 1000
    }k world, ${SPAWNS} spawns/frame, ${c.config.label} (${ctx.label}, median of ${c.stats.length})`;
    targets.push(
      atMost(`${at}: tick(1) p99`, med(c, 'collectorP99'), 1.2, 'ms'),
      atMost(`${at}: tick(1) max over ${frames} frames`, med(c, 'collectorMax'), 2, 'ms'),
      atMost(`${at}: max live / reachable`, liveRatio(c), 1.2, 'x'),
    );
  }
  return {
    tables: [{
      title: `game-loop: tick(1) ms per frame after Heap.warmUp(), ${
        WORLD / 1000
      }k-node world, ${SPAWNS} spawns a frame, ${frames} frames (${ctx.label} ${ctx.runtimeVersion})`,
      columns: [
        'heap',
        'tick p50',
        'tick p99',
        'tick max',
        'tick own p99',
        'whole frame p99',
        'majors / minors',
        'max live / reachable',
      ],
      rows,
    }],
    targets,
    ratios: runs.map((c) => ({
      name: `game-loop (${ctx.label}), ${c.config.label}: ecs-heap whole-frame p99 / JS objects whole-frame p99`,
      value: med(c, 'frameP99') / jsFrameP99,
    })),
    data: {
      configs: runs.map((c) => ({
        label: c.config.label,
        growthPercent: c.config.growthPercent ?? null,
        stats: c.stats,
        majors: c.logs.map((l) => l.majors),
        minors: c.logs.map((l) => l.minors),
        maxLive: c.logs.map((l) => l.maxLive),
        reachable: c.logs.map((l) => l.reachable),
        tickReturned: c.logs[0]?.tickReturned,
      })),
      js: { pauses: js.pauses, frameP99: jsFrameP99, frameMax: max(js.log.frameMs) },
    },
  };
}

export async function gameLoopSuite(ctx: Ctx): Promise<SuiteReport> {
  const warmMs = warmUpOnce();
  const reps = ctx.quick ? 1 : 3;
  const frames = ctx.quick ? 300 : FRAMES;
  const runs = runConfigs(ctx, reps, frames);
  ctx.log('[bench] game-loop: the same loop with JavaScript objects');
  const observe = await gcObserverWorks(ctx);
  const js = await observedJsLoop(ctx, spec(CONFIGS[0]!, frames), observe);
  return report('game-loop', ctx, [
    configSection(ctx, runs, { log: js.log, pauses: js.pauses.map((p) => p.ms) }, frames),
    {
      notes: [
        `Heap.warmUp() ran first${warmMs === 0 ? ' (earlier in this process)' : ` (${msOf(warmMs)} ms)`}; then ` +
        `${reps} run${reps === 1 ? '' : 's'} per configuration on fresh identical worlds (seeded), the ` +
        "configurations taking turns; cells are the median over runs, '(x)' the worst. tick: wall time of " +
        'tick(1); own: min(wall, process CPU time) per frame, which leaves out time other processes held the ' +
        'core. whole frame: spawning + tick. max live: stats().live after a frame; reachable: live after one ' +
        'more collect() at the end. The targets are judged on the medians over runs.',
        observe
          ? 'JS anchor: engine GC pauses are the PerformanceObserver gc entries that started during the frames.'
          : `JS anchor: ${ctx.runtime} does not deliver PerformanceObserver gc entries: whole frames only.`,
        `Ratios: ecs-heap's whole-frame p99 over the JS loop's (${ratio(1)} = as smooth as plain JS objects).`,
      ],
      data: { warmUpMs: warmMs, reps, frames },
    },
  ]);
}

if (isMain(import.meta)) process.exitCode = await runStandalone('game-loop', gameLoopSuite);
