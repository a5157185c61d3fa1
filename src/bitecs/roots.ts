/**
 * The bitECS bridge's explicit roots (`collector.root(eid)`): an unordered list of full ids with a
 * per-index slot for O(1) lookup, and per root the component set bitECS made for that entity, which
 * tells one lifetime of a recycled id from the next even without versioning.
 */
import type { WorldContext } from 'bitecs';
import { growU32 } from '../core/columns.ts';
import { checkEid, contextOf } from './options.ts';
import { type BridgeState, idMaskOf, syncIndex } from './state.ts';

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
export function dropRootAt(s: BridgeState, place: number, idMask: number): void {
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
