/**
 * bench/lib/stalls.ts `runQueueWaitReader`: the game suite reads the main thread's run-queue wait
 * (Linux's /proc/thread-self/schedstat: run time, run-queue wait, timeslices, in ns) between
 * frames, to tell a tick that overran from a tick whose thread was not running.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { runQueueWaitReader, ticksLessWaits } from '../bench/lib/stalls.ts';
import { type LoopSpec, runHeapLoop, sizedOptions } from '../bench/lib/game-loop.ts';
import type { Ctx } from '../bench/lib/report.ts';

function schedstat(): number[] | null {
  try {
    return readFileSync('/proc/thread-self/schedstat', 'utf8').trim().split(' ').map(Number);
  } catch {
    return null;
  }
}

describe('bench/lib/stalls.ts runQueueWaitReader', () => {
  test("reads the calling thread's run-queue wait in ms, again from the start at every call", () => {
    const fields = schedstat();
    const waited = runQueueWaitReader();
    if (fields === null) {
      expect(waited).toBeNull(); // no such file: the suite reports n/a
      return;
    }
    expect(waited).not.toBeNull();
    const first = waited!();
    // Busy for a while, so that the run time (the first field) moves well past the wait.
    let x = 0;
    const until = performance.now() + 30;
    while (performance.now() < until) x += Math.sqrt(x + 1);
    const between = schedstat()!;
    const second = waited!();
    expect(Number.isFinite(first) && first >= 0).toBe(true);
    // The second field, bracketed by the reader's calls (the first field, the run time, is not).
    expect(first).toBeLessThanOrEqual(between[1]! / 1e6);
    expect(second).toBeGreaterThanOrEqual(between[1]! / 1e6);
    expect(second - first).toBeLessThan(between[0]! / 1e6);
    expect(x).toBeGreaterThan(0);
  });
});

describe('bench/lib/game-loop.ts runHeapLoop with a run-queue wait reader', () => {
  const spec: LoopSpec = {
    world: 64,
    spawns: 20,
    keep: 0.05,
    frames: 6,
    load: 'young',
    mode: 'tick',
    budgetMs: 1,
    collectEvery: 0,
    options: sizedOptions(64),
    seed: 7,
  };
  const ctx = { fullGc: null } as unknown as Ctx;

  test('reads it just around each tick: one wait a frame, the difference of the two readings', () => {
    // A pretend reader whose reading grows by 1 ms at every call: read exactly once before and once
    // after each tick, every tick's wait is 1.
    let reading = 0;
    let calls = 0;
    const waited = () => {
      calls++;
      return (reading += 1);
    };
    const log = runHeapLoop(ctx, spec, waited);
    expect(calls).toBe(2 * spec.frames);
    expect(log.collectorWaitMs).toEqual(Array(spec.frames).fill(1));
    expect(log.collectorMs.length).toBe(spec.frames);
  });

  test('without a reader, no waits are recorded (the suite then reports n/a)', () => {
    expect(runHeapLoop(ctx, spec).collectorWaitMs).toEqual([]);
  });
});

describe('bench/lib/stalls.ts ticksLessWaits', () => {
  test("each tick less the wait read around it, in order: the thread's own part", () => {
    expect(ticksLessWaits([3.5, 1, 0.25], [2.5, 0, 0.25])).toEqual([1, 1, 0]);
    expect(ticksLessWaits([], [])).toEqual([]);
  });
});
