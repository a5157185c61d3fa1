/**
 * Clearing declared fields: entries that name a removed entity, and the fields of removed entities
 * themselves (so a recycled id starts with no references).
 */
import type { Fields, IdColumn } from './options.ts';
import type { BridgeState } from './state.ts';

/**
 * Shortens a list to its first `length` entries: a plain array by its length, a typed array (which
 * cannot shrink) by filling the rest with `none`.
 */
export function truncate(list: IdColumn, length: number, none: number): void {
  if (length >= list.length) return;
  if (Array.isArray(list)) list.length = length;
  else (list as Float64Array).fill(none, length);
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
      const list = lists[doomed[k]!];
      if (list !== undefined && list !== null) truncate(list, 0, none);
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
