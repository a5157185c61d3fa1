/**
 * `inspector`: what an inspector attached but idle (listening, no page open) costs the game.
 *
 * - Game loop: two identical games, each a 10^5-node world (a 4-slot tree, root pinned,
 *   collected at load) spawning 2,000 objects a frame (1% sticking in the world) and calling
 *   `tick({ units: 50,000 })`; one has `serveInspector` attached. A budget in work units, not
 *   milliseconds, so both games do exactly the same work frame by frame (same seed, same spawns,
 *   same collection) and only the inspector differs. Paired rounds: each round runs a block of
 *   frames of each game in turn (order rotating), and the ratio is the median over rounds of
 *   (with / without) whole-frame time.
 * - Per collector call: `tick(0)` with nothing to do, on two small heaps, with and without an
 *   idle inspector: the listener's cost in nanoseconds, the only thing an idle inspector does.
 * - Per update of an open page: taking a sample (stats, ages, components) and encoding it as
 *   JSON on the 10^5 world; an open page does this every `intervalMs` (200 ms by default).
 */
import { Heap, type Ref } from '../mod.ts';
import { serveInspector } from '../inspector.ts';
import { stateOf } from '../src/heap.ts';
import { takeSample } from '../src/inspector/sample.ts';
import { buildHeap } from './collect.bench.ts';
import { type Ctx, makeGraph, median, paired, pairedRounds, prng, ratio, sig, type SuiteReport } from './common.ts';

const WORLD = 100_000;
const SPAWNS = 2_000;
const KEEP = 0.01;
const BLOCK = 20;
/** Collection work per frame: about a millisecond's worth here. */
const UNITS = 50_000;

interface Game {
  heap: Heap;
  frame(): void;
}

function makeGame(): Game {
  const heap = buildHeap(makeGraph('tree', WORLD), { initialCapacity: 1 << 18, growthPercent: 5 });
  heap.collect();
  const nodes = new Float64Array(WORLD);
  for (let i = 0; i < WORLD; i++) nodes[i] = heap.refAt(i + 1);
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

export async function inspectorSuite(ctx: Ctx): Promise<SuiteReport> {
  ctx.log('[bench] inspector: building two games');
  const without = makeGame();
  const withInspector = makeGame();
  const idleA = new Heap();
  const idleB = new Heap();
  const inspectors = [
    await serveInspector(withInspector.heap, { port: 0 }),
    await serveInspector(idleB, { port: 0 }),
  ];
  try {
    ctx.log('[bench] inspector: game loop, paired blocks of frames');
    const loop = pairedRounds(['without', 'with idle inspector'], ctx.quick ? 4_000 : 20_000, (k) => {
      const game = k === 0 ? without : withInspector;
      const t0 = performance.now();
      for (let f = 0; f < BLOCK; f++) game.frame();
      return ((performance.now() - t0) / BLOCK) * 1e6;
    });
    ctx.log('[bench] inspector: tick(0) with nothing to do');
    const tick = paired([
      { name: 'tick(0), no observer', fn: () => idleA.tick(0) },
      { name: 'tick(0), idle inspector', fn: () => idleB.tick(0) },
    ], ctx.quick ? 500 : 2_000);
    ctx.log('[bench] inspector: one sample of an open page');
    const heap = withInspector.heap;
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
      title: `Inspector attached but idle (${ctx.runtime})`,
      columns: ['what', 'without', 'with idle inspector', 'ratio (paired)', 'difference (paired)'],
      rows: rows.map(([what, unit, medians, ratios, scale]) => [
        what,
        `${sig(medians[0]! / scale)} ${unit}`,
        `${sig(medians[1]! / scale)} ${unit}`,
        ratio(ratios[1]!),
        `${sig((medians[0]! * (ratios[1]! - 1)) / scale)} ${unit}`,
      ]),
    }, {
      title: `Inspector with a page open (${ctx.runtime})`,
      columns: ['what', 'time', 'size'],
      rows: [[
        'one update: sample + JSON (10^5 world)',
        `${sig(median(sampleNs) / 1e3)} µs`,
        `${sig(bytes / 1024)} KiB`,
      ]],
    }];
    const frameRatio = loop.ratios[1]!;
    return {
      suite: 'inspector',
      runtime: ctx.runtime,
      tables,
      targets: [{
        name: `game loop with an idle inspector / without (${ctx.runtime}, paired, ${loop.rounds} rounds)`,
        goal: '<= 1.02',
        value: frameRatio,
        met: frameRatio <= 1.02,
      }],
      notes: [
        `game loop: ${loop.rounds} rounds of ${BLOCK} frames per game, the two games taking turns; ratio = median ` +
        'over rounds of (with / without). tick(0): paired batches. An idle inspector runs only its observe ' +
        'listener (a record of each collector call in a ring); the update is what an open page adds every 200 ms.',
      ],
      data: { loop, tick, sampleNs: median(sampleNs), sampleBytes: bytes },
    };
  } finally {
    await Promise.all(inspectors.map((i) => i.close()));
  }
}
