/**
 * `snapshot`: save and restore throughput, `heap.snapshot()` and `Heap.restore(bytes)`, on the
 * standard tree (4 slots per object) at 10^5 and 10^6 objects, with two components: `Position`
 * (x, y, z: f32) on every object and `Health` (hp: i32) on every other one, and the cached query
 * over both. Anchors, in the same process:
 *
 * - JSON: the same graph as JavaScript objects (`{ x, y, z, hp?, children: [...] }`, nested, as a
 *   tree serializes naturally), `JSON.stringify` of the root and `JSON.parse` of that string;
 * - memcpy: `Uint8Array.prototype.slice()` of as many bytes as the snapshot has (a copy into a
 *   fresh buffer, as a save or a load must make), and `set()` of them into a preallocated buffer
 *   (the raw copy): the least a save or a load of those bytes can cost.
 *
 * MB/s is 10^6 bytes per second of each contender's own output (snapshot bytes, JSON characters).
 */
import { bench, group, summary } from 'mitata';
import { type Component, Heap, type Index } from '../mod.ts';
import { buildHeap } from './collect.bench.ts';
import {
  type Ctx,
  makeGraph,
  measure,
  ms,
  p50,
  type Paired,
  paired,
  pow10,
  ratio,
  sig,
  SLOTS,
  type SuiteReport,
  type Table,
} from './common.ts';

const POSITION = { x: 'f32', y: 'f32', z: 'f32' } as const;
const HEALTH = { hp: 'i32' } as const;

/** Field values of object i (1-based), exact in an f32 and short in JSON. */
const px = (i: number) => (i % 1024) + 0.25;
const py = (i: number) => ((i * 7) % 1024) - 0.5;
const pz = (i: number) => (i % 13) * 2;
const hp = (i: number) => 100 + (i % 50);

/** The standard tree as a heap, with Position on every object and Health on the odd ones. */
function buildScene(n: number): Heap {
  const heap = buildHeap(makeGraph('tree', n));
  const Position: Component<typeof POSITION> = heap.defineComponent(POSITION, { name: 'Position' });
  const Health: Component<typeof HEALTH> = heap.defineComponent(HEALTH, { name: 'Health' });
  for (let i = 1; i <= n; i++) {
    const ref = heap.refAt(i as Index);
    heap.add(ref, Position);
    if (i % 2 === 1) heap.add(ref, Health);
  }
  const x = Position.x;
  const y = Position.y;
  const z = Position.z;
  const h = Health.hp;
  for (let i = 1; i <= n; i++) {
    x[i] = px(i);
    y[i] = py(i);
    z[i] = pz(i);
    if (i % 2 === 1) h[i] = hp(i);
  }
  heap.query(Position, Health);
  heap.collect();
  return heap;
}

interface JsSceneNode {
  x: number;
  y: number;
  z: number;
  hp?: number;
  children: JsSceneNode[];
}

/** The same tree and values as JavaScript objects; returns the root. */
function buildJsScene(n: number): JsSceneNode {
  const g = makeGraph('tree', n);
  const nodes: JsSceneNode[] = new Array(n + 1);
  for (let i = 1; i <= n; i++) {
    const node: JsSceneNode = i % 2 === 1
      ? { x: px(i), y: py(i), z: pz(i), hp: hp(i), children: [] }
      : { x: px(i), y: py(i), z: pz(i), children: [] };
    nodes[i] = node;
  }
  for (let i = 1; i <= n; i++) {
    for (let k = 0; k < SLOTS; k++) {
      const t = g.edges[SLOTS * (i - 1) + k]!;
      if (t !== 0) nodes[i]!.children.push(nodes[t]!);
    }
  }
  return nodes[1]!;
}

/** Restores and checks that the copy holds what the original holds. */
function checkRestore(heap: Heap, bytes: Uint8Array, n: number): void {
  const copy = Heap.restore(bytes);
  const Position = copy.component('Position', POSITION)!;
  const Health = copy.component('Health', HEALTH)!;
  const ok = copy.stats().live === n && heap.stats().live === n && Position.x[n] === px(n) &&
    Position.z[7] === pz(7) && Health.hp[1] === hp(1) && copy.query(Position, Health).length === Math.ceil(n / 2) &&
    copy.get(copy.refAt(1 as Index), 0) === copy.refAt(2 as Index);
  if (!ok) throw new Error('snapshot: the restored heap differs from the original');
}

export async function snapshotSuite(ctx: Ctx): Promise<SuiteReport> {
  const sizes = ctx.quick ? [1e4, 1e5] : [1e5, 1e6];
  const name = (what: string, n: number) => `${what} ${pow10(n)}`;

  interface Scene {
    heap: Heap;
    bytes: Uint8Array;
    root: JsSceneNode;
    json: string;
  }
  const scenes = new Map<number, Scene>();
  const scene = (n: number): Scene => {
    let s = scenes.get(n);
    if (s === undefined) {
      ctx.log(`[bench] snapshot: building ${pow10(n)} objects`);
      const heap = buildScene(n);
      const bytes = heap.snapshot();
      checkRestore(heap, bytes, n);
      const root = buildJsScene(n);
      const json = JSON.stringify(root);
      s = { heap, bytes, root, json };
      scenes.set(n, s);
    }
    return s;
  };
  for (const n of sizes) scene(n);

  /** Destination buffers for the raw copy, one per size, allocated (and touched) before measuring. */
  const sinks = new Map<number, Uint8Array>();
  for (const n of sizes) sinks.set(n, scene(n).bytes.slice());
  const copyInto = (n: number) => {
    const sink = sinks.get(n)!;
    sink.set(scene(n).bytes);
    return sink.length;
  };

  const stats = await measure(ctx, `snapshot (${ctx.runtime})`, () => {
    for (const n of sizes) {
      group(`save, ${pow10(n)} objects (tree, 4 slots, Position on all, Health on half)`, () => {
        summary(() => {
          bench(name('snapshot()', n), () => scene(n).heap.snapshot().length).baseline(true);
          bench(name('memcpy slice()', n), () => scene(n).bytes.slice().length);
          bench(name('memcpy set()', n), () => copyInto(n));
          bench(name('JSON.stringify', n), () => JSON.stringify(scene(n).root).length);
        });
      });
      group(`load, ${pow10(n)} objects`, () => {
        summary(() => {
          bench(name('Heap.restore()', n), () => Heap.restore(scene(n).bytes).stats().live).baseline(true);
          bench(name('JSON.parse', n), () => (JSON.parse(scene(n).json) as JsSceneNode).children.length);
        });
      });
    }
  });

  const savePairs = new Map<number, Paired>();
  const loadPairs = new Map<number, Paired>();
  for (const n of sizes) {
    const s = scene(n);
    const budget = ctx.quick ? 1000 : 3000;
    const copies = [
      { name: 'memcpy slice()', fn: () => s.bytes.slice().length },
      { name: 'memcpy set()', fn: () => copyInto(n) },
    ];
    ctx.log(`[bench] snapshot: paired ratios, save ${pow10(n)}`);
    savePairs.set(
      n,
      paired([
        { name: 'snapshot()', fn: () => s.heap.snapshot().length },
        ...copies,
        { name: 'JSON.stringify', fn: () => JSON.stringify(s.root).length },
      ], budget),
    );
    ctx.log(`[bench] snapshot: paired ratios, load ${pow10(n)}`);
    loadPairs.set(
      n,
      paired([
        { name: 'Heap.restore()', fn: () => Heap.restore(s.bytes).stats().live },
        ...copies,
        { name: 'JSON.parse', fn: () => (JSON.parse(s.json) as JsSceneNode).children.length },
      ], budget),
    );
  }

  const mbps = (bytes: number, ns: number) => sig(bytes / 1e6 / (ns / 1e9));
  const rows: string[][] = [];
  const derived: Record<string, unknown>[] = [];
  for (const n of sizes) {
    const s = scene(n);
    const bytes = s.bytes.length;
    const jsonBytes = s.json.length;
    const save = p50(stats, name('snapshot()', n));
    const load = p50(stats, name('Heap.restore()', n));
    const slice = p50(stats, name('memcpy slice()', n));
    const set = p50(stats, name('memcpy set()', n));
    const stringify = p50(stats, name('JSON.stringify', n));
    const parse = p50(stats, name('JSON.parse', n));
    const sp = savePairs.get(n)!;
    const lp = loadPairs.get(n)!;
    // Paired ratios are time(entry) / time(snapshot() or restore()) per round: [self, slice, set, JSON].
    const row = (op: string, ns: number, pair: Paired, json: number) => [
      op,
      pow10(n),
      sig(bytes / 1e6),
      sig(bytes / n, 3),
      ms(ns),
      mbps(bytes, ns),
      mbps(bytes, slice),
      mbps(bytes, set),
      ratio(1 / pair.ratios[1]!),
      ratio(1 / pair.ratios[2]!),
      sig(jsonBytes / 1e6),
      mbps(jsonBytes, json),
      ratio(pair.ratios[3]!),
    ];
    rows.push(row('save', save, sp, stringify), row('load', load, lp, parse));
    derived.push({
      n,
      snapshotBytes: bytes,
      jsonChars: jsonBytes,
      snapshotNs: save,
      restoreNs: load,
      sliceNs: slice,
      setNs: set,
      stringifyNs: stringify,
      parseNs: parse,
      pairedSave: { rounds: sp.rounds, names: sp.names, medianNs: sp.medians, timeOverSnapshot: sp.ratios },
      pairedLoad: { rounds: lp.rounds, names: lp.names, medianNs: lp.medians, timeOverRestore: lp.ratios },
    });
  }
  const table: Table = {
    title: `snapshot: save and restore throughput (${ctx.runtime} ${ctx.runtimeVersion})`,
    columns: [
      'op',
      'objects',
      'snapshot MB',
      'bytes/object',
      'ecs-heap ms',
      'ecs-heap MB/s',
      'slice() MB/s',
      'set() MB/s',
      'ecs-heap/slice()',
      'ecs-heap/set()',
      'JSON MB',
      'JSON MB/s',
      'JSON/ecs-heap',
    ],
    rows,
  };
  return {
    suite: 'snapshot',
    runtime: ctx.runtime,
    tables: [table],
    targets: [],
    notes: [
      'save = heap.snapshot() against JSON.stringify of the same tree as JS objects; load = Heap.restore(bytes) ' +
      "against JSON.parse of that string. memcpy anchors, for the snapshot's byte count: slice() (a copy into a " +
      'fresh buffer, which snapshot() and restore() must also allocate: it includes the page faults of new memory, ' +
      'and varies with whether the allocator has warm pages) and set() into a preallocated buffer (the raw copy). ' +
      "ms and MB/s are mitata medians (MB = 10^6 bytes, or JSON characters, of each contender's own output). The " +
      'three ratios are time ratios from paired rounds (all four contenders of a row in turn): ecs-heap/slice() and ' +
      'ecs-heap/set() say how far from a plain copy (1x = as fast); JSON/ecs-heap > 1x means ecs-heap is faster.',
    ],
    data: { stats: Object.fromEntries(stats), sizes: derived },
  };
}
