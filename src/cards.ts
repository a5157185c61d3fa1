/**
 * The remembered set for minor collections: a card table (one byte per 2^cardShift object
 * indices) plus a list of the dirty cards, and the nursery, a list of the young objects linked
 * through the `next` column (free indices use `next` for the free list; an index is never both
 * free and young). Together they make a minor collection cost O(young + dirty cards), never
 * O(capacity).
 */
import { growMarkStack } from './mark.ts';
import { HAS_COMPONENTS, type HeapState, YOUNG } from './state.ts';

export function dirtyCard(s: HeapState, owner: number): void {
  const card = owner >>> s.cardShift;
  if (s.cards[card] !== 0) return;
  s.cards[card] = 1;
  s.dirtyCards[s.dirtyCount++] = card;
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
  for (const c of s.components.list) {
    if (c.position[index] === 0) continue;
    for (const fields of [c.strongRefs, c.weakRefs]) {
      for (const f of fields) {
        for (let k = index * f.length, end = k + f.length; k < end; k++) {
          if ((flags[f.column[k]!]! & YOUNG) !== 0) return true;
        }
      }
    }
  }
  return false;
}

/**
 * Cleans the card table after a minor collection: a card stays dirty only while an old object in
 * it still refers to a young one. With no young objects left every card is clean at once.
 */
export function cleanCards(s: HeapState): void {
  const cards = s.cards;
  const list = s.dirtyCards;
  const count = s.dirtyCount;
  if (s.young === 0) return clearCards(s);
  const color = s.color;
  const flags = s.flags;
  const shift = s.cardShift;
  let kept = 0;
  for (let k = 0; k < count; k++) {
    const card = list[k]!;
    const first = Math.max(card << shift, 1);
    const end = Math.min((card + 1) << shift, s.top);
    let dirty = false;
    for (let i = first; i < end && !dirty; i++) {
      dirty = color[i] !== 0 && (flags[i]! & YOUNG) === 0 && refersToYoung(s, i);
    }
    if (dirty) list[kept++] = card;
    else cards[card] = 0;
  }
  s.dirtyCount = kept;
}

/** Forgets every dirty card: for when no young object is left. */
export function clearCards(s: HeapState): void {
  for (let k = 0; k < s.dirtyCount; k++) s.cards[s.dirtyCards[k]!] = 0;
  s.dirtyCount = 0;
}

/**
 * Pushes every live old object of a dirty card onto the mark stack, uncolored: a minor collection
 * scans their slots as roots into the young generation and never marks or frees them.
 */
export function pushDirtyCardObjects(s: HeapState): void {
  const color = s.color;
  const flags = s.flags;
  const size = s.size;
  const shift = s.cardShift;
  for (let k = 0; k < s.dirtyCount; k++) {
    const card = s.dirtyCards[k]!;
    const end = Math.min((card + 1) << shift, s.top);
    for (let i = Math.max(card << shift, 1); i < end; i++) {
      if (color[i] === 0 || (flags[i]! & YOUNG) !== 0 || (size[i] === 0 && (flags[i]! & HAS_COMPONENTS) === 0)) {
        continue;
      }
      if (s.markTop === s.markStack.length) growMarkStack(s);
      s.markStack[s.markTop++] = i;
    }
  }
}
