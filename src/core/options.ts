/** Heap options: defaults, and validation that names the bad value before anything is built. */
import { defaultGenerationBits, describe } from './handle.ts';

export interface HeapOptions {
  /**
   * Object indices to allocate storage for up front, and 4 slots an object in the slot pool (at
   * least 64, within `maxSlots`). Both grow in round steps of at most 1.25x (`stats().capacity`,
   * `slotsCapacity`). Default 1024.
   */
  initialCapacity?: number;
  /** The most objects the heap may hold at once; `alloc` past it throws `HeapFullError`. Default `2^indexBits - 1`. */
  maxObjects?: number;
  /** Bits of a handle that hold the index, 16 to 24. Default 22 (4M objects). */
  indexBits?: number;
  /** Bits of a handle that hold the generation. Default: every bit left below 2^53, at most 32. Fewer only to test retirement. */
  generationBits?: number;
  /** The most reference slots one object may have. Default 2^20. */
  maxSlotsPerObject?: number;
  /** The most slots the slot pool may hold, counting size-class rounding. Default 2^28. */
  maxSlots?: number;
  /** Young and old generations with minor collections. Default true. */
  generational?: boolean;
  /**
   * Minor collections a young object survives before promotion, 1 to 3. Default 2. A full nursery
   * (`nurserySize` young objects or more) that recent minors saw nearly all survive (90%), when the
   * objects they kept young nearly all survived the next minor too, has its survivors promoted at
   * their first minor, and `tick` makes it old without a minor, probing one in eight
   * (docs/decisions.md).
   */
  promoteAfter?: number;
  /**
   * Object indices per card of the remembered set, a power of two from 1 to 4096. Default 1: the
   * remembered set is then precise (one flag per old object that refers to a young one), so a
   * minor scans exactly those objects, however scattered (bench/generational.bench.ts).
   */
  cardSize?: number;
  /** `tick` runs a minor collection once this many young objects exist. Default 8192. */
  nurserySize?: number;
  /** `tick` starts a major cycle once the old generation grew by this percentage since the last. Default 100. */
  growthPercent?: number;
  /** ...but never while fewer than this many old objects are live. Default 8192. */
  minHeapObjects?: number;
  /**
   * Called with each error a finalizer throws, once the collection that ran it is consistent.
   * Default: the collection call throws one `AggregateError` holding them all, after finishing.
   */
  onFinalizerError?: (error: unknown) => void;
}

export interface ResolvedOptions {
  initialCapacity: number;
  maxObjects: number;
  indexBits: number;
  generationBits: number;
  maxSlotsPerObject: number;
  maxSlots: number;
  generational: boolean;
  promoteAfter: number;
  cardShift: number;
  nurserySize: number;
  growthPercent: number;
  minHeapObjects: number;
  onFinalizerError: ((error: unknown) => void) | undefined;
}

/** Checks that `value` is an integer in [min, max]; a `TypeError` for non-numbers, else `RangeError`. */
export function checkInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be an integer, got ${describe(value)}`);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${describe(value)}`);
  }
  return value;
}

const KNOWN = new Set([
  'initialCapacity',
  'maxObjects',
  'indexBits',
  'generationBits',
  'maxSlotsPerObject',
  'maxSlots',
  'generational',
  'promoteAfter',
  'cardSize',
  'nurserySize',
  'growthPercent',
  'minHeapObjects',
  'onFinalizerError',
]);

/** An option's value, or its default when it was left out (`null` is not left out: it is checked). */
function given<T>(value: T | undefined, fallback: T): T {
  return value === undefined ? fallback : value;
}

function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`${name} must be true or false, got ${describe(value)}`);
  return value;
}

export function resolveOptions(options: HeapOptions | undefined): ResolvedOptions {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`Heap options must be an object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new TypeError(`unknown Heap option '${key}'`);
  }
  const indexBits = checkInteger('indexBits', given(options.indexBits, 22), 16, 24);
  const maxGenerationBits = defaultGenerationBits(indexBits);
  const generationBits = checkInteger(
    'generationBits',
    given(options.generationBits, maxGenerationBits),
    1,
    maxGenerationBits,
  );
  // Shifts, not `2 **`: the engine keeps an integer made by `**` as a boxed double, and a state
  // field first stored as one stays a double field (each hot read then converts it).
  const indexLimit = (1 << indexBits) - 1;
  const maxObjects = checkInteger('maxObjects', given(options.maxObjects, indexLimit), 1, indexLimit);
  const initialCapacity = checkInteger(
    'initialCapacity',
    given(options.initialCapacity, Math.min(1024, maxObjects)),
    1,
    maxObjects,
  );
  const maxSlots = checkInteger('maxSlots', given(options.maxSlots, 1 << 28), 2, 2 ** 32 - 1);
  const maxSlotsPerObject = checkInteger('maxSlotsPerObject', given(options.maxSlotsPerObject, 1 << 20), 0, 2 ** 30);
  const generational = checkBoolean('generational', given(options.generational, true));
  const promoteAfter = checkInteger('promoteAfter', given(options.promoteAfter, 2), 1, 3);
  const cardSize = checkInteger('cardSize', given(options.cardSize, 1), 1, 4096);
  if ((cardSize & (cardSize - 1)) !== 0) throw new RangeError(`cardSize must be a power of two, got ${cardSize}`);
  const cardShift = 31 - Math.clz32(cardSize);
  const nurserySize = checkInteger('nurserySize', given(options.nurserySize, 8192), 1, 2 ** 30);
  const growthPercent = checkInteger('growthPercent', given(options.growthPercent, 100), 1, 10_000);
  const minHeapObjects = checkInteger('minHeapObjects', given(options.minHeapObjects, 8192), 1, 2 ** 30);
  const onFinalizerError = options.onFinalizerError;
  if (onFinalizerError !== undefined && typeof onFinalizerError !== 'function') {
    throw new TypeError(`onFinalizerError must be a function, got ${describe(onFinalizerError)}`);
  }
  return {
    onFinalizerError,
    initialCapacity,
    maxObjects,
    indexBits,
    generationBits,
    maxSlotsPerObject,
    maxSlots,
    generational,
    promoteAfter,
    cardShift,
    nurserySize,
    growthPercent,
    minHeapObjects,
  };
}
