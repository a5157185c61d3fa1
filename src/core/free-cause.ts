/**
 * Why an index was freed, kept in the `base` column of free indices (unused while an index is
 * free), so that a stale handle's error can say when and by what its object went: "freed by
 * major collection #3", "destroyed; its index reclaimed by minor collection #12". The collector
 * sets `freeCause` when a collection starts; `releaseObject` writes it into each index it frees.
 *
 * Layout: bits 0-1 the collection kind, bit 2 destroyed, bits 3 and up the collection's number
 * (saturating at 2^29 - 1). 0 means unknown (an index freed before this was recorded).
 */
export const FREED_BY_MAJOR = 1;
export const FREED_BY_MINOR = 2;
/** The object was destroyed (`heap.destroy`) before the collection reclaimed its index. */
export const FREED_DESTROYED = 4;
const NUMBER_LIMIT = 2 ** 29 - 1;

export function freeCause(kind: number, collection: number): number {
  return kind + Math.min(collection, NUMBER_LIMIT) * 8;
}

/** The cause as words for an error message ("was freed by major collection #3"), or null when unknown. */
export function freeCauseText(code: number): string | null {
  const kind = code & 3;
  if (kind !== FREED_BY_MAJOR && kind !== FREED_BY_MINOR) return null;
  const collection = `${kind === FREED_BY_MAJOR ? 'major' : 'minor'} collection #${Math.floor(code / 8)}`;
  return (code & FREED_DESTROYED) !== 0
    ? `was destroyed (heap.destroy), and ${collection} reclaimed its index`
    : `was freed by ${collection}: nothing reached it from a root`;
}
