/**
 * Printing: the runner's header, the human summary (one markdown table per suite, then targets
 * and notes) and the `--json` document, shared by `bench/run.ts` and suite files run on their own.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import process from 'node:process';
import { pathToFileURL } from 'node:url';
import { renderTable, renderTarget } from './format.ts';
import type { Ctx, SuiteReport } from './report.ts';
import { detectRuntime, engineGc, NO_PRETENURING, pretenuringOff } from './runtime.ts';

export interface RunOptions {
  json: boolean;
  quick: boolean;
  full: boolean;
}

/** The context every suite gets, for this process and these options. */
export function makeCtx(options: RunOptions): Ctx {
  const env = process.env;
  const colors = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0'
    ? true
    : env.NO_COLOR === undefined && !options.json && process.stdout.isTTY === true;
  const { runtime, version } = detectRuntime();
  const gc = engineGc(runtime);
  return {
    quick: options.quick,
    full: options.full,
    json: options.json,
    colors,
    runtime,
    runtimeVersion: version,
    label: runtime === 'node' && pretenuringOff() ? 'node, pretenuring off' : runtime,
    fullGc: gc.fn,
    gcName: gc.name,
    log: (message) => console.error(message),
  };
}

/** Which source was measured: the git commit, and whether the library had uncommitted changes. */
export function sourceVersion(): string {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const commit = git('rev-parse', '--short', 'HEAD');
    const dirty = git('status', '--porcelain', '--', 'mod.ts', 'src') !== '';
    return `git ${commit}${dirty ? ' + uncommitted changes in mod.ts/src' : ''}`;
  } catch {
    return 'unknown (no git)';
  }
}

/** Other processes on the machine skew absolute times (ratios much less): how busy it was. */
export function loadAverage(): string {
  return os.loadavg().map((x) => x.toFixed(2)).join(' ');
}

export function machine(): string {
  return `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), load average ${loadAverage()}`;
}

export interface RunInfo {
  started: Date;
  machine: string;
  source: string;
  names: string[];
}

export function printHeader(ctx: Ctx, info: RunInfo): void {
  if (ctx.json) return;
  const mode = pretenuringOff() ? `, ${NO_PRETENURING}` : '';
  console.log(`# ecs-heap benchmarks: ${ctx.runtime} ${ctx.runtimeVersion}${mode}, ${info.started.toISOString()}`);
  console.log(`machine: ${info.machine}`);
  console.log(`source: ${info.source}`);
  const flags = [ctx.quick ? '--quick' : '', ctx.full ? '--full' : ''].filter((f) => f !== '').join(' ');
  console.log(`suites: ${info.names.join(', ')}${flags === '' ? '' : ` (${flags})`}`);
}

/** The JSON document of a run: what `--json` prints and `--json-file` writes. */
export function jsonDocument(ctx: Ctx, info: RunInfo, reports: SuiteReport[]): string {
  return JSON.stringify(
    {
      runtime: ctx.runtime,
      version: ctx.runtimeVersion,
      date: info.started.toISOString(),
      machine: info.machine,
      source: info.source,
      loadAverageAtEnd: os.loadavg(),
      quick: ctx.quick,
      full: ctx.full,
      suites: reports,
    },
    null,
    2,
  );
}

/** The human summary, or the one JSON document, for the reports of a run. */
export function printReports(ctx: Ctx, info: RunInfo, reports: SuiteReport[]): void {
  if (ctx.json) {
    console.log(jsonDocument(ctx, info, reports));
    return;
  }
  const mode = pretenuringOff() ? `, ${NO_PRETENURING}` : '';
  const quick = ctx.quick ? ', --quick' : '';
  console.log(
    `\n## Summary (${ctx.runtime} ${ctx.runtimeVersion}${mode}${quick}; load average at end ${loadAverage()})`,
  );
  for (const r of reports) {
    console.log('');
    for (const t of r.tables) console.log(`${renderTable(t)}\n`);
    for (const t of r.targets) console.log(renderTarget(t));
    for (const note of r.notes) console.log(`- ${note}`);
  }
}

/** Whether the module with this `import.meta` is the program's entry point (Node, Bun, Deno). */
export function isMain(meta: ImportMeta): boolean {
  const m = meta as { main?: boolean; url: string };
  if (typeof m.main === 'boolean') return m.main; // Deno, Bun
  const script = process.argv[1];
  return script !== undefined && pathToFileURL(script).href === m.url;
}

/** Runs one suite as its own program (`--quick`, `--full`, `--json`), printed as bench/run.ts prints it. */
export async function runStandalone(
  name: string,
  suite: (ctx: Ctx) => Promise<SuiteReport>,
  argv: string[] = process.argv.slice(2),
): Promise<number> {
  const ctx = makeCtx({
    json: argv.includes('--json'),
    quick: argv.includes('--quick'),
    full: argv.includes('--full'),
  });
  const info: RunInfo = { started: new Date(), machine: machine(), source: sourceVersion(), names: [name] };
  printHeader(ctx, info);
  const report = await suite(ctx);
  printReports(ctx, info, [report]);
  return 0;
}
