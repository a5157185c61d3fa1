/**
 * One sample of the `spread` suite, run in a fresh process: builds the 10^6-node tree (4 slots,
 * root pinned), warms the collector up (`Heap.warmUp()`, then untimed collections), times
 * `collect()` `reps` times and prints one JSON line: `{ "medianMs": ..., "minMs": ..., "ms": [...] }`.
 *
 *   node --expose-gc --import tsx bench/child/collect-spread.ts [n] [reps]
 */
import process from 'node:process';
import { Heap } from '../../mod.ts';
import { makeGraph } from '../lib/graphs.ts';
import { buildHeap, exerciseCollector } from '../lib/heaps.ts';
import { median, min } from '../lib/stats.ts';

const n = Number(process.argv[2] ?? 1e6);
const reps = Number(process.argv[3] ?? 15);
Heap.warmUp();
exerciseCollector();
const heap = buildHeap(makeGraph('tree', n));
for (let r = 0; r < 5; r++) heap.collect();
const ms: number[] = [];
for (let r = 0; r < reps; r++) {
  const t0 = performance.now();
  const info = heap.collect();
  ms.push(performance.now() - t0);
  if (info.live !== n) throw new Error(`collect-spread: ${info.live} live, expected ${n}`);
}
console.log(JSON.stringify({ medianMs: median(ms), minMs: min(ms), ms }));
