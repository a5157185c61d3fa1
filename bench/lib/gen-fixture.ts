/**
 * The minor-vs-full fixture shared by the generational and minor-shapes suites: an all-old tree
 * and, per round, young objects in chains whose heads are stored into chosen old leaves (so they
 * are reachable only through dirty cards).
 *
 * How one measured minor does the same work every time. A round first allocates the young objects
 * and stores the chain heads into the same old nodes' slot 0, which overwrites the previous
 * round's heads: the previous round's young objects, which survived one minor (age 1, still young
 * at promoteAfter 2), become garbage. Then `minor()` marks this round's young through the dirty
 * cards (the same cards every round), frees the previous round's young and ages this round's to 1,
 * and cleans the cards (they stay dirty: their old nodes still point at young objects). So every
 * measured minor sees the same nursery (2x young), marks the same young set through the same dirty
 * cards and frees the same number. Only the collection is timed: the allocation and the stores
 * before it are untimed setup (`Staged`). The `collect()` side runs the same rounds on an
 * identical heap: each `collect()` marks the old nodes and this round's young, frees the previous
 * round's (promoted by the previous `collect()`) and sweeps every index.
 */
import { type Heap, type HeapOptions, NULL, type Ref, type RefArray } from '../../mod.ts';
import { firstLeaf, makeGraph, prng } from './graphs.ts';
import { buildHeap, handlesOf } from './heaps.ts';
import type { Staged } from './paired.ts';

/** Where the old nodes that point at young objects sit among the tree's leaves. */
export type Layout = 'random' | 'spread' | 'clustered';

/**
 * `d` distinct leaves: uniformly random (seeded), evenly spread (each in its own card while the
 * spacing is at least the card size), or the first `d` leaves side by side (d / cardSize cards).
 */
export function ownerNodes(n: number, d: number, layout: Layout): Uint32Array {
  const first = firstLeaf(n);
  const leaves = n - first;
  if (d > leaves) throw new Error(`gen-fixture: ${d} owners do not fit in ${leaves} leaves`);
  const out = new Uint32Array(d);
  if (layout === 'spread') {
    for (let k = 0; k < d; k++) out[k] = first + Math.floor((k * leaves) / d);
  } else if (layout === 'clustered') {
    for (let k = 0; k < d; k++) out[k] = first + k;
  } else {
    const rand = prng(0x01d ^ n ^ d);
    const taken = new Uint8Array(leaves);
    for (let k = 0; k < d;) {
      const leaf = Math.floor(rand() * leaves);
      if (taken[leaf] === 1) continue;
      taken[leaf] = 1;
      out[k++] = first + leaf;
    }
  }
  return out;
}

export interface GenFixture {
  heap: Heap;
  /** The untimed part of a round: allocate the young chains and link their heads into the owners. */
  round: () => void;
  /** Dirty cards the minor scans (counted after warm-up rounds). */
  dirtyCards: number;
}

/**
 * An all-old tree of `n` nodes and, per round, `young` young 2-slot objects in `owners.length`
 * chains (slot 0: a random old node, slot 1: the next young object of the chain), each chain's
 * head stored in slot 0 of its owner. Every young object is reachable only through an owner, so a
 * minor finds them through the dirty cards. Identical for identical arguments.
 */
export function genFixture(n: number, owners: Uint32Array, young: number, options: HeapOptions = {}): GenFixture {
  const heap = buildHeap(makeGraph('tree', n), { initialCapacity: n + 2 * young + 1, ...options });
  heap.collect();
  const world = handlesOf(heap, n);
  const d = owners.length;
  const ownerRefs = Float64Array.from(owners, (node) => world[node]!) as RefArray;
  const chain = young / d;
  if (!Number.isInteger(chain)) throw new Error(`gen-fixture: ${young} young objects do not split into ${d} chains`);
  const rand = prng(0x9e4 ^ n ^ d);
  const picks = new Uint32Array(young);
  for (let j = 0; j < young; j++) picks[j] = Math.floor(rand() * n);
  const round = () => {
    let j = 0;
    for (let k = 0; k < d; k++) {
      let head: Ref = NULL;
      for (let c = 0; c < chain; c++) {
        const o = heap.alloc(2);
        heap.set(o, 0, world[picks[j++]!]!);
        if (head !== NULL) heap.set(o, 1, head);
        head = o;
      }
      heap.set(ownerRefs[k]!, 0, head);
    }
  };
  return { heap, round, dirtyCards: 0 };
}

/**
 * Brings a fixture to the steady state both `minor()` and `collect()` repeat (three rounds) and
 * checks that the collector does the work the comments above promise.
 */
export function steady(fx: GenFixture, young: number, kind: 'minor' | 'collect'): GenFixture {
  for (let r = 0; r < 3; r++) {
    fx.round();
    fx.dirtyCards = fx.heap.stats().dirtyCards;
    const info = kind === 'minor' ? fx.heap.minor() : fx.heap.collect();
    if (r > 0 && info.freed !== young) {
      throw new Error(`gen-fixture: ${kind}() freed ${info.freed}, expected the previous round's ${young}`);
    }
    if (kind === 'minor' && fx.heap.stats().young !== young) {
      throw new Error(`gen-fixture: ${fx.heap.stats().young} young after minor(), expected ${young}`);
    }
  }
  return fx;
}

export function minorStaged(name: string, fx: GenFixture): Staged {
  return { name, setup: fx.round, fn: () => fx.heap.minor() };
}

export function collectStaged(name: string, fx: GenFixture): Staged {
  return { name, setup: fx.round, fn: () => fx.heap.collect() };
}
