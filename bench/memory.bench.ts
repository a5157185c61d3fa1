/**
 * `memory`: bytes per object and per reference slot.
 *
 * ecs-heap reports its own footprint in `heap.stats()`: `bytes` (its typed arrays, up to the part in use),
 * `bytesPerObject` (header columns per index) and `bytesPerSlot`. This suite divides `bytes` by the
 * live object count for 10^5 and 10^6 four-slot objects and splits it into headers, slots, and the
 * rest (lists, mark stack, pin table, free lists). Where the runtime reports ArrayBuffer memory,
 * the ArrayBuffer bytes it saw allocated (the same arrays whole, capacity included) cross-check it.
 *
 * Anchors: the same tree as JavaScript objects with four fields, and as the naive entity objects
 * (`{ marked, children: [] }`), measured as the engine heap's growth after a full GC.
 */
import process from 'node:process';
import type { HeapStats } from '../mod.ts';
import { pow10, ratio, sig } from './lib/format.ts';
import { type GraphKind, makeGraph, SLOTS } from './lib/graphs.ts';
import { buildHeap } from './lib/heaps.ts';
import { buildJsNodes } from './lib/js-graph.ts';
import { buildNaive } from './lib/naive.ts';
import {
  atMost,
  type Ctx,
  type Ratio,
  report,
  type Section,
  type SuiteReport,
  type Table,
  type Target,
} from './lib/report.ts';

/** The target: at most 20 bytes of header per object and 4 per slot. */
const TARGET_HEADER = 20;
const TARGET_SLOT = 4;

interface Usage {
  heapUsed: number;
  arrayBuffers: number;
}

/** Engine heap in use and ArrayBuffer bytes after a full GC; null when the GC is not exposed. */
function usage(ctx: Ctx): Usage | null {
  if (ctx.fullGc === null) return null;
  ctx.fullGc();
  ctx.fullGc();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers ?? 0 };
}

/** Bytes the engine heap grows by per object while `build`'s result is alive, or NaN. */
function jsBytesPerObject(ctx: Ctx, n: number, build: () => unknown): number {
  const before = usage(ctx);
  if (before === null) return NaN;
  const kept = build();
  const after = usage(ctx)!;
  // Using `kept` after the measurement keeps it alive through it.
  if (kept === undefined) throw new Error('nothing was built');
  return (after.heapUsed - before.heapUsed) / n;
}

interface HeapRow {
  n: number;
  layout: string;
  stats: HeapStats;
  perObject: number;
  headers: number;
  slots: number;
  other: number;
  /** ArrayBuffer bytes the runtime saw allocated, per object (NaN when it does not say). */
  measured: number;
}

function heapRow(ctx: Ctx, n: number, layout: string, kind: GraphKind, exact: boolean): HeapRow {
  const before = usage(ctx);
  const g = makeGraph(kind, n);
  const heap = buildHeap(g, exact ? { initialCapacity: n } : {});
  heap.collect();
  // The graph's own edge list is a typed array too: subtract it from the runtime's count.
  const after = usage(ctx);
  const s = heap.stats();
  const graphBytes = g.edges.byteLength + g.roots.byteLength;
  const grown = before === null || after === null || after.arrayBuffers === 0
    ? NaN
    : after.arrayBuffers - before.arrayBuffers - graphBytes;
  // A runtime whose count fell while the heap was built (Bun 1.4 frees earlier arrays lazily, after
  // its own GC calls return) measures nothing here: n/a, not a negative size.
  const measured = grown > 0 ? grown / s.live : NaN;
  // The parts in use, which stats().bytes counts: indices below the top (live + 1 here: nothing was
  // freed before the collection, and the tree's collection frees nothing) and slots below slotTop.
  const headers = ((s.live + 1) * s.bytesPerObject) / s.live;
  const slots = ((s.slotsUsed + 1) * s.bytesPerSlot) / s.live;
  return {
    n,
    layout,
    stats: s,
    perObject: s.bytes / s.live,
    headers,
    slots,
    other: s.bytes / s.live - headers - slots,
    measured,
  };
}

const LAYOUTS: [string, GraphKind, boolean][] = [
  ['ecs-heap tree, initialCapacity n', 'tree', true],
  ['ecs-heap tree, grown from default', 'tree', false],
  ['ecs-heap random, after collect', 'random', true],
];

/** One size: the three heap layouts and the two JavaScript anchors, as rows, targets and data. */
function sizeSection(
  ctx: Ctx,
  n: number,
): Required<Pick<Section, 'targets' | 'ratios'>> & { rows: string[][]; data: Record<string, unknown>[] } {
  ctx.log(`[bench] memory: ${pow10(n)} objects`);
  const heaps = LAYOUTS.map(([layout, kind, exact]) => heapRow(ctx, n, layout, kind, exact));
  const js = jsBytesPerObject(ctx, n, () => buildJsNodes(makeGraph('tree', n))[1]);
  // The naive world's root entity reaches every entity (the world object and its list are dropped).
  const naive = jsBytesPerObject(ctx, n, () => buildNaive(makeGraph('tree', n)).roots[0]);
  const base = heaps[0]!.perObject;
  const out = {
    rows: [] as string[][],
    targets: [] as Target[],
    ratios: [] as Ratio[],
    data: [] as Record<string, unknown>[],
  };
  const limit = TARGET_HEADER + SLOTS * TARGET_SLOT;
  for (const h of heaps) {
    const s = h.stats;
    out.rows.push([
      pow10(n),
      h.layout,
      sig(h.perObject),
      `${sig(h.headers)} + ${sig(h.slots)} + ${sig(h.other)}`,
      Number.isNaN(h.measured) ? 'n/a' : sig(h.measured),
      ratio(h.perObject / base),
    ]);
    out.targets.push(
      atMost(`memory ${pow10(n)} (${ctx.label}), ${h.layout}: stats().bytes / live`, h.perObject, limit, 'B'),
    );
    out.data.push({
      n,
      layout: h.layout,
      bytes: s.bytes,
      live: s.live,
      capacity: s.capacity,
      slotsUsed: s.slotsUsed,
      slotsCapacity: s.slotsCapacity,
      bytesPerObject: s.bytesPerObject,
      bytesPerSlot: s.bytesPerSlot,
      perLiveObject: h.perObject,
      headersPerLive: h.headers,
      slotsPerLive: h.slots,
      otherPerLive: h.other,
      measuredArrayBufferPerLive: h.measured,
    });
  }
  for (
    const [what, bytes] of [['JS object {c0,c1,c2,c3}', js], ['naive Entity {marked, children[]}', naive]] as const
  ) {
    out.rows.push([
      pow10(n),
      what,
      Number.isNaN(bytes) ? 'n/a' : sig(bytes),
      'engine heap growth after full GC',
      'n/a',
      ratio(bytes / base),
    ]);
    out.data.push({ n, layout: what, perLiveObject: bytes });
    out.ratios.push({
      name: `memory ${pow10(n)} (${ctx.label}): ${what} bytes / ecs-heap bytes per object`,
      value: bytes / base,
    });
  }
  return out;
}

/** The per-object design cost, independent of capacity slack. */
function designTargets(ctx: Ctx): Target[] {
  const probe = buildHeap(makeGraph('tree', 16)).stats();
  return [
    atMost(
      `memory design (${ctx.label}): stats().bytesPerObject header bytes`,
      probe.bytesPerObject,
      TARGET_HEADER,
      'B',
    ),
    atMost(`memory design (${ctx.label}): stats().bytesPerSlot`, probe.bytesPerSlot, TARGET_SLOT, 'B'),
  ];
}

function notes(ctx: Ctx): string[] {
  const probe = buildHeap(makeGraph('tree', 16)).stats();
  const out: string[] = [];
  if (ctx.fullGc === null) {
    out.push(
      `${ctx.gcName} is not exposed: the JavaScript-object anchors and the ArrayBuffer cross-check are skipped.`,
    );
  }
  out.push(
    `ecs-heap's nominal cost for a 4-slot object is ${probe.bytesPerObject} + 4 x ${probe.bytesPerSlot} = ` +
      `${probe.bytesPerObject + SLOTS * probe.bytesPerSlot} bytes; 'headers + slots + other' divides what is ` +
      'counted by live objects: the header columns and cards up to the top index, the pool up to its top slot ' +
      '(stats().bytes leaves out capacity no object has reached: zero memory never written, which the system has ' +
      'not handed out); other = member lists, mark stack, pin table, free lists. ' +
      `Target: <= ${TARGET_HEADER} + 4 x ${TARGET_SLOT} bytes per 4-slot object.`,
    "'ArrayBuffers allocated' is the runtime's ArrayBuffer growth per object (process.memoryUsage().arrayBuffers), " +
      'a check on stats().bytes: the same arrays, counted whole, capacity included (as the engine rows count ' +
      'heapUsed, the objects in use, not the engine heap allocated: heapTotal).',
  );
  if (ctx.runtime === 'bun') {
    out.push(
      "Bun: the engine-heap numbers come from process.memoryUsage().heapUsed (JSC's heap size), which leaves out " +
        'out-of-line array storage (butterflies), so the naive Entity row (children arrays) reads low.',
    );
  }
  return out;
}

/**
 * What `stats().bytes` leaves out, measured: the resident size a fresh typed array adds when it is
 * allocated, and when half of it is written (as a grown column holding the part in use). Each
 * size is allocated after a full GC, as a new array, then half of it filled; first in the suite.
 */
function commitSection(ctx: Ctx): Section {
  const rows: string[][] = [];
  const data: Record<string, number>[] = [];
  const megabyte = 1e6;
  for (const mb of [16, 64]) {
    ctx.fullGc?.();
    const before = process.memoryUsage().rss;
    const column = new Uint32Array((mb * megabyte) / 4);
    const allocated = process.memoryUsage().rss;
    column.fill(1, 0, column.length / 2);
    const written = process.memoryUsage().rss;
    // Read after the measurement, so the array is alive through it.
    if (column[0] !== 1) throw new Error('the fill did not happen');
    rows.push([`${mb} MB`, sig((allocated - before) / megabyte), sig((written - allocated) / megabyte)]);
    data.push({ megabytes: mb, residentOnAllocation: allocated - before, residentOnWritingHalf: written - allocated });
  }
  return {
    tables: [{
      title: `memory: resident size of a fresh typed array, allocated, then half written (${ctx.label})`,
      columns: ['array', 'resident MB added by allocating it', 'resident MB added by writing half of it'],
      rows,
    }],
    notes: [
      'The part of a column no object has reached is zero memory never written: the system hands its pages out on ' +
      "the first write, so stats().bytes leaves it out (as heapUsed leaves out the engine heap's free room). Where " +
      "the allocator reuses memory freed by earlier arrays, that memory was the process's already.",
    ],
    data: { commit: data },
  };
}

export function memorySuite(ctx: Ctx): Promise<SuiteReport> {
  // First, before the heaps below free arrays the allocator could hand out again.
  const commit = commitSection(ctx);
  const sizes = ctx.quick ? [1e4, 1e5] : [1e5, 1e6];
  const perSize = sizes.map((n) => sizeSection(ctx, n));
  const table: Table = {
    title: `memory: bytes per 4-slot object (${ctx.label} ${ctx.runtimeVersion})`,
    columns: [
      'objects',
      'layout',
      'B/object',
      'headers + slots + other',
      'ArrayBuffers allocated',
      'vs ecs-heap exact',
    ],
    rows: perSize.flatMap((p) => p.rows),
  };
  return Promise.resolve(report('memory', ctx, [
    {
      tables: [table],
      targets: [...designTargets(ctx), ...perSize.flatMap((p) => p.targets)],
      ratios: perSize.flatMap((p) => p.ratios),
      notes: notes(ctx),
      data: { rows: perSize.flatMap((p) => p.data) },
    },
    commit,
  ]));
}
