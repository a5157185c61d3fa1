/**
 * Growable typed-array columns. A column grows by allocating a longer array and copying, so a
 * view taken before growth keeps the old contents but no longer sees writes: callers re-read
 * columns from the heap state after any call that may grow it (alloc, resize). Hot loops copy
 * the column into a local at entry, which is exactly that rule, and stay on fixed-length views
 * (length-tracking views of resizable buffers measured 2.5-4x slower in a mark loop).
 */
/**
 * Indices come in pages of `INDEX_PAGE` (core/free-list.ts): each page is carved for one index
 * class, the slot pool's block size of its objects (`indexClass`), so objects of one shape sit
 * together whatever order a program makes them in; and a component's numeric columns count in
 * `stats().bytes` by the pages of indices where they were written (core/component-store.ts).
 */
export const INDEX_PAGE_BITS = 8;
export const INDEX_PAGE = 1 << INDEX_PAGE_BITS;

/** The pages of `INDEX_PAGE` indices an array indexed by object index `length` long spans. */
export function indexPagesFor(length: number): number {
  return (length >>> INDEX_PAGE_BITS) + 1;
}

/** The bytes of the first `entries` entries of `column` (at most all of it): what `stats().bytes` counts of it. */
export function bytesInUse(column: { byteLength: number; BYTES_PER_ELEMENT: number }, entries: number): number {
  return Math.min(column.byteLength, entries * column.BYTES_PER_ELEMENT);
}

/**
 * A copy of `column`, `length` entries long, holding its first `used` entries (all by default); the
 * rest is zero. A caller whose entries from `used` on are known to be zero (a header column above
 * `top`, the slot pool above `slotTop`) passes `used`, so the copy writes only the part in use:
 * less to copy, and fresh typed-array memory is handed out by the system page by page on first
 * write, so the part no object has reached yet holds no memory (core/state.ts `heapBytes`).
 */
export function growU32(column: Uint32Array, length: number, used = column.length): Uint32Array {
  const grown = new Uint32Array(length);
  grown.set(column.subarray(0, Math.min(used, length)));
  return grown;
}

/**
 * `list` with room for `entries` entries: itself when it has them (so a reservation never shrinks
 * a list, and a caller holding it keeps the very array), else a `growU32` copy of its first `used`.
 */
export function withRoom(list: Uint32Array, entries: number, used: number): Uint32Array {
  return list.length < entries ? growU32(list, entries, used) : list;
}

/** `growU32` for byte columns. */
export function growU8(column: Uint8Array, length: number, used = column.length): Uint8Array {
  const grown = new Uint8Array(length);
  grown.set(column.subarray(0, Math.min(used, length)));
  return grown;
}

/**
 * The next capacity (usable entries, not counting the reserved entry 0) for a column that must
 * hold `needed` entries, capped at `limit`. Capacities step through the round numbers
 * k * 2^e with k in 4..7 (..., 1024, 1280, 1536, 1792, 2048, 2560, ...): each step adds a quarter
 * of the power of two below, so a step grows a column by 1.14x to 1.25x and a heap never holds
 * more than 1.25x the entries it needs (doubling left up to 2x: 73 bytes per 4-slot object
 * instead of 35). The price is more, smaller copies: about 5 copies of the final size over a
 * heap's growth, instead of 1.
 */
export function grownCapacity(current: number, needed: number, limit: number): number {
  let capacity = Math.max(current, 8);
  while (capacity < needed) capacity = nextRoundCapacity(capacity);
  return Math.min(capacity, limit);
}

/** The smallest k * 2^e (k in 4..7) above `capacity` (at least 8). */
export function nextRoundCapacity(capacity: number): number {
  // A quarter of the largest power of two not above `capacity` (doubles: capacities may pass 2^31).
  let power = 8;
  while (power * 2 <= capacity) power *= 2;
  const step = power / 4;
  return (Math.floor(capacity / step) + 1) * step;
}

/** How many cards of 2^cardShift indices cover `length` indices. */
export function cardsFor(length: number, cardShift: number): number {
  return Math.ceil(length / 2 ** cardShift);
}
