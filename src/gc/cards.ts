/**
 * The remembered set for minor collections: a card table (one byte per 2^cardShift object indices;
 * by default one object per card, so a card is exactly a "remembered" flag) plus the list of dirty
 * cards (the remembered buffer), the remembered slots, and the nursery, a list of the young objects
 * linked through the `next` column (free indices use `next` for the free list; an index is never
 * both free and young). Together they make a minor collection cost O(young + remembered), never
 * O(capacity).
 *
 * Remembered slots: most old objects that come to refer to young ones do so through one slot (a
 * node whose child was replaced, an entity whose target changed). Remembering that slot's position
 * lets a minor read the slot and its target and nothing else: no header of the owner, which lies
 * anywhere in the old generation, where each header column is one more cache miss (with 1% of 10^6
 * old objects remembered at random, those misses were most of a minor). So the barrier remembers
 * an old strong object by the first slot that receives a young reference (`CARD_SLOT + k`, one
 * entry in `rememberedSlots`), and whole (`CARD_DIRTY`, a dirty card) as soon as a second slot, a
 * component field or a weak kind is involved, or with cards of many objects. An entry trusts that
 * its owner keeps its block: freeing, destroying or resizing an owner remembers it whole instead
 * and marks the entries stale, so that the next minor checks each against its owner's card.
 */
import { growU32 } from '../core/columns.ts';
import {
  AGE_MASK,
  AGE_SHIFT,
  CARD_CLEAN,
  CARD_DIRTY,
  CARD_DIRTY_SLOT,
  CARD_SLOT,
  CARD_SLOT_LIMIT,
  DESTROYED,
  FREE,
  HAS_COMPONENTS,
  type HeapState,
  NOT_STRONG,
  YOUNG,
} from '../core/state.ts';
import { shadeYoung } from './mark.ts';
import { listRememberedWeak } from './weak.ts';

/** Remembers `owner`'s card whole (an old object in it now refers to a young one). */
export function dirtyCard(s: HeapState, owner: number): void {
  const card = owner >>> s.cardShift;
  const mark = s.cards[card]!;
  if (mark === CARD_DIRTY || mark === CARD_DIRTY_SLOT) return;
  // A remembered slot's entry stays: it still names a slot of this object.
  s.cards[card] = mark === CARD_CLEAN ? CARD_DIRTY : CARD_DIRTY_SLOT;
  if (s.dirtyCount === s.dirtyCards.length) s.dirtyCards = growU32(s.dirtyCards, s.dirtyCount * 2);
  s.dirtyCards[s.dirtyCount++] = card;
}

/**
 * Remembers old strong object `owner` after a young reference was stored into its slot `slot`:
 * by that slot while it is the only one, whole otherwise. The caller has found that slot not
 * remembered already (gc/barrier.ts makes that test inline: the commonest store needs no call).
 */
export function rememberSlot(s: HeapState, owner: number, slot: number): void {
  // (With cards of many objects, `cards` is indexed by card: no slot of one object can be named.)
  if (s.cardShift !== 0 || slot >= CARD_SLOT_LIMIT) {
    dirtyCard(s, owner);
    return;
  }
  const mark = s.cards[owner]!;
  // Another slot remembered, or the object already whole: `dirtyCard` knows which.
  if (mark !== CARD_CLEAN) {
    dirtyCard(s, owner);
    return;
  }
  s.cards[owner] = CARD_SLOT + slot;
  const at = 2 * s.rememberedSlotCount;
  if (at === s.rememberedSlots.length) s.rememberedSlots = growU32(s.rememberedSlots, 2 * at);
  s.rememberedSlots[at] = owner;
  s.rememberedSlots[at + 1] = s.base[owner]! + slot;
  s.rememberedSlotCount++;
}

/**
 * Before object `i` gives up its slot block (freed, destroyed, resized): if a remembered slot names
 * it, it is remembered whole from now on, and the entries are checked at the next minor (the
 * entry names a position that may soon belong to another object). Remembering it whole rather than
 * forgetting it keeps one entry per index between minors, however often an index is reused.
 */
export function releaseRememberedSlot(s: HeapState, i: number): void {
  if (s.cardShift !== 0 || s.cards[i]! < CARD_DIRTY_SLOT) return;
  s.rememberedSlotsStale = 1;
  if (s.cards[i] === CARD_DIRTY_SLOT) {
    s.cards[i] = CARD_DIRTY;
  } else {
    s.cards[i] = CARD_CLEAN;
    dirtyCard(s, i);
  }
}

/** Puts a new object into the nursery. */
export function addYoung(s: HeapState, index: number): void {
  s.flags[index] = YOUNG;
  s.next[index] = s.nurseryHead;
  s.nurseryHead = index;
  s.young++;
}

/** Whether any slot or component `ref`/`weakref` field of object `index` refers to a young object. */
export function refersToYoung(s: HeapState, index: number): boolean {
  const slots = s.slots;
  const flags = s.flags;
  for (let k = s.base[index]!, end = k + s.size[index]!; k < end; k++) {
    if ((flags[slots[k]!]! & YOUNG) !== 0) return true;
  }
  if ((flags[index]! & HAS_COMPONENTS) === 0) return false;
  const refFields = s.components.refFields;
  for (let r = 0; r < refFields.length; r++) {
    const { owner, field } = refFields[r]!;
    if (owner.position[index] === 0) continue;
    for (let k = index * field.length, end = k + field.length; k < end; k++) {
      if ((flags[field.column[k]!]! & YOUNG) !== 0) return true;
    }
  }
  return false;
}

/** Forgets every dirty card and remembered slot: for when no young object is left. */
export function clearCards(s: HeapState): void {
  for (let k = 0; k < s.dirtyCount; k++) s.cards[s.dirtyCards[k]!] = CARD_CLEAN;
  s.dirtyCount = 0;
  // (A stale entry's owner may be another object now: with no young object, no card stays dirty.)
  for (let k = 0; k < s.rememberedSlotCount; k++) s.cards[s.rememberedSlots[2 * k]!] = CARD_CLEAN;
  s.rememberedSlotCount = 0;
  s.rememberedSlotsStale = 0;
}

/**
 * The minor collection's pass over the remembered slots, before the dirty cards: shades the young
 * object each slot holds, and keeps the entry only while that object will still be young after
 * this minor (as `scanDirtyCards` decides for cards). A dropped entry's owner is forgotten, or
 * stays remembered whole if its card is dirty too. Reads the owner's card and base only when the
 * entries are stale (`slotEntryHolds`).
 */
export function scanRememberedSlots(s: HeapState, youngMark: number, promoteAge: number): void {
  const color = s.color;
  const flags = s.flags;
  const slots = s.slots;
  const cards = s.cards;
  const list = s.rememberedSlots;
  const count = s.rememberedSlotCount;
  const stale = s.rememberedSlotsStale !== 0;
  const stayYoung = (promoteAge - 1) << AGE_SHIFT;
  // Stryker disable next-line all: performance only, as `touchRemembered`.
  if (count > PREFETCH_FROM) touchRememberedSlots(s, list, count);
  let kept = 0;
  for (let k = 0; k < 2 * count; k += 2) {
    const owner = list[k]!;
    const at = list[k + 1]!;
    // A stale entry whose owner went or moved: its card was settled then (`releaseRememberedSlot`).
    if (stale && !slotEntryHolds(s, owner, at)) continue;
    const target = slots[at]!;
    const targetFlags = flags[target]!;
    if ((targetFlags & YOUNG) !== 0) {
      if (color[target] === DESTROYED) {
        slots[at] = 0; // as in `scanDirtyCards`
      } else {
        shadeYoung(s, target, youngMark);
        if ((targetFlags & AGE_MASK) < stayYoung) {
          list[2 * kept] = owner;
          list[2 * kept + 1] = at;
          kept++;
          continue;
        }
      }
    }
    const mark = cards[owner]!;
    if (mark === CARD_DIRTY_SLOT) cards[owner] = CARD_DIRTY;
    else if (mark >= CARD_SLOT) cards[owner] = CARD_CLEAN;
  }
  s.rememberedSlotCount = kept;
  s.rememberedSlotsStale = 0;
}

/**
 * Whether a remembered slot entry still names slot `at` of object `owner` as remembered. The card
 * alone decides: an owner that was freed, destroyed or resized had its card made `CARD_DIRTY` then
 * (`releaseRememberedSlot`), and from there it names a slot again only after a minor has cleaned
 * it, which first drops this entry. So a card that names a slot (`CARD_SLOT` + that slot, or
 * `CARD_DIRTY_SLOT`) belongs to the object that made the entry, in the block the entry names.
 */
export function slotEntryHolds(s: HeapState, owner: number, at: number): boolean {
  const mark = s.cards[owner]!;
  return mark === CARD_DIRTY_SLOT || (mark >= CARD_SLOT && mark === CARD_SLOT + at - s.base[owner]!);
}

/**
 * The minor collection's pass over the remembered set: scans the old objects of every dirty card
 * in place (they are never colored or pushed), shading the young objects their strong slots and
 * `ref` fields reach, and decides in the same pass whether each card stays dirty: it does only
 * while some old object in it refers to a young object that will still be young after this minor
 * (age + 1 < `promoteAge`, 1 or `promoteAfter`, gc/pacer.ts `promoteEarly`; weak references count
 * too, conservatively).
 * Old objects with weak references to young ones are noted (`rememberedWeak`) for the minor's
 * weak processing.
 */
export function scanDirtyCards(s: HeapState, youngMark: number, promoteAge: number): void {
  const color = s.color;
  const flags = s.flags;
  const base = s.base;
  const size = s.size;
  const slots = s.slots;
  const cards = s.cards;
  const list = s.dirtyCards;
  const shift = s.cardShift;
  // A young object stays young past this minor while its age is below this.
  const stayYoung = (promoteAge - 1) << AGE_SHIFT;
  const count = s.dirtyCount;
  // Stryker disable next-line all: performance only, as `touchRemembered`.
  if (shift === 0 && count > PREFETCH_FROM) touchRemembered(s, list, count);
  let kept = 0;
  for (let k = 0; k < count; k++) {
    const card = list[k]!;
    const end = Math.min((card + 1) << shift, s.top);
    let dirty = false;
    for (let i = Math.max(card << shift, 1); i < end; i++) {
      const ownerFlags = flags[i]!;
      if (color[i] === FREE || (ownerFlags & YOUNG) !== 0) continue;
      const strong = (ownerFlags & NOT_STRONG) === 0;
      let weakToYoung = false;
      for (let p = base[i]!, stop = p + size[i]!; p < stop; p++) {
        const target = slots[p]!;
        const targetFlags = flags[target]!;
        if ((targetFlags & YOUNG) === 0) continue;
        // A destroyed young target: its name is cleared, so this minor may free it (gc/destroy.ts).
        // (A weak slot naming it is cleared with the other weak references, below.)
        if (strong && color[target] === DESTROYED) {
          slots[p] = 0;
          continue;
        }
        if (strong) shadeYoung(s, target, youngMark);
        else weakToYoung = true;
        if ((targetFlags & AGE_MASK) < stayYoung) dirty = true;
      }
      if ((ownerFlags & HAS_COMPONENTS) !== 0) {
        const found = scanComponentRefs(s, i, youngMark, stayYoung);
        if ((found & FIELD_STAYS_YOUNG) !== 0) dirty = true;
        if ((found & WEAK_FIELD_TO_YOUNG) !== 0) weakToYoung = true;
      }
      if (weakToYoung) listRememberedWeak(s, i);
    }
    if (dirty) list[kept++] = card;
    else cards[card] = CARD_CLEAN;
  }
  s.dirtyCount = kept;
}

/** Remembered sets at least this large are touched ahead (`touchRemembered`). */
const PREFETCH_FROM = 256;

/**
 * Loads, ahead of the scan, the header entries, card and first slot of every remembered object
 * (with cards of one object, `cardShift` 0, the default): loads that do not depend on each other,
 * so the processor overlaps their cache misses, where the scan itself waits for each in turn
 * (header, then slots, then the target's flags). Remembered old objects lie anywhere in the heap:
 * with 1% of 10^6 old objects remembered at random, a minor spent most of its time waiting for
 * memory (bench/minor-shapes.bench.ts: this pass took that case from 17.9% to 8.8% of a full
 * collection). The sum keeps the engine from dropping the loads.
 */
// Stryker disable all: it changes when memory is read, never what anything reads or writes (docs/mutation-testing.md).
function touchRemembered(s: HeapState, list: Uint32Array, count: number): void {
  const flags = s.flags;
  const color = s.color;
  const base = s.base;
  const size = s.size;
  const slots = s.slots;
  const cards = s.cards;
  let sum = 0;
  for (let k = 0; k < count; k++) {
    const i = list[k]!;
    sum = (sum + flags[i]! + color[i]! + size[i]! + cards[i]!) | 0;
  }
  // (| 0: the sum may pass 2^31, and a small-integer sum that overflows deoptimizes the loop.)
  for (let k = 0; k < count; k++) sum = (sum + slots[base[list[k]!]!]!) | 0;
  _touchedSum = sum;
}

/** As `touchRemembered`, for the remembered slots: the slots, then their targets' flags. */
function touchRememberedSlots(s: HeapState, list: Uint32Array, count: number): void {
  const slots = s.slots;
  const flags = s.flags;
  let sum = 0;
  for (let k = 1; k < 2 * count; k += 2) sum = (sum + slots[list[k]!]!) | 0;
  for (let k = 1; k < 2 * count; k += 2) sum = (sum + flags[slots[list[k]!]!]!) | 0;
  _touchedSum = sum;
}

/** Where `touchRemembered` leaves its sum, so the engine keeps its loads. */
let _touchedSum = 0;
// Stryker restore all

/** `scanComponentRefs` results, as bits. */
const FIELD_STAYS_YOUNG = 1;
const WEAK_FIELD_TO_YOUNG = 2;

/** `scanDirtyCards` for one old object's component `ref` (shaded) and `weakref` fields. */
function scanComponentRefs(s: HeapState, index: number, youngMark: number, stayYoung: number): number {
  const flags = s.flags;
  let found = 0;
  const refFields = s.components.refFields;
  for (let r = 0; r < refFields.length; r++) {
    const { owner, field, strong } = refFields[r]!;
    if (owner.position[index] === 0) continue;
    const column = field.column;
    for (let p = index * field.length, end = p + field.length; p < end; p++) {
      const target = column[p]!;
      const targetFlags = flags[target]!;
      if ((targetFlags & YOUNG) === 0) continue;
      if (strong && s.color[target] === DESTROYED) {
        column[p] = 0; // as in `scanDirtyCards`
        continue;
      }
      if (strong) shadeYoung(s, target, youngMark);
      else found |= WEAK_FIELD_TO_YOUNG;
      if ((targetFlags & AGE_MASK) < stayYoung) found |= FIELD_STAYS_YOUNG;
    }
  }
  return found;
}
