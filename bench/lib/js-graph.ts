/** The standard graphs as JavaScript objects, for the engine's own GC and allocator. */
import { type Graph, SLOTS } from './graphs.ts';

export interface JsNode {
  c0: object | null;
  c1: object | null;
  c2: object | null;
  c3: object | null;
}

/** The graph as JavaScript objects, all of them: `nodes[i]` is object i (1-based; `nodes[0]` is unused). */
export function buildJsNodes(g: Graph): JsNode[] {
  const nodes: JsNode[] = new Array(g.n + 1);
  for (let i = 1; i <= g.n; i++) nodes[i] = { c0: null, c1: null, c2: null, c3: null };
  const e = g.edges;
  for (let i = 1; i <= g.n; i++) {
    const o = nodes[i]!;
    const b = SLOTS * (i - 1);
    o.c0 = e[b] === 0 ? null : nodes[e[b]!]!;
    o.c1 = e[b + 1] === 0 ? null : nodes[e[b + 1]!]!;
    o.c2 = e[b + 2] === 0 ? null : nodes[e[b + 2]!]!;
    o.c3 = e[b + 3] === 0 ? null : nodes[e[b + 3]!]!;
  }
  return nodes;
}

/** The graph as JavaScript objects; returns only the roots, so the rest is reachable through them. */
export function buildJsGraph(g: Graph): JsNode[] {
  const nodes = buildJsNodes(g);
  return Array.from(g.roots, (r) => nodes[r]!);
}

/** Stores into slot `k` (0..3) of a JavaScript node, as `heap.set(node, k, value)` does for a heap object. */
export function setJsSlot(node: JsNode, k: number, value: object | null): void {
  if (k === 0) node.c0 = value;
  else if (k === 1) node.c1 = value;
  else if (k === 2) node.c2 = value;
  else node.c3 = value;
}
