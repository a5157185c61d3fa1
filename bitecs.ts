/**
 * ecs-heap/bitecs: garbage collection for an existing bitECS 0.4 world. Declare the component
 * fields that hold entity ids and the roots; `collect()` removes every entity the roots do not
 * reach, with bitECS's own `removeEntity`, and clears the fields that named removed entities.
 *
 * ```ts
 * import { createCollector } from 'ecs-heap/bitecs';
 *
 * const gc = createCollector(world, {
 *   refs: [Parent.eid, { store: Children.list, many: true }, { store: Target.eid, weak: true }],
 *   roots: [Player, Level],
 * });
 * gc.root(camera);
 * const { freed, live, cleared } = gc.collect();
 * ```
 *
 * Id stores are integer typed arrays (`Uint32Array` holds every id) or arrays of integers; a field
 * holding a list per entity is declared `{ store, many: true }`. Both are checked as `collect()`
 * reads them. A collector with no root components must say so: `allowNoRoots: true`. Prefabs are
 * roots, their relation pairs are traced, and pairs bitECS leaves on them naming removed entities
 * are removed.
 *
 * What it cannot see:
 * - writes: a store is a plain array, so no write barrier runs. Every `collect()` marks everything
 *   reachable, stop-the-world; incremental and minor collections need the heap's own components.
 * - references it was not told about: undeclared fields, relations, JavaScript variables, maps.
 *   Whatever only they reach is removed.
 * - an id the game removed by hand and bitECS recycled before the next `collect()`: a field still
 *   holding it names the new entity, and without versioning nobody can tell.
 * - a store array the game replaced (to grow it): the collector keeps the array it was given.
 *
 * `mod.ts` does not load this module, so the heap does not depend on bitECS.
 *
 * @module
 */
export { type BitecsCollection, Collector, createCollector } from './src/bitecs/collector.ts';
export {
  type CollectorOptions,
  type IdColumn,
  type IdLists,
  type RefField,
  type RelationEdge,
  type RelationEdges,
} from './src/bitecs/options.ts';
