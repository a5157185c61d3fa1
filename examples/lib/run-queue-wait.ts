/**
 * The main thread's run-queue wait: how long it was ready to run but waited for a CPU. A tick
 * that takes 4 ms of wall time on a busy two-core machine may have run for 1 ms of it; the demo
 * (`npm start`) and the bench suites read this around each collector call to tell the two apart.
 * Linux only (`/proc/thread-self/schedstat`); elsewhere the reader is null and they say n/a.
 */
import { openSync, readSync } from 'node:fs';

/**
 * A reader of the calling thread's run-queue wait so far, in milliseconds: the time it was ready
 * to run but waited for a CPU (Linux's `/proc/thread-self/schedstat`, second field, read again
 * from the start at each call through one open file), or null where that file cannot be read
 * (not Linux, or no permission). The difference of two readings around a frame is how long other
 * threads held both cores while the frame ran: on two cores, JavaScriptCore's two compile threads
 * beside the main thread are enough (docs/decisions.md in the repository, "First-world ticks: the
 * main thread waits for a CPU").
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
