/**
 * The machine's own stalls, as an anchor for the longest pause a suite reports: a fixed loop of
 * arithmetic over a small typed array (about a third of a millisecond, no allocation, no
 * collection), timed `count` times. On a shared machine with two cores, a loop that never varies
 * its work still takes several milliseconds now and then (the process descheduled, an interrupt):
 * a tick's maximum over thousands of ticks meets those stalls too, whatever the heap does.
 */

/** How often, and how long, the fixed loop ran past `threshold` ms in `count` runs; its usual time. */
export interface Stalls {
  count: number;
  threshold: number;
  over: number;
  maxMs: number;
  typicalMs: number;
}

export function machineStalls(count: number, threshold: number): Stalls {
  const a = new Float64Array(1 << 14);
  let x = 0;
  let over = 0;
  let maxMs = 0;
  const times = new Float64Array(count);
  for (let r = 0; r < count; r++) {
    const t0 = performance.now();
    for (let k = 0; k < 24; k++) for (let i = 0; i < a.length; i++) x += a[i]! * 1.0001 + i;
    const t = performance.now() - t0;
    times[r] = t;
    if (t > threshold) over++;
    if (t > maxMs) maxMs = t;
    a[r & (a.length - 1)] = x; // the loop's result is used, so the engine keeps the loop
  }
  times.sort();
  return { count, threshold, over, maxMs, typicalMs: times[count >> 1]! };
}

// The main thread's run-queue wait: read around each tick by the game and level-load suites, and
// by the demo (`npm start`), which is published without bench/.
export { runQueueWaitReader, ticksLessWaits } from '../../examples/lib/run-queue-wait.ts';
