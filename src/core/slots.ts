/**
 * The edge pool: one `Uint32Array` holding every object's reference slots. An object with n > 0
 * slots owns a block of `blockCapacity(n)` (the next power of two) starting at `base`; objects
 * never move, only their blocks do (on resize). Free blocks of each size class are linked through
 * their first slot. Slot 0 is never handed out, so a block link of 0 ends a list.
 */
import { grownCapacity, growU32 } from './columns.ts';
import type { HeapState } from './state.ts';

export function blockClass(slotCount: number): number {
  return 32 - Math.clz32(slotCount - 1);
}

export function blockCapacity(slotCount: number): number {
  return slotCount === 0 ? 0 : 1 << blockClass(slotCount);
}

/** Whether a block for `slotCount` slots can be had without passing `maxSlots`. */
export function canAllocBlock(s: HeapState, slotCount: number): boolean {
  if (slotCount === 0) return true;
  const cls = blockClass(slotCount);
  return s.freeBlocks[cls] !== 0 || s.slotTop + (1 << cls) <= s.maxSlots;
}

/** Takes a zeroed block for `slotCount` slots; callers checked `canAllocBlock` first. */
export function allocBlock(s: HeapState, slotCount: number): number {
  if (slotCount === 0) return 0;
  const cls = blockClass(slotCount);
  const capacity = 1 << cls;
  let start = s.freeBlocks[cls]!;
  if (start !== 0) {
    s.freeBlocks[cls] = s.slots[start]!;
    // A freed block may hold old edges; the new owner's slots start NULL. (A plain loop: most
    // blocks are a few slots, where `fill`'s call costs more than the stores.)
    const slots = s.slots;
    for (let k = start, end = start + capacity; k < end; k++) slots[k] = 0;
    return start;
  }
  start = s.slotTop;
  const end = start + capacity;
  if (end > s.slots.length) {
    // Capacity (length less the reserved slot 0) doubles, staying a round number.
    s.slots = growU32(s.slots, grownCapacity(s.slots.length - 1, end - 1, s.maxSlots - 1) + 1);
  }
  s.slotTop = end;
  return start;
}

export function freeBlock(s: HeapState, start: number, slotCount: number): void {
  if (slotCount === 0) return;
  const cls = blockClass(slotCount);
  s.slots[start] = s.freeBlocks[cls]!;
  s.freeBlocks[cls] = start;
}

/**
 * Shrinks a block in place to the class of `newCount` (> 0, of a smaller class): the block keeps
 * its start, and the parts it no longer needs go to their free lists buddy-style (one block of
 * each class from the new one up to the old one), so shrinking never needs room and never copies.
 */
export function shrinkBlock(s: HeapState, start: number, oldCount: number, newCount: number): void {
  for (let cls = blockClass(newCount), top = blockClass(oldCount); cls < top; cls++) {
    const part = start + (1 << cls);
    s.slots[part] = s.freeBlocks[cls]!;
    s.freeBlocks[cls] = part;
  }
}
