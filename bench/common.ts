/**
 * Shared plumbing for the benchmark suites: runtime detection, the engine's own full GC, a thin
 * wrapper over mitata that returns stats by benchmark name, deterministic graphs, and markdown
 * tables. Suites compare ecs-heap with anchors measured in the same process and report ratios.
 */
import process from 'node:process';
import { run as mitataRun } from 'mitata';

export type Runtime = 'node' | 'bun' | 'deno';

/** What every suite is given by `bench/run.ts`. */
export interface Ctx {
  /** `--quick`: sizes 10^4 and 10^5 only. */
  readonly quick: boolean;
  /** `--json`: only JSON on stdout; progress goes to stderr. */
  readonly json: boolean;
  /** Colored mitata output (off with NO_COLOR, or when stdout is not a terminal). */
  readonly colors: boolean;
  readonly runtime: Runtime;
  readonly runtimeVersion: string;
  /** The engine's own full collection (`gc()`, `Bun.gc(true)`), or null when it is not exposed. */
  readonly fullGc: (() => void) | null;
  /** How `fullGc` is spelled in this runtime, for tables. */
  readonly gcName: string;
  /** Progress and notes for humans: stderr, so `--json` keeps stdout clean. */
  log(message: string): void;
}

/** One benchmark's timing, in nanoseconds per call of the benchmarked function. */
export interface Stat {
  name: string;
  p50: number;
  avg: number;
  min: number;
  max: number;
  p99: number;
  samples: number;
}

export interface Table {
  title: string;
  columns: string[];
  rows: string[][];
}

export interface Target {
  /** What is compared, e.g. "collect 10^6 tree: ecs-heap / limit". */
  name: string;
  /** The goal in words, e.g. "<= 1.5". */
  goal: string;
  value: number;
  met: boolean;
}

export interface SuiteReport {
  suite: string;
  runtime: Runtime;
  tables: Table[];
  targets: Target[];
  notes: string[];
  /** Raw numbers for machines: every benchmark's stats and whatever the suite derives. */
  data: Record<string, unknown>;
}

// ---- runtime ---------------------------------------------------------------------------------

interface BunGlobal {
  gc(force: boolean): void;
  version: string;
}
interface DenoGlobal {
  version: { deno: string; v8: string };
}

export function detectRuntime(): { runtime: Runtime; version: string } {
  const g = globalThis as { Bun?: BunGlobal; Deno?: DenoGlobal };
  if (g.Bun !== undefined) return { runtime: 'bun', version: g.Bun.version };
  if (g.Deno !== undefined) return { runtime: 'deno', version: `${g.Deno.version.deno} (V8 ${g.Deno.version.v8})` };
  return { runtime: 'node', version: `${process.version} (V8 ${process.versions.v8})` };
}

/** The engine's full, synchronous GC, or null when the runtime was started without exposing it. */
export function engineGc(runtime: Runtime): { fn: (() => void) | null; name: string } {
  if (runtime === 'bun') {
    const bun = (globalThis as unknown as { Bun: BunGlobal }).Bun;
    return { fn: () => bun.gc(true), name: 'JSC Bun.gc(true)' };
  }
  const gc = (globalThis as { gc?: () => void }).gc;
  return { fn: typeof gc === 'function' ? () => gc() : null, name: 'V8 gc()' };
}

// ---- measuring -------------------------------------------------------------------------------

interface MitataRun {
  name: string;
  stats?: { p50: number; avg: number; min: number; max: number; p99: number; samples: number[] };
  error?: unknown;
}

/**
 * Runs the benchmarks `register` declares (with mitata's `bench`, `group`, `summary`) and returns
 * their stats by name. In human mode mitata prints its usual lines; in JSON mode it stays quiet.
 * Each call of mitata's `run` first calibrates for a few seconds, so suites call this once or
 * twice, not once per benchmark.
 */
export async function measure(ctx: Ctx, title: string, register: () => void): Promise<Map<string, Stat>> {
  if (!ctx.json) console.log(`\n### ${title}\n`);
  ctx.log(`[bench] ${title}: running`);
  register();
  const result = await mitataRun({
    format: ctx.json ? 'quiet' : { mitata: { name: 'longest' } },
    colors: ctx.colors,
    throw: true,
  });
  const stats = new Map<string, Stat>();
  for (const trial of result.benchmarks) {
    for (const r of trial.runs as MitataRun[]) {
      if (r.stats === undefined) throw new Error(`benchmark '${r.name}' failed: ${String(r.error)}`);
      stats.set(r.name, {
        name: r.name,
        p50: r.stats.p50,
        avg: r.stats.avg,
        min: r.stats.min,
        max: r.stats.max,
        p99: r.stats.p99,
        samples: r.stats.samples.length,
      });
    }
  }
  return stats;
}

/** The median of a benchmark that must exist. */
export function p50(stats: Map<string, Stat>, name: string): number {
  const s = stats.get(name);
  if (s === undefined) throw new Error(`no benchmark named '${name}' was measured`);
  return s.p50;
}

/**
 * Paired measurement: calls every entry once per round, in an order that rotates each round, and
 * takes the median over rounds of each entry's time divided by the first entry's time in the same
 * round. On a machine shared with other work, load that comes and goes hits both sides of a ratio
 * alike, so these ratios are steadier than ratios of medians taken seconds apart (which is what
 * mitata's separate runs give). Fast entries are batched so one timing spans at least ~1 ms.
 */
export interface Paired {
  names: string[];
  /** Median nanoseconds per call, per entry. */
  medians: number[];
  /** Median over rounds of (entry time / first entry's time); ratios[0] is 1. */
  ratios: number[];
  rounds: number;
}

export function paired(entries: { name: string; fn: () => unknown }[], budgetMs: number): Paired {
  const batch = entries.map((e) => {
    e.fn();
    const t0 = performance.now();
    e.fn();
    const t = performance.now() - t0;
    return Math.max(1, Math.min(10_000, Math.ceil(1 / Math.max(t, 1e-4))));
  });
  return pairedRounds(entries.map((e) => e.name), budgetMs, (k) => {
    const fn = entries[k]!.fn;
    const b = batch[k]!;
    const t0 = performance.now();
    for (let i = 0; i < b; i++) fn();
    return ((performance.now() - t0) / b) * 1e6;
  });
}

/**
 * The rounds behind `paired` (and the staged variant in generational.bench.ts): `time(k)` measures
 * contender k once, in ns. Two unmeasured warm-up rounds also say how long a round takes; then as
 * many rounds as fit `budgetMs` (7 to 1000), the contenders in rotating order, and the medians of
 * each one's times and of its per-round ratio to contender 0.
 */
export function pairedRounds(names: string[], budgetMs: number, time: (k: number) => number): Paired {
  const count = names.length;
  const w0 = performance.now();
  for (let r = 0; r < 2; r++) for (let k = 0; k < count; k++) time(k);
  const roundMs = Math.max((performance.now() - w0) / 2, 1e-3);
  const rounds = Math.max(7, Math.min(1000, Math.floor(budgetMs / roundMs)));
  const samples: number[][] = names.map(() => []);
  const ratios: number[][] = names.map(() => []);
  for (let r = 0; r < rounds; r++) {
    const t: number[] = new Array(count);
    for (let j = 0; j < count; j++) {
      const k = (r + j) % count;
      t[k] = time(k);
    }
    for (let k = 0; k < count; k++) {
      samples[k]!.push(t[k]!);
      ratios[k]!.push(t[k]! / t[0]!);
    }
  }
  return { names, medians: samples.map(median), ratios: ratios.map(median), rounds };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

// ---- graphs ----------------------------------------------------------------------------------

/** A small, fast, seeded PRNG (mulberry32): the same seed makes the same graph in every runtime. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type GraphKind = 'tree' | 'random';

export const SLOTS = 4;

/**
 * A standard graph of `n` objects with 4 slots each, as one `Uint32Array` of `4n` edges: object
 * `i` (1-based, as heap indices are) has its slots at `4(i-1) .. 4(i-1)+3`, each holding a target
 * object number (1-based) or 0 for NULL. Every representation a suite builds comes from this.
 *
 * - tree: node i (0-based) has children 4i+1 .. 4i+4, allocated after it; one root.
 * - random: every slot a uniform random target (seeded); eight roots spread over the indices, so
 *   nearly everything is reachable (only objects nothing points at, about e^-4 = 1.8%, are not).
 */
export interface Graph {
  kind: GraphKind;
  n: number;
  edges: Uint32Array;
  /** Root objects, 1-based. */
  roots: Uint32Array;
}

export function makeGraph(kind: GraphKind, n: number, seed = 0x5eed): Graph {
  const edges = new Uint32Array(SLOTS * n);
  let roots: Uint32Array;
  if (kind === 'tree') {
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < SLOTS; k++) {
        const child = SLOTS * i + k + 1;
        edges[SLOTS * i + k] = child < n ? child + 1 : 0;
      }
    }
    roots = Uint32Array.of(1);
  } else {
    const rand = prng(seed ^ n);
    for (let e = 0; e < edges.length; e++) edges[e] = 1 + Math.floor(rand() * n);
    roots = new Uint32Array(8);
    for (let r = 0; r < roots.length; r++) roots[r] = 1 + Math.floor((r * n) / roots.length);
  }
  return { kind, n, edges, roots };
}

// ---- formatting ------------------------------------------------------------------------------

export function pow10(n: number): string {
  const e = Math.log10(n);
  return Number.isInteger(e) ? `10^${e}` : String(n);
}

/** Milliseconds from nanoseconds, with 3 significant digits. */
export function ms(ns: number): string {
  return sig(ns / 1e6);
}

export function sig(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const magnitude = Math.floor(Math.log10(Math.abs(x)));
  const decimals = Math.max(0, digits - 1 - magnitude);
  return x.toFixed(decimals);
}

export function ratio(x: number): string {
  return `${sig(x)}x`;
}

export function renderTable(t: Table): string {
  const widths = t.columns.map((c, j) => Math.max(c.length, ...t.rows.map((r) => (r[j] ?? '').length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, j) => (j === 0 ? ` ${'-'.repeat(w)} ` : ` ${'-'.repeat(w - 1)}: `)).join('|')}|`;
  return [`**${t.title}**`, '', line(t.columns), rule, ...t.rows.map(line)].join('\n');
}

export function renderTarget(t: Target): string {
  return `- ${t.met ? 'MET   ' : 'MISSED'} ${t.name}: ${sig(t.value)} (goal ${t.goal})`;
}
