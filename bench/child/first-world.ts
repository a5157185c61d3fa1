/**
 * One sample of the game suite's first-world table, run in a fresh process: `Heap.warmUp()` (as a
 * game calls it while loading), then the game's ecs-heap variant (bench/game.bench.ts) for its
 * first `FIRST_WORLD_FRAMES` frames, the frames in which a process's code is compiled (the first
 * minors, the first cycle's slices). Prints one JSON line: each tick's ms and work, and the main
 * thread's run-queue wait in each tick and in each frame (empty where it cannot be read).
 *
 *   node --expose-gc --import tsx bench/child/first-world.ts
 */
import { warmUpOnce } from '../lib/game-loop.ts';
import { makeCtx } from '../lib/output.ts';
import { runQueueWaitReader } from '../lib/stalls.ts';
import { FIRST_WORLD_FRAMES, heapVariant, play } from '../game.bench.ts';

const warmUpMs = warmUpOnce();
const ctx = { ...makeCtx({ json: true, quick: false, full: false }), log: () => {} };
const waited = runQueueWaitReader();
const run = play(ctx, (c) => heapVariant(c, waited), FIRST_WORLD_FRAMES, 0, waited);
const timings = run.heapTimings!;
console.log(JSON.stringify({
  warmUpMs,
  tickMs: timings.tickMs,
  tickWork: timings.tickWork,
  tickWaitMs: timings.tickWaitMs,
  waitMs: run.waitMs,
}));
