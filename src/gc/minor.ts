/**
 * A minor collection: frees the young objects that neither roots nor old objects reach, ages the
 * survivors and promotes those that survived `promoteAfter` minors (one, for a full nursery that
 * nearly all survives, and whose aged objects did too: gc/pacer.ts, `promoteEarly`). It runs
 * whole inside one call, only between major cycles (its young mark is the white a major cycle
 * would use), and its cost follows what is young: the nursery, the remembered set, and the young
 * weak and finalizer lists. The pacer (gc/pacer.ts) runs one only when its estimate fits the
 * tick's budget; an oversized nursery, or one promoted early, is made old without one instead.
 *
 * Old objects count as reached and are never traced: tracing stops at them, and the remembered
 * set (gc/cards.ts) stands for their references into the nursery.
 */
import { DEAD, DESTROYED, type HeapState, IDLE, MINOR_FINALIZE } from '../core/state.ts';
import { beginMinorReclaim, finishMinorReclaim } from './destroy.ts';
import { clearCards, scanDirtyCards, scanRememberedSlots } from './cards.ts';
import { enterPhase } from './collector.ts';
import { drainYoung, shadeYoungRoots } from './mark.ts';
import { measuredMinor, minorWork, notePromotion, promoteEarly, rememberedCount } from './pacer.ts';
import { sweepNursery } from './sweep.ts';
import {
  clearDeadYoungReferences,
  convergeYoungEphemerons,
  queueYoungFinalizers,
  runFinalizers,
  settleYoungLists,
} from './weak.ts';

/** Runs a minor collection; returns the objects it freed. Only in IDLE. */
export function minorCollection(s: HeapState): number {
  const youngMark = s.white;
  const youngBefore = s.young;
  const destroyedBefore = beginMinorReclaim(s);
  const remembered = rememberedCount(s);
  // Decided before the scans: they keep a card or slot entry only for targets that stay young.
  const early = promoteEarly(s);
  const promoteAge = early ? 1 : s.promoteAfter;
  s.pacer.lastPromotionAge = promoteAge;
  s.markTop = 0;
  shadeYoungRoots(s, youngMark);
  // Slots first: dropping an entry may leave its owner's card dirty, which the card scan settles.
  scanRememberedSlots(s, youngMark, promoteAge);
  scanDirtyCards(s, youngMark, promoteAge);
  drainYoung(s, youngMark);
  convergeYoungEphemerons(s, youngMark);
  clearDeadYoungReferences(s, youngMark);
  queueYoungFinalizers(s, youngMark);
  let deadColor = s.markValue;
  if (s.finalizeTop > 0) {
    // Finalizers run user code: the dead must read as dead (and stay readable to the finalizers),
    // so they are colored DEAD first; objects the finalizers allocate keep the mark value.
    condemnYoung(s, youngMark);
    deadColor = DEAD;
    enterPhase(s, MINOR_FINALIZE);
    try {
      runFinalizers(s, Infinity);
    } finally {
      enterPhase(s, IDLE);
    }
  }
  const freed = sweepNursery(s, youngMark, deadColor, promoteAge);
  finishMinorReclaim(s, destroyedBefore);
  settleYoungLists(s);
  // Cards were kept or cleaned by the scan; promotion may have dirtied more. With no young
  // object left, none needs to stay dirty. (The mark stack is not shrunk here: minors run often.)
  if (s.young === 0) clearCards(s);
  s.minorCollections++;
  const units = minorWork(youngBefore, youngBefore - freed, remembered);
  s.workDone += units;
  measuredMinor(s, youngBefore, freed);
  notePromotion(s, early);
  return freed;
}

/** Colors `DEAD` every young object the minor's marking did not reach. */
function condemnYoung(s: HeapState, youngMark: number): void {
  const color = s.color;
  const next = s.next;
  for (let i = s.nurseryHead; i !== 0; i = next[i]!) {
    // (A destroyed object is not condemned: gc/destroy.ts decides when its index is free.)
    if (color[i] !== youngMark && color[i] !== DESTROYED) color[i] = DEAD;
  }
}
