/**
 * ECS components: struct-of-arrays columns indexed by object index, sized with the header columns.
 *
 * Membership is a sparse set per component: `position[index]` is the index's place in `members`
 * plus one (0 = absent), so `has` is one load and a component's members can be walked without
 * scanning the heap. Queries are cached sparse sets too, kept exact on add, remove and free, so
 * iterating one is a loop over a dense `Uint32Array` (as bitECS does).
 *
 * `ref` fields are edges: they hold object indices like slots, every store goes through the write
 * barrier, and the collectors trace them (objects with components carry `HAS_COMPONENTS`, which
 * sends the marker down its component slow path in gc/mark.ts). `weakref` fields are cleared when their target dies.
 * Columns of `ref` fields are never handed to users, so a store cannot bypass the barrier.
 */
import { growU32, INDEX_PAGE_BITS } from '../core/columns.ts';
import { listLength, makeQueryData } from '../core/component-store.ts';
import type {
  ComponentData,
  ComponentStore,
  FieldData,
  FieldType,
  QueryData,
  Schema,
} from '../core/component-store.ts';
import type { Ref } from '../core/handle.ts';
import type { HeapState } from '../core/state.ts';

function matches(q: QueryData, index: number): boolean {
  // Indexed loops: `for...of` cost a spawn's three `add` calls ~10% in Bun.
  const all = q.all;
  for (let k = 0; k < all.length; k++) if (all[k]!.position[index] === 0) return false;
  const none = q.none;
  for (let k = 0; k < none.length; k++) if (none[k]!.position[index] !== 0) return false;
  return true;
}

function queryInsert(q: QueryData, index: number): void {
  if (q.position[index] !== 0) return;
  if (q.count === q.dense.length) q.dense = growU32(q.dense, q.dense.length * 2);
  q.dense[q.count++] = index;
  q.position[index] = q.count;
  if (q.count > q.denseWritten) q.denseWritten = q.count;
}

/** Swap-remove from a sparse set: the last member takes the removed one's place. */
function queryRemove(q: QueryData, index: number): void {
  const at = q.position[index]!;
  if (at === 0) return;
  const last = q.dense[--q.count]!;
  q.dense[at - 1] = last;
  q.position[last] = at;
  q.position[index] = 0;
}

/** Re-checks every query naming `c` for `index`, after `index` gained or lost `c`. */
function refreshQueries(c: ComponentData, index: number): void {
  const queries = c.queries;
  for (let k = 0; k < queries.length; k++) {
    const q = queries[k]!;
    if (matches(q, index)) queryInsert(q, index);
    else queryRemove(q, index);
  }
}

/** Adds `c` to `index`, with every field zeroed. Returns false when it was there already. */
export function addMember(c: ComponentData, index: number): boolean {
  if (c.position[index] !== 0) return false;
  clearElements(c.fields, index);
  // The elements just written are backed now (`pages`: what stats().bytes counts).
  const page = index >>> INDEX_PAGE_BITS;
  if (c.pages[page] === 0) {
    c.pages[page] = 1;
    c.pagesChanged++;
  }
  if (c.memberCount === c.members.length) c.members = growU32(c.members, c.members.length * 2);
  c.members[c.memberCount++] = index;
  c.position[index] = c.memberCount;
  if (c.bit !== 0) c.mask[index] = c.mask[index]! | c.bit;
  if (c.memberCount > c.membersWritten) c.membersWritten = c.memberCount;
  refreshQueries(c, index);
  return true;
}

/**
 * `addMember` for a wave: adds `c` to the index each of the first `n` entries of `handles` names
 * (`handles[at] & indexMask`: checked live handles), the member list grown once and the queries
 * naming `c` refreshed after, as `addMember` does. (A refresh of an index that was a member
 * already, or named twice, finds its queries as they should be and changes nothing.)
 */
export function addMembers(c: ComponentData, handles: ArrayLike<number>, n: number, indexMask: number): void {
  if (c.memberCount + n > c.members.length) {
    c.members = growU32(c.members, Math.max(c.members.length * 2, c.memberCount + n), c.membersWritten);
  }
  const position = c.position;
  const members = c.members;
  const fields = c.fields;
  const mask = c.mask;
  const bit = c.bit;
  const pages = c.pages;
  let count = c.memberCount;
  for (let at = 0; at < n; at++) {
    const index = handles[at]! & indexMask;
    if (position[index] !== 0) continue;
    clearElements(fields, index);
    const page = index >>> INDEX_PAGE_BITS;
    if (pages[page] === 0) {
      pages[page] = 1;
      c.pagesChanged++;
    }
    members[count++] = index;
    position[index] = count;
    if (bit !== 0) mask[index] = mask[index]! | bit;
  }
  c.memberCount = count;
  if (count > c.membersWritten) c.membersWritten = count;
  for (let at = 0; at < n; at++) refreshQueries(c, handles[at]! & indexMask);
}

/** Removes `c` from `index`, clearing its `ref` fields so no edge outlives membership. */
export function removeMember(c: ComponentData, index: number): boolean {
  if (c.position[index] === 0) return false;
  if (c.bit !== 0) c.mask[index] = c.mask[index]! & ~c.bit;
  dropMember(c, index);
  return true;
}

/** `removeMember` of a member, but its mask bit: the caller clears the bits (`releaseComponents`). */
function dropMember(c: ComponentData, index: number): void {
  const at = c.position[index]!;
  const last = c.members[--c.memberCount]!;
  c.members[at - 1] = last;
  c.position[last] = at;
  c.position[index] = 0;
  clearElements(c.strongRefs, index);
  clearElements(c.weakRefs, index);
  refreshQueries(c, index);
}

/** Zeroes the elements of object `index` in each of `fields`' columns (`fillElements`). */
function clearElements(fields: readonly FieldData[], index: number): void {
  for (let k = 0; k < fields.length; k++) {
    const f = fields[k]!;
    const at = index * f.length;
    fillElements(f, at, at + f.length, 0);
  }
}

/** `f.column[at] = value` (`fillElements` of one element). */
export function storeElement(f: FieldData, at: number, value: number): void {
  fillElements(f, at, at + 1, value);
}

/**
 * Stores `value` in elements `from` to `to` (excluded) of `f`'s column, through one store per
 * element size: the engine keeps store feedback per site, and one site fed every column type a game
 * defines (past four) went megamorphic, each store a generic lookup: with the warm-up's seven
 * column types seen, the game suite's three `addMany` of a 1,500-projectile wave took 310 us
 * against 75 (Node). Each site here sees at most three types (4 bytes: f32, i32, u32). The size is
 * tested once a range: tested once an element, a new object's ten-element `u8` array field took 3
 * ns an element to zero (`add` of splay's leaf component: Node 55 ns, 31 so; Bun 38 and 32; Deno 38
 * and 28). Plain loops: most fields are one or a few elements, where a call to `fill` cost more
 * than the stores (a bare `add` took 60 ns with `fill`, 28 ns without, in Node).
 */
function fillElements(f: FieldData, from: number, to: number, value: number): void {
  const column = f.column;
  switch (f.elementBytes) {
    case 4:
      for (let at = from; at < to; at++) column[at] = value;
      return;
    case 8:
      for (let at = from; at < to; at++) column[at] = value;
      return;
    case 2:
      for (let at = from; at < to; at++) column[at] = value;
      return;
    default:
      for (let at = from; at < to; at++) column[at] = value;
  }
}

/** Whether `index` still has any component. */
export function hasAnyComponent(store: ComponentStore, index: number): boolean {
  return nextComponentOf(store, index, -1) >= 0;
}

/**
 * Takes `index` out of every cached query while it keeps its components (a destroyed object
 * whose hooks are about to run: it must leave the game first, yet stay readable to them).
 */
export function leaveQueries(store: ComponentStore, index: number): void {
  for (let k = nextComponentOf(store, index, -1); k >= 0; k = nextComponentOf(store, index, k)) {
    const queries = store.list[k]!.queries;
    for (let j = 0; j < queries.length; j++) queryRemove(queries[j]!, index);
  }
}

/**
 * Removes every component of a freed object: only those its mask bits name, so the cost follows
 * the components it has, not those defined; with no masks (`FEW_COMPONENTS`), asks each. Walks
 * the bits itself rather than through `nextComponentOf`: it runs for every freed object of a
 * sweep, and zeroes each word once instead of clearing a bit per component.
 */
export function releaseComponents(store: ComponentStore, index: number): void {
  const masks = store.masks;
  const list = store.list;
  if (masks.length === 0) {
    for (let k = 0; k < list.length; k++) if (list[k]!.position[index] !== 0) dropMember(list[k]!, index);
    return;
  }
  for (let w = 0; w < masks.length; w++) {
    const mask = masks[w]!;
    const bits = mask[index]! | 0;
    if (bits === 0) continue;
    for (let rest = bits; rest !== 0; rest &= rest - 1) dropMember(list[(w << 5) + lowestBit(rest)]!, index);
    mask[index] = 0;
  }
}

/**
 * Before a major sweep frees the cycle's dead (color `white`), takes them out of every member
 * list in one walk over each list, up to `budget` entries visited; returns the entries visited
 * (the work done). Done for the cycle once `s.memberWalkComponent` reaches the component count.
 * Freed one by one, a dead member's swap-remove read and wrote two scattered entries per
 * component (its place in `members`, the moved member's `position`), and the game suite's sweep
 * spent two thirds of its time there (three components a projectile, ~170k dead a cycle). The
 * walk reads `members` forward and takes the replacement from its end, both in order, and what it
 * drops leaves as a free would leave it: position 0, mask bit clear, reference elements zeroed,
 * out of the component's queries (a dead object is in none: a query naming it `not` must not take
 * it in, so it is removed, not re-matched). Each step is a whole swap-remove, so the lists are
 * valid between slices: a member the program adds lands past the walk, one it removes may move an
 * unvisited member behind the walk, and a dead member missed so leaves when the sweep frees it.
 */
export function dropDeadMembers(s: HeapState, budget: number): number {
  const cycle = s.majorCollections;
  if (s.memberWalkCycle !== cycle) {
    s.memberWalkCycle = cycle;
    s.memberWalkComponent = 0;
    s.memberWalkCursor = 0;
  }
  const color = s.color;
  const white = s.white;
  const list = s.components.list;
  let work = 0;
  while (s.memberWalkComponent < list.length && work < budget) {
    const c = list[s.memberWalkComponent]!;
    const members = c.members;
    const position = c.position;
    const mask = c.mask;
    const bit = c.bit;
    const queries = c.queries;
    let count = c.memberCount;
    let at = s.memberWalkCursor;
    for (; at < count && work < budget; work++) {
      const index = members[at]!;
      if (color[index] !== white) {
        at++;
        continue;
      }
      position[index] = 0;
      if (bit !== 0) mask[index] = mask[index]! & ~bit;
      clearElements(c.strongRefs, index);
      clearElements(c.weakRefs, index);
      for (let k = 0; k < queries.length; k++) queryRemove(queries[k]!, index);
      // The last member takes the place, and is looked at next (it may be dead too).
      const last = members[--count]!;
      if (at < count) {
        members[at] = last;
        position[last] = at + 1;
      }
    }
    c.memberCount = count;
    if (at < count) {
      s.memberWalkCursor = at;
      break;
    }
    s.memberWalkComponent++;
    s.memberWalkCursor = 0;
  }
  return work;
}

/**
 * The id of the first component after id `after` that object `index` has, or -1: through its mask
 * bits, or by asking each component while the store keeps no masks. Read afresh at every call, so a
 * loop that runs hooks between calls sees the components as the hooks left them.
 */
export function nextComponentOf(store: ComponentStore, index: number, after: number): number {
  const list = store.list;
  const masks = store.masks;
  const first = after + 1;
  if (masks.length === 0) {
    for (let k = first; k < list.length; k++) if (list[k]!.position[index] !== 0) return k;
    return -1;
  }
  for (let w = first >> 5; w < masks.length; w++) {
    const from = w === first >> 5 ? first & 31 : 0;
    const bits = (masks[w]![index]! | 0) & (-1 << from);
    if (bits !== 0) return (w << 5) + lowestBit(bits);
  }
  return -1;
}

/** The position of the lowest set bit of a non-zero 32-bit word. */
function lowestBit(bits: number): number {
  return 31 - Math.clz32(bits & -bits);
}

/**
 * The cached query of `data` alone, when one was built: found among the queries naming it, so
 * `heap.query(C)` skips building the key of `getQuery` (strings and arrays made every call).
 */
export function soleQuery(data: ComponentData): QueryData | undefined {
  const queries = data.queries;
  for (let k = 0; k < queries.length; k++) {
    const q = queries[k]!;
    if (q.all.length === 1 && q.all[0] === data && q.none.length === 0) return q;
  }
  return undefined;
}

/**
 * The query's members as a view of its dense list, the last one handed out while it still says
 * the same (the list neither grew into a new array nor changed its count).
 */
export function queryView(q: QueryData): Uint32Array {
  const view = q.view;
  if (view !== null && view.length === q.count && view.buffer === q.dense.buffer) return view;
  return q.view = q.dense.subarray(0, q.count);
}

/** The cached query for these components, built (by one pass over the smallest member list) on first use. */
export function getQuery(store: ComponentStore, all: ComponentData[], none: ComponentData[]): QueryData {
  const key = all.map((c) => c.id).sort((a, b) => a - b).join(',') + '!' +
    none.map((c) => c.id).sort((a, b) => a - b).join(',');
  let q = store.queries.get(key);
  if (q !== undefined) return q;
  const columnLength = all[0]!.position.length;
  q = makeQueryData(key, all, none, new Uint32Array(listLength(store)), 0, 0, new Uint32Array(columnLength));
  let smallest = all[0]!;
  for (const c of all) if (c.memberCount < smallest.memberCount) smallest = c;
  for (let k = 0; k < smallest.memberCount; k++) {
    const index = smallest.members[k]!;
    if (matches(q, index)) queryInsert(q, index);
  }
  for (const c of all) c.queries.push(q);
  for (const c of none) c.queries.push(q);
  store.queries.set(key, q);
  return q;
}

/**
 * During a sweep, dead objects may still be members until swept: drops them from a query. One
 * pass that closes the gaps, the members kept in their order (a swap-remove per dead member wrote
 * scattered entries and reordered what was kept).
 */
export function dropDeadFromQuery(q: QueryData, color: Uint8Array, liveMask: number): void {
  const dense = q.dense;
  const position = q.position;
  const count = q.count;
  let kept = 0;
  for (let k = 0; k < count; k++) {
    const index = dense[k]!;
    if ((color[index]! & liveMask) === 0) {
      position[index] = 0;
      continue;
    }
    if (kept !== k) {
      dense[kept] = index;
      position[index] = kept + 1;
    }
    kept++;
  }
  q.count = kept;
}

// ---- the public shape of a component -----------------------------------------------------------

type ElementOf<S> = S extends readonly [infer T, number] ? T : S;
type ColumnFor<T> = T extends 'f32' ? Float32Array
  : T extends 'f64' ? Float64Array
  : T extends 'i8' ? Int8Array
  : T extends 'i16' ? Int16Array
  : T extends 'i32' ? Int32Array
  : T extends 'u8' ? Uint8Array
  : T extends 'u16' ? Uint16Array
  : Uint32Array;
type ReferenceType = 'ref' | 'weakref';

/**
 * The numeric columns of a schema, by field name. For the wide `Schema` (a component whose fields
 * the compiler does not know) there are none, so every `Component<S>` is assignable to `Component`.
 */
type Columns<S extends Schema> = string extends keyof S ? unknown
  : { readonly [K in keyof S as ElementOf<S[K]> extends ReferenceType ? never : K]: ColumnFor<ElementOf<S[K]>> };

/**
 * A component: its numeric fields are SoA columns, indexed by `heap.index(ref)` (times the length
 * for array fields: `Velocity.v[i * 3 + k]`). A column never moves: it is allocated once for every
 * index the heap may use (`maxObjects`; untouched parts cost no memory), so keep it in a local, a
 * closure or a system's field for as long as you like: allocation, collection and `heap.load`
 * never leave it stale. `ref` fields are not exposed as columns: read and write them with
 * `heap.getField` / `heap.setField`, which keep the barrier.
 */
export type Component<S extends Schema = Schema> = ComponentBase & { readonly schema: S } & Columns<S>;

/** What every component has, whatever its schema: what the heap's methods take. */
export interface ComponentBase {
  readonly name: string;
  readonly id: number;
  readonly schema: Schema;
}

/** A field name of schema `S` (any string for a component whose schema the compiler does not know). */
export type FieldName<S extends Schema> = keyof S & string;

/** What one element of field `F` holds: a handle (`Ref`) for `ref` and `weakref` fields, else a number. */
export type FieldValue<F> = ElementOf<F> extends ReferenceType ? Ref : number;

/** The names of schema `S`'s `ref` and `weakref` fields (any string when the compiler does not know the schema). */
export type RefFieldName<S extends Schema> = string extends keyof S ? string
  : { [K in keyof S & string]: ElementOf<S[K]> extends ReferenceType ? K : never }[keyof S & string];

/** Initial values for `heap.add`: by field name, a value, or an array of values for an array field. */
export type ComponentInit<S extends Schema = Schema> = {
  readonly [K in keyof S]?: S[K] extends readonly [FieldType, number] ? readonly FieldValue<S[K]>[]
    : FieldValue<S[K]> | (string extends K ? readonly number[] : never);
};

/** A `not` term for `heap.query`: objects that do not have the component. */
export interface Not {
  readonly not: ComponentBase;
}

export function not(component: ComponentBase): Not {
  return { not: component };
}

/** Field names a component's own properties take. */
export const RESERVED_FIELD_NAMES = new Set(['name', 'id', 'schema', '__proto__', 'constructor']);
