/**
 * The facade: the one public class. It validates every argument before touching anything (so a
 * bad call leaves the heap unchanged), owns the only `HeapState`, and composes the collector's
 * modules. Objects are indices into SoA header columns; users hold generation-tagged handles.
 */
import {
  allocCommon,
  allocObject,
  allocWave,
  firstNotLive,
  resizeObject,
  roomFor,
  roomForMany,
  waveBlocksDoNotFit,
} from './gc/allocate.ts';
import { canAllocBlock, reserveSlots, slotRoom } from './core/slots.ts';
import { canTakeIndex, reserveIndices } from './core/free-list.ts';
import {
  addComponentData,
  type ComponentData,
  type FieldData,
  isReferenceType,
  type QueryData,
  reserveLists,
  type Schema,
  schemaDifference,
} from './core/component-store.ts';
import {
  addMember,
  addMembers,
  type Component,
  type ComponentBase,
  type ComponentInit,
  dropDeadFromQuery,
  type FieldName,
  type FieldValue,
  getQuery,
  hasAnyComponent,
  type Not,
  queryView,
  type RefFieldName,
  removeMember,
  soleQuery,
  storeElement,
} from './ecs/components.ts';
import { fullCollection, inMajorCycle, stepCycle, tenureAll } from './gc/collector.ts';
import { minorCollection } from './gc/minor.ts';
import { checkComponentDefinition, type ComponentOptions } from './ecs/schema.ts';
import { warmUp } from './warm-up.ts';
import { AS_DOUBLE, recordList } from './core/shapes.ts';
import { makeTickOutcome, runIdleTick, runTick, tickIsIdle } from './gc/tick.ts';
import { GcForbiddenError, HeapError, HeapFullError, StaleRefError } from './core/errors.ts';
import {
  describe,
  type Index,
  type IndexArray,
  NULL,
  packHandle,
  plural,
  type Ref,
  type RefArray,
  type Ticket,
} from './core/handle.ts';
import { checkInteger, type HeapOptions, type ResolvedOptions, resolveOptions } from './core/options.ts';
import { addPin, listPins, pinSlot, removePin } from './gc/roots.ts';
import { plannedWork, settleDebt } from './gc/pacer.ts';
import {
  BOTH_MARKS,
  CLEAR,
  createState,
  DEAD,
  DESTROYED,
  DESTROYED_ANY,
  DESTROYED_ROOTED,
  EPHEMERON,
  FINALIZABLE,
  FINALIZE,
  FREE,
  HAS_COMPONENTS,
  headerBytesPerObject,
  heapBytes,
  type HeapState,
  MARK,
  MINOR_FINALIZE,
  NOT_STRONG,
  PROMOTE,
  RETIRED,
  SWEEP,
  TENURE,
  WEAK,
  YOUNG,
} from './core/state.ts';
import { listFinalizable, listYoungWeak, reserveWeakLists } from './gc/weak.ts';
import { writeRefField, writeSlot } from './gc/barrier.ts';
import { type DecodedHeader, decodeHeader, encodeSnapshot, SnapshotError } from './io/snapshot.ts';
import {
  adoptComponents,
  buildState,
  checkRestoreOptions,
  componentsToLoad,
  componentsToRestore,
  type RestoreOptions,
} from './io/load.ts';
import { verifyHeap } from './gc/verify.ts';
import { beginDestroy, destroyedCount, dismantle, runDestroyHooks } from './gc/destroy.ts';
import { freeCauseText, FREED_DESTROYED } from './core/free-cause.ts';
import { findPathFromRoot, type PathStep } from './gc/why-alive.ts';

export type { HeapOptions } from './core/options.ts';
export type { PathStep } from './gc/why-alive.ts';

export type Phase = 'idle' | 'mark' | 'sweep';

/** What an object's slots are: strong edges, weak references, or ephemeron (key, value) pairs. */
export type ObjectKind = 'strong' | 'weak' | 'ephemeron';

export interface CollectionInfo {
  kind: 'major' | 'minor';
  /** Objects freed by this collection. */
  freed: number;
  /** Objects live after it. */
  live: number;
  /** Wall time of the collection, in milliseconds. */
  ms: number;
}

/** What one collector call did: returned by `tick()`, and given to `observe()` observers for every call. */
export interface TickReport {
  /** The call that did it. */
  call: 'tick' | 'step' | 'minor' | 'collect';
  /**
   * 'major' is a slice of an incremental major cycle; 'full' a whole stop-the-world collection;
   * 'tenure' a slice of making an oversized nursery old outside a cycle (no major was due). A tick
   * near `maxObjects` that finishes such a TENURE and then runs a minor reports 'minor'.
   */
  work: 'nothing' | 'minor' | 'major' | 'minor+major' | 'full' | 'tenure';
  /** Wall time of the call, in milliseconds; 0 for a tick that had nothing to do (it reads no clock). */
  ms: number;
  /** Work units done (one per object or slot marked, per index swept down to the lowest dead one, per young object of a minor). */
  units: number;
  /** The budget asked: milliseconds (`tick(ms)`), or units (`tick({ units })`, `step(units)`); null where none. */
  budgetMs: number | null;
  budgetUnits: number | null;
  /** Objects freed by a minor in this call, and by a major cycle that ended in it. */
  minorFreed: number;
  majorFreed: number;
  /** Whether a major cycle ended in this call. */
  cycleEnded: boolean;
  /** The phase after the call. */
  phase: Phase;
  young: number;
  old: number;
  /** Units of collection work allocation asked for that no collector call has paid yet (0 while nothing is due). */
  debt: number;
  /**
   * Whether the call worked past its budget on purpose: a catch-up minor (a nursery too large for
   * the budget, but mostly garbage), or the heap near `maxObjects` or `maxSlots`. Always false outside `tick`.
   */
  stretched: boolean;
}

export interface HeapStats {
  live: number;
  /** Object indices storage is allocated for (the columns grow in round steps of at most 1.25x). */
  capacity: number;
  maxObjects: number;
  /** Indices that exhausted their generations and are never reused. */
  retired: number;
  /** Destroyed objects (`destroy`) whose indices await reclamation by a collection; not counted in `live`. */
  destroyed: number;
  young: number;
  old: number;
  /** Reference slots of live objects. */
  slotsUsed: number;
  /** Slots the pool has storage for. */
  slotsCapacity: number;
  /** The most slots the pool may grow to (the option). */
  maxSlots: number;
  /**
   * Slots the pool could still hand out before `maxSlots`: its free blocks' slots and the room
   * above its top. Blocks are powers of two (`slotsUsed` rounded up each), so this is at most
   * `maxSlots - 1 - slotsUsed`; a large block wants an aligned run, so one may not fit though this
   * is larger. `tick` collects past its budget while this is under `maxSlots / 16` or two ticks'
   * allocations of the live objects' mean block (as near `maxObjects`; docs/decisions.md).
   */
  slotRoom: number;
  /**
   * Bytes of the heap's typed arrays in use: arrays indexed by object index up to the highest index
   * ever used, the slot pool up to its top, lists up to the entries ever written, stacks whole.
   * Capacity nothing has reached is left out, as an engine's `heapUsed` leaves out its free room
   * (it is zero, never written: fresh pages hold no memory until then).
   */
  bytes: number;
  /** Header bytes per object index (all header columns together). */
  bytesPerObject: number;
  /** Bytes per reference slot in the pool. */
  bytesPerSlot: number;
  pins: number;
  majorCollections: number;
  minorCollections: number;
  /**
   * The remembered set a minor scans: dirty cards (whole old objects, or runs of them with a
   * larger `cardSize`) plus remembered slots.
   */
  dirtyCards: number;
  /** Of `dirtyCards`, the old objects remembered by their one slot that refers to a young object. */
  rememberedSlots: number;
  phase: Phase;
  lastPauseMs: number;
  maxPauseMs: number;
  totalPauseMs: number;
  /** The pacer starts a major cycle once this many old objects are live. */
  nextMajorAt: number;
  /**
   * What `tick` would do if called now: 'tenure' for a due nursery it makes old without a minor
   * (promoted early: docs/decisions.md). A due minor reads 'minor', though a tick whose budget it
   * does not fit makes that nursery old instead (its report says 'tenure' or 'major'). Near
   * `maxObjects` or `maxSlots`, the tick's first work: 'minor' (perhaps followed by a whole cycle,
   * which the minor's outcome decides), else 'major'.
   */
  planned: 'minor' | 'tenure' | 'major' | 'continue cycle' | 'nothing';
  /** Units of collection work allocation asked for that no collector call has paid yet (0 while nothing is due). */
  debt: number;
}

/** The start time of a tick that reads no clock (nothing to do): its report says 0 ms. */
const IDLE_TICK = -1;
const NO_ERRORS: unknown[] = [];
const NO_COMPONENTS: ComponentData[] = recordList();

/**
 * A `TickReport` for `#report` to fill, which sets every field: the numbers that hold or may hold
 * doubles (`ms`, and `units`, `majorFreed` and `debt`, differences of running totals) start as
 * doubles (core/shapes.ts).
 */
function blankTickReport(): TickReport {
  return {
    call: 'tick',
    work: 'nothing',
    ms: AS_DOUBLE,
    units: AS_DOUBLE,
    budgetMs: null,
    budgetUnits: null,
    minorFreed: 0,
    majorFreed: AS_DOUBLE,
    cycleEnded: false,
    phase: 'idle',
    young: 0,
    old: 0,
    debt: AS_DOUBLE,
    stretched: false,
  };
}

let stateOfHeap: (heap: Heap) => HeapState;

/** The error for slot `slot` of an object with `n` slots (out of line: see `#notLive`). */
function badSlot(slot: unknown, n: number): never {
  if (typeof slot !== 'number') throw new TypeError(`slot must be an integer, got ${describe(slot)}`);
  throw new RangeError(`slot ${describe(slot)} is out of range: the object has ${plural(n, 'slot')}`);
}

/** Each component's data, found from the object users hold (not in any hot loop). */
const componentData = new WeakMap<object, { heap: Heap; data: ComponentData }>();
/** A component cache's empty value: an object no caller can pass (null or undefined could be passed). */
const NO_COMPONENT = Object.freeze({});
/** How many components `#dataOf` remembers. */
const RECENT_COMPONENTS = 4;

/** Checks `allocMany`'s `into`: a `RefArray` (a `Float64Array`) with room for `count` handles. */
function checkInto(into: unknown, count: number): void {
  // A view for real: a Proxy passes `instanceof` and would run code as each handle is written.
  if (!(ArrayBuffer.isView(into) && into instanceof Float64Array)) {
    throw new TypeError(`into must be a RefArray (a Float64Array of handles), got ${describe(into)}`);
  }
  if (into.length < count) {
    throw new RangeError(`into has room for ${plural(into.length, 'handle')}, fewer than count ${count}`);
  }
}

export type { ComponentOptions } from './ecs/schema.ts';

/** The state behind a heap, for the library's own modules (snapshot, bridges); not exported by `mod.ts`. */
export function stateOf(heap: Heap): HeapState {
  return stateOfHeap(heap);
}

/** What a `RefField` resolved to: read only by the heap that made it. */
interface RefFieldParts {
  readonly heap: Heap;
  readonly data: ComponentData;
  readonly field: FieldData;
}

let partsOf: (field: unknown) => RefFieldParts | undefined;

/** Only `heap.refField` makes a `RefField` (what the heap reads through it must be what the heap resolved). */
const MAKING_REF_FIELD = Symbol('heap.refField');

/**
 * A component's `ref` or `weakref` field, looked up once (`heap.refField`), for loops over many
 * entities: `getRef`, `setRef` and `refIndex` take it instead of a field name, so each call skips
 * the search by name and still checks the handle, the membership and the element, and stores
 * through the barrier. Valid for the heap's lifetime, `load` included (components stay valid).
 */
export class RefField {
  /** `'Component.field'`. */
  readonly name: string;
  /** Whether the field keeps its targets alive (`ref`), or not (`weakref`). */
  readonly strong: boolean;
  /** Elements per entity: 1, or the array length. */
  readonly length: number;
  readonly #parts: RefFieldParts;

  static {
    // A brand check: an object that only inherits RefField's prototype has no `#parts`.
    partsOf = (field) => (typeof field === 'object' && field !== null && #parts in field ? field.#parts : undefined);
  }

  /** @internal Made by `heap.refField`; `new RefField` throws `TypeError`. */
  constructor(key: symbol, parts: RefFieldParts) {
    if (key !== MAKING_REF_FIELD) throw new TypeError('RefFields come from heap.refField(component, field)');
    this.#parts = parts;
    this.name = `${parts.data.name}.${parts.field.name}`;
    this.strong = parts.field.type === 'ref';
    this.length = parts.field.length;
    Object.freeze(this);
  }
}

export class Heap {
  // Replaced whole by `load` (the state a snapshot describes); never otherwise.
  #s: HeapState;
  #options: ResolvedOptions;
  #onFinalizerError: ((error: unknown) => void) | undefined;

  static {
    stateOfHeap = (heap) => heap.#s;
  }

  constructor(options?: HeapOptions) {
    const o = resolveOptions(options);
    this.#options = o;
    this.#s = createState(o);
    this.#onFinalizerError = o.onFinalizerError;
  }

  // ---- handles -------------------------------------------------------------------------------

  /**
   * The index `ref` names when it is a handle of an object whose color passes `mask` (`liveMask`
   * for live objects, `readMask` for readable ones), else 0. One compare rejects stale
   * generations, fractions, negatives, NaN and values past 2^53: for none is `ref - i` the
   * generation times the scale (exact for a non-negative `ref`, which `i` is at most; negative for
   * a negative one). gc/allocate.ts `firstNotLive` says why this form: faster in Deno and Bun.
   */
  #match(ref: unknown, mask: number): number {
    const s = this.#s;
    if (typeof ref !== 'number') return 0;
    const i = ref & s.codec.indexMask;
    return i !== 0 && i < s.top && (s.color[i]! & mask) !== 0 && ref - i === s.generation[i]! * s.codec.indexScale
      ? i
      : 0;
  }

  /** The index a live handle names; anything else throws `StaleRefError` naming the value. */
  #indexOf(ref: unknown, what: string): number {
    const i = this.#match(ref, this.#s.liveMask);
    return i !== 0 ? i : this.#notLive(ref, what);
  }

  /** `#indexOf`'s error, out of line so the checks that pass stay small enough to inline. */
  #notLive(ref: unknown, what: string): never {
    throw new StaleRefError(`${what} ${describe(ref)} ${this.#whyNotLive(ref)}`);
  }

  /**
   * The index of a handle whose slots may be read: a live object, or, while a finalizer runs, a
   * dead object awaiting reclamation, or a destroyed object while its own hooks run. Stores and
   * pins use `#indexOf`, so nothing dead is revived.
   */
  #readableIndexOf(ref: unknown): number {
    const i = this.#match(ref, this.#s.readMask);
    return i !== 0 ? i : this.#destroyingIndexOf(ref) || this.#notLive(ref, 'handle');
  }

  /** The index of an object whose `destroy` hooks are running, named by `ref`, or 0. */
  #destroyingIndexOf(ref: unknown): number {
    if (this.#destroying.length === 0 || typeof ref !== 'number') return 0;
    const s = this.#s;
    const i = ref & s.codec.indexMask;
    return this.#destroying.includes(i) && i + s.generation[i]! * s.codec.indexScale === ref ? i : 0;
  }

  /** Objects whose `destroy` hooks are running (innermost last): readable to them, live to nobody. */
  readonly #destroying: number[] = [];

  #whyNotLive(ref: unknown): string {
    const s = this.#s;
    if (typeof ref !== 'number') return 'is not a handle (handles are numbers)';
    if (ref === NULL) return 'is NULL';
    if (!Number.isInteger(ref) || ref < 0 || ref > Number.MAX_SAFE_INTEGER) {
      return 'is not a handle (not a non-negative integer below 2^53)';
    }
    const i = ref & s.codec.indexMask;
    const generation = Math.floor(ref / s.codec.indexScale);
    // An index of a page carved but never handed out is free at generation 0 (a freed one is past it).
    if (i === 0 || i >= s.top || (s.color[i] === FREE && s.generation[i] === 0)) {
      return `names index ${i}, which this heap never allocated`;
    }
    if (generation > s.codec.maxGeneration) return 'is not a handle of this heap (generation out of range)';
    if (generation < s.generation[i]! || (s.color[i]! & s.liveMask) === 0) {
      return `is stale: ${this.#whyStale(i, generation)}`;
    }
    return `is not a handle of this heap (index ${i} is at generation ${s.generation[i]})`;
  }

  /** When and by what the object at index `i`, generation `generation`, went, as far as the heap knows. */
  #whyStale(i: number, generation: number): string {
    const s = this.#s;
    const c = s.color[i]!;
    const current = s.generation[i]!;
    const roots = 'A handle in a JavaScript variable does not keep its object alive: pin it (heap.pin), ' +
      'or hold it from a pinned object.';
    if (generation === current) {
      if (c === DESTROYED || c === DESTROYED_ROOTED) return `its object (index ${i}) was destroyed (heap.destroy).`;
      if (c === DEAD) {
        return `its object (index ${i}) was found unreachable by minor collection #${s.minorCollections + 1}, ` +
          `whose finalizers are running. ${roots}`;
      }
      if (c !== FREE) {
        return `its object (index ${i}) was found unreachable by major collection #${s.majorCollections + 1}, ` +
          `which has yet to sweep it. ${roots}`;
      }
    }
    // A free index keeps its cause until reused; one that retired keeps its last generation.
    const retired = (s.flags[i]! & RETIRED) !== 0;
    const lastFreed = c === FREE && (retired ? generation === current : generation === current - 1);
    const cause = lastFreed ? freeCauseText(s.base[i]!) : null;
    if (cause === null) {
      return `its object (index ${i}) was freed${c === FREE ? '' : ', and the index has been reused since'}.` +
        (lastFreed ? ` ${roots}` : '');
    }
    return `its object (index ${i}) ${cause}.${(s.base[i]! & FREED_DESTROYED) === 0 ? ` ${roots}` : ''}`;
  }

  #checkSlot(index: number, slot: unknown): number {
    const n = this.#s.size[index]!;
    return typeof slot === 'number' && slot >>> 0 === slot && slot < n ? slot : badSlot(slot, n);
  }

  #checkSlotCount(n: unknown): number {
    return checkInteger('slot count', n, 0, this.#s.maxSlotsPerObject);
  }

  #handle(index: number): Ref {
    return packHandle(this.#s.codec, index, this.#s.generation[index]!) as Ref;
  }

  /** True when `ref` is a live handle of this heap. Never throws. */
  isAlive(ref: Ref): boolean {
    return this.#match(ref, this.#s.liveMask) !== 0;
  }

  /** The object's index, for indexing SoA columns. */
  index(ref: Ref): Index {
    return this.#readableIndexOf(ref) as Index;
  }

  /** The live handle at `index`, or NULL when no live object has that index. */
  refAt(index: Index): Ref {
    checkInteger('index', index, 0, Number.MAX_SAFE_INTEGER);
    const s = this.#s;
    if (index === 0 || index >= s.top || (s.color[index]! & s.liveMask) === 0) return NULL;
    return this.#handle(index);
  }

  // ---- objects -------------------------------------------------------------------------------

  /** The flag bits of an object kind, checked against the slot count. */
  #kindFlags(kind: unknown, slotCount: number): number {
    const kindFlags = kind === 'strong' ? 0 : kind === 'weak' ? WEAK : kind === 'ephemeron' ? EPHEMERON : -1;
    if (kindFlags === -1) {
      throw new TypeError(`object kind must be 'strong', 'weak' or 'ephemeron', got ${describe(kind)}`);
    }
    if (kindFlags === EPHEMERON && slotCount % 2 !== 0) {
      throw new RangeError(`an ephemeron needs an even slot count (key, value pairs), got ${slotCount}`);
    }
    return kindFlags;
  }

  /** A new object with `slots` NULL reference slots. Never collects; throws `HeapFullError` at `maxObjects`. */
  alloc(slots: number = 0, kind: ObjectKind = 'strong'): Ref {
    const s = this.#s;
    // The common call, checked in one condition: a strong object of a valid slot count, an index
    // and a block at hand (so `roomFor` has nothing to do); the commonest of those in one function.
    if (kind === 'strong' && typeof slots === 'number' && slots >>> 0 === slots && slots <= s.maxSlotsPerObject) {
      const i = allocCommon(s, slots);
      if (i !== 0) return this.#handle(i);
    }
    // The rest out of line, so that `alloc` is small enough for JavaScriptCore to inline into the
    // caller's loop (docs/decisions.md, "`alloc`'s path in two calls fewer").
    return this.#allocChecked(slots, kind);
  }

  /** `alloc` past its commonest call: every other case, checked, with the errors it may throw. */
  #allocChecked(slots: number, kind: ObjectKind): Ref {
    const s = this.#s;
    if (kind === 'strong' && typeof slots === 'number' && slots >>> 0 === slots && slots <= s.maxSlotsPerObject) {
      if (canTakeIndex(s) && canAllocBlock(s, slots)) return this.#handle(allocObject(s, slots, 0));
    }
    const n = this.#checkSlotCount(slots);
    const kindFlags = this.#kindFlags(kind, n);
    const why = roomFor(s, true, n);
    if (why !== '') throw new HeapFullError(why);
    const i = allocObject(s, n, kindFlags);
    return this.#handle(i);
  }

  slotCount(ref: Ref): number {
    return this.#s.size[this.#readableIndexOf(ref)]!;
  }

  /** What the object's slots are: `'strong'`, `'weak'` or `'ephemeron'` (as given to `alloc`). */
  kindOf(ref: Ref): ObjectKind {
    const flags = this.#s.flags[this.#readableIndexOf(ref)]!;
    return (flags & EPHEMERON) !== 0 ? 'ephemeron' : (flags & WEAK) !== 0 ? 'weak' : 'strong';
  }

  /**
   * The object in a slot, or NULL: empty, or naming an object destroyed since (the read barrier:
   * one color load), or the value of an ephemeron pair whose key was destroyed (as when a key is
   * freed).
   */
  get(ref: Ref, slot: number): Ref {
    const s = this.#s;
    // The common call (a readable object, a slot in range that is no ephemeron's value) checked in
    // one condition, as `set`'s is; anything else takes the checked path below. (Scratch loop,
    // warm: 7.5 -> 6.7 ns in Node, 26 -> 15-17 in Bun's first loop, Deno the same; with the handle
    // made inline rather than by `#handle`, Node's read 9.4.)
    if (typeof ref === 'number' && typeof slot === 'number') {
      const color = s.color;
      const i = ref & s.codec.indexMask;
      if (
        i !== 0 && i < s.top && (color[i]! & s.readMask) !== 0 && ref - i === s.generation[i]! * s.codec.indexScale &&
        slot >>> 0 === slot && slot < s.size[i]! && ((slot & 1) === 0 || (s.flags[i]! & EPHEMERON) === 0)
      ) {
        const target = s.slots[s.base[i]! + slot]!;
        return target === 0 || (color[target]! & s.deadColors) !== 0 ? NULL : this.#handle(target);
      }
    }
    const i = this.#readableIndexOf(ref);
    const k = this.#checkSlot(i, slot);
    const at = s.base[i]! + k;
    const target = s.slots[at]!;
    if (target === 0 || (s.color[target]! & s.deadColors) !== 0) return NULL;
    // An odd slot of an ephemeron is a value: NULL too when its key was destroyed (or is dead,
    // its pair not yet cleared: CLEAR).
    if ((k & 1) === 1 && (s.flags[i]! & EPHEMERON) !== 0 && (s.color[s.slots[at - 1]!]! & s.deadColors) !== 0) {
      return NULL;
    }
    return this.#handle(target);
  }

  /** The index in slot `slot` of readable object `i`, through the read barrier of `get`; 0 for NULL. */
  #targetOf(i: number, slot: unknown): number {
    const s = this.#s;
    const k = this.#checkSlot(i, slot);
    const at = s.base[i]! + k;
    const target = s.slots[at]!;
    if (target === 0 || (s.color[target]! & s.deadColors) !== 0) return 0;
    if ((k & 1) === 1 && (s.flags[i]! & EPHEMERON) !== 0 && (s.color[s.slots[at - 1]!]! & s.deadColors) !== 0) {
      return 0;
    }
    return target;
  }

  /**
   * The index of the object in a slot (0 for NULL), for loops that chase a reference and then read
   * the target's SoA columns: one checked call instead of `get` then `index`. `ref` is checked once.
   */
  targetIndex(ref: Ref, slot: number): Index {
    return this.#targetOf(this.#readableIndexOf(ref), slot) as Index;
  }

  /**
   * `targetIndex` for an object given by its index, as query results give them: the index of the
   * object in slot `slot` of the object at `index` (0 for NULL), through the read barrier, in one
   * checked call with no handle made or taken apart. `index` must hold a live object (else a
   * `RangeError`); an index names whichever object holds it now, so use it within the frame that
   * read it, as the query's columns.
   */
  targetAt(index: Index, slot: number): Index {
    const s = this.#s;
    const color = s.color;
    // The common call, checked in one condition with each column read once and no helper called
    // (the loops that chase targets make it per entity: JavaScriptCore did not inline the helpers,
    // 7.4 ns a call against 3.5 inline); an odd slot of an ephemeron, and every bad argument, take
    // the checked path, which says what is wrong.
    if (
      typeof index === 'number' && index > 0 && index < s.top && (color[index]! & s.readMask) !== 0 &&
      typeof slot === 'number' && slot >>> 0 === slot && slot < s.size[index]! &&
      ((slot & 1) === 0 || (s.flags[index]! & EPHEMERON) === 0)
    ) {
      const target = s.slots[s.base[index]! + slot]!;
      return (target === 0 || (color[target]! & s.deadColors) !== 0 ? 0 : target) as Index;
    }
    return this.#targetOf(this.#indexAt(index, s.readMask), slot) as Index;
  }

  /**
   * `index` when an object whose color is in `mask` holds it (`readMask` for reads, `liveMask`
   * for stores, as handles are checked), else the error naming it.
   */
  #indexAt(index: unknown, mask: number): number {
    const s = this.#s;
    if (typeof index !== 'number' || !(index > 0 && index < s.top) || (s.color[index]! & mask) === 0) {
      this.#badIndex(index);
    }
    return index;
  }

  /** Throws the error for an index that holds no readable object. */
  #badIndex(index: unknown): never {
    if (typeof index !== 'number') throw new TypeError(`index must be an integer, got ${describe(index)}`);
    if (!Number.isInteger(index)) throw new RangeError(`index must be an integer, got ${describe(index)}`);
    throw new RangeError(`index ${describe(index)} holds no live object`);
  }

  /**
   * `count` new objects of `slots` slots each, as a wave a game spawns at once: their handles, in
   * allocation order. Slots start NULL, or, given `targets` (`count * slots` handles or NULL,
   * object by object: `targets[j * slots + k]` goes in slot `k` of object `j`), hold those objects,
   * stored through the write barrier as `set` stores. Checked once for the whole wave, all or
   * nothing: a target that is no live handle throws `StaleRefError` naming it and its position, a
   * wave that does not fit throws `HeapFullError`, and either allocates none. Like `alloc`, never
   * collects. Given `into` (a `RefArray` of at least `count` entries), the handles are written to its
   * first `count` entries and `into` is returned: a game that spawns a wave every frame reuses one
   * array instead of making (and faulting in) a new one each time.
   */
  allocMany(
    count: number,
    slots: number = 0,
    kind: ObjectKind = 'strong',
    targets?: ArrayLike<Ref>,
    into?: RefArray,
  ): RefArray {
    checkInteger('count', count, 0, Number.MAX_SAFE_INTEGER);
    const n = this.#checkSlotCount(slots);
    const kindFlags = this.#kindFlags(kind, n);
    if (into !== undefined) checkInto(into, count);
    const s = this.#s;
    // Past the pool's ceiling no wave fits, whatever its targets (and no array of them is made).
    if (count * n > s.maxSlots) throw new HeapFullError(waveBlocksDoNotFit(s, count, n));
    const length = count * n;
    // A Float64Array of its own memory (a `RefArray`, the usual form; no Proxy of one, no memory
    // shared with other threads) reads the same twice, so it is checked here and read again as the
    // wave is stored, with no array of indices made (a fresh typed array costs a page fault a 4 KB
    // page on first write: in Node 3.1 ms for the 800 KB a wave of 10^5 needs, against 0.1 ms to
    // refill one). Any other array-like is read once, into indices (a getter may answer differently
    // the second time), as is one sharing memory with `into`, written while the targets are read.
    const reread = ArrayBuffer.isView(targets) && targets instanceof Float64Array &&
        targets.buffer instanceof ArrayBuffer && (into === undefined || into.buffer !== targets.buffer)
      ? targets
      : undefined;
    const from = targets === undefined ? undefined : this.#checkTargets(targets, length, reread);
    const why = roomForMany(s, count, n);
    if (why !== '') throw new HeapFullError(why);
    const handles = into ?? new Float64Array(count) as RefArray;
    // The checked indices, or the Float64Array read again: either way `& indexMask` gives the index
    // (an index is below 2^indexBits), and 0 is NULL.
    allocWave(s, count, n, kindFlags, from, s.codec.indexMask, handles);
    return handles;
  }

  /**
   * Checks `allocMany`'s targets: `length` entries, each NULL or a live handle; else the error
   * naming the first bad one. Returns what the wave stores from: `reread` (the targets themselves,
   * a `Float64Array` that reads the same twice) when given, else the targets read once into
   * indices (0 for NULL), so what is stored is what was checked, whatever the array-like does on a
   * second read. Either way a `Float64Array`, so `allocWave` reads one kind of array.
   */
  #checkTargets(targets: ArrayLike<Ref>, length: number, reread: Float64Array | undefined): Float64Array {
    if (typeof targets !== 'object' || targets === null || typeof targets.length !== 'number') {
      throw new TypeError(`targets must be an array of handles, got ${describe(targets)}`);
    }
    if (targets.length !== length) {
      throw new RangeError(`targets must hold count * slots = ${length} handles, got ${describe(targets.length)}`);
    }
    const liveMask = this.#s.liveMask;
    if (reread !== undefined) {
      const at = firstNotLive(this.#s, reread, length, liveMask);
      if (at >= 0) this.#notLive(reread[at], `targets[${at}]`);
      return reread;
    }
    const indices = new Float64Array(length);
    // `#indexOf` inline: its error name is built only for a bad entry, not for every one.
    for (let at = 0; at < length; at++) {
      const target = targets[at];
      if (target === NULL) continue;
      const i = this.#match(target, liveMask);
      if (i === 0) this.#notLive(target, `targets[${at}]`);
      indices[at] = i;
    }
    return indices;
  }

  /** Stores `target` in a slot; NULL clears it. */
  set(ref: Ref, slot: number, target: Ref): void {
    const s = this.#s;
    // The common call (a live owner that is no ephemeron, a slot in range, a live target or NULL)
    // checked in one condition, each column read once and no private method called, as `targetAt`
    // is (a store through the checking methods: 15 ns in Node and Bun, against 10.5 and 13 so;
    // docs/decisions.md, "`set` and `setAt` check in one condition"). Anything else takes the
    // checked path below, which says what is wrong.
    if (typeof ref === 'number' && typeof target === 'number' && typeof slot === 'number') {
      const { color, generation } = s;
      const indexMask = s.codec.indexMask;
      const indexScale = s.codec.indexScale;
      const liveMask = s.liveMask;
      const top = s.top;
      const i = ref & indexMask;
      const t = target & indexMask;
      if (
        i !== 0 && i < top && (color[i]! & liveMask) !== 0 && ref - i === generation[i]! * indexScale &&
        slot >>> 0 === slot && slot < s.size[i]! && (s.flags[i]! & EPHEMERON) === 0 &&
        (target === NULL ||
          (t !== 0 && t < top && (color[t]! & liveMask) !== 0 && target - t === generation[t]! * indexScale))
      ) {
        writeSlot(s, i, slot, t);
        return;
      }
    }
    const i = this.#indexOf(ref, 'handle');
    const k = this.#checkSlot(i, slot);
    this.#storeSlot(i, k, target === NULL ? 0 : this.#indexOf(target, 'target'));
  }

  /**
   * `set` for loops that hold indices, as `targetAt` reads: stores the object at index `target`
   * (0 for NULL) in slot `slot` of the object at `index`, through the write barrier, in one
   * checked call with no handle made or taken apart. Both indices must hold live objects (else a
   * `RangeError` naming the index, and nothing is stored). An index names whichever object holds
   * it now: use it within the frame that read it (no collection or allocation between), as the
   * query's columns, or a store meant for a freed object lands in the one reusing its index.
   */
  setAt(index: Index, slot: number, target: Index): void {
    const s = this.#s;
    // The common call checked in one condition, as `set`'s is; anything else takes the checked path.
    if (typeof index === 'number' && typeof slot === 'number' && typeof target === 'number') {
      const color = s.color;
      const liveMask = s.liveMask;
      const top = s.top;
      if (
        index > 0 && index < top && (color[index]! & liveMask) !== 0 &&
        slot >>> 0 === slot && slot < s.size[index]! && (s.flags[index]! & EPHEMERON) === 0 &&
        (target === 0 || (target > 0 && target < top && (color[target]! & liveMask) !== 0))
      ) {
        writeSlot(s, index, slot, target);
        return;
      }
    }
    const liveMask = s.liveMask; // stores take no dead object
    const i = this.#indexAt(index, liveMask);
    const k = this.#checkSlot(i, slot);
    this.#storeSlot(i, k, target === 0 ? 0 : this.#indexAt(target, liveMask));
  }

  /** The store of `set` and `setAt` into checked slot `k` of live object `i`. */
  #storeSlot(i: number, k: number, target: number): void {
    const s = this.#s;
    if ((s.flags[i]! & EPHEMERON) !== 0) {
      // A pair keyed by a destroyed (or dead, during CLEAR) object reads (NULL, NULL): make it so
      // before a store into it.
      const key = s.base[i]! + (k & ~1);
      if ((s.color[s.slots[key]!]! & s.deadColors) !== 0) s.slots[key] = s.slots[key + 1] = 0;
    }
    writeSlot(s, i, k, target);
  }

  /**
   * Grows the heap's storage now, so that `objects` object indices and `slots` reference slots
   * exist without any later `alloc` growing it (`stats().capacity` and `slotsCapacity` become at
   * least these). For a loading screen: a growth copies every header column into fresh memory,
   * which costs a frame 13-70 ms at 0.2-1.3M objects on the bench machines (bench/growth.bench.ts),
   * and `reserve` moves that cost to when the game chooses. Every component's member list and every
   * query's list gets room for `objects` entries too (and those made later start with it), so no
   * `add` copies a list, and so do the weak lists and the slot pool's lists of free singles and
   * pairs, so that no `tick` copies one as `objects` weak objects are made and promoted or `slots`
   * slots are freed (room `stats().bytes` counts only once used). Never shrinks anything, never
   * collects.
   * `objects` is at most `maxObjects`, `slots` below `maxSlots`; anything else throws naming the
   * value, with nothing grown. As after an `alloc`, re-read component columns afterwards.
   */
  reserve(objects: number, slots: number = 0): void {
    const s = this.#s;
    checkInteger('reserved objects', objects, 0, s.maxObjects);
    checkInteger('reserved slots', slots, 0, s.maxSlots - 1);
    reserveIndices(s, objects);
    reserveLists(s.components, objects);
    reserveWeakLists(s, objects);
    reserveSlots(s, slots);
  }

  /** Changes the slot count, keeping the first min(old, new) slots; new slots start NULL. */
  resize(ref: Ref, slots: number): void {
    const s = this.#s;
    const i = this.#indexOf(ref, 'handle');
    const n = this.#checkSlotCount(slots);
    if ((s.flags[i]! & EPHEMERON) !== 0 && n % 2 !== 0) {
      throw new RangeError(`an ephemeron needs an even slot count (key, value pairs), got ${n}`);
    }
    resizeObject(s, i, n);
  }

  /**
   * Runs `fn(ref)` once, after the object is found unreachable and before its index is reused.
   * While it runs the object (and every other dead object of that collection) can still be read;
   * it cannot be stored or pinned, so it cannot come back. A second call replaces the function.
   */
  setFinalizer(ref: Ref, fn: (ref: Ref) => void): void {
    const i = this.#indexOf(ref, 'handle');
    if (typeof fn !== 'function') throw new TypeError(`a finalizer must be a function, got ${describe(fn)}`);
    const s = this.#s;
    if ((s.flags[i]! & FINALIZABLE) === 0) {
      s.flags[i] = s.flags[i]! | FINALIZABLE;
      listFinalizable(s, i);
    }
    s.finalizers[i] = fn;
  }

  /**
   * Takes the object out of the game now, whatever still refers to it: its handle is stale at
   * once (`isAlive` false, every call given it throws `StaleRefError` saying it was destroyed), it
   * leaves every query, every slot and `ref`/`weakref` field naming it reads NULL from now on, and
   * its finalizer and `onRemove` hooks run as for a collected object (it is readable to them;
   * collection is forbidden inside them). Its slots and components are released at once; its index
   * is reclaimed by the next collection that proves nothing names it any more (a minor for a young
   * object, else a major cycle), so no slot can ever name a stranger. Errors thrown by its hooks
   * are reported as finalizer errors are, once the object is gone: to `onFinalizerError`, or thrown
   * together as one `AggregateError`.
   */
  destroy(ref: Ref): void {
    const s = this.#s;
    const i = this.#indexOf(ref, 'handle');
    beginDestroy(s, i);
    // An object with a finalizer or a hooked component has hooks to run; most have none.
    const errors = (s.flags[i]! & FINALIZABLE) === 0 ? NO_ERRORS : this.#runDestroyHooks(i);
    dismantle(s, i);
    this.#reportErrors(errors);
  }

  /** Runs a destroyed object's hooks, readable to them; returns what they threw. */
  #runDestroyHooks(i: number): unknown[] {
    const s = this.#s;
    // Hooks already running for this object inside `remove` do not run again.
    const skip = this.#removing.length === 0
      ? NO_COMPONENTS
      : this.#removing.filter((entry) => entry.index === i).map((entry) => entry.data);
    const outerErrors = s.finalizerErrors;
    s.finalizerErrors = recordList();
    this.#destroying.push(i);
    this.#hooks.push('a finalizer or onRemove hook run by destroy()');
    try {
      runDestroyHooks(s, i, skip);
    } finally {
      this.#hooks.pop();
      this.#destroying.pop();
    }
    const errors = s.finalizerErrors;
    s.finalizerErrors = outerErrors;
    return errors;
  }

  // ---- components ----------------------------------------------------------------------------

  /**
   * Defines a component: fields of type `f32 f64 i8 i16 i32 u8 u16 u32`, `ref` (a traced edge that
   * keeps its target alive) or `weakref` (reads NULL once its target is freed), or fixed-length
   * arrays of them (`['f32', 3]`). An empty schema makes a tag.
   */
  defineComponent<const S extends Schema>(schema: S, options: ComponentOptions = {}): Component<S> {
    const store = this.#s.components;
    const s = this.#s;
    const name = checkComponentDefinition(store, schema, options, s.maxObjects + 1);
    const data = addComponentData(store, name, { ...schema }, options.onRemove, s.columnLength, s.maxObjects + 1);
    const component = { name, id: data.id, schema: data.schema };
    // Numeric columns never move (core/component-store.ts): plain properties, kept as long as you like.
    for (const field of data.fields) {
      if (isReferenceType(field.type)) continue;
      Object.defineProperty(component, field.name, { value: field.column, enumerable: true });
    }
    Object.freeze(component);
    componentData.set(component, { heap: this, data });
    this.#components.push(component);
    return component as Component<S>;
  }

  /**
   * The component defined under `name`, or undefined. Given the schema too, the result is typed
   * with it (its columns and field names known to the compiler), after checking that the
   * component really has that schema: a `TypeError` names the difference. That is how code that
   * did not define a component (a restored heap, a module) gets it typed without a cast.
   */
  component(name: string): Component | undefined;
  component<const S extends Schema>(name: string, schema: S): Component<S> | undefined;
  component(name: string, schema?: Schema): Component | undefined {
    const found = this.#components.find((component) => componentData.get(component)!.data.name === name);
    if (found === undefined || schema === undefined) return found as Component | undefined;
    const data = componentData.get(found)!.data;
    const difference = schemaDifference(data.schema, schema);
    if (difference !== null) throw new TypeError(`component '${name}' ${difference}`);
    return found as Component;
  }

  /** The components of this heap, in definition order. */
  readonly #components: object[] = recordList();
  /**
   * The components last looked up, without the WeakMap: a system adds or reads a few components
   * for many entities (a spawn adds Position, Velocity, Projectile to each projectile in turn), so
   * a few entries, replaced in turn, hold them all. Safe to keep: a component's data never changes
   * (`load` refills it in place). Empty entries hold `NO_COMPONENT`, which no caller holds.
   */
  #recentComponents: unknown[] = [NO_COMPONENT, NO_COMPONENT, NO_COMPONENT, NO_COMPONENT];
  #recentData: (ComponentData | null)[] = [null, null, null, null];
  #recentNext = 0;

  #dataOf(component: unknown): ComponentData {
    const recent = this.#recentComponents;
    for (let k = 0; k < RECENT_COMPONENTS; k++) if (recent[k] === component) return this.#recentData[k]!;
    const entry = typeof component === 'object' && component !== null ? componentData.get(component) : undefined;
    if (entry !== undefined && entry.heap === this) {
      const k = this.#recentNext;
      recent[k] = component;
      this.#recentData[k] = entry.data;
      this.#recentNext = (k + 1) % RECENT_COMPONENTS;
      return entry.data;
    }
    if (entry !== undefined) {
      throw new TypeError(
        `component '${entry.data.name}' is not a component of this heap: it belongs to another heap ` +
          `(a heap made by Heap.restore has new component objects: heap.component('${entry.data.name}'))`,
      );
    }
    const name = typeof component === 'object' && component !== null
      ? (component as { name?: unknown }).name
      : undefined;
    throw new TypeError(
      typeof name === 'string'
        ? `an object named '${name}' is not a component of this heap (components come from heap.defineComponent)`
        : `${describe(component)} is not a component of this heap (components come from heap.defineComponent)`,
    );
  }

  /** The field named `field` (a loop, not a closure: add, getField and setField run per entity). */
  #field(data: ComponentData, field: unknown): FieldData {
    const fields = data.fields;
    for (let k = 0; k < fields.length; k++) if (fields[k]!.name === field) return fields[k]!;
    throw new TypeError(`component '${data.name}' has no field ${describe(field)}`);
  }

  #element(f: FieldData, element: unknown): number {
    if (typeof element === 'number' && element >>> 0 === element && element < f.length) return element;
    throw new RangeError(`element ${describe(element)} is out of range: field '${f.name}' has ${f.length}`);
  }

  /** Checks one `init` entry for `add` (its length, and each value). */
  #checkInit(f: FieldData, value: unknown): void {
    if (!Array.isArray(value)) {
      if (f.length !== 1) throw new RangeError(`field '${f.name}' takes ${f.length} values, got 1`);
      this.#fieldValue(f, value);
      return;
    }
    if (value.length !== f.length) {
      throw new RangeError(
        `field '${f.name}' takes ${plural(f.length, 'value')}, got ${value.length}`,
      );
    }
    for (let at = 0; at < value.length; at++) this.#fieldValue(f, value[at]);
  }

  /**
   * Gives the object a component (fields zeroed, then set from `init`). Adding a component the
   * object has already keeps its values and applies `init`. Every value is checked first, and a
   * bad one changes nothing. Allocates no JavaScript objects (it runs per spawned entity).
   */
  add<S extends Schema>(ref: Ref, component: Component<S>, init?: ComponentInit<S>): void {
    const i = this.#indexOf(ref, 'handle');
    const data = this.#dataOf(component);
    if (init !== undefined) {
      if (typeof init !== 'object' || init === null) {
        throw new TypeError(`init must be an object, got ${describe(init)}`);
      }
      for (const field in init) if (Object.hasOwn(init, field)) this.#checkInit(this.#field(data, field), init[field]);
    }
    this.#join(data, i);
    if (init === undefined) return;
    // Every key of `init` named a field (checked above): walk the component's few fields instead.
    const fields = data.fields;
    const values = init as Record<string, unknown>;
    for (let k = 0; k < fields.length; k++) {
      const f = fields[k]!;
      // Own keys only, as checked: a field may be named as an inherited property (`constructor`).
      if (!Object.hasOwn(values, f.name)) continue;
      const value = values[f.name];
      if (!Array.isArray(value)) {
        this.#store(i, f, 0, this.#fieldValue(f, value));
        continue;
      }
      for (let at = 0; at < value.length; at++) this.#store(i, f, at, this.#fieldValue(f, value[at]));
    }
  }

  /** Makes live object `i` a member of `data` (fields zeroed), or keeps it one: `add` without `init`. */
  #join(data: ComponentData, i: number): void {
    const s = this.#s;
    // A young member of a component with `weakref` fields is one a minor must clear references of
    // (weak and ephemeron objects are listed already).
    if (
      data.weakRefs.length > 0 && data.position[i] === 0 && (s.flags[i]! & (YOUNG | NOT_STRONG)) === YOUNG
    ) listYoungWeak(s, i);
    addMember(data, i);
    s.flags[i] = s.flags[i]! | HAS_COMPONENTS;
    if (data.onRemove !== undefined && (s.flags[i]! & FINALIZABLE) === 0) {
      s.flags[i] = s.flags[i]! | FINALIZABLE;
      listFinalizable(s, i);
    }
  }

  /**
   * `add(ref, component)` for each of the first `count` handles of `refs` (all of them by
   * default): fields zeroed, or kept where the object has the component already. For a wave a game
   * spawns at once (`allocMany`'s handles), with the component looked up once. Every handle is
   * checked first: a bad one (or a bad `count`) throws naming it, and nothing is added. Allocates
   * no JavaScript objects when `refs` is a `RefArray` (a `Float64Array`, as `allocMany` returns).
   */
  addMany<S extends Schema>(refs: ArrayLike<Ref>, component: Component<S>, count?: number): void {
    if (typeof refs !== 'object' || refs === null || typeof refs.length !== 'number') {
      throw new TypeError(`refs must be an array of handles, got ${describe(refs)}`);
    }
    const n = count === undefined ? refs.length : checkInteger('count', count, 0, refs.length);
    const data = this.#dataOf(component);
    // A Float64Array of its own memory (no Proxy of one: `isView` sees through none) reads the same
    // every time and runs no code; any other array-like is copied into one first, so that its
    // getters (user code, which may free or destroy objects) have all run before anything is checked.
    let handles: ArrayLike<number> = refs;
    // The first entry that is no number (a copy cannot hold it), named when the checks reach it.
    let odd = -1;
    let oddValue: unknown;
    if (!(ArrayBuffer.isView(refs) && refs instanceof Float64Array && refs.buffer instanceof ArrayBuffer)) {
      const copy = new Float64Array(n);
      for (let at = 0; at < n; at++) {
        const ref: unknown = refs[at];
        if (typeof ref === 'number') copy[at] = ref;
        else if (odd < 0) [odd, oddValue] = [at, ref];
      }
      handles = copy;
    }
    const liveMask = this.#s.liveMask;
    for (let at = 0; at < n; at++) {
      if (at === odd) this.#notLive(oddValue, `refs[${at}]`);
      if (this.#match(handles[at], liveMask) === 0) this.#notLive(handles[at], `refs[${at}]`);
    }
    const indexMask = this.#s.codec.indexMask;
    // Checked: each names a live object, and `& indexMask` gives its index.
    if (data.weakRefs.length > 0 || data.onRemove !== undefined) {
      for (let at = 0; at < n; at++) this.#join(data, handles[at]! & indexMask);
      return;
    }
    // The common component (no weakref field, no hook): `#join`'s other work is the flag.
    addMembers(data, handles, n, indexMask);
    const flags = this.#s.flags;
    for (let at = 0; at < n; at++) {
      const i = handles[at]! & indexMask;
      flags[i] = flags[i]! | HAS_COMPONENTS;
    }
  }

  /** Checks a value for a field; returns what the column stores (an index for `ref` fields). */
  #fieldValue(f: FieldData, value: unknown): number {
    if (f.type === 'ref' || f.type === 'weakref') {
      return value === NULL ? 0 : this.#indexOf(value, `value for field '${f.name}'`);
    }
    if (typeof value !== 'number') throw new TypeError(`field '${f.name}' takes numbers, got ${describe(value)}`);
    return value;
  }

  #store(i: number, f: FieldData, at: number, value: number): void {
    const k = i * f.length + at;
    if (f.type === 'ref' || f.type === 'weakref') writeRefField(this.#s, i, f.column, k, value, f.type === 'ref');
    else storeElement(f, k, value);
  }

  /** The (component, object) pairs whose `onRemove` hook is running inside `remove`. */
  readonly #removing: { data: ComponentData; index: number }[] = recordList();

  /** Takes a component away (running its onRemove hook first, while it is still readable). */
  remove(ref: Ref, component: ComponentBase): void {
    const s = this.#s;
    const i = this.#indexOf(ref, 'handle');
    const data = this.#dataOf(component);
    if (data.position[i] === 0) return;
    // The hook runs first, while the component is readable, with collection forbidden (it must not
    // free the object under the call). If it throws, the component stays: like every throwing
    // call, `remove` then leaves the heap as the hook left it.
    // A hook that removes the same component again does so without running itself twice.
    const inHook = this.#removing.findIndex((entry) => entry.data === data && entry.index === i) !== -1;
    if (data.onRemove !== undefined && !inHook) {
      s.noGcDepth++;
      this.#removing.push({ data, index: i });
      this.#hooks.push(`the onRemove hook of '${data.name}' run by remove()`);
      try {
        data.onRemove(ref);
      } finally {
        s.noGcDepth--;
        this.#removing.pop();
        this.#hooks.pop();
      }
      // The hook may itself have removed the component.
      if (data.position[i] === 0) return;
    }
    removeMember(data, i);
    if (!hasAnyComponent(s.components, i)) s.flags[i] = s.flags[i]! & ~HAS_COMPONENTS;
  }

  has(ref: Ref, component: ComponentBase): boolean {
    return this.#dataOf(component).position[this.#readableIndexOf(ref)] !== 0;
  }

  /**
   * A field's value (element `element` of an array field): a number, or a handle for `ref` and
   * `weakref` fields (NULL once their target is freed or destroyed). Field names are checked
   * against the component's schema by the compiler, and at run time.
   */
  getField<S extends Schema, F extends FieldName<S>>(
    ref: Ref,
    component: Component<S>,
    field: F,
    element: number = 0,
  ): FieldValue<S[F]> {
    const s = this.#s;
    const i = this.#readableIndexOf(ref);
    const data = this.#dataOf(component);
    const f = this.#field(data, field);
    const at = this.#element(f, element);
    if (data.position[i] === 0) throw new TypeError(`the object ${ref} has no component '${data.name}'`);
    const value = f.column[i * f.length + at]!;
    if (f.type !== 'ref' && f.type !== 'weakref') return value as FieldValue<S[F]>;
    // The read barrier, as in `get`: a destroyed target reads NULL.
    return (value === 0 || (s.color[value]! & DESTROYED_ANY) !== 0 ? NULL : this.#handle(value)) as FieldValue<
      S[F]
    >;
  }

  /** Sets a field; the only way to write a `ref` or `weakref` field (stores go through the barrier). */
  setField<S extends Schema, F extends FieldName<S>>(
    ref: Ref,
    component: Component<S>,
    field: F,
    value: FieldValue<S[F]>,
    element: number = 0,
  ): void {
    const i = this.#indexOf(ref, 'handle');
    const data = this.#dataOf(component);
    const f = this.#field(data, field);
    const at = this.#element(f, element);
    if (data.position[i] === 0) throw new TypeError(`the object ${ref} has no component '${data.name}'`);
    this.#store(i, f, at, this.#fieldValue(f, value));
  }

  /**
   * Field `field` of `component`, a `ref` or `weakref` field, resolved once for `getRef`,
   * `setRef` and `refIndex`. Throws `TypeError` for a component of another heap, an unknown
   * field or a numeric one.
   */
  refField<S extends Schema>(component: Component<S>, field: RefFieldName<S>): RefField {
    const data = this.#dataOf(component);
    const f = this.#field(data, field);
    if (f.type !== 'ref' && f.type !== 'weakref') {
      throw new TypeError(
        `field '${f.name}' of component '${data.name}' is a '${f.type}' field; refField takes 'ref' and 'weakref' ` +
          'fields (numeric columns are read directly: component.field[index])',
      );
    }
    return new RefField(MAKING_REF_FIELD, { heap: this, data, field: f });
  }

  /** The parts of a `RefField` this heap made; anything else throws `TypeError` naming it. */
  #refParts(field: unknown): RefFieldParts {
    const parts = partsOf(field);
    if (parts === undefined) {
      throw new TypeError(`${describe(field)} is not a RefField (they come from heap.refField)`);
    }
    if (parts.heap !== this) throw new TypeError(`RefField '${(field as RefField).name}' belongs to another heap`);
    return parts;
  }

  /** The column position of element `element` of `field` on object `i`, which must have the component. */
  #refAt(i: number, parts: RefFieldParts, element: unknown, ref: unknown): number {
    const f = parts.field;
    const at = element === 0 ? 0 : this.#element(f, element);
    if (parts.data.position[i] === 0) {
      throw new TypeError(`the object ${describe(ref)} has no component '${parts.data.name}'`);
    }
    return i * f.length + at;
  }

  /**
   * `getField` for a `RefField`: the handle in element `element` of the field, NULL when empty or
   * when its target was freed or destroyed (`refIndex`'s read barrier).
   */
  getRef(ref: Ref, field: RefField, element: number = 0): Ref {
    const target = this.refIndex(ref, field, element);
    return target === 0 ? NULL : this.#handle(target);
  }

  /**
   * The index of the object in element `element` of the field (0 for NULL, as `getRef` reads it),
   * for loops that go on to read the target's columns: one checked call instead of `getRef` then `index`.
   */
  refIndex(ref: Ref, field: RefField, element: number = 0): Index {
    const parts = this.#refParts(field);
    const at = this.#refAt(this.#readableIndexOf(ref), parts, element, ref);
    const target = parts.field.column[at]!;
    return (target === 0 || (this.#s.color[target]! & DESTROYED_ANY) !== 0 ? 0 : target) as Index;
  }

  /** `setField` for a `RefField`: stores `target` (NULL clears) through the barrier. */
  setRef(ref: Ref, field: RefField, target: Ref, element: number = 0): void {
    const parts = this.#refParts(field);
    const i = this.#indexOf(ref, 'handle');
    const at = this.#refAt(i, parts, element, ref);
    const t = target === NULL ? 0 : this.#indexOf(target, `value for field '${parts.field.name}'`);
    writeRefField(this.#s, i, parts.field.column, at, t, parts.field.type === 'ref');
  }

  /**
   * The indices of the live objects that have every given component and none of the `not(...)`
   * ones, as a dense `Uint32Array` (a view: valid until the next add, remove or collection; asked
   * again while nothing changed the query, the same array, so a system querying every frame makes
   * no engine garbage). Index SoA columns with them directly; `refAt(index)` gives the handle.
   */
  query(...terms: (ComponentBase | Not)[]): IndexArray {
    const s = this.#s;
    const sole = terms.length === 1 && componentData.has(terms[0]!) ? soleQuery(this.#dataOf(terms[0])) : undefined;
    const q = sole ?? this.#queryOf(terms);
    // Objects found dead by a cycle's marking stay members until the sweep frees them: dropped at
    // the query's first call after the atomic step (none joins or dies later in the cycle; the
    // loops of a game's frames then pay for them once, not every frame). A minor's dead, while
    // its finalizers run, and a destroyed object while its hooks run (a query first built inside
    // one would take it in), at every call.
    const cycleDead = s.liveMask !== BOTH_MARKS;
    if (
      s.phase === MINOR_FINALIZE || this.#destroying.length > 0 ||
      (cycleDead && q.deadDroppedInCycle !== s.majorCollections)
    ) {
      dropDeadFromQuery(q, s.color, s.liveMask);
      // Any pass during a sweep (liveMask then excludes the cycle's white) drops all its dead.
      if (cycleDead) q.deadDroppedInCycle = s.majorCollections;
    }
    return queryView(q) as IndexArray;
  }

  /** The cached query for `terms`, built on first use; a bad term throws naming it. */
  #queryOf(terms: (ComponentBase | Not)[]): QueryData {
    const all: ComponentData[] = [];
    const none: ComponentData[] = [];
    for (const term of terms) {
      if (typeof term === 'object' && term !== null && 'not' in term && !componentData.has(term)) {
        none.push(this.#dataOf(term.not));
      } else {
        all.push(this.#dataOf(term));
      }
    }
    if (all.length === 0) throw new TypeError('a query needs at least one component that is not negated');
    return getQuery(this.#s.components, all, none);
  }

  // ---- roots ---------------------------------------------------------------------------------

  /** Makes the object a root until the returned ticket is unpinned. Pinning twice needs two unpins. */
  pin(ref: Ref): Ticket {
    return addPin(this.#s, this.#indexOf(ref, 'handle')) as Ticket;
  }

  /** Releases a pin; a stale or unknown ticket throws `StaleTicketError`. */
  unpin(ticket: Ticket): void {
    removePin(this.#s, ticket);
  }

  /** The object a ticket pins, or NULL when the ticket is stale. */
  pinned(ticket: Ticket): Ref {
    const s = this.#s;
    const p = pinSlot(s, ticket);
    // A pin of a destroyed object stays (unpin it as usual) but names nothing.
    return p === 0 || (s.color[s.pinTarget[p]!]! & DESTROYED_ANY) !== 0 ? NULL : this.#handle(s.pinTarget[p]!);
  }

  /** Runs `fn`; objects allocated inside it are roots until it returns (or throws). */
  scope<T>(fn: () => T): T {
    if (typeof fn !== 'function') throw new TypeError(`scope needs a function, got ${describe(fn)}`);
    const s = this.#s;
    const mark = s.scopeTop;
    s.scopeDepth++;
    try {
      return fn();
    } finally {
      s.scopeDepth--;
      s.scopeTop = mark;
    }
  }

  /** Runs `fn` with collection forbidden: `collect` inside it throws `GcForbiddenError`. */
  noGc<T>(fn: () => T): T {
    if (typeof fn !== 'function') throw new TypeError(`noGc needs a function, got ${describe(fn)}`);
    const s = this.#s;
    s.noGcDepth++;
    try {
      return fn();
    } finally {
      s.noGcDepth--;
    }
  }

  // ---- collection ----------------------------------------------------------------------------

  /** What user code the heap is running, innermost last: for `GcForbiddenError` messages. */
  readonly #hooks: string[] = recordList();

  #forbidInNoGc(what: string): void {
    const s = this.#s;
    if (s.noGcDepth === 0) return;
    // The innermost reason: a hook the facade runs, else a collection's finalizer phase, else noGc().
    const where = this.#hooks.length > 0
      ? this.#hooks[this.#hooks.length - 1]
      : s.finalizeTop > 0
      ? 'a finalizer or onRemove hook run by a collection'
      : 'noGc()';
    throw new GcForbiddenError(
      `${what}() called inside ${where}: collection is forbidden there (collections do not nest, and ` +
        'finalizers and hooks run inside one or inside the call that triggered them); collect after it returns',
    );
  }

  /**
   * A full stop-the-world collection: afterwards the live objects are exactly those roots reach,
   * and every survivor is old. A cycle in progress is finished first.
   */
  collect(): CollectionInfo {
    this.#forbidInNoGc('collect');
    const s = this.#s;
    const start = performance.now();
    // Counted from the live count: objects a cycle's marking already found dead read as dead
    // before this call, so they are not counted again when its sweep frees them here; objects
    // finalizers allocate meanwhile are added back.
    const liveBefore = this.#liveCount();
    const allocationsBefore = s.allocations;
    const workBefore = s.workDone;
    fullCollection(s);
    // A full collection leaves every survivor old, objects its finalizers allocated included.
    tenureAll(s);
    const freed = liveBefore + (s.allocations - allocationsBefore) - this.#liveCount();
    settleDebt(s);
    const report = this.#report('collect', 'full', start, null, null, 0, freed, true, s.workDone - workBefore);
    return { kind: 'major', freed, live: report.young + report.old, ms: report.ms };
  }

  /** Records a collector call's wall time as a pause. */
  #pause(start: number): number {
    const s = this.#s;
    const ms = start === IDLE_TICK ? 0 : performance.now() - start;
    s.lastPauseMs = ms;
    s.totalPauseMs += ms;
    if (ms > s.maxPauseMs) s.maxPauseMs = ms;
    return ms;
  }

  /**
   * The end of every collector call: records the pause, tells the observers, then reports
   * finalizer errors (the heap is consistent by then).
   */
  #report(
    call: TickReport['call'],
    work: TickReport['work'],
    start: number,
    budgetMs: number | null,
    budgetUnits: number | null,
    minorFreed: number,
    majorFreed: number,
    cycleEnded: boolean,
    units: number,
    stretched = false,
    into: TickReport | undefined = undefined,
  ): TickReport {
    const s = this.#s;
    const ms = this.#pause(start);
    const live = this.#liveCount();
    const young = this.#youngCount();
    const phase = this.phase;
    const debt = s.pacer.debt;
    const old = live - young;
    // One fill path: a fresh record (same field order, so one hidden class) or the caller's.
    const report = into ?? blankTickReport();
    report.call = call;
    report.work = work;
    report.ms = ms;
    report.units = units;
    report.budgetMs = budgetMs;
    report.budgetUnits = budgetUnits;
    report.minorFreed = minorFreed;
    report.majorFreed = majorFreed;
    report.cycleEnded = cycleEnded;
    report.phase = phase;
    report.young = young;
    report.old = old;
    report.debt = debt;
    report.stretched = stretched;
    for (const observer of this.#observers) observer(report);
    this.#reportFinalizerErrors();
    return report;
  }

  /** Hands finalizer errors to `onFinalizerError`, or throws them together; the heap is consistent. */
  #reportFinalizerErrors(): void {
    const s = this.#s;
    if (s.finalizerErrors.length === 0) return;
    const errors = s.finalizerErrors;
    s.finalizerErrors = recordList();
    this.#reportErrors(errors);
  }

  #reportErrors(errors: unknown[]): void {
    if (errors.length === 0) return;
    if (this.#onFinalizerError !== undefined) {
      for (const error of errors) this.#onFinalizerError(error);
      return;
    }
    throw new AggregateError(errors, `${plural(errors.length, 'finalizer')} threw`);
  }

  /**
   * Live objects: during a sweep, objects found dead but not yet swept do not count, nor do
   * destroyed objects whose indices await reclamation.
   */
  #liveCount(): number {
    return this.#s.live - this.#s.doomed - destroyedCount(this.#s);
  }

  /** Young live objects (destroyed ones may still be flagged young until a minor reclaims them). */
  #youngCount(): number {
    return this.#s.young - this.#s.youngDestroyed;
  }

  /**
   * A minor collection: frees the young objects that neither roots nor old objects reach, ages
   * the survivors and promotes those that survived `promoteAfter` minors. Never frees an old
   * object. Without generations (`generational: false`) there are no young objects, and it frees
   * nothing. During a major cycle it is deferred: it does nothing and returns `freed: 0` (the
   * cycle collects the young generation too: its first phase promotes it).
   */
  minor(): CollectionInfo {
    this.#forbidInNoGc('minor');
    const s = this.#s;
    const start = performance.now();
    const deferred = inMajorCycle(s);
    const workBefore = s.workDone;
    const freed = deferred ? 0 : minorCollection(s);
    const work = deferred ? 'nothing' : 'minor';
    settleDebt(s);
    const report = this.#report('minor', work, start, null, null, freed, 0, false, s.workDone - workBefore);
    return { kind: 'minor', freed, live: report.young + report.old, ms: report.ms };
  }

  /**
   * One slice of incremental major collection, about `budget` work units (one per object and per
   * slot marked, one per index swept), starting a cycle when idle. Returns true when this slice
   * ended the cycle. Between slices the program runs freely: the write barrier keeps marking
   * sound, objects allocated during a cycle survive it, and objects found dead when marking ends
   * read as dead at once.
   */
  step(budget: number = 10_000): boolean {
    this.#forbidInNoGc('step');
    checkInteger('step budget', budget, 1, Number.MAX_SAFE_INTEGER);
    const s = this.#s;
    const start = performance.now();
    const workBefore = s.workDone;
    const work = s.phase === TENURE ? 'tenure' : 'major';
    const ended = stepCycle(s, budget);
    settleDebt(s);
    this.#report('step', work, start, null, budget, 0, ended ? s.cycleFreed : 0, ended, s.workDone - workBefore);
    return ended;
  }

  /**
   * The frame hook: does whatever collection work the pacer finds due, within the budget: `ms`
   * milliseconds of wall time (default 1), or `{ units }` of work (deterministic: no clock is
   * read, so the same program collects at the same frames in every run and runtime). A minor
   * when the nursery is full and the minor fits the budget; else a major cycle, which also takes
   * the oversized nursery; slices of a running cycle. When allocation outpaces the budget, the
   * heap grows and `debt` in the report shows it; the budget stretches only for a catch-up minor
   * of a large nursery of garbage, and near `maxObjects` or `maxSlots` (`stretched` in the report; gc/tick.ts).
   *
   * `into`: a report object to fill and return instead of a new one, for a game loop that must
   * make no engine garbage (a report a frame is one small object for the engine to collect).
   */
  tick(budget: number | { units: number } = 1, into?: TickReport): TickReport {
    this.#forbidInNoGc('tick');
    if (into !== undefined && (typeof into !== 'object' || into === null || Array.isArray(into))) {
      throw new TypeError(`tick's report to fill must be an object, got ${describe(into)}`);
    }
    let budgetMs = NaN;
    let budgetUnits = Infinity;
    if (typeof budget === 'object' && budget !== null && !Array.isArray(budget) && 'units' in budget) {
      budgetUnits = checkInteger('tick units', (budget as { units: unknown }).units, 0, Number.MAX_SAFE_INTEGER);
    } else if (typeof budget !== 'number') {
      throw new TypeError(`tick needs a number of milliseconds or { units }, got ${describe(budget)}`);
    } else if (!(budget >= 0) || budget === Infinity) {
      throw new RangeError(`tick needs a finite, non-negative number of milliseconds, got ${describe(budget)}`);
    } else {
      budgetMs = budget;
    }
    // An idle tick reads no clock (gc/tick.ts `tickIsIdle`) and reports 0 ms.
    const idle = tickIsIdle(this.#s);
    const start = idle ? IDLE_TICK : performance.now();
    const out = idle
      ? runIdleTick(this.#s, this.#tickOutcome)
      : runTick(this.#s, budgetMs, budgetUnits, start, this.#tickOutcome);
    const major = out.majorUnits > 0;
    const work = out.tenured
      ? 'tenure'
      : out.minors > 0
      ? (major ? 'minor+major' : 'minor')
      : major
      ? 'major'
      : 'nothing';
    return this.#report(
      'tick',
      work,
      start,
      budgetMs === budgetMs ? budgetMs : null,
      budgetUnits === Infinity ? null : budgetUnits,
      out.minorFreed,
      out.majorFreed,
      out.cycleEnded,
      out.units,
      out.stretched,
      into,
    );
  }

  /**
   * Calls `observer` with the report of every collector call (`tick`, `step`, `minor`,
   * `collect`) once it is done, between frames: for profilers, logs and charts. Returns a
   * function that removes it. With no observer a collector call pays one loop over an empty list.
   */
  observe(observer: (report: TickReport) => void): () => void {
    if (typeof observer !== 'function') throw new TypeError(`observe needs a function, got ${describe(observer)}`);
    this.#observers.push(observer);
    return () => {
      const at = this.#observers.indexOf(observer);
      if (at !== -1) this.#observers.splice(at, 1);
    };
  }

  readonly #observers: ((report: TickReport) => void)[] = recordList();
  /** What the last tick did, filled by each (gc/tick.ts): a tick allocates nothing of its own. */
  readonly #tickOutcome = makeTickOutcome();

  /**
   * The end of loading: every object young now becomes old at once, so a level just built costs
   * the next frames nothing (no minor traces it; the next major is planned from the new old
   * generation). Not inside `noGc()` or a finalizer.
   */
  tenure(): void {
    this.#forbidInNoGc('tenure');
    tenureAll(this.#s);
  }

  get phase(): Phase {
    const phase = this.#s.phase;
    // TENURE (an oversized nursery made old in slices, outside a cycle) reads as 'mark', as the
    // promotion that begins a cycle does: collection work is under way and minors wait for it.
    if (phase === MARK || phase === PROMOTE || phase === TENURE) return 'mark';
    return phase === SWEEP || phase === FINALIZE || phase === CLEAR ? 'sweep' : 'idle';
  }

  // ---- introspection -------------------------------------------------------------------------

  stats(): HeapStats {
    const s = this.#s;
    const bytes = heapBytes(s);
    return {
      live: this.#liveCount(),
      capacity: s.columnLength - 1,
      maxObjects: s.maxObjects,
      retired: s.retired,
      destroyed: destroyedCount(s),
      young: this.#youngCount(),
      old: this.#liveCount() - this.#youngCount(),
      slotsUsed: s.slotsUsed,
      slotsCapacity: s.slots.length - 1,
      maxSlots: s.maxSlots,
      slotRoom: slotRoom(s),
      bytes,
      bytesPerObject: headerBytesPerObject(s),
      bytesPerSlot: s.slots.BYTES_PER_ELEMENT,
      pins: s.pinsLive,
      majorCollections: this.#s.majorCollections,
      minorCollections: this.#s.minorCollections,
      dirtyCards: s.dirtyCount + s.rememberedSlotCount,
      rememberedSlots: s.rememberedSlotCount,
      phase: this.phase,
      lastPauseMs: this.#s.lastPauseMs,
      maxPauseMs: this.#s.maxPauseMs,
      totalPauseMs: this.#s.totalPauseMs,
      nextMajorAt: this.#s.pacer.nextMajorAt,
      planned: plannedWork(s),
      debt: s.pacer.debt,
    };
  }

  /**
   * Runs every collector path (alloc, stores, minor, incremental slices, full collection, weak
   * objects, finalizers, components) on scratch heaps, so the JavaScript engine has compiled them
   * before the first frame: call it during loading. Without it, the first few minor collections
   * of a process run in the engine's interpreter, several milliseconds each. Returns the
   * milliseconds it took.
   */
  static warmUp(rounds: number = 6): number {
    checkInteger('warm-up rounds', rounds, 1, 1000);
    return warmUp(Heap, rounds);
  }

  // ---- save and restore ------------------------------------------------------------------------

  /**
   * The whole heap as bytes: headers, slots, free list, pins, generations, a cycle in progress,
   * component data and queries, in a versioned format with a checksum. Functions (finalizers,
   * onRemove hooks) are not saved: `Heap.restore` asks for them back. Not inside `scope()`,
   * `noGc()` or a finalizer: open scopes' roots live on the JavaScript stack, which no save holds.
   */
  snapshot(): Uint8Array {
    const s = this.#s;
    if (s.scopeDepth > 0 || s.noGcDepth > 0) {
      throw new HeapError('snapshot() inside scope(), noGc() or a finalizer: take snapshots between frames');
    }
    return encodeSnapshot(s, this.#options);
  }

  /**
   * An identical heap from `snapshot()` bytes: every handle valid before is valid after, with
   * the same contents, and the same program continues the same way. Its component objects are
   * new: get them with `heap.component(name, schema)` (typed), or use `heap.load` on the heap you
   * have, which keeps its component objects. Functions are not saved: `finalizer(ref)` gives back
   * each object's finalizer, `onRemove` each component's hook (by name: a function of the name, or
   * an object of hooks), and leaving out one that is needed is a `TypeError`. Bad bytes throw
   * `SnapshotError` naming what is wrong.
   */
  static restore(bytes: Uint8Array, options: RestoreOptions = {}): Heap {
    // The options' shape first, then the bytes, then what the options hold.
    checkRestoreOptions(options, 'restore');
    const decoded = decodeHeader(bytes);
    const components = componentsToRestore(decoded, options);
    let heap: Heap;
    try {
      // Built at the smallest capacity: `loadState` allocates every array at the size the plan
      // checked against the bytes, so no capacity the header claims is allocated before that.
      heap = new Heap({ ...decoded.header.options, initialCapacity: 1 });
      for (const { name, schema, onRemove } of components) {
        heap.defineComponent(schema, onRemove === undefined ? { name } : { name, onRemove });
      }
    } catch (error) {
      throw new SnapshotError(`bad snapshot: its options or components are invalid (${(error as Error).message})`);
    }
    heap.#take(decoded, options);
    return heap;
  }

  /**
   * Restores `snapshot()` bytes into this heap, in place: afterwards it is the heap that was saved
   * (every handle valid then is valid now, with the same contents, and the same program continues
   * the same way), and every component object and closure that holds this heap stays valid. Its
   * components must be the snapshot's (the same names, defined in the same order, with the same
   * schemas) and keep their own `onRemove` hooks; give finalizers back with `finalizer(ref)`. Bad
   * bytes or other components throw `SnapshotError`, a finalizer not given back `TypeError`, and
   * the heap is left as it was. Not inside `scope()`, `noGc()` or a finalizer or hook.
   */
  load(bytes: Uint8Array, options: RestoreOptions = {}): void {
    const s = this.#s;
    if (s.scopeDepth > 0 || s.noGcDepth > 0) {
      throw new HeapError('load() inside scope(), noGc(), a finalizer or a hook: load between frames');
    }
    checkRestoreOptions(options, 'load');
    const decoded = decodeHeader(bytes);
    componentsToLoad(decoded, s);
    this.#take(decoded, options);
  }

  /** Builds the state `decoded` describes (this heap unchanged if that throws), then takes it. */
  #take(decoded: DecodedHeader, options: RestoreOptions): void {
    const onFinalizerError = options.onFinalizerError ?? this.#onFinalizerError;
    const built = buildState(decoded, componentsToLoad(decoded, this.#s), options);
    adoptComponents(built.state, this.#s);
    this.#s = built.state;
    this.#options = built.options;
    this.#onFinalizerError = onFinalizerError;
  }

  // ---- why alive -----------------------------------------------------------------------------

  /**
   * Why the object is alive: a shortest path from a root (a pin with its ticket, or an open
   * scope) through strong slots and `ref` fields to it, first step the root, last step `ref`; or
   * null when no root reaches it (garbage the next collection covering it frees). Weak slots and
   * `weakref` fields keep nothing alive; an ephemeron's value is reached through its pair once
   * the key is (see src/gc/why-alive.ts). A debugging call: it costs a pass over the heap.
   */
  whyAlive(ref: Ref): PathStep[] | null {
    return findPathFromRoot(this.#s, this.#indexOf(ref, 'handle'));
  }

  /** The live pins, in pin-table order (a recycled ticket takes a freed place): each ticket and what it pins. */
  pins(): { ticket: Ticket; ref: Ref }[] {
    // A pin of a destroyed object names nothing, as `pinned(ticket)` says.
    const s = this.#s;
    return listPins(s).map(({ ticket, index }) => ({
      ticket: ticket as Ticket,
      ref: (s.color[index]! & DESTROYED_ANY) !== 0 ? NULL : this.#handle(index),
    }));
  }

  /** Checks every invariant; throws `HeapCorruptionError` naming the first one broken. */
  verify(): void {
    verifyHeap(this.#s, this.#destroying);
  }
}
