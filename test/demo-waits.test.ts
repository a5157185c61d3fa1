/**
 * The demo (`npm start`) tells a long tick from a tick whose thread was not running: examples/
 * game-loop.ts reads the main thread's run-queue wait around each collector call, and the demo
 * prints the longest call's wait and the longest call less its wait.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { runGameLoop } from '../examples/game-loop.ts';
import { runQueueWaitReader, ticksLessWaits } from '../examples/lib/run-queue-wait.ts';

const linux = (() => {
  try {
    return readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ').length >= 2;
  } catch {
    return false;
  }
})();

describe("examples/game-loop.ts: each collector call's run-queue wait", () => {
  test('one wait a frame, each the time waited inside its own call; null where it cannot be read', () => {
    const frames = 12;
    const waited = runQueueWaitReader();
    for (const mode of ['tick', 'collect'] as const) {
      const before = waited?.() ?? 0;
      const run = runGameLoop(mode, frames);
      const during = (waited?.() ?? 0) - before;
      if (!linux) {
        expect(run.collectorWaitMs).toBeNull();
        continue;
      }
      const waits = run.collectorWaitMs!;
      expect(waits).toHaveLength(frames);
      expect(run.collectorMs).toHaveLength(frames);
      for (let f = 0; f < frames; f++) expect(Number.isFinite(waits[f]) && waits[f]! >= 0).toBe(true);
      // Differences over disjoint windows inside the run: together no more than the run's own wait
      // (the process's running total, pushed as it is, would sum to far more once it is nonzero).
      expect(waits.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(during + 1e-6);
      const own = ticksLessWaits(run.collectorMs, waits);
      expect(own).toEqual(run.collectorMs.map((ms, f) => ms - waits[f]!));
    }
  }, 60_000);
});
