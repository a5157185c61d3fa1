/** Every error the heap throws on purpose is a `HeapError` (or a plain `RangeError`/`TypeError`). */
export class HeapError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
/** A stale, NULL, freed, malformed or foreign object handle. */
export class StaleRefError extends HeapError {}
/** A ticket that was unpinned already, or never was one. */
export class StaleTicketError extends HeapError {}
/** `maxObjects` (or the slot pool's limit) reached; the heap is unchanged. */
export class HeapFullError extends HeapError {}
/** `collect`, `minor`, `step` or `tick` called where collection is forbidden (inside `noGc`). */
export class GcForbiddenError extends HeapError {}
/** `verify()` found a broken invariant; the message names it. */
export class HeapCorruptionError extends HeapError {}
