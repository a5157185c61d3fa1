/**
 * What the bitECS bridge's test files share: a world's entities in order, stores as text, and the
 * checks of a refused call (it throws, and changes neither the world's entities nor the stores).
 */
import { getAllEntities, type World } from 'bitecs';
import { expect } from 'vitest';
import type { Collector, CollectorOptions } from '../bitecs.ts';
import { createCollector } from '../bitecs.ts';

/** The world's live entities, in ascending order. */
export const alive = (world: World): number[] => [...getAllEntities(world)].sort((a, b) => a - b);

/** The stores as text, typed arrays as plain lists and bigints tagged: equal text means no entry changed. */
export const storesText = (stores: unknown[]): string =>
  JSON.stringify(
    stores,
    (_key, v) => ArrayBuffer.isView(v) ? [...(v as Uint32Array)] : typeof v === 'bigint' ? `${v}n` : v,
  );

/** Calls `act`, expecting it to throw; returns what it threw. */
export function thrown(act: () => unknown): Error {
  let error: unknown;
  try {
    act();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

/** `collect()`, expecting it to throw, and the world's entities and the given stores unchanged. */
export function refusedCollect(gc: Collector, stores: unknown[]): Error {
  const entities = alive(gc.world);
  const before = storesText(stores);
  const error = thrown(() => gc.collect());
  expect(error.message).toMatch(/; collect\(\) changed nothing$/);
  expect(alive(gc.world)).toEqual(entities);
  expect(storesText(stores)).toBe(before);
  return error;
}

/** `createCollector`, expecting it to throw, and the world's entities and the given stores unchanged. */
export function refusedCreate(world: World, options: unknown, stores: unknown[] = []): Error {
  const entities = alive(world);
  const before = storesText(stores);
  const error = thrown(() => createCollector(world, options as CollectorOptions));
  expect(alive(world)).toEqual(entities);
  expect(storesText(stores)).toBe(before);
  return error;
}
