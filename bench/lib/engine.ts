/**
 * What the JavaScript engine itself does while a benchmark runs: its GC pauses (through
 * `PerformanceObserver` 'gc' entries, where the runtime delivers them) and its heap size after a
 * forced full GC. These are the anchors for "plain JavaScript objects" workloads.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import process from 'node:process';
import type { Ctx } from './report.ts';

/** One engine GC pause, as the runtime reports it. */
export interface GcPause {
  kind: 'minor' | 'major' | 'incremental' | 'weak callbacks' | 'other';
  ms: number;
  /** When it started, on the `performance.now()` clock. */
  at: number;
}

// Node's perf_hooks constants (NODE_PERFORMANCE_GC_*), which Deno's node:perf_hooks mirrors.
const KINDS: Record<number, GcPause['kind']> = {
  1: 'minor',
  2: 'major',
  4: 'major',
  8: 'incremental',
  16: 'weak callbacks',
};

interface GcEntry {
  duration: number;
  startTime: number;
  detail?: { kind?: number } | null;
  kind?: number;
}

/**
 * Collects the engine's GC pauses between `start()` and `stop()`. Entries are delivered
 * asynchronously, so `stop()` waits a macrotask first. `available` is false when the runtime does
 * not deliver 'gc' entries (Bun does not list them; Deno lists them but delivered none when this
 * was written), checked once per process by `gcObserverWorks`.
 */
export class GcObserver {
  readonly pauses: GcPause[] = [];
  #observer: PerformanceObserver | null = null;

  start(): void {
    this.pauses.length = 0;
    this.#observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries() as unknown as GcEntry[]) {
        const kind = e.detail?.kind ?? e.kind ?? 0;
        this.pauses.push({ kind: KINDS[kind] ?? 'other', ms: e.duration, at: e.startTime });
      }
    });
    this.#observer.observe({ entryTypes: ['gc'] });
  }

  async stop(): Promise<GcPause[]> {
    await new Promise((resolve) => setTimeout(resolve, 0));
    this.#observer?.disconnect();
    this.#observer = null;
    return this.pauses;
  }
}

let observerWorks: boolean | null = null;

/** Whether this runtime delivers 'gc' performance entries: allocates garbage and looks for one. */
export async function gcObserverWorks(ctx: Ctx): Promise<boolean> {
  if (observerWorks !== null) return observerWorks;
  const types = (PerformanceObserver as unknown as { supportedEntryTypes?: readonly string[] }).supportedEntryTypes;
  if (types === undefined || !types.includes('gc')) return (observerWorks = false);
  const obs = new GcObserver();
  try {
    obs.start();
  } catch {
    return (observerWorks = false);
  }
  // Enough short-lived objects for a scavenge, and a full GC where one is exposed.
  const garbage: object[] = [];
  for (let i = 0; i < 300_000; i++) garbage.push({ i });
  const made = garbage.length;
  garbage.length = 0;
  ctx.fullGc?.();
  observerWorks = (await obs.stop()).length > 0 && made > 0;
  return observerWorks;
}

/** The engine heap in use after two forced full GCs, in bytes; NaN when the GC is not exposed. */
export function heapUsedAfterGc(ctx: Ctx): number {
  if (ctx.fullGc === null) return NaN;
  ctx.fullGc();
  ctx.fullGc();
  return process.memoryUsage().heapUsed;
}

/** Engine heap plus ArrayBuffer bytes (typed arrays live outside the engine heap), after full GCs; NaN without GC. */
export function heapAndBuffersAfterGc(ctx: Ctx): number {
  if (ctx.fullGc === null) return NaN;
  ctx.fullGc();
  ctx.fullGc();
  const m = process.memoryUsage();
  return m.heapUsed + (m.arrayBuffers ?? 0);
}

/** The engine heap in use now (no GC forced): for sampling a peak while a workload runs. */
export function heapUsedNow(): number {
  return process.memoryUsage().heapUsed;
}

/** The pauses that started between `from` and `to` (`performance.now()` times). */
export function pausesBetween(pauses: GcPause[], from: number, to: number): GcPause[] {
  return pauses.filter((p) => p.at >= from && p.at <= to);
}
