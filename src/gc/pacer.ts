/**
 * The pacer: what collection work is due, and what a tick's budget can pay for. Policy only; the
 * tick itself (gc/tick.ts) carries it out.
 *
 * - A minor collection when the nursery holds `nurserySize` young objects and the minor's
 *   estimated cost fits what is left of the budget. An oversized nursery (a level just built, or
 *   everything allocated during a long major cycle) is folded into a major cycle instead, whose
 *   PROMOTE phase empties it in slices: no tick ever runs one long minor.
 * - A major cycle when the old generation grew by `growthPercent` since the last major ended
 *   (like Lua's pause and Go's GOGC), never below `minHeapObjects` (like Lua's floor).
 * - Slices of a running cycle until the budget is spent, at least one `CHUNK` a tick (a few
 *   microseconds) so a cycle always progresses.
 *
 * Budgets never stretch: when allocation outpaces what the budget can collect, the heap grows
 * instead of the frame, and `debt` (units of work allocation asked for and no tick paid) shows it.
 */
import { type HeapState, IDLE } from '../core/state.ts';

/** Units of work between clock reads: a few microseconds. */
export const CHUNK = 512;
/** Cycle work an allocated object asks for: marking and sweeping an object with 4 slots is ~6. */
export const UNITS_PER_ALLOCATION = 8;
/** Units a minor is estimated to cost per young object and per remembered slot (deterministic mode). */
export const MINOR_UNITS_PER_YOUNG = 6;
export const MINOR_UNITS_PER_REMEMBERED = 4;
/** Weight of the newest measurement in the pacer's moving averages. */
const SMOOTHING = 0.25;

/** Sets the next major trigger from the old generation a major collection left. */
export function planNextMajor(s: HeapState): void {
  const p = s.pacer;
  p.nextMajorAt = Math.max(p.minHeapObjects, Math.ceil((s.live - s.young) * (1 + p.growthPercent / 100)));
}

export function minorDue(s: HeapState): boolean {
  return s.phase === IDLE && s.generational && s.young >= s.pacer.nurserySize;
}

export function majorDue(s: HeapState): boolean {
  return s.live - s.young >= s.pacer.nextMajorAt;
}

/** A minor's estimated cost in units: what is young, and what the remembered set holds. */
export function minorUnits(s: HeapState): number {
  return s.young * MINOR_UNITS_PER_YOUNG + s.dirtyCount * (1 << s.cardShift) * MINOR_UNITS_PER_REMEMBERED;
}

/** A minor's estimated cost in milliseconds, from what minors measured on this machine. */
export function minorMs(s: HeapState): number {
  return (s.young + s.dirtyCount * (1 << s.cardShift)) * s.pacer.msPerYoung;
}

/** Feeds a measured minor into the estimate. */
export function measuredMinor(s: HeapState, youngBefore: number, rememberedBefore: number, ms: number): void {
  const objects = youngBefore + rememberedBefore;
  if (objects < 256) return; // too small to time
  const p = s.pacer;
  p.msPerYoung += SMOOTHING * (ms / objects - p.msPerYoung);
}

/** What `tick` would do now: for `stats()` and for people reading them. */
export function plannedWork(s: HeapState): 'minor' | 'major' | 'continue cycle' | 'nothing' {
  if (s.phase !== IDLE) return 'continue cycle';
  if (minorDue(s)) return 'minor';
  if (majorDue(s)) return 'major';
  return 'nothing';
}
