/**
 * Relation pairs that bitECS leaves behind on prefabs.
 *
 * When an entity is removed, bitECS's `removeEntity` finds the pairs naming it through a query
 * (`Wildcard(eid)`), and queries never return prefabs. So a prefab keeps `Rel(eid)` (and its
 * bookkeeping pair `Wildcard(eid)`) after `eid` is gone; once bitECS hands the id to a new entity,
 * the prefab's relation names that entity, and every new `IsA` instance of the prefab copies it.
 * The collector removes such pairs with bitECS's own `removeComponent`, as `removeEntity` would
 * have, after each collection: whether the collector removed the target or the game did.
 *
 * A prefab is a root, so unlike `removeEntity` this never removes the prefab itself (for an
 * `autoRemoveSubject` relation) and does not call `onTargetRemoved`.
 */
import { removeComponent, Wildcard, type WorldContext } from 'bitecs';
import { IS_PAIR, PAIR_TARGET, type PairComponent, RELATION } from './relations.ts';
import type { BridgeState } from './state.ts';

/**
 * Removes from every live prefab (`work[0, prefabCount)`) the pairs whose target is not a live
 * entity of the world. Returns how many of the game's relation pairs it removed (bookkeeping pairs
 * `Wildcard(eid)` are removed too, uncounted).
 */
export function clearPrefabPairs(s: BridgeState, ctx: WorldContext): number {
  const live = ctx.entityComponents;
  let cleared = 0;
  let stale: PairComponent[] | undefined;
  for (let p = 0; p < s.prefabCount; p++) {
    const prefab = s.work[p]!;
    const components = live.get(prefab) as Set<PairComponent> | undefined;
    if (components === undefined) continue; // removed meanwhile (by a callback)
    // Gathered first: each removal changes the set being read.
    if (stale !== undefined) stale.length = 0;
    for (const component of components) {
      if (component[IS_PAIR] !== true) continue;
      const target = component[PAIR_TARGET];
      if (typeof target !== 'number' || live.has(target)) continue;
      (stale ??= []).push(component);
    }
    if (stale === undefined) continue;
    for (const component of stale) {
      // Removing `Rel(t)` also removes `Wildcard(t)`; a pair removed already is skipped.
      if (!components.has(component)) continue;
      if (component[RELATION] !== Wildcard) cleared++; // `Wildcard(t)` is bitECS's bookkeeping
      removeComponent(s.world, prefab, component);
    }
  }
  return cleared;
}
