/**
 * Which runtime runs the benchmarks, and the engine hooks each one exposes: its full GC, V8's
 * young-generation GC, CPU time. Everything here is read once per process.
 */
import process from 'node:process';

export type Runtime = 'node' | 'bun' | 'deno';

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

/**
 * V8's flag that stops it allocating objects of an allocation site straight into the old
 * generation. Node processes fall into that mode at random for the plain-JS anchors that allocate
 * many short-lived objects (binary-trees: 1.9-2.1 s at depth 16 against 0.13-0.54 s; about half of
 * the processes), which then pay a major collection for what was young garbage; with this flag
 * every process ran fast (bench/README.md). bench/run.ts runs the suites it moves twice in Node.
 */
export const NO_PRETENURING = '--no-allocation-site-pretenuring';

/** Whether this is a Node process started with `NO_PRETENURING`. */
export function pretenuringOff(): boolean {
  return process.execArgv.includes(NO_PRETENURING);
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

/** V8's synchronous young-generation collection (a scavenge), when `gc` is exposed (Node, Deno); null in Bun. */
export function v8MinorGc(runtime: Runtime): (() => void) | null {
  if (runtime === 'bun') return null;
  const gc = (globalThis as { gc?: (options?: { type: 'minor' | 'major' }) => void }).gc;
  return typeof gc === 'function' ? () => gc({ type: 'minor' }) : null;
}

/** CPU time of the whole process so far, in milliseconds (microsecond resolution; every thread). */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * The command that starts this runtime the way this process was started (flags included), to run
 * `script` in a fresh process: `node --expose-gc --import tsx script`, `bun script`,
 * `deno run -A --v8-flags=--expose-gc script`. `nodeFlags`: more flags for a Node process (such
 * as `NO_PRETENURING`).
 */
export function selfCommand(
  runtime: Runtime,
  script: string,
  nodeFlags: string[] = [],
): { command: string; args: string[] } {
  if (runtime === 'deno') {
    return { command: process.execPath, args: ['run', '-A', '--v8-flags=--expose-gc', script] };
  }
  const inherited = process.execArgv.filter((f) => !nodeFlags.includes(f));
  return { command: process.execPath, args: [...inherited, ...nodeFlags, script] };
}
