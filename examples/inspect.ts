/**
 * The demo game with the inspector attached: `npm run inspect`, then open the printed address.
 *
 * The world of the demo (examples/game-loop.ts): a 100k-node scene graph, 2,000 projectiles
 * spawned a frame that point at world nodes, 1% of them sticking in the world. Here it runs as a
 * real game does, one frame every 16 ms through the event loop (so the inspector can answer
 * between frames), with components, a query each frame, and a slow leak to find: a replay log
 * that keeps one entry per frame and never lets go. Mark A on the page, wait, compare A → now:
 * the `ReplayEntry` objects stand out, and "why alive" on one shows the log holding it.
 *
 * Runs until Ctrl-C. Options: `--port N` (default 7437; 0 for any free port), `--frames N` (stop
 * after N frames, closing the inspector: for a quick check that it runs).
 */
import process from 'node:process';
import { Heap, NULL, type Ref } from '../mod.ts'; // in your game: from 'ecs-heap'
import { serveInspector } from '../inspector.ts'; // in your game: from 'ecs-heap/inspector'
import { KEEP_CHANCE, makeRandom, SPAWNS_PER_FRAME, WORLD_NODES } from './game-loop.ts';

const FRAME_MS = 1000 / 60;
const portArg = process.argv.indexOf('--port');
const port = portArg >= 0 ? Number(process.argv[portArg + 1]) : 7437;
const framesArg = process.argv.indexOf('--frames');
const stopAfter = framesArg >= 0 ? Number(process.argv[framesArg + 1]) : Infinity;

Heap.warmUp(); // loading screen: compile the collector before frame 1
const heap = new Heap({ initialCapacity: 1 << 18, growthPercent: 5 });
const Transform = heap.defineComponent({ x: 'f32', y: 'f32' }, { name: 'Transform' });
const Projectile = heap.defineComponent({ vx: 'f32', vy: 'f32', shooter: 'ref' }, { name: 'Projectile' });
const Stuck = heap.defineComponent({}, { name: 'Stuck' }); // a tag: projectiles the world holds
const ReplayEntry = heap.defineComponent({ frame: 'u32', subject: 'weakref' }, { name: 'ReplayEntry' });

const random = makeRandom(0x5eed);
const pick = (n: number): number => Math.floor(random() * n);

// The world: a tree of 4-slot nodes with a Transform each, its root pinned.
const nodes: Ref[] = [heap.alloc(4)];
heap.pin(nodes[0]!);
for (let parent = 0; nodes.length < WORLD_NODES; parent++) {
  for (let slot = 0; slot < 4 && nodes.length < WORLD_NODES; slot++) {
    const child = heap.alloc(4);
    heap.set(nodes[parent]!, slot, child);
    nodes.push(child);
  }
}
for (const node of nodes) heap.add(node, Transform, { x: random() * 1000, y: random() * 1000 });
const firstLeaf = Math.ceil((WORLD_NODES - 1) / 4);

// The leak: a replay log, pinned, of buckets of 1,024 entries; one entry a frame, never dropped.
const replay = heap.alloc(256);
heap.pin(replay);
let replayCount = 0;
function logFrame(frame: number, subject: Ref): void {
  const bucketIndex = Math.floor(replayCount / 1024);
  if (bucketIndex >= heap.slotCount(replay)) return; // full after ~73 minutes: the leak stops
  let bucket = heap.get(replay, bucketIndex);
  if (bucket === NULL) {
    bucket = heap.alloc(1024);
    heap.set(replay, bucketIndex, bucket);
  }
  const entry = heap.alloc();
  heap.add(entry, ReplayEntry, { frame, subject });
  heap.set(bucket, replayCount % 1024, entry);
  replayCount++;
}

heap.collect(); // the loading-screen collection: the world becomes the old generation

const inspector = await serveInspector(heap, { port });
console.log(`ecs-heap inspector: ${inspector.url}  (the game runs until Ctrl-C)`);

let frame = 0;
let timer: ReturnType<typeof setTimeout> | undefined;
function runFrame(): void {
  const started = performance.now();
  frame++;
  let last: Ref = NULL;
  for (let n = 0; n < SPAWNS_PER_FRAME; n++) {
    const p = heap.alloc(2);
    heap.set(p, 0, nodes[pick(WORLD_NODES)]!);
    heap.set(p, 1, nodes[pick(WORLD_NODES)]!);
    heap.add(p, Projectile, { vx: random() - 0.5, vy: random() - 0.5, shooter: nodes[pick(WORLD_NODES)]! });
    if (random() < KEEP_CHANCE) {
      heap.add(p, Stuck);
      heap.set(nodes[firstLeaf + pick(WORLD_NODES - firstLeaf)]!, pick(4), p);
    }
    last = p;
  }
  logFrame(frame, last);
  // Systems run over queries of indices into the SoA columns.
  const vx = Projectile.vx;
  for (const i of heap.query(Projectile, Stuck)) vx[i]! *= 0.99;
  heap.tick(1); // the collector's share of the frame
  if (frame >= stopAfter) return stop();
  timer = setTimeout(runFrame, Math.max(0, FRAME_MS - (performance.now() - started)));
}
runFrame();

function stop(): void {
  clearTimeout(timer);
  console.log(`\nstopped after ${frame} frames: ${heap.stats().live} live objects, ${replayCount} replay entries`);
  void inspector.close().then(() => process.exit(0));
}
process.on('SIGINT', stop);
