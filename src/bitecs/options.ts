/**
 * The bitECS bridge: stop-the-world garbage collection for an existing bitECS 0.4 world.
 *
 * The game declares which component fields hold entity ids (SoA arrays indexed by entity id), which
 * relations are edges, and which entities are roots. `collect()` marks every live entity the roots
 * reach through those edges, removes every other live entity with bitECS's own `removeEntity`, and
 * clears each declared field that named an entity which is gone, so no dangling id is left behind.
 *
 * Liveness and marks share one `Uint32Array` of stamps indexed by entity index (the id without its
 * version bits), with an epoch that advances by 2 per collection, so no pass ever clears it:
 *   stamp[id] <  epoch      not live in this collection,
 *   stamp[id] == epoch      live, not reached yet,
 *   stamp[id] == epoch + 1  live and reached.
 * `eids[id]` holds the full id (version bits included) of the live entity at that index, so a
 * stored id is an edge only when it equals it exactly: a stale version, a fraction, a negative
 * number or NaN never is. The marker's worklist is a queue, not a stack: every entity is appended
 * once and never overwritten, so when marking ends it lists exactly the reached entities.
 *
 * What it cannot see: a plain write to a typed array runs no barrier, so the bridge cannot know
 * what changed between two collections. It offers only full, stop-the-world `collect()`; the
 * incremental and minor collections need the heap's own component stores.
 */
import {
  $internal,
  getRelationTargets,
  isRelation,
  Prefab,
  query,
  type Relation,
  removeEntity,
  Wildcard,
  type World,
  type WorldContext,
} from 'bitecs';
import { growU32 } from '../core/columns.ts';
import { describe } from '../core/handle.ts';

/** bitECS's entity index (its type is not exported by name). */
type EntityIndex = WorldContext['entityIndex'];

/** A typed array or plain array indexed by entity id, holding entity ids (a bitECS SoA field). */
export type IdColumn =
  | number[]
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint8ClampedArray
  | Uint16Array
  | Uint32Array
  | Float32Array
  | Float64Array;

/** A plain array indexed by entity id, holding per entity a list of entity ids (or nothing). */
export type IdLists = (IdColumn | undefined | null)[];

/**
 * A declared reference field. `none`: its own "no entity" value. `many`: `store[eid]` is a list of
 * entity ids (children, inventory...). `weak`: the field does not keep its target alive, and is
 * cleared once the target is removed (a homing missile's target, a "last attacker").
 */
export type RefField =
  | { store: IdColumn; none?: number; many?: false; weak?: boolean }
  | { store: IdLists; none?: number; many: true; weak?: boolean };

/** Which way a relation's pairs are edges. A ref field on the subject would be `'subject->target'`. */
export type RelationEdge = 'subject->target' | 'target->subject';

export interface RelationEdges {
  // deno-lint-ignore no-explicit-any
  relation: Relation<any>;
  /** Default `'subject->target'`: an entity keeps alive what it points at (like a ref field). */
  edge?: RelationEdge;
}

export interface CollectorOptions {
  /**
   * The fields that hold entity ids: `Parent.eid`, or `{ store: Target.eid, none: -1 }` for a
   * field with its own "no entity" value, `{ store: Children.list, many: true }` for a field
   * holding a list of ids per entity, `{ store: Target.eid, weak: true }` for one that must not
   * keep its target alive.
   */
  refs?: readonly (IdColumn | RefField)[];
  /** Components whose entities are roots (as well as those passed to `root(eid)`, and prefabs). */
  roots?: readonly object[];
  /** Relations whose pairs are edges: a relation (`'subject->target'`) or `{ relation, edge }`. */
  // deno-lint-ignore no-explicit-any
  relations?: readonly (Relation<any> | RelationEdges)[];
  /**
   * The "no entity" value of every field that does not name its own. Default 0: bitECS 0.4 gives
   * out ids from 1, so 0 never names an entity.
   */
  none?: number;
}

/** What one `collect()` did. */
export interface BitecsCollection {
  /** Entities removed, including those bitECS removed on its own while the collector removed them. */
  freed: number;
  /** Entities live afterwards. */
  live: number;
  /**
   * Field entries of live entities that named an entity which is gone (removed by the game, or a
   * weak field's target removed now), now set to the "no entity" value or dropped from their list.
   */
  cleared: number;
  /**
   * Reached entities that bitECS removed anyway while removing unreached ones: subjects of an
   * undeclared relation created with `autoRemoveSubject`, or entities an `onRemove` observer or
   * `onTargetRemoved` callback removed. 0 unless such a relation or callback exists.
   */
  cascaded: number;
  /** Wall time, in milliseconds. */
  ms: number;
}

/** Edge modes per declared relation. `BOTH` for relations created with `autoRemoveSubject`. */
const SUBJECT_TO_TARGET = 1;
const TARGET_TO_SUBJECT = 2;
const BOTH = 3;

/** The largest entity id bitECS can give out (ids are unsigned 32-bit, version bits included). */
const MAX_EID = 0xffff_ffff;

/** bitECS's own key for a relation's settings (a global symbol, the same in every copy). */
const RELATION_DATA = Symbol.for('bitecs-relationData');

/** Declared fields of one kind, with their "no entity" values. */
export interface Fields {
  /** One id per entity. */
  readonly stores: IdColumn[];
  readonly nones: number[];
  /** A list of ids per entity. */
  readonly lists: IdLists[];
  readonly listNones: number[];
}

/** Every column and counter of one collector: plain data, read into locals by the loops. */
export interface BridgeState {
  readonly world: World;
  /** The entity index last seen; `resetWorld` replaces it, and then the explicit roots are dropped. */
  index: EntityIndex;

  /** Traced fields. */
  readonly strong: Fields;
  /** Fields that are only cleared, never traced. */
  readonly weak: Fields;
  readonly rootComponents: object[];
  // deno-lint-ignore no-explicit-any
  readonly relations: Relation<any>[];
  readonly relationModes: number[];

  /** Even; `epoch + 1` is the mark. See the module comment. */
  epoch: number;
  /** Per entity index: liveness and mark (see the module comment). */
  stamp: Uint32Array;
  /** Per entity index: the full id of the live entity there, version bits included. */
  eids: Uint32Array;
  /** The world's live entities at the start of this collection (see `listEntities`). */
  entities: Uint32Array;
  /** The marker's queue; afterwards, the reached entities in the order they were reached. */
  work: Uint32Array;
  /** Unreached live entities, gathered before any is removed (removal reorders bitECS's dense list). */
  doomed: Uint32Array;

  /** Explicit roots (full ids), unordered; `rootSlot[id]` is an entity index's place here plus one. */
  rootList: Uint32Array;
  rootCount: number;
  rootSlot: Uint32Array;
  /**
   * Per root, the component set bitECS made for that entity (`entityComponents.get(eid)`). bitECS
   * makes a new one for every `addEntity`, so it tells one lifetime of a recycled id from the next
   * even without versioning: a root removed by the game never roots the entity that reuses its id.
   */
  rootTokens: unknown[];

  // Relation edges of this collection, as linked lists in typed arrays: `edgeHead[id]` is the first
  // edge out of an entity index when `edgeStamp[id] == epoch` (so stale lists need no clearing);
  // edge 0 ends a list.
  edgeStamp: Uint32Array;
  edgeHead: Uint32Array;
  edgeNext: Uint32Array;
  edgeTo: Uint32Array;
  edgeCount: number;
}

// ---- validation ----------------------------------------------------------------------------------

/** The world's bitECS context, or a `TypeError` naming what was given instead. */
export function contextOf(world: unknown, what = 'world'): WorldContext {
  const ctx = typeof world === 'object' && world !== null
    ? (world as { [$internal]?: WorldContext })[$internal]
    : undefined;
  const index = ctx?.entityIndex;
  if (
    ctx === undefined || typeof index !== 'object' || index === null || !Array.isArray(index.dense) ||
    !(ctx.entityComponents instanceof Map)
  ) {
    throw new TypeError(
      `${what} is ${describe(world)}: not a bitECS 0.4 world (make one with createWorld(); deleteWorld() unmakes it)`,
    );
  }
  return ctx;
}

function isIdColumn(value: unknown): value is IdColumn {
  if (Array.isArray(value)) return true;
  return ArrayBuffer.isView(value) && !(value instanceof DataView) && !(value instanceof BigInt64Array) &&
    !(value instanceof BigUint64Array);
}

function typedName(value: object): string {
  return Array.isArray(value) ? 'an array' : `a ${value.constructor.name}`;
}

/** A "no entity" value: a number the field can hold exactly (so `store[eid] === none` can be true). */
function checkNone(none: unknown, what: string, store: IdColumn | IdLists | undefined): number {
  if (typeof none !== 'number') throw new TypeError(`${what} must be a number, got ${describe(none)}`);
  if (Number.isNaN(none)) throw new RangeError(`${what} is NaN, which no field can compare equal to`);
  if (store !== undefined && !Array.isArray(store)) {
    const probe = new (store.constructor as new (values: number[]) => IdColumn)([none]);
    if (probe[0] !== none) {
      throw new RangeError(
        `${what} ${describe(none)} cannot be stored in ${typedName(store)} (it reads back as ${probe[0]})`,
      );
    }
  }
  return none;
}

/** A well-formed entity id: an integer from 0 to 2^32 - 1 (`TypeError` for non-numbers, else `RangeError`). */
export function checkEid(eid: unknown, what: string): number {
  if (typeof eid !== 'number') throw new TypeError(`${what} must be an entity id (a number), got ${describe(eid)}`);
  if (!Number.isInteger(eid) || eid < 0 || eid > MAX_EID) {
    throw new RangeError(`${what} ${describe(eid)} is not an entity id (an integer from 0 to 2^32 - 1)`);
  }
  return eid;
}

function listOf(value: unknown, what: string): readonly unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    const hint = isIdColumn(value) ? ` (to declare one field, write [${what === 'refs' ? 'store' : 'it'}])` : '';
    throw new TypeError(`${what} must be a list, got ${describe(value)}${hint}`);
  }
  return value;
}

const OPTION_KEYS = ['refs', 'roots', 'relations', 'none'];
const FIELD_KEYS = ['store', 'none', 'many', 'weak'];
const RELATION_KEYS = ['relation', 'edge'];

function checkKeys(value: object, allowed: string[], what: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new TypeError(`${what} has an unknown key '${key}' (known: ${allowed.join(', ')})`);
    }
  }
}

/** Validates everything and builds the state; throws before building anything. */
export function makeBridgeState(world: World, options: CollectorOptions | undefined): BridgeState {
  const ctx = contextOf(world);
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new TypeError(`options must be an object, got ${describe(options)}`);
  }
  const o: CollectorOptions = options ?? {};
  checkKeys(o, OPTION_KEYS, 'options');
  const defaultNone = o.none === undefined ? 0 : checkNone(o.none, 'options.none', undefined);

  const strong: Fields = { stores: [], nones: [], lists: [], listNones: [] };
  const weak: Fields = { stores: [], nones: [], lists: [], listNones: [] };
  listOf(o.refs, 'refs').forEach((field, k) => {
    const what = `refs[${k}]`;
    if (isIdColumn(field)) {
      strong.stores.push(field);
      strong.nones.push(checkNone(defaultNone, 'options.none', field));
      return;
    }
    if (typeof field !== 'object' || field === null) {
      throw new TypeError(
        `${what} is ${describe(field)}: expected an array indexed by entity id, or { store, none?, many?, weak? }`,
      );
    }
    checkKeys(field, FIELD_KEYS, what);
    const f = field as { store?: unknown; none?: unknown; many?: unknown; weak?: unknown };
    for (const flag of ['many', 'weak'] as const) {
      if (f[flag] !== undefined && typeof f[flag] !== 'boolean') {
        throw new TypeError(`${what}.${flag} must be a boolean, got ${describe(f[flag])}`);
      }
    }
    if (!isIdColumn(f.store)) {
      throw new TypeError(
        `${what}.store is ${describe(f.store)}: expected a typed array or an array indexed by entity id`,
      );
    }
    const kind = f.weak === true ? weak : strong;
    if (f.many === true) {
      if (!Array.isArray(f.store)) {
        throw new TypeError(
          `${what}.store is ${typedName(f.store)}: a 'many' field is an array holding a list per entity`,
        );
      }
      kind.lists.push(f.store as unknown as IdLists);
      kind.listNones.push(f.none === undefined ? defaultNone : checkNone(f.none, `${what}.none`, undefined));
    } else {
      kind.stores.push(f.store);
      kind.nones.push(checkNone(f.none === undefined ? defaultNone : f.none, `${what}.none`, f.store));
    }
  });

  const rootComponents: object[] = [];
  listOf(o.roots, 'roots').forEach((component, k) => {
    if ((typeof component !== 'object' && typeof component !== 'function') || component === null) {
      throw new TypeError(
        `roots[${k}] is ${describe(component)}: roots lists components (objects); ` +
          'root a single entity with collector.root(eid)',
      );
    }
    rootComponents.push(component);
  });

  // deno-lint-ignore no-explicit-any
  const relations: Relation<any>[] = [];
  const relationModes: number[] = [];
  listOf(o.relations, 'relations').forEach((entry, k) => {
    const what = `relations[${k}]`;
    let relation: unknown = entry;
    let edge: unknown = 'subject->target';
    if (!isRelation(entry)) {
      if (typeof entry !== 'object' || entry === null) {
        throw new TypeError(
          `${what} is ${describe(entry)}: expected a relation (createRelation()) or { relation, edge }`,
        );
      }
      checkKeys(entry, RELATION_KEYS, what);
      relation = (entry as RelationEdges).relation;
      if ((entry as RelationEdges).edge !== undefined) edge = (entry as RelationEdges).edge;
      if (!isRelation(relation)) {
        throw new TypeError(`${what}.relation is ${describe(relation)}: not a bitECS relation (createRelation())`);
      }
    }
    if (edge !== 'subject->target' && edge !== 'target->subject') {
      throw new TypeError(`${what}.edge must be 'subject->target' or 'target->subject', got ${describe(edge)}`);
    }
    let mode = edge === 'subject->target' ? SUBJECT_TO_TARGET : TARGET_TO_SUBJECT;
    // bitECS removes the subjects of a removed target when the relation has `autoRemoveSubject`:
    // a reached subject must keep its targets, or removing them would remove it too.
    const data = (relation as { [RELATION_DATA]?: { autoRemoveSubject?: boolean } })[RELATION_DATA];
    if (data?.autoRemoveSubject === true) mode = BOTH;
    // deno-lint-ignore no-explicit-any
    relations.push(relation as Relation<any>);
    relationModes.push(mode);
  });

  return {
    world,
    index: ctx.entityIndex,
    strong,
    weak,
    rootComponents,
    relations,
    relationModes,
    epoch: 0,
    stamp: new Uint32Array(64),
    eids: new Uint32Array(64),
    entities: new Uint32Array(64),
    work: new Uint32Array(64),
    doomed: new Uint32Array(64),
    rootList: new Uint32Array(16),
    rootCount: 0,
    rootSlot: new Uint32Array(64),
    rootTokens: [],
    edgeStamp: new Uint32Array(64),
    edgeHead: new Uint32Array(64),
    edgeNext: new Uint32Array(64),
    edgeTo: new Uint32Array(64),
    edgeCount: 0,
  };
}

// ---- entity indices ------------------------------------------------------------------------------

/**
 * The mask that takes an id to its entity index. Without versioning bitECS ids are the indices
 * themselves; the mask only keeps a malformed value (2^31 and up) from indexing past the columns,
 * and the exact `eids[id] === value` check rejects it afterwards.
 */
function idMaskOf(index: EntityIndex): number {
  return index.versioning ? index.entityMask : 0x7fff_ffff;
}

/** Drops the explicit roots when the world's entity index was replaced (`resetWorld`). */
function syncIndex(s: BridgeState, index: EntityIndex): void {
  if (index === s.index) return;
  s.index = index;
  s.rootCount = 0;
  s.rootTokens.length = 0;
}

// ---- roots ---------------------------------------------------------------------------------------

/** The place of `eid` in the explicit root list, or -1 (also when the root was removed since). */
export function rootPlace(s: BridgeState, ctx: WorldContext, eid: number): number {
  const id = eid & idMaskOf(s.index);
  const place = (s.rootSlot[id] ?? 0) - 1;
  if (place < 0 || place >= s.rootCount || s.rootList[place] !== eid) return -1;
  return ctx.entityComponents.get(eid) === s.rootTokens[place] ? place : -1;
}

export function addRoot(s: BridgeState, eid: number): void {
  const ctx = contextOf(s.world, "the collector's world");
  checkEid(eid, 'root eid');
  // The world's own entities: with a shared entity index, entityExists would admit other worlds'.
  const token = ctx.entityComponents.get(eid);
  if (token === undefined) throw new RangeError(`entity ${eid} does not exist in this world`);
  syncIndex(s, ctx.entityIndex);
  const id = eid & idMaskOf(s.index);
  // The same entity index may still be listed for an entity removed since: that entry is replaced.
  const place = (s.rootSlot[id] ?? 0) - 1;
  if (place >= 0 && place < s.rootCount && (s.rootList[place]! & idMaskOf(s.index)) === id) {
    s.rootList[place] = eid;
    s.rootTokens[place] = token;
    return;
  }
  if (id >= s.rootSlot.length) s.rootSlot = growU32(s.rootSlot, Math.max(id + 1, s.rootSlot.length * 2));
  if (s.rootCount === s.rootList.length) s.rootList = growU32(s.rootList, s.rootList.length * 2);
  s.rootList[s.rootCount] = eid;
  s.rootTokens[s.rootCount] = token;
  s.rootSlot[id] = ++s.rootCount;
}

/** Removes the root at `place` by moving the last one into it (the list is unordered). */
function dropRootAt(s: BridgeState, place: number, idMask: number): void {
  const lastPlace = --s.rootCount;
  const last = s.rootList[lastPlace]!;
  s.rootSlot[s.rootList[place]! & idMask] = 0;
  if (place !== lastPlace) {
    s.rootList[place] = last;
    s.rootTokens[place] = s.rootTokens[lastPlace];
    s.rootSlot[last & idMask] = place + 1;
  }
  s.rootTokens.length = lastPlace;
}

export function removeRoot(s: BridgeState, eid: number): boolean {
  const ctx = contextOf(s.world, "the collector's world");
  checkEid(eid, 'unroot eid');
  syncIndex(s, ctx.entityIndex);
  const place = rootPlace(s, ctx, eid);
  if (place < 0) return false;
  dropRootAt(s, place, idMaskOf(s.index));
  return true;
}

/** The explicit roots that are still live, in no particular order. */
export function listRoots(s: BridgeState): number[] {
  const ctx = contextOf(s.world, "the collector's world");
  syncIndex(s, ctx.entityIndex);
  const roots: number[] = [];
  for (let r = 0; r < s.rootCount; r++) {
    const eid = s.rootList[r]!;
    if (ctx.entityComponents.get(eid) === s.rootTokens[r]) roots.push(eid);
  }
  return roots;
}

// ---- collection ----------------------------------------------------------------------------------

/** Sizes the per-index and per-entity columns for this collection. */
function reserve(s: BridgeState, indices: number, alive: number): void {
  if (indices > s.stamp.length) {
    const length = Math.max(indices, s.stamp.length * 2);
    s.stamp = growU32(s.stamp, length);
    s.eids = growU32(s.eids, length);
    s.edgeStamp = growU32(s.edgeStamp, length);
    s.edgeHead = growU32(s.edgeHead, length);
  }
  if (alive > s.work.length) {
    const length = Math.max(alive, s.work.length * 2);
    s.entities = new Uint32Array(length);
    s.work = new Uint32Array(length);
    s.doomed = new Uint32Array(length);
  }
}

/**
 * Copies the world's live entities into `s.entities` and returns their count. Usually that is
 * bitECS's dense entity list; but worlds may share one entity index (`createWorld(index)`), and then
 * only the world's own entities (the keys of its `entityComponents`) are its business.
 */
function listEntities(s: BridgeState, ctx: WorldContext): number {
  const index = ctx.entityIndex;
  const count = ctx.entityComponents.size;
  reserve(s, index.maxId + 1, count);
  const entities = s.entities;
  if (count === index.aliveCount) {
    const dense = index.dense;
    for (let i = 0; i < count; i++) entities[i] = dense[i]!;
  } else {
    let i = 0;
    for (const eid of ctx.entityComponents.keys()) entities[i++] = eid;
  }
  return count;
}

/** Advances the epoch by 2; on wrap-around, clears the stamps once (after 2^31 collections). */
function nextEpoch(s: BridgeState): number {
  let epoch = s.epoch + 2;
  if (epoch + 1 > MAX_EID) {
    s.stamp.fill(0);
    s.edgeStamp.fill(0);
    epoch = 2;
  }
  s.epoch = epoch;
  return epoch;
}

function addEdge(s: BridgeState, from: number, to: number, idMask: number, epoch: number): void {
  const id = from & idMask;
  if (id >= s.edgeStamp.length) return; // not a live entity: it has no outgoing edges to follow
  if (s.edgeStamp[id] !== epoch) {
    s.edgeStamp[id] = epoch;
    s.edgeHead[id] = 0;
  }
  const e = ++s.edgeCount;
  if (e >= s.edgeTo.length) {
    s.edgeTo = growU32(s.edgeTo, s.edgeTo.length * 2);
    s.edgeNext = growU32(s.edgeNext, s.edgeNext.length * 2);
  }
  s.edgeTo[e] = to;
  s.edgeNext[e] = s.edgeHead[id]!;
  s.edgeHead[id] = e;
}

/** Gathers this collection's relation pairs as edges, through bitECS's query and getRelationTargets. */
function gatherRelationEdges(s: BridgeState, idMask: number, epoch: number): void {
  s.edgeCount = 0;
  for (let r = 0; r < s.relations.length; r++) {
    const relation = s.relations[r]!;
    const mode = s.relationModes[r]!;
    // Every subject of the relation carries the pair (relation, Wildcard).
    const subjects = query(s.world, [relation(Wildcard)]);
    for (let k = 0; k < subjects.length; k++) {
      const subject = subjects[k]!;
      const targets = getRelationTargets(s.world, subject, relation);
      for (let t = 0; t < targets.length; t++) {
        const target = targets[t]!;
        if ((mode & SUBJECT_TO_TARGET) !== 0) addEdge(s, subject, target, idMask, epoch);
        if ((mode & TARGET_TO_SUBJECT) !== 0) addEdge(s, target, subject, idMask, epoch);
      }
    }
  }
}

/**
 * Marks from the roots; returns how many entities were reached (they fill `work[0, count)`) and how
 * many field entries were cleared on the way. A declared field of a reached entity that holds an id
 * which is not live (the game removed that entity itself, or it was never one) is cleared here: it
 * can only be garbage, and clearing it while the value is in hand saves a second pass.
 */
function mark(
  s: BridgeState,
  ctx: WorldContext,
  alive: number,
  idMask: number,
  epoch: number,
): { reached: number; cleared: number } {
  const entities = s.entities;
  const stamp = s.stamp;
  const eids = s.eids;
  const work = s.work;
  const marked = epoch + 1;
  let tail = 0;

  // Prefabs are roots: they are templates that instances point at through IsA, not garbage.
  const prefab = ctx.componentMap.get(Prefab);
  const prefabRow = prefab === undefined ? undefined : ctx.entityMasks[prefab.generationId];
  const prefabBit = prefab === undefined ? 0 : prefab.bitflag;

  // Every live entity gets this epoch's stamp; the prefab test only runs when prefabs exist.
  for (let i = 0; i < alive; i++) {
    const eid = entities[i]!;
    const id = eid & idMask;
    eids[id] = eid;
    if (prefabRow !== undefined && ((prefabRow[eid] ?? 0) & prefabBit) !== 0) {
      stamp[id] = marked;
      work[tail++] = eid;
    } else {
      stamp[id] = epoch;
    }
  }

  // Explicit roots. A root the game removed leaves the root set, even if its id is live again.
  const components = ctx.entityComponents;
  for (let r = 0; r < s.rootCount; r++) {
    const eid = s.rootList[r]!;
    const id = eid & idMask;
    if (eids[id] !== eid || stamp[id]! < epoch || components.get(eid) !== s.rootTokens[r]) {
      dropRootAt(s, r--, idMask);
    } else if (stamp[id] === epoch) {
      stamp[id] = marked;
      work[tail++] = eid;
    }
  }

  // Root components: whatever bitECS's query returns is live.
  for (let c = 0; c < s.rootComponents.length; c++) {
    const members = query(s.world, [s.rootComponents[c]]);
    for (let k = 0; k < members.length; k++) {
      const eid = members[k]!;
      const id = eid & idMask;
      if (stamp[id] === epoch && eids[id] === eid) {
        stamp[id] = marked;
        work[tail++] = eid;
      }
    }
  }

  if (s.relations.length > 0) gatherRelationEdges(s, idMask, epoch);
  const hasEdges = s.edgeCount > 0;
  const edgeStamp = s.edgeStamp;
  const edgeHead = s.edgeHead;
  const edgeNext = s.edgeNext;
  const edgeTo = s.edgeTo;
  const refStores = s.strong.stores;
  const refNones = s.strong.nones;
  const refCount = refStores.length;
  const listStores = s.strong.lists;
  const listNones = s.strong.listNones;
  const listCount = listStores.length;
  let cleared = 0;

  // Breadth-first: `head` chases `tail`; each entity is appended once, when it takes the mark.
  let head = 0;
  while (head < tail) {
    const eid = work[head++]!;
    for (let f = 0; f < refCount; f++) {
      const store = refStores[f]!;
      const v = store[eid];
      const none = refNones[f]!;
      if (v === none || v === undefined) continue;
      const id = v & idMask;
      const st = stamp[id];
      if (eids[id] === v && st === epoch) {
        stamp[id] = marked;
        work[tail++] = v;
      } else if (eids[id] !== v || st !== marked) {
        store[eid] = none;
        cleared++;
      }
    }
    for (let f = 0; f < listCount; f++) {
      const list = listStores[f]![eid];
      if (list === undefined || list === null) continue;
      const none = listNones[f]!;
      // Keeps live entries in order, dropping dangling ones (a typed array keeps its length, so
      // its tail is filled with `none` instead).
      let w = 0;
      const n = list.length;
      for (let k = 0; k < n; k++) {
        const v: number = list[k]!;
        if (v === none) {
          list[w++] = v;
          continue;
        }
        const id = v & idMask;
        const st = stamp[id];
        if (eids[id] === v && st === epoch) {
          stamp[id] = marked;
          work[tail++] = v;
          list[w++] = v;
        } else if (eids[id] === v && st === marked) {
          list[w++] = v;
        } else {
          cleared++;
        }
      }
      truncate(list, w, none);
    }
    if (hasEdges) {
      const id = eid & idMask;
      if (edgeStamp[id] === epoch) {
        for (let e = edgeHead[id]!; e !== 0; e = edgeNext[e]!) {
          const v = edgeTo[e]!;
          const t = v & idMask;
          if (stamp[t] === epoch && eids[t] === v) {
            stamp[t] = marked;
            work[tail++] = v;
          }
        }
      }
    }
  }
  return { reached: tail, cleared };
}

/**
 * Shortens a list to its first `length` entries: a plain array by its length, a typed array (which
 * cannot shrink) by filling the rest with `none`.
 */
function truncate(list: IdColumn, length: number, none: number): void {
  if (length >= list.length) return;
  if (Array.isArray(list)) list.length = length;
  else (list as Float64Array).fill(none, length);
}

/** Resets the declared fields of removed entities, so a recycled id starts with no references. */
function clearRemovedFields(fields: Fields, doomed: Uint32Array, count: number): void {
  for (let f = 0; f < fields.stores.length; f++) {
    const store = fields.stores[f]!;
    const none = fields.nones[f]!;
    const length = store.length;
    for (let k = 0; k < count; k++) {
      const d = doomed[k]!;
      // A plain array would grow (with holes) if written past its end.
      if (d < length) store[d] = none;
    }
  }
  for (let f = 0; f < fields.lists.length; f++) {
    const lists = fields.lists[f]!;
    const none = fields.listNones[f]!;
    for (let k = 0; k < count; k++) {
      const list = lists[doomed[k]!];
      if (list !== undefined && list !== null) truncate(list, 0, none);
    }
  }
}

/**
 * Clears every entry of `fields` in the entities `live[0, count)` that does not name a live entity
 * (`eids[id] === v` and `stamp[id] === liveStamp`). Returns the entries cleared.
 */
function clearDangling(
  s: BridgeState,
  fields: Fields,
  live: Uint32Array,
  count: number,
  idMask: number,
  liveStamp: number,
): number {
  const stamp = s.stamp;
  const eids = s.eids;
  let cleared = 0;
  for (let f = 0; f < fields.stores.length; f++) {
    const store = fields.stores[f]!;
    const none = fields.nones[f]!;
    for (let i = 0; i < count; i++) {
      const eid = live[i]!;
      const v = store[eid];
      if (v === none || v === undefined) continue;
      const id = v & idMask;
      if (eids[id] !== v || stamp[id] !== liveStamp) {
        store[eid] = none;
        cleared++;
      }
    }
  }
  for (let f = 0; f < fields.lists.length; f++) {
    const lists = fields.lists[f]!;
    const none = fields.listNones[f]!;
    for (let i = 0; i < count; i++) {
      const list = lists[live[i]!];
      if (list === undefined || list === null) continue;
      let w = 0;
      const n = list.length;
      for (let k = 0; k < n; k++) {
        const v: number = list[k]!;
        const id = v & idMask;
        if (v === none || (eids[id] === v && stamp[id] === liveStamp)) list[w++] = v;
        else cleared++;
      }
      truncate(list, w, none);
    }
  }
  return cleared;
}

/**
 * The slow path, taken only when removing garbage changed more than the garbage (bitECS cascades
 * through an undeclared `autoRemoveSubject` relation, or user callbacks ran `removeEntity` or
 * `addEntity`): re-stamps liveness from the world and clears every declared field of every live
 * entity that names a dead one. Returns [reached entities that died, entries cleared].
 */
function recheck(s: BridgeState, ctx: WorldContext, reached: number, idMask: number, epoch: number): [number, number] {
  const marked = epoch + 1;
  let cascaded = 0;
  for (let k = 0; k < reached; k++) {
    const eid = s.work[k]!;
    if (!ctx.entityComponents.has(eid)) cascaded++;
    s.stamp[eid & idMask] = 0;
  }
  const alive = listEntities(s, ctx);
  // Read after `listEntities`, which may replace them.
  const stamp = s.stamp;
  const eids = s.eids;
  const live = s.entities;
  for (let i = 0; i < alive; i++) {
    const eid = live[i]!;
    stamp[eid & idMask] = marked;
    eids[eid & idMask] = eid;
  }
  const cleared = clearDangling(s, s.strong, live, alive, idMask, marked) +
    clearDangling(s, s.weak, live, alive, idMask, marked);
  return [cascaded, cleared];
}

/** One full, stop-the-world collection. */
export function collectWorld(s: BridgeState): BitecsCollection {
  const t0 = performance.now();
  const ctx = contextOf(s.world, "the collector's world");
  syncIndex(s, ctx.entityIndex);
  const index = ctx.entityIndex;
  const idMask = idMaskOf(index);
  const alive = listEntities(s, ctx);
  const epoch = nextEpoch(s);

  const { reached, cleared: clearedWhileMarking } = mark(s, ctx, alive, idMask, epoch);

  // Gather the unreached before removing any: removal reorders bitECS's dense list.
  const entities = s.entities;
  const stamp = s.stamp;
  const doomed = s.doomed;
  const marked = epoch + 1;
  let count = 0;
  for (let i = 0; i < alive; i++) {
    const eid = entities[i]!;
    if (stamp[eid & idMask] !== marked) doomed[count++] = eid;
  }
  for (let k = 0; k < count; k++) removeEntity(s.world, doomed[k]!);
  clearRemovedFields(s.strong, doomed, count);
  clearRemovedFields(s.weak, doomed, count);

  let cascaded = 0;
  let cleared = clearedWhileMarking;
  // Removing exactly the unreached leaves exactly the reached alive. Anything else means bitECS (an
  // undeclared autoRemoveSubject relation) or a callback removed or added entities, and liveness
  // must be read again from bitECS.
  if (ctx.entityIndex !== index || ctx.entityComponents.size !== reached) {
    syncIndex(s, ctx.entityIndex);
    const [died, clearedAfter] = recheck(s, ctx, reached, idMaskOf(ctx.entityIndex), epoch);
    cascaded = died;
    cleared += clearedAfter;
  } else if (s.weak.stores.length + s.weak.lists.length > 0) {
    // The reached entities are exactly the live ones: clear their weak fields naming the removed.
    cleared += clearDangling(s, s.weak, s.work, reached, idMask, marked);
  }
  return {
    freed: count + cascaded,
    live: ctx.entityComponents.size,
    cleared,
    cascaded,
    ms: performance.now() - t0,
  };
}

// ---- the facade ----------------------------------------------------------------------------------

/**
 * Garbage collection for one bitECS world. Make one with {@link createCollector}.
 *
 * Roots are the entities passed to `root`, the entities with a root component, and prefabs.
 * `collect()` removes, with bitECS's `removeEntity`, every live entity no root reaches through the
 * declared fields and relations, and clears declared fields that named entities which are gone.
 */
export class Collector {
  readonly #s: BridgeState;

  constructor(world: World, options?: CollectorOptions) {
    this.#s = makeBridgeState(world, options);
  }

  /** The world this collector collects. */
  get world(): World {
    return this.#s.world;
  }

  /**
   * Makes a live entity a root until `unroot`, or until it is removed (by the game, or by
   * bitECS; the entity that later reuses its id is not a root). Rooting a root again does
   * nothing. Throws `TypeError`/`RangeError` for anything but a live entity of this world.
   */
  root(eid: number): void {
    addRoot(this.#s, eid);
  }

  /** Stops rooting an entity; false when it was not a root. Throws only for a malformed id. */
  unroot(eid: number): boolean {
    return removeRoot(this.#s, eid);
  }

  /** Whether `eid` is an explicit root (`root(eid)`), and still the entity that was rooted. Never throws. */
  isRoot(eid: number): boolean {
    if (typeof eid !== 'number' || !Number.isInteger(eid) || eid < 0 || eid > MAX_EID) return false;
    const s = this.#s;
    const ctx = (s.world as { [$internal]?: WorldContext })[$internal];
    if (ctx === undefined || ctx.entityIndex !== s.index) return false;
    return rootPlace(s, ctx, eid) >= 0;
  }

  /** The explicit roots (root components and prefabs are not listed), in no particular order. */
  roots(): number[] {
    return listRoots(this.#s);
  }

  /**
   * Removes every live entity that no root reaches, with bitECS's `removeEntity`, and sets every
   * declared field that named a removed (or otherwise dead) entity to its "no entity" value.
   * Stop-the-world: see the module documentation for why there is no incremental mode.
   */
  collect(): BitecsCollection {
    return collectWorld(this.#s);
  }
}

/**
 * Garbage collection for an existing bitECS 0.4 world:
 *
 * ```ts
 * const gc = createCollector(world, { refs: [Parent.eid, Target.eid], roots: [Player] });
 * gc.root(camera);
 * const { freed, live } = gc.collect(); // e.g. once per level, or every few seconds
 * ```
 *
 * Throws `TypeError`/`RangeError` naming the bad value for a non-world, a store that is not an
 * array, a "no entity" value the store cannot hold, or an unknown option, and builds nothing.
 */
export function createCollector(world: World, options?: CollectorOptions): Collector {
  return new Collector(world, options);
}
