/**
 * The bitECS bridge's state: every column and counter of one collector, as plain data the loops
 * read into locals, and the helpers that size and fill them for a collection.
 *
 * Liveness and marks share one `Uint32Array` of stamps indexed by entity index (the id without its
 * version bits), with an epoch that advances by 2 per collection, so no pass ever clears it:
 *   stamp[id] <  epoch      not live in this collection,
 *   stamp[id] == epoch      live, not reached yet,
 *   stamp[id] == epoch + 1  live and reached.
 * `eids[id]` holds the full id (version bits included) of the live entity at that index, so a
 * stored id is an edge only when it equals it exactly: a stale version, a fraction, a negative
 * number or NaN never is.
 */
import type { Relation, World, WorldContext } from 'bitecs';
import { growU32 } from '../core/columns.ts';
import { type CollectorOptions, type Fields, MAX_EID, readOptions } from './options.ts';

/** bitECS's entity index (its type is not exported by name). */
export type EntityIndex = WorldContext['entityIndex'];

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
  /**
   * The marker's queue; afterwards, the reached entities in the order they were reached, the
   * prefabs first (`work[0, prefabCount)`).
   */
  work: Uint32Array;
  /** How many live prefabs this collection found (they open `work`). */
  prefabCount: number;
  /** Unreached live entities, gathered before any is removed (removal reorders bitECS's dense list). */
  doomed: Uint32Array;
  /**
   * Dangling entries found while marking, cleared once marking is done (see fields.ts): the field's
   * code (its place times 4, plus WEAK_FIELD and LIST_FIELD) and the entity holding the entry.
   */
  pendingCode: Uint32Array;
  pendingEid: Uint32Array;
  pendingCount: number;

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

/** Validates the options (see `readOptions`) and builds the state; throws before building anything. */
export function makeBridgeState(world: World, options: CollectorOptions | undefined): BridgeState {
  const declared = readOptions(world, options);
  return {
    world,
    index: declared.index,
    strong: declared.strong,
    weak: declared.weak,
    rootComponents: declared.rootComponents,
    relations: declared.relations,
    relationModes: declared.relationModes,
    epoch: 0,
    stamp: new Uint32Array(64),
    eids: new Uint32Array(64),
    entities: new Uint32Array(64),
    work: new Uint32Array(64),
    prefabCount: 0,
    doomed: new Uint32Array(64),
    pendingCode: new Uint32Array(16),
    pendingEid: new Uint32Array(16),
    pendingCount: 0,
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

/**
 * The mask that takes an id to its entity index. Without versioning bitECS ids are the indices
 * themselves; the mask only keeps a malformed value (2^31 and up) from indexing past the columns,
 * and the exact `eids[id] === value` check rejects it afterwards.
 */
export function idMaskOf(index: EntityIndex): number {
  return index.versioning ? index.entityMask : 0x7fff_ffff;
}

/** Drops the explicit roots when the world's entity index was replaced (`resetWorld`). */
export function syncIndex(s: BridgeState, index: EntityIndex): void {
  if (index === s.index) return;
  s.index = index;
  s.rootCount = 0;
  s.rootTokens.length = 0;
}

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
export function listEntities(s: BridgeState, ctx: WorldContext): number {
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
export function nextEpoch(s: BridgeState): number {
  let epoch = s.epoch + 2;
  if (epoch + 1 > MAX_EID) {
    s.stamp.fill(0);
    s.edgeStamp.fill(0);
    epoch = 2;
  }
  s.epoch = epoch;
  return epoch;
}
