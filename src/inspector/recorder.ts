/**
 * The inspector's memory of past frames: a ring of the last `capacity` collector calls, one
 * record each, in typed-array columns. Recording one is a handful of stores and no allocation, so
 * an inspector nobody looks at costs the game almost nothing; the page gets the backlog when it
 * connects and the new records a few times a second after.
 */
import type { HeapState } from '../core/state.ts';
import type { TickReport } from '../heap.ts';

export const CALLS = ['tick', 'step', 'minor', 'collect'] as const;
export const WORKS = ['nothing', 'minor', 'major', 'minor+major', 'full', 'tenure'] as const;
/** The same, as codes by name: one property load per record instead of a search. */
const CALL_CODE: Record<string, number> = Object.fromEntries(CALLS.map((name, code) => [name, code]));
const WORK_CODE: Record<string, number> = Object.fromEntries(WORKS.map((name, code) => [name, code]));

/** The record columns, in the order the page receives them. */
export const COLUMNS = [
  /** Index into CALLS and WORKS. */
  'call',
  'work',
  'ms',
  'units',
  /** NaN (null on the wire) when the call had no budget of that kind. */
  'budgetMs',
  'budgetUnits',
  'minorFreed',
  'majorFreed',
  'cycleEnded',
  'young',
  'old',
  'debt',
  /** Indices on the free list, and retired ones: read from the state, O(1). */
  'free',
  'retired',
  'dirtyCards',
  /** `stats().bytes` as last sampled (sampling it costs a walk over every column, so not per call). */
  'bytes',
] as const;
export type Column = (typeof COLUMNS)[number];

/** Records as columns: `seq` is the number of the first record (records are numbered from 1). */
export interface Records {
  seq: number;
  columns: Record<Column, number[]>;
  /** The phase after each call, as named by the report. */
  phase: string[];
}

export class Recorder {
  readonly capacity: number;
  /** Records made so far; record `n` (1-based) lives at `(n - 1) % capacity`. */
  count = 0;
  /** `stats().bytes` from the last sample, carried into each record. */
  bytes = 0;
  readonly #columns: Record<Column, Float64Array>;
  readonly #phase: string[];

  constructor(capacity: number) {
    this.capacity = capacity;
    this.#columns = Object.fromEntries(COLUMNS.map((c) => [c, new Float64Array(capacity)])) as Record<
      Column,
      Float64Array
    >;
    this.#phase = new Array<string>(capacity).fill('idle');
  }

  /** Records one collector call: its report, and the free/retired/dirty counts the state holds now. */
  record(report: TickReport, s: HeapState): void {
    const k = this.count % this.capacity;
    const c = this.#columns;
    c.call[k] = CALL_CODE[report.call]!;
    c.work[k] = WORK_CODE[report.work]!;
    c.ms[k] = report.ms;
    c.units[k] = report.units;
    c.budgetMs[k] = report.budgetMs ?? NaN;
    c.budgetUnits[k] = report.budgetUnits ?? NaN;
    c.minorFreed[k] = report.minorFreed;
    c.majorFreed[k] = report.majorFreed;
    c.cycleEnded[k] = report.cycleEnded ? 1 : 0;
    c.young[k] = report.young;
    c.old[k] = report.old;
    c.debt[k] = report.debt;
    // Indices below `top` are live (the doomed of a sweep included), retired, or on the free list.
    c.free[k] = s.top - 1 - s.live - s.retired;
    c.retired[k] = s.retired;
    c.dirtyCards[k] = s.dirtyCount + s.rememberedSlotCount; // as `stats().dirtyCards`: the whole remembered set
    c.bytes[k] = this.bytes;
    this.#phase[k] = report.phase;
    this.count++;
  }

  /** The records after record number `after` that the ring still holds (all it holds for 0). */
  since(after: number): Records {
    const first = Math.max(after + 1, this.count - this.capacity + 1, 1);
    const columns = {} as Record<Column, number[]>;
    const phase: string[] = [];
    for (const name of COLUMNS) columns[name] = [];
    for (let n = first; n <= this.count; n++) {
      const k = (n - 1) % this.capacity;
      for (const name of COLUMNS) columns[name].push(this.#columns[name][k]!);
      phase.push(this.#phase[k]!);
    }
    return { seq: first, columns, phase };
  }
}
