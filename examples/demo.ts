/**
 * ecs-heap demo: the same game loop twice, on identical seeded worlds, to compare where the
 * collector's time goes in a frame. Run with `npm start` (or see examples/README.md).
 *
 *   tick(1)    every frame: generational + incremental collection, about 1 ms of it per frame.
 *   collect()  every 60 frames: stop-the-world, all the work in one frame.
 *
 * The loop itself is in game-loop.ts. This file prints a chart of the collector's milliseconds per
 * frame for each mode (same scale), a table of the numbers, and stale-handle detection at work.
 */
/// <reference path="./types/asciichart.d.ts" />
import asciichart from 'asciichart';
import { Heap, StaleRefError } from '../mod.ts'; // in your game: from 'ecs-heap'
import {
  COLLECT_EVERY,
  FRAME_BUDGET_MS,
  FRAMES,
  type Mode,
  runGameLoop,
  type RunResult,
  SPAWNS_PER_FRAME,
  WORLD_NODES,
} from './game-loop.ts';
import { ticksLessWaits } from './lib/run-queue-wait.ts';

const TITLES: Record<Mode, string> = {
  tick: `tick(${FRAME_BUDGET_MS}) every frame`,
  collect: `collect() every ${COLLECT_EVERY} frames`,
};
const fmt = (n: number): string => n.toLocaleString('en-US');
const ms = (n: number): string => n.toFixed(2);

// Which JavaScript runtime runs this: the demo works unchanged in Node, Bun and Deno.
const g = globalThis as { Bun?: { version: string }; Deno?: { version: { deno: string } } };
const runtime = g.Bun
  ? `Bun ${g.Bun.version}`
  : g.Deno
  ? `Deno ${g.Deno.version.deno}`
  : `Node ${process.versions.node}`;
console.log(
  `ecs-heap on ${runtime}: a ${fmt(WORLD_NODES)}-node world, ${fmt(SPAWNS_PER_FRAME)} new objects a frame ` +
    `(1% kept by the world), ${FRAMES} frames, run once per mode.\n`,
);

// Loading screen: let the JavaScript engine compile the collector before the first frame (without
// this, the first few minor collections run in the engine's interpreter, several ms each).
const warmUpMs = Heap.warmUp();
console.log(`Heap.warmUp() during loading: ${warmUpMs.toFixed(0)} ms\n`);

// Empty the JavaScript engine's own garbage first (node --expose-gc, deno --v8-flags=--expose-gc),
// so that its collector is less likely to pause in the middle of one mode and not the other.
const jsGc = (globalThis as { gc?: () => void }).gc;
const runs: RunResult[] = [];
for (const mode of ['tick', 'collect'] as const) {
  jsGc?.();
  runs.push(runGameLoop(mode));
}
const [ticked, collected] = runs as [RunResult, RunResult];

// ---- 1. Charts: milliseconds the collector took, per frame ------------------------------------
// 600 frames do not fit across a terminal: each column shows the slowest of 10 frames. Both charts
// share one y scale, so a spike in one is as tall as the same spike would be in the other.
const PER_COLUMN = 10;
const slowestPerColumn = (values: number[]): number[] => {
  const columns: number[] = [];
  for (let i = 0; i < values.length; i += PER_COLUMN) columns.push(Math.max(...values.slice(i, i + PER_COLUMN)));
  return columns;
};
const top = Math.max(...runs.flatMap((run) => run.collectorMs));
for (const run of runs) {
  console.log(`Collector ms per frame, ${TITLES[run.mode]}:`);
  console.log(
    asciichart.plot(slowestPerColumn(run.collectorMs), {
      min: 0,
      max: top,
      height: 10,
      format: (y: number) => y.toFixed(1).padStart(6),
    }),
  );
  console.log(`${' '.repeat(7)}└ frame 1 → ${FRAMES}, one column per ${PER_COLUMN} frames (the slowest of them)\n`);
}

// ---- 2. The numbers ------------------------------------------------------------------------------
/** The value below which `p` of the values lie (nearest rank). */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}
const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
// tick(1) runs slices until its 1 ms is up, so a busy tick takes a little over 1 ms: count 1.5 ms.
const SLOW_MS = 1.5 * FRAME_BUDGET_MS;
const slowFrames = (run: RunResult): number => run.collectorMs.filter((t) => t > SLOW_MS).length;
// The collector's slowest frame, and the part of it the main thread spent waiting for a CPU (on a
// busy machine, other threads such as the engine's compilers can hold every core): wall time in
// which the collector did nothing. What is left is the collector's own time.
const worstFrame = (run: RunResult): number => run.collectorMs.indexOf(Math.max(...run.collectorMs));
const waitInWorst = (run: RunResult): string =>
  run.collectorWaitMs === null ? 'n/a' : ms(run.collectorWaitMs[worstFrame(run)]!);
const ownMax = (run: RunResult): string =>
  run.collectorWaitMs === null ? 'n/a' : ms(Math.max(...ticksLessWaits(run.collectorMs, run.collectorWaitMs)));
const rows: [string, (run: RunResult) => string][] = [
  ['collector ms per frame: p50', (r) => ms(percentile(r.collectorMs, 0.5))],
  ['                        p99', (r) => ms(percentile(r.collectorMs, 0.99))],
  ['                        max', (r) => ms(Math.max(...r.collectorMs))],
  ['  of the max: waiting for a CPU', waitInWorst],
  ['max less the wait for a CPU', ownMax],
  ['collector ms in total', (r) => ms(sum(r.collectorMs))],
  [`frames where it took > ${SLOW_MS} ms`, (r) => fmt(slowFrames(r))],
  ['whole frame ms: p99 / max', (r) => `${ms(percentile(r.frameMs, 0.99))} / ${ms(Math.max(...r.frameMs))}`],
  ['live objects: at the end / max', (r) => `${fmt(r.end.live)} / ${fmt(Math.max(...r.live))}`],
  ['reachable after a final collect()', (r) => fmt(r.reachable)],
  ['major / minor collections', (r) => `${r.majors} / ${r.minors}`],
  ['bytes per object header / per slot', (r) => `${r.end.bytesPerObject} / ${r.end.bytesPerSlot}`],
  [
    'all typed arrays: MiB / bytes per live',
    (r) => `${(r.end.bytes / 2 ** 20).toFixed(1)} / ${(r.end.bytes / r.end.live).toFixed(0)}`,
  ],
];
const line = (label: string, x: string, y: string): string => `${label.padEnd(35)}${x.padStart(24)}${y.padStart(28)}`;
console.log(line('', TITLES.tick, TITLES.collect));
for (const [label, value] of rows) console.log(line(label, value(ticked), value(collected)));
console.log('(heap.verify() checked every invariant after both runs)\n');

// ---- 3. Stale handles are detected, never revived -----------------------------------------------
// A freed object's index gets a new generation. An old handle then stops matching, even after the
// index went to a new object (ECS ids with 8-bit versions wrap around and come back to life).
const { heap, dropped: h, droppedIndex, reusedBy, reusedInFrame } = ticked;
const generation = Math.floor(reusedBy / 2 ** 22); // a handle is index + generation × 2^22
console.log(`Stale handles: h = ${h} was spawned in frame 1 of the tick(1) run and never linked anywhere.`);
console.log(
  `  frame ${reusedInFrame}: index ${droppedIndex} went to a new object, handle ${reusedBy}` +
    ` = ${droppedIndex} + ${generation} × 2^22 (generation ${generation})`,
);
console.log(`  heap.isAlive(h): ${heap.isAlive(h)}`);
try {
  heap.get(h, 0);
  console.log('  heap.get(h, 0) did not throw (this would be a bug)');
} catch (error) {
  if (!(error instanceof StaleRefError)) throw error;
  console.log(`  heap.get(h, 0) threw ${error.name}: ${error.message}`);
}

// ---- 4. What to look at ----------------------------------------------------------------------------
const worst = Math.max(...ticked.collectorMs);
const spikes = collected.collectorMs.filter((_, i) => (i + 1) % COLLECT_EVERY === 0);
// A worst tick that mostly waited for a CPU says so, with the collector's own worst beside it.
const worstWait = ticked.collectorWaitMs?.[worstFrame(ticked)] ?? 0;
const waitNote = worst > SLOW_MS && worstWait > worst / 2
  ? `, ${ms(worstWait)} ms of it waiting for a CPU; the collector's own worst ${ownMax(ticked)} ms`
  : '';
console.log(
  `\nLook at: tick(${FRAME_BUDGET_MS}) p99 ${ms(percentile(ticked.collectorMs, 0.99))} ms, worst ${ms(worst)} ms ` +
    `(frame ${worstFrame(ticked) + 1}${waitNote}); collect() every ${COLLECT_EVERY} frames: ` +
    `${ms(Math.min(...spikes))}-${ms(Math.max(...spikes))} ms spikes, ` +
    `${(Math.max(...collected.live) / Math.max(...ticked.live)).toFixed(1)}x the live objects at peak.`,
);
