/**
 * The pacer behind `tick(ms)`: decides what collection work is due each frame.
 *
 * - A minor collection when the nursery holds `nurserySize` young objects (only between major
 *   cycles: a minor's mark value is the white of a running cycle).
 * - A major cycle when the old generation grew by `growthPercent` since the last major ended
 *   (like Lua's pause and Go's GOGC), never below `minHeapObjects` (like the floor under Lua's
 *   pause; docs/design.md, "Prior art").
 * - Slices of a running cycle until `ms` has passed, reading the clock every `CHUNK` units.
 *
 * Progress when allocation outpaces the budget (a Go-style assist): while a cycle runs, each
 * tick does at least one chunk, and at least `ASSIST_UNITS` units per object allocated since the
 * previous tick, even past its deadline. A cycle's work is bounded by the objects live when it began (objects allocated
 * during it are black and never scanned) plus the indices it sweeps, so the cycle always ends,
 * and the objects allocated during it are bounded by its work divided by `ASSIST_UNITS`: the heap
 * stays within a constant factor of its live size.
 */
import { minorCollection, stepCycle } from './collector.ts';
import { type HeapState, IDLE, type Pacer } from '../core/state.ts';

/** Units of work between clock reads: a few microseconds. */
export const CHUNK = 512;
/** Cycle work owed per allocated object: marking and sweeping an object with 4 slots is ~6. */
export const ASSIST_UNITS = 8;

export interface TickResult {
  minorFreed: number;
  minors: number;
  /** Objects freed by major cycles that ended in this tick. */
  majorFreed: number;
  cyclesEnded: number;
}

/** Sets the next major trigger from the old generation a major collection left. */
export function planNextMajor(p: Pacer, s: HeapState): void {
  p.nextMajorAt = Math.max(p.minHeapObjects, Math.ceil((s.live - s.young) * (1 + p.growthPercent / 100)));
}

/** What `tick` would do now: for `stats()` and for people reading them. */
export function plannedWork(p: Pacer, s: HeapState): 'minor' | 'major' | 'continue cycle' | 'nothing' {
  if (s.phase !== IDLE) return 'continue cycle';
  if (s.generational && s.young >= p.nurserySize) return 'minor';
  if (s.live - s.young >= p.nextMajorAt) return 'major';
  return 'nothing';
}

export function runTick(p: Pacer, s: HeapState, ms: number): TickResult {
  const deadline = performance.now() + ms;
  const result: TickResult = { minorFreed: 0, minors: 0, majorFreed: 0, cyclesEnded: 0 };
  const allocated = s.allocations - p.allocationsAtLastTick;
  p.allocationsAtLastTick = s.allocations;
  if (s.phase === IDLE) {
    if (s.generational && s.young >= p.nurserySize) {
      result.minorFreed = minorCollection(s);
      result.minors = 1;
    }
    if (s.live - s.young < p.nextMajorAt) return result;
  }
  // At least one chunk of a due cycle per tick, however small `ms` is: the progress guarantee.
  const assist = allocated * ASSIST_UNITS;
  let work = 0;
  for (;;) {
    if (stepCycle(s, CHUNK)) {
      result.majorFreed = s.cycleFreed;
      result.cyclesEnded = 1;
      planNextMajor(p, s);
      return result;
    }
    work += CHUNK;
    if (work >= assist && performance.now() >= deadline) return result;
  }
}
