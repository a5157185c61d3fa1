/**
 * The one function every reference store goes through. Keeping all stores here is what lets the
 * generational and incremental collectors trust the slots they did not re-scan.
 */
import type { HeapState } from './state.ts';

/** Stores object index `target` (0 for NULL) into slot `slot` of live object `owner`. */
export function writeSlot(s: HeapState, owner: number, slot: number, target: number): void {
  s.slots[s.base[owner]! + slot] = target;
}
