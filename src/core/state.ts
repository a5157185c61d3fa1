/**
 * The heap's state: every column and counter in one plain object, so each collector module is
 * a set of plain functions over it (the heap facade owns the only instance). Columns are
 * replaced on growth; functions read them into locals at entry and never across a growth.
 */
import { bytesInUse, cardsFor, growU32, growU8, indexPagesFor } from './columns.ts';
import {
  componentBytes,
  type ComponentStore,
  growComponents,
  makeComponentStore,
  queryPositionBytes,
  touchComponents,
} from './component-store.ts';
import { type HandleCodec, makeCodec, type Ref } from './handle.ts';
import type { ResolvedOptions } from './options.ts';
import { AS_DOUBLE, recordList, variableFields } from './shapes.ts';

/**
 * `color` values. Live objects hold `MARK_A` or `MARK_B`: which of the two means "marked" flips
 * at the start of every major cycle (`markValue`; the other is `white`), so no pass ever clears
 * colors. Between cycles every live object holds `markValue`.
 */
export const FREE = 0;
export const MARK_A = 1;
export const MARK_B = 2;
/** A young object a minor collection found dead, while its finalizers run and until its sweep. */
export const DEAD = 4;
/** `liveMask` between cycles: both mark values are live. */
export const BOTH_MARKS = MARK_A | MARK_B;
/** The other mark value: the white of a cycle whose mark value is `mark`. */
export function otherMark(mark: number): number {
  return BOTH_MARKS ^ mark;
}
/** `readMask` while finalizers run: dead objects not yet reclaimed can be read. */
export const READ_ALL = MARK_A | MARK_B | DEAD;
/**
 * An object `heap.destroy` took out of the game (gc/destroy.ts): never live, never readable,
 * never marked; slots naming it read NULL. Its index stays taken until a collection that began
 * after the destroy has cleared every reference to it. Colors are single bits, so a test against
 * several of them is one mask.
 */
export const DESTROYED = 8;
/** A destroyed object a pin or an open scope still names, for the length of one reclaim pass. */
export const DESTROYED_ROOTED = 16;
/** Either destroyed color: what the read barrier tests. */
export const DESTROYED_ANY = DESTROYED | DESTROYED_ROOTED;

/**
 * `phase` values (gc/collector.ts has the machine and the table of what each phase implies; the
 * numbers of the first three are part of the snapshot format).
 * - IDLE: no major cycle. Minor collections run here, whole, in one call.
 * - MARK: gray objects are scanned in slices; the barrier shades.
 * - SWEEP: white objects are freed in slices, walking indices downward.
 * - PROMOTE: the first phase of a major cycle: the young objects it began with are made old in
 *   slices, so the cycle collects young and old alike.
 * - FINALIZE: after the atomic step: queued finalizers run in slices; nothing is reclaimed yet.
 * - MINOR_FINALIZE: inside a minor collection, while its finalizers run.
 * - TENURE: an oversized nursery made old in slices, outside a major cycle (no marking, no
 *   sweep): what a tick does with a nursery too large for its budget while no major is due.
 * - CLEAR: after the atomic step: the old weak and ephemeron objects' references to white
 *   (dead) objects are cleared in slices, the read barrier reading them as NULL meanwhile
 *   (`deadColors`); then FINALIZE (the finalizers queued by the atomic step) or SWEEP follows.
 */
export const IDLE = 0;
export const MARK = 1;
export const SWEEP = 2;
export const PROMOTE = 3;
export const FINALIZE = 4;
export const MINOR_FINALIZE = 5;
export const TENURE = 6;
export const CLEAR = 7;
export const LAST_PHASE = CLEAR;
/** A `barrierWhite` no color equals: the barrier's shading is off. */
export const NO_COLOR = 255;

/** `flags` bits. */
export const YOUNG = 1;
export const RETIRED = 2;
export const WEAK = 4;
export const EPHEMERON = 8;
export const FINALIZABLE = 16;
/** Objects whose slots the marker must not trace as strong edges. */
export const NOT_STRONG = WEAK | EPHEMERON;

// Indices come in pages (core/columns.ts, `INDEX_PAGE`; core/free-list.ts carves them).
export { INDEX_PAGE, INDEX_PAGE_BITS } from './columns.ts';
/** The class of pages a snapshot of format 12 or older left: free indices of every shape. */
export const MIXED_CLASS = 34;
/** Index classes 0..33 (`indexClass`) and `MIXED_CLASS`. */
export const INDEX_QUEUES = 35;

/**
 * The index class of an object of `slotCount` slots: 0 for none, else 1 + the class of its block
 * in the slot pool (core/slots.ts, `blockClass`): 1 slot, 2, 3-4, 5-8, ...
 */
export function indexClass(slotCount: number): number {
  return slotCount === 0 ? 0 : 33 - Math.clz32(slotCount - 1);
}
/** Minor collections survived, kept in two bits (so `promoteAfter` is at most 3). */
export const AGE_SHIFT = 5;
export const AGE_MASK = 3 << AGE_SHIFT;
/** The object has at least one component: the marker looks at its `ref` fields, the sweep removes them. */
export const HAS_COMPONENTS = 128;

// Card values (gc/cards.ts keeps them; invariant 5).
/** No old object of the card refers to a young one. */
export const CARD_CLEAN = 0;
/** Remembered whole: the card is in `dirtyCards`, and a minor scans every object in it. */
export const CARD_DIRTY = 1;
/** As `CARD_DIRTY`, and its object also has an entry in `rememberedSlots` (from before it was remembered whole). */
export const CARD_DIRTY_SLOT = 2;
/** `CARD_SLOT + k`: only slot k of the card's one object refers to young objects; its entry is in `rememberedSlots`. */
export const CARD_SLOT = 3;
/** Slots from this one on are remembered with their whole object. */
export const CARD_SLOT_LIMIT = 256 - CARD_SLOT;

/** The pacer's plan and measurements (its policy lives in gc/pacer.ts). */
export interface Pacer {
  readonly nurserySize: number;
  readonly growthPercent: number;
  readonly minHeapObjects: number;
  /** A major cycle starts once this many old objects are live. */
  nextMajorAt: number;
  allocationsAtLastTick: number;
  /** Measured milliseconds per unit of a minor's work (a robust moving average over timed minors). */
  msPerUnit: number;
  /**
   * The share of young objects the last minors kept (a moving average), or the last fold of an
   * oversized nursery into a major cycle: what a minor's marking will cost.
   */
  youngSurvival: number;
  /** Young objects the running major cycle took over from the nursery (0 when idle): what it learns survival from. */
  foldedYoung: number;
  /** Whether `youngSurvival` was measured (by a minor, or a fold), not the first guess. */
  survivalMeasured: boolean;
  /**
   * Of the young objects minors found that had survived a minor already (kept young by
   * `promoteAfter`), the share that survived this one too (a moving average): whether promoting
   * survivors at their first minor promotes what would have been promoted anyway (gc/pacer.ts,
   * `promoteEarly`).
   */
  agedSurvival: number;
  /** Whether `agedSurvival` was measured (by a minor that found aged young objects). */
  agedMeasured: boolean;
  /**
   * Full nurseries promoted early since the last probe, or `PROBE_EVERY` + 1 while the probe's
   * survivors wait for the minor that measures them (gc/pacer.ts, `notePromotion`).
   */
  earlyRun: number;
  /**
   * The promotion age the last minor used (1 when `promoteEarly` said so, else `promoteAfter`; 0
   * before any), for tests and readers of the state; not saved by snapshots (nothing decides by it).
   */
  lastPromotionAge: number;
  /** Units of collection work that allocation asked for and no collector call has paid yet (0 while nothing is due). */
  debt: number;
}

export interface HeapState {
  readonly codec: HandleCodec;
  /** Largest usable object index; index 0 is NULL. */
  readonly maxObjects: number;
  readonly maxSlots: number;
  readonly maxSlotsPerObject: number;

  // Header columns, one entry per object index, all of `columnLength`.
  color: Uint8Array;
  generation: Uint32Array;
  size: Uint32Array;
  base: Uint32Array;
  /** Free-list link while the index is free; nursery link while the object is young. */
  next: Uint32Array;
  flags: Uint8Array;
  columnLength: number;
  /**
   * The end of the pages of indices carved so far (core/free-list.ts): indices at and above `top` have
   * never been used; below it each is live, retired, queued or spent, the never-used ones of a page queued.
   */
  top: number;
  /**
   * Heads and tails of the free queues of indices below `top`, one per index class (0 = empty;
   * core/free-list.ts): a free index is queued by the class of its page (`pageClass`).
   */
  freeHeads: Uint32Array;
  freeTails: Uint32Array;
  /** The index class each page of `INDEX_PAGE` indices below `top` was carved for (core/free-list.ts). */
  pageClass: Uint8Array;
  /**
   * Free indices whose next handle would no longer be a small integer, set aside (a stack linked
   * through `next`) while the heap may still grow, and used again only at `maxObjects`
   * (core/free-list.ts).
   */
  spentHead: number;
  live: number;
  retired: number;
  /** The color of marked objects in the current (or last) cycle: `MARK_A` or `MARK_B`. */
  markValue: number;
  /** The other mark value: unmarked objects during a cycle; a minor's young mark between cycles. */
  white: number;

  // The slot pool: a buddy allocator of blocks of 2^c slots (core/slots.ts has the layout).
  slots: Uint32Array;
  /** Slots at and above `slotTop` belong to no block and are zero; slot 0 belongs to none either. */
  slotTop: number;
  /** Head of the free list of blocks of class c >= 2 (2^c slots), doubly linked through the blocks; 0 ends it. Entries 0 and 1 are unused. */
  freeBlocks: Uint32Array;
  /** The free blocks of class 0 (one slot), a dense list: each such block's first word holds its position here. */
  freeSingles: Uint32Array;
  freeSingleCount: number;
  /** The free blocks of class 1 (two slots), likewise. */
  freePairs: Uint32Array;
  freePairCount: number;
  /** Bit c is set while class c has a free block, so an allocation finds the smallest larger one at once. */
  freeClasses: number;
  /**
   * Slots in the listed free blocks of class 2 and more: with the small lists' counts, the pool's
   * free room below `slotTop` in O(1), for the tick's near-full test (core/slots.ts, `slotRoom`).
   * Not saved: a restore counts it from the lists.
   */
  freeLargeSlots: number;
  /**
   * Blocks of one or two slots freed without merging since the small blocks were last merged
   * (core/slots.ts): at most this many pairs of free buddies are left unmerged. Never more than
   * the free blocks of one or two slots.
   */
  lazyFrees: number;
  /**
   * A merge of the small free blocks in slices (core/slots.ts, `mergeSmallSlice`): the entries of
   * `freeSingles` and `freePairs` below these positions are still to visit (0 and 0: none runs).
   */
  mergeSinglesLeft: number;
  mergePairsLeft: number;
  /** Sum of live objects' slot counts. */
  slotsUsed: number;

  // The gray stack: marked objects whose slots are not yet scanned.
  markStack: Uint32Array;
  markTop: number;

  // Roots: the pin table and the scope stack.
  pinTarget: Uint32Array;
  pinGeneration: Uint32Array;
  pinNext: Uint32Array;
  pinTop: number;
  pinFreeHead: number;
  pinsLive: number;
  scopeStack: Uint32Array;
  scopeTop: number;
  scopeDepth: number;
  noGcDepth: number;

  // Generations: the nursery (young objects, linked through `next`) and the remembered set.
  readonly generational: boolean;
  /** Minor collections a young object survives before it is promoted (1 to 3: ages use two flag bits). */
  readonly promoteAfter: number;
  /** log2 of the object indices one card covers: 0 (the default) remembers single objects. */
  readonly cardShift: number;
  nurseryHead: number;
  /** While a major cycle promotes: the young objects it has yet to make old (linked through `next`). */
  promoteHead: number;
  /** Young objects: those of the nursery and of the promotion list. */
  young: number;
  /**
   * One byte per card, the remembered flag: `CARD_CLEAN`, or how an old object in it that may
   * refer to a young one is remembered (`CARD_DIRTY`, `CARD_DIRTY_SLOT`, `CARD_SLOT` + slot).
   */
  cards: Uint8Array;
  /** The dirty cards (`CARD_DIRTY`, `CARD_DIRTY_SLOT`), once each, so minors never scan the whole table. */
  dirtyCards: Uint32Array;
  dirtyCount: number;
  /**
   * The remembered slots, as pairs (owner, position in `slots`): old strong objects remembered by
   * the one slot that received a young reference (cards of one object only). A minor reads the
   * slot without touching the owner's header.
   */
  rememberedSlots: Uint32Array;
  rememberedSlotCount: number;
  /**
   * 1 once an entry of `rememberedSlots` may name a slot its owner no longer has (the owner was
   * freed, destroyed or resized since): the next minor checks every entry against its owner.
   */
  rememberedSlotsStale: number;
  /** Old weak, ephemeron or weakref-holding objects a minor's card scan met; scratch for that minor. */
  rememberedWeak: Uint32Array;
  rememberedWeakCount: number;
  /** Young objects a minor must look at for weak references: weak and ephemeron kinds, and members of components with `weakref` fields (possibly more than once). */
  youngWeak: Uint32Array;
  youngWeakCount: number;
  /**
   * Whether this heap ever made an ephemeron (or restored one): until then the weak lists hold no
   * ephemeron, and the collectors skip their scans for ephemeron keys (one pass over every weak
   * object each). Never reset: a freed ephemeron leaves it set, which only costs the scans.
   */
  ephemeronsMade: boolean;
  /** Young objects with a finalizer or a hooked component, once each. */
  youngFinalizable: Uint32Array;
  youngFinalizableCount: number;

  // The incremental cycle. `barrierWhite`, `liveMask`, `readMask` and `deadColors` are derived
  // from `phase` and set only by `enterPhase` (gc/collector.ts).
  phase: number;
  /** The color the write barrier shades on store: `white` while marking; `NO_COLOR` otherwise. */
  barrierWhite: number;
  /**
   * `color[i] & liveMask` is non-zero exactly for live objects: `BOTH_MARKS` outside a major
   * sweep; during it only the mark value, because an object left white when marking ended is
   * dead already and must not be read, stored or resurrected before the sweep frees it. `DEAD`
   * (a minor's condemned young objects) is never in it.
   */
  liveMask: number;
  /** Objects colored (shaded or allocated) in this cycle, so the atomic phase can count the dead. */
  marked: number;
  /** White objects the running sweep has yet to free. */
  doomed: number;
  /** The sweep runs downward from here to index 1. */
  sweepCursor: number;
  /**
   * A major sweep first takes its dead out of the component member lists, in one walk over each
   * list, in slices (ecs/components.ts, `dropDeadMembers`): the cycle (its `majorCollections`
   * count) the walk is for, or -1; the component it is at (the component count once done); its
   * place in that component's `members`. Saved, so a restored heap goes on as the saved one would.
   */
  memberWalkCycle: number;
  memberWalkComponent: number;
  memberWalkCursor: number;
  /** Objects freed so far by the running cycle. */
  cycleFreed: number;
  /** Objects allocated since the heap was made (the pacer's clock). */
  allocations: number;
  /**
   * `color[i] & readMask` is non-zero for objects whose slots may be read: equal to `liveMask`,
   * except while a finalizer runs, when the dead objects awaiting reclamation are readable too.
   */
  readMask: number;
  /**
   * The colors an object slot's target reads as NULL through (the read barrier of `get`):
   * destroyed objects, and during CLEAR white ones too (dead, while old weak references to them
   * are being cleared in slices).
   */
  deadColors: number;

  // Weak references and finalizers: exact lists, so processing never scans the heap.
  /** The old weak and ephemeron objects, once each (young ones are in `youngWeak`). */
  weakObjects: Uint32Array;
  weakCount: number;
  /**
   * CLEAR: the next entry of `weakObjects` to clear, and how many entries before it were kept
   * (the list drops the dead as it goes, so entries from `weakKept` to `weakCursor` are no
   * entries); both 0 outside CLEAR.
   */
  weakCursor: number;
  weakKept: number;
  /** The old objects with a finalizer or a hooked component, once each (young ones are in `youngFinalizable`). */
  finalizable: Uint32Array;
  finalizableCount: number;
  /** Dead objects whose finalizers are due, and the next one to run. */
  finalizeQueue: Uint32Array;
  finalizeTop: number;
  finalizeNext: number;
  /** Finalizer functions by object index (plain JS values: never touched by mark or sweep loops). */
  finalizers: (((ref: Ref) => void) | undefined)[];
  /** Errors thrown by finalizers, reported once the collection that ran them is consistent. */
  finalizerErrors: unknown[];

  // Destroyed objects awaiting reclamation (gc/destroy.ts), each in exactly one list, once.
  /** Destroyed while young: a minor reclaims them (it visits every reference to a young object). */
  destroyedYoung: Uint32Array;
  destroyedYoungCount: number;
  /** Destroyed while old, or left over by a minor: a major cycle reclaims them. */
  destroyedOld: Uint32Array;
  destroyedOldCount: number;
  /** Destroyed objects still flagged `YOUNG` (counted in `young`, so that stats can leave them out). */
  youngDestroyed: number;
  /** During a major cycle: how many entries of each list were there when it began (those it may reclaim). */
  destroyedYoungAtStart: number;
  destroyedOldAtStart: number;
  /** What frees objects now (core/free-cause.ts): written into `base` of each freed index, for error messages. */
  freeCause: number;

  /** ECS components: SoA columns sized with the header columns, membership and queries. */
  components: ComponentStore;

  /** What `tick` decides with. */
  readonly pacer: Pacer;
  /** Units of collection work done since the heap was made (the pacer's measure of progress). */
  workDone: number;
  /** Counters behind `stats()`. */
  majorCollections: number;
  minorCollections: number;
  lastPauseMs: number;
  maxPauseMs: number;
  totalPauseMs: number;
}

/** A new, empty heap state for validated options: index 0 reserved, nothing allocated. */
export function createState(o: ResolvedOptions): HeapState {
  const columnLength = o.initialCapacity + 1;
  const s: HeapState = {
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
    freeHeads: new Uint32Array(INDEX_QUEUES),
    freeTails: new Uint32Array(INDEX_QUEUES),
    pageClass: new Uint8Array(indexPagesFor(columnLength)),
    spentHead: 0,
    live: 0,
    retired: 0,
    markValue: MARK_A,
    white: MARK_B,
    slots: new Uint32Array(Math.min(o.maxSlots, Math.max(64, o.initialCapacity * 4) + 1)),
    slotTop: 1,
    freeBlocks: new Uint32Array(32),
    freeSingles: new Uint32Array(16),
    freeSingleCount: 0,
    freePairs: new Uint32Array(16),
    freePairCount: 0,
    freeClasses: 0,
    freeLargeSlots: 0,
    lazyFrees: 0,
    mergeSinglesLeft: 0,
    mergePairsLeft: 0,
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
    promoteHead: 0,
    young: 0,
    cards: new Uint8Array(cardsFor(columnLength, o.cardShift)),
    dirtyCards: new Uint32Array(64),
    dirtyCount: 0,
    rememberedSlots: new Uint32Array(128),
    rememberedSlotCount: 0,
    rememberedSlotsStale: 0,
    rememberedWeak: new Uint32Array(16),
    rememberedWeakCount: 0,
    youngWeak: new Uint32Array(16),
    youngWeakCount: 0,
    ephemeronsMade: false,
    youngFinalizable: new Uint32Array(16),
    youngFinalizableCount: 0,
    phase: IDLE,
    barrierWhite: NO_COLOR,
    liveMask: BOTH_MARKS,
    marked: 0,
    doomed: 0,
    sweepCursor: 0,
    memberWalkCycle: -1,
    memberWalkComponent: 0,
    memberWalkCursor: 0,
    cycleFreed: 0,
    allocations: AS_DOUBLE,
    readMask: BOTH_MARKS,
    deadColors: DESTROYED_ANY,
    weakObjects: new Uint32Array(16),
    weakCount: 0,
    weakCursor: 0,
    weakKept: 0,
    finalizable: new Uint32Array(16),
    finalizableCount: 0,
    finalizeQueue: new Uint32Array(16),
    finalizeTop: 0,
    finalizeNext: 0,
    finalizers: [],
    finalizerErrors: recordList(),
    destroyedYoung: new Uint32Array(16),
    destroyedYoungCount: 0,
    destroyedOld: new Uint32Array(16),
    destroyedOldCount: 0,
    youngDestroyed: 0,
    destroyedYoungAtStart: 0,
    destroyedOldAtStart: 0,
    freeCause: 0,
    components: makeComponentStore(),
    pacer: makePacer(o.nurserySize, o.growthPercent, o.minHeapObjects, o.maxObjects),
    workDone: AS_DOUBLE,
    majorCollections: 0,
    minorCollections: 0,
    lastPauseMs: AS_DOUBLE,
    maxPauseMs: AS_DOUBLE,
    totalPauseMs: AS_DOUBLE,
  };
  s.allocations =
    s.workDone =
    s.lastPauseMs =
    s.maxPauseMs =
    s.totalPauseMs =
      0;
  // Columns and lists are replaced when they grow: variable fields from the start (core/shapes.ts).
  variableFields(s);
  return s;
}

export function makePacer(
  nurserySize: number,
  growthPercent: number,
  minHeapObjects: number,
  maxObjects: number,
): Pacer {
  const p: Pacer = {
    nurserySize,
    growthPercent,
    minHeapObjects,
    // The first cycle is due at minHeapObjects old objects, or at half of maxObjects when that
    // comes first (gc/pacer.ts, `planNextMajor`: the ceiling's rule beats the floor).
    nextMajorAt: Math.min(minHeapObjects, Math.ceil(maxObjects / 2)),
    allocationsAtLastTick: AS_DOUBLE,
    // Starting guesses, replaced by measurement: 3 ns a minor's unit (compiled code on the
    // machines measured), and every young object surviving: until a minor has measured it, a
    // large nursery may be a level just built, which a fold spreads over slices (gc/tick.ts),
    // not garbage a catch-up minor frees at once.
    msPerUnit: 3e-6,
    youngSurvival: AS_DOUBLE,
    foldedYoung: 0,
    survivalMeasured: false,
    agedSurvival: AS_DOUBLE,
    agedMeasured: false,
    earlyRun: 0,
    lastPromotionAge: 0,
    debt: AS_DOUBLE,
  };
  // Doubles from the start (`AS_DOUBLE`): two shares, a count that may pass 2^30, and the heap's
  // `allocations` (a double field) as it was at the last tick.
  p.youngSurvival = 1;
  p.agedSurvival = 0;
  p.debt = 0;
  p.allocationsAtLastTick = 0;
  return p;
}

/** The header columns: one entry per object index each, all `columnLength` long. */
export const HEADER_COLUMNS = ['color', 'generation', 'size', 'base', 'next', 'flags'] as const;
export type HeaderColumn = (typeof HEADER_COLUMNS)[number];

/** Header bytes per object index: every header column's element, plus its share of the card table. */
export function headerBytesPerObject(s: HeapState): number {
  let bytes = 0;
  for (const name of HEADER_COLUMNS) bytes += s[name].BYTES_PER_ELEMENT;
  return bytes + 1 / 2 ** s.cardShift;
}

/**
 * Grows every header column to `length` entries; new entries are free, generation 0. Only the
 * entries below `top` are copied: the rest are zero already (no object has held those indices,
 * `verify()` invariant 1), and left unwritten they hold no memory until objects reach them.
 */
export function growHeaders(s: HeapState, length: number): void {
  const used = s.top;
  for (const name of HEADER_COLUMNS) {
    const column = s[name];
    (s as Record<HeaderColumn, Uint8Array | Uint32Array>)[name] = column instanceof Uint8Array
      ? growU8(column, length, used)
      : growU32(column, length, used);
  }
  s.columnLength = length;
  const pages = indexPagesFor(length);
  if (pages > s.pageClass.length) s.pageClass = growU8(s.pageClass, pages, s.pageClass.length);
  growComponents(s.components, length, used);
  const cardCount = cardsFor(length, s.cardShift);
  if (cardCount > s.cards.length) s.cards = growU8(s.cards, cardCount, cardsFor(used, s.cardShift));
}

/**
 * Writes the (zero) entries of indices `from` .. `to` - 1, all at or above `top`, in every header
 * column, the card table and every component column and position array, so that the system commits their
 * memory now: fresh typed-array memory is handed out page by page on first touch (about 10 µs a
 * 4 KB page on the bench machines), which `reserve` moves out of the frames that allocate there.
 * Entries at or above `top` are zero (no object has held those indices), so nothing changes.
 */
export function touchIndices(s: HeapState, from: number, to: number): void {
  for (const name of HEADER_COLUMNS) s[name].fill(0, from, to);
  s.cards.fill(0, Math.ceil(from / 2 ** s.cardShift), cardsFor(to, s.cardShift));
  touchComponents(s.components, from, to);
}

/**
 * Arrays whose bytes count up to the part in use (`heapBytes`): those indexed by object index or
 * slot, and the lists counted by their entries (the weak lists, the free singles and pairs).
 */
const COUNTED_IN_USE = new Set<string>([
  ...HEADER_COLUMNS,
  'cards',
  'slots',
  'weakObjects',
  'youngWeak',
  'freeSingles',
  'freePairs',
  'pageClass',
]);

/**
 * The bytes of the heap's typed arrays in use (`stats().bytes`). Arrays indexed by object index
 * (header columns, cards, reference columns, membership positions) count up to `top` (the page
 * classes and page marks up to its page), numeric component columns by the memory pages written
 * below it (core/component-store.ts `numericColumnBytes`), the slot pool up to `slotTop`, member and query lists up to the entries
 * ever written, the weak lists
 * and the slot pool's lists of free singles and pairs up to their entries in use (room `reserve`
 * gave them is untouched until used; room a shorter list left behind is not counted); the other
 * lists and stacks (remembered set, mark stack, finalizers, destroyed objects, ...) and the pin
 * table count whole. Capacity past the part in use is left out, as an engine's
 * `heapUsed` leaves out its heap's free room: it is zero and nothing writes it (growth copies only
 * the part in use, core/columns.ts), so where the allocator hands out fresh pages it holds no
 * memory until objects reach it (docs/decisions.md, "What stats().bytes counts").
 */
export function heapBytes(s: HeapState): number {
  const top = s.top;
  let bytes = 0;
  for (const [name, value] of Object.entries(s)) {
    if (ArrayBuffer.isView(value) && !COUNTED_IN_USE.has(name)) bytes += value.byteLength;
  }
  for (const name of HEADER_COLUMNS) bytes += bytesInUse(s[name], top);
  bytes += bytesInUse(s.cards, cardsFor(top, s.cardShift)) + bytesInUse(s.slots, s.slotTop);
  bytes += bytesInUse(s.weakObjects, s.weakCount) + bytesInUse(s.youngWeak, s.youngWeakCount);
  bytes += bytesInUse(s.freeSingles, s.freeSingleCount) + bytesInUse(s.freePairs, s.freePairCount);
  bytes += bytesInUse(s.pageClass, indexPagesFor(top));
  for (const c of s.components.list) bytes += componentBytes(c, top);
  for (const mask of s.components.masks) bytes += bytesInUse(mask, top);
  for (const q of s.components.queries.values()) bytes += 4 * q.denseWritten + queryPositionBytes(q, top);
  return bytes;
}
