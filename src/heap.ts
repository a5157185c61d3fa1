/**
 * The facade: the one public class. It validates every argument before touching anything (so a
 * bad call leaves the heap unchanged), owns the only `HeapState`, and composes the collector's
 * modules. Objects are indices into SoA header columns; users hold generation-tagged handles.
 */
import { addYoung } from './cards.ts';
import { fullCollection, minorCollection } from './collector.ts';
import { cardsFor, growHeaders, grownCapacity } from './columns.ts';
import { GcForbiddenError, HeapFullError, StaleRefError } from './errors.ts';
import { describe, makeCodec, NULL, packHandle, type Ref, type Ticket } from './handle.ts';
import { checkInteger, type HeapOptions, resolveOptions } from './options.ts';
import { addPin, pinSlot, pushScoped, removePin } from './roots.ts';
import { allocBlock, blockCapacity, canAllocBlock, freeBlock } from './slots.ts';
import { FREE, type HeapState } from './state.ts';
import { writeSlot } from './barrier.ts';
import { verifyHeap } from './verify.ts';

export type { HeapOptions } from './options.ts';

export type Phase = 'idle' | 'mark' | 'sweep';

export interface CollectionInfo {
  kind: 'major' | 'minor';
  /** Objects freed by this collection. */
  freed: number;
  /** Objects live after it. */
  live: number;
  /** Wall time of the collection, in milliseconds. */
  ms: number;
}

export interface HeapStats {
  live: number;
  /** Object indices storage is allocated for (the columns grow by doubling). */
  capacity: number;
  maxObjects: number;
  /** Indices that exhausted their generations and are never reused. */
  retired: number;
  young: number;
  old: number;
  /** Reference slots of live objects. */
  slotsUsed: number;
  /** Slots the pool has storage for. */
  slotsCapacity: number;
  /** Bytes held by every typed array of the heap. */
  bytes: number;
  /** Header bytes per object index (all header columns together). */
  bytesPerObject: number;
  /** Bytes per reference slot in the pool. */
  bytesPerSlot: number;
  pins: number;
  majorCollections: number;
  minorCollections: number;
  dirtyCards: number;
  phase: Phase;
  lastPauseMs: number;
  maxPauseMs: number;
  totalPauseMs: number;
}

/** Header bytes per object: color (1) + generation (4) + size (4) + base (4) + next (4) + flags (1). */
const HEADER_BYTES = 18;

let stateOfHeap: (heap: Heap) => HeapState;

/** The state behind a heap, for the library's own modules (snapshot, bridges); not exported by `mod.ts`. */
export function stateOf(heap: Heap): HeapState {
  return stateOfHeap(heap);
}

export class Heap {
  readonly #s: HeapState;
  #majorCollections = 0;
  #minorCollections = 0;
  #lastPauseMs = 0;
  #maxPauseMs = 0;
  #totalPauseMs = 0;

  static {
    stateOfHeap = (heap) => heap.#s;
  }

  constructor(options?: HeapOptions) {
    const o = resolveOptions(options);
    const columnLength = o.initialCapacity + 1;
    this.#s = {
      codec: makeCodec(o.indexBits, o.generationBits),
      maxObjects: o.maxObjects,
      maxSlots: o.maxSlots,
      maxSlotsPerObject: o.maxSlotsPerObject,
      color: new Uint8Array(columnLength),
      generation: new Uint32Array(columnLength),
      size: new Uint32Array(columnLength),
      base: new Uint32Array(columnLength),
      next: new Uint32Array(columnLength),
      flags: new Uint8Array(columnLength),
      columnLength,
      top: 1,
      freeHead: 0,
      live: 0,
      retired: 0,
      markValue: 1,
      slots: new Uint32Array(Math.min(o.maxSlots, Math.max(64, o.initialCapacity * 4) + 1)),
      slotTop: 1,
      freeBlocks: new Uint32Array(32),
      slotsUsed: 0,
      markStack: new Uint32Array(256),
      markTop: 0,
      pinTarget: new Uint32Array(64),
      pinGeneration: new Uint32Array(64),
      pinNext: new Uint32Array(64),
      pinTop: 1,
      pinFreeHead: 0,
      pinsLive: 0,
      scopeStack: new Uint32Array(64),
      scopeTop: 0,
      scopeDepth: 0,
      noGcDepth: 0,
      generational: o.generational,
      promoteAfter: o.promoteAfter,
      cardShift: o.cardShift,
      nurseryHead: 0,
      young: 0,
      cards: new Uint8Array(cardsFor(columnLength, o.cardShift)),
      dirtyCards: new Uint32Array(cardsFor(columnLength, o.cardShift)),
      dirtyCount: 0,
    };
  }

  // ---- handles -------------------------------------------------------------------------------

  /** The index a live handle names; anything else throws `StaleRefError` naming the value. */
  #indexOf(ref: unknown, what: string): number {
    const s = this.#s;
    if (typeof ref === 'number') {
      const i = ref & s.codec.indexMask;
      // One compare rejects stale generations, fractions, negatives, NaN and values past 2^53.
      if (i !== 0 && i < s.top && s.color[i] !== FREE && i + s.generation[i]! * s.codec.indexScale === ref) return i;
    }
    throw new StaleRefError(`${what} ${describe(ref)} ${this.#whyNotLive(ref)}`);
  }

  #whyNotLive(ref: unknown): string {
    const s = this.#s;
    if (typeof ref !== 'number') return 'is not a handle (handles are numbers)';
    if (ref === NULL) return 'is NULL';
    if (!Number.isInteger(ref) || ref < 0 || ref > Number.MAX_SAFE_INTEGER) {
      return 'is not a handle (not a non-negative integer below 2^53)';
    }
    const i = ref & s.codec.indexMask;
    const generation = Math.floor(ref / s.codec.indexScale);
    if (i === 0 || i >= s.top) return `names index ${i}, which this heap never allocated`;
    if (generation > s.codec.maxGeneration) return 'is not a handle of this heap (generation out of range)';
    if (generation < s.generation[i]! || s.color[i] === FREE) return `is stale: the object at index ${i} was freed`;
    return `is not a handle of this heap (index ${i} is at generation ${s.generation[i]})`;
  }

  #checkSlot(index: number, slot: unknown): number {
    const n = this.#s.size[index]!;
    if (typeof slot === 'number' && slot >>> 0 === slot && slot < n) return slot;
    if (typeof slot !== 'number') throw new TypeError(`slot must be an integer, got ${describe(slot)}`);
    throw new RangeError(`slot ${describe(slot)} is out of range: the object has ${n} slot${n === 1 ? '' : 's'}`);
  }

  #checkSlotCount(n: unknown): number {
    return checkInteger('slot count', n, 0, this.#s.maxSlotsPerObject);
  }

  #handle(index: number): Ref {
    return packHandle(this.#s.codec, index, this.#s.generation[index]!);
  }

  /** True when `ref` is a live handle of this heap. Never throws. */
  isAlive(ref: Ref): boolean {
    const s = this.#s;
    if (typeof ref !== 'number') return false;
    const i = ref & s.codec.indexMask;
    return i !== 0 && i < s.top && s.color[i] !== FREE && i + s.generation[i]! * s.codec.indexScale === ref;
  }

  /** The object's index, for indexing SoA columns. */
  index(ref: Ref): number {
    return this.#indexOf(ref, 'handle');
  }

  /** The live handle at `index`, or NULL when no live object has that index. */
  refAt(index: number): Ref {
    checkInteger('index', index, 0, Number.MAX_SAFE_INTEGER);
    const s = this.#s;
    if (index === 0 || index >= s.top || s.color[index] === FREE) return NULL;
    return this.#handle(index);
  }

  // ---- objects -------------------------------------------------------------------------------

  /** A new object with `slots` NULL reference slots. Never collects; throws `HeapFullError` at `maxObjects`. */
  alloc(slots: number = 0, kind?: 'strong'): Ref {
    const n = this.#checkSlotCount(slots);
    if (kind !== undefined && kind !== 'strong') {
      throw new TypeError(`object kind must be 'strong', got ${describe(kind)}`);
    }
    const s = this.#s;
    // Every check that can fail comes before the first write: a failed alloc changes nothing.
    if (s.freeHead === 0 && s.top > s.maxObjects) {
      throw new HeapFullError(`heap full: maxObjects ${s.maxObjects} reached (${s.live} live, ${s.retired} retired)`);
    }
    if (!canAllocBlock(s, n)) {
      throw new HeapFullError(`slot pool full: ${n} slots do not fit in maxSlots ${s.maxSlots}`);
    }
    let i = s.freeHead;
    if (i !== 0) {
      s.freeHead = s.next[i]!;
    } else {
      i = s.top;
      if (i >= s.columnLength) growHeaders(s, grownCapacity(s.columnLength - 1, i, s.maxObjects) + 1);
      s.top = i + 1;
    }
    s.base[i] = allocBlock(s, n);
    s.size[i] = n;
    if (s.generational) {
      addYoung(s, i);
    } else {
      s.next[i] = 0;
      s.flags[i] = 0;
    }
    // Allocated with the current mark value: black during a cycle, white once the next one flips.
    s.color[i] = s.markValue;
    s.live++;
    s.slotsUsed += n;
    if (s.scopeDepth > 0) pushScoped(s, i);
    return this.#handle(i);
  }

  slotCount(ref: Ref): number {
    return this.#s.size[this.#indexOf(ref, 'handle')]!;
  }

  get(ref: Ref, slot: number): Ref {
    const s = this.#s;
    const i = this.#indexOf(ref, 'handle');
    const target = s.slots[s.base[i]! + this.#checkSlot(i, slot)]!;
    return target === 0 ? NULL : this.#handle(target);
  }

  /** Stores `target` in a slot; NULL clears it. */
  set(ref: Ref, slot: number, target: Ref): void {
    const i = this.#indexOf(ref, 'handle');
    const k = this.#checkSlot(i, slot);
    const t = target === NULL ? 0 : this.#indexOf(target, 'target');
    writeSlot(this.#s, i, k, t);
  }

  /** Changes the slot count, keeping the first min(old, new) slots; new slots start NULL. */
  resize(ref: Ref, slots: number): void {
    const s = this.#s;
    const i = this.#indexOf(ref, 'handle');
    const n = this.#checkSlotCount(slots);
    const old = s.size[i]!;
    if (n === old) return;
    const oldBase = s.base[i]!;
    if (blockCapacity(n) === blockCapacity(old)) {
      // Same block: slots past the old count may hold stale edges from before; clear them.
      if (n > old) s.slots.fill(0, oldBase + old, oldBase + n);
    } else {
      if (!canAllocBlock(s, n)) {
        throw new HeapFullError(`slot pool full: ${n} slots do not fit in maxSlots ${s.maxSlots}`);
      }
      const newBase = allocBlock(s, n);
      s.slots.copyWithin(newBase, oldBase, oldBase + Math.min(old, n));
      freeBlock(s, oldBase, old);
      s.base[i] = newBase;
    }
    s.size[i] = n;
    s.slotsUsed += n - old;
  }

  // ---- roots ---------------------------------------------------------------------------------

  /** Makes the object a root until the returned ticket is unpinned. Pinning twice needs two unpins. */
  pin(ref: Ref): Ticket {
    return addPin(this.#s, this.#indexOf(ref, 'handle'));
  }

  /** Releases a pin; a stale or unknown ticket throws `StaleTicketError`. */
  unpin(ticket: Ticket): void {
    removePin(this.#s, ticket);
  }

  /** The object a ticket pins, or NULL when the ticket is stale. */
  pinned(ticket: Ticket): Ref {
    const s = this.#s;
    const p = pinSlot(s, ticket);
    return p === 0 ? NULL : this.#handle(s.pinTarget[p]!);
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

  #forbidInNoGc(what: string): void {
    if (this.#s.noGcDepth > 0) throw new GcForbiddenError(`${what}() called inside noGc()`);
  }

  /** A full stop-the-world collection: afterwards the live objects are exactly those roots reach. */
  collect(): CollectionInfo {
    this.#forbidInNoGc('collect');
    const start = performance.now();
    const freed = fullCollection(this.#s);
    this.#majorCollections++;
    return this.#finish('major', freed, start);
  }

  #finish(kind: 'major' | 'minor', freed: number, start: number): CollectionInfo {
    const ms = performance.now() - start;
    this.#lastPauseMs = ms;
    this.#totalPauseMs += ms;
    if (ms > this.#maxPauseMs) this.#maxPauseMs = ms;
    return { kind, freed, live: this.#s.live, ms };
  }

  /**
   * A minor collection: frees the young objects that neither roots nor old objects reach, ages
   * the survivors and promotes those that survived `promoteAfter` minors. Never frees an old
   * object. Without generations (`generational: false`) there are no young objects, and it frees
   * nothing.
   */
  minor(): CollectionInfo {
    this.#forbidInNoGc('minor');
    const start = performance.now();
    const freed = minorCollection(this.#s);
    this.#minorCollections++;
    return this.#finish('minor', freed, start);
  }

  get phase(): Phase {
    return 'idle';
  }

  // ---- introspection -------------------------------------------------------------------------

  stats(): HeapStats {
    const s = this.#s;
    const bytes = s.color.byteLength + s.generation.byteLength + s.size.byteLength + s.base.byteLength +
      s.next.byteLength + s.flags.byteLength + s.slots.byteLength + s.freeBlocks.byteLength +
      s.markStack.byteLength + s.pinTarget.byteLength + s.pinGeneration.byteLength + s.pinNext.byteLength +
      s.scopeStack.byteLength + s.cards.byteLength + s.dirtyCards.byteLength;
    return {
      live: s.live,
      capacity: s.columnLength - 1,
      maxObjects: s.maxObjects,
      retired: s.retired,
      young: s.young,
      old: s.live - s.young,
      slotsUsed: s.slotsUsed,
      slotsCapacity: s.slots.length - 1,
      bytes,
      bytesPerObject: HEADER_BYTES,
      bytesPerSlot: s.slots.BYTES_PER_ELEMENT,
      pins: s.pinsLive,
      majorCollections: this.#majorCollections,
      minorCollections: this.#minorCollections,
      dirtyCards: s.dirtyCount,
      phase: this.phase,
      lastPauseMs: this.#lastPauseMs,
      maxPauseMs: this.#maxPauseMs,
      totalPauseMs: this.#totalPauseMs,
    };
  }

  /** Checks every invariant; throws `HeapCorruptionError` naming the first one broken. */
  verify(): void {
    verifyHeap(this.#s);
  }
}
