/**
 * The machine's own stalls, as an anchor for the longest pause a suite reports: a fixed loop of
 * arithmetic over a small typed array (about a third of a millisecond, no allocation, no
 * collection), timed `count` times. On a shared machine with two cores, a loop that never varies
 * its work still takes several milliseconds now and then (the process descheduled, an interrupt):
 * a tick's maximum over thousands of ticks meets those stalls too, whatever the heap does.
 */

import { openSync, readSync } from 'node:fs';

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

/**
 * A reader of the calling thread's run-queue wait so far, in milliseconds: the time it was ready
 * to run but waited for a CPU (Linux's `/proc/thread-self/schedstat`, second field, read again
 * from the start at each call through one open file), or null where that file cannot be read
 * (not Linux, or no permission). The difference of two readings around a frame is how long other
 * threads held both cores while the frame ran: on two cores, JavaScriptCore's two compile threads
 * beside the main thread are enough (docs/decisions.md, "First-world ticks: the main thread
 * waits for a CPU").
 */
export function runQueueWaitReader(): (() => number) | null {
  let fd: number;
  try {
    fd = openSync('/proc/thread-self/schedstat', 'r');
  } catch {
    return null;
  }
  const buffer = new Uint8Array(96);
  const decoder = new TextDecoder();
  const read = () => {
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    const fields = decoder.decode(buffer.subarray(0, n)).split(' ');
    return Number(fields[1]) / 1e6;
  };
  try {
    return Number.isFinite(read()) ? read : null;
  } catch {
    return null;
  }
}

/**
 * Each tick less the main thread's run-queue wait read around it (`waitMs[k]` for `tickMs[k]`): the
 * time the thread ran the tick, the collector's own part of the pause.
 */
export function ticksLessWaits(tickMs: readonly number[], waitMs: readonly number[]): number[] {
  return tickMs.map((ms, k) => ms - waitMs[k]!);
}
