/**
 * Clearing declared fields: entries that name a removed entity, and the fields of removed entities
 * themselves (so a recycled id starts with no references).
 *
 * Marking only reads: an entry found dangling is recorded as pending (field and entity) and cleared
 * once marking and the weak scan are done, so that a store found holding something that is not an
 * id (which throws) leaves every store as it was. Dangling entries are rare, so the record is short
 * and clearing costs no second pass over the reached entities.
 */
import { growU32 } from '../core/columns.ts';
import { entryError, type Fields, type IdColumn, type IdLists, isIdList, listError } from './options.ts';
import type { BridgeState } from './state.ts';

// A pending entry's field code: the field's place in its `Fields`, times 4, plus these bits.
export const WEAK_FIELD = 2;
export const LIST_FIELD = 1;

/**
 * Shortens a list to its first `length` entries: a plain array by its length, a typed array (which
 * cannot shrink) by filling the rest with `none`.
 */
export function truncate(list: IdColumn, length: number, none: number): void {
  if (length >= list.length) return;
  if (Array.isArray(list)) list.length = length;
  else list.fill(none, length);
}

function fieldsOf(s: BridgeState, code: number): Fields {
  return (code & WEAK_FIELD) !== 0 ? s.weak : s.strong;
}

/**
 * Throws when `value`, read for entity `eid` from the field `code` (at list `index`, or -1), is not
 * an entity id at all (see `entryError`); nothing has been changed yet when it does.
 */
function checkEntry(s: BridgeState, value: unknown, code: number, eid: number, index: number): void {
  const f = code >>> 2;
  const fields = fieldsOf(s, code);
  const list = (code & LIST_FIELD) !== 0;
  const what = list ? fields.listLabels[f]! : fields.labels[f]!;
  const where = index < 0 ? `for entity ${eid}` : `for entity ${eid} at list index ${index}`;
  const error = entryError(value, what, where, list);
  if (error === undefined) return;
  error.message += '; collect() changed nothing';
  throw error;
}

/**
 * Records a dangling entry of a single-id field: `value`, read for entity `eid` from the field
 * `code`, names no live entity. Throws instead when it is not an entity id at all. Off the hot
 * path: only dangling or malformed entries get here.
 */
export function pending(s: BridgeState, value: unknown, code: number, eid: number): void {
  checkEntry(s, value, code, eid, -1);
  push(s, code, eid);
}

/**
 * Checks a dangling entry of a list (throws when it is not an entity id); the caller records the
 * list once with `pendingList`, however many of its entries dangle.
 */
export function danglingListEntry(s: BridgeState, value: unknown, code: number, eid: number, index: number): void {
  checkEntry(s, value, code, eid, index);
}

/** Records a list with dangling entries. */
export function pendingList(s: BridgeState, code: number, eid: number): void {
  push(s, code, eid);
}

/**
 * Throws for a 'many' field holding something that is not a list (a single id, an object, a float
 * array): `list` is neither undefined nor null, and `isIdList` refused it, so `listError` has an error.
 */
export function badList(s: BridgeState, list: unknown, code: number, eid: number): never {
  const error = listError(list, fieldsOf(s, code).listLabels[code >>> 2]!, eid)!;
  error.message += '; collect() changed nothing';
  throw error;
}

function push(s: BridgeState, code: number, eid: number): void {
  const n = s.pendingCount;
  if (n === s.pendingCode.length) {
    s.pendingCode = growU32(s.pendingCode, n * 2);
    s.pendingEid = growU32(s.pendingEid, n * 2);
  }
  s.pendingCode[n] = code;
  s.pendingEid[n] = eid;
  s.pendingCount = n + 1;
}

/**
 * Reads the weak fields of the reached entities `work[0, reached)` before anything is removed:
 * an entry is dangling when it names no reached entity (what is not reached is about to go).
 * Records them as pending, or throws for an entry that is not an id.
 */
export function scanWeak(s: BridgeState, reached: number, idMask: number, marked: number): void {
  const stamp = s.stamp;
  const eids = s.eids;
  const work = s.work;
  const { stores, nones, lists, listNones } = s.weak;
  for (let f = 0; f < stores.length; f++) {
    const store = stores[f]!;
    const none = nones[f]!;
    const code = (f << 2) | WEAK_FIELD;
    for (let i = 0; i < reached; i++) {
      const eid = work[i]!;
      const v = store[eid];
      if (v === none || v === undefined) continue;
      if (typeof v === 'number' && eids[v & idMask] === v && stamp[v & idMask] === marked) continue;
      pending(s, v, code, eid);
    }
  }
  for (let f = 0; f < lists.length; f++) {
    const store: IdLists = lists[f]!;
    const none = listNones[f]!;
    const code = (f << 2) | WEAK_FIELD | LIST_FIELD;
    for (let i = 0; i < reached; i++) {
      const eid = work[i]!;
      const list = store[eid];
      if (list === undefined || list === null) continue;
      if (!isIdList(list)) badList(s, list, code, eid);
      const n = list.length;
      let dangling = false;
      for (let k = 0; k < n; k++) {
        const v = list[k];
        if (v === none) continue;
        if (typeof v === 'number' && eids[v & idMask] === v && stamp[v & idMask] === marked) continue;
        danglingListEntry(s, v, code, eid, k);
        dangling = true;
      }
      if (dangling) pendingList(s, code, eid);
    }
  }
}

/**
 * Clears the pending entries, now that marking is done: a single field is set to its "no entity"
 * value; a list keeps its entries that are "no entity" or name a reached entity, in order. Returns
 * the entries cleared.
 */
export function clearPending(s: BridgeState, idMask: number, marked: number): number {
  const stamp = s.stamp;
  const eids = s.eids;
  let cleared = 0;
  for (let p = 0; p < s.pendingCount; p++) {
    const code = s.pendingCode[p]!;
    const eid = s.pendingEid[p]!;
    const fields = fieldsOf(s, code);
    const f = code >>> 2;
    if ((code & LIST_FIELD) === 0) {
      fields.stores[f]![eid] = fields.nones[f]!;
      cleared++;
      continue;
    }
    const list = fields.lists[f]![eid]!;
    const none = fields.listNones[f]!;
    let w = 0;
    const n = list.length;
    for (let k = 0; k < n; k++) {
      const v = list[k]!;
      if (v === none || (eids[v & idMask] === v && stamp[v & idMask] === marked)) list[w++] = v;
    }
    // A list held by two entities is compacted twice; the second time drops nothing.
    cleared += n - w;
    truncate(list, w, none);
  }
  s.pendingCount = 0;
  return cleared;
}

/** Resets the declared fields of removed entities, so a recycled id starts with no references. */
export function clearRemovedFields(fields: Fields, doomed: Uint32Array, count: number): void {
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
      const d = doomed[k]!;
      const list: unknown = lists[d];
      if (list === undefined || list === null) continue;
      // Garbage's lists were never read, so they may be anything: whatever is not a list (which
      // collect() would refuse once the id is reused) is dropped.
      if (isIdList(list)) {
        truncate(list as IdColumn, 0, none);
      } else {
        lists[d] = undefined;
      }
    }
  }
}

/**
 * Clears every entry of `fields` in the entities `live[0, count)` that does not name a live entity
 * (`eids[id] === v` and `stamp[id] === liveStamp`). Returns the entries cleared.
 */
export function clearDangling(
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
      const v: unknown = store[eid];
      if (v === none || v === undefined) continue;
      // The slow path after a cascade: entities a callback added were never checked, so `v` may be
      // anything; what is not a live id is cleared.
      if (typeof v !== 'number' || eids[v & idMask] !== v || stamp[v & idMask] !== liveStamp) {
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
      // Not a list (`isIdList`, the rule `collect()` checks by): nothing to clear. This path runs after
      // the removals, so it cannot refuse what a callback stored, as the marking does.
      if (!isIdList(list)) continue;
      let w = 0;
      const n = list.length;
      for (let k = 0; k < n; k++) {
        const v: unknown = list[k];
        if (v === none || (typeof v === 'number' && eids[v & idMask] === v && stamp[v & idMask] === liveStamp)) {
          list[w++] = v as number;
        } else {
          cleared++;
        }
      }
      truncate(list, w, none);
    }
  }
  return cleared;
}
