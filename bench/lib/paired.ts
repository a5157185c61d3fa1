/**
 * Paired measurement: contenders called in turn, round after round, in an order that rotates each
 * round; each ratio is the median over rounds of (contender's time / first contender's time in the
 * same round). On a machine shared with other work, load that comes and goes hits both sides of a
 * ratio alike, so these ratios are steadier than ratios of medians taken seconds apart (which is
 * what mitata's separate runs give).
 */
import { median } from './stats.ts';

export interface Paired {
  names: string[];
  /** Median nanoseconds per call, per entry. */
  medians: number[];
  /** Median over rounds of (entry time / first entry's time); ratios[0] is 1. */
  ratios: number[];
  rounds: number;
}

/** A contender whose every timed call needs untimed preparation first. */
export interface Staged {
  name: string;
  /** Untimed: brings the state to just before the timed call. */
  setup: () => void;
  /** Timed. */
  fn: () => unknown;
}

/**
 * The rounds behind every paired measurement: `time(k)` measures contender k once, in ns. Two
 * unmeasured warm-up rounds also say how long a round takes; then as many rounds as fit
 * `budgetMs` (7 to 1000), the contenders in rotating order, and the medians of each one's times and
 * of its per-round ratio to contender 0.
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

/** Paired calls of plain functions; fast entries are batched so one timing spans at least ~1 ms. */
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
 * Paired calls where each timed call comes right after an untimed call of the same function, so
 * each contender is timed with its own data in the caches (as mitata's back-to-back samples time
 * it), yet load is still shared round by round. For contenders that evict each other's caches: an
 * engine's full GC between two heap collections would otherwise time a cold heap.
 */
export function pairedWarm(entries: { name: string; fn: () => unknown }[], budgetMs: number): Paired {
  return pairedRounds(entries.map((e) => e.name), budgetMs, (k) => {
    const fn = entries[k]!.fn;
    fn();
    const t0 = performance.now();
    fn();
    return (performance.now() - t0) * 1e6;
  });
}

/**
 * `paired` for contenders that need untimed setup before each call. No batching: every staged
 * call here takes tens of microseconds or more. The budget counts the setup too, so it bounds wall
 * time.
 */
export function pairedStaged(entries: Staged[], budgetMs: number): Paired {
  return pairedRounds(entries.map((e) => e.name), budgetMs, (k) => {
    const e = entries[k]!;
    e.setup();
    const t0 = performance.now();
    e.fn();
    return (performance.now() - t0) * 1e6;
  });
}

/** The paired result as JSON data, with the ratios named for what they divide by. */
export function pairedData(p: Paired, ratiosName = 'timeOverFirst'): Record<string, unknown> {
  return { rounds: p.rounds, names: p.names, medianNs: p.medians, [ratiosName]: p.ratios };
}
