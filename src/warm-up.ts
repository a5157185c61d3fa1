/**
 * `Heap.warmUp()`: runs every collector path on scratch heaps during loading, so the engine has
 * compiled them before the first frame. Uses the public API only.
 */
import type { Heap as HeapClass, TickReport } from './heap.ts';
import { NULL, type Ref, type RefArray, type Ticket } from './core/handle.ts';

/** The last scratch heap and the query-drop heap, kept (see the end of `warmUp`). */
const kept: { scratchHeap: HeapClass | null; queryHeap: HeapClass | null } = { scratchHeap: null, queryHeap: null };

export function warmUp(Heap: typeof HeapClass, rounds: number): number {
  const start = performance.now();
  // The rare paths first, so the engine has seen them before it compiles the functions that hold
  // them: the rounds below then compile those functions once, whole. Run last, each of them threw
  // away the compiled code of a function that the rounds' remaining calls were too few to compile
  // again (`sweepNursery`, after `warmFreshMinors`), so the engine compiled it in a game's first
  // frames, on a thread that competes with the frame's for the machine's cores.
  warmWeakClearing(Heap);
  warmTenureSlices(Heap);
  warmFirstTicks(Heap);
  kept.queryHeap = warmQueryDrops(Heap);
  warmFreshMinors(Heap);
  // One merge of the small blocks, long enough for all of `allocBlock`'s paths (many more below).
  warmSmallMerges(Heap, 1);
  for (let heapNumber = 0; heapNumber < 2; heapNumber++) {
    const heap = new Heap({ nurserySize: 2048, minHeapObjects: 4096, growthPercent: 10 });
    const Link = heap.defineComponent({ to: 'ref', weak: 'weakref', hp: 'f32' }, { name: 'WarmUpLink' });
    const world = pinnedTree(heap, 4096, 3); // slot 3 stays free for attachments
    heap.collect();
    // The same handles as a `RefArray` (a Float64Array, as `allocMany` returns and games keep
    // them): a handle read from one is a double to the engine, a JS array's a small integer, and
    // code compiled for one kind alone was thrown away at a game's first store of the other.
    const worldRefs = new Float64Array(world) as RefArray;
    for (let round = 0; round < rounds; round++) {
      // Young objects of this round, stored into new ones while the cycle below promotes.
      const spares: Ref[] = [];
      for (let k = 0; k < 2048; k++) {
        const o = heap.alloc(2, k % 16 === 0 ? 'weak' : k % 16 === 1 ? 'ephemeron' : 'strong');
        const target = (k * 7919 + round) % world.length;
        heap.set(o, 0, (k & 1) === 0 ? world[target]! : worldRefs[target]! as Ref);
        if (k % 64 === 0) heap.add(o, Link, { to: world[k % world.length]!, weak: o });
        if (k % 256 === 0) heap.setFinalizer(o, () => {});
        // The owner named by a handle read from a `RefArray` too, a double to the engine: `set`'s
        // common call, compiled for small-integer owners only, was thrown away at a game's first
        // store into an object whose handle it kept in one (bench/deopt.ts: "not a Smi").
        if (k % 100 === 0) {
          heap.set(k % 200 === 0 ? world[k % world.length]! : worldRefs[k % world.length]! as Ref, 3, o);
        }
        // Destroyed: plain, named by the world (the markers clear the name), with hooks to run.
        if (k % 100 === 50 || k % 300 === 0 || k % 512 === 256) heap.destroy(o);
        // The rest of the round's stores run while a cycle promotes, then marks: the barrier's
        // marking path (shading, remembering during PROMOTE) compiled into every store there is.
        if (k === 1024) heap.step(256);
        if (k % 128 === 5 && k < 1024) spares.push(heap.alloc(1));
        // A new (black) object given a young white one while the cycle promotes: the barrier shades
        // it and dirties its card (a level's first spawns take the level's young objects so).
        if (k > 1024 && k <= 1024 + spares.length) heap.set(o, 1, spares[k - 1025]!);
        if (k === 1536) heap.step(2048);
      }
      heap.tick(0.5);
      heap.tick({ units: 4096 });
      heap.minor();
      heap.step(5000);
      // A cycle run to its end in small slices (the one `step(5000)` left, or a new one), as
      // `tick(1)` runs it in a game (a 512-unit chunk at a time): the functions a slice passes
      // through are called often enough to be compiled here, not in a game's first frames
      // (docs/decisions.md: without it the engine's other threads did twice the work there).
      while (!heap.step(64)) {
        // until the cycle ends
      }
      // Many small collections: the engine optimizes a function whole once it has been called
      // often enough; a few long calls only get their loops compiled (on-stack replacement), and
      // the function whole is compiled later, in the game's frames, while it runs slowly.
      for (let k = 0; k < 48; k++) {
        for (let j = 0; j < 64; j++) {
          const o = heap.alloc(2);
          heap.set(o, 0, world[(j * 7919 + k) % world.length]!);
          if (j % 32 === 0) heap.set(world[(j + k) % world.length]!, 3, o);
        }
        heap.minor();
        for (let t = 0; t < 8; t++) {
          heap.tick({ units: 64 });
          // Budgets as a game passes them: a fraction and a whole number of milliseconds (an
          // integer budget is a small integer to the engine, a fraction a double).
          heap.tick((t & 1) === 0 ? 0.01 : 1);
          heap.alloc(1);
        }
      }
      // Ticks that meet a full nursery, in both budget kinds: idle, so the tick runs the minor
      // itself, and at the end of a cycle it finishes (the debt's update then plans that minor).
      // The test of whether such a nursery is promoted early runs only there (above, every nursery
      // a tick met was small, the explicit minors having emptied it), and code compiled without it
      // was thrown away at a game's first such tick and first cycle's end (V8: "insufficient type
      // feedback for call" in `runTick`, and in `plannedWork` inlined in `finish`). The first round
      // gives the engine that feedback before it compiles them, the last runs their compiled code.
      // The last two meet one their budget cannot pay for (a level's first ticks do: its nursery
      // is the level), so the tick weighs a catch-up minor against a fold; compiled without that
      // test, `runTick` was thrown away at bench/level-load's first tick.
      for (let k = 0; k < 6 && (round === 0 || round === rounds - 1); k++) {
        if (k === 2 || k === 3) heap.step(1);
        for (let j = 0; j < 2048; j++) heap.set(heap.alloc(2), 0, world[(j * 31 + k) % world.length]!);
        if (k === 4) heap.tick(0.001);
        else if (k === 5) heap.tick({ units: 1 });
        else if ((k & 1) === 0) heap.tick(k >= 2 ? 1000 : 1);
        else heap.tick({ units: 1 << 22 });
      }
      if (round === rounds - 1) heap.tenure();
    }
    heap.collect();
    // Kept alive: the engine's compiled collector embeds, weakly, the hidden classes of what it
    // saw here (the scratch heap's component and its records); were they collected, every
    // function holding one would be thrown away and compiled again in the game's first frames
    // (V8's "weak objects" deoptimizations, measured at 2-5 ms minors on bench/level-load).
    kept.scratchHeap = heap;
  }
  // Rare work with long loops, once the rounds have compiled the calls around it (run first, on
  // code not yet compiled, they cost ~80 ms more for the same effect).
  warmSmallMerges(Heap, 8);
  warmReclaims(Heap);
  warmAtomicWeakClearing(Heap);
  // Last, once the rounds have run every rarer path: the common ones at a game's volume.
  warmFirstFrames(Heap);
  return performance.now() - start;
}

/**
 * A tree of `objects` new 4-slot objects, each naming its `children` children in its first slots
 * (the rest stay free), the root pinned: the handles in allocation order, the root first.
 */
function pinnedTree(heap: HeapClass, objects: number, children: number): Ref[] {
  const tree: Ref[] = [heap.alloc(4)];
  heap.pin(tree[0]!);
  for (let i = 1; i < objects; i++) {
    const node = heap.alloc(4);
    heap.set(tree[Math.floor((i - 1) / children)]!, (i - 1) % children, node);
    tree.push(node);
  }
  return tree;
}

/**
 * Weak references cleared by both kinds of collection, each kind of holder once: weak slots,
 * ephemeron pairs (key dead, or only the value), `weakref` fields, in young holders (a minor) and
 * old ones (a major), their targets young and old. The clearing (gc/weak.ts `clearDeadIn`) runs
 * once per weak holder: the rounds below compile it early, and a branch they met only later threw
 * that code away ("insufficient type feedback"), after which its calls were too few to compile it
 * again: the game suite's first minor, clearing ~9,700 young weak projectiles, ran it uncompiled or
 * compiled it on the spot (4.2-4.4 ms with Node's `--single-threaded`, 0.8-4.5 ms without, against
 * 0.12 compiled). Run first, so every branch has been seen before anything compiles it.
 */
function warmWeakClearing(Heap: typeof HeapClass): void {
  const heap = new Heap();
  const Aim = heap.defineComponent({ at: 'weakref', by: 'ref' }, { name: 'WarmUpWeakAim' });
  const keep = heap.alloc(64);
  heap.pin(keep);
  const old = heap.alloc(0);
  heap.set(keep, 63, old);
  for (let round = 0; round < 4; round++) {
    for (let k = 0; k < 60; k++) {
      const weak = heap.alloc(2, 'weak');
      heap.set(weak, 0, heap.alloc(0)); // dies
      heap.set(weak, 1, old);
      const pairs = heap.alloc(4, 'ephemeron');
      heap.set(pairs, 0, heap.alloc(0)); // a dead key: the pair goes
      heap.set(pairs, 1, old);
      heap.set(pairs, 2, old);
      heap.set(pairs, 3, heap.alloc(0)); // a live key, the value only it holds: kept
      // A strong holder's fields are cleared through its component, a weak holder's with its slots.
      const aimed = heap.alloc(1, (k & 4) === 0 ? 'strong' : 'weak');
      heap.add(aimed, Aim, { at: heap.alloc(0), by: old });
      heap.set(aimed, 0, heap.alloc(0));
      heap.set(keep, k, k % 3 === 0 ? weak : k % 3 === 1 ? pairs : aimed);
    }
    // Young holders (a minor clears them), then old ones (the next round's major).
    if ((round & 1) === 0) heap.minor();
    else heap.collect();
  }
}

/**
 * Cycles whose atomic step clears the references of many young weak objects (those allocated
 * while the cycle marked: gc/weak.ts `clearDeadReferences`), as the game suite's projectiles are:
 * ~10^4 a cycle there. Called once a cycle, the pass was never compiled in the rounds below (a few
 * entries each time), and the game's first atomic step ran it uncompiled: 3-4 ms with Node's
 * `--single-threaded`. Eight cycles of 3,000 here.
 */
function warmAtomicWeakClearing(Heap: typeof HeapClass): void {
  const heap = new Heap();
  const keep = heap.alloc(1024);
  heap.pin(keep);
  for (let round = 0; round < 8; round++) {
    heap.step(1); // a cycle begins; what is allocated from here on is young until its end
    for (let k = 0; k < 3000; k++) {
      const weak = heap.alloc(1, 'weak');
      heap.set(weak, 0, (k & 1) === 0 ? keep : heap.alloc(0));
      if (k % 6 === 0) heap.set(keep, (k / 6) % 1024, weak);
    }
    while (!heap.step(4096)) {
      // to the cycle's end
    }
  }
}

/**
 * Nurseries that nearly all survive, made old by `tick` in slices outside any cycle (TENURE, once
 * minors have measured that they survive and that their aged survivors do too: gc/pacer.ts,
 * `promoteEarly`), as a game's spawns that live for many frames are. Never run here before, the
 * game suite's first such tick threw `stepCycle`'s compiled code away ("insufficient type feedback
 * for call", its TENURE branch), and the game's first major cycle, a few seconds later, ran it and
 * the rare steps it had inlined (`atomic`, `clearDeadReferences`, `clearSlice`) uncompiled: slices
 * of 3-5 ms with Node's `--single-threaded` instead of 1.
 */
function warmTenureSlices(Heap: typeof HeapClass): void {
  const heap = new Heap({ nurserySize: 256, minHeapObjects: 2048 });
  let last = heap.alloc(1);
  heap.pin(last);
  const chain = (objects: number) => {
    // Every object survives.
    for (let k = 0; k < objects; k++) {
      const o = heap.alloc(1);
      heap.set(o, 0, last);
      last = o;
    }
    heap.pin(last);
  };
  for (let round = 0; round < 24; round++) {
    chain(300);
    for (let t = 0; t < 4; t++) {
      heap.tick((round & 1) === 0 ? { units: 256 } : 1);
      // Between TENURE's slices ('mark' to `phase`), a young object stored into one made since:
      // the barrier cannot tell it from one being made old, and dirties its card (`afterStore`'s
      // branch for that, first run in the game suite's frames, threw the barrier's code away there).
      if (heap.phase === 'mark') heap.set(heap.alloc(1), 0, heap.alloc(0));
    }
    // A tick that finds a major cycle due (the old generation grown past its trigger by the
    // nurseries made old) with a young nursery not yet full: the cycle starts with it (`runTick`'s
    // test of that was first run by the game suite's first cycle, which threw its code away).
    chain(30);
    heap.tick((round & 1) === 0 ? { units: 256 } : 1);
  }
}

/**
 * A fresh heap's first ticks, which meet a nursery the budget cannot pay for before any minor has
 * measured survival (a level just built): the tick asks whether anything can reach that nursery
 * (gc/pacer.ts, `nurseryUnreached`), and runs a catch-up minor when nothing can, else folds the
 * nursery into a cycle. The rounds above measure survival first, so they never ask, and `runTick`,
 * compiled without that call, was thrown away at bench/level-load's first tick ("insufficient type
 * feedback for call"). Run first, so the engine has seen the call before it compiles `runTick`.
 */
function warmFirstTicks(Heap: typeof HeapClass): void {
  // Many small heaps, one tick each: the engine records what a function calls only after it has
  // run a while (V8 allocates a function's feedback lazily: ~15 calls of `runTick`), so sixteen
  // were not enough.
  for (let k = 0; k < 48; k++) {
    const heap = new Heap({ nurserySize: 64 });
    let last = heap.alloc(2);
    for (let j = 1; j < 96; j++) {
      const o = heap.alloc(2);
      heap.set(o, 0, last);
      last = o;
    }
    // Reached through a pin (the tick folds the nursery into a cycle) or by nothing (a catch-up
    // minor frees it), in both budget kinds.
    if ((k & 2) !== 0) heap.pin(last);
    if ((k & 1) === 0) heap.tick(0.001);
    else heap.tick({ units: 1 });
    // Then, survival measured (three nurseries of garbage), a nursery past the budget, mostly
    // garbage: the tick weighs a catch-up minor by its survivors' cost. Not run before the rounds
    // compiled `runTick`, this threw its code away there, and the rest of the warm-up called it
    // too little to compile it again (the game suite compiled it some 240 frames in).
    for (let m = 0; m < 3; m++) {
      for (let j = 0; j < 96; j++) heap.alloc(2);
      heap.minor();
    }
    const kept = heap.alloc(1);
    heap.pin(kept);
    for (let j = 0; j < 200; j++) heap.set(kept, 0, heap.alloc(0));
    if ((k & 1) === 0) heap.tick(0.001);
    else heap.tick({ units: 8 });
  }
}

/**
 * Minors that find the queue of free indices empty, as in a game's first frames after a level
 * loads (every spawn takes a new index): the nursery sweep's branch that starts the queue at its
 * first freed object runs only then. Not run by the rounds above (a destroy or a sweep always left
 * the queue non-empty), the sweep's code was thrown away at the first such minor of a game, and
 * the next few minors ran uncompiled: on bench/level-load's first run, 50-64 ns a unit against
 * 13-21 after, four `tick(1)` minors of 1.0-1.3 ms. (The branch now sets a local, written to the
 * state after the loop; JSC had compiled its store to the state as an exit taken at every such
 * minor.) Each round allocates more than the last minor freed, so the queue is empty again when
 * the next minor starts.
 */
function warmFreshMinors(Heap: typeof HeapClass): void {
  const heap = new Heap();
  const anchor = heap.alloc(2);
  heap.pin(anchor);
  // Old objects that spawns are stored into, more each round: the remembered slots' list grows
  // between minors, as a level's objects take a game's first spawns, and later rounds remember
  // more than the scans' prefetch threshold (gc/cards.ts). Paths never run here before threw the
  // barrier's and the minor's code away in bench/level-load's first frames.
  const holders: Ref[] = [];
  for (let k = 0; k < 1024; k++) {
    holders.push(heap.alloc(2));
    heap.pin(holders[k]!);
  }
  // An old object of 256 slots (an inventory, a spawner's list): its block is zeroed whole, and a
  // store into its last slots, past those a card can name, dirties its card instead.
  const wide = heap.alloc(256);
  heap.pin(wide);
  heap.tenure();
  const Tag = heap.defineComponent({ v: 'f32' }, { name: 'WarmUpMinorTag' });
  // A weak target and a strong one in component fields: the minor clears the first when its object
  // dies, and a kept object promoted with the second is tested for young references (the rounds
  // below add such fields first otherwise, and threw the minor's compiled clearing away).
  const Aim = heap.defineComponent({ at: 'weakref', by: 'ref' }, { name: 'WarmUpMinorAim' });
  for (let round = 1; round <= 48; round++) {
    for (let k = 0; k < 32 * round; k++) {
      // Weak and ephemeron spawns too, as a game's projectiles with weak targets: kept ones survive
      // minors young, so the minor clears their dead young targets (`clearDeadIn`'s minor tests,
      // never run here before: the game suite's first minors threw its code away and ran it, with
      // `clearDeadYoungReferences` and `settleYoungLists`, uncompiled, 4.5-5.8 ms ticks).
      const kind = k % 4 === 1 ? 'weak' : k % 8 === 3 ? 'ephemeron' : 'strong';
      const o = heap.alloc(2, kind);
      heap.set(o, 0, anchor);
      // A young target nothing else holds: the weak slot is cleared, the ephemeron's pair (its key)
      // too, by the minor that frees it.
      if (kind === 'weak') heap.set(o, 1, heap.alloc(0));
      else if (kind === 'ephemeron') heap.set(o, 0, heap.alloc(0));
      if (k % 16 === 1) heap.add(o, Aim, { at: heap.alloc(0), by: anchor });
      if (k % 32 === 9) heap.setFinalizer(o, () => {});
      // With a component, some kept a round (they die aged) and the one the minor frees first
      // (the nursery is newest first, the round's last spawn survives): freed through
      // `releaseObject`, into an empty queue.
      if (k % 7 === 0 || k === 32 * round - 2) heap.add(o, Tag);
      // Every fifth holder keeps its spawn for four rounds: it is promoted, and its entry dropped.
      if (k < 24 * round && k < holders.length && (k % 5 !== 4 || round % 4 === 1)) {
        heap.set(holders[k]!, 0, o);
        // A second slot of one object: the object is remembered whole from then on.
        if (k % 3 === 0) heap.set(holders[k]!, 1, o);
      }
      // The spawn a fifth holder keeps names this newer one: the minor's marker traces a young
      // object's edge to a young object, and the minor that promotes the older one leaves this
      // one young, so the promoted object's card is dirtied. Never run here before, both threw
      // their compiled code away in a game's first minors (bench/deopt.ts).
      if (k % 5 === 4 && round % 4 === 2 && k < holders.length) {
        const held = heap.get(holders[k]!, 0);
        if (held !== NULL) heap.set(held, 1, o);
      }
      if (k % 97 === 0) heap.set(wide, 255 - (k & 3), o);
      // Larger blocks that die young, between live ones: the sweep gives them back to the pool's
      // lists (`freeBlock`'s call for blocks of four slots and more, which no spawn above makes; a
      // game's first such free, a resized bucket in the game suite, threw the minor's compiled code
      // away mid-sweep, and its next 9,700 objects were swept uncompiled: 1-4 ms).
      if (k % 61 === 7) heap.alloc(3 + (k % 125));
      // The round's last object survives (the anchor names it), above the blocks of the dead:
      // theirs go to the free list, not back to the pool's top, and the list grows inside the
      // nursery sweep, as in a game's first minors, where spawns kept by the level lie between
      // those that die (bench/level-load: its first minor threw the sweep's code away there).
      if (k === 32 * round - 1) heap.set(anchor, 1, o);
    }
    heap.minor();
  }
}

/**
 * A major cycle's reclaim of destroyed objects in slices (gc/destroy.ts, `reclaimSlice`): a game
 * that destroys its units by hand reclaims a few thousand a cycle, in a handful of slices, too few
 * for the engine to compile them in play. Each round destroys half of a pinned holder's objects
 * (old, one of them pinned until the next round) and a batch of young ones (one pinned too), then
 * runs a cycle in small steps, so every path of the slice runs before the engine compiles it.
 */
function warmReclaims(Heap: typeof HeapClass): void {
  const heap = new Heap();
  const holder = heap.alloc(2048);
  heap.pin(holder);
  for (let k = 0; k < 2048; k++) heap.set(holder, k, heap.alloc(1));
  heap.collect();
  let rooted: Ticket[] = [];
  for (let round = 0; round < 6; round++) {
    for (const ticket of rooted) heap.unpin(ticket);
    rooted = [];
    for (let k = round & 1; k < 2048; k += 2) {
      const unit = heap.get(holder, k);
      if (k < 2) rooted.push(heap.pin(unit));
      heap.destroy(unit);
      heap.set(holder, k, heap.alloc(1));
    }
    for (let k = 0; k < 128; k++) {
      const young = heap.alloc(1);
      if (k === 0) rooted.push(heap.pin(young));
      heap.destroy(young);
    }
    while (!heap.step(64)) {
      // until the cycle ends
    }
  }
}

/**
 * Merges of many small free blocks in slices (core/slots.ts, `mergeSmallSlice`): a game merges
 * once a major cycle or so, too rarely for the engine to compile the walk in play, and the first
 * merges of the game suite, run by the interpreter and baseline code, took 100-400 ns a block
 * visited against ~20 compiled (Node): 3.5-8.8 ms in one frame's spawn wave. Each round frees
 * ~1,600 singles and pairs, most beside free buddies (some beside live ones: every fifth stays),
 * more than a slice visits, then takes blocks of 64 slots, which run the walk to its end.
 */
function warmSmallMerges(Heap: typeof HeapClass, rounds: number): void {
  const heap = new Heap({ initialCapacity: 4096 });
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < 2048; k++) {
      const o = heap.alloc(1 + (k & 1));
      if (k % 5 === 0) heap.pin(o);
    }
    heap.pin(heap.alloc(1)); // on top: the freed blocks stay listed
    heap.collect();
    // Pinned, so that no round's blocks of 64 serve the next round's without a merge.
    for (let k = 0; k < 24; k++) heap.pin(heap.alloc(64));
  }
}

/**
 * A game's first frames after loading, at a game's volume: a level of young objects (a tree
 * reached from a pin), and each frame spawns that take components (with `init`, one with a `ref`
 * field), a query loop and a tick, until the level's first cycle has promoted, marked and swept
 * it. The rounds above run these paths on a few thousand objects, with the rarer paths between;
 * a level's frames run them on ~10^5, and the engine compiled them again, optimized, in those
 * frames: in Deno (V8 15), `promoteSlice` at bench/level-load's first tick (4.4 ms on a compile
 * thread, which on two cores took the frame's core in some processes: a 4 ms first tick) and the
 * component paths (`add`, `addMember`, `matches`) in bench/deopt.ts's first frames. Run last, so
 * no rarer path throws that code away again (run first, `promoteSlice`'s was, by the rounds'
 * first promotion of a destroyed object). docs/decisions.md, "The warm-up ends with a game's first
 * frames".
 */
function warmFirstFrames(Heap: typeof HeapClass): void {
  const heap = new Heap({ initialCapacity: 4 * LEVEL_OBJECTS });
  const Position = heap.defineComponent({ x: 'f32', y: 'f32' }, { name: 'WarmUpPosition' });
  const Aim = heap.defineComponent({ at: 'ref', hp: 'f32' }, { name: 'WarmUpAim' });
  // Five components, as games define more than the few a heap keeps no masks for (the masks'
  // paths, never run here before, threw `addMembers` away in the game suite's first frames).
  const Velocity = heap.defineComponent({ vx: 'f32', vy: 'f32' }, { name: 'WarmUpVelocity' });
  const Expiry = heap.defineComponent({ at: 'i32' }, { name: 'WarmUpExpiry' });
  const Health = heap.defineComponent({ hp: 'f32' }, { name: 'WarmUpHealth' });
  const level = pinnedTree(heap, LEVEL_OBJECTS, 4);
  const leaves = LEVEL_OBJECTS >> 2; // the tree's last quarter: leaves, their slots free
  // Waves as a game spawns them (`allocMany` with targets into a reused array, then `addMany`),
  // weak and strong, and the tick's report into a reused record: never run here before, the game
  // suite threw `allocWave` (a wave while a cycle marks; one taking queued free indices), `tick`
  // (its `into` argument) and `#report` (a record made by the game) away in its first frames.
  const waveTargets = new Float64Array(WAVE) as RefArray;
  const wave = new Float64Array(WAVE) as RefArray;
  const report = {} as TickReport;
  let started = false;
  let framesAfter = 0;
  for (let frame = 0; frame < 1000; frame++) {
    for (let k = 0; k < WAVE; k++) waveTargets[k] = level[(k * 131 + frame) % LEVEL_OBJECTS]!;
    heap.allocMany(WAVE, 1, (frame & 1) === 0 ? 'weak' : 'strong', waveTargets, wave);
    heap.addMany(wave, Position);
    heap.addMany(wave, Velocity);
    heap.addMany(wave, Expiry);
    if ((frame & 3) === 0) heap.add(wave[0]!, Health, { hp: frame });
    // One a wave kept a while by the level (the rest die young, or in the cycle).
    for (let k = 0; k < WAVE; k += 8) heap.set(level[LEVEL_OBJECTS - 1 - ((k + frame * 5) % leaves)]!, 2, wave[k]!);
    for (let k = 0; k < 256; k++) {
      const o = heap.alloc(2);
      heap.set(o, 0, level[(k * 7919 + frame) % LEVEL_OBJECTS]!);
      heap.add(o, Position, { x: k, y: frame });
      if (k % 4 === 0) heap.add(o, Aim, { at: level[(k * 31 + frame) % LEVEL_OBJECTS]!, hp: 100 });
      // One spawn in 64 kept by the level, in a leaf's slot.
      if (k % 64 === 0) heap.set(level[LEVEL_OBJECTS - 1 - ((k + frame * 7) % leaves)]!, frame & 3, o);
    }
    const xs = Position.x;
    for (const i of heap.query(Position, Aim)) xs[i] = xs[i]! + 1;
    if ((frame & 1) === 0) heap.tick({ units: TICK_UNITS });
    else heap.tick({ units: TICK_UNITS }, report);
    if (heap.phase !== 'idle' && framesAfter === 0) started = true;
    // A few frames past the first cycle's end (whatever runs then): its sweep queued free indices,
    // which the waves then take.
    else if (started && ++framesAfter === 8) break;
  }
}

/** Objects in each of `warmFirstFrames`' waves. */
const WAVE = 8;
/** Objects in `warmFirstFrames`' level. */
const LEVEL_OBJECTS = 16384;
/**
 * Work units of its frames' ticks: the level's cycle ends in ~60 frames, ~16k spawns (at 4,096,
 * half as many, and Deno and Node still compiled the component paths in bench/deopt.ts's first
 * frames more often). What the pass adds to the warm-up's time is in docs/decisions.md.
 */
const TICK_UNITS = 2048;

/**
 * Queries met during a sweep: a query's first call after a cycle's atomic step drops the cycle's
 * dead members (`heap.query`), once a query a cycle, too rarely for the engine to compile that pass
 * from a game's calls: its first calls walked a 100k-member list uncompiled, 2-9 ms in Node
 * (bench/ecs.bench.ts). So here: many short cycles of a small heap, each stepped in small slices
 * until it sweeps, its queries called there, then finished by `collect()` (stepping it to the end
 * instead left the first drop in a game as slow as without this). Returns the heap, kept alive as
 * `warmUp`'s is.
 */
function warmQueryDrops(Heap: typeof HeapClass): HeapClass {
  const heap = new Heap();
  const Tag = heap.defineComponent({ v: 'f32' }, { name: 'WarmUpTag' });
  const Mark = heap.defineComponent({ v: 'u8' }, { name: 'WarmUpMark' });
  // More than the few components a heap keeps no masks for (core/component-store.ts), of other
  // column types: a game's five components (one of them `i32`) turned the masks on and changed
  // the types its columns were seen with, and the cycle's walk over dead members
  // (`dropDeadMembers`), compiled for neither, was thrown away in the game suite's first cycle.
  const Count = heap.defineComponent({ n: 'i32' }, { name: 'WarmUpCount' });
  const Wide = heap.defineComponent({ d: 'f64', pair: ['u32', 2] }, { name: 'WarmUpWide' });
  const Step = heap.defineComponent({ s: 'u16' }, { name: 'WarmUpStep' });
  const holder = heap.alloc(1);
  heap.pin(holder);
  // Every eighth spawn kept a cycle, between dead ones: a query's drop moves the kept forward.
  const keepers = heap.alloc(12);
  heap.pin(keepers);
  for (let cycle = 0; cycle < 64; cycle++) {
    for (let k = 0; k < 96; k++) {
      const o = heap.alloc(0);
      heap.add(o, Tag);
      if (k % 3 === 0) heap.add(o, Mark);
      if (k % 5 === 0) heap.add(o, Count);
      if (k % 7 === 0) heap.add(o, Wide);
      if (k % 2 === 0) heap.add(o, Step);
      if (k % 4 === 0) heap.set(holder, 0, o); // one kept a while; the rest die in this cycle
      if (k % 8 === 1) heap.set(keepers, k >> 3, o);
    }
    // Every fourth cycle, the dead spawns freed young first, their components released by the
    // sweep with the masks on (`releaseComponents`; the game suite's first such free threw it away).
    if (cycle % 4 === 3) heap.minor();
    heap.query(Tag);
    heap.query(Tag, Mark);
    while (heap.phase !== 'sweep') heap.step(16);
    heap.query(Tag);
    heap.query(Tag, Mark);
    heap.collect();
  }
  return heap;
}
