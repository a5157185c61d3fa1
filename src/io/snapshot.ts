/**
 * Save and restore: the whole heap as bytes (save games), and back to an identical heap: the
 * same handles valid with the same contents, the same free list and nursery, the same cycle in
 * progress, so the same program continues deterministically.
 *
 * Layout, little-endian:
 *   0  "ECS-HEAP"            magic, 8 bytes
 *   8  u32 format version
 *   12 u32 header length      (UTF-8 JSON)
 *   16 u32 checksum           FNV-1a over the 32-bit words from byte 24 to the end
 *   20 u32 total length
 *   24 header JSON, then each section's elements, every section starting on an 8-byte boundary.
 *
 * The header holds the options, every numeric field of the state, the component schemas (with
 * the pages of indices their numeric columns were written on, as runs) and the section table
 * (name, element type, capacity, used length). Sections hold the used part of each typed array;
 * the rest of its capacity is zero, as in the heap (a numeric column, and a component's membership
 * positions, are written back only on its pages written: core/component-store.ts `copyMarkedPages`).
 *
 * Restore trusts nothing it has not checked, and allocates nothing it has not checked against the
 * bytes. `decodeHeader` checks the checksum, then plans: the options and every scalar against a
 * lower and an upper bound (`SCALAR_RULES`), every section against the layout those scalars imply
 * (`layout`: its used length is derived from the counts, arrays indexed by object or card are
 * sized from `columnLength` rather than a stored capacity, growable lists keep a saved capacity
 * with room to grow), the data against the bytes present, and the total to allocate against
 * `restoreBudget` (a bounded slack over the bytes). Then the heap is built at the smallest
 * capacity, `loadState` allocates and loads the planned arrays and runs the full invariant
 * checker. Any failure is a `SnapshotError` naming what is wrong, and the partly loaded heap is
 * dropped.
 */
import { cardsFor, indexPagesFor } from '../core/columns.ts';
import {
  type ComponentData,
  type ComponentStore,
  copyMarkedPages,
  FIELD_TYPES,
  type FieldType,
  isReferenceType,
  markNonzeroPages,
  MAX_FIELD_LENGTH,
  pageRuns,
  type QueryData,
  rebuildMasks,
  type Schema,
  type TypedColumn,
} from '../core/component-store.ts';
import { getQuery } from '../ecs/components.ts';
import { HeapError } from '../core/errors.ts';
import { describe, makeCodec, type Ref } from '../core/handle.ts';
import { countFreeLargeSlots } from '../core/slots.ts';
import { type HeapOptions, type ResolvedOptions, resolveOptions } from '../core/options.ts';
import {
  CLEAR,
  EPHEMERON,
  FINALIZABLE,
  HEADER_COLUMNS,
  type HeapState,
  IDLE,
  INDEX_QUEUES,
  MINOR_FINALIZE,
  MIXED_CLASS,
  NO_COLOR,
  otherMark,
  READ_ALL,
} from '../core/state.ts';
import { enterPhase } from '../gc/collector.ts';
import { PROBE_EVERY } from '../gc/pacer.ts';
import { verifyHeap } from '../gc/verify.ts';
import { listFinalizable } from '../gc/weak.ts';

/** Truncated, corrupted, wrong-version or inconsistent snapshot bytes; the message names what is wrong. */
export class SnapshotError extends HeapError {}

const MAGIC = 'ECS-HEAP';
/**
 * 2: the checksum is FNV-1a over 32-bit words (1 used a byte-wise CRC-32). 3: young weak and
 * finalizer lists, the PROMOTE and FINALIZE phases, `white`. 4: destroyed objects (their color
 * and lists), the free cause kept in `base` of free indices. 5: the buddy slot pool (aligned
 * blocks, free-block markers, `freeSingles`, `freePairs`, `freeClasses`). 6: `lazyFrees`, blocks
 * of one or two slots freed without merging; the CLEAR phase (`weakCursor`, `weakKept`,
 * `deadColors`). 7: remembered slots (`rememberedSlots`, `rememberedSlotCount`,
 * `rememberedSlotsStale`) and the card values beyond 1. 8: the spent stack (`spentHead`); a
 * version 7 snapshot, which has none, is read too (its spent indices are in the free queue, set aside
 * as allocation meets them). 9: the checksum mixes each word's high bits down (`checksum`); versions
 * 7 and 8 are read with theirs. 10: the sweep's walk over the member lists (`memberWalkCycle`,
 * `memberWalkComponent`, `memberWalkCursor`); an older snapshot saved in a sweep walks them again.
 * 11: a merge of the small free blocks in slices (`mergeSinglesLeft`, `mergePairsLeft`); an older
 * snapshot has none running. 12: the checksum starts from the format version (`checksum`): from 11
 * on, one flipped bit of the version word could name another readable format with the same
 * checksum (11 to 10 or 9), whose reader took the bytes (the random-flip test met it). 13: index
 * pages by class (core/free-list.ts): a free queue per class (`freeHeads`, `freeTails`) and the
 * class of each page in use (`pageClass`) replace the one queue (`freeHead`, `freeTail`); an older
 * snapshot is read with its pages of the mixed class and its queue theirs (`legacyFreeQueue`).
 */
export const SNAPSHOT_VERSION = 13;
/** The first format version with index pages by class. */
const PAGED_VERSION = 13;
/** The oldest format version this library reads. */
const OLDEST_VERSION = 7;
const PREAMBLE_BYTES = 24;

const ARRAY_TYPES = {
  u8: Uint8Array,
  i8: Int8Array,
  u16: Uint16Array,
  i16: Int16Array,
  u32: Uint32Array,
  i32: Int32Array,
  f32: Float32Array,
  f64: Float64Array,
} as const;
type ArrayType = keyof typeof ARRAY_TYPES;

function arrayType(array: TypedColumn): ArrayType {
  for (const [name, ctor] of Object.entries(ARRAY_TYPES)) if (array instanceof ctor) return name as ArrayType;
  throw new TypeError('unknown column type');
}

interface SectionInfo {
  name: string;
  type: ArrayType;
  capacity: number;
  used: number;
}

interface ComponentInfo {
  name: string;
  schema: Schema;
  onRemove: boolean;
  memberCount: number;
  /** Entries of the member list ever written (`membersWritten`); absent in older saves: `memberCount`. */
  written?: number;
  /**
   * The pages of indices its numeric columns were written on (`ComponentData.pages`), as runs
   * (`pageRuns`), so a restored heap's `stats().bytes` is the saved one's; absent in saves before
   * session 44 (a restore then marks the pages holding a value or a member).
   */
  pages?: number[];
}

interface QueryInfo {
  all: number[];
  none: number[];
  count: number;
  /** As `ComponentInfo.written`, for the query's list. */
  written?: number;
}

interface SnapshotHeader {
  options: Omit<ResolvedOptions, 'onFinalizerError' | 'cardShift'> & { cardSize: number };
  scalars: Record<string, number>;
  pacer: {
    nextMajorAt: number;
    allocationsAtLastTick: number;
    debt: number;
    msPerUnit: number;
    youngSurvival: number;
    foldedYoung?: number;
    survivalMeasured?: boolean;
    agedSurvival?: number;
    agedMeasured?: boolean;
    earlyRun?: number;
  };
  components: ComponentInfo[];
  queries: QueryInfo[];
  /** Indices of objects (live, or dead awaiting their finalizer) that have a finalizer function. */
  finalizers: number[];
  sections: SectionInfo[];
}

// ---- checksum ---------------------------------------------------------------------------------

/**
 * The payload's checksum as format `version` computes it: FNV-1a over 32-bit words (the payload is
 * a whole number of 8-byte words), and from version 9 an xorshift after each multiply. Each step
 * is a bijection of the running hash, so a change confined to one word always changes the result.
 * A multiply alone carries a change only towards the high bits, so before version 9 the low bits
 * of the result never saw the high bits of any word: flipping the top bit of two words cancelled
 * (the random-flip test in test/snapshot.test.ts met it). The shift folds them down, so the next
 * multiply spreads them over every bit. A word at a time keeps it near memory speed, unlike a
 * byte-wise CRC (measured: 91 ms for 34 MB; this: a few ms).
 */
export function checksum(bytes: Uint8Array, version: number = SNAPSHOT_VERSION): number {
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  const words = new Uint32Array(aligned.buffer, aligned.byteOffset, aligned.length >>> 2);
  // From version 12 the version is the first word hashed, so bytes relabelled as another format
  // (a flipped bit of the version word) fail the check instead of being read with its layout.
  let hash = version >= 12 ? Math.imul(0x811c9dc5 ^ version, 0x01000193) : 0x811c9dc5;
  if (version >= 9) {
    for (let i = 0; i < words.length; i++) {
      hash = Math.imul(hash ^ words[i]!, 0x01000193);
      hash ^= hash >>> 15;
    }
  } else {
    for (let i = 0; i < words.length; i++) hash = Math.imul(hash ^ words[i]!, 0x01000193);
  }
  for (let i = words.length * 4; i < aligned.length; i++) hash = Math.imul(hash ^ aligned[i]!, 0x01000193);
  return hash >>> 0;
}

// ---- what each array and scalar may be: one table for save and restore --------------------------

/** The numbers a snapshot's scalars, and the capacities of its arrays, are checked against. */
type Scalars = Readonly<Record<string, number>>;

/**
 * How restore sizes an array. Arrays indexed by object index or card are sized from the validated
 * `columnLength`, never from a stored capacity; growable lists keep their saved capacity, checked
 * to leave room to grow into (at least 1, as they grow by doubling) and to be no larger than any
 * heap could have made them.
 */
type Sizing =
  /** `per` elements for each object index: exactly `per * columnLength`. */
  | { kind: 'column'; per: number }
  /** One element per card: exactly `cardsFor(columnLength)`. */
  | { kind: 'cards' }
  | { kind: 'fixed'; length: number }
  /**
   * A numeric component column: exactly `length` elements (`maxObjects` + 1 per element), allocated
   * whole so it never moves; only the `used` part is ever written, so only that counts against the
   * restore budget (the rest are zero pages).
   */
  | { kind: 'numeric'; length: number; used: number }
  /** A growable list: any capacity from max(used, 1) to `max`. */
  | { kind: 'list'; max: number }
  /** One element per page of indices: exactly `(columnLength >>> INDEX_PAGE_BITS) + 1`. */
  | { kind: 'pages' };

interface Section {
  name: string;
  type: ArrayType;
  /** Elements saved: the used part, derived from the scalars. */
  used: number;
  sizing: Sizing;
}

/** A component as the section layout needs it. */
interface LayoutComponent {
  fields: readonly { name: string; type: FieldType; length: number }[];
  memberCount: number;
}

/** The typed arrays of the state, in the order of their sections (the order `createState` makes them). */
const STATE_ARRAYS = [
  ...HEADER_COLUMNS,
  'freeHeads',
  'freeTails',
  'pageClass',
  'slots',
  'freeBlocks',
  'freeSingles',
  'freePairs',
  'markStack',
  'pinTarget',
  'pinGeneration',
  'pinNext',
  'scopeStack',
  'cards',
  'dirtyCards',
  'rememberedSlots',
  'rememberedWeak',
  'youngWeak',
  'youngFinalizable',
  'weakObjects',
  'finalizable',
  'finalizeQueue',
  'destroyedYoung',
  'destroyedOld',
] as const;

/** The slot pool's free-list heads: one per block class (classes go up to 30, for 2^30 slots). */
const FREE_BLOCK_CLASSES = 32;

/**
 * Every section of a snapshot, in order, with its used length and sizing rule, from scalars that
 * are already validated. Both save and restore lay sections out with this, so they cannot disagree.
 */
function layout(
  v: Scalars,
  indexMask: number,
  maxSlots: number,
  components: readonly LayoutComponent[],
  queryCounts: readonly number[],
  version: number,
): Section[] {
  const column = (per: number): Sizing => ({ kind: 'column', per });
  // A list holds distinct objects (or scoped objects, or cards): at most one per index. It grows
  // by doubling when full, so no heap makes one longer than twice the columns (or 256).
  const list: Sizing = { kind: 'list', max: Math.max(256, 2 * v.columnLength) };
  // The young weak list may name an object more than once (a member of a `weakref` component is
  // listed each time it joins one) until the next minor: no bound but the restore budget's.
  const unbounded: Sizing = { kind: 'list', max: MAX_LIST };
  const pins: Sizing = { kind: 'list', max: indexMask + 1 };
  const freeList: Sizing = { kind: 'list', max: Math.max(16, 2 * maxSlots) };
  const sections: Section[] = [
    ...HEADER_COLUMNS.map((name): Section => ({
      name,
      type: name === 'color' || name === 'flags' ? 'u8' : 'u32',
      used: v.top,
      sizing: column(1),
    })),
    // The free queues, one per index class, and the class of each page up to the one `top` lies in
    // (format 13 on; an older snapshot's one queue is loaded as the mixed class's).
    ...(version < PAGED_VERSION ? [] : [
      { name: 'freeHeads', type: 'u32', used: INDEX_QUEUES, sizing: { kind: 'fixed', length: INDEX_QUEUES } },
      { name: 'freeTails', type: 'u32', used: INDEX_QUEUES, sizing: { kind: 'fixed', length: INDEX_QUEUES } },
      { name: 'pageClass', type: 'u8', used: indexPagesFor(v.top!), sizing: { kind: 'pages' } },
    ] satisfies Section[]),
    { name: 'slots', type: 'u32', used: v.slotTop, sizing: { kind: 'list', max: maxSlots } },
    {
      name: 'freeBlocks',
      type: 'u32',
      used: FREE_BLOCK_CLASSES,
      sizing: { kind: 'fixed', length: FREE_BLOCK_CLASSES },
    },
    // Free 1- and 2-slot blocks of the buddy pool, listed densely: at most one per block, in a
    // list that starts at 16 and doubles (so up to twice the pool, and 16 for a pool smaller than that).
    { name: 'freeSingles', type: 'u32', used: v.freeSingleCount, sizing: freeList },
    { name: 'freePairs', type: 'u32', used: v.freePairCount, sizing: freeList },
    // The mark stack holds distinct marked objects plus room for one object's slots (the
    // scanner's room check), doubled: never more than twice the columns and the slot pool.
    {
      name: 'markStack',
      type: 'u32',
      used: v.markTop,
      sizing: { kind: 'list', max: Math.max(256, 2 * (v.columnLength + v.slotTop)) },
    },
    { name: 'pinTarget', type: 'u32', used: v.pinTop, sizing: pins },
    { name: 'pinGeneration', type: 'u32', used: v.pinTop, sizing: pins },
    { name: 'pinNext', type: 'u32', used: v.pinTop, sizing: pins },
    { name: 'scopeStack', type: 'u32', used: v.scopeTop, sizing: list },
    { name: 'cards', type: 'u8', used: cardsFor(v.columnLength, v.cardShift), sizing: { kind: 'cards' } },
    { name: 'dirtyCards', type: 'u32', used: v.dirtyCount, sizing: list },
    // Pairs (owner, slot position): at most one entry made per index between minors (gc/cards.ts)
    // and one kept per index by a minor, in a list that doubles: at most 8 words per index.
    {
      name: 'rememberedSlots',
      type: 'u32',
      used: 2 * v.rememberedSlotCount,
      sizing: { kind: 'list', max: Math.max(256, 8 * v.columnLength) },
    },
    { name: 'rememberedWeak', type: 'u32', used: v.rememberedWeakCount, sizing: list },
    { name: 'youngWeak', type: 'u32', used: v.youngWeakCount, sizing: unbounded },
    { name: 'youngFinalizable', type: 'u32', used: v.youngFinalizableCount, sizing: list },
    { name: 'weakObjects', type: 'u32', used: v.weakCount, sizing: list },
    { name: 'finalizable', type: 'u32', used: v.finalizableCount, sizing: list },
    { name: 'finalizeQueue', type: 'u32', used: v.finalizeTop, sizing: list },
    { name: 'destroyedYoung', type: 'u32', used: v.destroyedYoungCount, sizing: list },
    { name: 'destroyedOld', type: 'u32', used: v.destroyedOldCount, sizing: list },
  ];
  components.forEach((c, id) => {
    for (const f of c.fields) {
      const type = f.type === 'ref' || f.type === 'weakref' ? 'u32' : f.type;
      // Fields as `c<id>.f.<name>`, apart from the component's own arrays (a field may be named
      // `members` or `position`). Numeric columns are sized for maxObjects: they never move.
      const sizing: Sizing = isReferenceType(f.type)
        ? column(f.length)
        : { kind: 'numeric', length: f.length * (v.maxObjects! + 1), used: v.top! * f.length };
      sections.push({ name: `c${id}.f.${f.name}`, type, used: v.top * f.length, sizing });
    }
    sections.push({ name: `c${id}.members`, type: 'u32', used: c.memberCount, sizing: list });
    sections.push({ name: `c${id}.position`, type: 'u32', used: v.top, sizing: column(1) });
  });
  queryCounts.forEach((count, n) => {
    sections.push({ name: `q${n}.dense`, type: 'u32', used: count, sizing: list });
    sections.push({ name: `q${n}.position`, type: 'u32', used: v.top, sizing: column(1) });
  });
  return sections;
}

/** The capacity restore allocates for a section whose saved capacity passed its check. */
function capacityFor(
  section: Section,
  saved: number,
  columnLength: number,
  cardShift: number,
  trimmed: boolean,
): number {
  const sizing = section.sizing;
  if (sizing.kind === 'column') return sizing.per * columnLength;
  if (sizing.kind === 'cards') return cardsFor(columnLength, cardShift);
  if (sizing.kind === 'pages') return indexPagesFor(columnLength);
  if (sizing.kind === 'fixed' || sizing.kind === 'numeric') return sizing.length;
  return trimmed ? Math.max(section.used, 1) : saved;
}

/** Every typed array of the state (components and queries included), in section order. */
function arraysOf(s: HeapState): TypedColumn[] {
  const arrays: TypedColumn[] = STATE_ARRAYS.map((name) => s[name]);
  for (const c of s.components.list) {
    for (const f of c.fields) arrays.push(f.column);
    arrays.push(c.members, c.position);
  }
  for (const q of s.components.queries.values()) arrays.push(q.dense, q.position);
  return arrays;
}

function layoutOf(s: HeapState): Section[] {
  const v = scalarsOf(s);
  // A typed array added to the state without a section rule would be silently dropped: refuse.
  for (const [key, value] of Object.entries(s)) {
    if (ArrayBuffer.isView(value) && !(STATE_ARRAYS as readonly string[]).includes(key)) {
      throw new Error(`snapshot: the state's array '${key}' has no section rule`);
    }
  }
  for (const name of Object.keys(v)) {
    if (!SCALAR_RULES.some(([rule]) => rule === name)) throw new Error(`snapshot: scalar '${name}' has no bounds`);
  }
  return layout(
    v,
    s.codec.indexMask,
    s.maxSlots,
    s.components.list.map((c) => ({ fields: c.fields, memberCount: c.memberCount })),
    [...s.components.queries.values()].map((q) => q.count),
    SNAPSHOT_VERSION,
  );
}

/**
 * Numeric fields of the state that are not saved: a restore derives them from what is (`loadState`),
 * so a save cannot hold one that disagrees, and adding one needs no new format version.
 */
const DERIVED_SCALARS: ReadonlySet<string> = new Set(['freeLargeSlots']);

/** The numeric fields of the state, by name: every one but the derived is saved and restored. */
function scalarsOf(s: HeapState): Record<string, number> {
  const scalars: Record<string, number> = {};
  for (const [key, value] of Object.entries(s)) {
    if (typeof value === 'number' && !DERIVED_SCALARS.has(key)) scalars[key] = value;
  }
  return scalars;
}

/** What scalar bounds are computed from: the options, and the scalars checked before. */
interface Limits {
  maxObjects: number;
  maxSlots: number;
  maxSlotsPerObject: number;
  promoteAfter: number;
  cardShift: number;
  indexMask: number;
}
type Bound = (v: Scalars, o: Limits) => number;
const MAX_COUNT = Number.MAX_SAFE_INTEGER;
/** The longest typed array any runtime makes (a `Uint32Array` is indexed by a 32-bit integer). */
const MAX_LIST = 2 ** 32 - 1;

/**
 * Every numeric field of the state with its lower and upper bound, in an order where each bound
 * uses only fields checked before it. Integers unless marked `real`. The bounds are what any heap
 * can reach (a list holds distinct objects, so its count is below `top`; a free list's head is an
 * index in use; ...), so a legitimate snapshot always passes, and the collector can index every
 * array with them. `verify()` then checks how they fit together.
 */
const SCALAR_RULES: readonly (readonly [name: string, min: Bound, max: Bound, real?: 'real'])[] = [
  ['maxObjects', (_, o) => o.maxObjects, (_, o) => o.maxObjects],
  ['maxSlots', (_, o) => o.maxSlots, (_, o) => o.maxSlots],
  ['maxSlotsPerObject', (_, o) => o.maxSlotsPerObject, (_, o) => o.maxSlotsPerObject],
  ['promoteAfter', (_, o) => o.promoteAfter, (_, o) => o.promoteAfter],
  ['cardShift', (_, o) => o.cardShift, (_, o) => o.cardShift],
  ['columnLength', () => 2, (_, o) => o.maxObjects + 1],
  ['top', () => 1, (v) => v.columnLength!],
  ['spentHead', () => 0, (v) => v.top! - 1],
  ['live', () => 0, (v) => v.top! - 1],
  ['retired', () => 0, (v) => v.top! - 1],
  ['markValue', () => 1, () => 2],
  ['white', (v) => otherMark(v.markValue!), (v) => otherMark(v.markValue!)],
  ['slotTop', () => 1, (_, o) => o.maxSlots],
  ['slotsUsed', () => 0, (v) => v.slotTop! - 1],
  // The buddy pool's free blocks of 1 and 2 slots, and the classes that have free blocks (a bit set).
  ['freeSingleCount', () => 0, (v) => v.slotTop! - 1],
  ['freePairCount', () => 0, (v) => v.slotTop! - 1],
  ['freeClasses', () => 0, () => 2 ** 32 - 1],
  ['lazyFrees', () => 0, (v) => v.freeSingleCount! + v.freePairCount!],
  // A merge of the small blocks in slices: the list entries still to visit (a list shortened since
  // is walked from its new end, so any count is safe).
  ['mergeSinglesLeft', () => 0, (v) => v.slotTop! - 1],
  ['mergePairsLeft', () => 0, (v) => v.slotTop! - 1],
  ['markTop', () => 0, (v) => v.top! - 1],
  ['pinTop', () => 1, (_, o) => o.indexMask + 1],
  ['pinFreeHead', () => 0, (v) => v.pinTop! - 1],
  ['pinsLive', () => 0, (v) => v.pinTop! - 1],
  // Open scopes' roots live on the JavaScript stack: snapshots are taken outside scope() and noGc().
  ['scopeTop', () => 0, () => 0],
  ['scopeDepth', () => 0, () => 0],
  ['noGcDepth', () => 0, () => 0],
  ['nurseryHead', () => 0, (v) => v.top! - 1],
  ['promoteHead', () => 0, (v) => v.top! - 1],
  ['young', () => 0, (v) => v.top! - 1],
  // Only cards of objects in use get dirty.
  ['dirtyCount', () => 0, (v, o) => cardsFor(v.top!, o.cardShift)],
  ['rememberedSlotCount', () => 0, (v) => 2 * (v.top! - 1)],
  ['rememberedSlotsStale', () => 0, () => 1],
  // A minor's scratch list, empty between calls.
  ['rememberedWeakCount', () => 0, () => 0],
  ['youngWeakCount', () => 0, () => MAX_LIST],
  ['youngFinalizableCount', () => 0, (v) => v.top! - 1],
  // Never MINOR_FINALIZE: a minor's finalizers run inside noGc, where snapshot() throws.
  // TENURE is saved too; MINOR_FINALIZE, in the middle of this range, is refused by `checkPhase`.
  ['phase', () => IDLE, () => CLEAR],
  // Derived from the phase on restore (`enterPhase`): bounded here, never trusted.
  ['barrierWhite', () => 0, () => NO_COLOR],
  ['liveMask', () => 0, () => READ_ALL],
  ['readMask', () => 0, () => READ_ALL],
  ['deadColors', () => 0, () => 255],
  ['marked', () => 0, () => MAX_COUNT],
  ['doomed', () => 0, (v) => v.top! - 1],
  ['sweepCursor', () => 0, (v) => v.top! - 1],
  // The sweep's walk over the member lists (gc/collector.ts); a place past a list's end ends it.
  ['memberWalkCycle', () => -1, () => MAX_COUNT],
  ['memberWalkComponent', () => 0, () => MAX_COUNT],
  ['memberWalkCursor', () => 0, () => MAX_COUNT],
  ['cycleFreed', () => 0, () => MAX_COUNT],
  ['allocations', () => 0, () => MAX_COUNT],
  ['weakCount', () => 0, (v) => v.top! - 1],
  // CLEAR's place in the old weak list (0 outside CLEAR; verify() checks the rest).
  ['weakCursor', () => 0, (v) => v.weakCount!],
  ['weakKept', () => 0, (v) => v.weakCursor!],
  ['finalizableCount', () => 0, (v) => v.top! - 1],
  ['finalizeTop', () => 0, (v) => v.top! - 1],
  ['finalizeNext', () => 0, (v) => v.finalizeTop!],
  // Destroyed objects awaiting reclamation: distinct indices in use.
  ['destroyedYoungCount', () => 0, (v) => v.top! - 1],
  ['destroyedOldCount', () => 0, (v) => v.top! - 1],
  ['youngDestroyed', () => 0, (v) => v.young!],
  ['destroyedYoungAtStart', () => 0, (v) => v.destroyedYoungCount!],
  ['destroyedOldAtStart', () => 0, (v) => v.destroyedOldCount!],
  // Why indices are freed (core/free-cause.ts): a kind, a destroyed bit and a collection number.
  ['freeCause', () => 0, () => 2 ** 32 - 1],
  ['workDone', () => 0, () => MAX_COUNT],
  ['majorCollections', () => 0, () => MAX_COUNT],
  ['minorCollections', () => 0, () => MAX_COUNT],
  ['lastPauseMs', () => 0, () => Number.MAX_VALUE, 'real'],
  ['maxPauseMs', () => 0, () => Number.MAX_VALUE, 'real'],
  ['totalPauseMs', () => 0, () => Number.MAX_VALUE, 'real'],
];

/** Scalars that restate an option: checked equal, never loaded (the fresh state has them). */
const OPTION_SCALARS = new Set(['maxObjects', 'maxSlots', 'maxSlotsPerObject', 'promoteAfter', 'cardShift']);

// ---- save ---------------------------------------------------------------------------------------

export function encodeSnapshot(s: HeapState, options: ResolvedOptions): Uint8Array {
  const sections = layoutOf(s);
  const arrays = arraysOf(s);
  const header: SnapshotHeader = {
    options: {
      initialCapacity: options.initialCapacity,
      maxObjects: options.maxObjects,
      indexBits: options.indexBits,
      generationBits: options.generationBits,
      maxSlotsPerObject: options.maxSlotsPerObject,
      maxSlots: options.maxSlots,
      generational: options.generational,
      promoteAfter: options.promoteAfter,
      cardSize: 2 ** options.cardShift,
      nurserySize: options.nurserySize,
      growthPercent: options.growthPercent,
      minHeapObjects: options.minHeapObjects,
    },
    scalars: scalarsOf(s),
    pacer: {
      nextMajorAt: s.pacer.nextMajorAt,
      allocationsAtLastTick: s.pacer.allocationsAtLastTick,
      debt: s.pacer.debt,
      msPerUnit: s.pacer.msPerUnit,
      youngSurvival: s.pacer.youngSurvival,
      foldedYoung: s.pacer.foldedYoung,
      survivalMeasured: s.pacer.survivalMeasured,
      agedSurvival: s.pacer.agedSurvival,
      agedMeasured: s.pacer.agedMeasured,
      earlyRun: s.pacer.earlyRun,
    },
    components: s.components.list.map((c) => ({
      name: c.name,
      schema: c.schema,
      onRemove: c.onRemove !== undefined,
      memberCount: c.memberCount,
      written: c.membersWritten,
      pages: pageRuns(c.pages),
    })),
    queries: [...s.components.queries.values()].map((q) => ({
      all: q.all.map((c) => c.id),
      none: q.none.map((c) => c.id),
      count: q.count,
      written: q.denseWritten,
    })),
    finalizers: s.finalizers.flatMap((fn, index) => (fn === undefined ? [] : [index])),
    sections: sections.map(({ name, type, used }, k) => {
      if (arrayType(arrays[k]!) !== type) throw new Error(`snapshot: section '${name}' is not ${type}`);
      return { name, type, capacity: arrays[k]!.length, used };
    }),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  let length = align8(PREAMBLE_BYTES + json.length);
  for (const { type, used } of sections) length = align8(length + used * ARRAY_TYPES[type].BYTES_PER_ELEMENT);
  const bytes = new Uint8Array(length);
  const view = new DataView(bytes.buffer);
  for (let k = 0; k < MAGIC.length; k++) bytes[k] = MAGIC.charCodeAt(k);
  view.setUint32(8, SNAPSHOT_VERSION, true);
  view.setUint32(12, json.length, true);
  view.setUint32(20, length, true);
  bytes.set(json, PREAMBLE_BYTES);
  let at = align8(PREAMBLE_BYTES + json.length);
  sections.forEach(({ used }, k) => {
    const array = arrays[k]!;
    const byteLength = used * array.BYTES_PER_ELEMENT;
    bytes.set(new Uint8Array(array.buffer, array.byteOffset, byteLength), at);
    at = align8(at + byteLength);
  });
  view.setUint32(16, checksum(bytes.subarray(PREAMBLE_BYTES)), true);
  return bytes;
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

// ---- restore ------------------------------------------------------------------------------------

/**
 * How much a restore may allocate for a snapshot of `byteLength` bytes: a bounded slack over the
 * data present. Any heap's arrays are within a small factor of what its snapshot holds (columns
 * grow in steps of at most 1.25x, lists by doubling; the used parts are saved), except capacity
 * allocated up front and never used (`initialCapacity`): that is all a header can claim without
 * the bytes to back it, so it is honoured only up to the fixed part.
 */
export const RESTORE_SLACK_FACTOR = 8;
export const RESTORE_SLACK_BYTES = 64 * 2 ** 20;

export function restoreBudget(byteLength: number): number {
  return RESTORE_SLACK_FACTOR * byteLength + RESTORE_SLACK_BYTES;
}

/** A section as restore will allocate and load it. */
interface PlannedSection {
  name: string;
  type: ArrayType;
  used: number;
  /** Elements to allocate: at least `used`, except past the objects in use in a trimmed restore. */
  capacity: number;
  /** Where its data starts in the bytes. */
  at: number;
}

/** Everything restore allocates, decided and checked against the bytes before anything is allocated. */
export interface RestorePlan {
  /** The snapshot's options, resolved (and so checked): the restored state is made from them. */
  options: ResolvedOptions;
  scalars: Scalars;
  /** The restored heap's column length: the saved one, or when trimmed the least that holds the objects in use. */
  columnLength: number;
  /**
   * The saved capacities together exceed `restoreBudget`: every array is restored at the size its
   * contents need instead (the heap grows again as it is used). Only `stats()`'s capacities differ.
   */
  trimmed: boolean;
  /** Bytes of all the arrays restore allocates. */
  bytes: number;
  /** A snapshot older than format 13: its one free queue's head and tail. */
  legacyFreeQueue: [head: number, tail: number] | undefined;
  sections: PlannedSection[];
}

/** What `decodeHeader` hands the heap to build a fresh instance from. */
export interface DecodedHeader {
  header: SnapshotHeader;
  bytes: Uint8Array;
  plan: RestorePlan;
}

function fail(what: string): never {
  throw new SnapshotError(`bad snapshot: ${what}`);
}

/**
 * Checks framing, version and checksum, parses the header, and plans the restore: every option,
 * scalar, count and section is checked against its bounds and against the bytes present, and what
 * restore will allocate is decided, all before anything is allocated.
 */
export function decodeHeader(bytes: unknown): DecodedHeader {
  if (!(bytes instanceof Uint8Array)) fail(`expected a Uint8Array, got ${Object.prototype.toString.call(bytes)}`);
  if (bytes.length < PREAMBLE_BYTES) {
    fail(`truncated: ${bytes.length} bytes is shorter than the ${PREAMBLE_BYTES}-byte header`);
  }
  for (let k = 0; k < MAGIC.length; k++) {
    if (bytes[k] !== MAGIC.charCodeAt(k)) fail('not an ecs-heap snapshot (magic bytes differ)');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version < OLDEST_VERSION || version > SNAPSHOT_VERSION) {
    fail(`format version ${version}, this library reads versions ${OLDEST_VERSION} to ${SNAPSHOT_VERSION}`);
  }
  const total = view.getUint32(20, true);
  if (total !== bytes.length) fail(`truncated or padded: the header says ${total} bytes, got ${bytes.length}`);
  if (checksum(bytes.subarray(PREAMBLE_BYTES), version) !== view.getUint32(16, true)) {
    fail('checksum mismatch: the bytes are corrupted');
  }
  const jsonLength = view.getUint32(12, true);
  if (PREAMBLE_BYTES + jsonLength > bytes.length) fail(`header length ${jsonLength} runs past the end`);
  let header: SnapshotHeader;
  try {
    header = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREAMBLE_BYTES, PREAMBLE_BYTES + jsonLength)),
    );
  } catch (error) {
    fail(`header is not valid JSON (${(error as Error).message})`);
  }
  if (typeof header !== 'object' || header === null) fail('header is not an object');
  for (const key of ['options', 'scalars', 'pacer', 'components', 'queries', 'finalizers', 'sections'] as const) {
    if (typeof header[key] !== 'object' || header[key] === null) fail(`header field '${key}' is missing`);
  }
  for (const key of ['components', 'queries', 'finalizers', 'sections'] as const) {
    if (!Array.isArray(header[key])) fail(`header field '${key}' is not a list`);
  }
  if (version < 10) {
    // Before version 10 no walk over the member lists was saved: a cycle saved in its sweep walks
    // them again from the start, whatever the header says (a walk started again is always right).
    const scalars = header.scalars as Record<string, unknown>;
    scalars.memberWalkCycle = -1;
    scalars.memberWalkComponent = 0;
    scalars.memberWalkCursor = 0;
  }
  if (version < 11) {
    // Before version 11 the small blocks were merged whole, never in slices: none was running.
    const scalars = header.scalars as Record<string, unknown>;
    scalars.mergeSinglesLeft = 0;
    scalars.mergePairsLeft = 0;
  }
  if (version === 7) {
    // Version 7 had no spent stack: its spent indices sit in the free queue, which allocation
    // sets aside as it meets them (core/free-list.ts).
    const scalars = header.scalars as Record<string, unknown>;
    if ('spentHead' in scalars) fail("scalar 'spentHead' is not part of format version 7");
    scalars.spentHead = 0;
  }
  let legacyFreeQueue: [number, number] | undefined;
  if (version < PAGED_VERSION) {
    // One free queue before version 13 (`freeHead`, `freeTail`): taken out of the scalars here,
    // bounded as they were, and loaded as the mixed class's queue (`loadState`).
    const scalars = header.scalars as Record<string, unknown>;
    const ends = (['freeHead', 'freeTail'] as const).map((name) => {
      const value = scalars[name];
      delete scalars[name];
      const top = scalars.top;
      if (typeof top !== 'number' || !Number.isInteger(top) || top < 1) return 0; // named by the scalar checks
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > top - 1) {
        fail(`scalar '${name}' is ${JSON.stringify(value)}, expected an integer from 0 to ${top - 1}`);
      }
      return value;
    });
    legacyFreeQueue = [ends[0]!, ends[1]!];
  }
  return {
    header,
    bytes,
    plan: planRestore(header, bytes, align8(PREAMBLE_BYTES + jsonLength), version, legacyFreeQueue),
  };
}

function planRestore(
  header: SnapshotHeader,
  bytes: Uint8Array,
  dataStart: number,
  version: number,
  legacyFreeQueue: [number, number] | undefined,
): RestorePlan {
  let options: ResolvedOptions;
  try {
    options = resolveOptions(header.options as HeapOptions);
  } catch (error) {
    fail(`its options are invalid (${(error as Error).message})`);
  }
  const indexMask = makeCodec(options.indexBits, options.generationBits).indexMask;
  const v = checkScalarValues(header.scalars, { ...options, indexMask });
  checkPacer(header.pacer, v, options);
  const components = header.components.map((info, k) => checkComponent(info, k, v));
  const queryCounts = header.queries.map((info) => checkQuery(info, v));
  const expected = layout(v, indexMask, options.maxSlots, components, queryCounts, version);
  if (header.sections.length !== expected.length) {
    fail(`it has ${header.sections.length} sections, a heap of these components and queries has ${expected.length}`);
  }
  // Each section as listed: the section expected there, holding exactly what the scalars count,
  // with a capacity its rule allows, and its data inside the bytes.
  const saved: number[] = [];
  const starts: number[] = [];
  let at = dataStart;
  expected.forEach((section, k) => {
    const info = header.sections[k] as unknown;
    if (typeof info !== 'object' || info === null) fail(`section entry ${k} is not an object`);
    const { name, type, used, capacity } = info as Record<string, unknown>;
    if (name !== section.name) fail(`section ${k} is ${JSON.stringify(name)}, expected '${section.name}'`);
    if (type !== section.type) fail(`section '${name}' has type ${JSON.stringify(type)}, expected ${section.type}`);
    if (used !== section.used) {
      fail(`section '${name}' holds ${JSON.stringify(used)} elements, the header's counts say ${section.used}`);
    }
    checkCapacity(section, capacity, v.columnLength!, options.cardShift);
    const byteLength = section.used * ARRAY_TYPES[section.type].BYTES_PER_ELEMENT;
    if (at + byteLength > bytes.length) fail(`section '${name}' (${byteLength} bytes) runs past the end`);
    saved.push(capacity as number);
    starts.push(at);
    at = align8(at + byteLength);
  });
  if (at !== bytes.length) fail(`${bytes.length - at} bytes follow the last section`);
  // The pin table's columns are indexed together: `pin()` grows them together only when all are full.
  const pins = ['pinTarget', 'pinGeneration', 'pinNext'].map((name) =>
    saved[expected.findIndex((s) => s.name === name)]
  );
  if (pins[0] !== pins[1] || pins[1] !== pins[2]) {
    fail(`the pin table's sections 'pinTarget', 'pinGeneration' and 'pinNext' have capacities ${pins.join(', ')}`);
  }
  // The budget, before anything is allocated: saved capacities if they fit, else the sizes the
  // contents need (the data of every used part is in the bytes, so those always fit).
  const budget = restoreBudget(bytes.length);
  const planned = (trimmed: boolean, columnLength: number): PlannedSection[] =>
    expected.map((section, k) => ({
      name: section.name,
      type: section.type,
      used: section.used,
      capacity: capacityFor(section, saved[k]!, columnLength, options.cardShift, trimmed),
      at: starts[k]!,
    }));
  // A numeric column counts for the part in use: the rest is never written, so never backed.
  const bytesOf = (sections: PlannedSection[]): number =>
    sections.reduce((sum, s, k) => {
      const sizing = expected[k]!.sizing;
      const elements = sizing.kind === 'numeric' ? sizing.used : s.capacity;
      return sum + elements * ARRAY_TYPES[s.type].BYTES_PER_ELEMENT;
    }, 0);
  let columnLength = v.columnLength!;
  let sections = planned(false, columnLength);
  let total = bytesOf(sections);
  const trimmed = total > budget;
  if (trimmed) {
    columnLength = Math.max(v.top!, 2);
    sections = planned(true, columnLength);
    total = bytesOf(sections);
    if (total > budget) fail(`it needs ${total} bytes of arrays, more than ${budget} for ${bytes.length} bytes`);
  }
  return { options, scalars: v, columnLength, trimmed, bytes: total, sections, legacyFreeQueue };
}

/** Every scalar present, known and within its bounds (`SCALAR_RULES`). */
function checkScalarValues(raw: Record<string, unknown>, limits: Limits): Scalars {
  for (const key of Object.keys(raw)) {
    if (!SCALAR_RULES.some(([name]) => name === key)) fail(`scalar '${key}' is not part of this format`);
  }
  const v: Record<string, number> = {};
  for (const [name, min, max, real] of SCALAR_RULES) {
    const value = raw[name];
    const low = min(v, limits);
    const high = max(v, limits);
    if (
      typeof value !== 'number' || !(real ? Number.isFinite(value) : Number.isInteger(value)) || value < low ||
      value > high
    ) {
      fail(
        `scalar '${name}' is ${JSON.stringify(value)}, expected ${
          real ? 'a number' : 'an integer'
        } from ${low} to ${high}`,
      );
    }
    v[name] = value;
  }
  if (v.phase === MINOR_FINALIZE) {
    fail(`scalar 'phase' is ${MINOR_FINALIZE}, a minor's finalizers, which are never saved`);
  }
  return v;
}

function checkPacer(raw: Record<string, unknown>, v: Scalars, o: ResolvedOptions): void {
  // The pacer plans from the old generation, at most maxObjects, grown by growthPercent; never
  // below minHeapObjects unless half the room the retired indices leave comes first (gc/pacer.ts,
  // `planNextMajor`: that half is at least half of what they leave now, as indices only retire).
  const most = Math.max(o.minHeapObjects, Math.ceil(o.maxObjects * (1 + o.growthPercent / 100)));
  const least = Math.max(1, Math.min(o.minHeapObjects, Math.ceil((o.maxObjects - v.retired!) / 2)));
  const check = (name: string, low: number, high: number): void => {
    const value = raw[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < low || value > high) {
      fail(`pacer '${name}' is ${JSON.stringify(value)}, expected an integer from ${low} to ${high}`);
    }
  };
  check('nextMajorAt', least, most);
  check('allocationsAtLastTick', 0, v.allocations!);
  check('debt', 0, MAX_COUNT);
  // Saved since foldedYoung existed; a save from before it has none (0: nothing to learn from).
  if (raw.foldedYoung !== undefined) check('foldedYoung', 0, o.maxObjects);
  // The flags and the early-promotion count (agedSurvival, agedMeasured and earlyRun saved since
  // session 18): a save from before has none, read as unmeasured and no run.
  for (const name of ['survivalMeasured', 'agedMeasured'] as const) {
    if (raw[name] !== undefined && typeof raw[name] !== 'boolean') {
      fail(`pacer '${name}' is ${JSON.stringify(raw[name])}, expected true or false`);
    }
  }
  if (raw.earlyRun !== undefined) check('earlyRun', 0, PROBE_EVERY + 1);
  // Measurements: a unit costs well under a millisecond; survival is a fraction (aged survival is
  // absent from saves before session 18).
  const measurement = (name: 'msPerUnit' | 'youngSurvival' | 'agedSurvival', ok: boolean, expected: string) => {
    if (!ok) fail(`pacer '${name}' is ${JSON.stringify(raw[name])}, expected a number ${expected}`);
  };
  const isShare = (x: unknown) => typeof x === 'number' && x >= 0 && x <= 1;
  const unit = raw.msPerUnit;
  measurement('msPerUnit', typeof unit === 'number' && unit > 0 && unit < 1, 'between 0 and 1');
  measurement('youngSurvival', isShare(raw.youngSurvival), 'from 0 to 1');
  if (raw.agedSurvival !== undefined) measurement('agedSurvival', isShare(raw.agedSurvival), 'from 0 to 1');
}

/** A component's schema (so its columns can be sized) and member count, before it is defined. */
function checkComponent(info: unknown, k: number, v: Scalars): LayoutComponent {
  if (typeof info !== 'object' || info === null) fail(`component ${k} is malformed`);
  const { name, schema, memberCount } = info as Record<string, unknown>;
  if (typeof name !== 'string') fail(`component ${k} has name ${JSON.stringify(name)}`);
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    fail(`component '${name}' has schema ${JSON.stringify(schema)}`);
  }
  const fields = Object.entries(schema).map(([field, spec]) => {
    const [type, length] = typeof spec === 'string' ? [spec, 1] : Array.isArray(spec) ? [spec[0], spec[1]] : [spec, 1];
    if (!FIELD_TYPES.includes(type)) fail(`field '${name}.${field}' has type ${JSON.stringify(type)}`);
    if (!Number.isInteger(length) || length < 1 || length > MAX_FIELD_LENGTH) {
      fail(`field '${name}.${field}' has length ${JSON.stringify(length)}, expected 1 to ${MAX_FIELD_LENGTH}`);
    }
    return { name: field, type: type as FieldType, length: length as number };
  });
  if (typeof memberCount !== 'number' || !Number.isInteger(memberCount) || memberCount < 0 || memberCount >= v.top!) {
    fail(`component '${name}' counts ${JSON.stringify(memberCount)} members, expected 0 to ${v.top! - 1}`);
  }
  checkWritten(info as Record<string, unknown>, memberCount, v, `component '${name}'`);
  checkPageRuns((info as Record<string, unknown>).pages, indexPagesFor(v.maxObjects! + 1), `component '${name}'`);
  return { fields, memberCount };
}

/** A component's runs of pages written: absent, or increasing page numbers in pairs, each run non-empty, within `pages`. */
function checkPageRuns(runs: unknown, pages: number, what: string): void {
  if (runs === undefined) return;
  if (!Array.isArray(runs) || runs.length % 2 !== 0) fail(`${what} has page runs ${JSON.stringify(runs)}`);
  let last = -1;
  for (const p of runs as unknown[]) {
    if (typeof p !== 'number' || !Number.isInteger(p) || p <= last || p > pages) {
      fail(`${what} has page runs that are not increasing page numbers up to ${pages}: ${JSON.stringify(runs)}`);
    }
    last = p;
  }
}

function checkQuery(info: unknown, v: Scalars): number {
  const count = typeof info === 'object' && info !== null ? (info as Record<string, unknown>).count : undefined;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count >= v.top!) {
    fail(`a query counts ${JSON.stringify(count)} objects, expected 0 to ${v.top! - 1}`);
  }
  checkWritten(info as Record<string, unknown>, count, v, 'a query');
  return count;
}

/**
 * A list's entries ever written: absent (a save made before it was kept) or from its count to
 * `top` - 1 (a list never held more objects than there are indices).
 */
function checkWritten(info: Record<string, unknown>, count: number, v: Scalars, what: string): void {
  const { written } = info;
  if (written === undefined) return;
  if (typeof written !== 'number' || !Number.isInteger(written) || written < count || written >= v.top!) {
    fail(`${what} counts ${JSON.stringify(written)} list entries written, expected ${count} to ${v.top! - 1}`);
  }
}

/** A saved capacity its sizing rule allows. */
function checkCapacity(section: Section, capacity: unknown, columnLength: number, cardShift: number): void {
  const { name, sizing } = section;
  if (sizing.kind === 'list') {
    const least = Math.max(section.used, 1);
    if (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity < least || capacity > sizing.max) {
      fail(
        `section '${name}' has capacity ${
          JSON.stringify(capacity)
        }, expected an integer from ${least} to ${sizing.max}`,
      );
    }
    return;
  }
  const expected = sizing.kind === 'column'
    ? sizing.per * columnLength
    : sizing.kind === 'cards'
    ? cardsFor(columnLength, cardShift)
    : sizing.kind === 'pages'
    ? indexPagesFor(columnLength)
    : sizing.length;
  // (A numeric column's capacity is maxObjects + 1 per element: one of another size would move.)
  if (capacity !== expected) {
    const why = sizing.kind === 'column' ? ` (${sizing.per} per index, columnLength ${columnLength})` : '';
    fail(`section '${name}' has capacity ${JSON.stringify(capacity)}, expected ${expected}${why}`);
  }
}

/**
 * Loads the planned sections and the scalars into the state of a heap freshly built (at the
 * smallest capacity) from the header's options and components, then checks everything. Throws
 * `SnapshotError`; the caller drops the heap then.
 */
/** What the caller gives back that the bytes cannot hold: the finalizer functions. */
export interface GivenBack {
  finalizer?: ((ref: Ref) => ((ref: Ref) => void) | undefined) | undefined;
}

export function loadState(
  s: HeapState,
  decoded: DecodedHeader,
  given: GivenBack,
  refAt: (index: number) => Ref,
): void {
  const { header, bytes, plan } = decoded;
  const queryData = [...s.components.queries.values()];
  // Sized for maxObjects, as the numeric columns (`addComponentData` gave the restore's none).
  for (const c of s.components.list) c.pages = new Uint8Array(indexPagesFor(s.maxObjects + 1));
  const pagedSections: { array: TypedColumn; source: TypedColumn; owner: ComponentData; length: number }[] = [];
  for (const section of plan.sections) {
    const ctor = ARRAY_TYPES[section.type];
    const width = ctor.BYTES_PER_ELEMENT;
    let array: TypedColumn;
    try {
      array = new ctor(section.capacity);
    } catch (error) {
      fail(
        `section '${section.name}' of ${section.capacity} elements cannot be allocated (${(error as Error).message})`,
      );
    }
    const copied = Math.min(section.used, section.capacity);
    // One copy: a view of the bytes when they are aligned for this type, else a copy to align them.
    const offset = bytes.byteOffset + section.at;
    const source = offset % width === 0
      ? new ctor(bytes.buffer as ArrayBuffer, offset, copied)
      : new ctor(bytes.slice(section.at, section.at + copied * width).buffer);
    const paged = pagedSection(s, section.name, queryData);
    if (paged === undefined) array.set(source);
    else {
      // Written below (`copyMarkedPages`), once the saved and derived marks say which pages to write.
      markNonzeroPages(source, paged.length, paged.owner.pages);
      pagedSections.push({ array, source, ...paged });
    }
    // A trimmed restore keeps only the entries of indices in use (the cards): the rest must be blank.
    for (let k = section.at + copied * width, end = section.at + section.used * width; k < end; k++) {
      if (bytes[k] !== 0) fail(`section '${section.name}' has entries past ${copied}, beyond the objects in use`);
    }
    assign(s, section.name, array, queryData);
  }
  const state = s as unknown as Record<string, number>;
  for (const [name] of SCALAR_RULES) if (!OPTION_SCALARS.has(name)) state[name] = plan.scalars[name]!;
  s.columnLength = plan.columnLength;
  if (plan.legacyFreeQueue !== undefined) loadLegacyFreeQueue(s, plan.legacyFreeQueue);
  // What the phase implies is derived, never trusted: the machine's one function sets it.
  enterPhase(s, s.phase);
  // Entries written as the saved heap counted them (stats() then reads the same), within the
  // restored list (a trimmed restore may have made it shorter).
  for (const [k, info] of header.components.entries()) {
    const c = s.components.list[k]!;
    c.memberCount = info.memberCount;
    c.membersWritten = Math.min(info.written ?? info.memberCount, c.members.length);
  }
  for (const [k, info] of header.queries.entries()) {
    const q = queryData[k]!;
    q.count = info.count;
    q.denseWritten = Math.min(info.written ?? info.count, q.dense.length);
  }
  s.pacer.nextMajorAt = header.pacer.nextMajorAt;
  s.pacer.allocationsAtLastTick = header.pacer.allocationsAtLastTick;
  s.pacer.debt = header.pacer.debt;
  s.pacer.msPerUnit = header.pacer.msPerUnit;
  s.pacer.youngSurvival = header.pacer.youngSurvival;
  s.pacer.foldedYoung = header.pacer.foldedYoung ?? 0;
  s.pacer.survivalMeasured = header.pacer.survivalMeasured ?? false;
  s.pacer.agedSurvival = header.pacer.agedSurvival ?? 0;
  s.pacer.agedMeasured = header.pacer.agedMeasured ?? false;
  s.pacer.earlyRun = header.pacer.earlyRun ?? 0;
  loadFinalizers(s, header, given, refAt);
  listHookedMembers(s);
  for (const [k, info] of header.components.entries()) markSavedPages(s.components.list[k]!, info.pages);
  for (const { array, source, owner, length } of pagedSections) copyMarkedPages(array, source, length, owner.pages);
  rebuildMasks(s.components, s.columnLength); // not saved: derived from the member lists
  s.ephemeronsMade = hasEphemeron(s); // not saved: derived from the objects, as the collectors need it
  s.freeLargeSlots = countFreeLargeSlots(s); // not saved: derived from the free lists (verified below)
  try {
    verifyHeap(s, []); // (no destroy hooks run on a heap being restored)
  } catch (error) {
    fail(`the heap it describes is inconsistent (${(error as Error).message})`);
  }
}

/**
 * A snapshot older than format 13 had one free queue and no pages: every page it reached is of the
 * mixed class, and its queue is that class's, which allocation takes from before carving a page.
 */
function loadLegacyFreeQueue(s: HeapState, [head, tail]: [number, number]): void {
  s.pageClass = new Uint8Array(indexPagesFor(s.columnLength));
  s.pageClass.fill(MIXED_CLASS, 0, indexPagesFor(s.top));
  s.freeHeads = new Uint32Array(INDEX_QUEUES);
  s.freeTails = new Uint32Array(INDEX_QUEUES);
  s.freeHeads[MIXED_CLASS] = head;
  s.freeTails[MIXED_CLASS] = tail;
}

/**
 * Makes every live member of a component with an `onRemove` hook finalizable, as `add` makes it:
 * the hook is the restoring heap's (given back to `Heap.restore`, or `load`'s heap's own), and a
 * save made while the component had none holds members without the flag, whose hook would never
 * run (until session 35 it did not). Members are checked by `verifyHeap` afterwards; an index out
 * of range is left for it to name.
 */
function listHookedMembers(s: HeapState): void {
  for (const c of s.components.list) {
    if (c.onRemove === undefined) continue;
    const count = Math.min(c.memberCount, c.members.length);
    for (let k = 0; k < count; k++) {
      const i = c.members[k]!;
      if (i < 1 || i >= s.top || (s.color[i]! & s.liveMask) === 0 || (s.flags[i]! & FINALIZABLE) !== 0) continue;
      s.flags[i] = s.flags[i]! | FINALIZABLE;
      listFinalizable(s, i);
    }
  }
}

/** Whether any index in use holds an ephemeron (live, or dead and not yet swept). */
function hasEphemeron(s: HeapState): boolean {
  const flags = s.flags;
  for (let i = 1; i < s.top; i++) if ((flags[i]! & EPHEMERON) !== 0) return true;
  return false;
}

/**
 * The component of a section written only on the component's marked pages (a numeric column, or
 * the membership positions), and its entries an index; undefined for any other section. A
 * member's position is not 0, so the positions' own scan (`markNonzeroPages`) marks every
 * member's page, a save's from before the marks were kept too.
 */
function pagedSection(
  s: HeapState,
  name: string,
  queries: QueryData[],
): { owner: ComponentData; length: number } | undefined {
  const position = /^c(\d+)\.position$/.exec(name);
  if (position !== null) return { owner: s.components.list[Number(position[1])]!, length: 1 };
  // A query's positions, on the pages of its first component, whose members its own are.
  const queryPosition = /^q(\d+)\.position$/.exec(name);
  if (queryPosition !== null) return { owner: queries[Number(queryPosition[1])]!.all[0]!, length: 1 };
  const match = /^c(\d+)\.f\.(.+)$/.exec(name);
  if (match === null) return undefined;
  const owner = s.components.list[Number(match[1])]!;
  const field = owner.fields.find((f) => f.name === match[2])!;
  return isReferenceType(field.type) ? undefined : { owner, length: field.length };
}

/**
 * Marks the pages a save recorded as written (`ComponentInfo.pages`, runs checked by
 * `checkComponent`; absent from saves before session 44, whose marks are the pages holding a
 * value or a member).
 */
function markSavedPages(c: ComponentData, runs: number[] | undefined): void {
  if (runs === undefined) return;
  for (let k = 0; k < runs.length; k += 2) c.pages.fill(1, runs[k], runs[k + 1]);
}

/** Puts a loaded array where its section belongs. */
function assign(
  s: HeapState,
  name: string,
  array: TypedColumn,
  queries: { dense: Uint32Array; position: Uint32Array }[],
): void {
  const component = /^c(\d+)\.(members|position|f\.(.+))$/.exec(name);
  if (component !== null) {
    const c = s.components.list[Number(component[1])]!;
    if (component[2] === 'members') c.members = array as Uint32Array;
    else if (component[2] === 'position') c.position = array as Uint32Array;
    else c.fields.find((f) => f.name === component[3])!.column = array;
    return;
  }
  const query = /^q(\d+)\.(dense|position)$/.exec(name);
  if (query !== null) {
    queries[Number(query[1])]![query[2] as 'dense' | 'position'] = array as Uint32Array;
    return;
  }
  (s as unknown as Record<string, TypedColumn>)[name] = array;
}

/** Gives back the finalizer functions (io/load.ts checked that `finalizer` is given when any is needed). */
function loadFinalizers(
  s: HeapState,
  header: SnapshotHeader,
  given: GivenBack,
  refAt: (index: number) => Ref,
): void {
  for (const index of header.finalizers) {
    if (!Number.isInteger(index) || index < 1 || index >= s.top || (s.flags[index]! & FINALIZABLE) === 0) {
      fail(`finalizer entry ${JSON.stringify(index)} names no object with a finalizer`);
    }
    if (s.finalizers[index] !== undefined) fail(`finalizer entry ${index} is listed twice`);
    // Dead objects awaiting their finalizer read through refAt as NULL: rebuild their handle.
    const ref = refAt(index) || (index + s.generation[index]! * s.codec.indexScale) as Ref;
    const fn = given.finalizer?.(ref);
    // Undefined drops the finalizer on purpose; anything else must be a function.
    if (fn !== undefined && typeof fn !== 'function') {
      throw new TypeError(`the finalizer given back for object ${ref} is ${describe(fn)}, not a function`);
    }
    s.finalizers[index] = fn;
  }
}

/** Queries to recreate (in order, so sections `q<n>` meet their query) before `loadState`. */
export function queriesToDefine(header: SnapshotHeader, store: ComponentStore): void {
  const list = store.list;
  for (const info of header.queries) {
    if (typeof info !== 'object' || info === null || !Array.isArray(info.all) || !Array.isArray(info.none)) {
      fail('a query entry is malformed');
    }
    const pick = (ids: unknown[]): ComponentData[] =>
      ids.map((id) => {
        const c = typeof id === 'number' ? list[id] : undefined;
        if (c === undefined) fail(`a query names component ${JSON.stringify(id)}`);
        return c;
      });
    const all = pick(info.all);
    if (all.length === 0) fail('a query names no component');
    const before = store.queries.size;
    getQuery(store, all, pick(info.none));
    if (store.queries.size === before) fail('a query is listed twice');
  }
}
