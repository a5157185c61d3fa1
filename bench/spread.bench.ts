/**
 * `spread`: how much `collect()` of the 10^6-node tree varies from one process to the next. Ten
 * fresh processes (the same runtime, started with this process's flags) each build the tree, warm
 * the collector up and time `collect()` 15 times (bench/child/collect-spread.ts); the spread is the
 * largest of their medians over the smallest. Within one process, ratios against anchors hide
 * this: a process whose engine compiled the collector worse is slower on every call. Target
 * (issue 14): max / min <= 1.3x. The processes run one after another, never in parallel.
 *
 * For the deoptimizations behind a slow process, see bench/deopt.ts.
 */
import { spawnSync } from 'node:child_process';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { msOf, pow10, ratio } from './lib/format.ts';
import { isMain, runStandalone } from './lib/output.ts';
import { atMost, type Ctx, report, type SuiteReport } from './lib/report.ts';
import { selfCommand } from './lib/runtime.ts';
import { max, median, min } from './lib/stats.ts';

const N = 1e6;

interface Sample {
  medianMs: number;
  minMs: number;
  ms: number[];
}

function sample(ctx: Ctx, k: number, reps: number): Sample {
  const script = fileURLToPath(new URL('./child/collect-spread.ts', import.meta.url));
  const root = fileURLToPath(new URL('..', import.meta.url));
  const { command, args } = selfCommand(ctx.runtime, script);
  ctx.log(`[bench] spread: process ${k}`);
  const child = spawnSync(command, [...args, String(N), String(reps)], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 1 << 20,
  });
  if (child.status !== 0) throw new Error(`spread: process ${k} failed (${child.status}): ${child.stderr}`);
  const line = child.stdout.trim().split('\n').pop()!;
  return JSON.parse(line) as Sample;
}

export function spreadSuite(ctx: Ctx): Promise<SuiteReport> {
  const processes = ctx.quick ? 4 : 10;
  const reps = 15;
  const samples: Sample[] = [];
  for (let k = 1; k <= processes; k++) samples.push(sample(ctx, k, reps));
  const medians = samples.map((s) => s.medianMs);
  const spreadRatio = max(medians) / min(medians);
  const at = `spread collect() ${pow10(N)} tree over ${processes} fresh processes (${ctx.label})`;
  return Promise.resolve(report('spread', ctx, [{
    tables: [{
      title: `spread: collect() of the ${
        pow10(N)
      }-node tree in ${processes} fresh processes, median of ${reps} each (${ctx.label} ${ctx.runtimeVersion})`,
      columns: ['process', 'median ms', 'fastest ms', 'vs fastest process'],
      rows: samples.map((s, k) => [String(k + 1), msOf(s.medianMs), msOf(s.minMs), ratio(s.medianMs / min(medians))])
        .concat([
          ['max / min of the medians', msOf(max(medians)), msOf(min(medians)), ratio(spreadRatio)],
        ]),
    }],
    targets: [atMost(`${at}: max / min of per-process medians`, spreadRatio, 1.3, 'x')],
    ratios: [{ name: `${at}: slowest process median / fastest process median`, value: spreadRatio }],
    notes: [
      `Each process: Heap.warmUp(), the collect-suite warm-up (exerciseCollector), the tree built, 5 untimed ` +
      `collect() calls, then ${reps} timed ones; the median of all processes' medians is ${
        msOf(median(medians))
      } ms. ` +
      'Processes run one after another on this machine, so load from other work can still widen the spread: ' +
      'compare with the load average in the header.',
    ],
    data: { processes, reps, samples },
  }]));
}

if (isMain(import.meta)) process.exitCode = await runStandalone('spread', spreadSuite);
