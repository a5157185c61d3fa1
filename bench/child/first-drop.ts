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
import { queryHeap, SWEEP_MEMBERS } from '../lib/query-heap.ts';

const warm = process.argv[2] === 'warm';
const warmUpMs = warm ? Heap.warmUp() : 0;
const { heap, P } = queryHeap(true);
const t0 = performance.now();
const found = heap.query(P).length;
const ms = performance.now() - t0;
if (found !== SWEEP_MEMBERS) throw new Error(`first-drop: the query found ${found} members, expected ${SWEEP_MEMBERS}`);
console.log(JSON.stringify({ ms, warmUpMs }));
