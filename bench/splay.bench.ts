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
 * the same seeded keys, collected by the engine. Throughput comes from rounds in which each
 * contender runs alone (its own tree built, warmed up, timed over a few hundred steps, dropped and
 * collected before the other's phase), the order alternating round by round, so load from other
 * processes hits both alike and neither pays for collecting the other's objects; the ratio is the
 * median over rounds. Then both trees run beside each other, in blocks of steps taking turns, for
 * the tick figures "beside the JS tree" (the engine's pauses for its tree land in ecs-heap's
 * ticks). The engine's GC pauses come from PerformanceObserver 'gc' entries (Node; n/a where the
 * runtime does not deliver them). Memory is peak against peak, each sampled every tenth timed step
 * of its own phase: ecs-heap's `stats().bytes`, the engine's `heapUsed` over a baseline taken
 * before the tree was built; the JS tree alone (`heapUsed` after forced full GCs) is reported too.
 *
 * Targets (issue 14): throughput >= 0.8x plain JS (stretch 1x); peak stats().bytes <= 1x the
 * engine's peak heap for the same tree; tick(1) p99 <= 1.5 ms, max <= 3 ms.
 */
import process from 'node:process';
import { Heap, type Index, NULL, type Ref } from '../mod.ts';
import { stateOf } from '../src/heap.ts';
import { EPHEMERON, YOUNG } from '../src/core/state.ts';
import { GcObserver, gcObserverWorks, type GcPause, heapUsedAfterGc, heapUsedNow } from './lib/engine.ts';
import { megabytes, msOf, ratio, sig } from './lib/format.ts';
import { warmUpOnce } from './lib/game-loop.ts';
import { prng } from './lib/graphs.ts';
import { denseSplayFloor, floorKeysInOrder, floorSplays, makeSplayFloor, type SplayFloor } from './lib/splay-floor.ts';
import { isMain, runStandalone } from './lib/output.ts';
import { machineStalls } from './lib/stalls.ts';
import { atLeast, atMost, type Ctx, report, type Section, type SuiteReport } from './lib/report.ts';
import { max, median, percentile, spread, sum } from './lib/stats.ts';

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

  /** The pinned holder (slot 0: the root) and the scratch header node, by index; the keys' column. */
  get holderIndex(): Index {
    return this.#holderAt;
  }
  get headerIndex(): Index {
    return this.#headerAt;
  }
  get keyColumn(): Float64Array {
    return this.#Key.k;
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

/** One contender's measured steps, alone in the process. */
interface Phase {
  ms: number;
  /** `performance.now()` at the first and after the last measured step. */
  from: number;
  to: number;
}

interface HeapPhase extends Phase {
  ticks: number[];
  /** `performance.now()` at each tick's start. */
  tickAt: number[];
  /** The largest `stats().bytes` seen after a step. */
  bytesMax: number;
  bytesEnd: number;
  majors: number;
  minors: number;
}

interface JsPhase extends Phase {
  /** The engine heap the tree holds: `heapUsed` after full GCs with it alive, over a baseline. */
  treeBytes: number;
  /** The largest `heapUsed` over the baseline seen after a step (every tenth, as ecs-heap's `bytesMax`). */
  peakBytes: number;
}

/** A fresh heap holding the tree (`TREE_SIZE` inserts, the seeded keys), `collect()`ed once: a loading screen. */
function loadedHeapSplay(treeSize = TREE_SIZE): HeapSplay {
  const ecs = new HeapSplay(new Heap());
  for (let i = 0; i < treeSize; i++) ecs.insertNew();
  ecs.heap.collect();
  return ecs;
}

/** The same tree as plain JS objects, the same keys. */
function loadedJsSplay(treeSize = TREE_SIZE): JsSplay {
  const js = new JsSplay();
  for (let i = 0; i < treeSize; i++) js.insertNew();
  return js;
}

/**
 * ecs-heap alone: a fresh heap, the tree built and `collect()`ed (a loading screen), `warm`
 * steps, then `steps` timed steps of a step and a `tick(1)` each. Everything it made is dropped
 * when it returns.
 */
function heapPhase(steps: number, warm: number): HeapPhase {
  const ecs = loadedHeapSplay();
  const heap = ecs.heap;
  for (let s = 0; s < warm; s++) {
    ecs.step();
    heap.tick(1);
  }
  const ticks: number[] = [];
  const tickAt: number[] = [];
  let bytesMax = 0;
  const from = performance.now();
  for (let s = 0; s < steps; s++) {
    ecs.step();
    const c0 = performance.now();
    heap.tick(1);
    const c1 = performance.now();
    ticks.push(c1 - c0);
    tickAt.push(c0);
    // One in ten steps: stats() makes an engine object, and the garbage peaks over many steps.
    if (s % 10 === 9) bytesMax = Math.max(bytesMax, heap.stats().bytes);
  }
  const to = performance.now();
  if (ecs.count() !== TREE_SIZE) throw new Error('splay: the heap tree lost or gained nodes');
  heap.verify();
  const st = heap.stats();
  return {
    ms: to - from,
    from,
    to,
    ticks,
    tickAt,
    bytesMax: Math.max(bytesMax, st.bytes),
    bytesEnd: st.bytes,
    majors: st.majorCollections,
    minors: st.minorCollections,
  };
}

/** Plain JS alone: the same tree and steps, the engine collecting; then the tree's engine heap. */
function jsPhase(ctx: Ctx, steps: number, warm: number): JsPhase {
  const baseline = heapUsedAfterGc(ctx);
  const js = loadedJsSplay();
  for (let s = 0; s < warm; s++) js.step();
  let peakBytes = 0;
  const from = performance.now();
  for (let s = 0; s < steps; s++) {
    js.step();
    // The same sampling as ecs-heap's phase: its garbage between collections counts, as the heap's does.
    if (s % 10 === 9) peakBytes = Math.max(peakBytes, heapUsedNow() - baseline);
  }
  const to = performance.now();
  if (jsCount(js.tree) !== TREE_SIZE) throw new Error('splay: the JS tree lost or gained nodes');
  const treeBytes = heapUsedAfterGc(ctx) - baseline;
  if (js.tree.root === null) throw new Error('splay: the JS tree is empty'); // keeps `js` alive to here
  return { ms: to - from, from, to, treeBytes, peakBytes };
}

/**
 * Steps before the timed ones: a fresh heap's first ~200 steps run 2-3x slower than later ones, its
 * columns growing (and their memory faulted in) as the garbage between major cycles first piles up
 * (`.scratch` windows of 100 steps, Node: 2.9, 2.2, then 1.3 ms a step; Bun 4.2, 2.2, 1.2), as a
 * game's first frames after a level load do; the timed steps are the steady state after it. The
 * JS side gets the same steps, its engine heap growing likewise.
 */
function warmSteps(ctx: Ctx): number {
  return ctx.quick ? 100 : 200;
}

/**
 * Before a phase: the previous phase's garbage collected (forced full GCs, so the engine does not
 * collect it inside the next phase, on that contender's clock, nor count it in the JS phase's
 * memory baseline), with half a second for the engine to finish freeing on its own threads (a JS
 * phase leaves ~200 MB of engine heap), which on two cores would otherwise share the CPU with the
 * next phase's first steps. In Bun the last heap phase's columns (127 MB) sometimes outlive these
 * GCs (two rounds of five, forced from the phase's stack or from timer callbacks alike) and sit in
 * the JS phase's baseline, which then reads its memory as zero or less: such a phase is left out.
 */
async function settle(ctx: Ctx): Promise<void> {
  for (const wait of [0, 250, 250]) {
    await new Promise((resolve) =>
      setTimeout(() => {
        ctx.fullGc?.();
        resolve(undefined);
      }, wait)
    );
  }
}

interface Alone {
  rounds: number;
  steps: number;
  heap: HeapPhase[];
  js: JsPhase[];
  /** Per round, JS time / ecs-heap time for the same steps: ecs-heap's throughput relative to JS. */
  ratios: number[];
  /** The engine's pauses during the JS phases' measured steps, and during ecs-heap's. */
  jsPauses: GcPause[];
  heapPauses: GcPause[];
}

/**
 * The throughput measurement: rounds of one ecs-heap phase and one JS phase, each contender alone
 * in the process (the other's tree dropped and collected), the order alternating round by round.
 * A phase is long enough to hold many collection cycles of either (Node's engine paused 17-282
 * times in 5,000 steps, by its mode; the heap runs a major cycle every ~80 steps and minors
 * between), so each phase's time includes its collector's share.
 */
async function aloneRounds(ctx: Ctx, observe: boolean): Promise<Alone> {
  const rounds = ctx.quick ? 3 : 5;
  // Long enough to average over the engine's modes: V8 moves the JS tree's allocation sites in and
  // out of pretenuring every few hundred steps (`.scratch` windows of 100 steps in Node: three at
  // 2.0-2.4 ms a step, then two at 0.23, and again), so a shorter phase would time whichever part
  // of that cycle its steps fell on.
  const steps = ctx.quick ? 100 : 1000;
  const warm = warmSteps(ctx);
  const heap: HeapPhase[] = [];
  const js: JsPhase[] = [];
  const obs = new GcObserver();
  if (observe) obs.start();
  for (let r = 0; r < rounds; r++) {
    for (const which of r % 2 === 0 ? ['heap', 'js'] : ['js', 'heap']) {
      await settle(ctx);
      if (which === 'heap') heap.push(heapPhase(steps, warm));
      else js.push(jsPhase(ctx, steps, warm));
    }
  }
  const pauses = observe ? await obs.stop() : [];
  const within = (phases: Phase[]) => pauses.filter((p) => phases.some((f) => p.at >= f.from && p.at <= f.to));
  return {
    rounds,
    steps,
    heap,
    js,
    ratios: heap.map((h, r) => js[r]!.ms / h.ms),
    jsPauses: within(js),
    heapPauses: within(heap),
  };
}

interface Beside {
  blocks: number;
  blockSteps: number;
  ecsMs: number[];
  jsMs: number[];
  ticks: number[];
}

/**
 * Both trees alive in one process, blocks of `blockSteps` steps taking turns: the engine collects
 * the JS tree whenever it decides, so its pauses land in ecs-heap's blocks and ticks too. Reported
 * beside the alone figures (the tick targets "beside the JS tree"), not as the throughput.
 */
function besideBlocks(ctx: Ctx): Beside {
  const ecs = loadedHeapSplay();
  const heap = ecs.heap;
  const js = loadedJsSplay();
  const warm = warmSteps(ctx);
  for (let s = 0; s < warm; s++) {
    ecs.step();
    heap.tick(1);
    js.step();
  }
  const blocks = ctx.quick ? 20 : 60;
  const blockSteps = 10;
  const ecsMs: number[] = [];
  const jsMs: number[] = [];
  const ticks: number[] = [];
  for (let b = 0; b < 2 * blocks; b++) {
    // The order rotates: ecs-heap first in even pairs of blocks, JS first in odd ones.
    const heapTurn = (b & 1) === ((b >> 1) & 1);
    const t0 = performance.now();
    for (let s = 0; s < blockSteps; s++) {
      if (heapTurn) {
        ecs.step();
        const c0 = performance.now();
        heap.tick(1);
        ticks.push(performance.now() - c0);
      } else {
        js.step();
      }
    }
    (heapTurn ? ecsMs : jsMs).push(performance.now() - t0);
  }
  if (ecs.count() !== TREE_SIZE || jsCount(js.tree) !== TREE_SIZE) {
    throw new Error('splay: a tree lost or gained nodes');
  }
  heap.verify();
  return { blocks, blockSteps, ecsMs, jsMs, ticks };
}

// ---- the splay's hops alone, with their floors -------------------------------------------------

/**
 * The splays alone (no payload built, nothing allocated, no collection), on trees as the timed
 * phases leave them: each contender's own tree, built and stepped alike (`warm` steps), so all
 * hold the same keys in the same shape, then splayed to the same keys, a block of them at a time
 * (the trees stay alike, checked at the end). A heap's tree is then `collect()`ed once: all old, no
 * cycle running, as the floors need.
 */
export interface SplayHops {
  js: JsSplay;
  heap: HeapSplay;
  /** The floors: minimal loops over a heap's own columns, checked and not, and over dense copies. */
  checked: SplayFloor;
  bare: SplayFloor;
  denseChecked: SplayFloor;
  dense: SplayFloor;
  /** The heaps the two column floors splay (their trees are theirs alone). */
  floorHeaps: Heap[];
  /** Keys of the tree, to splay to. */
  treeKeys: Float64Array;
}

/**
 * A floor over `ecs`'s own columns (bench/lib/splay-floor.ts): the arrays as they are now, valid
 * while the heap allocates nothing (no column is replaced) and runs no cycle.
 */
function columnFloor(ecs: HeapSplay, checked: boolean): SplayFloor {
  const s = stateOf(ecs.heap);
  return makeSplayFloor({
    keys: ecs.keyColumn,
    base: s.base,
    slots: s.slots,
    color: s.color,
    size: s.size,
    flags: s.flags,
    top: s.top,
    readMask: s.readMask,
    liveMask: s.liveMask,
    deadColors: s.deadColors,
    ephemeron: EPHEMERON,
    young: YOUNG,
    checked,
    holder: ecs.holderIndex,
    header: ecs.headerIndex,
  });
}

/** The contenders' trees after `warm` steps (the loading and warm-up of a timed phase). */
export function splayHops(warm: number, treeSize = TREE_SIZE): SplayHops {
  const stepped = () => {
    const ecs = loadedHeapSplay(treeSize);
    for (let s = 0; s < warm; s++) {
      ecs.step();
      ecs.heap.tick(1);
    }
    ecs.heap.collect();
    return ecs;
  };
  const heap = stepped();
  const checkedHeap = stepped();
  const bareHeap = stepped();
  const js = loadedJsSplay(treeSize);
  for (let s = 0; s < warm; s++) js.step();
  const bare = columnFloor(bareHeap, false);
  const treeKeys = Float64Array.from(jsKeysInOrder(js.tree));
  return {
    js,
    heap,
    checked: columnFloor(checkedHeap, true),
    bare,
    // Copies of the tree as it stands now, alike in every contender's.
    denseChecked: denseSplayFloor(bare, true),
    dense: denseSplayFloor(bare, false),
    floorHeaps: [checkedHeap.heap, bareHeap.heap],
    treeKeys,
  };
}

function jsKeysInOrder(tree: JsSplayTree): number[] {
  const out: number[] = [];
  const stack: JsNode[] = [];
  let node = tree.root;
  while (node !== null || stack.length > 0) {
    while (node !== null) {
      stack.push(node);
      node = node.left;
    }
    node = stack.pop()!;
    out.push(node.key);
    node = node.right;
  }
  return out;
}

function jsSplays(tree: JsSplayTree, keys: Float64Array): void {
  for (let k = 0; k < keys.length; k++) tree.splay(keys[k]!);
}

function heapSplays(ecs: HeapSplay, keys: Float64Array): void {
  for (let k = 0; k < keys.length; k++) ecs.splay(keys[k]!);
}

/**
 * Throws unless every contender's tree holds the JS tree's keys, in order, with the same root, and
 * the heaps the floors stored into pass `verify()` (the floors' stores need no barrier).
 */
export function checkSplayHops(h: SplayHops): void {
  const want = jsKeysInOrder(h.js.tree).join(',');
  const rootKey = h.js.tree.root?.key;
  const trees: [string, SplayFloor][] = [
    ['heap', columnFloor(h.heap, false)],
    ['checked floor', h.checked],
    ['bare floor', h.bare],
    ['dense checked floor', h.denseChecked],
    ['dense floor', h.dense],
  ];
  for (const [name, f] of trees) {
    const root = f.slots[f.base[f.holder]!]!;
    if (floorKeysInOrder(f).join(',') !== want || f.keys[root] !== rootKey) {
      throw new Error(`splay hops: the ${name}'s tree differs from the JS tree`);
    }
  }
  h.heap.heap.verify();
  for (const heap of h.floorHeaps) heap.verify();
}

interface HopsResult {
  blocks: number;
  splaysPerBlock: number;
  /** Median ns a splay, per contender (the blocks' times over `splaysPerBlock`). */
  ns: Record<HopContender, number>;
}

export const HOP_CONTENDERS = ['js', 'heap', 'checked', 'bare', 'denseChecked', 'dense'] as const;
export type HopContender = (typeof HOP_CONTENDERS)[number];

/** One contender splays its tree to each of `keys` in turn. */
export function splaysOf(h: SplayHops, which: HopContender, keys: Float64Array): void {
  if (which === 'js') jsSplays(h.js.tree, keys);
  else if (which === 'heap') heapSplays(h.heap, keys);
  else floorSplays(h[which], keys);
}

/** Blocks of the same splays for each contender, the order rotating; ns a splay, median over blocks. */
function hopsBlocks(ctx: Ctx): HopsResult {
  const h = splayHops(warmSteps(ctx));
  const blocks = ctx.quick ? 6 : 30;
  const splaysPerBlock = 8000;
  const rand = prng(SEED ^ 0x40b5);
  const times = Object.fromEntries(HOP_CONTENDERS.map((c) => [c, [] as number[]])) as Record<HopContender, number[]>;
  const keys = new Float64Array(splaysPerBlock);
  for (let b = 0; b < blocks; b++) {
    for (let k = 0; k < splaysPerBlock; k++) keys[k] = h.treeKeys[Math.floor(rand() * h.treeKeys.length)]!;
    for (let c = 0; c < HOP_CONTENDERS.length; c++) {
      const which = HOP_CONTENDERS[(b + c) % HOP_CONTENDERS.length]!;
      const t0 = performance.now();
      splaysOf(h, which, keys);
      times[which].push(performance.now() - t0);
    }
  }
  checkSplayHops(h);
  const ns = {} as Record<HopContender, number>;
  for (const c of HOP_CONTENDERS) ns[c] = (median(times[c]) * 1e6) / splaysPerBlock;
  return { blocks, splaysPerBlock, ns };
}

/** The hops' table: what the splays alone cost each contender, against JS and against the floors. */
function hopsSection(ctx: Ctx, r: HopsResult): Section {
  const names: Record<HopContender, string> = {
    js: 'plain JS objects (the same splay)',
    heap: 'ecs-heap, targetAt / setAt',
    checked: "floor: minimal loops on the heap's columns, with targetAt's / setAt's checks",
    bare: "floor: minimal loops on the heap's columns, keys, base and slots only",
    denseChecked: 'floor with the checks, the nodes numbered 1..n (dense)',
    dense: 'floor: keys, base and slots only, the nodes numbered 1..n (dense)',
  };
  const at = `splay hops, ${TREE_SIZE}-node tree (${ctx.label})`;
  return {
    tables: [{
      title: `splay: the splays alone, ${r.blocks} blocks of ${r.splaysPerBlock} splays to random keys of the tree ` +
        `(${ctx.label} ${ctx.runtimeVersion})`,
      columns: ['contender', 'ns a splay', '/ plain JS', '/ floor on the columns, keys, base, slots'],
      rows: HOP_CONTENDERS.map((c) => [names[c], sig(r.ns[c]), ratio(r.ns[c] / r.ns.js), ratio(r.ns[c] / r.ns.bare)]),
    }],
    targets: [],
    ratios: [
      { name: `${at}: ecs-heap time / plain JS time`, value: r.ns.heap / r.ns.js },
      { name: `${at}: floor on the heap's columns (keys, base, slots) / plain JS`, value: r.ns.bare / r.ns.js },
      { name: `${at}: floor with the checks / floor without`, value: r.ns.checked / r.ns.bare },
      { name: `${at}: ecs-heap / floor with the checks`, value: r.ns.heap / r.ns.checked },
      { name: `${at}: dense floor with the checks / plain JS`, value: r.ns.denseChecked / r.ns.js },
      { name: `${at}: dense floor / plain JS`, value: r.ns.dense / r.ns.js },
    ],
    notes: [
      "The splays alone: what a step's splaying costs (the suite's top-down splay, four or five a modification: " +
      'find, insert, the greatest key below, remove), with no payload built and nothing collected. Each contender has its own tree, built and stepped as a timed phase ' +
      `begins (${TREE_SIZE} inserts, ${warmSteps(ctx)} steps; the heaps then collect()ed once), so all hold the ` +
      'same keys in the same shape, and splays it to the same keys in each block, the order rotating; the trees ' +
      'stay alike (checked after: keys in order and root, and verify() on the heaps the floors stored into). ' +
      "The floors are bench/lib/splay-floor.ts: the same splay as minimal loops over the heap's own typed arrays " +
      '(a node read at keys[i], its child slot at slots[base[i] + slot]), so they hop exactly where the heap ' +
      "hops; 'with the checks' reads also what targetAt and setAt test (color, size and flags of each node, the " +
      "target's color and flags); 'dense' is a copy of the tree whose nodes are numbered 1..n in the order of their heap " +
      'indices, as if the nodes had been allocated together rather than each after its 63-object payload. So: ' +
      "the bare floor against JS is what this layout costs a pointer hop (a node's fields in separate columns, " +
      "its slots behind base); the checked floor against it, what the checks' columns add; ecs-heap against the " +
      'checked floor, what the calls add; each floor against its dense copy, what the scatter of the indices costs.',
    ],
    data: { hops: r },
  };
}

export async function splaySuite(ctx: Ctx): Promise<SuiteReport> {
  const warmMs = warmUpOnce();
  const observe = await gcObserverWorks(ctx);
  ctx.log('[bench] splay: rounds of each contender alone, the order alternating');
  const a = await aloneRounds(ctx, observe);
  ctx.log('[bench] splay: both trees in one process, blocks of steps taking turns');
  await settle(ctx);
  const b = besideBlocks(ctx);
  ctx.log('[bench] splay: the splays alone, against their floors');
  await settle(ctx);
  const hops = hopsBlocks(ctx);
  const throughput = median(a.ratios);
  const steps = a.rounds * a.steps;
  const ops = (phases: Phase[]) => (phases.length * a.steps * MODIFICATIONS) / (sum(phases.map((p) => p.ms)) / 1000);
  const ecsOps = ops(a.heap);
  const jsOps = ops(a.js);
  const aloneTicks = a.heap.flatMap((h) => h.ticks);
  const alone = spread(aloneTicks);
  const tick = spread(b.ticks);
  // Ticks over 1.5 ms during which the engine paused (a pause that began before the tick ended
  // and ended after it began): the engine's work in the tick, whatever made it collect.
  let aloneLongWithEnginePause = 0;
  for (const h of a.heap) {
    for (let k = 0; k < h.ticks.length; k++) {
      if (h.ticks[k]! <= 1.5) continue;
      const from = h.tickAt[k]!;
      const to = from + h.ticks[k]!;
      if (a.heapPauses.some((p) => p.at <= to && p.at + p.ms >= from)) aloneLongWithEnginePause++;
    }
  }
  // The anchor for 'alone's maximum: a fixed loop run as many times, in the same process.
  const stalls = machineStalls(aloneTicks.length, 1.5);
  const gcMs = a.jsPauses.map((p) => p.ms);
  const bytesMax = max(a.heap.map((h) => h.bytesMax));
  // A phase whose growth reads zero or less (Bun counted the previous phase's ArrayBuffers in its
  // baseline, freed during the phase) says nothing: left out, n/a if all are, as the game suite's rows.
  const growth = (bytes: number[]) => {
    const read = bytes.filter((b) => b > 0);
    return read.length === 0 ? NaN : median(read);
  };
  const jsHeapBytes = growth(a.js.map((j) => j.treeBytes));
  const jsPeakBytes = growth(a.js.map((j) => j.peakBytes));
  // Peak against peak, each sampled every tenth step of its timed phase: both hold their garbage
  // between collections then (as binary-trees' memory target compares them).
  const bytesRatio = bytesMax / jsPeakBytes;
  const liveBytesRatio = bytesMax / jsHeapBytes;
  // The same-process figures: total JS time / total ecs-heap time over the blocks, and the median
  // of per-block ratios (this suite's throughput figure until session 17: see the notes).
  const besideTotal = sum(b.jsMs) / sum(b.ecsMs);
  const besideMedian = median(b.jsMs.map((j, k) => j / b.ecsMs[k]!));
  const last = a.heap[a.heap.length - 1]!;
  const at = `splay ${TREE_SIZE} nodes, payload depth ${PAYLOAD_DEPTH} (${ctx.label})`;
  return report('splay', ctx, [{
    tables: [{
      title: `splay: Octane's splay workload, ${a.rounds} rounds of ${a.steps} steps of ${MODIFICATIONS} ` +
        `modifications, each contender alone (${ctx.label} ${ctx.runtimeVersion})`,
      columns: ['contender', 'modifications/s', 'pause p50 ms', 'pause p99 ms', 'pause max ms', 'pauses', 'memory'],
      rows: [
        [
          'ecs-heap, tick(1) per step, alone',
          sig(ecsOps),
          msOf(alone.p50),
          msOf(alone.p99),
          msOf(alone.max),
          `${aloneTicks.length} ticks (${last.majors} majors, ${last.minors} minors a phase); ${
            aloneTicks.filter((t) => t > 1.5).length
          } over 1.5 ms, ${observe ? `${aloneLongWithEnginePause} of them with an engine pause` : 'engine pauses n/a'}`,
          `${megabytes(bytesMax)} max stats().bytes (${megabytes(last.bytesEnd)} at a phase's end)`,
        ],
        [
          'JS objects, engine GC, alone',
          sig(jsOps),
          observe ? msOf(percentile(gcMs, 0.5)) : 'n/a',
          observe ? msOf(percentile(gcMs, 0.99)) : 'n/a',
          observe ? msOf(gcMs.length === 0 ? NaN : max(gcMs)) : 'n/a',
          observe ? `${gcMs.length} GC pauses (${msOf(sum(gcMs))} ms in all)` : 'not reported',
          `${megabytes(jsPeakBytes)} max heapUsed growth (${megabytes(jsHeapBytes)} after gc())`,
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
          'ecs-heap beside the JS tree',
          sig((b.blocks * b.blockSteps * MODIFICATIONS) / (sum(b.ecsMs) / 1000)),
          msOf(tick.p50),
          msOf(tick.p99),
          msOf(tick.max),
          `${b.ticks.length} ticks in ${b.blocks} blocks of ${b.blockSteps} steps, JS blocks between`,
          '',
        ],
        [
          'JS objects beside the ecs-heap tree',
          sig((b.blocks * b.blockSteps * MODIFICATIONS) / (sum(b.jsMs) / 1000)),
          '',
          '',
          '',
          `total JS / ecs-heap time ${ratio(besideTotal)}; median of block ratios ${ratio(besideMedian)}`,
          '',
        ],
      ],
    }],
    targets: [
      atLeast(`${at}: throughput, ecs-heap / plain JS (each alone, median of rounds)`, throughput, 0.8, 'x', 1),
      atMost(`${at}: memory, max stats().bytes / max engine heapUsed for the same tree`, bytesRatio, 1, 'x'),
      atMost(`${at}: tick(1) p99, ecs-heap alone`, alone.p99, 1.5, 'ms'),
      atMost(`${at}: tick(1) max, ecs-heap alone`, alone.max, 3, 'ms'),
      atMost(`${at}: tick(1) p99, beside the JS tree`, tick.p99, 1.5, 'ms'),
      atMost(`${at}: tick(1) max, beside the JS tree (its engine pauses land in ticks too)`, tick.max, 3, 'ms'),
    ],
    ratios: [
      { name: `${at}: ecs-heap modifications/s / plain JS, each alone, median of rounds`, value: throughput },
      { name: `${at}: ecs-heap / plain JS beside each other, total times`, value: besideTotal },
      { name: `${at}: ecs-heap / plain JS beside each other, median of block ratios`, value: besideMedian },
      { name: `${at}: ecs-heap max stats().bytes / max engine heapUsed growth`, value: bytesRatio },
      {
        name: `${at}: ecs-heap max stats().bytes / engine heapUsed growth after gc() (the tree alone)`,
        value: liveBytesRatio,
      },
      {
        name: `${at}: ecs-heap tick p99 / engine GC pause p99`,
        value: observe ? alone.p99 / percentile(gcMs, 0.99) : NaN,
      },
    ],
    notes: [
      `Throughput: ${a.rounds} rounds; in each, every contender alone in the process builds its tree (${TREE_SIZE} ` +
      `inserts, the same seeded keys; the heap collect()s once, a loading screen), runs ${
        warmSteps(ctx)
      } warm-up steps (a fresh heap's columns grow over its first ~200) and ${a.steps} timed steps, and drops everything; the other contender's tree is gone and ` +
      'collected (forced full GCs and half a second) before a phase starts, and the order alternates ' +
      `round by round. ecs-heap's steps include its tick(1) calls, JS's the engine's collections. The target ratio is ` +
      `the median over rounds of JS time / ecs-heap time (rounds: ${a.ratios.map((r) => ratio(r)).join(', ')}); ` +
      'modifications/s are over all rounds. A phase holds several collection cycles of either contender, so each ' +
      "pays its collector's share. Heap.warmUp() ran first" +
      `${warmMs === 0 ? ' (earlier in this process)' : ''}. Pauses: ecs-heap's are its tick(1) calls in those ` +
      "phases; the engine's are PerformanceObserver gc entries during the JS phases' timed steps" +
      (observe ? '.' : ` (not delivered in ${ctx.runtime}: n/a).`) +
      " 'anchor: a fixed loop': the same number of runs of a fixed ~0.3 ms loop of arithmetic in this process, " +
      "with nothing else to do: its maximum is what the machine's own stalls add to any pause maximum here.",
      'Beside: both trees alive in one process, blocks of steps taking turns (the order rotating). The engine ' +
      "collects the JS tree when it decides, so its pauses land in ecs-heap's blocks and ticks (the tick targets " +
      "'beside the JS tree'), and a median of per-block ratios leaves the JS side's collections out: they come as " +
      "a few long pauses that only some blocks hold, while tick(1) is in every block. Until session 17 this suite's " +
      'throughput target was that median (0.16-0.22x in Node in runs whose total times gave 0.34-0.78x; 0.71x with ' +
      'each contender alone in session 17; docs/decisions.md, "Splay throughput is measured with each contender ' +
      'alone"). ' +
      'Both same-process ratios are still reported.',
      'Memory, peak against peak: ecs-heap is the largest stats().bytes seen (every tenth timed step and at the end ' +
      "of each phase: the typed arrays of the heap up to the part in use, as heapUsed leaves out the engine heap's " +
      "free room); the engine's the largest process.memoryUsage().heapUsed over the baseline (taken after two forced " +
      'full GCs before the tree was built) seen every tenth timed step of a JS phase, the median over the JS phases ' +
      '(a phase reading zero or less left out). Both include the garbage each holds between its collections, as ' +
      "binary-trees' memory target compares them. Bun's heapUsed moves only when its engine collects (it read the " +
      'baseline exactly through 100 steps), so there the sampled peak is a lower bound, and n/a in a phase where it ' +
      'did not move. Also reported: the JS tree alone, heapUsed after two forced full ' +
      "GCs with it alive (the suite's only engine figure until session 17, against ecs-heap's peak: 1.47x in Node " +
      "and Deno). The ecs-heap tree's ArrayBuffers are gone by a JS phase (Bun's heapUsed counts ArrayBuffers: with " +
      "both trees alive, until session 17, the JS figure held the heap's columns too, and Bun's ratio read " +
      '0.37-0.40x). Payload leaves: JS holds a 10-element array and a string per leaf; ecs-heap a Leaf component ' +
      "with ['u8', 10] and the key as f64 (the string is 'String for key <key> in leaf node'). Components' columns " +
      'are indexed by object index and count by the 4 KB memory pages their members are on (since session 44; ' +
      "before, every index in use paid for Key and Leaf): the nodes' and leaves' own pages of indices, where the " +
      "leaves' pages, alternating with the inner payload objects', touch every memory page of Leaf's columns.",
    ],
    data: {
      rounds: a.rounds,
      stepsPerPhase: a.steps,
      steps,
      roundRatios: a.ratios,
      heapPhaseMs: a.heap.map((h) => h.ms),
      jsPhaseMs: a.js.map((j) => j.ms),
      ecsOpsPerSec: ecsOps,
      jsOpsPerSec: jsOps,
      throughputRatioAlone: throughput,
      besideTotalRatio: besideTotal,
      besideMedianBlockRatio: besideMedian,
      besideBlocks: b.blocks,
      tick,
      aloneTick: alone,
      aloneTicksOver1_5ms: aloneTicks.filter((t) => t > 1.5).length,
      aloneLongWithEnginePause: observe ? aloneLongWithEnginePause : null,
      machineStalls: stalls,
      enginePauses: observe ? spread(gcMs) : null,
      enginePauseMsInJsPhases: observe ? sum(gcMs) : null,
      bytesMax,
      bytesEnd: last.bytesEnd,
      jsHeapBytes,
      jsPeakBytes,
      jsPeakBytesPerPhase: a.js.map((j) => j.peakBytes),
      jsTreeBytesPerPhase: a.js.map((j) => j.treeBytes),
      majorsPerPhase: last.majors,
      minorsPerPhase: last.minors,
      warmUpMs: warmMs,
    },
  }, hopsSection(ctx, hops)]);
}

if (isMain(import.meta)) process.exitCode = await runStandalone('splay', splaySuite);
