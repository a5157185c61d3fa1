/**
 * Declared relations as edges: each collection gathers the pairs of the declared relations into
 * linked lists in typed arrays (see `BridgeState.edgeHead`), which the marker follows like fields.
 *
 * bitECS's queries never return prefabs (`registerQuery` and `addComponent` skip them), so the
 * query for a relation's subjects misses every pair whose subject is a prefab. Those pairs are read
 * from the prefabs' own component sets instead.
 */
import { getRelationTargets, query, Wildcard, type WorldContext } from 'bitecs';
import { growU32 } from '../core/columns.ts';
import { SUBJECT_TO_TARGET, TARGET_TO_SUBJECT } from './options.ts';
import type { BridgeState } from './state.ts';

// bitECS's own keys on a pair component (global symbols, the same in every copy of bitECS; not
// exported by name). A pair `Rel(target)` has IS_PAIR true, RELATION `Rel` and PAIR_TARGET `target`.
export const IS_PAIR = Symbol.for('bitecs-isPairComponent');
export const RELATION = Symbol.for('bitecs-relation');
export const PAIR_TARGET = Symbol.for('bitecs-pairTarget');

/** A component as bitECS keeps it, read only for its pair keys. */
export interface PairComponent {
  [IS_PAIR]?: boolean;
  [RELATION]?: unknown;
  [PAIR_TARGET]?: unknown;
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

/**
 * Gathers this collection's relation pairs as edges: the subjects bitECS's query returns, and the
 * prefabs (`work[0, prefabCount)`, which the query skips). A prefab that is also in the query
 * (it became a prefab after joining it) gives its edges twice, which marks nothing twice.
 */
export function gatherRelationEdges(s: BridgeState, ctx: WorldContext, idMask: number, epoch: number): void {
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
  for (let p = 0; p < s.prefabCount; p++) {
    const prefab = s.work[p]!;
    const components = ctx.entityComponents.get(prefab) as Set<PairComponent> | undefined;
    if (components === undefined) continue;
    for (const component of components) {
      if (component[IS_PAIR] !== true) continue;
      const target = component[PAIR_TARGET];
      // Non-numeric targets are bitECS's bookkeeping (`Rel(Wildcard)`) or not entities.
      if (typeof target !== 'number') continue;
      // deno-lint-ignore no-explicit-any
      const r = s.relations.indexOf(component[RELATION] as any);
      if (r < 0) continue;
      const mode = s.relationModes[r]!;
      if ((mode & SUBJECT_TO_TARGET) !== 0) addEdge(s, prefab, target, idMask, epoch);
      if ((mode & TARGET_TO_SUBJECT) !== 0) addEdge(s, target, prefab, idMask, epoch);
    }
  }
}
