/**
 * bench/lib/binary-trees-floor.ts `runFloor`: the binary-trees suite's floor must run the program
 * (the same check values as plain JS objects) and do the heap's collection work (a minor each time
 * the heap's pacer runs one, tracing the pinned tree while it is young), or its time says nothing
 * about the heap's.
 */
import { describe, expect, test } from 'vitest';
import { jsBuild, jsCheck } from '../bench/binary-trees.bench.ts';
import { runFloor } from '../bench/lib/binary-trees-floor.ts';
import { Heap, type Ref } from '../mod.ts';

/** The program's check values with plain JS objects (bench/binary-trees.bench.ts `runJs`'s). */
function jsChecks(maxDepth: number): number[] {
  const checks = [jsCheck(jsBuild(maxDepth + 1))];
  const longLived = jsBuild(maxDepth);
  for (let d = 4; d <= maxDepth; d += 2) {
    const iterations = 2 ** (maxDepth - d + 4);
    let sum = 0;
    for (let i = 1; i <= iterations; i++) sum += jsCheck(jsBuild(d));
    checks.push(iterations, sum);
  }
  checks.push(jsCheck(longLived));
  return checks;
}

/** The heap's minors for the program, `tick` after each tree as the suite's run, by work units (no clock). */
function heapMinors(maxDepth: number): number {
  const heap = new Heap();
  const build = (depth: number): Ref => {
    const node = heap.alloc(2);
    if (depth > 0) {
      heap.set(node, 0, build(depth - 1));
      heap.set(node, 1, build(depth - 1));
    }
    return node;
  };
  const budget = { units: 1e6 };
  const report = heap.tick(budget);
  build(maxDepth + 1);
  heap.tick(budget, report);
  heap.pin(build(maxDepth));
  for (let d = 4; d <= maxDepth; d += 2) {
    for (let i = 1; i <= 2 ** (maxDepth - d + 4); i++) {
      build(d);
      heap.tick(budget, report);
    }
  }
  heap.verify();
  return heap.stats().minorCollections;
}

describe('bench/lib/binary-trees-floor.ts runFloor', () => {
  test('gives the check values plain JS objects give', () => {
    for (const depth of [4, 6, 8, 10]) expect(runFloor(depth).checks, `depth ${depth}`).toEqual(jsChecks(depth));
  });

  test("runs a minor where the heap's pacer runs one, and reuses indices as the heap does", () => {
    for (const depth of [8, 10, 12]) {
      const floor = runFloor(depth);
      expect(floor.minors, `depth ${depth}`).toBe(heapMinors(depth));
      // The stretch tree (2^(depth + 2) - 1 objects) is freed and its indices reused: no more are
      // used than it and the long-lived tree beside a nursery's worth.
      expect(floor.top).toBeLessThan(2 ** (depth + 2) + 2 ** (depth + 1) + 2 * 8192);
      expect(floor.minors).toBeGreaterThan(0);
    }
  });
});
