/**
 * `deopt`: which functions of src/ the engine deoptimizes, and compiles, on the collector's paths.
 * Runs bench/child/gc-paths.ts in fresh processes under V8's `--trace-deopt-verbose --trace-opt`,
 * in two scenarios:
 * - steady: every collector path, first as warm-up (`Heap.warmUp()` and one pass of the
 *   workload), then again on fresh heaps; each deoptimization after the warm-up is a slow frame in
 *   a long-running game;
 * - first frames: `Heap.warmUp()` alone, then a game's first frames (a young level and a world
 *   with components, `tick(1)` each frame), as a game that just loaded meets them.
 * It lists each deoptimization whose code lies in src/ (or whose function is defined there, for
 * code invalidated through a dependency) by phase, and the functions of src/ the engine compiled
 * after the warm-up with the background compile time: what `Heap.warmUp()` left for the frames
 * to compile, on the engine's other threads, which take the frame's core on a two-core machine
 * (docs/decisions.md, "Records keep one shape from the start"). Node and Deno (V8); n/a in Bun.
 *
 *   node --import tsx bench/deopt.ts [--quick] [--json]     (or: npm run bench -- deopt)
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join, relative, sep } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { isMain, runStandalone } from './lib/output.ts';
import { type Ctx, report, type SuiteReport } from './lib/report.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = join(ROOT, 'src');

export type Scenario = 'steady' | 'first frames';

export interface Deopt {
  scenario: Scenario;
  phase: 'warm-up' | 'measured';
  /** 'deopt-eager', 'deopt-lazy', ..., or 'dependency' for code marked for deoptimization. */
  kind: string;
  reason: string;
  fn: string;
  /** The src/ file the deoptimization was at (relative to the repository), when V8 said. */
  file: string;
  count: number;
}

/** Names of the functions and methods defined in src/ (for invalidated code, which names no file). */
function srcFunctionNames(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.ts')) {
        const text = readFileSync(path, 'utf8');
        for (const m of text.matchAll(/function\s+([A-Za-z_$][\w$]*)/g)) names.add(m[1]!);
        for (const m of text.matchAll(/^\s+(?:static\s+|get\s+|set\s+)?(#?[A-Za-z_$][\w$]*)\s*(?:<[^>]*>)?\(/gm)) {
          if (!['if', 'for', 'while', 'switch', 'return', 'catch'].includes(m[1]!)) names.add(m[1]!);
        }
      }
    }
  };
  walk(SRC);
  return names;
}

const BAILOUT = /^\[bailout \(kind: ([^,]+), reason: ([^)]*)\): begin\. deoptimizing \S+ <JSFunction ([^ >]*) ?\(sfi/;
/** The innermost source position of a deoptimization: a file path, or a `file://` URL (V8 names ES modules so). */
const AT = /;;; deoptimize at <((?:file:\/\/)?[^:>]+)/;
const MARKED = /^\[marking dependent code \S+ <Code \w+> \(\S+ <SharedFunctionInfo ([^>]*)>\).*reason: ([^\]]+)\]/;

/** The deoptimizations in src/ from a `--trace-deopt-verbose` transcript, counted by phase, function and reason. */
export function parseDeopts(transcript: string, srcNames: Set<string>, scenario: Scenario = 'steady'): Deopt[] {
  const counts = new Map<string, Deopt>();
  let phase: Deopt['phase'] = 'warm-up';
  let pending: { kind: string; reason: string; fn: string } | null = null;
  const add = (d: Omit<Deopt, 'count' | 'phase' | 'scenario'>) => {
    const key = `${phase}|${d.kind}|${d.reason}|${d.fn}|${d.file}`;
    const c = counts.get(key);
    if (c === undefined) counts.set(key, { ...d, scenario, phase, count: 1 });
    else c.count++;
  };
  for (const line of transcript.split('\n')) {
    // Anywhere in a line: Deno's V8 writes its traces through a buffer, so the child's marker,
    // written at once, can land inside a trace line (and a buffer of earlier traces after it).
    if (line.includes('=== measured')) {
      phase = 'measured';
      continue;
    }
    const b = BAILOUT.exec(line);
    if (b !== null) {
      pending = { kind: b[1]!, reason: b[2]!, fn: b[3] === '' ? '(anonymous)' : b[3]! };
      continue;
    }
    const at = AT.exec(line);
    if (at !== null && pending !== null) {
      const path = at[1]!.startsWith('file://') ? fileURLToPath(at[1]!) : at[1]!;
      if (path.startsWith(SRC + sep)) add({ ...pending, file: relative(ROOT, path) });
      pending = null;
      continue;
    }
    const m = MARKED.exec(line);
    if (m !== null && srcNames.has(m[1]!)) add({ kind: 'dependency', reason: m[2]!, fn: m[1]!, file: '' });
  }
  return [...counts.values()].sort((
    a,
    b,
  ) => (a.phase === b.phase ? b.count - a.count : a.phase === 'warm-up' ? -1 : 1));
}

/**
 * A function of src/ the engine compiled after the warm-up, by tier (TurboFan; Maglev, V8's middle
 * tier, on in Deno's V8): how often, and the compile thread's time.
 */
export interface Compile {
  scenario: Scenario;
  fn: string;
  tier: string;
  osr: boolean;
  count: number;
  ms: number;
}

const COMPILED =
  /^\[completed compiling \S+ <JSFunction ([^ >]*) ?\(sfi[^)]*\)> \(target (TURBOFAN\w*|MAGLEV)\)( OSR)? - took [\d.]+, ([\d.]+), [\d.]+ ms\]/;

/** The compiles of src/ functions completed after `=== measured` in a `--trace-opt` transcript. */
export function parseCompiles(transcript: string, srcNames: Set<string>, scenario: Scenario): Compile[] {
  const compiles = new Map<string, Compile>();
  let measured = false;
  for (const line of transcript.split('\n')) {
    if (line.includes('=== measured')) measured = true;
    if (!measured) continue;
    const m = COMPILED.exec(line);
    if (m === null || !srcNames.has(m[1]!)) continue;
    const tier = m[2]!.startsWith('TURBOFAN') ? 'TurboFan' : 'Maglev';
    const osr = m[3] !== undefined;
    const key = `${m[1]}|${tier}|${osr}`;
    const c = compiles.get(key);
    if (c === undefined) compiles.set(key, { scenario, fn: m[1]!, tier, osr, count: 1, ms: Number(m[4]) });
    else {
      c.count++;
      c.ms += Number(m[4]);
    }
  }
  return [...compiles.values()].sort((a, b) => b.ms - a.ms);
}

function transcript(ctx: Ctx, scenario: Scenario): string {
  const script = fileURLToPath(new URL('./child/gc-paths.ts', import.meta.url));
  const flags = ['--trace-deopt-verbose', '--trace-opt'];
  const command = process.execPath;
  const args = ctx.runtime === 'deno'
    ? ['run', '-A', `--v8-flags=${flags.join(',')}`, script]
    : [...flags, ...process.execArgv.filter((a) => a !== '--expose-gc'), script];
  if (ctx.quick) args.push('--quick');
  if (scenario === 'first frames') args.push('--first-frames');
  ctx.log(`[bench] deopt: ${command} ${args.join(' ')}`);
  // The transcript goes to a file: a pipe fills up, and the child's synchronous phase markers
  // would then fail with EAGAIN.
  const dir = mkdtempSync(join(os.tmpdir(), 'ecs-heap-deopt-'));
  const out = join(dir, 'trace.txt');
  const fd = openSync(out, 'w');
  try {
    const child = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', fd, 'pipe'] });
    if (child.status !== 0) throw new Error(`deopt: the workload failed (${child.status}): ${child.stderr}`);
    const text = readFileSync(out, 'utf8');
    if (!text.includes('=== end')) throw new Error('deopt: the workload did not finish');
    return text;
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

export function deoptSuite(ctx: Ctx): Promise<SuiteReport> {
  if (ctx.runtime === 'bun') {
    return Promise.resolve(report('deopt', ctx, [{ notes: ['deopt: Bun runs JavaScriptCore, not V8: n/a.'] }]));
  }
  const names = srcFunctionNames();
  const deopts: Deopt[] = [];
  const compiles: Compile[] = [];
  for (const scenario of ['steady', 'first frames'] as const) {
    const text = transcript(ctx, scenario);
    deopts.push(...parseDeopts(text, names, scenario));
    compiles.push(...parseCompiles(text, names, scenario));
  }
  const total = (ds: Deopt[]) => ds.reduce((s, d) => s + d.count, 0);
  const of = (scenario: Scenario, phase: Deopt['phase']) =>
    total(deopts.filter((d) => d.scenario === scenario && d.phase === phase));
  const compileMs = (scenario: Scenario) =>
    compiles.filter((c) => c.scenario === scenario).reduce((s, c) => s + c.ms, 0);
  const compileCount = (scenario: Scenario) =>
    compiles.filter((c) => c.scenario === scenario).reduce((s, c) => s + c.count, 0);
  return Promise.resolve(report('deopt', ctx, [{
    tables: [{
      title: `deopt: deoptimizations in src/ on the collector's paths (${ctx.label} ${ctx.runtimeVersion})`,
      columns: ['scenario', 'phase', 'function', 'file', 'kind', 'reason', 'count'],
      rows: deopts.map((d) => [d.scenario, d.phase, d.fn, d.file, d.kind, d.reason, String(d.count)]),
    }, {
      title: `deopt: functions of src/ compiled after the warm-up (${ctx.label} ${ctx.runtimeVersion})`,
      columns: ['scenario', 'function', 'tier', 'on-stack replacement', 'compiles', 'background ms'],
      rows: compiles.map((c) => [c.scenario, c.fn, c.tier, c.osr ? 'yes' : 'no', String(c.count), c.ms.toFixed(1)]),
    }],
    ratios: [
      {
        name: `deopt (${ctx.label}): steady, deoptimizations in src/ after the warm-up`,
        value: of('steady', 'measured'),
      },
      {
        name: `deopt (${ctx.label}): first frames, deoptimizations in src/ after Heap.warmUp()`,
        value: of('first frames', 'measured'),
      },
      {
        name: `deopt (${ctx.label}): first frames, src/ functions compiled after Heap.warmUp()`,
        value: compileCount('first frames'),
      },
      {
        name: `deopt (${ctx.label}): first frames, background compile ms after Heap.warmUp()`,
        value: compileMs('first frames'),
      },
    ],
    notes: [
      `steady: ${of('steady', 'warm-up')} deoptimizations in src/ during warm-up (Heap.warmUp() and one pass of ` +
      `the workload), ${of('steady', 'measured')} after it (the same workload on fresh heaps). first frames: ` +
      `${of('first frames', 'warm-up')} during Heap.warmUp(), ${of('first frames', 'measured')} in the frames ` +
      `after it; ${compileCount('first frames')} compiles of src/ functions completed in those frames ` +
      `(${compileMs('first frames').toFixed(0)} ms on the engine's compile thread; a compile started by the ` +
      "warm-up and finished in the frames counts there). 'dependency': optimized code V8 marked for " +
      "deoptimization because an assumption it relied on (a map, a field's representation) changed; the " +
      'function is matched by name with those defined in src/. Positions inside files are of the emitted ' +
      'JavaScript, not of the TypeScript source, so they are left out. One process a scenario: which ' +
      'compiles finish where depends on the compile thread, so counts vary from run to run.',
    ],
    data: {
      deopts,
      compiles,
      warmUp: of('steady', 'warm-up'),
      measured: of('steady', 'measured'),
      firstFrames: {
        deopts: of('first frames', 'measured'),
        compiles: compileCount('first frames'),
        compileMs: compileMs('first frames'),
      },
    },
  }]));
}

if (isMain(import.meta)) process.exitCode = await runStandalone('deopt', deoptSuite);
