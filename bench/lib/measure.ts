/**
 * A thin wrapper over mitata: runs the benchmarks a suite registers and returns their stats by
 * name (nanoseconds per call). In human mode mitata prints its usual lines; in JSON mode it stays
 * quiet.
 */
import { bench, run as mitataRun } from 'mitata';
import type { Ctx } from './report.ts';
import type { Staged } from './paired.ts';

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

interface MitataRun {
  name: string;
  stats?: { p50: number; avg: number; min: number; max: number; p99: number; samples: number[] };
  error?: unknown;
}

/**
 * Runs the benchmarks `register` declares (with mitata's `bench`, `group`, `summary`) and returns
 * their stats by name. Each call of mitata's `run` first calibrates for a few seconds, so suites
 * call this once or twice, not once per benchmark.
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
 * A mitata benchmark of a staged call: mitata's manual timing (`yield { manual() }` returning the
 * nanoseconds of one call; it is missing from mitata's type declarations, hence the cast), so the
 * setup stays untimed. `make` runs in the benchmark's own setup, so only one fixture is alive.
 */
export function stagedBench(name: string, make: () => Staged): void {
  bench(name, function* () {
    const st = make();
    const manual = (): number => {
      st.setup();
      const t0 = performance.now();
      st.fn();
      return (performance.now() - t0) * 1e6;
    };
    yield { manual } as unknown as () => number;
  });
}
