/**
 * `splay`: Octane's splay benchmark, written for ecs-heap from its description (not from its code):
 * a splay tree of 8,000 nodes keyed by random numbers, each node holding a payload tree of depth 5
 * (a binary tree whose 32 leaves each hold a small array and a string naming the key). One step
 * makes 80 modifications, each inserting a node with a fresh random key and a fresh payload, then
 * removing the node with the greatest key below the new one (or the new one when there is none):
 * a random existing node, as the keys are random. Every operation splays (top-down splaying).
 * Old payloads become garbage as their nodes leave: a workload with many long-lived objects and a
 * steady stream of medium-lived ones, which is what Octane used it to measure GC latency with.
 *
 * ecs-heap: a node is a 3-slot object (left, right, payload) with its key in a `Key` component
 * (f64); payload inner nodes are 2-slot objects; a payload leaf is a 0-slot object with a `Leaf`
 * component holding the array (`['u8', 10]`, the values 0..9) and, for the string, the key it
 * names (f64: the string is a function of the key). The tree's root is slot 0 of a pinned holder.
 * The splaying chases and rewires nodes by index (`targetAt`, `setAt`), as a loop over many
 * entities would; payloads are built with handles. `heap.tick(1)` after each step, as a game would
 * call it once a frame.
 *
 * Anchor in the same process: the same tree as plain JavaScript objects (string leaves and all),
 * the same seeded keys, collected by the engine. Both run in blocks of steps that take turns
 * (the order rotating), so load from other processes hits both alike; the throughput ratio is the
 * median over blocks. The engine's GC pauses during the JavaScript blocks come from
 * PerformanceObserver 'gc' entries (Node; n/a where the runtime does not deliver them); its memory
 * is the growth of `heapUsed` after a forced full GC, with the tree alive, over a baseline taken
 * before it was built.
 *
 * Targets (issue 14): throughput >= 0.8x plain JS (stretch 1x); stats().bytes <= 1x the engine's
 * heap for the same tree; tick(1) p99 <= 1.5 ms, max <= 3 ms.
 */
import process from 'node:process';
import { Heap, type Index, NULL, type Ref } from '../mod.ts';
import { GcObserver, gcObserverWorks, type GcPause, heapUsedAfterGc } from './lib/engine.ts';
import { megabytes, msOf, ratio, sig } from './lib/format.ts';
import { warmUpOnce } from './lib/game-loop.ts';
import { prng } from './lib/graphs.ts';
import { isMain, runStandalone } from './lib/output.ts';
import { pairedRounds } from './lib/paired.ts';
import { machineStalls } from './lib/stalls.ts';
import { atLeast, atMost, type Ctx, report, type SuiteReport } from './lib/report.ts';
import { max, percentile, spread, sum } from './lib/stats.ts';

const TREE_SIZE = 8000;
const MODIFICATIONS = 80;
const PAYLOAD_DEPTH = 5;
const SEED = 0x5b1a7;

// ---- plain JavaScript ------------------------------------------------------------------------

interface JsLeaf {
  array: number[];
  string: string;
}
interface JsInner {
  left: JsPayload;
  right: JsPayload;
}
type JsPayload = JsLeaf | JsInner;

function jsPayload(depth: number, tag: string): JsPayload {
  if (depth === 0) return { array: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], string: `String for key ${tag} in leaf node` };
  return { left: jsPayload(depth - 1, tag), right: jsPayload(depth - 1, tag) };
}

class JsNode {
  left: JsNode | null = null;
  right: JsNode | null = null;
  readonly key: number;
  readonly value: JsPayload;
  constructor(key: number, value: JsPayload) {
    this.key = key;
    this.value = value;
  }
}

/** A splay tree of JavaScript objects; top-down splaying with a scratch header node. */
class JsSplayTree {
  root: JsNode | null = null;
  readonly #header = new JsNode(0, { array: [], string: '' });

  /** Brings the node with `key`, or the last node on its search path, to the root. */
  splay(key: number): void {
    let current = this.root;
    if (current === null) return;
    const header = this.#header;
    header.left = header.right = null;
    let left = header; // the left tree's rightmost node (header.right is its root)
    let right = header; // the right tree's leftmost node (header.left is its root)
    for (;;) {
      if (key < current.key) {
        let next: JsNode | null = current.left;
        if (next === null) break;
        if (key < next.key) {
          current.left = next.right; // rotate right
          next.right = current;
          current = next;
          next = current.left;
          if (next === null) break;
        }
        right.left = current; // link right
        right = current;
        current = next;
      } else if (key > current.key) {
        let next: JsNode | null = current.right;
        if (next === null) break;
        if (key > next.key) {
          current.right = next.left; // rotate left
          next.left = current;
          current = next;
          next = current.right;
          if (next === null) break;
        }
        left.right = current; // link left
        left = current;
        current = next;
      } else {
        break;
      }
    }
    left.right = current.left; // assemble
    right.left = current.right;
    current.left = header.right;
    current.right = header.left;
    this.root = current;
  }

  find(key: number): JsNode | null {
    if (this.root === null) return null;
    this.splay(key);
    return this.root!.key === key ? this.root : null;
  }

  insert(key: number, value: JsPayload): void {
    if (this.root === null) {
      this.root = new JsNode(key, value);
      return;
    }
    this.splay(key);
    const root = this.root!;
    if (root.key === key) return;
    const node = new JsNode(key, value);
    if (key > root.key) {
      node.left = root;
      node.right = root.right;
      root.right = null;
    } else {
      node.right = root;
      node.left = root.left;
      root.left = null;
    }
    this.root = node;
  }

  remove(key: number): void {
    this.splay(key);
    const root = this.root;
    if (root === null || root.key !== key) throw new Error(`splay: key ${key} not found`);
    if (root.left === null) {
      this.root = root.right;
    } else {
      const right = root.right;
      this.root = root.left;
      this.splay(key); // every key on the left is smaller: its largest comes up, with no right child
      this.root!.right = right;
    }
  }

  /** The node with the largest key below `key`, or null. */
  findGreatestLessThan(key: number): JsNode | null {
    if (this.root === null) return null;
    this.splay(key);
    const root = this.root!;
    if (root.key < key) return root;
    let current = root.left;
    if (current === null) return null;
    while (current.right !== null) current = current.right;
    return current;
  }
}

export class JsSplay {
  readonly tree = new JsSplayTree();
  readonly #rand = prng(SEED);

  insertNew(): number {
    let key: number;
    do key = this.#rand(); while (this.tree.find(key) !== null);
    this.tree.insert(key, jsPayload(PAYLOAD_DEPTH, String(key)));
    return key;
  }

  step(): void {
    for (let m = 0; m < MODIFICATIONS; m++) {
      const key = this.insertNew();
      const greatest = this.tree.findGreatestLessThan(key);
      this.tree.remove(greatest === null ? key : greatest.key);
    }
  }
}

// ---- ecs-heap --------------------------------------------------------------------------------

const LEFT = 0;
const RIGHT = 1;
const PAYLOAD = 2;
const NO_INDEX = 0 as Index;

/** The same tree on an ecs-heap: nodes are objects (chased by index), keys a component column. */
export class HeapSplay {
  readonly heap: Heap;
  readonly #Key;
  readonly #Leaf;
  readonly #holder: Ref;
  readonly #holderAt: Index;
  readonly #headerAt: Index;
  readonly #rand = prng(SEED);

  constructor(heap: Heap) {
    this.heap = heap;
    this.#Key = heap.defineComponent({ k: 'f64' }, { name: 'Key' });
    this.#Leaf = heap.defineComponent({ values: ['u8', 10], tag: 'f64' }, { name: 'Leaf' });
    this.#holder = heap.alloc(1);
    heap.pin(this.#holder);
    const header = heap.alloc(2);
    heap.pin(header);
    // Pinned for the heap's life: their indices never change hands.
    this.#holderAt = heap.index(this.#holder);
    this.#headerAt = heap.index(header);
  }

  #payload(depth: number, tag: number): Ref {
    const h = this.heap;
    if (depth === 0) {
      const leaf = h.alloc(0);
      h.add(leaf, this.#Leaf);
      const i = h.index(leaf);
      const values = this.#Leaf.values; // read after the alloc: the columns may have grown
      for (let k = 0; k < 10; k++) values[i * 10 + k] = k;
      this.#Leaf.tag[i] = tag;
      return leaf;
    }
    const inner = h.alloc(2);
    h.set(inner, 0, this.#payload(depth - 1, tag));
    h.set(inner, 1, this.#payload(depth - 1, tag));
    return inner;
  }

  #newNode(key: number, payload: Ref): Ref {
    const h = this.heap;
    const node = h.alloc(3);
    h.add(node, this.#Key);
    this.#Key.k[h.index(node)] = key;
    h.set(node, PAYLOAD, payload);
    return node;
  }

  // Pointer chasing holds indices (`targetAt` reads, `setAt` stores): one checked call per hop, no
  // handle made or taken apart. Holding them is safe here: nothing reachable is freed between a
  // read and the stores that use it (no collection runs; an allocation frees only the unreachable).

  /** Brings the node with `key`, or the last node on its search path, to the root. */
  splay(key: number): void {
    const h = this.heap;
    const holder = this.#holderAt;
    let current = h.targetAt(holder, 0);
    if (current === 0) return;
    const keys = this.#Key.k; // no allocation below: the column stays valid
    const header = this.#headerAt;
    h.setAt(header, LEFT, NO_INDEX);
    h.setAt(header, RIGHT, NO_INDEX);
    let left = header;
    let right = header;
    for (;;) {
      const ck = keys[current]!;
      if (key < ck) {
        let next = h.targetAt(current, LEFT);
        if (next === 0) break;
        if (key < keys[next]!) {
          h.setAt(current, LEFT, h.targetAt(next, RIGHT)); // rotate right
          h.setAt(next, RIGHT, current);
          current = next;
          next = h.targetAt(current, LEFT);
          if (next === 0) break;
        }
        h.setAt(right, LEFT, current); // link right
        right = current;
        current = next;
      } else if (key > ck) {
        let next = h.targetAt(current, RIGHT);
        if (next === 0) break;
        if (key > keys[next]!) {
          h.setAt(current, RIGHT, h.targetAt(next, LEFT)); // rotate left
          h.setAt(next, LEFT, current);
          current = next;
          next = h.targetAt(current, RIGHT);
          if (next === 0) break;
        }
        h.setAt(left, RIGHT, current); // link left
        left = current;
        current = next;
      } else {
        break;
      }
    }
    h.setAt(left, RIGHT, h.targetAt(current, LEFT)); // assemble
    h.setAt(right, LEFT, h.targetAt(current, RIGHT));
    h.setAt(current, LEFT, h.targetAt(header, RIGHT));
    h.setAt(current, RIGHT, h.targetAt(header, LEFT));
    h.setAt(holder, 0, current);
  }

  #root(): Index {
    return this.heap.targetAt(this.#holderAt, 0);
  }

  find(key: number): boolean {
    if (this.#root() === 0) return false;
    this.splay(key);
    return this.#Key.k[this.#root()] === key;
  }

  insert(key: number, payload: Ref): void {
    const h = this.heap;
    if (this.#root() === 0) {
      h.set(this.#holder, 0, this.#newNode(key, payload));
      return;
    }
    this.splay(key);
    const rootKey = this.#Key.k[this.#root()]!;
    if (rootKey === key) return;
    const node = h.index(this.#newNode(key, payload));
    const root = this.#root();
    if (key > rootKey) {
      h.setAt(node, LEFT, root);
      h.setAt(node, RIGHT, h.targetAt(root, RIGHT));
      h.setAt(root, RIGHT, NO_INDEX);
    } else {
      h.setAt(node, RIGHT, root);
      h.setAt(node, LEFT, h.targetAt(root, LEFT));
      h.setAt(root, LEFT, NO_INDEX);
    }
    h.setAt(this.#holderAt, 0, node);
  }

  remove(key: number): void {
    const h = this.heap;
    this.splay(key);
    const root = this.#root();
    if (root === 0 || this.#Key.k[root] !== key) throw new Error(`splay: key ${key} not found in the heap tree`);
    const left = h.targetAt(root, LEFT);
    if (left === 0) {
      h.setAt(this.#holderAt, 0, h.targetAt(root, RIGHT));
    } else {
      const right = h.targetAt(root, RIGHT);
      h.setAt(this.#holderAt, 0, left);
      this.splay(key);
      h.setAt(this.#root(), RIGHT, right);
    }
  }

  /** The key of the node with the largest key below `key`, or NaN. */
  greatestLessThan(key: number): number {
    const h = this.heap;
    if (this.#root() === 0) return NaN;
    this.splay(key);
    const keys = this.#Key.k;
    const root = this.#root();
    if (keys[root]! < key) return keys[root]!;
    let current = h.targetAt(root, LEFT);
    if (current === 0) return NaN;
    for (let next = h.targetAt(current, RIGHT); next !== 0; next = h.targetAt(current, RIGHT)) current = next;
    return keys[current]!;
  }

  insertNew(): number {
    let key: number;
    do key = this.#rand(); while (this.find(key));
    this.insert(key, this.#payload(PAYLOAD_DEPTH, key));
    return key;
  }

  step(): void {
    for (let m = 0; m < MODIFICATIONS; m++) {
      const key = this.insertNew();
      const greatest = this.greatestLessThan(key);
      this.remove(Number.isNaN(greatest) ? key : greatest);
    }
  }

  /** Nodes in the tree, counted by walking it (a check, not timed). */
  count(): number {
    const h = this.heap;
    const stack: Ref[] = [];
    let n = 0;
    const root = h.get(this.#holder, 0); // by handles: a check of the index-built tree through get()
    if (root !== NULL) stack.push(root);
    while (stack.length > 0) {
      const node = stack.pop()!;
      n++;
      const l = h.get(node, LEFT);
      const r = h.get(node, RIGHT);
      if (l !== NULL) stack.push(l);
      if (r !== NULL) stack.push(r);
    }
    return n;
  }
}

function jsCount(tree: JsSplayTree): number {
  const stack: JsNode[] = tree.root === null ? [] : [tree.root];
  let n = 0;
  while (stack.length > 0) {
    const node = stack.pop()!;
    n++;
    if (node.left !== null) stack.push(node.left);
    if (node.right !== null) stack.push(node.right);
  }
  return n;
}

// ---- the run ---------------------------------------------------------------------------------

interface Run {
  steps: number;
  blockSteps: number;
  ecsMs: number[];
  jsMs: number[];
  ticks: number[];
  /** tick(1) times of steps run after the JS tree was dropped and collected (ecs-heap alone in the process). */
  aloneTicks: number[];
  /** Of those over 1.5 ms, how many an engine GC pause overlapped (null where pauses are not delivered). */
  aloneLongWithEnginePause: number | null;
  /** Median over blocks of (JS time / ecs-heap time): ecs-heap's throughput relative to plain JS. */
  throughputRatio: number;
  pauses: GcPause[];
  bytesMax: number;
  bytesEnd: number;
  jsHeapBytes: number;
  live: number;
  majors: number;
  minors: number;
}

async function runSplay(ctx: Ctx, observe: boolean): Promise<Run> {
  const baseline = heapUsedAfterGc(ctx);
  const js = new JsSplay();
  for (let i = 0; i < TREE_SIZE; i++) js.insertNew();
  const heap = new Heap();
  const ecs = new HeapSplay(heap);
  for (let i = 0; i < TREE_SIZE; i++) ecs.insertNew();
  heap.collect(); // the loaded tree is old, as after a loading screen
  const warm = ctx.quick ? 20 : 50;
  for (let s = 0; s < warm; s++) {
    ecs.step();
    heap.tick(1);
    js.step();
  }
  const blockSteps = 10;
  const ticks: number[] = [];
  const ecsMs: number[] = [];
  const jsMs: number[] = [];
  let bytesMax = 0;
  const obs = new GcObserver();
  if (observe) obs.start();
  const time = (k: number): number => {
    const t0 = performance.now();
    if (k === 0) {
      for (let s = 0; s < blockSteps; s++) {
        ecs.step();
        const c0 = performance.now();
        heap.tick(1);
        ticks.push(performance.now() - c0);
      }
    } else {
      for (let s = 0; s < blockSteps; s++) js.step();
    }
    const t1 = performance.now();
    if (k === 0) {
      ecsMs.push(t1 - t0);
      bytesMax = Math.max(bytesMax, heap.stats().bytes);
    } else {
      jsMs.push(t1 - t0);
    }
    return (t1 - t0) * 1e6;
  };
  const from = performance.now();
  const pair = pairedRounds(['ecs-heap', 'JS objects'], ctx.quick ? 3000 : 20000, time);
  const pauses = observe ? await obs.stop() : [];
  // Every engine pause of the measured phase counts as the JS tree's: the engine collects when it
  // decides (a pause can land in an ecs-heap block), and that tree is nearly all its heap holds.
  const measured = pauses.filter((p) => p.at >= from);
  if (ecs.count() !== TREE_SIZE || jsCount(js.tree) !== TREE_SIZE) {
    throw new Error('splay: a tree lost or gained nodes');
  }
  const jsHeapBytes = heapUsedAfterGc(ctx) - baseline; // the JS tree is still alive: `js` is used below
  heap.verify();
  if (js.tree.root === null) throw new Error('splay: the JS tree is empty');
  // The engine collects the JS tree when it decides, so its pauses (tens of ms in Bun and Deno)
  // land in ecs-heap's ticks too. The ticks' own figures come from steps run once the JS tree is
  // gone and collected, with nothing else allocating in the process.
  js.tree.root = null;
  ctx.fullGc?.();
  ctx.fullGc?.();
  // Settled: the engine frees a dropped heap's pages on its own threads after a full GC; half a
  // second lets that finish, so the phase measures the heap with nothing else running.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const aloneObserver = new GcObserver();
  if (observe) aloneObserver.start();
  const aloneTicks: number[] = [];
  const aloneAt: number[] = [];
  for (let s = 0; s < (ctx.quick ? 500 : 2000); s++) {
    ecs.step();
    const c0 = performance.now();
    heap.tick(1);
    aloneTicks.push(performance.now() - c0);
    aloneAt.push(c0);
  }
  const alonePauses = observe ? await aloneObserver.stop() : [];
  // Ticks over 1.5 ms during which the engine paused (a pause that began before the tick ended
  // and ended after it began): the engine's work in the tick, whatever made it collect.
  let aloneLongWithEnginePause = 0;
  for (let k = 0; k < aloneTicks.length; k++) {
    if (aloneTicks[k]! <= 1.5) continue;
    const from = aloneAt[k]!;
    const to = from + aloneTicks[k]!;
    if (alonePauses.some((p) => p.at <= to && p.at + p.ms >= from)) aloneLongWithEnginePause++;
  }
  const st = heap.stats();
  return {
    steps: ecsMs.length * blockSteps,
    blockSteps,
    ecsMs,
    jsMs,
    ticks,
    aloneTicks,
    aloneLongWithEnginePause: observe ? aloneLongWithEnginePause : null,
    throughputRatio: pair.ratios[1]!,
    pauses: measured,
    bytesMax,
    bytesEnd: st.bytes,
    jsHeapBytes,
    live: st.live,
    majors: st.majorCollections,
    minors: st.minorCollections,
  };
}

export async function splaySuite(ctx: Ctx): Promise<SuiteReport> {
  const warmMs = warmUpOnce();
  const observe = await gcObserverWorks(ctx);
  ctx.log('[bench] splay: building both trees, then blocks of steps taking turns');
  const r = await runSplay(ctx, observe);
  const ops = (blocksMs: number[]) => (blocksMs.length * r.blockSteps * MODIFICATIONS) / (sum(blocksMs) / 1000);
  const ecsOps = ops(r.ecsMs);
  const jsOps = ops(r.jsMs);
  const tick = spread(r.ticks);
  const alone = spread(r.aloneTicks);
  // The anchor for 'alone's maximum: a fixed loop run as many times, in the same process.
  const stalls = machineStalls(r.aloneTicks.length, 1.5);
  const gcMs = r.pauses.map((p) => p.ms);
  const bytesRatio = r.bytesMax / r.jsHeapBytes;
  const at = `splay ${TREE_SIZE} nodes, payload depth ${PAYLOAD_DEPTH} (${ctx.label})`;
  return report('splay', ctx, [{
    tables: [{
      title:
        `splay: Octane's splay workload, ${r.steps} steps of ${MODIFICATIONS} modifications each (${ctx.label} ${ctx.runtimeVersion})`,
      columns: ['contender', 'modifications/s', 'pause p50 ms', 'pause p99 ms', 'pause max ms', 'pauses', 'memory'],
      rows: [
        [
          'ecs-heap, tick(1) per step',
          sig(ecsOps),
          msOf(tick.p50),
          msOf(tick.p99),
          msOf(tick.max),
          `${r.ticks.length} ticks (${r.majors} majors, ${r.minors} minors in all)`,
          `${megabytes(r.bytesMax)} max stats().bytes (${megabytes(r.bytesEnd)} at the end)`,
        ],
        [
          'ecs-heap alone, tick(1) per step',
          '',
          msOf(alone.p50),
          msOf(alone.p99),
          msOf(alone.max),
          `${r.aloneTicks.length} ticks after the JS tree was dropped and collected; ${
            r.aloneTicks.filter((t) => t > 1.5).length
          } over 1.5 ms, ${
            r.aloneLongWithEnginePause === null
              ? 'engine pauses n/a'
              : `${r.aloneLongWithEnginePause} of them with an engine pause`
          }`,
          '',
        ],
        [
          'anchor: a fixed loop, no heap',
          '',
          msOf(stalls.typicalMs),
          '',
          msOf(stalls.maxMs),
          `${stalls.count} runs of the same work, ${stalls.over} over ${stalls.threshold} ms (the machine's own stalls)`,
          '',
        ],
        [
          'JS objects, engine GC',
          sig(jsOps),
          observe ? msOf(percentile(gcMs, 0.5)) : 'n/a',
          observe ? msOf(percentile(gcMs, 0.99)) : 'n/a',
          observe ? msOf(gcMs.length === 0 ? NaN : max(gcMs)) : 'n/a',
          observe ? `${gcMs.length} GC pauses` : 'not reported',
          `${megabytes(r.jsHeapBytes)} heapUsed growth after gc()`,
        ],
      ],
    }],
    targets: [
      atLeast(`${at}: throughput, ecs-heap / plain JS (paired blocks)`, r.throughputRatio, 0.8, 'x', 1),
      atMost(`${at}: memory, max stats().bytes / engine heap for the same tree`, bytesRatio, 1, 'x'),
      atMost(`${at}: tick(1) p99, ecs-heap alone`, alone.p99, 1.5, 'ms'),
      atMost(`${at}: tick(1) max, ecs-heap alone`, alone.max, 3, 'ms'),
      atMost(`${at}: tick(1) p99, beside the JS tree`, tick.p99, 1.5, 'ms'),
      atMost(`${at}: tick(1) max, beside the JS tree (its engine pauses land in ticks too)`, tick.max, 3, 'ms'),
    ],
    ratios: [
      { name: `${at}: ecs-heap modifications/s / plain JS, paired blocks`, value: r.throughputRatio },
      { name: `${at}: ecs-heap max stats().bytes / engine heapUsed growth`, value: bytesRatio },
      {
        name: `${at}: ecs-heap tick p99 / engine GC pause p99`,
        value: observe ? tick.p99 / percentile(gcMs, 0.99) : NaN,
      },
    ],
    notes: [
      `Both trees built (${TREE_SIZE} inserts, the same seeded keys), the heap collect()ed once (loading), ` +
      `${ctx.quick ? 20 : 50} warm-up steps each; then blocks of ${r.blockSteps} steps, ecs-heap and JS taking ` +
      `turns (order rotating), ${r.steps} measured steps each. modifications/s: all measured steps (ecs-heap's include its ` +
      `tick(1) calls; JS's include the engine's GC pauses); the target ratio is the median over blocks of JS time / ` +
      `ecs-heap time (${ratio(r.throughputRatio)}). Pauses: ecs-heap's are every tick(1) call; the engine's are ` +
      'PerformanceObserver gc entries of the measured phase (in either kind of block: the engine collects when it ' +
      'decides, and the JS tree is nearly all its heap holds)' +
      (observe ? '.' : ` (not delivered in ${ctx.runtime}: n/a).`) +
      ` Heap.warmUp() ran first${warmMs === 0 ? ' (earlier in this process)' : ''}. ` +
      `'ecs-heap alone': ${r.aloneTicks.length} more steps after the paired blocks, once the JS tree was dropped and ` +
      'collected (two forced full GCs, then half a second for the engine to finish freeing on its own threads): ' +
      'the engine pauses for the JS tree whenever it decides, so in the paired blocks its pauses ' +
      "also land inside ecs-heap's ticks (in Bun and Deno, tens of ms); both are reported. " +
      "'anchor: a fixed loop': the same number of runs of a fixed ~0.3 ms loop of arithmetic in this process, " +
      "with nothing else to do: its maximum is what the machine's own stalls add to any pause maximum here.",
      'Memory: ecs-heap is the largest stats().bytes seen after a block (the typed arrays of the heap up to ' +
      "the part in use, as heapUsed leaves out the engine heap's free room); the engine's is process.memoryUsage().heapUsed after two forced full GCs " +
      'with the tree alive, minus the same before either tree was built (the ecs-heap tree lives in ' +
      'ArrayBuffers, outside heapUsed). Payload leaves: JS holds a 10-element array and a string per leaf; ' +
      "ecs-heap a Leaf component with ['u8', 10] and the key as f64 (the string is 'String for key <key> in " +
      "leaf node'). Components' columns are indexed by object index, so every index in use pays for Key and Leaf.",
    ],
    data: {
      steps: r.steps,
      blockSteps: r.blockSteps,
      ecsOpsPerSec: ecsOps,
      jsOpsPerSec: jsOps,
      throughputRatioPaired: r.throughputRatio,
      tick,
      aloneTick: alone,
      aloneTicksOver1_5ms: r.aloneTicks.filter((t) => t > 1.5).length,
      aloneLongWithEnginePause: r.aloneLongWithEnginePause,
      machineStalls: stalls,
      enginePauses: observe ? spread(gcMs) : null,
      bytesMax: r.bytesMax,
      bytesEnd: r.bytesEnd,
      jsHeapBytes: r.jsHeapBytes,
      live: r.live,
      warmUpMs: warmMs,
    },
  }]);
}

if (isMain(import.meta)) process.exitCode = await runStandalone('splay', splaySuite);
