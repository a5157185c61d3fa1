/**
 * The write barrier: the one function every reference store goes through. Keeping all stores here
 * is what lets minor collections trust the cards instead of re-scanning the old generation.
 *
 * Generational part (invariant 5): an old object that receives a reference to a young object is
 * remembered, by that slot when it is a strong object's slot, else by dirtying its card
 * (gc/cards.ts). The fast path is two `flags` loads and a test: the target is young and the owner
 * old. NULL (index 0) has flags 0, and with generations off no object is ever young, so neither
 * needs its own test.
 *
 * Incremental part (invariant 6): while a major cycle marks, a white target stored into a marked
 * (gray or black) object is shaded (Dijkstra's insertion barrier), so no black object ever refers
 * to a white one. A store into a white object shades nothing: that object is scanned later if it
 * is reached at all, and if it is garbage the store keeps nothing alive.
 * Snapshot-at-the-beginning would not do here: handles in JavaScript variables are not roots, so
 * the program can store an object that was already unreachable when the cycle began; SATB would
 * free it while referenced unless it also shaded new targets, i.e. did this barrier's work too.
 * `barrierWhite` is `NO_COLOR` outside marking, so between cycles the test is one load and a compare.
 */
import { dirtyCard, rememberSlot } from './cards.ts';
import type { TypedColumn } from '../core/component-store.ts';
import { shade } from './mark.ts';
import { CARD_SLOT, type HeapState, NO_COLOR, NOT_STRONG, YOUNG } from '../core/state.ts';

/** Stores object index `target` (0 for NULL) into slot `slot` of live object `owner`. */
export function writeSlot(s: HeapState, owner: number, slot: number, target: number): void {
  s.slots[s.base[owner]! + slot] = target;
  // A weak or ephemeron slot is no strong edge: the atomic phase decides what it keeps.
  afterStore(s, owner, target, (s.flags[owner]! & NOT_STRONG) === 0, slot);
}

/** Stores `target` into element `at` of a component `ref` (strong) or `weakref` field column. */
export function writeRefField(
  s: HeapState,
  owner: number,
  column: TypedColumn,
  at: number,
  target: number,
  strong: boolean,
): void {
  column[at] = target;
  afterStore(s, owner, target, strong, NO_SLOT);
}

/** `afterStore`'s slot for a store into a component field, which no remembered slot can name. */
const NO_SLOT = -1;

/** The barrier proper: run after every reference store into `owner` (into slot `slot`, or a field). */
function afterStore(s: HeapState, owner: number, target: number, strong: boolean, slot: number): void {
  const flags = s.flags;
  if ((flags[target]! & YOUNG) !== 0) {
    if ((flags[owner]! & YOUNG) === 0) {
      // An old strong owner is remembered by the slot (gc/cards.ts), and needs no shading: a young
      // target is never white while the barrier is on. In PROMOTE the promotion list is white,
      // but every old owner is too (nothing is marked before MARK); in MARK the young are what
      // the cycle allocated, black. (The whole test suite ran with a check that this branch never
      // meets a white target in a marked owner.)
      if (strong && slot !== NO_SLOT) {
        // The commonest such store goes into a slot already remembered (its card names it: one
        // object a card), which needs nothing more. Tested here, it costs no call: old->young
        // `set()` 1.25-1.32x a non-generational heap's before, 1.07-1.16x after (the generational
        // suite, old and new code in turn and the session's bench set, all three runtimes).
        if (s.cardShift !== 0 || s.cards[owner] !== CARD_SLOT + slot) rememberSlot(s, owner, slot);
        return;
      }
      dirtyCard(s, owner);
    } else if (s.promoteHead !== 0 && (s.barrierWhite === NO_COLOR || s.color[owner] !== s.markValue)) {
      // While a nursery is being made old in slices (PROMOTE, TENURE), a young owner may be one
      // about to become old. In a cycle's PROMOTE (the barrier on) the promotion list is white,
      // but for objects the barrier shaded, whose cards it dirtied then (`storeWhileMarking`), and
      // objects allocated since are black and stay young: a level or a tree built during PROMOTE
      // dirties no card. In TENURE nothing tells them apart, and one allocated since costs a card,
      // which the next minor cleans.
      dirtyCard(s, owner);
    }
  }
  if (s.barrierWhite !== NO_COLOR) storeWhileMarking(s, owner, target, strong);
}

/** The barrier's part while a major cycle marks (PROMOTE and MARK); out of line, as it is rare. */
function storeWhileMarking(s: HeapState, owner: number, target: number, strong: boolean): void {
  const color = s.color;
  const white = s.barrierWhite;
  // Shade only a target stored into a marked object: a white owner will be scanned if it is ever
  // reached, and if it is not, the store must keep nothing alive (no floating garbage).
  if (strong && color[target] === white && color[owner] !== white) shadeStored(s, target);
}

/** Shades white `target`, stored into a marked object (one store's, or a wave's: `shadeWaveTargets`). */
function shadeStored(s: HeapState, target: number): void {
  shade(s, target);
  // A young white object in PROMOTE is one of the promotion list, about to become old; black now,
  // it reads as allocated since to the young-owner test in `afterStore`, so its card is dirtied
  // here, for the young objects stored into it from now on.
  if (s.promoteHead !== 0 && (s.flags[target]! & YOUNG) !== 0) dirtyCard(s, target);
}

/**
 * The barrier for a strong wave's stores while a major cycle marks (gc/allocate.ts `allocWave`):
 * its owners are new, so young and black, and of `afterStore` only `storeWhileMarking`'s part
 * applies: each white target is shaded as a store into one black owner shades it (`shadeStored`).
 * Run before the stores, which then need no barrier. `targets`: the wave's first `length` entries,
 * handles or indices (`& indexMask` gives the index), 0 for NULL.
 */
export function shadeWaveTargets(s: HeapState, targets: Float64Array, length: number, indexMask: number): void {
  const color = s.color;
  const white = s.barrierWhite;
  for (let at = 0; at < length; at++) {
    const target = targets[at]! & indexMask;
    if (target !== 0 && color[target] === white) shadeStored(s, target);
  }
}
