/**
 * `collect`: a full `heap.collect()` of a heap whose objects are all reachable (so the same heap
 * can be collected again and again), on the standard tree and random graphs at 10^4..10^6 objects,
 * against three anchors built from the same edge list in the same process:
 *
 * - limit: a minimal mark (explicit `Uint32Array` stack, `Uint8Array` colors, the same 4-slot edge
 *   layout) plus the sweep's scan over the colors; the fastest this work can be done in JS;
 * - engine GC: the runtime's own full collection (`gc()` in Node and Deno, `Bun.gc(true)` in Bun)
 *   of the same graph built as JavaScript objects `{c0, c1, c2, c3}`;
 * - naive: an object-per-entity mark-sweep in TypeScript (entity objects with `marked` and a
 *   `children` array, an explicit array stack, sweep by filtering the entity list).
 */
import { bench, group, summary } from 'mitata';
import { Heap, type HeapOptions, type Ref } from '../mod.ts';
import {
  type Ctx,
  type Graph,
  type GraphKind,
  makeGraph,
  measure,
  ms,
  p50,
  type Paired,
  paired,
  pow10,
  ratio,
  SLOTS,
  type SuiteReport,
  type Table,
  type Target,
} from './common.ts';

// ---- ecs-heap --------------------------------------------------------------------------------

/** The graph as an ecs-heap: object i is allocated i-th (so its index is i), roots pinned. */
export function buildHeap(g: Graph, options: HeapOptions = { initialCapacity: g.n }): Heap {
  const heap = new Heap(options);
  const refs = new Float64Array(g.n + 1);
  for (let i = 1; i <= g.n; i++) refs[i] = heap.alloc(SLOTS);
  const edges = g.edges;
  for (let i = 1; i <= g.n; i++) {
    const ref = refs[i] as Ref;
    const base = SLOTS * (i - 1);
    for (let k = 0; k < SLOTS; k++) {
      const t = edges[base + k]!;
      if (t !== 0) heap.set(ref, k, refs[t] as Ref);
    }
  }
  for (const r of g.roots) heap.pin(refs[r] as Ref);
  return heap;
}

/**
 * Runs every path of a full collection once, as any long-running program soon does: mark-stack
 * growth (a random graph's depth-first stack outgrows the initial 256 entries), freeing, and a
 * deep tree. Suites call this before measuring so that no number depends on which benchmark
 * happened to run first: in Bun, the first mark-stack growth alone leaves every later
 * collection in the process 1.6-1.9x slower (measured 2026-11-22; see the bench report).
 */
export function exerciseCollector(): void {
  const random = buildHeap(makeGraph('random', 1e4));
  const tree = buildHeap(makeGraph('tree', 1e4));
  for (let r = 0; r < 20; r++) {
    random.collect();
    tree.collect();
  }
}

// ---- the limit -------------------------------------------------------------------------------

/** State of the hand-written collector: the same arrays the heap keeps, nothing else. */
interface LimitHeap {
  edges: Uint32Array;
  color: Uint8Array;
  stack: Uint32Array;
  roots: Uint32Array;
  n: number;
  mark: number;
}

export function buildLimit(g: Graph): LimitHeap {
  // Every object starts live with color 1, as heap.alloc leaves it; 0 means free.
  const color = new Uint8Array(g.n + 1).fill(1);
  color[0] = 0;
  return { edges: g.edges, color, stack: new Uint32Array(g.n + 1), roots: g.roots, n: g.n, mark: 1 };
}

/** Mark from the roots, then scan every color to free the unmarked: returns how many were freed. */
export function limitCollect(h: LimitHeap): number {
  const edges = h.edges;
  const color = h.color;
  const stack = h.stack;
  const roots = h.roots;
  const mark = (h.mark = 3 - h.mark);
  let sp = 0;
  for (let r = 0; r < roots.length; r++) {
    const root = roots[r]!;
    if (color[root] !== mark) {
      color[root] = mark;
      stack[sp++] = root;
    }
  }
  while (sp > 0) {
    const obj = stack[--sp]!;
    const base = SLOTS * (obj - 1);
    for (let k = base; k < base + SLOTS; k++) {
      const t = edges[k]!;
      if (t !== 0 && color[t] !== mark) {
        color[t] = mark;
        stack[sp++] = t;
      }
    }
  }
  let freed = 0;
  for (let i = 1, n = h.n; i <= n; i++) {
    const c = color[i]!;
    if (c !== mark && c !== 0) {
      color[i] = 0;
      freed++;
    }
  }
  return freed;
}

// ---- JavaScript objects for the engine's GC --------------------------------------------------

export interface JsNode {
  c0: JsNode | null;
  c1: JsNode | null;
  c2: JsNode | null;
  c3: JsNode | null;
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

// ---- naive object-per-entity mark-sweep ------------------------------------------------------

class Entity {
  marked = false;
  children: Entity[] = [];
}

interface NaiveWorld {
  entities: Entity[];
  roots: Entity[];
  stack: Entity[];
}

function buildNaive(g: Graph): NaiveWorld {
  const entities: Entity[] = [];
  for (let i = 0; i < g.n; i++) entities.push(new Entity());
  const e = g.edges;
  for (let i = 0; i < g.n; i++) {
    const children = entities[i]!.children;
    for (let k = 0; k < SLOTS; k++) {
      const t = e[SLOTS * i + k]!;
      if (t !== 0) children.push(entities[t - 1]!);
    }
  }
  return { entities, roots: Array.from(g.roots, (r) => entities[r - 1]!), stack: [] };
}

function naiveCollect(w: NaiveWorld): number {
  const stack = w.stack;
  for (const root of w.roots) {
    if (!root.marked) {
      root.marked = true;
      stack.push(root);
    }
  }
  while (stack.length > 0) {
    const e = stack.pop()!;
    const children = e.children;
    for (let k = 0; k < children.length; k++) {
      const c = children[k]!;
      if (!c.marked) {
        c.marked = true;
        stack.push(c);
      }
    }
  }
  const before = w.entities.length;
  w.entities = w.entities.filter((e) => {
    if (!e.marked) return false;
    e.marked = false;
    return true;
  });
  return before - w.entities.length;
}

// ---- the suite -------------------------------------------------------------------------------

const name = (what: string, kind: GraphKind, n: number) => `${what} ${kind} ${pow10(n)}`;

export async function collectSuite(ctx: Ctx): Promise<SuiteReport> {
  const sizes = ctx.quick ? [1e4, 1e5] : [1e4, 1e5, 1e6];
  const kinds: GraphKind[] = ['tree', 'random'];
  const notes: string[] = [];
  const gc = ctx.fullGc;
  if (gc === null) {
    notes.push(
      `${ctx.gcName} is not exposed in this process (run Node with --expose-gc, Deno with --v8-flags=--expose-gc): ` +
        'the engine-GC anchor is skipped.',
    );
    ctx.log(`[bench] collect: ${notes[notes.length - 1]}`);
  }

  exerciseCollector();
  const stats = await measure(ctx, `collect (${ctx.runtime})`, () => {
    if (gc !== null) {
      // The fixed cost of one engine GC in this process with no graph built: subtract it mentally.
      bench(`${ctx.gcName} with no graph`, () => gc());
    }
    for (const kind of kinds) {
      for (const n of sizes) {
        group(`${kind} graph, ${pow10(n)} objects, 4 slots each`, () => {
          summary(() => {
            // Each benchmark builds its own copy of the graph in its setup (before `yield`) and drops
            // it afterwards, so only one graph is alive while the engine's GC is timed.
            bench(name('ecs-heap', kind, n), function* () {
              const heap = buildHeap(makeGraph(kind, n));
              const first = heap.collect();
              if (kind === 'tree' && first.freed !== 0) throw new Error('tree: collect freed reachable objects');
              yield () => heap.collect().live;
            }).baseline(true);
            bench(name('limit', kind, n), function* () {
              const h = buildLimit(makeGraph(kind, n));
              limitCollect(h);
              yield () => limitCollect(h);
            });
            bench(name('naive', kind, n), function* () {
              const w = buildNaive(makeGraph(kind, n));
              naiveCollect(w);
              yield () => naiveCollect(w);
            });
            if (gc !== null) {
              bench(name('engine-gc', kind, n), function* () {
                const roots = buildJsGraph(makeGraph(kind, n));
                gc();
                // The closure holds the roots, so the graph stays alive while it is timed. (Not
                // do_not_optimize(roots): mitata keeps its last argument in a global, which would
                // keep this graph alive through the next benchmarks' engine GCs.)
                yield () => {
                  gc();
                  return roots;
                };
              });
            }
          });
        });
      }
    }
  });

  // ---- paired ratios -------------------------------------------------------------------------
  // ecs-heap and the limit again, alternating call by call on the same graph, so load from other
  // processes hits both sides of the ratio alike (see `paired`). The engine's GC is not paired in:
  // a gc() between the calls would evict the heap from the caches and time something else (cold
  // collections), so engine/ecs-heap stays a ratio of mitata medians, both taken warm.
  const pairs = new Map<string, Paired>();
  for (const kind of kinds) {
    for (const n of sizes) {
      ctx.log(`[bench] collect: paired ratio, ${kind} ${pow10(n)}`);
      const g = makeGraph(kind, n);
      const heap = buildHeap(g);
      heap.collect();
      const limitHeap = buildLimit(g);
      limitCollect(limitHeap);
      pairs.set(
        `${kind} ${n}`,
        paired([
          { name: 'ecs-heap', fn: () => heap.collect() },
          { name: 'limit', fn: () => limitCollect(limitHeap) },
        ], ctx.quick ? 1000 : 2000),
      );
    }
  }

  // ---- ratios --------------------------------------------------------------------------------
  const gcEmpty = gc === null ? NaN : p50(stats, `${ctx.gcName} with no graph`);
  const rows: string[][] = [];
  const targets: Target[] = [];
  const derived: Record<string, unknown>[] = [];
  for (const kind of kinds) {
    for (const n of sizes) {
      const ecs = p50(stats, name('ecs-heap', kind, n));
      const limit = p50(stats, name('limit', kind, n));
      const naive = p50(stats, name('naive', kind, n));
      const engine = gc === null ? NaN : p50(stats, name('engine-gc', kind, n));
      const pair = pairs.get(`${kind} ${n}`)!;
      // The paired ratio is time(limit) / time(ecs-heap) per round.
      const ecsOverLimit = 1 / pair.ratios[1]!;
      const engineOverEcs = engine / ecs;
      rows.push([
        kind,
        pow10(n),
        ms(ecs),
        (ecs / n).toFixed(1),
        ms(limit),
        ratio(ecsOverLimit),
        gc === null ? 'n/a' : ms(engine),
        gc === null ? 'n/a' : ratio(engineOverEcs),
        ms(naive),
        ratio(naive / ecs),
      ]);
      derived.push({
        kind,
        n,
        ecsHeapNs: ecs,
        limitNs: limit,
        engineGcNs: engine,
        naiveNs: naive,
        ecsOverLimitOfMedians: ecs / limit,
        engineGcOverEcs: engineOverEcs,
        naiveOverEcs: naive / ecs,
        paired: { rounds: pair.rounds, names: pair.names, medianNs: pair.medians, timeOverEcsHeap: pair.ratios },
        ecsOverLimitPaired: ecsOverLimit,
      });
      if (kind === 'tree' && n === 1e6) {
        targets.push({
          name: `collect 10^6 tree (${ctx.runtime}): ecs-heap / limit (paired)`,
          goal: '<= 1.5',
          value: ecsOverLimit,
          met: ecsOverLimit <= 1.5,
        });
        if (gc !== null) {
          targets.push({
            name: `collect 10^6 tree (${ctx.runtime}): ${ctx.gcName} / ecs-heap`,
            goal: '>= 3',
            value: engineOverEcs,
            met: engineOverEcs >= 3,
          });
        }
      }
    }
  }
  if (gc !== null) {
    notes.push(
      `${ctx.gcName} with no graph built takes ${ms(gcEmpty)} ms in this process; the engine-GC column includes it.`,
    );
  }
  notes.push(
    'Times (ms, ns/object) are mitata medians per collection, taken back to back (caches warm). ' +
      'ecs-heap/limit is a paired ratio: the median over rounds that call both in turn on the same graph, ' +
      'steadier than a ratio of medians on a busy machine; 1x is the limit, lower is better. ' +
      'engine/ecs-heap and naive/ecs-heap are ratios of medians: how many times faster ecs-heap is. ' +
      'Every collector path, mark-stack growth included, ran once before measuring (see exerciseCollector).',
  );
  const table: Table = {
    title: `collect: full collection of an all-reachable heap (${ctx.runtime} ${ctx.runtimeVersion})`,
    columns: [
      'graph',
      'objects',
      'ecs-heap ms',
      'ns/object',
      'limit ms',
      'ecs-heap/limit',
      `${ctx.gcName} ms`,
      'engine/ecs-heap',
      'naive ms',
      'naive/ecs-heap',
    ],
    rows,
  };
  return {
    suite: 'collect',
    runtime: ctx.runtime,
    tables: [table],
    targets,
    notes,
    data: { stats: Object.fromEntries(stats), engineGcEmptyNs: gcEmpty, ratios: derived },
  };
}
