/**
 * One frame's collection work, within a budget of wall time (`ms`) or of work units (`units`,
 * deterministic: no clock is read to decide anything, so the same program makes the same
 * collections at the same frames in every run and every runtime).
 */
import { type HeapState, IDLE } from '../core/state.ts';
import { inMajorCycle, stepCycle } from './collector.ts';
import { minorCollection } from './minor.ts';
import {
  CHUNK,
  majorDue,
  measuredWork,
  minorDue,
  minorMs,
  minorUnits,
  plannedWork,
  UNITS_PER_ALLOCATION,
} from './pacer.ts';

/** What a tick did, in numbers (the facade turns it into a `TickReport`). */
export interface TickOutcome {
  minorFreed: number;
  minors: number;
  majorUnits: number;
  majorFreed: number;
  cycleEnded: boolean;
  /** Units done: the minor's young objects plus the major slices' units. */
  units: number;
}

/**
 * Runs a tick. `budgetMs` is wall time (NaN in units mode); `budgetUnits` is work units
 * (Infinity in ms mode).
 */
export function runTick(s: HeapState, budgetMs: number, budgetUnits: number): TickOutcome {
  const timed = budgetMs === budgetMs;
  const start = timed ? performance.now() : 0;
  const out: TickOutcome = { minorFreed: 0, minors: 0, majorUnits: 0, majorFreed: 0, cycleEnded: false, units: 0 };
  const p = s.pacer;
  const allocated = s.allocations - p.allocationsAtLastTick;
  p.allocationsAtLastTick = s.allocations;
  const workBefore = s.workDone;
  let startMajor = false;
  // A major cycle about to start makes the whole nursery old: collect the young garbage first
  // when a minor fits, so that only survivors are promoted (else it would live until the next
  // major, and the old generation would fill with objects that died young).
  const cycleDue = s.phase === IDLE && majorDue(s) && s.generational && s.young > 0;
  if (minorDue(s) || cycleDue) {
    const fits = timed ? minorMs(s) <= budgetMs : minorUnits(s) <= budgetUnits;
    if (fits) {
      const minorStart = timed ? performance.now() : 0;
      const unitsBefore = s.workDone;
      out.minorFreed = minorCollection(s);
      out.minors = 1;
      if (timed) measuredWork(s, s.workDone - unitsBefore, performance.now() - minorStart);
    } else {
      // Folded into a major cycle: its first phase makes the nursery old, in slices.
      startMajor = minorDue(s);
    }
  }
  if (inMajorCycle(s) || startMajor || (s.phase === IDLE && majorDue(s))) {
    const unitsLeft = budgetUnits - (s.workDone - workBefore);
    const majorStart = timed ? performance.now() : 0;
    const deadline = start + budgetMs;
    const before = s.workDone;
    // At least one chunk a tick, so a cycle always progresses, however small the budget.
    for (let first = true;; first = false) {
      if (!first && (timed ? performance.now() >= deadline : s.workDone - before >= unitsLeft)) break;
      const ended = stepCycle(s, timed ? CHUNK : Math.max(1, Math.min(CHUNK, unitsLeft - (s.workDone - before))));
      if (ended) {
        out.cycleEnded = true;
        out.majorFreed = s.cycleFreed;
        break;
      }
    }
    out.majorUnits = s.workDone - before;
    if (timed) measuredWork(s, out.majorUnits, performance.now() - majorStart);
  }
  out.units = s.workDone - workBefore;
  // Debt: while work is due, what allocation asked for beyond what was done.
  if (plannedWork(s) === 'nothing') p.debt = 0;
  else p.debt = Math.max(0, p.debt + allocated * UNITS_PER_ALLOCATION - out.units);
  return out;
}
