/** Helpers the unit, error and fuzz suites share. */
import type { Heap } from '../mod.ts';

/** How an error message names a value (src/core/handle.ts `describe`, loosely: the value, or its type). */
export function token(value: unknown): string {
  switch (typeof value) {
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'string':
      return `'${value}'`;
    case 'bigint':
      return `${value}n`;
    case 'symbol':
      return String(value);
    case 'function':
      return 'function';
    case 'object':
      return value === null ? 'null' : 'object';
    default:
      return String(value);
  }
}

/** `stats()` without its wall-clock fields, for exact comparison. */
export function statsOf(heap: Heap): Record<string, unknown> {
  const stats: Record<string, unknown> = { ...heap.stats() };
  delete stats.lastPauseMs;
  delete stats.maxPauseMs;
  delete stats.totalPauseMs;
  return stats;
}

/** The error `fn` throws; fails the test when it throws nothing. */
export function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}
