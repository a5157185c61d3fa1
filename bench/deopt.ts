/**
 * `deopt`: which functions of src/ the engine deoptimizes on the collector's paths. Runs
 * bench/child/gc-paths.ts (every collector path, first as warm-up, then again on fresh heaps) in
 * a fresh process under V8's `--trace-deopt-verbose`, and lists each deoptimization whose code
 * lies in src/ (or whose function is defined there, for code invalidated through a dependency), by
 * phase: during warm-up, where some are expected while type feedback settles, and after it, where
 * each one is a slow frame in a game. Node and Deno (V8); n/a in Bun.
 *
 *   node --import tsx bench/deopt.ts [--quick] [--json]     (or: npm run bench -- deopt)
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { isMain, runStandalone } from './lib/output.ts';
import { type Ctx, report, type SuiteReport } from './lib/report.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = join(ROOT, 'src');

export interface Deopt {
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
const AT = /;;; deoptimize at <([^:>]+)/;
const MARKED = /^\[marking dependent code \S+ <Code \w+> \(\S+ <SharedFunctionInfo ([^>]*)>\).*reason: ([^\]]+)\]/;

/** The deoptimizations in src/ from a `--trace-deopt-verbose` transcript, counted by phase, function and reason. */
export function parseDeopts(transcript: string, srcNames: Set<string>): Deopt[] {
  const counts = new Map<string, Deopt>();
  let phase: Deopt['phase'] = 'warm-up';
  let pending: { kind: string; reason: string; fn: string } | null = null;
  const add = (d: Omit<Deopt, 'count' | 'phase'>) => {
    const key = `${phase}|${d.kind}|${d.reason}|${d.fn}|${d.file}`;
    const c = counts.get(key);
    if (c === undefined) counts.set(key, { ...d, phase, count: 1 });
    else c.count++;
  };
  for (const line of transcript.split('\n')) {
    if (line.startsWith('=== measured')) {
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
      const path = at[1]!;
      if (path.startsWith(SRC)) add({ ...pending, file: relative(ROOT, path) });
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

function transcript(ctx: Ctx): string | null {
  if (ctx.runtime === 'bun') return null;
  const script = fileURLToPath(new URL('./child/gc-paths.ts', import.meta.url));
  const flag = '--trace-deopt-verbose';
  const command = process.execPath;
  const args = ctx.runtime === 'deno'
    ? ['run', '-A', `--v8-flags=${flag}`, script]
    : [flag, ...process.execArgv.filter((a) => a !== '--expose-gc'), script];
  if (ctx.quick) args.push('--quick');
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
  const text = transcript(ctx);
  if (text === null) {
    return Promise.resolve(report('deopt', ctx, [{ notes: ['deopt: Bun runs JavaScriptCore, not V8: n/a.'] }]));
  }
  const deopts = parseDeopts(text, srcFunctionNames());
  const after = deopts.filter((d) => d.phase === 'measured');
  const total = (ds: Deopt[]) => ds.reduce((s, d) => s + d.count, 0);
  return Promise.resolve(report('deopt', ctx, [{
    tables: [{
      title: `deopt: deoptimizations in src/ on the collector's paths (${ctx.label} ${ctx.runtimeVersion})`,
      columns: ['phase', 'function', 'file', 'kind', 'reason', 'count'],
      rows: deopts.map((d) => [d.phase, d.fn, d.file, d.kind, d.reason, String(d.count)]),
    }],
    ratios: [],
    notes: [
      `${total(deopts) - total(after)} deoptimizations in src/ during warm-up (Heap.warmUp() and one pass of the ` +
      `workload), ${total(after)} after it (the same workload on fresh heaps). 'dependency': optimized code V8 ` +
      "marked for deoptimization because an assumption it relied on (a map, a field's representation) changed; " +
      'the function is matched by name with those defined in src/. Positions inside files are of the emitted ' +
      'JavaScript, not of the TypeScript source, so they are left out.',
    ],
    data: { deopts, warmUp: total(deopts) - total(after), measured: total(after) },
  }]));
}

if (isMain(import.meta)) process.exitCode = await runStandalone('deopt', deoptSuite);
