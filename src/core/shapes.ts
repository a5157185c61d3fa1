/**
 * Values made so that the engine fixes their shape once, at creation.
 *
 * V8 gives an object's field a representation (small integer, double, object) and an array an
 * element kind (small integers, doubles, objects) from the first values it sees, and widens them
 * later by changing the object's hidden class; it also treats a field as constant until it gets
 * another value. Compiled code relies on both: each change throws away every function compiled
 * on the old assumption. One that happens only in a game's frames (a heap made after
 * `Heap.warmUp()` that the warm-up's heaps never looked like) sends the collector to slower code
 * there while the engine compiles it again on another thread, which on a two-core machine takes the
 * frame's core: ticks of 3-7 ms under `tick(1)` (docs/decisions.md, "Fields that hold doubles start
 * as doubles" and "Records keep one shape from the start"). JavaScriptCore has rules of its own;
 * nothing here costs it anything.
 */

/**
 * The first value of a field that will hold non-integers (milliseconds, shares) or may outgrow a
 * small integer (running totals past 2^30): widening a small-integer field later (given 0.5)
 * changes the object's hidden class (seen as "wrong map" deopts of `alloc`, `roomFor` and the
 * allocator in the frames after `Heap.warmUp()`). Such fields start as this double and are then
 * set to their real first value, which keeps the double field.
 */
export const AS_DOUBLE = 0.5;

/**
 * An empty array for records (objects, functions, typed arrays) whose element kind is objects from
 * the start. A literal `[]` starts with small-integer elements and changes its hidden class at the
 * first record pushed, so a heap with no component of some kind (no `ref` field, no finalizer)
 * kept arrays of another class than the warm-up's heaps, which have them all: `scanGray` and
 * `scanYoung`, compiled on the warm-up's heaps, were thrown away ("wrong map") at the first mark
 * chunk of bench/level-load's frames and compiled again there.
 */
export function recordList<T>(): T[] {
  const list: T[] = [null as T];
  list.pop();
  return list;
}

/**
 * Gives each typed array `record` holds a new view of the same memory, once, as the record is made,
 * so that every such field is variable to the engine before any code is compiled on it. V8 treats a
 * field as constant until an object of its class gets another value there, and code compiled while
 * it was constant is thrown away then. The heap replaces a list or column with a longer one when it
 * grows, and the first growth of a list no warm-up heap had grown (the slot pool's free singles, in
 * a level's first frames) threw away the slot pool's compiled functions and the nursery sweep's
 * (ten of them, "code dependencies", recompiled on the engine's other thread for ~100 ms).
 */
export function variableFields(record: object): void {
  const fields = record as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    if (ArrayBuffer.isView(value) && !(value instanceof DataView)) fields[key] = (value as Uint8Array).subarray(0);
  }
}
