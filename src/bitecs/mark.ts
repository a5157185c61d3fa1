/**
 * The bitECS bridge's marker: from the roots (explicit roots, root components' members and
 * prefabs) through the declared strong fields, lists and relation edges. Its worklist is a queue,
 * not a stack: every entity is appended once and never overwritten, so when marking ends it lists
 * exactly the reached entities.
 */
import { Prefab, query, type WorldContext } from 'bitecs';
import { badList, danglingListEntry, LIST_FIELD, pending, pendingList } from './fields.ts';
import { isIdList } from './options.ts';
import { gatherRelationEdges } from './relations.ts';
import { dropRootAt } from './roots.ts';
import type { BridgeState } from './state.ts';

/**
 * Marks from the roots; returns how many entities were reached (they fill `work[0, count)`). A
 * declared strong field of a reached entity that holds an id which is not live (the game removed
 * that entity itself, or it was never one) is recorded as pending, for `clearPending` once marking
 * is done; an entry that is not an id at all throws, and then no store has changed.
 */
export function mark(
  s: BridgeState,
  ctx: WorldContext,
  alive: number,
  idMask: number,
  epoch: number,
): number {
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
  // The queue is never overwritten, so `work[0, prefabCount)` lists the prefabs until the next collection.
  s.prefabCount = tail;

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

  if (s.relations.length > 0) gatherRelationEdges(s, ctx, idMask, epoch);
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
  s.pendingCount = 0;

  // Breadth-first: `head` chases `tail`; each entity is appended once, when it takes the mark.
  // Fields are only read: an entry naming no live entity is recorded (`pending`), which throws
  // instead for a value that is no id at all, before any store has changed.
  let head = 0;
  while (head < tail) {
    const eid = work[head++]!;
    for (let f = 0; f < refCount; f++) {
      const v = refStores[f]![eid];
      if (v === refNones[f] || v === undefined) continue;
      // A typed array's entry is always a number; a plain array's may be anything.
      if (typeof v === 'number') {
        const id = v & idMask;
        if (eids[id] === v) {
          const st = stamp[id];
          if (st === epoch) {
            stamp[id] = marked;
            work[tail++] = v;
            continue;
          }
          if (st === marked) continue;
        }
      }
      pending(s, v, f << 2, eid);
    }
    for (let f = 0; f < listCount; f++) {
      const list = listStores[f]![eid];
      if (list === undefined || list === null) continue;
      // A single id, an object, or a list `createCollector` refuses (a float array, an array-like) is
      // not a list of ids, wherever the game stored it.
      if (!isIdList(list)) badList(s, list, (f << 2) | LIST_FIELD, eid);
      const n = list.length;
      const none = listNones[f]!;
      let dangling = false;
      for (let k = 0; k < n; k++) {
        const v: unknown = list[k];
        if (v === none) continue;
        if (typeof v === 'number') {
          const id = v & idMask;
          if (eids[id] === v) {
            const st = stamp[id];
            if (st === epoch) {
              stamp[id] = marked;
              work[tail++] = v;
              continue;
            }
            if (st === marked) continue;
          }
        }
        danglingListEntry(s, v, (f << 2) | LIST_FIELD, eid, k);
        dangling = true;
      }
      if (dangling) pendingList(s, (f << 2) | LIST_FIELD, eid);
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
  return tail;
}
