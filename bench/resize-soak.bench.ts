/**
 * `resize-soak`: does the slot pool stay bounded under a steady mix of resizes? A pinned holder
 * keeps 10^5 objects (one per holder slot); every round visits each holder slot and, by a seeded
 * draw, replaces its object with `resize(alloc(16), 2)` (a big allocation shrunk at once), with
 * `resize(alloc(2), 16)` (a small one grown), resizes the object there to a random size from 0 to
 * 32 slots, or leaves it; then `collect()`. Nothing else is kept, so live objects and live slots
 * stay about constant; what may drift is the pool's size (`stats().bytes`) through fragmentation
 * of its size classes.
 *
 * Reported: `stats().bytes` per round and the plateau ratio, bytes after the last round / bytes
 * after the warm-up rounds (target <= 1.2x), next to the live slots (the floor). Anchor in the
 * same process: the same workload on JavaScript arrays (a holder array of 10^5 arrays; `alloc(n)`
 * is `new Array(n).fill(null)`, `resize` sets `length`), its engine heap after a forced GC each
 * round, and the same plateau ratio.
 */
import process from 'node:process';
import { Heap, type Ref } from '../mod.ts';
import { heapUsedAfterGc } from './lib/engine.ts';
import { megabytes, msOf, pow10, ratio, sig } from './lib/format.ts';
import { prng } from './lib/graphs.ts';
import { isMain, runStandalone } from './lib/output.ts';
import { atMost, type Ctx, report, type SuiteReport } from './lib/report.ts';
import { median } from './lib/stats.ts';

const OBJECTS = 100_000;
const MAX_SLOTS = 32;

/** One round's decision per holder slot: 0 shrink-new, 1 grow-new, 2 resize in place, 3 leave. */
function decisions(rand: () => number): { op: Uint8Array; size: Uint8Array } {
  const op = new Uint8Array(OBJECTS);
  const size = new Uint8Array(OBJECTS);
  for (let j = 0; j < OBJECTS; j++) {
    const u = rand();
    op[j] = u < 0.3 ? 0 : u < 0.45 ? 1 : u < 0.75 ? 2 : 3;
    size[j] = Math.floor(rand() * (MAX_SLOTS + 1));
  }
  return { op, size };
}

interface Soak {
  bytes: number[];
  /** Live slots after each round's collection (the floor the pool cannot go under). */
  slotsUsed: number[];
  slotsCapacity: number[];
  roundMs: number[];
}

function soakHeap(rounds: number): Soak {
  const heap = new Heap();
  const holder = heap.alloc(OBJECTS);
  heap.pin(holder);
  for (let j = 0; j < OBJECTS; j++) heap.set(holder, j, heap.alloc(2));
  heap.collect();
  const rand = prng(0x5e5e);
  const out: Soak = { bytes: [], slotsUsed: [], slotsCapacity: [], roundMs: [] };
  for (let r = 0; r < rounds; r++) {
    const { op, size } = decisions(rand);
    const t0 = performance.now();
    for (let j = 0; j < OBJECTS; j++) {
      const o = op[j]!;
      if (o === 0) {
        const fresh: Ref = heap.alloc(16);
        heap.resize(fresh, 2);
        heap.set(holder, j, fresh);
      } else if (o === 1) {
        const fresh: Ref = heap.alloc(2);
        heap.resize(fresh, 16);
        heap.set(holder, j, fresh);
      } else if (o === 2) {
        heap.resize(heap.get(holder, j), size[j]!);
      }
    }
    heap.collect();
    out.roundMs.push(performance.now() - t0);
    const st = heap.stats();
    out.bytes.push(st.bytes);
    out.slotsUsed.push(st.slotsUsed);
    out.slotsCapacity.push(st.slotsCapacity);
  }
  return out;
}

function soakJs(ctx: Ctx, rounds: number): Soak {
  const baseline = heapUsedAfterGc(ctx);
  const holder: (null | unknown)[][] = [];
  for (let j = 0; j < OBJECTS; j++) holder.push(new Array(2).fill(null));
  const rand = prng(0x5e5e);
  const out: Soak = { bytes: [], slotsUsed: [], slotsCapacity: [], roundMs: [] };
  for (let r = 0; r < rounds; r++) {
    const { op, size } = decisions(rand);
    const t0 = performance.now();
    for (let j = 0; j < OBJECTS; j++) {
      const o = op[j]!;
      if (o === 0) {
        const fresh = new Array(16).fill(null);
        fresh.length = 2;
        holder[j] = fresh;
      } else if (o === 1) {
        const fresh = new Array(2).fill(null);
        fresh.length = 16;
        fresh.fill(null);
        holder[j] = fresh;
      } else if (o === 2) {
        const a = holder[j]!;
        const old = a.length;
        a.length = size[j]!;
        if (a.length > old) a.fill(null, old); // new slots read null, as the heap's do
      }
    }
    out.roundMs.push(performance.now() - t0);
    out.bytes.push(heapUsedAfterGc(ctx) - baseline);
    let slots = 0;
    for (let j = 0; j < OBJECTS; j++) slots += holder[j]!.length;
    out.slotsUsed.push(slots);
  }
  return out;
}

export function resizeSoakSuite(ctx: Ctx): Promise<SuiteReport> {
  const rounds = ctx.quick ? 25 : 80;
  const warm = ctx.quick ? 8 : 15;
  ctx.log(`[bench] resize-soak: ${rounds} rounds over ${pow10(OBJECTS)} objects, ecs-heap`);
  const h = soakHeap(rounds);
  ctx.log(`[bench] resize-soak: the same on JavaScript arrays`);
  const js = ctx.fullGc === null ? null : soakJs(ctx, rounds);
  const plateau = (s: Soak) => s.bytes[s.bytes.length - 1]! / s.bytes[warm - 1]!;
  const at = `resize-soak ${pow10(OBJECTS)} objects, ${rounds} rounds (${ctx.label})`;
  const sample = [0, warm - 1, Math.floor((warm + rounds) / 2) - 1, rounds - 1];
  return Promise.resolve(report('resize-soak', ctx, [{
    tables: [{
      title: `resize-soak: memory per round, resize(alloc(16), 2) and friends on ${
        pow10(OBJECTS)
      } objects, collect() each round (${ctx.label} ${ctx.runtimeVersion})`,
      columns: [
        'after round',
        'ecs-heap stats().bytes',
        'live slots',
        'pool capacity (slots)',
        'JS arrays: heapUsed growth',
      ],
      rows: sample.map((r) => [
        String(r + 1),
        megabytes(h.bytes[r]!),
        String(h.slotsUsed[r]),
        String(h.slotsCapacity[r]),
        js === null ? 'n/a' : megabytes(js.bytes[r]!),
      ]).concat([[
        `plateau: round ${rounds} / round ${warm}`,
        ratio(plateau(h)),
        ratio(h.slotsUsed[rounds - 1]! / h.slotsUsed[warm - 1]!),
        ratio(h.slotsCapacity[rounds - 1]! / h.slotsCapacity[warm - 1]!),
        js === null ? 'n/a' : ratio(plateau(js)),
      ]]),
    }],
    targets: [
      atMost(`${at}: plateau, stats().bytes after round ${rounds} / after round ${warm}`, plateau(h), 1.2, 'x'),
    ],
    ratios: [
      { name: `${at}: ecs-heap bytes plateau (last / after warm-up)`, value: plateau(h) },
      { name: `${at}: JS arrays heapUsed plateau (last / after warm-up)`, value: js === null ? NaN : plateau(js) },
      {
        name: `${at}: ecs-heap stats().bytes / JS arrays heapUsed growth, last round`,
        value: js === null ? NaN : h.bytes[rounds - 1]! / js.bytes[rounds - 1]!,
      },
    ],
    notes: [
      'Each round, per holder slot: 30% replace with resize(alloc(16), 2), 15% with resize(alloc(2), 16), 30% resize ' +
      'the object there to 0..32 slots, 25% leave it (seeded, the same draws for both); then collect() (ecs-heap). ' +
      `Warm-up: the first ${warm} rounds. Round time, median: ecs-heap ${msOf(median(h.roundMs))} ms` +
      (js === null ? '.' : `, JS arrays ${msOf(median(js.roundMs))} ms (without its forced GC).`) +
      ` Live slots after the last round: ${sig(h.slotsUsed[rounds - 1]!)} (${
        sig(h.bytes[rounds - 1]! / h.slotsUsed[rounds - 1]!)
      } ` +
      'bytes of stats().bytes per live slot).',
      js === null
        ? `${ctx.gcName} is not exposed: the JavaScript anchor needs a forced GC and is skipped.`
        : "JS arrays: the engine heap's growth over a baseline, after two forced full GCs at the end of each round.",
    ],
    data: { rounds, warm, heap: h, js },
  }]));
}

if (isMain(import.meta)) process.exitCode = await runStandalone('resize-soak', resizeSoakSuite);
