/**
 * The data behind ECS components, as the heap state holds it: SoA field columns indexed by object
 * index (sized with the header columns), per-component membership sparse sets and cached query
 * sparse sets. Plain data and its construction and growth only; membership and query upkeep live
 * in ecs/components.ts, tracing in gc/mark.ts.
 */
import { bytesInUse, growU32, INDEX_PAGE_BITS, indexPagesFor, withRoom } from './columns.ts';
import { describe, type Ref } from './handle.ts';
import { recordList, variableFields } from './shapes.ts';

export type NumericType = 'f32' | 'f64' | 'i8' | 'i16' | 'i32' | 'u8' | 'u16' | 'u32';
export type FieldType = NumericType | 'ref' | 'weakref';
/** A field: a type, or a fixed-length array of that type (`['f32', 3]`). */
export type FieldSpec = FieldType | readonly [FieldType, number];
export type Schema = Readonly<Record<string, FieldSpec>>;

export type TypedColumn =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array;

const COLUMN_TYPES: Record<FieldType, { new (length: number): TypedColumn; readonly BYTES_PER_ELEMENT: number }> = {
  f32: Float32Array,
  f64: Float64Array,
  i8: Int8Array,
  i16: Int16Array,
  i32: Int32Array,
  u8: Uint8Array,
  u16: Uint16Array,
  u32: Uint32Array,
  ref: Uint32Array,
  weakref: Uint32Array,
};

export const FIELD_TYPES = Object.keys(COLUMN_TYPES) as FieldType[];

/**
 * The most bytes one numeric column may take at `maxObjects` (each is allocated once, for every
 * index the heap may ever use, so it never moves; see `addComponentData`). Below every engine's
 * limit for one typed array (4 GiB in Node and Bun).
 */
export const MAX_COLUMN_BYTES = 2 ** 30;

/** Whether a field is a reference (`ref`, `weakref`): kept by the heap, never handed out as a column. */
export function isReferenceType(type: FieldType): boolean {
  return type === 'ref' || type === 'weakref';
}

/** Bytes a field's column takes for `entries` object indices. */
export function columnBytes(type: FieldType, length: number, entries: number): number {
  return entries * length * COLUMN_TYPES[type].BYTES_PER_ELEMENT;
}
/** The most elements one array field may have. */
export const MAX_FIELD_LENGTH = 1024;

export interface FieldData {
  readonly name: string;
  readonly type: FieldType;
  /** Elements per object: 1, or the array length. */
  readonly length: number;
  /** `length` entries per object index; replaced (grown) with the header columns. */
  column: TypedColumn;
  /** The column's bytes per element (1, 2, 4 or 8): which of `fillElements`' store sites writes it. */
  readonly elementBytes: number;
}

export interface ComponentData {
  readonly id: number;
  readonly name: string;
  readonly schema: Schema;
  readonly fields: FieldData[];
  readonly strongRefs: FieldData[];
  readonly weakRefs: FieldData[];
  readonly onRemove: ((ref: Ref) => void) | undefined;
  members: Uint32Array;
  memberCount: number;
  /**
   * Entries of `members` ever written (its high-water mark, at least `memberCount`): what
   * `stats().bytes` counts. The rest of the list, room `reserve` or a doubling made, has never been
   * written, so the system has handed out no memory for it.
   */
  membersWritten: number;
  /** Index -> place in `members` + 1; 0 when the index does not have this component. */
  position: Uint32Array;
  /**
   * One byte a page of indices (`INDEX_PAGE`): 1 where the numeric columns and positions have been
   * written, 0 where they never were (so the system has handed out no memory there:
   * `numericColumnBytes`, `positionBytes`).
   * Set by every member's `add` (which writes its elements) and by `reserve`'s commit; never
   * cleared, as memory once written stays the process's, but a restore or load takes the saved
   * heap's (io/snapshot.ts saves them), writing those pages. Sized for `maxObjects` + 1 indices, as
   * the numeric columns are. Invariant (checked by `verify`): every member's page is 1.
   */
  pages: Uint8Array;
  /**
   * Counts the changes to `pages` (every 0 -> 1, and every array replaced or overwritten), so
   * `numericColumnBytes` can keep its last answer while neither the marks nor `top` moved: a game
   * reading `stats()` every frame would otherwise pay a walk over the pages each time (60 us at
   * a splay's 1.2M indices, against 13.5 for the rest of `stats()`; Node, `.scratch`).
   */
  pagesChanged: number;
  /** `numericColumnBytes`'s and `positionBytes`'s last answers, and the `top` and `pagesChanged` they were for (-1: none). */
  columnBytes: number;
  positionBytes: number;
  columnBytesTop: number;
  columnBytesAt: number;
  /** Queries that name this component (with or without `not`). */
  readonly queries: QueryData[];
  /**
   * The component's word of the store's `masks` (`masks[id >> 5]`, replaced with it when the
   * columns grow) and its bit there (`1 << (id & 31)`): set exactly while `position` is not 0.
   * While the store keeps no masks (`FEW_COMPONENTS`), `NO_MASK` and 0.
   */
  mask: Uint32Array;
  bit: number;
}

export interface QueryData {
  readonly key: string;
  readonly all: ComponentData[];
  readonly none: ComponentData[];
  dense: Uint32Array;
  count: number;
  /** Entries of `dense` ever written, as `membersWritten`. */
  denseWritten: number;
  position: Uint32Array;
  /**
   * The major cycle (its `majorCollections` count) whose dead this query was last cleared of
   * (`heap.query` during a sweep), or -1. After a cycle's atomic step no member dies and no dead
   * object joins, so one clearing a cycle is enough.
   */
  deadDroppedInCycle: number;
  /**
   * The last result `heap.query` handed out (`dense` up to `count`), handed out again while both
   * are unchanged: a game's systems query every frame, and each view is an engine object.
   */
  view: Uint32Array | null;
}

/**
 * A query's record, made here for a new query (ecs/components.ts `getQuery`) and a restored one
 * (io/load.ts) alike, so every query has one shape: its term lists with object elements, its list
 * and positions variable fields (core/shapes.ts), no cycle's dead dropped yet.
 */
export function makeQueryData(
  key: string,
  all: readonly ComponentData[],
  none: readonly ComponentData[],
  dense: Uint32Array,
  count: number,
  denseWritten: number,
  position: Uint32Array,
): QueryData {
  const q: QueryData = {
    key,
    all: recordList(),
    none: recordList(),
    dense,
    count,
    denseWritten,
    position,
    deadDroppedInCycle: -1,
    view: null,
  };
  q.all.push(...all);
  q.none.push(...none);
  variableFields(q); // its list and positions are replaced when they grow
  return q;
}

/** A `ref` or `weakref` field with the component it belongs to: what the collector walks. */
export interface RefField {
  readonly owner: ComponentData;
  readonly field: FieldData;
  readonly strong: boolean;
}

export interface ComponentStore {
  readonly list: ComponentData[];
  readonly byName: Map<string, ComponentData>;
  /** Components with `ref` fields: the only ones the marker looks at. */
  readonly withStrongRefs: ComponentData[];
  readonly withWeakRefs: ComponentData[];
  /**
   * Every `ref` field of every component, every `weakref` field, and both: the one list each
   * collector loop over an object's reference fields walks (skipping components it lacks).
   */
  readonly strongRefFields: RefField[];
  readonly weakRefFields: RefField[];
  readonly refFields: RefField[];
  readonly queries: Map<string, QueryData>;
  /**
   * Index -> which components the object has, one bit per component, 32 to a column (component
   * `id` is bit `id & 31` of column `id >> 5`); none while `FEW_COMPONENTS` or fewer are defined.
   * Freeing or destroying an object visits only the components it has: asking each component's
   * `position` cost ~5 ns per component defined, per freed object (a game defines dozens).
   * Derived from the member lists (`rebuildMasks`), never saved.
   */
  masks: Uint32Array[];
  /**
   * Entries `reserve` asked member and query lists to hold without growing (0 until it is called):
   * lists made later (a component defined, a query first run) start with that room too.
   */
  reservedEntries: number;
}

export function makeComponentStore(): ComponentStore {
  return {
    list: recordList(),
    byName: new Map(),
    withStrongRefs: recordList(),
    withWeakRefs: recordList(),
    strongRefFields: recordList(),
    weakRefFields: recordList(),
    refFields: recordList(),
    queries: new Map(),
    masks: recordList(),
    reservedEntries: 0,
  };
}

/**
 * Builds a component's columns; the schema was validated by the caller. Numeric columns, which
 * users hold, are allocated once for `fixedLength` indices (the heap's `maxObjects` + 1), so they
 * never move: growth cannot leave a user's column stale. Engines take that memory from the
 * operating system as zero pages, which cost nothing until written (measured: 640 MB of columns
 * added 0-2 MB to the resident size in Node, Bun and Deno), and only indices in use are written.
 * Reference columns, which only the heap touches, start at `columnLength` and grow with it.
 */
export function addComponentData(
  store: ComponentStore,
  name: string,
  schema: Schema,
  onRemove: ((ref: Ref) => void) | undefined,
  columnLength: number,
  fixedLength: number,
): ComponentData {
  const fields: FieldData[] = recordList();
  const strongRefs: FieldData[] = recordList();
  const weakRefs: FieldData[] = recordList();
  for (const [fieldName, spec] of Object.entries(schema)) {
    const type = typeof spec === 'string' ? spec : spec[0];
    const length = typeof spec === 'string' ? 1 : spec[1];
    const entries = isReferenceType(type) ? columnLength : fixedLength;
    const Column = COLUMN_TYPES[type];
    const field: FieldData = {
      name: fieldName,
      type,
      length,
      column: new Column(entries * length),
      elementBytes: Column.BYTES_PER_ELEMENT,
    };
    fields.push(field);
    if (type === 'ref') strongRefs.push(field);
    else if (type === 'weakref') weakRefs.push(field);
  }
  const id = store.list.length;
  const data: ComponentData = {
    id,
    name,
    schema,
    fields,
    strongRefs,
    weakRefs,
    onRemove,
    members: new Uint32Array(listLength(store)),
    memberCount: 0,
    membersWritten: 0,
    position: new Uint32Array(columnLength),
    pages: new Uint8Array(indexPagesFor(fixedLength)),
    pagesChanged: 0,
    columnBytes: 0,
    positionBytes: 0,
    columnBytesTop: -1,
    columnBytesAt: -1,
    queries: recordList(),
    mask: NO_MASK,
    bit: 0,
  };
  variableFields(data); // its member list and positions are replaced when they grow (core/shapes.ts)
  store.list.push(data);
  if (id === FEW_COMPONENTS) rebuildMasks(store, columnLength); // the first past the few: masks from now on
  else if (id > FEW_COMPONENTS) {
    // A component past the last mask column's 32 opens a new one (no object has it yet: all zero).
    if (id >> 5 === store.masks.length) store.masks.push(new Uint32Array(columnLength));
    data.mask = store.masks[id >> 5]!;
    data.bit = 1 << (id & 31);
  }
  store.byName.set(name, data);
  if (data.strongRefs.length > 0) store.withStrongRefs.push(data);
  if (data.weakRefs.length > 0) store.withWeakRefs.push(data);
  for (const field of data.strongRefs) store.strongRefFields.push({ owner: data, field, strong: true });
  for (const field of data.weakRefs) store.weakRefFields.push({ owner: data, field, strong: false });
  store.refFields.length = 0;
  store.refFields.push(...store.strongRefFields, ...store.weakRefFields);
  return data;
}

/**
 * Grows every component column and membership index with the header columns, copying the entries
 * of the `used` indices below `top` (the rest are zero: core/state.ts `growHeaders`).
 */
export function growComponents(store: ComponentStore, columnLength: number, used: number): void {
  for (const c of store.list) {
    for (const f of c.fields) {
      if (!isReferenceType(f.type)) continue; // sized for maxObjects already: it never moves
      // `ref` and `weakref` columns are Uint32Arrays (COLUMN_TYPES).
      f.column = growU32(f.column as Uint32Array, columnLength * f.length, used * f.length);
    }
    c.position = grownOnPages(c.position, columnLength, used, c.pages);
    c.pagesChanged++;
  }
  const masks = store.masks;
  for (let w = 0; w < masks.length; w++) masks[w] = growU32(masks[w]!, columnLength, used);
  if (masks.length > 0) { for (const c of store.list) c.mask = masks[c.id >> 5]!; }
  // A query's on the pages its first component marked (`queryPositionBytes`).
  for (const q of store.queries.values()) q.position = grownOnPages(q.position, columnLength, used, q.all[0]!.pages);
}

/**
 * A copy of positions `position` (one entry an index), `columnLength` long, holding its first
 * `used` entries on the pages marked in `pages` only, so the rest of the new array stays unbacked
 * (`positionBytes`): positions are written only at members' indices, on marked pages.
 */
function grownOnPages(position: Uint32Array, columnLength: number, used: number, pages: Uint8Array): Uint32Array {
  const grown = new Uint32Array(columnLength);
  copyMarkedPages(grown, position.subarray(0, Math.min(used, columnLength)), 1, pages);
  return grown;
}

/**
 * Up to this many components defined, the store keeps no masks: a freed object's components are
 * found by asking each (`position`). Measured in Bun on a wave of 1,500 objects with three
 * components, freed by a minor: ~41 ns an object that way against ~46 through mask bits; with 5
 * defined, 48-50 against 45-48; with 40, 200-218 against 47-52 (docs/decisions.md). Masks also
 * cost 4 bytes an index, which a heap of few components does not pay.
 */
export const FEW_COMPONENTS = 4;

/** The mask column of a component while the store keeps none. */
export const NO_MASK = new Uint32Array(0);

/**
 * Builds the mask columns anew, `columnLength` entries each, from the components' member lists
 * (none while `FEW_COMPONENTS` or fewer are defined): when the store first needs them, and for a
 * store whose positions were loaded (a restored or loaded snapshot saves no masks). Member entries
 * outside the columns are skipped; the caller's `verify` reports them.
 */
export function rebuildMasks(store: ComponentStore, columnLength: number): void {
  const masks = store.masks;
  const words = store.list.length > FEW_COMPONENTS ? Math.ceil(store.list.length / 32) : 0;
  masks.length = 0;
  for (let w = 0; w < words; w++) masks.push(new Uint32Array(columnLength));
  for (const c of store.list) {
    if (words === 0) {
      c.mask = NO_MASK;
      c.bit = 0;
      continue;
    }
    const mask = masks[c.id >> 5]!;
    c.mask = mask;
    c.bit = 1 << (c.id & 31);
    for (let k = 0; k < c.memberCount && k < c.members.length; k++) {
      const index = c.members[k]!;
      if (index < columnLength) mask[index] = mask[index]! | c.bit;
    }
  }
}

/** The length a new member or query list starts at: 16, or the room `reserve` asked for. */
export function listLength(store: ComponentStore): number {
  return Math.max(16, store.reservedEntries);
}

/**
 * Gives every member list and cached query list room for `entries` (`reserve`). A list that
 * doubles copies all it holds into fresh memory, whose pages the system faults in on the copy's
 * writes (about 10 µs a 4 KB page on the bench machines: 1.6-4.8 ms for a list of 2^18 entries,
 * seen as the game's worst frames); reserved, a list never copies, and its pages are faulted in
 * one at a time as members are appended (so they are not written here: memory follows use).
 */
export function reserveLists(store: ComponentStore, entries: number): void {
  if (entries > store.reservedEntries) store.reservedEntries = entries;
  for (const c of store.list) c.members = withRoom(c.members, entries, c.membersWritten);
  for (const q of store.queries.values()) q.dense = withRoom(q.dense, entries, q.denseWritten);
}

/** Writes the (zero) elements of indices `from` .. `to` - 1 of every component column: core/state.ts `touchIndices`. */
export function touchComponents(store: ComponentStore, from: number, to: number): void {
  for (const c of store.list) {
    for (const f of c.fields) f.column.fill(0, from * f.length, to * f.length);
    c.position.fill(0, from, to);
    if (to > from) markPages(c, from, to);
  }
  for (const mask of store.masks) mask.fill(0, from, to);
  for (const q of store.queries.values()) q.position.fill(0, from, to);
}

/**
 * The granularity at which systems hand out memory for a typed array: a page of 4 KB is backed on
 * its first write (x86-64 Linux and Windows; Apple silicon's 16 KB pages make the count below a
 * lower bound there).
 */
export const MEMORY_PAGE = 4096;

/** Marks the pages of indices `from` .. `to` - 1 (`to` > `from`) as written in `c`'s numeric columns. */
export function markPages(c: ComponentData, from: number, to: number): void {
  c.pages.fill(1, from >>> INDEX_PAGE_BITS, Math.min(c.pages.length, ((to - 1) >>> INDEX_PAGE_BITS) + 1));
  c.pagesChanged++;
}

/**
 * The bytes of `c`'s numeric columns the system has backed with memory, for the indices below `top`:
 * for each column, the memory pages (`MEMORY_PAGE`) that hold an element of a page of indices
 * marked written (`pages`). A numeric column is allocated for every index the heap may use and
 * never moves, and memory no one wrote costs nothing (README, "Columns never move"), so a
 * component a few objects have costs the pages its members' indices are on, not the heap's
 * capacity: with indices in pages by shape (core/free-list.ts), that is about what its members'
 * elements take. Writes outside members (a game's store to a non-member's element) are not seen.
 */
export function numericColumnBytes(c: ComponentData, top: number): number {
  refreshPageCounts(c, top);
  return c.columnBytes;
}

/**
 * The bytes of `c`'s membership positions the system has backed, for the indices below `top`: as
 * `numericColumnBytes`, the memory pages holding an entry of a page of indices marked written.
 * Positions are written only at members' indices (`add` sets one, a removal clears it and moves
 * the last member's), whose pages are marked; a growth copies only the marked pages
 * (`growComponents`) and a restore writes only them (io/snapshot.ts), so the rest is never backed.
 */
export function positionBytes(c: ComponentData, top: number): number {
  refreshPageCounts(c, top);
  return c.positionBytes;
}

/** Counts `columnBytes` and `positionBytes` again unless neither the marks nor `top` moved since. */
function refreshPageCounts(c: ComponentData, top: number): void {
  if (c.columnBytesTop === top && c.columnBytesAt === c.pagesChanged) return;
  c.columnBytes = countColumnPages(c, top);
  c.positionBytes = countPositionPages(c, top);
  c.columnBytesTop = top;
  c.columnBytesAt = c.pagesChanged;
}

/** `numericColumnBytes` counted: a walk over the pages of indices below `top`, for each numeric field. */
export function countColumnPages(c: ComponentData, top: number): number {
  let bytes = 0;
  for (const f of c.fields) {
    if (!isReferenceType(f.type)) {
      bytes += markedPageBytes(c.pages, top, f.length * f.elementBytes, f.column.byteLength);
    }
  }
  return bytes;
}

/** `positionBytes` counted: a walk over the pages of indices below `top`. */
export function countPositionPages(c: ComponentData, top: number): number {
  return markedPageBytes(c.pages, top, 4, c.position.byteLength);
}

/**
 * The bytes of query `q`'s positions the system has backed, for the indices below `top`: the memory
 * pages holding an entry of a page its first component marked. Every member of the query is a
 * member of that component, so its positions are written only on those pages, and a growth and a
 * restore write only them, as a component's. Both arrays hold `columnLength` entries (`verify`), so
 * that is the component's own count (`positionBytes`, kept until its marks or `top` move).
 */
export function queryPositionBytes(q: QueryData, top: number): number {
  return positionBytes(q.all[0]!, top);
}

/**
 * The bytes of the memory pages of an array of `indexBytes` bytes an index (`byteLength` in all)
 * that hold an entry of a page of indices below `top` marked in `pages`.
 */
function markedPageBytes(pages: Uint8Array, top: number, indexBytes: number, byteLength: number): number {
  const last = Math.min(pages.length - 1, (top - 1) >>> INDEX_PAGE_BITS);
  const pageBytes = indexBytes << INDEX_PAGE_BITS;
  const arrayPages = Math.ceil(byteLength / MEMORY_PAGE);
  // Memory pages counted so far end before this one (pages of indices come in increasing order).
  let countedTo = 0;
  let count = 0;
  for (let p = 0; p <= last; p++) {
    if (pages[p] === 0) continue;
    const first = Math.max(countedTo, Math.floor((p * pageBytes) / MEMORY_PAGE));
    const end = Math.min(arrayPages, Math.floor(((p + 1) * pageBytes - 1) / MEMORY_PAGE) + 1);
    if (end > first) {
      count += end - first;
      countedTo = end;
    }
  }
  return Math.min(byteLength, count * MEMORY_PAGE);
}

/**
 * The bytes of `c`'s arrays that `stats().bytes` counts (core/state.ts `heapBytes`): its numeric
 * columns by the memory pages written (`numericColumnBytes`), its reference columns and
 * membership positions for the indices below `top`, its page marks up to top's page, and the
 * entries of its member list ever written.
 */
export function componentBytes(c: ComponentData, top: number): number {
  let bytes = numericColumnBytes(c, top) + positionBytes(c, top) + bytesInUse(c.pages, indexPagesFor(top));
  for (const f of c.fields) if (isReferenceType(f.type)) bytes += bytesInUse(f.column, top * f.length);
  return bytes + 4 * c.membersWritten;
}

/**
 * Marks in `pages` the pages of indices where `source` (a numeric column's saved elements from
 * index 0, `length` an index) holds a nonzero byte: a restore's own evidence of a page written,
 * beside the marks a save keeps and its members' pages.
 */
export function markNonzeroPages(source: TypedColumn, length: number, pages: Uint8Array): void {
  const perPage = length << INDEX_PAGE_BITS;
  // Tested by their bytes, not their values: -0 equals 0 and is no zero bytes. A word at a time
  // where the bytes are aligned for it (every page's bytes are a multiple of 256).
  const bytes = new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  const words = source.byteOffset % 4 === 0
    ? new Int32Array(source.buffer, source.byteOffset, source.byteLength >>> 2)
    : null;
  const width = source.BYTES_PER_ELEMENT;
  for (let from = 0, p = 0; from < source.length && p < pages.length; from += perPage, p++) {
    if (pages[p] === 0 && !allZero(bytes, words, from * width, Math.min(from + perPage, source.length) * width)) {
      pages[p] = 1;
    }
  }
}

/**
 * Writes the pages of indices marked in `pages` into `target` (a fresh numeric column): `source`'s
 * elements there (zeros included: a marked page counts as written, so it is), zeros past its end.
 * The pages not marked are left unwritten, so the system backs them with no memory.
 */
export function copyMarkedPages(target: TypedColumn, source: TypedColumn, length: number, pages: Uint8Array): void {
  const perPage = length << INDEX_PAGE_BITS;
  for (let p = 0; p < pages.length; p++) {
    if (pages[p] === 0) continue;
    const from = p * perPage;
    const to = Math.min(from + perPage, target.length);
    if (from >= target.length) break;
    const copied = Math.min(to, source.length);
    if (copied > from) target.set(source.subarray(from, copied), from);
    if (to > Math.max(from, copied)) target.fill(0, Math.max(from, copied), to);
  }
}

/** The marked pages as runs: `[from, to, from, to, ...]`, each run's pages `from` .. `to` - 1, in order (a save's record). */
export function pageRuns(pages: Uint8Array): number[] {
  const runs: number[] = [];
  for (let p = 0; p < pages.length; p++) {
    if (pages[p] === 0) continue;
    const from = p;
    while (p < pages.length && pages[p] !== 0) p++;
    runs.push(from, p);
  }
  return runs;
}

/** Whether bytes `from` .. `to` - 1 are all zero (`words`: the same bytes as words, or null; `from` a multiple of 4). */
function allZero(bytes: Uint8Array, words: Int32Array | null, from: number, to: number): boolean {
  let k = from;
  if (words !== null) {
    for (const end = to >>> 2; k >>> 2 < end; k += 4) if (words[k >>> 2] !== 0) return false;
  }
  for (; k < to; k++) if (bytes[k] !== 0) return false;
  return true;
}

/**
 * Moves a loaded component's numeric columns into the heap's own (`into`: the arrays users hold,
 * which keep their identity), below index `end` (the higher of the two heaps' tops): a page the
 * loaded heap marked written is copied, a page only this heap marked is cleared, and a page
 * neither marked is left alone (zero, and unbacked). The marks become the loaded heap's, so a
 * load's `stats()` are the saved heap's; the pages only this heap wrote stay the process's memory
 * (the columns never move), not counted, as a replaced header column's memory is not.
 */
export function adoptNumericColumns(into: ComponentData, loaded: ComponentData, end: number): void {
  for (const field of into.fields) {
    if (isReferenceType(field.type)) continue;
    const from = loaded.fields.find((f) => f.name === field.name)!.column;
    const perPage = field.length << INDEX_PAGE_BITS;
    const limit = end * field.length;
    for (let p = 0; p < into.pages.length; p++) {
      const start = p * perPage;
      const stop = Math.min(start + perPage, limit);
      if (stop <= start) break;
      if (loaded.pages[p] === 1) field.column.set(from.subarray(start, stop), start);
      else if (into.pages[p] === 1) field.column.fill(0, start, stop);
    }
  }
  into.pages.set(loaded.pages);
  into.pagesChanged++;
}

/** A field spec as `[type, length]`, whichever way it was written. */
function normalSpec(spec: unknown): [unknown, unknown] {
  return typeof spec === 'string' ? [spec, 1] : Array.isArray(spec) ? [spec[0], spec[1]] : [spec, undefined];
}

/** A field spec as the schema writes it, or what was given in its place, named. */
function specText(spec: unknown): string {
  if (typeof spec !== 'string' && !Array.isArray(spec)) {
    return `${describe(spec)}, which is no field type (a type such as 'f32', or ['f32', length])`;
  }
  const [type, length] = normalSpec(spec);
  return length === 1 ? `'${String(type)}'` : `['${String(type)}', ${String(length)}]`;
}

/**
 * How schema `actual` differs from `expected` (same field names, types and lengths, in any
 * order; `'f32'` equals `['f32', 1]`), as a phrase for an error message, or null when they match.
 */
export function schemaDifference(actual: Schema, expected: unknown): string | null {
  if (typeof expected !== 'object' || expected === null || Array.isArray(expected)) {
    return 'was asked for with a schema that is not an object of fields';
  }
  const wanted = expected as Record<string, unknown>;
  for (const [field, spec] of Object.entries(actual)) {
    if (!Object.hasOwn(wanted, field)) return `has field '${field}', which the schema given lacks`;
    const [type, length] = normalSpec(spec);
    const [wantedType, wantedLength] = normalSpec(wanted[field]);
    if (type !== wantedType || length !== wantedLength) {
      return `has field '${field}' of type ${specText(spec)}, not ${specText(wanted[field])}`;
    }
  }
  for (const field of Object.keys(wanted)) {
    if (!Object.hasOwn(actual, field)) return `has no field '${field}'`;
  }
  return null;
}
