/**
 * The splay suite's floors: the top-down splay of bench/splay.bench.ts as minimal loops over
 * typed arrays laid out as a heap lays out its objects (docs/design.md, "Data layout"): a node's
 * keys in a column by index, its two child slots in the slot pool at `base[index]`. Run on a
 * heap's own columns they do exactly the hops `targetAt` and `setAt` do, with none of the
 * library's calls; run on a copy whose indices are dense (the tree's nodes numbered 1..n), they say
 * what the same layout costs when a tree's nodes sit together rather than among their payloads.
 *
 * `checked`: each read and store tests what `targetAt` and `setAt` test (index in range with a
 * readable or live color, slot below the slot count, an odd slot's owner no ephemeron, the read
 * barrier's dead target, the write barrier's young target), reading the same header columns; else
 * only the key column, `base` and the pool are read. The tree's nodes must be old and no cycle
 * running (the floor stores old->old edges with no barrier, which then needs none): a young target
 * or a failed check throws.
 */

/** The arrays and masks one floor splays over; fields replaced once after it is made (see `makeSplayFloor`). */
export interface SplayFloor {
  keys: Float64Array;
  base: Uint32Array;
  slots: Uint32Array;
  color: Uint8Array;
  size: Uint32Array;
  flags: Uint8Array;
  /** One past the highest index in use: the checks' bound. */
  top: number;
  readMask: number;
  liveMask: number;
  deadColors: number;
  /** The `flags` bits of an ephemeron (odd slots are values) and of a young object. */
  ephemeron: number;
  young: number;
  checked: boolean;
  /** The pinned holder whose slot 0 is the root, and the scratch header node (two slots). */
  holder: number;
  header: number;
}

/**
 * A floor over `parts`. The state is an object made empty and then filled, as the churn floor's
 * (bench/lib/churn.ts, `floorState`): V8 at times compiled a floor whose arrays a closure held
 * with those arrays as constants, which no library function serving any heap can be.
 */
export function makeSplayFloor(parts: SplayFloor): SplayFloor {
  const empty = new Uint32Array(0);
  const floor: SplayFloor = {
    keys: new Float64Array(0),
    base: empty,
    slots: empty,
    color: new Uint8Array(0),
    size: empty,
    flags: new Uint8Array(0),
    top: 0,
    readMask: 0,
    liveMask: 0,
    deadColors: 0,
    ephemeron: 0,
    young: 0,
    checked: false,
    holder: 0,
    header: 0,
  };
  return Object.assign(floor, parts);
}

const LEFT = 0;
const RIGHT = 1;

/** The target in slot `slot` of node `index` (0 for none), as `targetAt` reads it. */
function readSlot(f: SplayFloor, index: number, slot: number): number {
  if (f.checked) {
    const color = f.color;
    if (
      !(index > 0 && index < f.top && (color[index]! & f.readMask) !== 0 && slot < f.size[index]! &&
        ((slot & 1) === 0 || (f.flags[index]! & f.ephemeron) === 0))
    ) {
      throw new RangeError(`splay floor: index ${index} slot ${slot} fails the read check`);
    }
    const target = f.slots[f.base[index]! + slot]!;
    return target === 0 || (color[target]! & f.deadColors) !== 0 ? 0 : target;
  }
  return f.slots[f.base[index]! + slot]!;
}

/** Stores node `target` (0 for none) in slot `slot` of node `index`, as `setAt` does for old nodes. */
function writeSlot(f: SplayFloor, index: number, slot: number, target: number): void {
  if (f.checked) {
    const color = f.color;
    const top = f.top;
    if (
      !(index > 0 && index < top && (color[index]! & f.liveMask) !== 0 && slot < f.size[index]! &&
        (f.flags[index]! & f.ephemeron) === 0 &&
        (target === 0 || (target < top && (color[target]! & f.liveMask) !== 0)))
    ) {
      throw new RangeError(`splay floor: index ${index} slot ${slot} target ${target} fails the store check`);
    }
    // The write barrier's first test; the floor's tree is old, so it never passes.
    if ((f.flags[target]! & f.young) !== 0) throw new Error(`splay floor: target ${target} is young`);
  }
  f.slots[f.base[index]! + slot] = target;
}

/** Brings the node with `key`, or the last node on its search path, to the root (HeapSplay.splay's steps). */
export function floorSplay(f: SplayFloor, key: number): void {
  let current = readSlot(f, f.holder, 0);
  if (current === 0) return;
  const keys = f.keys;
  const header = f.header;
  writeSlot(f, header, LEFT, 0);
  writeSlot(f, header, RIGHT, 0);
  let left = header;
  let right = header;
  for (;;) {
    const ck = keys[current]!;
    if (key < ck) {
      let next = readSlot(f, current, LEFT);
      if (next === 0) break;
      if (key < keys[next]!) {
        writeSlot(f, current, LEFT, readSlot(f, next, RIGHT)); // rotate right
        writeSlot(f, next, RIGHT, current);
        current = next;
        next = readSlot(f, current, LEFT);
        if (next === 0) break;
      }
      writeSlot(f, right, LEFT, current); // link right
      right = current;
      current = next;
    } else if (key > ck) {
      let next = readSlot(f, current, RIGHT);
      if (next === 0) break;
      if (key > keys[next]!) {
        writeSlot(f, current, RIGHT, readSlot(f, next, LEFT)); // rotate left
        writeSlot(f, next, LEFT, current);
        current = next;
        next = readSlot(f, current, RIGHT);
        if (next === 0) break;
      }
      writeSlot(f, left, RIGHT, current); // link left
      left = current;
      current = next;
    } else {
      break;
    }
  }
  writeSlot(f, left, RIGHT, readSlot(f, current, LEFT)); // assemble
  writeSlot(f, right, LEFT, readSlot(f, current, RIGHT));
  writeSlot(f, current, LEFT, readSlot(f, header, RIGHT));
  writeSlot(f, current, RIGHT, readSlot(f, header, LEFT));
  writeSlot(f, f.holder, 0, current);
}

/** Splays each of `keys` in turn (one timed block of a contender). */
export function floorSplays(f: SplayFloor, keys: Float64Array): void {
  for (let k = 0; k < keys.length; k++) floorSplay(f, keys[k]!);
}

/** The tree's keys in order, walked without recursion (a check that two trees agree). */
export function floorKeysInOrder(f: SplayFloor): number[] {
  const out: number[] = [];
  const stack: number[] = [];
  let node = f.slots[f.base[f.holder]!]!;
  while (node !== 0 || stack.length > 0) {
    while (node !== 0) {
      stack.push(node);
      node = f.slots[f.base[node]! + LEFT]!;
    }
    node = stack.pop()!;
    out.push(f.keys[node]!);
    node = f.slots[f.base[node]! + RIGHT]!;
  }
  return out;
}

/**
 * A floor over a dense copy of the tree `f` holds: its nodes numbered 1..n in the order of their
 * indices in `f` (as the heap placed them, without the indices between), holder n + 1 and header
 * n + 2, each with its two slots at 2 * index and its header fields copied from `f` (so `checked`
 * tests the same values, in columns n + 3 long).
 */
export function denseSplayFloor(f: SplayFloor, checked: boolean): SplayFloor {
  const nodes: number[] = [];
  const root = f.slots[f.base[f.holder]!]!;
  const stack = root === 0 ? [] : [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    nodes.push(node);
    for (const slot of [LEFT, RIGHT]) {
      const child = f.slots[f.base[node]! + slot]!;
      if (child !== 0) stack.push(child);
    }
  }
  nodes.sort((a, b) => a - b);
  const renumber = new Map<number, number>();
  nodes.forEach((node, at) => renumber.set(node, at + 1));
  const n = nodes.length;
  const holder = n + 1;
  const header = n + 2;
  const length = n + 3;
  const keys = new Float64Array(length);
  const base = new Uint32Array(length);
  const slots = new Uint32Array(2 * length);
  const color = new Uint8Array(length);
  const size = new Uint32Array(length);
  const flags = new Uint8Array(length);
  const from = [0, ...nodes, f.holder, f.header];
  for (let i = 1; i < length; i++) {
    const was = from[i]!;
    base[i] = 2 * i;
    keys[i] = f.keys[was]!;
    color[i] = f.color[was]!;
    size[i] = f.size[was]!;
    flags[i] = f.flags[was]!;
    for (const slot of [LEFT, RIGHT]) {
      if (slot >= size[i]!) continue;
      const child = f.slots[f.base[was]! + slot]!;
      slots[2 * i + slot] = child === 0 ? 0 : renumber.get(child)!;
    }
  }
  return makeSplayFloor({ ...f, keys, base, slots, color, size, flags, top: length, checked, holder, header });
}
