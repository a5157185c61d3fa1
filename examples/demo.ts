/**
 * ecs-heap demo: a 100k-node scene graph, 300 frames of projectiles and hit events, and the
 * collector cleaning up after them. Run with `npm start` (or see examples/README.md).
 *
 * The one idea to take away: you never destroy anything. Objects live exactly as long as a path of
 * reference slots leads to them from a root, and `heap.collect()` frees the rest at a point in the
 * frame that you choose.
 */
import { Heap, NULL, type Ref, StaleRefError } from '../mod.ts'; // in your game: from 'ecs-heap'

const WORLD_NODES = 100_000;
const FRAMES = 300;
const COLLECT_EVERY = 30; // frames between collections: the game picks its safepoints
const PROJECTILES_PER_FRAME = 1_500; // each fires a hit event every third shot
const STICK_CHANCE = 0.01; // 1% of projectiles stick in the world and stay reachable
const DETACH_EVERY = 15; // every 15 frames an explosion blows a chunk off the world

// A seeded PRNG (mulberry32): every run builds the same objects, so only the timings change.
let seed = 0x5eed;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (n: number): number => Math.floor(random() * n);
const fmt = (n: number): string => n.toLocaleString('en-US');

// Objects are plain numbers (handles). `alloc(n)` gives an object with n reference slots, all NULL.
// Sizing the heap for its peak up front means `alloc` never has to grow the columns mid-frame.
const heap = new Heap({ initialCapacity: 200_000 });
let allocated = 0;
function alloc(slots: number): Ref {
  allocated++;
  return heap.alloc(slots);
}

// ---- 1. The world: a tree of 100k nodes with 4 child slots each, filled breadth-first ----------
// Roots are pins and open scopes, nothing else. We pin the root; every node is then alive because
// a chain of slots leads to it from the root. The `nodes` array holds handles too, but JavaScript
// variables are NOT roots: they are like weak references, and `heap.isAlive(h)` says if h survived.
const nodes: Ref[] = [alloc(4)];
heap.pin(nodes[0]!);
for (let parent = 0; nodes.length < WORLD_NODES; parent++) {
  for (let slot = 0; slot < 4 && nodes.length < WORLD_NODES; slot++) {
    const child = alloc(4);
    heap.set(nodes[parent]!, slot, child);
    nodes.push(child);
  }
}
console.log(`Built a scene graph of ${fmt(nodes.length)} nodes (root pinned).\n`);

function randomNode(): Ref {
  let node: Ref;
  do node = nodes[pick(nodes.length)]!; while (!heap.isAlive(node)); // skip nodes already collected
  return node;
}

// ---- 2. The game loop ------------------------------------------------------------------------
let staleHandle: Ref = NULL; // a projectile we will drop, kept here to show stale-handle detection
let staleIndex = 0;
let reusedBy: Ref = NULL; // the first newer object to get staleHandle's index, and the frame it did
let reusedIn = 0;
let freedTotal = 0;
let spawnedSinceCollect = 0;
const liveEachFrame: number[] = [];

console.log('frame   spawned     freed      live  world nodes  pause ms');
console.log('-----  --------  --------  --------  -----------  --------');
for (let frame = 1; frame <= FRAMES; frame++) {
  for (let shot = 0; shot < PROJECTILES_PER_FRAME; shot++) {
    // A projectile: slot 0 = the node it flies at, slot 1 = the node that fired it. `alloc` never
    // collects, so a fresh object is safe until the next `collect()` even though nothing holds it.
    const projectile = alloc(2);
    const target = randomNode();
    heap.set(projectile, 0, target);
    heap.set(projectile, 1, randomNode());
    if (shot % 3 === 0) {
      const hit = alloc(2); // a hit event: slot 0 = projectile, slot 1 = the node it hit
      heap.set(hit, 0, projectile);
      heap.set(hit, 1, target);
    }
    // Most projectiles are simply forgotten: no destroy call, the collector finds them. A few stick
    // in their target (a free slot of the node now points at them), so the world keeps them alive.
    // projectile -> target -> projectile is a cycle; mark-sweep frees cycles once they are cut off.
    const slot = pick(4);
    if (random() < STICK_CHANCE && heap.get(target, slot) === NULL) {
      heap.set(target, slot, projectile);
    } else if (staleHandle === NULL) {
      staleHandle = projectile;
      staleIndex = heap.index(projectile); // the index is what you would use for SoA columns
    }
  }
  spawnedSinceCollect += PROJECTILES_PER_FRAME + PROJECTILES_PER_FRAME / 3;

  // An explosion clears one child slot of a node two levels below the root: the whole subtree
  // under it (about 1,500 nodes, with whatever stuck in them) becomes garbage in one store.
  if (frame % DETACH_EVERY === 0) {
    let node: Ref, slot: number;
    do [node, slot] = [nodes[5 + pick(16)]!, pick(4)]; while (heap.get(node, slot) === NULL);
    heap.set(node, slot, NULL);
  }
  // (For section 5: note when the index of our dropped projectile is handed to a new object.)
  if (reusedBy === NULL && !heap.isAlive(staleHandle)) [reusedBy, reusedIn] = [heap.refAt(staleIndex), frame];

  liveEachFrame.push(heap.stats().live); // includes garbage not yet collected
  if (frame % COLLECT_EVERY === 0) {
    // Stop-the-world: afterwards live === reachable from roots. The first pause is the longest
    // because it also pays for the JavaScript engine compiling the collector's loops.
    const info = heap.collect();
    freedTotal += info.freed;
    const world = nodes.filter((n) => heap.isAlive(n)).length;
    console.log(
      `${String(frame).padStart(5)}  ${fmt(spawnedSinceCollect).padStart(8)}  ${fmt(info.freed).padStart(8)}  ` +
        `${fmt(info.live).padStart(8)}  ${fmt(world).padStart(11)}  ${info.ms.toFixed(2).padStart(8)}`,
    );
    spawnedSinceCollect = 0;
  }
}

// ---- 3. A chart of live objects over time, drawn with block characters -------------------------
// One column per 5 frames (the highest value in them), 8 rows of 8 levels each; the y axis starts
// at the lowest value rounded down to 10,000, so the shape is easy to see.
function chart(values: number[], perColumn: number, rows: number): void {
  const columns: number[] = [];
  for (let i = 0; i < values.length; i += perColumn) columns.push(Math.max(...values.slice(i, i + perColumn)));
  const top = Math.max(...columns);
  const bottom = Math.floor(Math.min(...columns) / 10_000) * 10_000;
  const blocks = ' ▁▂▃▄▅▆▇█';
  for (let row = rows - 1; row >= 0; row--) {
    const label = row === rows - 1 ? fmt(top) : row === 0 ? fmt(bottom) : '';
    const cells = columns.map((v) => {
      const eighths = Math.round(((v - bottom) / (top - bottom)) * rows * 8) - row * 8;
      return blocks[Math.max(0, Math.min(8, eighths))];
    });
    console.log(`${label.padStart(8)} │${cells.join('')}`);
  }
  const axis = columns.map((_, c) => ((c + 1) * perColumn) % COLLECT_EVERY === 0 ? '┴' : '─');
  console.log(`${''.padStart(8)} └${axis.join('')}`);
  console.log(`${''.padStart(10)}frame 1 → ${values.length}; ┴ = collect(): garbage builds up, then drops`);
}
console.log('\nLive objects (reachable + not yet collected), sampled every frame:');
chart(liveEachFrame, 5, 8);

// ---- 4. Summary --------------------------------------------------------------------------------
const stats = heap.stats();
const collections = stats.majorCollections;
console.log('\nSummary');
console.log(`  allocated in total  ${fmt(allocated)} objects`);
console.log(`  freed in total      ${fmt(freedTotal)} objects`);
console.log(
  `  live now            ${fmt(stats.live)} objects` +
    (allocated - freedTotal === stats.live ? '  (= allocated - freed)' : '  (MISMATCH!)'),
);
console.log(
  `  pauses              ${collections} collections, max ${stats.maxPauseMs.toFixed(2)} ms, ` +
    `avg ${(stats.totalPauseMs / collections).toFixed(2)} ms`,
);
console.log(
  `  memory              ${(stats.bytes / 2 ** 20).toFixed(1)} MiB of typed arrays: ` +
    `${stats.bytesPerObject} B per object header, ${stats.bytesPerSlot} B per reference slot`,
);
console.log(
  `  capacity            ${fmt(stats.capacity)} objects, ${fmt(stats.slotsUsed)} of ` +
    `${fmt(stats.slotsCapacity)} slots used, ${stats.retired} indices retired`,
);
heap.verify(); // checks every heap invariant; throws HeapCorruptionError if one is broken
console.log('  heap.verify()       ok');

// ---- 5. Stale handles are detected, never revived ------------------------------------------------
// When an object is freed its index gets a new generation, so old handles to it stop matching,
// even after the index has been reused by a new object (ECS ids with 8-bit versions wrap around).
console.log('\nStale handles');
console.log(`  h = ${staleHandle}: the first projectile, fired in frame 1 and never linked anywhere`);
console.log(`  heap.isAlive(h)     ${heap.isAlive(staleHandle)}`);
// A handle is index + generation * 2^22 (22 index bits by default): the generation is its high part.
const generation = Math.floor(reusedBy / 2 ** 22);
console.log(
  `  frame ${reusedIn}: index ${staleIndex} was given to a new object, handle ${reusedBy} ` +
    `(= ${staleIndex} + ${generation} × 2^22, generation ${generation})`,
);
try {
  heap.get(staleHandle, 0);
  console.log('  heap.get(h, 0) did not throw (this would be a bug)');
} catch (error) {
  if (!(error instanceof StaleRefError)) throw error;
  console.log(`  heap.get(h, 0)      threw ${error.name}: ${error.message}`);
}
