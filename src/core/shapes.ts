/**
 * Values made so that the engine fixes their shape once, at creation.
 *
 * V8 gives an object's field a representation (small integer, double, object) and an array an
 * element kind (small integers, doubles, objects) from the first values it sees, and widens them
 * later by changing the object's hidden class. Compiled code checks hidden classes: each widening
 * deoptimizes every function compiled on the old one, and one that runs only in a game's frames
 * (a heap made after `Heap.warmUp()` that the warm-up's heaps never looked like) sends the
 * collector back to the interpreter there, where a 512-unit mark chunk took 0.1-4 ms instead of
 * ~4 us (docs/decisions.md, "Fields that hold doubles start as doubles" and "Lists of records
 * start as lists of objects"). JavaScriptCore and Deno's newer V8 care less; nothing here costs
 * them anything.
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
 * chunk of bench/level-load's frames and ran uncompiled there (1-4 ms ticks under `tick(1)`).
 */
export function recordList<T>(): T[] {
  const list: T[] = [null as T];
  list.pop();
  return list;
}
