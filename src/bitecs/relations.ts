/**
 * Declared relations as edges: each collection gathers the pairs of the declared relations into
 * linked lists in typed arrays (see `BridgeState.edgeHead`), which the marker follows like fields.
 */
import { getRelationTargets, query, Wildcard } from 'bitecs';
import { growU32 } from '../core/columns.ts';
import { SUBJECT_TO_TARGET, TARGET_TO_SUBJECT } from './options.ts';
import type { BridgeState } from './state.ts';

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
export function gatherRelationEdges(s: BridgeState, idMask: number, epoch: number): void {
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
