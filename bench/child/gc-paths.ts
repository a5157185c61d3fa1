/**
 * The workload `bench/deopt.ts` runs under `--trace-deopt-verbose`: every collector path (alloc,
 * stores, minor, incremental slices through tick, full collections, weak objects, components),
 * first as warm-up, then again on fresh heaps; or, with `--first-frames`, a game's first frames
 * right after `Heap.warmUp()` (`firstFrames`). It writes `=== measured` between the two phases
 * and `=== end` at the end, synchronously, so the deoptimizations V8 prints (on the same stdout,
 * flushed as they happen) fall on the right side.
 *
 *   node --trace-deopt-verbose --import tsx bench/child/gc-paths.ts [--quick] [--first-frames]
 */
import { writeSync } from 'node:fs';
import process from 'node:process';
import { Heap, type Ref } from '../../mod.ts';
import { makeGraph, prng } from '../lib/graphs.ts';
import { buildHeap, handlesOf } from '../lib/heaps.ts';

const quick = process.argv.includes('--quick');

/** A 10^5-node world, a game loop of `frames` frames with tick(1), majors included, then full collections. */
function workload(frames: number): void {
  const world = 1e5;
  const heap = buildHeap(makeGraph('tree', world), { initialCapacity: 1 << 18, growthPercent: 5 });
  heap.collect();
  const nodes = handlesOf(heap, world);
  const Link = heap.defineComponent({ to: 'ref', seen: 'weakref', hp: 'f32' }, { name: 'Link' });
  const rand = prng(0xdeb);
  const pick = (k: number) => Math.floor(rand() * k);
  for (let f = 0; f < frames; f++) {
    for (let s = 0; s < 2000; s++) {
      const o: Ref = heap.alloc(2, s % 50 === 0 ? 'weak' : 'strong');
      heap.set(o, 0, nodes[pick(world)]!);
      heap.set(o, 1, nodes[pick(world)]!);
      if (s % 200 === 0) heap.add(o, Link, { to: nodes[pick(world)]!, seen: o, hp: 1 });
      if (rand() < 0.01) heap.set(nodes[world - 1 - pick(world >> 1)]!, pick(4), o);
    }
    heap.tick(1);
  }
  for (let r = 0; r < 5; r++) heap.minor();
  for (let r = 0; r < 5; r++) heap.collect();
  while (!heap.step(10_000)) { /* drain one incremental cycle */ }
  heap.verify();
}

/**
 * A game's first frames, with nothing before them but `Heap.warmUp()`: a level loaded young (a
 * tree of `level` objects, no component), then frames that spawn short-lived objects, 1% of them
 * stored into the level, and `tick(1)`; then a second world with components (no `ref` field),
 * added and queried every frame. The shapes bench/level-load and bench/game meet first.
 */
function firstFrames(level: number, frames: number): void {
  const heap = buildHeap(makeGraph('tree', level), { initialCapacity: 2 * level });
  const nodes = handlesOf(heap, level);
  const rand = prng(0x1e7e1);
  const pick = (k: number) => Math.floor(rand() * k);
  for (let f = 0; f < frames; f++) {
    for (let s = 0; s < 1000; s++) {
      const o: Ref = heap.alloc(2);
      heap.set(o, 0, nodes[pick(level)]!);
      heap.set(o, 1, nodes[pick(level)]!);
      if (rand() < 0.01) heap.set(nodes[level - 1 - pick(level >> 1)]!, pick(4), o);
    }
    heap.tick(1);
  }
  const world = new Heap({ initialCapacity: 1 << 16 });
  const Position = world.defineComponent({ x: 'f32', y: 'f32' }, { name: 'Position' });
  const Health = world.defineComponent({ hp: 'f32' }, { name: 'Health' });
  const keep = world.alloc(256);
  world.pin(keep);
  for (let f = 0; f < frames; f++) {
    for (let s = 0; s < 500; s++) {
      const o: Ref = world.alloc(1);
      world.add(o, Position, { x: s, y: f });
      if (s % 4 === 0) world.add(o, Health, { hp: 100 });
      if (s % 50 === 0) world.set(keep, (f + s) & 255, o);
    }
    const xs = Position.x;
    for (const i of world.query(Position, Health)) xs[i] = xs[i]! + 1;
    world.tick(1);
  }
}

if (process.argv.includes('--first-frames')) {
  Heap.warmUp();
  writeSync(1, '=== measured\n');
  firstFrames(quick ? 50_000 : 200_000, quick ? 60 : 120);
} else {
  Heap.warmUp();
  workload(quick ? 60 : 200);
  writeSync(1, '=== measured\n');
  workload(quick ? 60 : 200);
}
writeSync(1, '=== end\n');
