/**
 * The standard graphs of DESIGN.md's performance protocol as plain edge lists, seeded so every
 * runtime builds the same graph. Every representation a suite builds (an ecs-heap, JavaScript
 * objects, the limit loops' arrays, naive entities) comes from one of these.
 */

/** A small, fast, seeded PRNG (mulberry32): the same seed makes the same graph in every runtime. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type GraphKind = 'tree' | 'random';

export const SLOTS = 4;

/**
 * A standard graph of `n` objects with 4 slots each, as one `Uint32Array` of `4n` edges: object
 * `i` (1-based, as heap indices are) has its slots at `4(i-1) .. 4(i-1)+3`, each holding a target
 * object number (1-based) or 0 for NULL.
 *
 * - tree: node i (0-based) has children 4i+1 .. 4i+4, allocated after it; one root.
 * - random: every slot a uniform random target (seeded); eight roots spread over the indices, so
 *   nearly everything is reachable (only objects nothing points at, about e^-4 = 1.8%, are not).
 */
export interface Graph {
  kind: GraphKind;
  n: number;
  edges: Uint32Array;
  /** Root objects, 1-based. */
  roots: Uint32Array;
}

export function makeGraph(kind: GraphKind, n: number, seed = 0x5eed): Graph {
  const edges = new Uint32Array(SLOTS * n);
  let roots: Uint32Array;
  if (kind === 'tree') {
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < SLOTS; k++) {
        const child = SLOTS * i + k + 1;
        edges[SLOTS * i + k] = child < n ? child + 1 : 0;
      }
    }
    roots = Uint32Array.of(1);
  } else {
    const rand = prng(seed ^ n);
    for (let e = 0; e < edges.length; e++) edges[e] = 1 + Math.floor(rand() * n);
    roots = new Uint32Array(8);
    for (let r = 0; r < roots.length; r++) roots[r] = 1 + Math.floor((r * n) / roots.length);
  }
  return { kind, n, edges, roots };
}

/** In a tree of `n` nodes (0-based), the first leaf: nodes from here on have no children. */
export function firstLeaf(n: number): number {
  return Math.ceil((n - 1) / SLOTS);
}
