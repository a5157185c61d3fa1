/**
 * The binary-trees suite's floor: the program of bench/binary-trees.bench.ts as minimal loops over
 * typed arrays laid out as a heap lays out its objects (docs/design.md, "Data layout"), doing an
 * object's work as the heap's common calls do it and nothing more:
 *
 * - `alloc(2)` (gc/allocate.ts `allocCommon`): an index off the free queue (or the next never
 *   used), a two-slot block off the list of free pairs (its two words cleared) or the pool's top,
 *   the header written (base, size, young flag, nursery link, color), the young count kept, the
 *   handle made (`index + generation * scale`);
 * - `set` (src/heap.ts): the one-condition check of owner and target handles (index in range,
 *   live color, generation, slot below the slot count, no ephemeron), the store, and the write
 *   barrier's first test (a young target in an old owner: never here, so it throws);
 * - `targetAt`: the one-condition check (index in range, readable color, slot in range), the load
 *   and the read barrier (a dead target reads 0);
 * - a minor when the nursery holds `NURSERY` objects after a tree: the pinned long-lived tree
 *   traced while young (as the minor's marking does until it is promoted, after two), every other
 *   young object freed to the queue's tail (generation bumped, header cleared) and its pair
 *   listed.
 *
 * Not done, as the heap does: the pacer's clock and debts, scopes, counters (`live`, `marked`,
 * allocations, slots used), the spent-index and index-class tests, lazily merged slot blocks,
 * remembered sets and cards, the mark stack's bounds, `tick`'s report. So its time against the
 * heap's says what those calls cost over the layout's own work, and against plain JS's what the
 * layout itself costs.
 */

export const FLOOR_MIN_DEPTH = 4;
/** A minor after a tree once this many objects are young (the heap's default `nurserySize`). */
const NURSERY = 8192;
/** Minors a young live object survives before it is promoted (the heap's default `promoteAfter`). */
const PROMOTE_AFTER = 2;
const YOUNG = 1;
const LIVE = 1;
const FREE = 0;

interface BtFloor {
  color: Uint8Array;
  flags: Uint8Array;
  age: Uint8Array;
  generation: Uint32Array;
  size: Uint32Array;
  base: Uint32Array;
  next: Uint32Array;
  slots: Uint32Array;
  pairs: Uint32Array;
  pairCount: number;
  slotTop: number;
  top: number;
  freeHead: number;
  freeTail: number;
  nursery: number;
  young: number;
  indexMask: number;
  indexScale: number;
  /** The long-lived tree's root index, traced by each minor (0: none yet). */
  pinned: number;
  markStack: Uint32Array;
  minors: number;
}

/** A floor with room for the program at `maxDepth`: the stretch tree, then the long-lived tree beside the trees of each depth. */
function makeFloor(maxDepth: number): BtFloor {
  const objects = 2 ** (maxDepth + 2) + 2 ** (maxDepth + 1) + 4 * NURSERY;
  const indexBits = Math.max(22, Math.ceil(Math.log2(objects)));
  return {
    color: new Uint8Array(objects),
    flags: new Uint8Array(objects),
    age: new Uint8Array(objects),
    generation: new Uint32Array(objects),
    size: new Uint32Array(objects),
    base: new Uint32Array(objects),
    next: new Uint32Array(objects),
    slots: new Uint32Array(2 * objects + 1),
    pairs: new Uint32Array(objects),
    pairCount: 0,
    slotTop: 1,
    top: 1,
    freeHead: 0,
    freeTail: 0,
    nursery: 0,
    young: 0,
    // The mask a small integer, the scale a double, read into locals (as bench/lib/churn.ts's floor).
    indexMask: 2 ** indexBits - 1,
    indexScale: 2 ** indexBits,
    pinned: 0,
    markStack: new Uint32Array(objects),
    minors: 0,
  };
}

function alloc2(f: BtFloor): number {
  let i = f.freeHead;
  if (i !== 0) {
    f.freeHead = f.next[i]!;
    if (f.freeHead === 0) f.freeTail = 0;
  } else {
    i = f.top++;
  }
  let start: number;
  if (f.pairCount > 0) {
    start = f.pairs[--f.pairCount]!;
    f.slots[start] = 0;
    f.slots[start + 1] = 0;
  } else {
    start = f.slotTop;
    f.slotTop = start + 2;
  }
  f.base[i] = start;
  f.size[i] = 2;
  f.flags[i] = YOUNG;
  f.age[i] = 0;
  f.next[i] = f.nursery;
  f.nursery = i;
  f.young++;
  f.color[i] = LIVE;
  return i + f.generation[i]! * f.indexScale;
}

function set(f: BtFloor, ref: number, slot: number, target: number): void {
  const { color, generation } = f;
  const indexMask = f.indexMask;
  const indexScale = f.indexScale;
  const top = f.top;
  const i = ref & indexMask;
  const t = target & indexMask;
  if (
    !(i !== 0 && i < top && color[i] === LIVE && ref - i === generation[i]! * indexScale && slot < f.size[i]! &&
      (target === 0 || (t !== 0 && t < top && color[t] === LIVE && target - t === generation[t]! * indexScale)))
  ) {
    throw new RangeError(`binary-trees floor: a store into ${ref} of ${target} fails its check`);
  }
  f.slots[f.base[i]! + slot] = t;
  if ((f.flags[t]! & YOUNG) !== 0 && (f.flags[i]! & YOUNG) === 0) {
    throw new Error('binary-trees floor: an old->young store');
  }
}

function targetAt(f: BtFloor, index: number, slot: number): number {
  const color = f.color;
  if (!(index > 0 && index < f.top && color[index] === LIVE && slot < f.size[index]!)) {
    throw new RangeError(`binary-trees floor: index ${index} fails the read check`);
  }
  const target = f.slots[f.base[index]! + slot]!;
  return target === 0 || color[target] !== LIVE ? 0 : target;
}

function build(f: BtFloor, depth: number): number {
  const node = alloc2(f);
  if (depth > 0) {
    set(f, node, 0, build(f, depth - 1));
    set(f, node, 1, build(f, depth - 1));
  }
  return node;
}

function check(f: BtFloor, node: number): number {
  const left = targetAt(f, node, 0);
  return left === 0 ? 1 : 1 + check(f, left) + check(f, targetAt(f, node, 1));
}

/** Marks the young objects the pinned tree reaches (a bit in `flags`); old ones are not traced. */
function markYoung(f: BtFloor): void {
  const { flags, base, slots, markStack } = f;
  if (f.pinned === 0 || (flags[f.pinned]! & YOUNG) === 0) return;
  let depth = 0;
  markStack[depth++] = f.pinned;
  flags[f.pinned] = flags[f.pinned]! | 2;
  while (depth > 0) {
    const i = markStack[--depth]!;
    for (let k = base[i]!, end = k + 2; k < end; k++) {
      const t = slots[k]!;
      if (t !== 0 && flags[t] === YOUNG) {
        flags[t] = YOUNG | 2;
        markStack[depth++] = t;
      }
    }
  }
}

/** The minor: marked young objects age (promoted after `PROMOTE_AFTER`), the rest are freed to the queue's tail. */
function minor(f: BtFloor): void {
  f.minors++;
  markYoung(f);
  const { flags, age, color, generation, size, base, next, pairs } = f;
  let survivors = 0;
  let young = 0;
  for (let i = f.nursery; i !== 0;) {
    const following = next[i]!;
    if ((flags[i]! & 2) !== 0) {
      if (++age[i]! >= PROMOTE_AFTER) {
        flags[i] = 0;
        next[i] = 0;
      } else {
        flags[i] = YOUNG;
        next[i] = survivors;
        survivors = i;
        young++;
      }
    } else {
      generation[i] = generation[i]! + 1;
      color[i] = FREE;
      flags[i] = 0;
      pairs[f.pairCount++] = base[i]!;
      base[i] = 0;
      size[i] = 0;
      next[i] = 0;
      if (f.freeTail === 0) f.freeHead = i;
      else next[f.freeTail] = i;
      f.freeTail = i;
    }
    i = following;
  }
  f.nursery = survivors;
  f.young = young;
}

function afterTree(f: BtFloor): void {
  if (f.young >= NURSERY) minor(f);
}

/** What a run of the floor did: the program's check values, and the minors, indices and slots it took. */
export interface FloorRun {
  checks: number[];
  minors: number;
  /** One past the highest index used. */
  top: number;
  /** One past the highest slot used. */
  slotTop: number;
}

/** The program at `maxDepth` on a fresh floor: its check values, as the suite's other contenders give them. */
export function runFloor(maxDepth: number): FloorRun {
  const f = makeFloor(maxDepth);
  const checks: number[] = [];
  const stretch = build(f, maxDepth + 1);
  checks.push(check(f, stretch & f.indexMask));
  afterTree(f);
  const longLived = build(f, maxDepth);
  f.pinned = longLived & f.indexMask;
  for (let d = FLOOR_MIN_DEPTH; d <= maxDepth; d += 2) {
    const iterations = 2 ** (maxDepth - d + FLOOR_MIN_DEPTH);
    let sum = 0;
    for (let i = 1; i <= iterations; i++) {
      const t = build(f, d);
      sum += check(f, t & f.indexMask);
      afterTree(f);
    }
    checks.push(iterations, sum);
  }
  checks.push(check(f, f.pinned));
  return { checks, minors: f.minors, top: f.top, slotTop: f.slotTop };
}
