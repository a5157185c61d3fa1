/**
 * The pacer: what collection work is due, and what a tick's budget can pay for. Policy only; the
 * tick itself (gc/tick.ts) carries it out.
 *
 * - A minor collection when the nursery holds `nurserySize` young objects and the minor's
 *   estimated cost fits what is left of the budget. An oversized nursery (a level just built, or
 *   everything allocated during a long major cycle) is made old in slices instead: by the major
 *   cycle that is due anyway (its PROMOTE phase), else alone (TENURE). A catch-up minor
 *   (gc/tick.ts) is the one long minor a tick runs: for a large nursery of garbage.
 * - A major cycle when the old generation grew by `growthPercent` since the last major ended
 *   (like Lua's pause and Go's GOGC), never below `minHeapObjects` (like Lua's floor), and
 *   never past half the room left below `maxObjects`.
 * - Slices of a running cycle until the budget is spent, at least one `CHUNK` a tick (a few
 *   microseconds) so a cycle always progresses.
 * - Near full (`nearFull`: indices or slot pool short of two ticks' allocation, or of 1/16 of
 *   the limit), the tick's own measures (gc/tick.ts).
 *
 * When allocation outpaces what the budget can collect, the heap grows instead of the frame, and
 * `debt` (units of work allocation asked for and no collector call paid) shows it. The two cases where a
 * tick works past its budget are gc/tick.ts's.
 */
import { indicesLeft } from '../core/free-list.ts';
import { slotRoom, slotsHeld } from '../core/slots.ts';
import { type HeapState, IDLE, YOUNG } from '../core/state.ts';

/** Units of work between clock reads: a few microseconds. */
export const CHUNK = 512;
/** Cycle work an allocated object asks for: marking and sweeping an object with 4 slots is ~6. */
export const UNITS_PER_ALLOCATION = 8;
/** Units a minor costs: per young object swept, per survivor marked and moved, per remembered slot. */
export const MINOR_UNITS_PER_YOUNG = 2;
export const MINOR_UNITS_PER_SURVIVOR = 5;
export const MINOR_UNITS_PER_REMEMBERED = 4;
/**
 * Survival at which a nursery counts as one that nearly all survives. Its minor, when it does not
 * fit the budget, is skipped without lowering the unit estimate (gc/tick.ts): the minor would only
 * free under a tenth of it, and lowering a right estimate only schedules a minor that overruns the
 * budget. And with the survival of aged young objects, it decides early promotion (`promoteEarly`).
 * Measured on splay (bench/splay.bench.ts), where every inserted payload survives: docs/decisions.md.
 */
export const NEARLY_ALL_SURVIVE = 0.9;
/** Weight of the newest measurement in the pacer's moving averages. */
const SMOOTHING = 0.25;
/** Work too small to time well is not measured. */
const MIN_TIMED_UNITS = 2048;

/** Of the full nurseries that qualify for early promotion, one in this many is a probe (`notePromotion`). */
export const PROBE_EVERY = 8;

/**
 * Whether the full nursery about to be collected is promoted early: its survivors made old at their
 * first minor, whatever `promoteAfter` says, and in `tick` the nursery made old without a minor
 * (TENURE, or the due cycle's PROMOTE), as V8 pretenures allocation sites whose objects survive.
 * Only when both were measured at 90% or more: nearly all young objects survive a minor
 * (`youngSurvival`), and nearly all of those kept young survive the next one too (`agedSurvival`).
 * The second is what makes it safe: early promotion then promotes what `promoteAfter` would have
 * promoted one minor later (kept young, each would be traced by that minor only to be promoted
 * there: on splay, every inserted payload), while objects that live one minor interval and die
 * before the next (the generational suite's rounds) measure low and die young. Survival alone
 * (session 13's rule) confirmed itself: objects promoted at their first minor die old, so no minor
 * saw them die, and those rounds were promoted for good. A partial nursery (`minor()` asked for
 * early) keeps `promoteAfter`, and so does a probe: every `PROBE_EVERY`th qualifying nursery is
 * collected as `promoteAfter` says, and the minor after it measures its survivors again.
 * Deterministic, as the estimates.
 */
export function promoteEarly(s: HeapState): boolean {
  const p = s.pacer;
  return p.survivalMeasured && p.youngSurvival >= NEARLY_ALL_SURVIVE && p.agedMeasured &&
    p.agedSurvival >= NEARLY_ALL_SURVIVE && s.young >= p.nurserySize && p.earlyRun < PROBE_EVERY;
}

/**
 * Counts a nursery collected or made old: early (`promoteEarly` said so) or not. After
 * `PROBE_EVERY` early ones, `promoteEarly` says no: that minor is the probe, which keeps its
 * survivors young, and the minor after it, which measures them, starts the count again.
 */
export function notePromotion(s: HeapState, early: boolean): void {
  const p = s.pacer;
  if (early) p.earlyRun++;
  else p.earlyRun = p.earlyRun === PROBE_EVERY ? PROBE_EVERY + 1 : 0;
}

/** Sets the next major trigger from the old generation a major collection left. */
export function planNextMajor(s: HeapState): void {
  const p = s.pacer;
  const old = s.live - s.young;
  const grown = Math.ceil(old * (1 + p.growthPercent / 100));
  // Never past half the room left below `maxObjects`, not even for `minHeapObjects`: a heap near
  // its ceiling must have a cycle due before old garbage fills it (alloc never collects; it would
  // throw HeapFullError). Retired indices are no room: they are never reused. At least 1, so a
  // heap with no room left and nothing old is not due for a cycle that could free nothing.
  const halfway = old + Math.ceil((s.maxObjects - s.retired - old) / 2);
  p.nextMajorAt = Math.max(1, Math.min(halfway, Math.max(p.minHeapObjects, grown)));
}

/**
 * Whether the indices left would run out within two ticks at this allocation rate (or are under
 * 1/16 of `maxObjects`), or the slot pool's room would (`slotsShort`): past this, `alloc` could
 * throw `HeapFullError` while garbage holds them. Retired indices are not left (`indicesLeft`): a
 * heap whose churn has spent most of its indices' generations is near full with few objects live.
 */
export function nearFull(s: HeapState, allocated: number): boolean {
  return indicesLeft(s) < Math.max(s.maxObjects >>> 4, 2 * allocated) || slotsShort(s, 2 * allocated);
}

/**
 * Whether the slot pool's room (`slotRoom`) is under 1/16 of `maxSlots`, or under what `objects`
 * more objects of the live objects' mean block would take: the same test for slots, since
 * garbage holds them as it holds indices.
 */
function slotsShort(s: HeapState, objects: number): boolean {
  return slotRoom(s) < Math.max(s.maxSlots >>> 4, s.live === 0 ? 0 : objects * slotsHeld(s) / s.live);
}

export function minorDue(s: HeapState): boolean {
  return s.phase === IDLE && s.generational && s.young >= s.pacer.nurserySize;
}

export function majorDue(s: HeapState): boolean {
  return s.live - s.young >= s.pacer.nextMajorAt;
}

/** The remembered set's size for the estimates: objects of dirty cards, and remembered slots. */
export function rememberedCount(s: HeapState): number {
  return (s.dirtyCount << s.cardShift) + s.rememberedSlotCount;
}

/**
 * Whether a minor now would free the whole nursery, known without marking: no pin and no open
 * scope names a young object, and the remembered set is empty (no old object refers to one), and
 * those are all a minor's roots (gc/minor.ts). Then its survivors cost nothing, whatever survival
 * was measured: a nursery a program built and dropped in one go (a frame's scratch structure, or
 * binary-trees' stretch tree in a fresh heap). O(1) when anything is remembered, else O(pins +
 * scoped objects).
 */
export function nurseryUnreached(s: HeapState): boolean {
  if (rememberedCount(s) !== 0) return false;
  const flags = s.flags;
  const pinTarget = s.pinTarget;
  // (A free pin slot holds target 0, whose flags are 0.)
  for (let p = 1, end = s.pinTop; p < end; p++) if ((flags[pinTarget[p]!]! & YOUNG) !== 0) return false;
  const scopeStack = s.scopeStack;
  for (let k = 0, end = s.scopeTop; k < end; k++) if ((flags[scopeStack[k]!]! & YOUNG) !== 0) return false;
  return true;
}

/** A minor's cost in units, for a nursery of `young` objects of which `survivors` survive. */
export function minorWork(young: number, survivors: number, remembered: number): number {
  return young * MINOR_UNITS_PER_YOUNG + survivors * MINOR_UNITS_PER_SURVIVOR + remembered * MINOR_UNITS_PER_REMEMBERED;
}

/**
 * A minor's estimated cost in units, before it runs: the nursery, the survivors the last minors
 * suggest, and the remembered set. Deterministic: it depends only on what the program did.
 */
export function minorUnits(s: HeapState): number {
  return Math.ceil(minorWork(s.young, s.young * s.pacer.youngSurvival, rememberedCount(s)));
}

/** The part of a minor's estimate a fold into a major cycle would spread: survivors and the remembered set. */
export function minorSurvivorUnits(s: HeapState): number {
  return Math.ceil(minorWork(0, s.young * s.pacer.youngSurvival, rememberedCount(s)));
}

/** A minor's estimated cost in milliseconds, at the measured cost of a unit on this machine. */
export function minorMs(s: HeapState): number {
  return minorUnits(s) * s.pacer.msPerUnit;
}

/** Feeds a finished minor into the survival estimate (deterministic: every minor, timed or not). */
export function measuredMinor(s: HeapState, youngBefore: number, freed: number): void {
  const p = s.pacer;
  if (youngBefore === 0) return;
  p.youngSurvival += SMOOTHING * ((youngBefore - freed) / youngBefore - p.youngSurvival);
  p.survivalMeasured = true;
}

/**
 * Feeds a minor's aged young objects into `agedSurvival`: `aged` of them had survived a minor
 * before this one, `agedFreed` of those died in it. A first measurement replaces the guess.
 */
export function measuredAged(s: HeapState, aged: number, agedFreed: number): void {
  const p = s.pacer;
  if (aged === 0) return;
  const sample = (aged - agedFreed) / aged;
  p.agedSurvival = p.agedMeasured ? p.agedSurvival + SMOOTHING * (sample - p.agedSurvival) : sample;
  p.agedMeasured = true;
}

/**
 * Learns survival from a cycle that ended after taking over a nursery of at least `nurserySize`
 * (an oversized nursery folded into it, or a big one a due cycle took): the share of those young
 * objects the cycle did not free. Without it, a heap whose nurseries are always folded would
 * never measure survival: its first guess (100%) would stand, and no catch-up minor would ever run
 * (gc/tick.ts). The cycle's frees count old garbage too, so a sample reads low, down to 0 where
 * the old generation made as much garbage as the nursery held (splay: every removed node's
 * payload is old). So only a first measurement replaces the guess; later samples move the
 * average as a minor's do. (Taken whole, splay's 0 made the next nursery of ~300k young objects,
 * all surviving, look like garbage: a catch-up minor of 20 ms every 60 ticks.)
 */
export function measuredFold(s: HeapState): void {
  const p = s.pacer;
  const folded = p.foldedYoung;
  p.foldedYoung = 0;
  if (folded < p.nurserySize) return;
  const sample = (folded - Math.min(s.cycleFreed, folded)) / folded;
  p.youngSurvival = p.survivalMeasured ? p.youngSurvival + SMOOTHING * (sample - p.youngSurvival) : sample;
  p.survivalMeasured = true;
}

/**
 * Feeds `units` of work done in `ms` into the unit cost. Robust: one sample moves the estimate by
 * at most 4x either way (a descheduled process or a cold start must not make every later minor
 * look unaffordable: minors that are not run are never measured again).
 */
export function measuredWork(s: HeapState, units: number, ms: number): void {
  if (units < MIN_TIMED_UNITS || !(ms > 0)) return;
  const p = s.pacer;
  const sample = Math.min(Math.max(ms / units, p.msPerUnit / 4), p.msPerUnit * 4);
  p.msPerUnit += SMOOTHING * (sample - p.msPerUnit);
}

/**
 * What `tick` would do now: for `stats()` and for people reading them. A due nursery promoted
 * early goes old without a minor, by the major cycle that is due, else alone (TENURE), as `tick`
 * decides it. A due minor that a tick's budget does not fit goes to a cycle or TENURE too, which
 * only the tick knows (it is given the budget): that one reads 'minor'. Near full (`nearFull`), a
 * tick's first work: its minor, or the cycle it would start.
 */
export function plannedWork(s: HeapState): 'minor' | 'tenure' | 'major' | 'continue cycle' | 'nothing' {
  if (s.phase !== IDLE) return 'continue cycle';
  const allocated = s.allocations - s.pacer.allocationsAtLastTick;
  if (nearFull(s, allocated)) {
    // gc/tick.ts near full: a minor first, when there are young objects (then perhaps a whole
    // cycle, which only the minor's outcome decides); else the whole cycle, or the one due.
    if (s.generational && s.young > 0) return 'minor';
    return allocated > 0 || majorDue(s) ? 'major' : 'nothing';
  }
  if (minorDue(s) && !promoteEarly(s)) return 'minor';
  if (majorDue(s)) return 'major';
  if (minorDue(s)) return 'tenure';
  return 'nothing';
}

/**
 * Clears the debt when nothing is due: what `collect`, `minor`, `step` and a tick (gc/tick.ts
 * `finish`) leave. The debt counts what allocation asked for while work was due; a
 * call that did the work (a `collect()` at a loading screen, as docs/decisions.md advises for a
 * debt that grows) leaves nothing owed, so `stats()` and the call's report read 0 at once, not
 * after the next tick.
 */
export function settleDebt(s: HeapState): void {
  if (plannedWork(s) === 'nothing') s.pacer.debt = 0;
}
