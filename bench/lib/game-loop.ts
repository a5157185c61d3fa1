/**
 * The game loop shared by the incremental, game-loop and level-load suites: a world (the standard
 * 4-slot tree, its root pinned) and frames that each spawn short-lived 2-slot objects pointing at
 * random world nodes, a few of which stick in the world (stored into a random slot of a random
 * world leaf, replacing what was there, which becomes garbage), then call the collector. The same
 * seed makes the same world and the same spawns in every mode, on ecs-heap and as JavaScript
 * objects.
 *
 * Timed per frame: the collector's share (tick/collect) and the whole frame, in wall time and in
 * CPU time (`process.cpuUsage()`, every thread of the process). Wall time is what a player sees,
 * but on a shared machine it also holds the milliseconds other processes ran on our core; CPU time
 * leaves those out (and adds the engine's helper threads), so a spike in wall time without one in
 * CPU time was the machine, not the collector.
 */
import { Heap, type HeapOptions, type Ref, type RefArray } from '../../mod.ts';
import { GcObserver, type GcPause, pausesBetween } from './engine.ts';
import { tenure, tickReport } from './features.ts';
import { firstLeaf, makeGraph, prng } from './graphs.ts';
import { buildHeap, handlesOf } from './heaps.ts';
import { type JsNode, setJsSlot } from './js-graph.ts';
import type { Ctx } from './report.ts';
import { cpuMs } from './runtime.ts';
import { max, percentile, sum } from './stats.ts';

/** What the loading screen leaves: an old world (`collect()`), a young one, or a young one `tenure()`d. */
export type Load = 'collect' | 'young' | 'tenure';

export interface LoopSpec {
  /** World nodes (the standard tree). */
  world: number;
  spawns: number;
  /** Chance that a spawned object sticks in the world. */
  keep: number;
  frames: number;
  load: Load;
  /** `tick(budgetMs)` every frame, or `collect()` every `collectEvery` frames. */
  mode: 'tick' | 'collect';
  budgetMs: number;
  collectEvery: number;
  options: HeapOptions;
  seed: number;
}

export type Mode = 'tick' | 'collect' | 'js';

export interface RunLog {
  mode: Mode;
  /** Milliseconds inside tick()/collect() per frame (0 when not called); empty for JS objects. */
  collectorMs: number[];
  /** Milliseconds of the whole frame. */
  frameMs: number[];
  /** The same in CPU time. */
  collectorCpuMs: number[];
  frameCpuMs: number[];
  /**
   * Per frame, how long the main thread waited for a CPU inside tick()/collect() (its run-queue
   * wait, bench/lib/stalls.ts); empty when the run had no reader.
   */
  collectorWaitMs: number[];
  /** Per frame, what the collector did: a minor, major-cycle work, both, or nothing. */
  minorFrame: boolean[];
  majorFrame: boolean[];
  /** Young objects when the collector was called (after the frame's spawns). */
  youngBefore: number[];
  /** stats().live after each frame (max). */
  maxLive: number;
  /** Live after one more, untimed collect(): what the world really holds. */
  reachable: number;
  majors: number;
  minors: number;
  /** Frame in which the first major cycle ended (0: none). */
  firstMajorFrame: number;
  /** The engine's full gc() on the JS world after the frames, median of 3 (NaN when not exposed). */
  engineGcMs: number;
  /** What the first tick() returned, when it returns anything (a TickReport, once it exists). */
  tickReturned: unknown;
  /** Whether the load asked for `tenure()` and the heap had it. */
  tenured: boolean;
  /** `performance.now()` when the first frame began and the last ended. */
  framesFrom: number;
  framesTo: number;
}

function emptyLog(mode: Mode): RunLog {
  return {
    mode,
    collectorMs: [],
    frameMs: [],
    collectorCpuMs: [],
    frameCpuMs: [],
    collectorWaitMs: [],
    minorFrame: [],
    majorFrame: [],
    youngBefore: [],
    maxLive: 0,
    reachable: 0,
    majors: 0,
    minors: 0,
    firstMajorFrame: 0,
    engineGcMs: NaN,
    tickReturned: undefined,
    tenured: false,
    framesFrom: 0,
    framesTo: 0,
  };
}

/** The world as an ecs-heap, loaded as `spec.load` says; `nodes[i]` is tree node i's handle. */
export function buildHeapWorld(spec: LoopSpec): { heap: Heap; nodes: RefArray; tenured: boolean } {
  const heap = buildHeap(makeGraph('tree', spec.world), spec.options);
  let tenured = false;
  if (spec.load === 'collect') heap.collect();
  else if (spec.load === 'tenure') tenured = tenure(heap);
  return { heap, nodes: handlesOf(heap, spec.world), tenured };
}

/**
 * One run of the game loop on a fresh ecs-heap world; `waited`, a run-queue wait reader
 * (bench/lib/stalls.ts), is read around each tick when given.
 */
export function runHeapLoop(ctx: Ctx, spec: LoopSpec, waited: (() => number) | null = null): RunLog {
  const rand = prng(spec.seed);
  const pick = (n: number) => Math.floor(rand() * n);
  const world = spec.world;
  const first = firstLeaf(world);
  const leaves = world - first;
  const log = emptyLog(spec.mode);
  const { heap, nodes, tenured } = buildHeapWorld(spec);
  log.tenured = tenured;
  // The engine's own garbage from earlier runs is collected now, not during this run's frames,
  // where its full GC would show up as a collector pause.
  ctx.fullGc?.();
  const before = heap.stats();
  let minors = before.minorCollections;
  let majors = before.majorCollections;
  let young = before.young;
  log.framesFrom = performance.now();
  for (let frame = 1; frame <= spec.frames; frame++) {
    const phaseBefore = heap.phase;
    const f0c = cpuMs();
    const f0 = performance.now();
    for (let n = 0; n < spec.spawns; n++) {
      const o: Ref = heap.alloc(2);
      heap.set(o, 0, nodes[pick(world)]!);
      heap.set(o, 1, nodes[pick(world)]!);
      if (rand() < spec.keep) heap.set(nodes[first + pick(leaves)]!, pick(4), o);
    }
    const c0c = cpuMs();
    const w0 = waited === null ? 0 : waited();
    const c0 = performance.now();
    if (spec.mode === 'tick') {
      const returned = tickReport(heap, spec.budgetMs);
      if (frame === 1) log.tickReturned = returned;
    } else if (frame % spec.collectEvery === 0) heap.collect();
    const f1 = performance.now();
    if (waited !== null) log.collectorWaitMs.push(waited() - w0);
    const f1c = cpuMs();
    log.collectorMs.push(f1 - c0);
    log.frameMs.push(f1 - f0);
    log.collectorCpuMs.push(f1c - c0c);
    log.frameCpuMs.push(f1c - f0c);
    const st = heap.stats();
    log.youngBefore.push(young + spec.spawns); // every spawn is young until the collector runs
    young = st.young;
    log.minorFrame.push(st.minorCollections !== minors);
    log.majorFrame.push(phaseBefore !== 'idle' || st.phase !== 'idle' || st.majorCollections !== majors);
    if (log.firstMajorFrame === 0 && st.majorCollections !== majors) log.firstMajorFrame = frame;
    minors = st.minorCollections;
    majors = st.majorCollections;
    if (st.live > log.maxLive) log.maxLive = st.live;
  }
  log.framesTo = performance.now();
  log.minors = minors - before.minorCollections;
  log.majors = majors - before.majorCollections;
  log.reachable = heap.collect().live;
  return log;
}

interface JsSpawn {
  a: JsNode;
  b: JsNode;
}

/**
 * The same loop with JavaScript objects, the engine collecting on its own inside the frames.
 * `forcedGcs`: a full GC before the frames (earlier garbage) and three timed after them (the
 * engine's full GC of this world); off while the engine's own pauses are being observed.
 */
export function runJsLoop(ctx: Ctx, spec: LoopSpec, forcedGcs = true): RunLog {
  const rand = prng(spec.seed);
  const pick = (n: number) => Math.floor(rand() * n);
  const world = spec.world;
  const first = firstLeaf(world);
  const leaves = world - first;
  const log = emptyLog('js');
  // The tree of makeGraph('tree'): node i's children are 4i+1 .. 4i+4.
  const nodes: JsNode[] = [];
  for (let i = 0; i < world; i++) nodes.push({ c0: null, c1: null, c2: null, c3: null });
  for (let i = 0; i < world; i++) {
    for (let k = 0; k < 4; k++) if (4 * i + k + 1 < world) setJsSlot(nodes[i]!, k, nodes[4 * i + k + 1]!);
  }
  // The game's own per-frame list of what it spawned, overwritten next frame: spawned objects are
  // reachable for the rest of their frame (as handles in JavaScript variables would be).
  const spawned: (JsSpawn | null)[] = new Array(spec.spawns).fill(null);
  if (forcedGcs) ctx.fullGc?.();
  log.framesFrom = performance.now();
  for (let frame = 1; frame <= spec.frames; frame++) {
    const f0c = cpuMs();
    const f0 = performance.now();
    for (let n = 0; n < spec.spawns; n++) {
      const o: JsSpawn = { a: nodes[pick(world)]!, b: nodes[pick(world)]! };
      spawned[n] = o;
      if (rand() < spec.keep) setJsSlot(nodes[first + pick(leaves)]!, pick(4), o);
    }
    const f1 = performance.now();
    log.frameMs.push(f1 - f0);
    log.frameCpuMs.push(cpuMs() - f0c);
  }
  log.framesTo = performance.now();
  const gc = ctx.fullGc;
  if (gc !== null && forcedGcs) {
    const times: number[] = [];
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      gc();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    log.engineGcMs = times[1]!;
  }
  // Keep the world alive through the gc() calls above.
  if (nodes.length !== world || spawned.length !== spec.spawns) throw new Error('game loop: JS world changed size');
  return log;
}

// ---- statistics ------------------------------------------------------------------------------

export interface RunStats {
  collectorP50: number;
  collectorP99: number;
  collectorMax: number;
  collectorFirstMax: number;
  collectorSteadyMax: number;
  collectorTotal: number;
  collectorOwnP99: number;
  collectorOwnMax: number;
  collectorOwnSteadyMax: number;
  frameP50: number;
  frameP99: number;
  frameMax: number;
  frameFirstMax: number;
  frameSteadyMax: number;
  frameOwnP99: number;
  frameOwnMax: number;
  /** Frames whose collector share passed 1.5 ms, wall time. */
  overBudget: number;
}

/**
 * Per frame, min(wall, CPU): the process's CPU time counts every thread (the engine compiles and
 * collects on helper threads, so it can exceed wall time), wall time counts the time other
 * processes held our core; the smaller of the two bounds the main thread's own work from above.
 */
export function own(wall: number[], cpu: number[]): number[] {
  return wall.map((w, i) => Math.min(w, cpu[i]!));
}

/** Statistics of one run; `first` frames are reported apart from the rest (the steady state). */
export function runStats(log: RunLog, first: number): RunStats {
  const c = log.collectorMs;
  const f = log.frameMs;
  const cc = own(c, log.collectorCpuMs);
  const fc = own(f, log.frameCpuMs);
  return {
    collectorP50: percentile(c, 0.5),
    collectorP99: percentile(c, 0.99),
    collectorMax: max(c),
    collectorFirstMax: max(c.slice(0, first)),
    collectorSteadyMax: max(c.slice(first)),
    collectorTotal: sum(c),
    collectorOwnP99: percentile(cc, 0.99),
    collectorOwnMax: max(cc),
    collectorOwnSteadyMax: max(cc.slice(first)),
    frameP50: percentile(f, 0.5),
    frameP99: percentile(f, 0.99),
    frameMax: max(f),
    frameFirstMax: max(f.slice(0, first)),
    frameSteadyMax: max(f.slice(first)),
    frameOwnP99: percentile(fc, 0.99),
    frameOwnMax: max(fc),
    overBudget: c.filter((x) => x > 1.5).length,
  };
}

/** Heap options sized for a loop's peak up front (collect mode holds 60 frames of garbage), so no frame grows columns. */
export function sizedOptions(world: number, extra: HeapOptions = {}): HeapOptions {
  return { initialCapacity: Math.max(1 << 18, 2 * world), ...extra };
}

/** Whether `Heap` has run `Heap.warmUp()` in this process (the suites that need it call `warmUpOnce`). */
let warmedUp = false;

/** `Heap.warmUp()` once per process, as a game calls it while loading; returns its ms (0 after the first call). */
export function warmUpOnce(): number {
  if (warmedUp) return 0;
  warmedUp = true;
  return Heap.warmUp();
}

/** The JS loop with the engine's GC pauses observed during its frames (empty when the runtime does not report them). */
export async function observedJsLoop(
  ctx: Ctx,
  spec: LoopSpec,
  observe: boolean,
): Promise<{ log: RunLog; pauses: GcPause[] }> {
  if (!observe) return { log: runJsLoop(ctx, spec), pauses: [] };
  const obs = new GcObserver();
  ctx.fullGc?.();
  await new Promise((resolve) => setTimeout(resolve, 0)); // deliver the forced GC's entry before observing
  obs.start();
  const log = runJsLoop(ctx, spec, false);
  const pauses = pausesBetween(await obs.stop(), log.framesFrom, log.framesTo);
  return { log, pauses };
}
