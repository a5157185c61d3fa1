/**
 * The write barrier: the one function every reference store goes through. Keeping all stores here
 * is what lets minor collections trust the cards instead of re-scanning the old generation.
 *
 * Generational part (invariant 5): an old object that receives a reference to a young object has
 * its card dirtied. The fast path is two `flags` loads and a compare: `flags[target] & ~flags[owner]
 * & YOUNG` is non-zero exactly when the target is young and the owner is old. NULL (index 0) has
 * flags 0, and with generations off no object is ever young, so neither needs its own test.
 */
import { dirtyCard } from './cards.ts';
import { type HeapState, YOUNG } from './state.ts';

/** Stores object index `target` (0 for NULL) into slot `slot` of live object `owner`. */
export function writeSlot(s: HeapState, owner: number, slot: number, target: number): void {
  s.slots[s.base[owner]! + slot] = target;
  const flags = s.flags;
  if ((flags[target]! & ~flags[owner]! & YOUNG) !== 0) dirtyCard(s, owner);
}
