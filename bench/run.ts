/**
 * The benchmark runner: `npm run bench [-- [--json] [--quick] [suite...]]`.
 *
 *   node --expose-gc --import tsx bench/run.ts [options] [suite...]
 *   npx bun bench/run.ts [options] [suite...]
 *   npx deno run -A --v8-flags=--expose-gc bench/run.ts [options] [suite...]
 *
 * Suites: collect, churn, memory, handles, generational, incremental, weak, ecs, snapshot,
 * bitecs-bridge, inspector (default: all; a name matches exactly, else by substring). Options:
 *   --quick   sizes 10^4 and 10^5 only (and fewer churn sizes), for fast iteration
 *   --json    print one JSON document on stdout and nothing else (progress goes to stderr)
 *   --help    this text
 * Colors: off when NO_COLOR is set or stdout is not a terminal; FORCE_COLOR forces them on.
 *
 * Every suite measures ecs-heap against its anchors in this same process and prints ratios; the
 * human-readable output ends with one markdown table per suite, ready for README.md.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import process from 'node:process';
import { bitecsBridgeSuite } from './bitecs-bridge.bench.ts';
import { churnSuite } from './churn.bench.ts';
import { collectSuite } from './collect.bench.ts';
import { type Ctx, detectRuntime, engineGc, renderTable, renderTarget, type SuiteReport } from './common.ts';
import { ecsSuite } from './ecs.bench.ts';
import { generationalSuite } from './generational.bench.ts';
import { handlesSuite } from './handles.bench.ts';
import { incrementalSuite } from './incremental.bench.ts';
import { inspectorSuite } from './inspector.bench.ts';
import { memorySuite } from './memory.bench.ts';
import { snapshotSuite } from './snapshot.bench.ts';
import { weakSuite } from './weak.bench.ts';

const SUITES: Record<string, (ctx: Ctx) => Promise<SuiteReport>> = {
  collect: collectSuite,
  churn: churnSuite,
  memory: memorySuite,
  handles: handlesSuite,
  weak: weakSuite,
  ecs: ecsSuite,
  snapshot: snapshotSuite,
  'bitecs-bridge': bitecsBridgeSuite,
  generational: generationalSuite,
  incremental: incrementalSuite,
  inspector: inspectorSuite,
};

const USAGE = `usage: bench/run.ts [--json] [--quick] [${Object.keys(SUITES).join('|')}...]`;

/** Which source was measured: the git commit, and whether the library had uncommitted changes. */
function sourceVersion(): string {
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

async function main(argv: string[]): Promise<number> {
  let json = false;
  let quick = false;
  const names: string[] = [];
  for (const arg of argv) {
    if (arg === '--json') json = true;
    else if (arg === '--quick') quick = true;
    else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      return 0;
    } else if (arg.startsWith('-')) {
      console.error(`unknown option '${arg}'\n${USAGE}`);
      return 2;
    } else {
      // A filter selects every suite whose name contains it, so `coll` works too.
      const matched = arg in SUITES ? [arg] : Object.keys(SUITES).filter((s) => s.includes(arg));
      if (matched.length === 0) {
        console.error(`no suite matches '${arg}'\n${USAGE}`);
        return 2;
      }
      for (const m of matched) if (!names.includes(m)) names.push(m);
    }
  }
  if (names.length === 0) names.push(...Object.keys(SUITES));

  const env = process.env;
  const colors = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0'
    ? true
    : env.NO_COLOR === undefined && !json && process.stdout.isTTY === true;
  const { runtime, version } = detectRuntime();
  const gc = engineGc(runtime);
  const ctx: Ctx = {
    quick,
    json,
    colors,
    runtime,
    runtimeVersion: version,
    fullGc: gc.fn,
    gcName: gc.name,
    log: (message) => console.error(message),
  };
  const started = new Date();
  // Other processes on the machine skew absolute times (ratios much less): say how busy it was.
  const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
  const machine = `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), load average ${load()}`;
  const source = sourceVersion();
  if (!json) {
    console.log(`# ecs-heap benchmarks: ${runtime} ${version}, ${started.toISOString()}`);
    console.log(`machine: ${machine}`);
    console.log(`source: ${source}`);
    console.log(`suites: ${names.join(', ')}${quick ? ' (--quick)' : ''}`);
  }

  const reports: SuiteReport[] = [];
  for (const name of names) {
    const t0 = performance.now();
    reports.push(await SUITES[name]!(ctx));
    ctx.log(`[bench] ${name}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }

  if (json) {
    console.log(JSON.stringify(
      {
        runtime,
        version,
        date: started.toISOString(),
        machine,
        source,
        loadAverageAtEnd: os.loadavg(),
        quick,
        suites: reports,
      },
      null,
      2,
    ));
  } else {
    console.log(`\n## Summary (${runtime} ${version}${quick ? ', --quick' : ''}; load average at end ${load()})`);
    for (const r of reports) {
      console.log('');
      for (const t of r.tables) console.log(`${renderTable(t)}\n`);
      for (const t of r.targets) console.log(renderTarget(t));
      for (const note of r.notes) console.log(`- ${note}`);
    }
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
