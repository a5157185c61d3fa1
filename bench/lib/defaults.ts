/**
 * The library's option defaults, read from the library (never copied here), so a suite that
 * compares against "the default cardSize" follows the library when its defaults change.
 */
import { resolveOptions } from '../../src/core/options.ts';

const resolved = resolveOptions({});

export const DEFAULTS = {
  /** Object indices per card of the remembered set. */
  cardSize: 2 ** resolved.cardShift,
  promoteAfter: resolved.promoteAfter,
  /** `tick` runs a minor once this many young objects exist. */
  nurserySize: resolved.nurserySize,
  growthPercent: resolved.growthPercent,
  minHeapObjects: resolved.minHeapObjects,
  indexBits: resolved.indexBits,
} as const;
