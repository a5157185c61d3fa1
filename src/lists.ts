/**
 * Lists over an object's slots: children, inventories, squads, the most common shape in a game.
 * Facade level, over the public `Heap` API only (every store goes through `heap.set`, so the
 * barrier and every check apply).
 *
 * A list is an object (`'strong'`, or `'weak'` for a list that keeps nothing alive); its items are
 * its non-NULL slots, in slot order; its NULL slots are free space. Pushes fill the slots from the
 * front, so the items lie at the front and the free space at the back; a slot in the middle reads
 * NULL only when its item was destroyed (`heap.destroy`), or, in a weak list, collected. Such a
 * hole is simply not an item: `listLength` and `listItems` skip it, and the next push may fill it.
 * So the length is not stored anywhere: there is nothing to keep in step.
 *
 * Capacity doubles (from 4) when a push finds no free slot at the back, and halves when a removal
 * leaves the list a quarter full with nothing in its back half, so a list holds at most about
 * four times its items. Costs, n slots: push O(log n) `get`s (a binary search for the first free
 * slot at the back) plus an amortized O(1) resize; remove O(n) (it finds the item); length,
 * items and has O(n).
 */
import type { Heap } from './heap.ts';
import { describe, NULL, type Ref } from './core/handle.ts';

const FIRST_CAPACITY = 4;

function checkList(heap: Heap, list: Ref, call: string): number {
  const slots = heap.slotCount(list); // a stale handle throws StaleRefError here
  if (heap.kindOf(list) === 'ephemeron') {
    throw new TypeError(`${call}: ${describe(list)} is an ephemeron, whose slots are (key, value) pairs, not items`);
  }
  return slots;
}

/**
 * The first free slot after the items at the front: a binary search that trusts items to lie at
 * the front. If a destroyed item left a hole, it may find that hole instead, which is as good: a
 * slot it returns always reads NULL, or is `slots` when the last slot holds an item.
 */
function firstFree(heap: Heap, list: Ref, slots: number): number {
  let lo = 0;
  let hi = slots;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (heap.get(list, mid) !== NULL) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The last slot holding an item, or -1 when there is none. */
function lastItem(heap: Heap, list: Ref, slots: number): number {
  for (let k = slots - 1; k >= 0; k--) if (heap.get(list, k) !== NULL) return k;
  return -1;
}

/**
 * Appends `item` to `list` (an item may be in a list more than once, as in an array). Grows the
 * list by doubling when it is full. A stale list or item throws `StaleRefError`, and the list is
 * left as it was.
 */
export function listPush(heap: Heap, list: Ref, item: Ref): void {
  const slots = checkList(heap, list, 'listPush');
  if (item === NULL) throw new TypeError('listPush: NULL is not an item (a NULL slot is free space)');
  const at = firstFree(heap, list, slots);
  if (at < slots) {
    heap.set(list, at, item);
    return;
  }
  heap.resize(list, Math.max(FIRST_CAPACITY, slots * 2));
  try {
    heap.set(list, at, item);
  } catch (error) {
    heap.resize(list, slots); // keeps the first `slots` slots: the list as it was
    throw error;
  }
}

/**
 * Removes the first occurrence of `item` from `list`: the last item takes its place (a swap-remove:
 * the order of the others changes, as in bitECS's sparse sets). Returns whether it was there.
 */
export function listRemove(heap: Heap, list: Ref, item: Ref): boolean {
  const slots = checkList(heap, list, 'listRemove');
  if (item === NULL) return false;
  let at = -1;
  let count = 0;
  for (let k = 0; k < slots; k++) {
    const value = heap.get(list, k);
    if (value === NULL) continue;
    count++;
    if (at === -1 && value === item) at = k;
  }
  if (at === -1) return false;
  const last = lastItem(heap, list, slots);
  if (last !== at) heap.set(list, at, heap.get(list, last));
  heap.set(list, last, NULL);
  // A quarter full with its back half free (no item after `half`): halve it, keeping every item.
  const half = slots >>> 1;
  if (slots > FIRST_CAPACITY && count - 1 <= slots >>> 2 && lastItem(heap, list, last) < half) {
    heap.resize(list, half);
  }
  return true;
}

/** How many items `list` holds (its non-NULL slots). */
export function listLength(heap: Heap, list: Ref): number {
  const slots = checkList(heap, list, 'listLength');
  let count = 0;
  for (let k = 0; k < slots; k++) if (heap.get(list, k) !== NULL) count++;
  return count;
}

/**
 * The items of `list`, in slot order, as a new array: change the list while looping over it if
 * you like (the array does not change).
 */
export function listItems(heap: Heap, list: Ref): Ref[] {
  const slots = checkList(heap, list, 'listItems');
  const items: Ref[] = [];
  for (let k = 0; k < slots; k++) {
    const value = heap.get(list, k);
    if (value !== NULL) items.push(value);
  }
  return items;
}

/** Whether `item` is in `list`. */
export function listHas(heap: Heap, list: Ref, item: Ref): boolean {
  const slots = checkList(heap, list, 'listHas');
  if (item === NULL) return false;
  for (let k = 0; k < slots; k++) if (heap.get(list, k) === item) return true;
  return false;
}
