/**
 * `growth`: the frames in which the heap's storage grows, and what `reserve` does about them.
 *
 * A level streams in: each frame allocates 5,000 4-slot objects, each stored into a slot of an
 * earlier one (a tree under a pinned root, so all of it stays alive), then calls `heap.tick(1)`;
 * 200 frames, 10^6 objects. Every frame's wall time is recorded (allocation and tick together).
 * Each time the header columns or the slot pool run out, the `alloc` that needs the room copies
 * them into new, larger arrays; the copy writes fresh memory, which the system hands out page by
 * page on first touch, and on the bench machines that costs about 10 µs per 4 KB page (a 4 MB
 * `Uint32Array.set` into a new array took 10 ms in Node 20, 0.15 ms into memory already touched).
 *
 * Contenders, each on a fresh heap:
 * - default: the heap grows as it fills (initial capacity 1,024);
 * - reserve: `heap.reserve(10^6, 4 * 10^6)` before the first frame, as a loading screen would;
 *   its own time is reported beside the frames (the cost moved out of play);
 * - anchor, plain JS objects: the same frames as `{ children: [4] }` objects, the engine
 *   collecting on its own (its pauses land in the frames).
 *
 * Reported: frame p50, p99, max, the frames over 8 ms, the longest tick(1) within a frame, and max
 * frame growing / reserved. No target of an issue: this is the measurement behind `reserve`'s
 * documentation.
 */
import process from 'node:process';
import { Heap, type Ref } from '../mod.ts';
import { msOf, ratio } from './lib/format.ts';
import { warmUpOnce } from './lib/game-loop.ts';
import { isMain, runStandalone } from './lib/output.ts';
import { type Ctx, report, type SuiteReport } from './lib/report.ts';
import { max, median, percentile } from './lib/stats.ts';

const PER_FRAME = 5000;
const SLOTS = 4;

interface Frames {
  ms: number[];
  /** The tick(1) part of each frame (ecs-heap), in ms. */
  tickMs: number[];
  /** Time spent before the first frame (the reserve call), in ms. */
  loadMs: number;
  bytes: number;
}

function heapFrames(frames: number, reserve: boolean): Frames {
  const heap = new Heap();
  const total = frames * PER_FRAME;
  const t0 = performance.now();
  if (reserve) heap.reserve(total + 1, SLOTS * (total + 1));
  const loadMs = performance.now() - t0;
  const root = heap.alloc(SLOTS);
  heap.pin(root);
  const ms: number[] = [];
  const tickMs: number[] = [];
  const report = heap.tick(1);
  // Object k (from 1) goes into slot (k - 1) % SLOTS of object floor((k - 1) / SLOTS): a complete
  // 4-ary tree. Handles in a typed array allocated up front: the harness grows no engine array.
  const made = new Float64Array(total + 1);
  made[0] = root;
  let k = 1;
  for (let f = 0; f < frames; f++) {
    const start = performance.now();
    for (let j = 0; j < PER_FRAME; j++, k++) {
      const o = heap.alloc(SLOTS);
      heap.set(made[Math.floor((k - 1) / SLOTS)]! as Ref, (k - 1) % SLOTS, o);
      made[k] = o;
    }
    const ticked = performance.now();
    heap.tick(1, report);
    const end = performance.now();
    ms.push(end - start);
    tickMs.push(end - ticked);
  }
  const live = heap.stats().live;
  if (live !== total + 1) throw new Error(`growth: ${live} live objects, expected ${total + 1}`);
  return { ms, tickMs, loadMs, bytes: heap.stats().bytes };
}

interface JsNode {
  children: (JsNode | null)[];
}

function jsFrames(frames: number): Frames {
  const root: JsNode = { children: [null, null, null, null] };
  // Sized up front, as the heap run's handle array is.
  const made: JsNode[] = new Array<JsNode>(frames * PER_FRAME + 1).fill(root);
  const ms: number[] = [];
  let k = 1;
  for (let f = 0; f < frames; f++) {
    const start = performance.now();
    for (let j = 0; j < PER_FRAME; j++, k++) {
      const o: JsNode = { children: [null, null, null, null] };
      made[Math.floor((k - 1) / SLOTS)]!.children[(k - 1) % SLOTS] = o;
      made[k] = o;
    }
    ms.push(performance.now() - start);
  }
  return { ms, tickMs: [], loadMs: 0, bytes: 0 };
}

export function growthSuite(ctx: Ctx): Promise<SuiteReport> {
  const warmMs = warmUpOnce();
  const frames = ctx.quick ? 60 : 200;
  ctx.log(`[bench] growth: ${frames} frames of ${PER_FRAME} objects, default growth`);
  const grown = heapFrames(frames, false);
  ctx.log('[bench] growth: the same after reserve()');
  const reserved = heapFrames(frames, true);
  ctx.log('[bench] growth: plain JS objects');
  const js = jsFrames(frames);
  const row = (name: string, r: Frames, load: string): string[] => [
    name,
    msOf(median(r.ms)),
    msOf(percentile(r.ms, 0.99)),
    msOf(max(r.ms)),
    String(r.ms.filter((m) => m > 8).length),
    r.tickMs.length === 0 ? 'n/a' : msOf(max(r.tickMs)),
    load,
    r.bytes === 0 ? 'n/a' : `${(r.bytes / 1e6).toFixed(1)} MB`,
  ];
  const maxRatio = max(grown.ms) / max(reserved.ms);
  return Promise.resolve(report('growth', ctx, [{
    tables: [{
      title:
        `growth: ${frames} frames of ${PER_FRAME} new 4-slot objects kept alive, tick(1) each (${ctx.label} ${ctx.runtimeVersion})`,
      columns: [
        'contender',
        'frame p50',
        'frame p99',
        'frame max',
        'frames > 8 ms',
        'tick max',
        'before the frames',
        'bytes at end',
      ],
      rows: [
        row('ecs-heap, growing as it fills', grown, '-'),
        row('ecs-heap, reserve() first', reserved, `reserve: ${msOf(reserved.loadMs)}`),
        row('plain JS objects (anchor)', js, '-'),
      ],
    }],
    ratios: [{ name: `growth (${ctx.label}): frame max, growing / reserved`, value: maxRatio }],
    notes: [
      `Frame max, growing / reserved: ${ratio(maxRatio)}. Frames are allocation plus tick(1). ` +
      'The growing heap copies its header columns and slot pool into new arrays each time they fill ' +
      '(capacities step by a quarter); reserve() does those copies once, before the frames. ' +
      `Heap.warmUp() ran first${warmMs === 0 ? ' (earlier in this process)' : ''}.`,
    ],
    data: { frames, perFrame: PER_FRAME, grown, reserved, js, warmUpMs: warmMs },
  }]));
}

if (isMain(import.meta)) process.exitCode = await runStandalone('growth', growthSuite);
