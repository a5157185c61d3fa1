/**
 * The bitECS bridge: stop-the-world garbage collection for an existing bitECS 0.4 world.
 *
 * The game declares which component fields hold entity ids (SoA arrays indexed by entity id), which
 * relations are edges, and which entities are roots. `collect()` marks every live entity the roots
 * reach through those edges, removes every other live entity with bitECS's own `removeEntity`, and
 * clears each declared field that named an entity which is gone, so no dangling id is left behind.
 *
 * What it cannot see: a plain write to a typed array runs no barrier, so the bridge cannot know
 * what changed between two collections. It offers only full, stop-the-world `collect()`; the
 * incremental and minor collections need the heap's own component stores.
 *
 * The parts: options.ts (the declarations and their validation), state.ts (the columns), roots.ts
 * (explicit roots), relations.ts (relation pairs as edges), mark.ts (the marker), fields.ts
 * (clearing fields), prefabs.ts (pairs bitECS leaves on prefabs); this file puts a collection
 * together and is the public facade.
 */
import { $internal, commitRemovals, removeEntity, type World, type WorldContext } from 'bitecs';
import { clearDangling, clearPending, clearRemovedFields, scanWeak } from './fields.ts';
import { mark } from './mark.ts';
import { clearPrefabPairs } from './prefabs.ts';
import { type CollectorOptions, contextOf, MAX_EID } from './options.ts';
import { addRoot, listRoots, removeRoot, rootPlace } from './roots.ts';
import { type BridgeState, idMaskOf, listEntities, makeBridgeState, nextEpoch, syncIndex } from './state.ts';

/** What one `collect()` did. */
export interface BitecsCollection {
  /** Entities removed, including those bitECS removed on its own while the collector removed them. */
  freed: number;
  /** Entities live afterwards. */
  live: number;
  /**
   * Field entries of live entities that named an entity which is gone (removed by the game, or a
   * weak field's target removed now), now set to the "no entity" value or dropped from their list;
   * and relation pairs on prefabs whose target is gone, now removed (bitECS's `removeEntity` skips
   * prefabs, so it leaves them).
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

/**
 * The slow path, taken only when removing garbage changed more than the garbage (bitECS cascades
 * through an undeclared `autoRemoveSubject` relation, or user callbacks ran `removeEntity` or
 * `addEntity`): re-stamps liveness from the world and clears every declared field of every live
 * entity that names a dead one. Returns [reached entities that died, entries cleared].
 */
function recheck(s: BridgeState, ctx: WorldContext, reached: number, idMask: number, epoch: number): [number, number] {
  const marked = epoch + 1;
  // Reached entities removed all the same are removed entities too: their fields are reset, as the
  // garbage's were, so a recycled id starts with no references. (`doomed` is free again: the
  // garbage's fields were reset from it already.)
  const died = s.doomed;
  let cascaded = 0;
  for (let k = 0; k < reached; k++) {
    const eid = s.work[k]!;
    if (!ctx.entityComponents.has(eid)) died[cascaded++] = eid;
    s.stamp[eid & idMask] = 0;
  }
  clearRemovedFields(s.strong, died, cascaded);
  clearRemovedFields(s.weak, died, cascaded);
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

/**
 * Whether every entity of the world is one the marking reached (`stamp` at `marked`, with the same
 * id: a recycled index holds another). Called with as many entities alive as were reached, so then
 * the live ones are exactly the reached. O(live) typed-array reads over the world's entities as
 * `listEntities` lists them.
 */
function onlyReachedAlive(s: BridgeState, ctx: WorldContext, idMask: number, marked: number): boolean {
  const alive = listEntities(s, ctx);
  // Read after `listEntities`, which may replace them.
  const stamp = s.stamp;
  const eids = s.eids;
  const live = s.entities;
  for (let i = 0; i < alive; i++) {
    const eid = live[i]!;
    if (stamp[eid & idMask] !== marked || eids[eid & idMask] !== eid) return false;
  }
  return true;
}

/** One full, stop-the-world collection. */
export function collectWorld(s: BridgeState): BitecsCollection {
  const t0 = performance.now();
  const ctx = contextOf(s.world, "the collector's world");
  // bitECS drops removed entities from its queries lazily (any query() call commits). An entry
  // left pending while the id goes to a new entity makes a later removeEntity visit that entity
  // as if it were the old one; the collector starts and ends with every removal committed.
  commitRemovals(s.world);
  syncIndex(s, ctx.entityIndex);
  const index = ctx.entityIndex;
  const idMask = idMaskOf(index);
  const alive = listEntities(s, ctx);
  const epoch = nextEpoch(s);

  // Marking and the weak scan only read the stores, and throw for an entry that is no id: until
  // they are done, nothing in the world or its stores has changed.
  const reached = mark(s, ctx, alive, idMask, epoch);
  const marked = epoch + 1;
  // Weak fields of the reached naming the unreached: those are about to go.
  if (s.weak.stores.length + s.weak.lists.length > 0) scanWeak(s, reached, idMask, marked);
  let cleared = clearPending(s, idMask, marked);

  // Gather the unreached before removing any: removal reorders bitECS's dense list.
  const entities = s.entities;
  const stamp = s.stamp;
  const doomed = s.doomed;
  let count = 0;
  for (let i = 0; i < alive; i++) {
    const eid = entities[i]!;
    if (stamp[eid & idMask] !== marked) doomed[count++] = eid;
  }
  for (let k = 0; k < count; k++) removeEntity(s.world, doomed[k]!);
  clearRemovedFields(s.strong, doomed, count);
  clearRemovedFields(s.weak, doomed, count);
  // Pairs on prefabs naming removed entities (bitECS's removeEntity skips prefabs).
  if (s.prefabCount > 0) cleared += clearPrefabPairs(s, ctx);

  let cascaded = 0;
  // Removing exactly the unreached leaves exactly the reached alive. Anything else means bitECS (an
  // undeclared autoRemoveSubject relation) or a callback removed or added entities, and liveness
  // must be read again from bitECS. The count alone does not tell: a callback may remove a reached
  // entity and add another.
  if (
    ctx.entityIndex !== index || ctx.entityComponents.size !== reached ||
    !onlyReachedAlive(s, ctx, idMask, marked)
  ) {
    syncIndex(s, ctx.entityIndex);
    const [died, clearedAfter] = recheck(s, ctx, reached, idMaskOf(ctx.entityIndex), epoch);
    cascaded = died;
    cleared += clearedAfter;
  }
  commitRemovals(s.world);
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
   * Removes every live entity that no root reaches, with bitECS's `removeEntity`, sets every
   * declared field that named a removed (or otherwise dead) entity to its "no entity" value, and
   * removes the relation pairs on prefabs that name one. Stop-the-world: see the module
   * documentation for why there is no incremental mode. Throws a `TypeError`/`RangeError` naming the
   * field, entity and value when a store it reads holds something that is not an entity id (a list
   * in a single-id field, a single id in a `many` field, a fraction, a string), and then has
   * changed nothing.
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
 * Throws `TypeError`/`RangeError` naming the bad value, and builds nothing, for a non-world; a store
 * that is not an integer typed array or an array of integers (lists only with `many: true`), or
 * that holds anything else; a store declared twice; a "no entity" value the store cannot hold; an
 * unknown option; and no root components without `allowNoRoots: true`.
 */
export function createCollector(world: World, options?: CollectorOptions): Collector {
  return new Collector(world, options);
}
