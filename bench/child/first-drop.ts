/**
 * One sample of the ecs suite's first-drop table, run in a fresh process: optionally
 * `Heap.warmUp()` (as a game calls it while loading), then a heap of 100,000 live members of one
 * component and as many dead ones, stepped into its sweep; times its query's first call there,
 * which drops the dead members (src/ecs/components.ts `dropDeadFromQuery`). Prints one JSON line:
 * `{ "ms": ..., "warmUpMs": ... }`.
 *
 *   node --import tsx bench/child/first-drop.ts warm|cold
 */
import process from 'node:process';
import { Heap } from '../../mod.ts';

const MEMBERS = 100_000;
const warm = process.argv[2] === 'warm';
const warmUpMs = warm ? Heap.warmUp() : 0;
const heap = new Heap({ generational: false });
const P = heap.defineComponent({ x: 'f32' }, { name: 'P' });
const holder = heap.alloc(MEMBERS);
heap.pin(holder);
for (let k = 0; k < MEMBERS; k++) {
  const kept = heap.alloc();
  heap.add(kept, P);
  heap.set(holder, k, kept);
  heap.add(heap.alloc(), P);
}
// Built before the cycle, as a game's systems build their queries long before one.
heap.query(P);
while (heap.phase !== 'sweep') heap.step(1);
const t0 = performance.now();
const found = heap.query(P).length;
const ms = performance.now() - t0;
if (found !== MEMBERS) throw new Error(`first-drop: the query found ${found} members, expected ${MEMBERS}`);
console.log(JSON.stringify({ ms, warmUpMs }));
