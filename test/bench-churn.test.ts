/**
 * bench/lib/churn.ts `floorChurnRound`: the churn suite's floor must do the wave round's work, or
 * its rate says nothing about the heap's. Its handles are compared with the heap's own wave round's
 * (`ecsWaveChurnRound`): both number the world 1..10^4 and take the churn's indices from the page
 * after it (core/free-list.ts), so every round makes the same handles, until the heap sets an index
 * aside after 256 generations (the floor wraps its generations instead).
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

  test('rounds take the indices of their page in turn, each freed one coming back a generation on', () => {
    // K = 4: 64 rounds take the 256 indices of the page after the world's (10,240 on) once each
    // (a page alone, not the run of two it begins: the world's columns end at it, core/free-list.ts).
    const floor = floorChurnRound(4);
    const rounds = Array.from({ length: 65 }, () => Array.from(floor() as Float64Array));
    const scale = 2 ** 22;
    const indices = (handles: number[]) => handles.map((h) => h % scale).sort((a, b) => a - b);
    expect(indices(rounds[0]!)).toEqual([10240, 10241, 10242, 10243]);
    expect(new Set(rounds.slice(0, 64).flatMap(indices)).size).toBe(256);
    expect(indices(rounds[64]!)).toEqual(indices(rounds[0]!));
    expect(rounds[64]!.map((h) => Math.floor(h / scale))).toEqual([1, 1, 1, 1]);
    expect(rounds[0]!.map((h) => Math.floor(h / scale))).toEqual([0, 0, 0, 0]);
  });
});
