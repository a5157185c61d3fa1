/**
 * The benchmark runner: `npm run bench [-- [--json] [--quick] [--full] [suite...]]`.
 *
 *   node --expose-gc --import tsx bench/run.ts [options] [suite...]
 *   npx bun bench/run.ts [options] [suite...]
 *   npx deno run -A --v8-flags=--expose-gc bench/run.ts [options] [suite...]
 *
 * Suites: see SUITES below and bench/README.md (default: all; a name matches exactly, else by
 * substring). Options:
 *   --quick   small sizes and few rounds, for fast iteration
 *   --full    the largest sizes too (binary-trees depth 20)
 *   --json    print one JSON document on stdout and nothing else (progress goes to stderr)
 *   --json-file=PATH  also write that JSON document to PATH (with the human-readable output)
 *   --same-process    run every suite in this process (by default, when more than one suite runs,
 *             each runs in a fresh process of the same runtime: a suite run after others measured
 *             code the engine had compiled for them, splay 0.09x against 0.16x alone in Node)
 *   --engine-defaults-only   in Node, skip the second run of the suites V8's allocation-site
 *             pretenuring moves (below)
 *   --help    this text
 * Colors: off when NO_COLOR is set or stdout is not a terminal; FORCE_COLOR forces them on.
 *
 * Every suite measures ecs-heap against its anchors in one process and prints ratios; the
 * human-readable output ends with one markdown table per suite, then its targets and notes.
 *
 * In Node, the suites whose plain-JS anchors allocate many short-lived objects (PRETENURING_MOVES)
 * run a second time, in a fresh process started with `--no-allocation-site-pretenuring`: V8 puts
 * about half the processes in a mode where those anchors run several times slower (bench/README.md),
 * so one process's ratio says little. Both runs are reported, the second labelled
 * `node, pretenuring off`; with the flag, every process measured ran the anchors fast.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { binaryTreesSuite } from './binary-trees.bench.ts';
import { bitecsBridgeSuite } from './bitecs-bridge.bench.ts';
import { churnSuite } from './churn.bench.ts';
import { collectSuite } from './collect.bench.ts';
import { deoptSuite } from './deopt.ts';
import { destroySuite } from './destroy.bench.ts';
import { ecsSuite } from './ecs.bench.ts';
import { gameLoopSuite } from './game-loop.bench.ts';
import { gameSuite } from './game.bench.ts';
import { generationalSuite } from './generational.bench.ts';
import { growthSuite } from './growth.bench.ts';
import { handlesSuite } from './handles.bench.ts';
import { refFieldsSuite } from './ref-fields.bench.ts';
import { incrementalSuite } from './incremental.bench.ts';
import { inspectorSuite } from './inspector.bench.ts';
import { levelLoadSuite } from './level-load.bench.ts';
import {
  jsonDocument,
  machine,
  makeCtx,
  printHeader,
  printReports,
  type RunInfo,
  sourceVersion,
} from './lib/output.ts';
import type { Ctx, SuiteReport } from './lib/report.ts';
import { NO_PRETENURING, pretenuringOff, selfCommand } from './lib/runtime.ts';
import { memorySuite } from './memory.bench.ts';
import { minorShapesSuite } from './minor-shapes.bench.ts';
import { resizeSoakSuite } from './resize-soak.bench.ts';
import { snapshotSuite } from './snapshot.bench.ts';
import { splaySuite } from './splay.bench.ts';
import { spreadSuite } from './spread.bench.ts';
import { weakSuite } from './weak.bench.ts';

const SUITES: Record<string, (ctx: Ctx) => Promise<SuiteReport>> = {
  collect: collectSuite,
  churn: churnSuite,
  destroy: destroySuite,
  memory: memorySuite,
  handles: handlesSuite,
  'ref-fields': refFieldsSuite,
  weak: weakSuite,
  ecs: ecsSuite,
  snapshot: snapshotSuite,
  'bitecs-bridge': bitecsBridgeSuite,
  generational: generationalSuite,
  incremental: incrementalSuite,
  'level-load': levelLoadSuite,
  'game-loop': gameLoopSuite,
  splay: splaySuite,
  'binary-trees': binaryTreesSuite,
  game: gameSuite,
  'minor-shapes': minorShapesSuite,
  spread: spreadSuite,
  'resize-soak': resizeSoakSuite,
  growth: growthSuite,
  deopt: deoptSuite,
  inspector: inspectorSuite,
};

/** Suites Node runs twice, with and without allocation-site pretenuring (see above). */
const PRETENURING_MOVES = ['binary-trees', 'splay', 'game'];

const OPTIONS = ['--json', '--quick', '--full', '--same-process', '--engine-defaults-only'];

const USAGE =
  `usage: bench/run.ts [--json] [--json-file=PATH] [--quick] [--full] [--same-process] [--engine-defaults-only] [${
    Object.keys(SUITES).join('|')
  }...]`;

/** The suites the arguments name: exact names win, else every suite whose name contains the word. */
function select(words: string[]): string[] | string {
  const names: string[] = [];
  for (const word of words) {
    const matched = word in SUITES ? [word] : Object.keys(SUITES).filter((s) => s.includes(word));
    if (matched.length === 0) return `no suite matches '${word}'`;
    for (const m of matched) if (!names.includes(m)) names.push(m);
  }
  return names.length === 0 ? Object.keys(SUITES) : names;
}

/**
 * Runs suite `name` in a fresh process of this runtime (this script, that suite alone, the same
 * size options) and returns its report, read from the JSON file the child writes. The child's
 * progress goes to stderr as ours does; its human-readable output to our stdout, unless we print
 * JSON there.
 */
function runInChild(ctx: Ctx, name: string, flags: Set<string>, nodeFlags: string[] = []): SuiteReport {
  const file = path.join(os.tmpdir(), `ecs-heap-bench-${process.pid}-${name}.json`);
  const { command, args } = selfCommand(ctx.runtime, fileURLToPath(import.meta.url), nodeFlags);
  // The child runs its one suite once: this process decides which runs happen.
  const sizes = ['--quick', '--full'].filter((f) => flags.has(f));
  const child = spawnSync(command, [...args, name, ...sizes, '--engine-defaults-only', `--json-file=${file}`], {
    stdio: ['ignore', ctx.json ? 'ignore' : 'inherit', 'inherit'],
  });
  if (child.status !== 0) throw new Error(`bench: suite '${name}' failed in its process (exit ${child.status})`);
  try {
    const document = JSON.parse(readFileSync(file, 'utf8')) as { suites: SuiteReport[] };
    return document.suites[0]!;
  } finally {
    rmSync(file, { force: true });
  }
}

async function main(argv: string[]): Promise<number> {
  const jsonFile = argv.find((a) => a.startsWith('--json-file='))?.slice('--json-file='.length);
  const flags = new Set(argv.filter((a) => a.startsWith('-') && !a.startsWith('--json-file=')));
  if (flags.has('--help') || flags.has('-h')) {
    console.log(USAGE);
    return 0;
  }
  for (const f of flags) {
    if (!OPTIONS.includes(f)) {
      console.error(`unknown option '${f}'\n${USAGE}`);
      return 2;
    }
  }
  const names = select(argv.filter((a) => !a.startsWith('-')));
  if (typeof names === 'string') {
    console.error(`${names}\n${USAGE}`);
    return 2;
  }
  const ctx = makeCtx({ json: flags.has('--json'), quick: flags.has('--quick'), full: flags.has('--full') });
  const info: RunInfo = { started: new Date(), machine: machine(), source: sourceVersion(), names };
  printHeader(ctx, info);
  const reports: SuiteReport[] = [];
  const isolate = names.length > 1 && !flags.has('--same-process');
  const bothModes = ctx.runtime === 'node' && !pretenuringOff() && !flags.has('--engine-defaults-only');
  for (const name of names) {
    const t0 = performance.now();
    reports.push(isolate ? runInChild(ctx, name, flags) : await SUITES[name]!(ctx));
    ctx.log(`[bench] ${name}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    if (bothModes && PRETENURING_MOVES.includes(name)) {
      const t1 = performance.now();
      ctx.log(`[bench] ${name}: again, in a process with ${NO_PRETENURING}`);
      reports.push(runInChild(ctx, name, flags, [NO_PRETENURING]));
      ctx.log(`[bench] ${name} (pretenuring off): done in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
    }
  }
  printReports(ctx, info, reports);
  if (jsonFile !== undefined) writeFileSync(jsonFile, `${jsonDocument(ctx, info, reports)}\n`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
