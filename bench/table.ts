/**
 * The README's benchmark table from saved `--json` results: one row per target, with the figure,
 * the target, and whether it was met.
 *
 *   node --import tsx bench/table.ts bench/results/node-<date>.json [more.json ...]
 *
 * Each file's date, machine, runtime and source head its rows, so a table built from several runs
 * says where every figure came from.
 */
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { figure } from './lib/format.ts';
import type { SuiteReport } from './lib/report.ts';

interface Run {
  runtime: string;
  version: string;
  date: string;
  machine: string;
  source: string;
  quick: boolean;
  suites: SuiteReport[];
}

/** Markdown cell text: pipes escaped, long decimals (a goal of 1/3) cut to 3 significant digits. */
const cell = (s: string) =>
  s.replaceAll('|', '\\|').replace(/\d+\.\d{5,}/g, (m) => String(Number(Number(m).toPrecision(3))));

export function targetTable(runs: Run[]): string {
  const lines: string[] = [];
  for (const run of runs) {
    lines.push(
      `Measured ${run.date.slice(0, 10)} with ${run.runtime} ${run.version}${run.quick ? ' (--quick)' : ''} on ` +
        `${run.machine}; ${run.source}.`,
      '',
      '| suite | target | figure | goal | status |',
      '| --- | --- | ---: | --- | --- |',
    );
    for (const s of run.suites) {
      for (const t of s.targets) {
        const status = Number.isNaN(t.value)
          ? 'n/a'
          : `${t.met ? 'met' : '**missed**'}${
            t.stretch === undefined ? '' : ` (stretch ${t.stretch.goal}: ${t.stretch.met ? 'met' : 'not yet'})`
          }`;
        lines.push(`| ${s.suite} | ${cell(t.name)} | ${figure(t)} | ${cell(t.goal)} | ${status} |`);
      }
    }
    lines.push('');
  }
  return lines.join('\n');
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: bench/table.ts results.json [more.json ...]');
  process.exitCode = 2;
} else {
  // JSON writes NaN (a figure that does not exist yet) as null: read it back as NaN.
  const revive = (key: string, value: unknown) => (key === 'value' && value === null ? NaN : value);
  console.log(targetTable(files.map((f) => JSON.parse(readFileSync(f, 'utf8'), revive) as Run)));
}
