/**
 * The churn workload, shared by the churn and generational suites: one round spawns K short-lived
 * objects that reference a 10^4-object world and then drops them all. Each factory builds one
 * contender's state and returns one round.
 */
import { addEntity, createWorld, removeEntity } from 'bitecs';
import type { Heap, Index, Ref, RefArray } from '../../mod.ts';
import { stateOf } from '../../src/heap.ts';
import { makeGraph, prng } from './graphs.ts';
import { buildHeap } from './heaps.ts';
import { buildJsNodes, type JsNode } from './js-graph.ts';

/** Live world objects every contender keeps through the rounds. */
export const CHURN_WORLD = 1e4;

/** Two world picks per short-lived object, the same sequence for every contender. */
export function churnPicks(k: number): Uint32Array {
  const rand = prng(0xc4a7 ^ k);
  const p = new Uint32Array(2 * k);
  for (let j = 0; j < p.length; j++) p[j] = Math.floor(rand() * CHURN_WORLD);
  return p;
}

/** The world's handles, in allocation order (index i+1 holds tree node i). */
function worldHeap(): { heap: Heap; world: Ref[] } {
  const heap = buildHeap(makeGraph('tree', CHURN_WORLD));
  const world: Ref[] = [];
  for (let i = 1; i <= CHURN_WORLD; i++) world.push(heap.refAt(i as Index));
  return { heap, world };
}

/**
 * K allocs with 2 slots and 2 set() each, then `collect()` or `minor()`, which frees all K (checked).
 * `oldWorld`: collect once before the rounds, so the world is old (what the generational suite
 * measures); otherwise the first round's collection promotes it.
 */
export function ecsChurnRound(k: number, collector: 'collect' | 'minor', oldWorld = false): () => unknown {
  const { heap, world } = worldHeap();
  if (oldWorld) heap.collect();
  const p = churnPicks(k);
  const held: Ref[] = new Array(k).fill(0);
  return () => {
    for (let j = 0; j < k; j++) {
      const o = heap.alloc(2);
      heap.set(o, 0, world[p[2 * j]!]!);
      heap.set(o, 1, world[p[2 * j + 1]!]!);
      held[j] = o;
    }
    const info = collector === 'collect' ? heap.collect() : heap.minor();
    if (info.freed !== k) throw new Error(`churn: ${collector}() freed ${info.freed}, expected ${k}`);
    return held;
  };
}

/**
 * The same round as a wave: the K objects' targets gathered into one array (as a game gathers a
 * wave's shooters and targets), `allocMany(K, 2, 'strong', targets)`, then `minor()`, which frees
 * all K (checked).
 */
export function ecsWaveChurnRound(k: number): () => unknown {
  const { heap, world } = worldHeap();
  const p = churnPicks(k);
  const targets = new Float64Array(2 * k) as unknown as Ref[];
  // The wave's handles, written into one array reused every round (as a game reuses its buffers).
  const spawned = new Float64Array(k) as RefArray;
  let held: unknown = null;
  return () => {
    for (let j = 0; j < 2 * k; j++) targets[j] = world[p[j]!]!;
    held = heap.allocMany(k, 2, 'strong', targets, spawned);
    const info = heap.minor();
    if (info.freed !== k) throw new Error(`churn: minor() after a wave freed ${info.freed}, expected ${k}`);
    return held;
  };
}

/** What a long run of wave rounds did to the heap's indices and handles (`longChurn`). */
export interface LongChurn {
  allocations: number;
  /** The largest handle any round made. */
  maxHandle: number;
  /** Indices ever used, the world's included (`top - 1`). */
  indicesUsed: number;
  /** `allocations / smallGenerations` plus the world and one round: the fewest that keep every handle small. */
  indicesNeeded: number;
  bytes: number;
  bytesPerObject: number;
  seconds: number;
}

/**
 * `allocations` objects spawned and dropped as wave rounds of K (the churn round above), default
 * options: the largest handle made and how many indices the heap spread over.
 */
export function longChurn(k: number, allocations: number): LongChurn {
  const { heap, world } = worldHeap();
  const p = churnPicks(k);
  const targets = new Float64Array(2 * k) as unknown as Ref[];
  for (let j = 0; j < 2 * k; j++) targets[j] = world[p[j]!]!;
  const spawned = new Float64Array(k) as RefArray;
  let maxHandle = 0;
  const rounds = Math.ceil(allocations / k);
  const start = performance.now();
  for (let r = 0; r < rounds; r++) {
    heap.allocMany(k, 2, 'strong', targets, spawned);
    for (let j = 0; j < k; j++) if (spawned[j]! > maxHandle) maxHandle = spawned[j]!;
    heap.minor();
  }
  const seconds = (performance.now() - start) / 1e3;
  const stats = heap.stats();
  return {
    allocations: rounds * k,
    maxHandle,
    indicesUsed: stateOf(heap).top - 1,
    indicesNeeded: Math.ceil((rounds * k) / stateOf(heap).codec.smallGenerations) + CHURN_WORLD + k,
    bytes: stats.bytes,
    bytesPerObject: stats.bytesPerObject,
    seconds,
  };
}

/** K bare `alloc(0)` then `collect()`: the same work as bitECS's bare entities. */
export function bareChurnRound(k: number): () => unknown {
  const { heap } = worldHeap();
  const held: Ref[] = new Array(k).fill(0);
  return () => {
    for (let j = 0; j < k; j++) held[j] = heap.alloc(0);
    heap.collect();
    return held;
  };
}

/** K `addEntity` then K `removeEntity`, in a world that holds 10^4 live entities too. */
export function bitecsChurnRound(k: number): () => unknown {
  const world = createWorld();
  for (let i = 0; i < CHURN_WORLD; i++) addEntity(world);
  const held: number[] = new Array(k).fill(0);
  return () => {
    for (let j = 0; j < k; j++) held[j] = addEntity(world);
    for (let j = 0; j < k; j++) removeEntity(world, held[j]!);
    return held;
  };
}

interface JsPair {
  a: JsNode;
  b: JsNode;
}

/**
 * K `{ a, b }` referencing the same tree as JavaScript objects. `minorGc` null: dropped when the
 * next round overwrites them, the engine collecting whenever it decides (its GC amortized into
 * the time). Otherwise dropped at the end of the round and the engine's young generation
 * collected right away (V8 `gc({ type: 'minor' })`, a scavenge): the same work per round as
 * ecs-heap's `minor()`.
 */
export function jsChurnRound(k: number, minorGc: (() => void) | null = null): () => unknown {
  // world[i] is the object at heap index i + 1.
  const world = buildJsNodes(makeGraph('tree', CHURN_WORLD)).slice(1);
  const p = churnPicks(k);
  const held: (JsPair | null)[] = new Array(k).fill(null);
  if (minorGc === null) {
    return () => {
      for (let j = 0; j < k; j++) held[j] = { a: world[p[2 * j]!]!, b: world[p[2 * j + 1]!]! };
      return held;
    };
  }
  return () => {
    for (let j = 0; j < k; j++) held[j] = { a: world[p[2 * j]!]!, b: world[p[2 * j + 1]!]! };
    held.fill(null);
    minorGc();
    return held;
  };
}

/**
 * The minimal loops' state: the columns a round touches and the round's own values, on an object
 * whose fields are all replaced once after it is made, as a heap's are when it grows or runs. (An
 * engine may compile a value it can see never changes as a constant: V8 at times did so for the
 * floor's columns, its K and its arrays when they were captured in the round closure, with the
 * loops inlined into it, and the floor then read 13 ns an object in Node against 26-27 otherwise,
 * from one run to another. No library function serving any heap gets that: its state is an
 * argument; docs/decisions.md.)
 */
interface FloorState {
  color: Uint8Array;
  flags: Uint8Array;
  generation: Uint32Array;
  size: Uint32Array;
  base: Uint32Array;
  next: Uint32Array;
  slots: Uint32Array;
  /** One past the world's last index: the checks' bound. */
  top: number;
  /** The handles' index mask and scale, made as core/handle.ts makes them and read as the heap reads them (below). */
  indexMask: number;
  indexScale: number;
  freeHead: number;
  freeTail: number;
  count: number;
  /** The world's handles (index i + 1 at i), the round's picks, its gathered targets and its new handles. */
  world: number[];
  picks: Uint32Array;
  targets: Float64Array;
  handles: Float64Array;
}

const FLOOR_INDEX_BITS = 22;

function floorState(length: number, slotLength: number, count: number): FloorState {
  return {
    color: new Uint8Array(length),
    flags: new Uint8Array(length),
    generation: new Uint32Array(length),
    size: new Uint32Array(length),
    base: new Uint32Array(length),
    next: new Uint32Array(length),
    slots: new Uint32Array(slotLength),
    top: 0,
    // The mask by a shift, a small integer, the scale a double (core/handle.ts). Read from here
    // into locals as the heap reads its codec's: as module constants used in the loops,
    // JavaScriptCore ran the floor at 60-110 ns an object against 12.
    indexMask: (1 << FLOOR_INDEX_BITS) - 1,
    indexScale: 2 ** FLOOR_INDEX_BITS,
    freeHead: 0,
    freeTail: 0,
    count,
    world: [],
    picks: churnPicks(count),
    targets: new Float64Array(2 * count),
    handles: new Float64Array(count),
  };
}

/**
 * The wave round's work per object as minimal loops, with none of the library's bookkeeping (no
 * call dispatch, phase or barrier tests, counters, spent indices, block classes): the targets
 * gathered as the wave round gathers them, each target checked (index in range, live color,
 * generation), then K objects taken from a free queue with their header, two slots and handle
 * written, then all K freed back to the queue (header cleared, generation bumped, slots zeroed).
 * The floor that any heap doing this work an object in this runtime stands on: its rate against
 * bitECS's says how far the churn target can be reached by tightening loops alone.
 */
export function floorChurnRound(k: number): () => unknown {
  const worldSize = CHURN_WORLD + 1; // index 0 reserved, as in the heap
  // The churn's indices: the pages the heap carves after the world's for the first wave (a class of
  // slot counts of their own, in runs: core/free-list.ts), queued in order; read off a heap that
  // made the world and one wave, so the floor needs no copy of the carving rule.
  const { heap } = worldHeap();
  const first = stateOf(heap).top;
  heap.allocMany(k, 2);
  const end = stateOf(heap).top;
  const state = floorState(0, 0, 0);
  Object.assign(state, floorState(end, 2 * k + 2, k));
  state.top = worldSize;
  state.color.fill(1, 1, worldSize);
  for (let i = 1; i < worldSize; i++) state.world.push(i);
  for (let i = first; i < end - 1; i++) state.next[i] = i + 1;
  state.freeHead = first;
  state.freeTail = end - 1;
  return () => floorRound(state);
}

function floorRound(state: FloorState): Float64Array {
  const { world, picks, targets } = state;
  for (let j = 0; j < targets.length; j++) targets[j] = world[picks[j]!]!;
  if (floorCheck(state) !== -1) throw new Error('churn floor: a target failed its check');
  floorFree(state, floorWave(state));
  return state.handles;
}

function floorCheck(state: FloorState): number {
  const { color, generation, targets, top, indexMask, indexScale } = state;
  for (let at = 0; at < targets.length; at++) {
    const ref = targets[at]!;
    if (ref === 0) continue;
    const i = ref & indexMask;
    if (i === 0 || i >= top || (color[i]! & 3) === 0 || ref - i !== generation[i]! * indexScale) return at;
  }
  return -1;
}

/** Makes the round's K objects from the free queue; returns the nursery's head (the newest). */
function floorWave(state: FloorState): number {
  const { color, flags, generation, size, base, next, slots, count, targets, handles, indexMask, indexScale } = state;
  let head = state.freeHead;
  let nursery = 0;
  for (let j = 0, top = 1; j < count; j++, top += 2) {
    const i = head;
    head = next[i]!;
    base[i] = top;
    size[i] = 2;
    flags[i] = 1;
    color[i] = 1;
    next[i] = nursery;
    nursery = i;
    slots[top] = targets[2 * j]! & indexMask;
    slots[top + 1] = targets[2 * j + 1]! & indexMask;
    handles[j] = i + generation[i]! * indexScale;
  }
  state.freeHead = head;
  return nursery;
}

/** Frees the nursery's objects to the free queue's tail, in nursery order. */
function floorFree(state: FloorState, nursery: number): void {
  const { color, flags, generation, size, base, next, slots } = state;
  let head = state.freeHead;
  let tail = head === 0 ? 0 : state.freeTail;
  for (let i = nursery; i !== 0;) {
    const start = base[i]!;
    slots[start] = 0;
    slots[start + 1] = 0;
    const following = next[i]!;
    size[i] = 0;
    base[i] = 0;
    color[i] = 0;
    flags[i] = 0;
    generation[i] = (generation[i]! + 1) & 255; // the heap sets an index aside before its handles pass 2^30
    next[i] = 0;
    if (tail === 0) head = i;
    else next[tail] = i;
    tail = i;
    i = following;
  }
  state.freeHead = head;
  state.freeTail = tail;
}
