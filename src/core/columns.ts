/**
 * Growable typed-array columns. A column grows by allocating a longer array and copying, so a
 * view taken before growth keeps the old contents but no longer sees writes: callers re-read
 * columns from the heap state after any call that may grow it (alloc, resize). Hot loops copy
 * the column into a local at entry, which is exactly that rule, and stay on fixed-length views
 * (length-tracking views of resizable buffers measured 2.5-4x slower in a mark loop).
 */
export function growU32(column: Uint32Array, length: number): Uint32Array {
  const grown = new Uint32Array(length);
  grown.set(column.length <= length ? column : column.subarray(0, length));
  return grown;
}

export function growU8(column: Uint8Array, length: number): Uint8Array {
  const grown = new Uint8Array(length);
  grown.set(column.length <= length ? column : column.subarray(0, length));
  return grown;
}

/**
 * The next capacity (usable entries, not counting the reserved entry 0) for a column that must
 * hold `needed` entries: doubling, so capacities stay the round numbers users asked for, capped
 * at `limit`.
 */
export function grownCapacity(current: number, needed: number, limit: number): number {
  let capacity = Math.max(current, 8);
  while (capacity < needed) capacity *= 2;
  return Math.min(capacity, limit);
}

/** How many cards of 2^cardShift indices cover `length` indices. */
export function cardsFor(length: number, cardShift: number): number {
  return Math.ceil(length / 2 ** cardShift);
}
