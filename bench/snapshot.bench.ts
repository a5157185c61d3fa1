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
import { ms, pow10, ratio, sig } from './lib/format.ts';
import { makeGraph, SLOTS } from './lib/graphs.ts';
import { buildHeap } from './lib/heaps.ts';
import { measure, p50, type Stat } from './lib/measure.ts';
import { type Paired, paired, pairedData } from './lib/paired.ts';
import { type Ctx, type Ratio, report, type Section, type SuiteReport } from './lib/report.ts';

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

interface Scene {
  heap: Heap;
  bytes: Uint8Array;
  root: JsSceneNode;
  json: string;
  /** Destination buffer for the raw copy, allocated (and touched) before measuring. */
  sink: Uint8Array;
}

const name = (what: string, n: number) => `${what} ${pow10(n)}`;

/** The heap, its snapshot, the same tree as JS objects and its JSON, for one size (checked). */
function buildScenes(ctx: Ctx, sizes: number[]): Map<number, Scene> {
  const scenes = new Map<number, Scene>();
  for (const n of sizes) {
    ctx.log(`[bench] snapshot: building ${pow10(n)} objects`);
    const heap = buildScene(n);
    const bytes = heap.snapshot();
    checkRestore(heap, bytes, n);
    const root = buildJsScene(n);
    scenes.set(n, { heap, bytes, root, json: JSON.stringify(root), sink: bytes.slice() });
  }
  return scenes;
}

function copyInto(s: Scene): number {
  s.sink.set(s.bytes);
  return s.sink.length;
}

function measureMedians(ctx: Ctx, scenes: Map<number, Scene>): Promise<Map<string, Stat>> {
  return measure(ctx, `snapshot (${ctx.label})`, () => {
    for (const [n, s] of scenes) {
      group(`save, ${pow10(n)} objects (tree, 4 slots, Position on all, Health on half)`, () => {
        summary(() => {
          bench(name('snapshot()', n), () => s.heap.snapshot().length).baseline(true);
          bench(name('memcpy slice()', n), () => s.bytes.slice().length);
          bench(name('memcpy set()', n), () => copyInto(s));
          bench(name('JSON.stringify', n), () => JSON.stringify(s.root).length);
        });
      });
      group(`load, ${pow10(n)} objects`, () => {
        summary(() => {
          bench(name('Heap.restore()', n), () => Heap.restore(s.bytes).stats().live).baseline(true);
          bench(name('JSON.parse', n), () => (JSON.parse(s.json) as JsSceneNode).children.length);
        });
      });
    }
  });
}

/** Save and load, each against the two copies and JSON, paired: [self, slice(), set(), JSON]. */
function measurePairs(ctx: Ctx, scenes: Map<number, Scene>): Map<number, { save: Paired; load: Paired }> {
  const out = new Map<number, { save: Paired; load: Paired }>();
  const budget = ctx.quick ? 1000 : 3000;
  for (const [n, s] of scenes) {
    const copies = [
      { name: 'memcpy slice()', fn: () => s.bytes.slice().length },
      { name: 'memcpy set()', fn: () => copyInto(s) },
    ];
    ctx.log(`[bench] snapshot: paired ratios, save and load ${pow10(n)}`);
    const save = paired([
      { name: 'snapshot()', fn: () => s.heap.snapshot().length },
      ...copies,
      { name: 'JSON.stringify', fn: () => JSON.stringify(s.root).length },
    ], budget);
    const load = paired([
      { name: 'Heap.restore()', fn: () => Heap.restore(s.bytes).stats().live },
      ...copies,
      { name: 'JSON.parse', fn: () => (JSON.parse(s.json) as JsSceneNode).children.length },
    ], budget);
    out.set(n, { save, load });
  }
  return out;
}

const NOTES = [
  'save = heap.snapshot() against JSON.stringify of the same tree as JS objects; load = Heap.restore(bytes) ' +
  "against JSON.parse of that string. memcpy anchors, for the snapshot's byte count: slice() (a copy into a " +
  'fresh buffer, which snapshot() and restore() must also allocate: it includes the page faults of new memory, ' +
  'and varies with whether the allocator has warm pages) and set() into a preallocated buffer (the raw copy). ' +
  "ms and MB/s are mitata medians (MB = 10^6 bytes, or JSON characters, of each contender's own output). The " +
  'three ratios are time ratios from paired rounds (all four contenders of a row in turn): ecs-heap/slice() and ' +
  'ecs-heap/set() say how far from a plain copy (1x = as fast); JSON/ecs-heap > 1x means ecs-heap is faster.',
];

function throughputSection(
  ctx: Ctx,
  scenes: Map<number, Scene>,
  stats: Map<string, Stat>,
  pairs: Map<number, { save: Paired; load: Paired }>,
): Section {
  const rows: string[][] = [];
  const derived: Record<string, unknown>[] = [];
  const ratios: Ratio[] = [];
  const mbps = (bytes: number, ns: number) => sig(bytes / 1e6 / (ns / 1e9));
  for (const [n, s] of scenes) {
    const bytes = s.bytes.length;
    const jsonBytes = s.json.length;
    const slice = p50(stats, name('memcpy slice()', n));
    const { save: sp, load: lp } = pairs.get(n)!;
    // Paired ratios are time(entry) / time(snapshot() or restore()) per round: [self, slice, set, JSON].
    const row = (op: string, ns: number, pair: Paired, json: number) => [
      op,
      pow10(n),
      sig(bytes / 1e6),
      sig(bytes / n, 3),
      ms(ns),
      mbps(bytes, ns),
      mbps(bytes, slice),
      mbps(bytes, p50(stats, name('memcpy set()', n))),
      ratio(1 / pair.ratios[1]!),
      ratio(1 / pair.ratios[2]!),
      sig(jsonBytes / 1e6),
      mbps(jsonBytes, json),
      ratio(pair.ratios[3]!),
    ];
    rows.push(
      row('save', p50(stats, name('snapshot()', n)), sp, p50(stats, name('JSON.stringify', n))),
      row('load', p50(stats, name('Heap.restore()', n)), lp, p50(stats, name('JSON.parse', n))),
    );
    derived.push({
      n,
      snapshotBytes: bytes,
      jsonChars: jsonBytes,
      pairedSave: pairedData(sp, 'timeOverSnapshot'),
      pairedLoad: pairedData(lp, 'timeOverRestore'),
    });
    ratios.push(
      {
        name: `snapshot ${pow10(n)} (${ctx.label}): JSON.stringify / snapshot(), time, paired`,
        value: sp.ratios[3]!,
      },
      {
        name: `snapshot ${pow10(n)} (${ctx.label}): JSON.parse / Heap.restore(), time, paired`,
        value: lp.ratios[3]!,
      },
      {
        name: `snapshot ${pow10(n)} (${ctx.label}): snapshot() / memcpy slice(), time, paired`,
        value: 1 / sp.ratios[1]!,
      },
    );
  }
  return {
    tables: [{
      title: `snapshot: save and restore throughput (${ctx.label} ${ctx.runtimeVersion})`,
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
    }],
    ratios,
    data: { sizes: derived },
  };
}

export async function snapshotSuite(ctx: Ctx): Promise<SuiteReport> {
  const scenes = buildScenes(ctx, ctx.quick ? [1e4, 1e5] : [1e5, 1e6]);
  const stats = await measureMedians(ctx, scenes);
  const pairs = measurePairs(ctx, scenes);
  return report('snapshot', ctx, [
    throughputSection(ctx, scenes, stats, pairs),
    { notes: NOTES, data: { stats: Object.fromEntries(stats) } },
  ]);
}
