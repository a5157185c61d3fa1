/**
 * One frame's collection work, within a budget of wall time (`ms`) or of work units (`units`,
 * deterministic: no clock is read to decide anything, so the same program makes the same
 * collections at the same frames in every run and every runtime).
 *
 * The budget holds except in two cases, where holding it would be worse for the game than a
 * long frame (docs/decisions.md, "When tick works past its budget"); the report says so
 * (`stretched`):
 * - a catch-up minor: a nursery too large for the budget but mostly garbage (under half of it
 *   survives, by the survival measured on earlier minors, and its survivors' part of the minor
 *   fits the budget, up to `CATCH_UP_MOST` nurseries large; or, before any survival was measured,
 *   nothing can reach it, no young root and no remembered edge, so none survives, at any size:
 *   gc/pacer.ts `nurseryUnreached`). Waiting would only make it larger, and folding it into a
 *   major cycle would not spread its cost (a cycle sweeps the same garbage, and more) and would
 *   defer every minor while the program keeps allocating: measured, that spiral grew
 *   binary-trees to `maxObjects`. Its cost is what the frames since the last tick allocated.
 * - near `maxObjects` or `maxSlots`: when the indices left (neither live nor retired), or the
 *   slot pool's room, would not last two more ticks of this allocation rate (or drop under 1/16
 *   of the limit), the running cycle is finished and a minor run; in a tick that found no cycle
 *   running, a heap still near full after the minor runs a whole cycle. So an `alloc` does not
 *   fail while garbage holds the room (docs/decisions.md, "How big `maxObjects` and `maxSlots`
 *   must be").
 */
import { AS_DOUBLE } from '../core/shapes.ts';
import { type HeapState, IDLE, TENURE } from '../core/state.ts';
import { finishCycle, inMajorCycle, startTenure, stepCycle } from './collector.ts';
import { minorCollection } from './minor.ts';
import {
  CHUNK,
  majorDue,
  measuredWork,
  minorDue,
  minorMs,
  minorSurvivorUnits,
  minorUnits,
  nearFull,
  NEARLY_ALL_SURVIVE,
  notePromotion,
  nurseryUnreached,
  promoteEarly,
  settleDebt,
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
  /** Whether the tick worked past its budget (a catch-up minor, or the heap near `maxObjects` or `maxSlots`). */
  stretched: boolean;
  /**
   * Whether its slices made an oversized nursery old outside a cycle (TENURE), not a cycle's work,
   * and no minor ran (a near-full tick that finishes a TENURE and then runs a minor reports the minor).
   */
  tenured: boolean;
}

/**
 * A nursery of up to this many times `nurserySize`, mostly garbage, is collected even past the
 * budget. The ceiling bounds what a wrong survival estimate can cost: the estimate comes from
 * earlier nurseries, and a level built after garbage-heavy frames all survives (at 64 nurseries
 * of 8,192, about 60 ms; `tenure()` at the end of loading avoids it).
 */
export const CATCH_UP_MOST = 64;
/** What a minor skipped for its estimated cost does to the estimate (ms mode). */
export const ESTIMATE_DECAY = 0.9;
/** A nursery too large for a minor is made old alone (TENURE) only when at least this share is expected to survive. */
export const TENURE_SURVIVAL = 0.5;

/**
 * A blank outcome, for a heap to fill at every tick (`runTick` resets it). Its counts of units and
 * of objects a cycle freed are differences of running totals that are doubles, so they start as
 * doubles (core/shapes.ts).
 */
export function makeTickOutcome(): TickOutcome {
  const out: TickOutcome = {
    minorFreed: 0,
    minors: 0,
    majorUnits: AS_DOUBLE,
    majorFreed: AS_DOUBLE,
    cycleEnded: false,
    units: AS_DOUBLE,
    stretched: false,
    tenured: false,
  };
  out.majorUnits = out.majorFreed = out.units = 0;
  return out;
}

/**
 * Runs a tick, filling `out` (the heap's one outcome record: a tick makes no engine garbage;
 * ticks never nest, as collection is forbidden inside finalizers). `budgetMs` is wall time (NaN
 * in units mode); `budgetUnits` is work units (Infinity in ms mode). `start`: the clock when the
 * tick began, read by the caller. A tick `tickIsIdle` calls idle runs `runIdleTick` instead.
 */
export function runTick(
  s: HeapState,
  budgetMs: number,
  budgetUnits: number,
  start: number,
  out: TickOutcome,
): TickOutcome {
  const timed = budgetMs === budgetMs;
  clearOutcome(out);
  const p = s.pacer;
  const allocated = s.allocations - p.allocationsAtLastTick;
  p.allocationsAtLastTick = s.allocations;
  const workBefore = s.workDone;
  let startMajor = false;
  // A cycle run whole in this tick (below): one a near-full tick starts for want of room.
  let whole = false;
  if (nearFull(s, allocated)) {
    const beganIdle = s.phase === IDLE;
    collectNearFull(s, out, timed);
    // Not after a cycle or TENURE this tick finished: one cycle boundary a tick (the next tick
    // starts the next cycle, if needed).
    if (!beganIdle) return finish(s, out, workBefore, allocated);
    // A minor frees no old garbage. Still near full after it, the heap would run out before a
    // cycle in slices ended (that cycle keeps all that the frames until its end allocate): one
    // runs whole here, past the budget. Else a major due starts in this tick's budget (below),
    // as in a tick not near full. A heap whose reachable objects alone keep it near full so runs
    // a cycle each tick that follows allocation: long frames, where the alternative is
    // `HeapFullError`. (None after a tick with no allocation: no `alloc` is at risk yet.)
    whole = allocated > 0 && nearFull(s, allocated);
    if (!whole && !majorDue(s)) return finish(s, out, workBefore, allocated);
    startMajor = true;
  }
  // A major cycle about to start makes the whole nursery old: collect the young garbage first
  // when a minor fits, so that only survivors are promoted (else it would live until the next
  // major, and the old generation would fill with objects that died young).
  const cycleDue = s.phase === IDLE && majorDue(s) && s.generational && s.young > 0;
  if (!startMajor && (minorDue(s) || cycleDue)) {
    // A full nursery promoted early is made old without a minor (gc/pacer.ts, `promoteEarly`):
    // the minor would free under a tenth of it and promote the rest, which TENURE (or the due
    // cycle's PROMOTE) does for a flag write an object, with no marking.
    const pretenure = minorDue(s) && promoteEarly(s);
    const fits = !pretenure && (timed ? minorMs(s) <= budgetMs : minorUnits(s) <= budgetUnits);
    // Survivors are what a fold spreads over slices; garbage it would only defer (see above).
    // The measured survival says few survive, their part fits, and the nursery is small enough
    // for a wrong estimate to cost little; or, with none measured yet, nothing can reach the
    // nursery at all: an exact answer (where the first guess is 100%), so no ceiling.
    // (Never for a nursery promoted early: its survival, at least 90%, is no catch-up's.)
    const catchUp = !fits && (
      p.survivalMeasured
        ? p.youngSurvival < TENURE_SURVIVAL && s.young <= CATCH_UP_MOST * p.nurserySize &&
          (timed ? minorSurvivorUnits(s) * p.msPerUnit <= budgetMs : minorSurvivorUnits(s) <= budgetUnits)
        : nurseryUnreached(s)
    );
    if (fits || catchUp) {
      runMinor(s, out, timed);
      out.stretched = catchUp;
    } else if (minorDue(s)) {
      if (pretenure) notePromotion(s, true);
      // A minor not run is not measured: an estimate pushed up by a slow sample (a pause of the
      // engine's own collector, a compilation) would keep every later minor from fitting, and the
      // nursery would be folded for good (seen on binary-trees: 73 ns a unit against 16 measured).
      // Each minor skipped for cost lowers it a little, so a minor runs again and measures it;
      // not for a nursery that nearly all survives (gc/pacer.ts, NEARLY_ALL_SURVIVE).
      const nearlyAllSurvive = p.survivalMeasured && p.youngSurvival >= NEARLY_ALL_SURVIVE;
      if (timed && !nearlyAllSurvive) p.msPerUnit *= ESTIMATE_DECAY;
      // Made old in slices: by the major cycle that is due anyway (its first phase), else alone
      // (TENURE), which costs O(young), not a cycle over the whole heap. Alone only when most of
      // it is expected to survive, by a measured survival: a cycle frees the garbage of a nursery
      // that is mostly garbage (TENURE would keep it until the next cycle) and measures survival
      // when it is unknown (a fresh heap's first big nursery may be a level, or garbage). A
      // nursery promoted early goes the same way: its survival is measured and high.
      if (majorDue(s) || !p.survivalMeasured || p.youngSurvival < TENURE_SURVIVAL) startMajor = true;
      else startTenure(s);
    }
  }
  if (inMajorCycle(s) || startMajor || (s.phase === IDLE && majorDue(s))) {
    const unitsLeft = budgetUnits - (s.workDone - workBefore);
    const deadline = start + budgetMs;
    const before = s.workDone;
    // At least one chunk a tick, so a cycle always progresses, however small the budget.
    out.tenured = s.phase === TENURE;
    for (let first = true;; first = false) {
      if (!first && (timed ? performance.now() >= deadline : s.workDone - before >= unitsLeft)) break;
      const ended = stepCycle(
        s,
        whole ? Infinity : timed ? CHUNK : Math.max(1, Math.min(CHUNK, unitsLeft - (s.workDone - before))),
      );
      if (ended) {
        out.cycleEnded = true;
        out.majorFreed = s.cycleFreed;
        break;
      }
      // A TENURE ended: no cycle was due when it began (else the nursery would have gone to it).
      if (s.phase === IDLE) break;
    }
    out.majorUnits = s.workDone - before;
  }
  return finish(s, out, workBefore, allocated);
}

/**
 * Whether a tick now would do no collection work (it only updates the allocation count and the
 * debt): no cycle running or due, no minor due, the heap not near full. Such a tick reads
 * no clock: most of a game's ticks are idle, and Node's `performance.now()` makes an engine
 * object per call (binary-trees' ~350k ticks a run made 17-33 engine scavenges that way).
 */
export function tickIsIdle(s: HeapState): boolean {
  return s.phase === IDLE && !minorDue(s) && !majorDue(s) &&
    !nearFull(s, s.allocations - s.pacer.allocationsAtLastTick);
}

/**
 * `runTick` for a tick `tickIsIdle` found idle, which is most of a game's ticks: the allocation
 * count taken, no debt (nothing is due), nothing done; without testing again what `tickIsIdle`
 * just tested (`runTick` tests `nearFull` twice more, each reading the slot pool's counts: an
 * `alloc(0)` and an idle `tick(1)` took 69-79 ns against 54-60 before the slot pool was tested,
 * in Node).
 */
export function runIdleTick(s: HeapState, out: TickOutcome): TickOutcome {
  clearOutcome(out);
  s.pacer.allocationsAtLastTick = s.allocations;
  s.pacer.debt = 0;
  return out;
}

function clearOutcome(out: TickOutcome): void {
  out.minorFreed = 0;
  out.minors = 0;
  out.majorUnits = 0;
  out.majorFreed = 0;
  out.cycleEnded = false;
  out.units = 0;
  out.stretched = false;
  out.tenured = false;
}

function runMinor(s: HeapState, out: TickOutcome, timed: boolean): void {
  const minorStart = timed ? performance.now() : 0;
  const unitsBefore = s.workDone;
  out.minorFreed = minorCollection(s);
  out.minors = 1;
  // Only minors are timed: the estimate decides whether a minor fits, and a major slice's unit
  // costs differently (a sweep unit is one index, a minor's one young object).
  if (timed) measuredWork(s, s.workDone - unitsBefore, performance.now() - minorStart);
}

/**
 * The near-full tick: finishes the running cycle (it frees what was garbage when it began), or the
 * running TENURE, then a minor.
 */
function collectNearFull(s: HeapState, out: TickOutcome, timed: boolean): void {
  out.stretched = true;
  if (inMajorCycle(s)) {
    // A TENURE is no major cycle: it frees nothing and ends none (`cycleFreed` is the last cycle's).
    const tenure = s.phase === TENURE;
    const before = s.workDone;
    finishCycle(s);
    if (tenure) {
      out.tenured = true;
    } else {
      out.majorUnits = s.workDone - before;
      out.cycleEnded = true;
      out.majorFreed = s.cycleFreed;
    }
  }
  if (s.generational && s.young > 0) {
    runMinor(s, out, timed);
    // The report names one kind of work: the minor, which is what freed (the TENURE only promoted).
    out.tenured = false;
  }
}

function finish(s: HeapState, out: TickOutcome, workBefore: number, allocated: number): TickOutcome {
  const p = s.pacer;
  out.units = s.workDone - workBefore;
  // Debt: while work is due, what allocation asked for beyond what was done; none once nothing is
  // (the rule `collect`, `minor` and `step` keep too).
  p.debt = Math.max(0, p.debt + allocated * UNITS_PER_ALLOCATION - out.units);
  settleDebt(s);
  return out;
}
