/**
 * Forging snapshots as an attacker would: read the header JSON, edit it, and re-sign the bytes with
 * the exported checksum, so restore sees a well-framed snapshot whose header lies.
 */
import { checksum } from '../src/io/snapshot.ts';

/** A snapshot header, loosely typed: tests edit any field of it. */
export interface ForgedHeader {
  options: Record<string, unknown>;
  scalars: Record<string, unknown>;
  pacer: Record<string, unknown>;
  components: Record<string, unknown>[];
  queries: Record<string, unknown>[];
  finalizers: unknown[];
  sections: { name: string; type: string; capacity: unknown; used: unknown }[];
}

export function headerOf(bytes: Uint8Array): ForgedHeader {
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true);
  return JSON.parse(new TextDecoder().decode(bytes.subarray(24, 24 + length)));
}

/** The section entry named `name` (throws when there is none, so a test cannot edit nothing). */
export function sectionOf(header: ForgedHeader, name: string): ForgedHeader['sections'][number] {
  const section = header.sections.find((s) => s.name === name);
  if (section === undefined) throw new Error(`no section '${name}'`);
  return section;
}

/** Rebuilds a snapshot around a different header (an object, or JSON text), with a valid checksum. */
export function resign(bytes: Uint8Array, header: ForgedHeader | string): Uint8Array {
  const json = typeof header === 'string' ? header : JSON.stringify(header);
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const oldJsonLength = view.getUint32(12, true);
  const newJson = new TextEncoder().encode(json);
  const oldStart = (24 + oldJsonLength + 7) & ~7;
  const newStart = (24 + newJson.length + 7) & ~7;
  const out = new Uint8Array(newStart + bytes.length - oldStart);
  out.set(bytes.subarray(0, 24));
  out.set(newJson, 24);
  out.set(bytes.subarray(oldStart), newStart);
  const outView = new DataView(out.buffer);
  outView.setUint32(12, newJson.length, true);
  outView.setUint32(20, out.length, true);
  outView.setUint32(16, checksum(out.subarray(24), outView.getUint32(8, true)), true);
  return out;
}

/** `bytes` (changed in place) relabelled as format `version`, signed with that version's checksum. */
export function withVersion(bytes: Uint8Array, version: number): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  view.setUint32(8, version, true);
  view.setUint32(16, checksum(bytes.subarray(24), version), true);
  return bytes;
}

/** Edits a copy of the header and re-signs. */
export function forgeHeader(bytes: Uint8Array, edit: (header: ForgedHeader) => void): Uint8Array {
  const header = headerOf(bytes);
  edit(header);
  return resign(bytes, header);
}

const WIDTH: Record<string, number> = { u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4, f32: 4, f64: 8 };

/** Each section's data (its used elements' bytes), by name, as the header's section table lays them out. */
export function sectionData(bytes: Uint8Array): Map<string, Uint8Array> {
  const header = headerOf(bytes);
  const data = new Map<string, Uint8Array>();
  let at = (24 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true) + 7) & ~7;
  for (const s of header.sections) {
    const length = Number(s.used) * WIDTH[s.type]!;
    data.set(s.name, bytes.slice(at, at + length));
    at = (at + length + 7) & ~7;
  }
  return data;
}

/** A signed snapshot of `header` and the sections' data (in the header's order), framed like `like`. */
export function assemble(like: Uint8Array, header: ForgedHeader, data: Map<string, Uint8Array>): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  let length = (24 + json.length + 7) & ~7;
  for (const s of header.sections) length = (length + data.get(s.name)!.length + 7) & ~7;
  const out = new Uint8Array(length);
  out.set(like.subarray(0, 12));
  out.set(json, 24);
  let at = (24 + json.length + 7) & ~7;
  for (const s of header.sections) {
    out.set(data.get(s.name)!, at);
    at = (at + data.get(s.name)!.length + 7) & ~7;
  }
  const view = new DataView(out.buffer);
  view.setUint32(12, json.length, true);
  view.setUint32(20, out.length, true);
  view.setUint32(16, checksum(out.subarray(24), view.getUint32(8, true)), true);
  return out;
}

/**
 * A snapshot of format 13 or later laid out as format 12 wrote the same heap: one free queue (the
 * class queues chained in class order through `next`, `freeHead` and `freeTail` in the scalars)
 * and no `freeHeads`, `freeTails` or `pageClass` sections; signed as format 12.
 */
export function asFormat12(bytes: Uint8Array): Uint8Array {
  const header = headerOf(bytes);
  const data = sectionData(bytes);
  const words = (name: string): DataView => {
    const section = data.get(name)!;
    return new DataView(section.buffer, section.byteOffset, section.byteLength);
  };
  const [heads, tails, next] = [words('freeHeads'), words('freeTails'), words('next')];
  let head = 0;
  let tail = 0;
  for (let queue = 0; queue < heads.byteLength / 4; queue++) {
    const first = heads.getUint32(queue * 4, true);
    if (first === 0) continue;
    if (tail === 0) head = first;
    else next.setUint32(tail * 4, first, true);
    tail = tails.getUint32(queue * 4, true);
  }
  header.sections = header.sections.filter((s) => !['freeHeads', 'freeTails', 'pageClass'].includes(String(s.name)));
  header.scalars = { ...header.scalars, freeHead: head, freeTail: tail };
  return withVersion(assemble(bytes, header, data), 12);
}
