/**
 * Handles: a `Ref` packs an object index and that index's generation into one double,
 * `index + generation * 2^indexBits`, exact up to 2^53. While a slot's generation is small the
 * handle is a small integer (V8 Smi / JSC int32); later it is a double. Decoding never shifts
 * past bit 31: the index is `ref & indexMask` (ToInt32 keeps the low 32 bits of any integer up to
 * 2^53 exactly), the generation a division.
 */

/**
 * An object handle. `NULL` (0) is never live. Branded: at run time a plain number, but the
 * compiler tells it apart from an `Index` or a `Ticket`, so a query index passed where a handle
 * is expected (which would work until the index is reused, then name another object) does not
 * compile. A number becomes a `Ref` only through the heap (`alloc`, `get`, `refAt`, ...) or an
 * explicit cast.
 */
export type Ref = number & { readonly __ref: unique symbol };
/**
 * An object's index: what `heap.index(ref)` and `heap.query()` give, for indexing component
 * columns. Not a handle: it carries no generation, so it names whatever object holds the index
 * now. `heap.refAt(index)` turns it back into a handle.
 */
export type Index = number & { readonly __index: unique symbol };
/** A pin handle (`heap.pin`), generation-tagged like a `Ref` but naming a slot of the pin table. */
export type Ticket = number & { readonly __ticket: unique symbol };

export const NULL: Ref = 0 as Ref;

/**
 * What `heap.query()` returns: a `Uint32Array` (a view of the query's dense array) whose elements
 * the compiler types as `Index`, read-only: writing into it would corrupt the query. `for..of`
 * and `q[k]` give `Index`; other `Uint32Array` methods give plain numbers.
 */
export interface IndexArray extends Uint32Array<ArrayBuffer> {
  readonly [position: number]: Index;
  [Symbol.iterator](): ArrayIterator<Index>;
}

/** What `heap.allocMany()` returns: a `Float64Array` of handles, typed as `Ref` element by element. */
export interface RefArray extends Float64Array<ArrayBuffer> {
  [position: number]: Ref;
  [Symbol.iterator](): ArrayIterator<Ref>;
}

/** The constants that pack and unpack handles for one heap. */
export interface HandleCodec {
  readonly indexBits: number;
  readonly generationBits: number;
  /** `2^indexBits - 1`: the index part of a handle, and the largest index. */
  readonly indexMask: number;
  /** `2^indexBits`: one generation step in handle space. */
  readonly indexScale: number;
  /** `2^generationBits - 1`: past this a slot retires instead of being reused. */
  readonly maxGeneration: number;
  /**
   * `2^(30 - indexBits)`: an index whose generation is below this has a handle below 2^30 (for
   * every index below `indexScale`, `index + generation * indexScale < 2^30` exactly when
   * `generation < 2^30 / indexScale`), a small integer in every engine (core/free-list.ts).
   */
  readonly smallGenerations: number;
}

export function makeCodec(indexBits: number, generationBits: number): HandleCodec {
  return {
    indexBits,
    generationBits,
    // The mask by a shift (indexBits is at most 24), a small integer: an integer made by `2 **` is
    // kept as a double, and V8 converted the mask on every handle check. The scale stays a double
    // on purpose: `generation * indexScale` passes 2^31 once generations do, and with an integer
    // scale JavaScriptCore compiled the product as int32 and then paid for the overflow (isAlive
    // 1.7 -> 2.3 ns in Bun, bench/handles.bench.ts); a double keeps it a double multiply throughout.
    indexMask: (1 << indexBits) - 1,
    indexScale: 2 ** indexBits,
    maxGeneration: 2 ** generationBits - 1,
    smallGenerations: 1 << (30 - indexBits),
  };
}

/** The default generation width: every bit left below 2^53, at most 32 (a `Uint32Array` holds it). */
export function defaultGenerationBits(indexBits: number): number {
  return Math.min(32, 53 - indexBits);
}

/**
 * The handle of `index` at `generation`: `index + generation * 2^indexBits`. Below
 * `smallGenerations` that is under 2^30, so it is made with integer operations, which the engine
 * returns as a small integer with no conversion; past it, the double product (exact to 2^53).
 * (Node, binary-trees depth 16 in alternating processes: 3-5% less time, six pairs; Deno 2-3%; Bun
 * the same. `alloc`, `get`, `refAt` and `allocMany` make a handle per call.)
 */
export function packHandle(codec: HandleCodec, index: number, generation: number): number {
  return generation < codec.smallGenerations
    ? index | (generation << codec.indexBits)
    : index + generation * codec.indexScale;
}

/** The index part of a well-formed handle; for anything else, some index the caller must check. */
export function handleIndex(codec: HandleCodec, handle: number): number {
  return handle & codec.indexMask;
}

export function handleGeneration(codec: HandleCodec, handle: number): number {
  return Math.floor(handle / codec.indexScale);
}

/** "1 object", "2 objects": a count and its noun, for messages. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Describes a value for an error message: the value itself, and its type where that helps. */
export function describe(value: unknown): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'string') return `'${value}' (a string)`;
  if (typeof value === 'bigint') return `${value}n (a bigint)`;
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return `an object (${Object.prototype.toString.call(value)})`;
  return String(value);
}
