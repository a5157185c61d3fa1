/**
 * The game loop behind `npm start`, as a module so the demo can run it twice on identical worlds:
 * once with `heap.tick(1)` every frame, once with `heap.collect()` every 60 frames.
 *
 * The world is a 100k-node scene graph. Every frame spawns 2,000 short-lived objects (think
 * projectiles, hit events, particles) that point at random world nodes. 1% of them stick in the
 * world: a world node's slot now points at them, so they stay alive. Nothing is ever destroyed by
 * hand; the collector finds what nothing reaches any more.
 *
 * Run on its own (`node --import tsx examples/game-loop.ts [frames]`), it plays one `tick(1)` run
 * of 120 frames (or as many as given) and prints what the collector did; `demo.ts` charts both.
 */
import { Heap, type HeapStats, type Index, NULL, type Ref } from '../mod.ts'; // in your game: from 'ecs-heap'
import { runQueueWaitReader } from './lib/run-queue-wait.ts';

export const WORLD_NODES = 100_000;
export const FRAMES = 600;
export const SPAWNS_PER_FRAME = 2_000;
export const KEEP_CHANCE = 0.01; // 1% of spawned objects stick in the world
export const COLLECT_EVERY = 60; // frames between stop-the-world collections, in mode 'collect'
export const FRAME_BUDGET_MS = 1; // what mode 'tick' gives the collector each frame

// Reads the main thread's run-queue wait (null outside Linux): opened once for every run.
const waited = runQueueWaitReader();

/** How the loop collects: the frame-budgeted `tick(1)`, or a full `collect()` every 60 frames. */
export type Mode = 'tick' | 'collect';

export interface RunResult {
  mode: Mode;
  /** Milliseconds spent inside `tick()` / `collect()`, one entry per frame (0 when not called). */
  collectorMs: number[];
  /**
   * Of each entry of `collectorMs`, the milliseconds the main thread was ready to run but waited
   * for a CPU (other threads, such as the engine's compilers, held the cores): wall time in which
   * the collector did nothing. Null where it cannot be read (Linux only).
   */
  collectorWaitMs: number[] | null;
  /** Milliseconds of the whole frame: spawning plus collecting. */
  frameMs: number[];
  /** `stats().live` after each frame: reachable objects plus garbage not yet collected. */
  live: number[];
  /** `heap.stats()` right after the last frame. */
  end: HeapStats;
  /** Major and minor collections during the frames (the loading-screen `collect()` not counted). */
  majors: number;
  minors: number;
  /** Live objects after one more (untimed) `collect()`: what the world really holds. */
  reachable: number;
  /** The first object spawned in frame 1 that did not stick: garbage from the start. */
  dropped: Ref;
  droppedIndex: number;
  /** The first newer object that got `dropped`'s index (under a new generation), and when. */
  reusedBy: Ref;
  reusedInFrame: number;
  heap: Heap;
}

/** A seeded PRNG (mulberry32): the same seed builds the same world and the same frames. */
export function makeRandom(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function runGameLoop(mode: Mode, frames: number = FRAMES): RunResult {
  const random = makeRandom(0x5eed); // same seed in both modes: same world, same spawns
  const pick = (n: number): number => Math.floor(random() * n);

  // Sized for the peak up front, so `alloc` never grows the columns in the middle of a frame.
  // growthPercent: `tick` starts an incremental major cycle once the old generation has grown by
  // this much since the last one. The default, 100%, waits for it to double; this world's old
  // generation grows by only ~20 objects a frame, so at 5% you see a few major cycles in 600 frames.
  const heap = new Heap({ initialCapacity: 1 << 18, growthPercent: 5 });

  // ---- The world: a tree of nodes with 4 child slots each, filled breadth-first ---------------
  // Roots are pins and open scopes, nothing else. Pin the root node; every other node is alive
  // because a chain of slots leads to it from the root. The `nodes` array holds handles too, but
  // JavaScript variables are NOT roots: a handle in a variable is like a weak reference.
  const nodes: Ref[] = [heap.alloc(4)];
  heap.pin(nodes[0]!);
  for (let parent = 0; nodes.length < WORLD_NODES; parent++) {
    for (let slot = 0; slot < 4 && nodes.length < WORLD_NODES; slot++) {
      const child = heap.alloc(4);
      heap.set(nodes[parent]!, slot, child);
      nodes.push(child);
    }
  }
  // The leaves (the last 3/4 of the nodes) have 4 free slots each: spawned objects stick there.
  const firstLeaf = Math.ceil((WORLD_NODES - 1) / 4);
  // A loading-screen collection: the world survives it and becomes the old generation, so both
  // modes start their frames from the same settled heap.
  heap.collect();
  const before = heap.stats();

  const collectorMs: number[] = [];
  const collectorWaitMs: number[] | null = waited === null ? null : [];
  const frameMs: number[] = [];
  const live: number[] = [];
  let dropped: Ref = NULL;
  let droppedIndex = 0;
  let reusedBy: Ref = NULL;
  let reusedInFrame = 0;

  // ---- The frame loop -------------------------------------------------------------------------
  for (let frame = 1; frame <= frames; frame++) {
    const frameStart = performance.now();
    for (let n = 0; n < SPAWNS_PER_FRAME; n++) {
      // A spawned object with 2 slots, both pointing at world nodes. `alloc` never collects, so the
      // new object is safe until the next tick()/collect() even though nothing references it.
      const spawned = heap.alloc(2);
      heap.set(spawned, 0, nodes[pick(WORLD_NODES)]!);
      heap.set(spawned, 1, nodes[pick(WORLD_NODES)]!);
      if (random() < KEEP_CHANCE) {
        // It sticks in a leaf of the world, replacing whatever stuck in that slot before (which
        // becomes garbage by this very store). No destroy call anywhere.
        heap.set(nodes[firstLeaf + pick(WORLD_NODES - firstLeaf)]!, pick(4), spawned);
      } else if (dropped === NULL) {
        dropped = spawned; // kept in a variable for the stale-handle part of the demo
        droppedIndex = heap.index(spawned); // an index is what you use for your own SoA columns
      }
    }
    // (For the stale-handle part: note the frame in which the dropped object's index is handed
    // to a newer object. Its old handle must not come back to life.)
    if (reusedBy === NULL && !heap.isAlive(dropped) && heap.refAt(droppedIndex as Index) !== NULL) {
      [reusedBy, reusedInFrame] = [heap.refAt(droppedIndex as Index), frame];
    }

    // The collector's share of the frame: the only place where objects are freed.
    const waitStart = waited?.() ?? 0;
    const collectorStart = performance.now();
    if (mode === 'tick') heap.tick(FRAME_BUDGET_MS);
    else if (frame % COLLECT_EVERY === 0) heap.collect();
    const frameEnd = performance.now();

    collectorMs.push(frameEnd - collectorStart);
    collectorWaitMs?.push(waited!() - waitStart);
    frameMs.push(frameEnd - frameStart);
    live.push(heap.stats().live);
  }

  // After the loop, not timed: the numbers for the demo's table, then one more full collection so
  // both modes can be compared on what is really reachable, and a check of every heap invariant.
  const end = heap.stats();
  const reachable = heap.collect().live;
  heap.verify(); // throws HeapCorruptionError naming the broken invariant, if any
  return {
    mode,
    collectorMs,
    collectorWaitMs,
    frameMs,
    live,
    end,
    majors: end.majorCollections - before.majorCollections,
    minors: end.minorCollections - before.minorCollections,
    reachable,
    dropped,
    droppedIndex,
    reusedBy,
    reusedInFrame,
    heap,
  };
}

// ---- Run on its own: one tick(1) run, summed up -----------------------------------------------

/** Whether this file is the program being run (Deno and Bun say so; Node compares the path). */
function isMain(): boolean {
  const meta = import.meta as ImportMeta & { main?: boolean };
  if (meta.main !== undefined) return meta.main;
  const script = globalThis.process?.argv[1];
  return script !== undefined && import.meta.url === new URL(`file://${script}`).href;
}

if (isMain()) {
  const frames = Number(globalThis.process?.argv[2] ?? 120);
  const run = runGameLoop('tick', frames);
  const sorted = [...run.collectorMs].sort((a, b) => a - b);
  const at = (q: number): string => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(2);
  console.log(
    `game loop, tick(${FRAME_BUDGET_MS}) every frame: ${frames} frames of ${SPAWNS_PER_FRAME} spawns on a ` +
      `${WORLD_NODES}-node world`,
  );
  const worst = run.collectorMs.indexOf(Math.max(...run.collectorMs));
  const wait = run.collectorWaitMs === null
    ? ''
    : ` (${run.collectorWaitMs[worst]!.toFixed(2)} of it waiting for a CPU)`;
  console.log(`collector ms per frame: p50 ${at(0.5)}, p99 ${at(0.99)}, max ${at(1)}${wait}`);
  console.log(
    `collections: ${run.minors} minor, ${run.majors} major; live at the end ${run.end.live}, reachable ${run.reachable}`,
  );
  console.log(`the dropped handle ${run.dropped} reads alive: ${run.heap.isAlive(run.dropped)}`);
}
