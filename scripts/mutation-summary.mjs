// Summarizes Stryker mutation reports (the committed incremental files of scripts/mutation.mjs,
// reports/stryker-incremental/*.json, have the schema of the JSON report) as markdown:
// the score per file and every mutant that survived or has no covering test, with its line,
// mutator and replacement. docs/mutation-testing.md quotes it.
//   node scripts/mutation-summary.mjs reports/stryker-incremental/*.json
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
// Why each surviving mutant survives, keyed `path|original|replacement` (line numbers move):
// docs/mutation-reasons.json, written by hand after reading each survivor.
const reasonsAt = args.indexOf('--reasons');
const reasons = reasonsAt < 0 ? {} : JSON.parse(readFileSync(args.splice(reasonsAt, 2)[1], 'utf8'));
const files = args.length > 0 ? args : ['reports/stryker-incremental/all.json'];
// Each group's report holds its own files; together they cover every mutated file once.
const report = { files: {} };
for (const file of files) Object.assign(report.files, JSON.parse(readFileSync(file, 'utf8')).files);
const undetected = new Set(['Survived', 'NoCoverage']);

const rows = [];
const left = [];
const total = { killed: 0, timeout: 0, survived: 0, noCoverage: 0, ignored: 0, errors: 0 };
for (const [path, { source, mutants }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
  const lines = source.split('\n');
  const count = { killed: 0, timeout: 0, survived: 0, noCoverage: 0, ignored: 0, errors: 0 };
  for (const m of mutants) {
    if (m.status === 'Killed') count.killed++;
    else if (m.status === 'Timeout') count.timeout++;
    else if (m.status === 'Survived') count.survived++;
    else if (m.status === 'NoCoverage') count.noCoverage++;
    else if (m.status === 'Ignored') count.ignored++;
    else count.errors++;
    if (undetected.has(m.status)) {
      const { start, end } = m.location;
      const original = start.line === end.line
        ? lines[start.line - 1].slice(start.column - 1, end.column - 1)
        : lines[start.line - 1].slice(start.column - 1) + ' …';
      left.push({
        path,
        line: start.line,
        mutator: m.mutatorName,
        status: m.status,
        original,
        replacement: m.replacement,
      });
    }
  }
  for (const k of Object.keys(total)) total[k] += count[k];
  rows.push([path, count]);
}
const score = (c) => {
  const valid = c.killed + c.timeout + c.survived + c.noCoverage;
  return valid === 0 ? 'n/a' : `${(100 * (c.killed + c.timeout) / valid).toFixed(2)}%`;
};
const short = (text) => text.replace(/\s+/g, ' ').slice(0, 70).replace(/\|/g, '\\|');
console.log('| file | score | killed | timeout | survived | no coverage | ignored | errors |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const [path, c] of [...rows, ['all files', total]]) {
  console.log(
    `| ${path} | ${
      score(c)
    } | ${c.killed} | ${c.timeout} | ${c.survived} | ${c.noCoverage} | ${c.ignored} | ${c.errors} |`,
  );
}
console.log(`\n${left.length} mutants left (survived or not covered):\n`);
console.log('| where | mutator | status | original | replacement | why it survives |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const m of left) {
  const why = reasons[`${m.path}|${m.original}|${m.replacement}`] ?? reasons[`${m.path}|${m.original}|*`] ??
    'not yet read';
  const replacement = short(m.replacement ?? '');
  console.log(
    `| ${m.path}:${m.line} | ${m.mutator} | ${m.status} | \`${short(m.original)}\` | \`${replacement}\` | ${why} |`,
  );
}
