/**
 * bench/lib/churn.ts `floorChurnRound`: the churn suite's floor must do the wave round's work, or
 * its rate says nothing about the heap's. Its handles are compared with the heap's own wave round's
 * (`ecsWaveChurnRound`): both number the world 1..10^4 and take the churn's indices after it, so
 * every round makes the same handles, until the heap sets an index aside after 256 generations
 * (the floor wraps its generations instead).
 */
import { describe, expect, test } from 'vitest';
import { ecsWaveChurnRound, floorChurnRound } from '../bench/lib/churn.ts';

describe('bench/lib/churn.ts floorChurnRound', () => {
  test('makes the handles the heap makes for the same wave, round after round', () => {
    for (const k of [1, 7, 100]) {
      const floor = floorChurnRound(k);
      const wave = ecsWaveChurnRound(k);
      for (let round = 0; round < 12; round++) {
        const fromFloor = Array.from(floor() as Float64Array);
        const fromHeap = Array.from(wave() as Float64Array);
        expect(fromFloor, `K=${k}, round ${round}`).toEqual(fromHeap);
        // Not the same handle twice within a round, and new handles each round (the generation moves on).
        expect(new Set(fromFloor).size).toBe(k);
      }
    }
  });

  test('each round reuses the indices the last one freed, with the next generation', () => {
    const floor = floorChurnRound(3);
    const first = Array.from(floor() as Float64Array);
    const second = Array.from(floor() as Float64Array);
    const scale = 2 ** 22;
    const indices = (handles: number[]) => handles.map((h) => h % scale).sort((a, b) => a - b);
    expect(indices(second)).toEqual(indices(first));
    expect(second.map((h) => Math.floor(h / scale))).toEqual([1, 1, 1]);
    expect(first.map((h) => Math.floor(h / scale))).toEqual([0, 0, 0]);
  });
});
