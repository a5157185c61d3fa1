/**
 * The collector's reports, as the inspector reads them: `heap.observe(listener)` calls the
 * listener after every collector call (`tick`, `step`, `minor`, `collect`) with a `TickReport`.
 * The inspector feature-detects `observe`, so it runs (with a notice on the page) against a heap
 * that has none.
 */
import type { Heap } from '../heap.ts';

/** What one collector call did: the fields the inspector reads of the heap's `TickReport`. */
export interface CollectorReport {
  readonly call: 'tick' | 'step' | 'minor' | 'collect';
  readonly work: 'nothing' | 'minor' | 'major' | 'minor+major' | 'full';
  /** Wall time of the call. */
  readonly ms: number;
  /** Work units done. */
  readonly units: number;
  /** The budget the call was given: ms for `tick(ms)`, units for `tick({ units })` or `step(units)`; null when none. */
  readonly budgetMs: number | null;
  readonly budgetUnits: number | null;
  readonly minorFreed: number;
  readonly majorFreed: number;
  readonly cycleEnded: boolean;
  readonly phase: string;
  readonly young: number;
  readonly old: number;
  /** Units of collection work allocation asked for and no tick has paid yet. */
  readonly debt: number;
}

type Observable = { observe?: (listener: (report: CollectorReport) => void) => () => void };

/** Subscribes `listener` to the heap's collector reports; returns the unsubscribe function, or null when the heap has no `observe`. */
export function observeCollector(heap: Heap, listener: (report: CollectorReport) => void): (() => void) | null {
  const observe = (heap as unknown as Observable).observe;
  if (typeof observe !== 'function') return null;
  return observe.call(heap, listener);
}
