// Deno-only checks: the package loads natively in Deno (no vitest, no Node shims) by its
// published name, as a Deno user would import it.
import assert from 'node:assert/strict';
import { Heap, NULL, StaleRefError } from '@ecs-heap/ecs-heap';

Deno.test('mod.ts loads in Deno by its package name and collects', () => {
  const heap = new Heap({ initialCapacity: 8 });
  const root = heap.alloc(1);
  heap.pin(root);
  const child = heap.alloc(0);
  heap.set(root, 0, child);
  const garbage = heap.alloc(0);
  assert.equal(heap.collect().freed, 1);
  assert.equal(heap.get(root, 0), child);
  assert.equal(heap.isAlive(garbage), false);
  assert.throws(() => heap.get(garbage, 0), StaleRefError);
  assert.notEqual(root, NULL);
  heap.verify();
});

Deno.test('the bitECS bridge loads by its sub-path name', async () => {
  const bridge = await import('@ecs-heap/ecs-heap/bitecs');
  assert.equal(typeof bridge.createCollector, 'function');
  const { addEntity, createWorld } = await import('bitecs');
  const world = createWorld();
  const kept = addEntity(world);
  addEntity(world);
  const gc = bridge.createCollector(world, { allowNoRoots: true });
  gc.root(kept);
  assert.equal(gc.collect().freed, 1);
});
