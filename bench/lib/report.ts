/**
 * What a suite hands back to the runner: tables for people, targets and ratios for machines, and
 * the raw numbers. Every suite builds its report from these types and helpers, so `--json` has one
 * shape: `{ suite, runtime, tables, targets, ratios, notes, data }` per suite.
 */
import type { Runtime } from './runtime.ts';

/** What every suite is given by `bench/run.ts` (or by a suite file run on its own). */
export interface Ctx {
  /** `--quick`: small sizes and few rounds, for iteration. */
  readonly quick: boolean;
  /** `--full`: the largest sizes too (binary-trees depth 20). */
  readonly full: boolean;
  /** `--json`: only JSON on stdout; progress goes to stderr. */
  readonly json: boolean;
  /** Colored mitata output (off with NO_COLOR, or when stdout is not a terminal). */
  readonly colors: boolean;
  readonly runtime: Runtime;
  readonly runtimeVersion: string;
  /**
   * The runtime as reports name it (in titles and target names): `node`, `bun`, `deno`, or
   * `node, pretenuring off` in a Node process started with `--no-allocation-site-pretenuring`
   * (bench/run.ts runs the suites whose plain-JS anchors it moves both ways).
   */
  readonly label: string;
  /** The engine's own full collection (`gc()`, `Bun.gc(true)`), or null when it is not exposed. */
  readonly fullGc: (() => void) | null;
  /** How `fullGc` is spelled in this runtime, for tables. */
  readonly gcName: string;
  /** Progress and notes for humans: stderr, so `--json` keeps stdout clean. */
  log(message: string): void;
}

export interface Table {
  title: string;
  columns: string[];
  rows: string[][];
}

/**
 * A target from an issue: the figure measured, the bar it must pass, and whether it did. `stretch`
 * is the issue's further goal where it names one (e.g. "target 5%, goal 2%").
 */
export interface Target {
  /** What is compared, e.g. "collect 10^6 tree (node): ecs-heap / limit (paired)". */
  name: string;
  /** The bar in words, e.g. "<= 1.5" or "<= 3 ms". */
  goal: string;
  /** NaN when what it measures does not exist yet (JSON has no NaN: it reads null there). */
  value: number;
  met: boolean;
  /** Unit of `value`: 'x' for ratios, 'ms', '%', 'B', ... ('' when it has none). */
  unit?: string;
  stretch?: { goal: string; met: boolean };
}

/** A headline ratio against an anchor measured in the same process (how many times, > 1 = more). */
export interface Ratio {
  /** e.g. "collect 10^6 tree: ecs-heap time / limit time (paired)". */
  name: string;
  value: number;
}

export interface SuiteReport {
  suite: string;
  runtime: Runtime;
  /** `Ctx.label`: the runtime, and in Node whether allocation-site pretenuring was off. */
  label: string;
  tables: Table[];
  targets: Target[];
  ratios: Ratio[];
  notes: string[];
  /** Raw numbers for machines: every benchmark's stats and whatever the suite derives. */
  data: Record<string, unknown>;
}

/** Part of a report: suites build one per section and merge them with `report`. */
export interface Section {
  tables?: Table[];
  targets?: Target[];
  ratios?: Ratio[];
  notes?: string[];
  data?: Record<string, unknown>;
}

/** Merges sections into a suite's report, in order; later `data` keys win. */
export function report(suite: string, ctx: Ctx, sections: Section[]): SuiteReport {
  const r: SuiteReport = {
    suite,
    runtime: ctx.runtime,
    label: ctx.label,
    tables: [],
    targets: [],
    ratios: [],
    notes: [],
    data: {},
  };
  for (const s of sections) {
    r.tables.push(...(s.tables ?? []));
    r.targets.push(...(s.targets ?? []));
    r.ratios.push(...(s.ratios ?? []));
    r.notes.push(...(s.notes ?? []));
    Object.assign(r.data, s.data ?? {});
  }
  return r;
}

function bar(op: '<=' | '>=', limit: number, unit: string): string {
  const n = String(Number(limit.toPrecision(3))); // 1/3 reads 0.333
  return unit === 'x' ? `${op} ${n}x` : unit === '' ? `${op} ${n}` : `${op} ${n} ${unit}`;
}

/**
 * A target met when `value <= limit` (NaN never meets it). `stretch`: the issue's further goal.
 * `unit` 'x' for ratios; '' keeps the goal a bare number (as the older suites' targets read).
 */
export function atMost(name: string, value: number, limit: number, unit = '', stretch?: number): Target {
  const t: Target = { name, goal: bar('<=', limit, unit), value, met: value <= limit, unit };
  if (stretch !== undefined) t.stretch = { goal: bar('<=', stretch, unit), met: value <= stretch };
  return t;
}

/** A target met when `value >= limit` (NaN never meets it). */
export function atLeast(name: string, value: number, limit: number, unit = '', stretch?: number): Target {
  const t: Target = { name, goal: bar('>=', limit, unit), value, met: value >= limit, unit };
  if (stretch !== undefined) t.stretch = { goal: bar('>=', stretch, unit), met: value >= stretch };
  return t;
}

/** A target met when `lo <= value <= hi`. */
export function between(name: string, value: number, lo: number, hi: number, unit = ''): Target {
  return { name, goal: `${lo} .. ${hi}${unit === '' ? '' : ` ${unit}`}`, value, met: value >= lo && value <= hi, unit };
}
