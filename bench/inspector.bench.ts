/**
 * `inspector`: what an inspector attached but idle (listening, no page open) costs the game.
 *
 * - Game loop: a 10^5-node world (a 4-slot tree, root pinned, collected at load) spawning 2,000
 *   objects a frame (1% sticking in the world) and calling `tick({ units: 50,000 })` (a budget in
 *   work units, not milliseconds, so the work does not depend on timing). Each round runs a block
 *   of frames without an inspector and a block with one attached but idle, in random order, on the
 *   same heap; the ratio is the median over rounds of (with / without) whole-frame time, in own
 *   time: min(wall, CPU time), as the machine is shared.
 * - Per collector call: `tick(0)` with nothing to do, with and without an idle inspector, the
 *   same way: the listener's cost in nanoseconds, the only thing an idle inspector does.
 * - Per update of an open page: taking a sample (stats, ages, components) and encoding it as
 *   JSON on the 10^5 world; an open page does this every `intervalMs` (200 ms by default).
 */
import process from 'node:process';
import { Heap, type Index, type Ref, type RefArray } from '../mod.ts';
import { serveInspector } from '../inspector.ts';
import { stateOf } from '../src/heap.ts';
import { takeSample } from '../src/inspector/sample.ts';
import { ratio, sig } from './lib/format.ts';
import { makeGraph, prng } from './lib/graphs.ts';
import { buildHeap } from './lib/heaps.ts';
import { isMain, runStandalone } from './lib/output.ts';
import type { Paired } from './lib/paired.ts';
import { atMost, type Ctx, report, type SuiteReport } from './lib/report.ts';
import { median } from './lib/stats.ts';

const WORLD = 100_000;
const SPAWNS = 2_000;
const KEEP = 0.01;
const BLOCK = 20;
/** Collection work per frame: about a millisecond's worth here. */
const UNITS = 50_000;
/** `tick(0)` calls per timing. */
const TICKS = 20_000;

interface Game {
  heap: Heap;
  frame(): void;
}

function makeGame(): Game {
  const heap = buildHeap(makeGraph('tree', WORLD), { initialCapacity: 1 << 18, growthPercent: 5 });
  heap.collect();
  const nodes = new Float64Array(WORLD) as RefArray;
  for (let i = 0; i < WORLD; i++) nodes[i] = heap.refAt((i + 1) as Index);
  const rand = prng(0x1a5ec7);
  const pick = (n: number) => Math.floor(rand() * n);
  const first = Math.ceil((WORLD - 1) / 4);
  return {
    heap,
    frame() {
      for (let n = 0; n < SPAWNS; n++) {
        const o: Ref = heap.alloc(2);
        heap.set(o, 0, nodes[pick(WORLD)]!);
        heap.set(o, 1, nodes[pick(WORLD)]!);
        if (rand() < KEEP) heap.set(nodes[first + pick(WORLD - first)]!, pick(4), o);
      }
      heap.tick({ units: UNITS });
    },
  };
}

/**
 * Nanoseconds `run` took of this process's own time: the smaller of wall time and CPU time
 * (`process.cpuUsage`), so the time other processes held our core (this machine is shared) is
 * left out. CPU time also counts the engine's helper threads, which is why it is only a bound.
 */
function ownTime(run: () => void): number {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  run();
  const wall = (performance.now() - t0) * 1e6;
  const c1 = process.cpuUsage(c0);
  return Math.min(wall, (c1.user + c1.system) * 1e3);
}

/**
 * Paired rounds on one heap: each round times `measure` once with no inspector and once with an
 * inspector attached but idle (started before, closed after, untimed), in random order. One
 * heap for both sides, so nothing but the inspector differs (two heaps built one after the other
 * differ by a few percent in memory layout alone). Returns median times (ns) and the median
 * per-round ratio (with / without).
 */
async function withAndWithout(ctx: Ctx, heap: Heap, budgetMs: number, measure: () => number): Promise<Paired> {
  const times: number[][] = [[], []];
  const ratios: number[] = [];
  const started = performance.now();
  let rounds = 0;
  // A random order each round: the game's collections recur with a period, and a fixed or
  // alternating order would give one side the same phase of it every time.
  const coin = prng(0x0dd5);
  for (let r = -2; r < 7 || (performance.now() - started < budgetMs && r < 1000); r++) {
    const t = [0, 0];
    for (const k of coin() < 0.5 ? [0, 1] : [1, 0]) {
      const inspector = k === 1 ? await serveInspector(heap, { port: 0 }) : null;
      // The engine's garbage (starting an inspector makes some) is collected before either block,
      // not inside one.
      ctx.fullGc?.();
      t[k] = measure();
      await inspector?.close();
    }
    if (r < 0) continue; // warm-up rounds
    times[0]!.push(t[0]!);
    times[1]!.push(t[1]!);
    ratios.push(t[1]! / t[0]!);
    rounds++;
  }
  return {
    names: ['without', 'with idle inspector'],
    medians: times.map(median),
    ratios: [1, median(ratios)],
    rounds,
  };
}

export async function inspectorSuite(ctx: Ctx): Promise<SuiteReport> {
  ctx.log('[bench] inspector: building the game');
  const game = makeGame();
  ctx.log('[bench] inspector: game loop, blocks of frames with and without');
  const loop = await withAndWithout(ctx, game.heap, ctx.quick ? 4_000 : 20_000, () =>
    ownTime(() => {
      for (let f = 0; f < BLOCK; f++) game.frame();
    }) / BLOCK);
  ctx.log('[bench] inspector: tick(0) with nothing to do');
  const idle = new Heap();
  const tick = await withAndWithout(ctx, idle, ctx.quick ? 1_000 : 4_000, () =>
    ownTime(() => {
      for (let k = 0; k < TICKS; k++) idle.tick(0);
    }) / TICKS);
  ctx.log('[bench] inspector: one sample of an open page');
  const heap = game.heap;
  const sampleNs: number[] = [];
  let bytes = 0;
  for (let k = 0; k < 60; k++) {
    const t0 = performance.now();
    bytes = JSON.stringify(takeSample(heap, stateOf(heap), 0, 0)).length;
    sampleNs.push((performance.now() - t0) * 1e6);
  }

  const rows = [
    ['game loop frame (10^5 world, 2,000 spawns, tick({ units: 50,000 }))', 'ms', loop.medians, loop.ratios, 1e6],
    ['tick(0) with nothing to do', 'ns', tick.medians, tick.ratios, 1],
  ] as const;
  const tables = [{
    title: `Inspector attached but idle (${ctx.label})`,
    columns: ['what', 'without', 'with idle inspector', 'ratio (paired)', 'difference (paired)'],
    rows: rows.map(([what, unit, medians, ratios, scale]) => [
      what,
      `${sig(medians[0]! / scale)} ${unit}`,
      `${sig(medians[1]! / scale)} ${unit}`,
      ratio(ratios[1]!),
      `${sig((medians[0]! * (ratios[1]! - 1)) / scale)} ${unit}`,
    ]),
  }, {
    title: `Inspector with a page open (${ctx.label})`,
    columns: ['what', 'time', 'size'],
    rows: [[
      'one update: sample + JSON (10^5 world)',
      `${sig(median(sampleNs) / 1e3)} µs`,
      `${sig(bytes / 1024)} KiB`,
    ]],
  }];
  const frameRatio = loop.ratios[1]!;
  return report('inspector', ctx, [{
    tables,
    targets: [
      atMost(
        `game loop with an idle inspector / without (${ctx.label}, one heap, ${loop.rounds} rounds)`,
        frameRatio,
        1.02,
        'x',
      ),
    ],
    ratios: [
      { name: 'game loop frame: with an idle inspector / without (paired, one heap)', value: frameRatio },
      { name: 'tick(0) with nothing to do: with an idle inspector / without (paired)', value: tick.ratios[1]! },
    ],
    notes: [
      `one heap, ${loop.rounds} rounds of ${BLOCK} frames each way (the inspector started before and closed after ` +
      `its block, untimed; order random); ratio = median over rounds of (with / without). tick(0): ` +
      `${tick.rounds} rounds of ${TICKS} calls each way, the same. An idle inspector runs only its observe ` +
      'listener (a record of each collector call in a ring); the update is what an open page adds every 200 ms. ' +
      "Times are the process's own: min(wall, CPU time) per block.",
    ],
    data: { loop, tick, sampleNs: median(sampleNs), sampleBytes: bytes },
  }]);
}

if (isMain(import.meta)) process.exitCode = await runStandalone('inspector', inspectorSuite);
