// `npm test`: the type check, lint and format check, the suites in Node, Bun and Deno, the
// inspector's page in headless Chromium, then the packed npm package as a user installs it
// (scripts/test-package.mjs).
// Every step runs even when an earlier one fails, so one run shows every runtime; the exit code
// is non-zero when any step failed.
import { spawnSync } from 'node:child_process';

const steps = [
  ['layering (scripts/check-layers.mjs)', 'node', ['scripts/check-layers.mjs']],
  ['type check (tsc)', 'npx', ['tsc', '-p', '.']],
  ['type check (deno check)', 'npx', [
    'deno',
    'check',
    'mod.ts',
    'bitecs.ts',
    'inspector.ts',
    'src/',
    'test/',
    'bench/',
    'examples/',
  ]],
  ['lint (deno lint)', 'npx', ['deno', 'lint']],
  ['format (deno fmt --check)', 'npx', ['deno', 'fmt', '--check']],
  ['tests in Node (vitest)', 'npx', ['vitest', 'run']],
  ['tests in Bun (bun test)', 'npx', ['bun', 'test', '--timeout', '60000', 'test/']],
  ['tests in Deno (vitest inside Deno)', 'npx', ['deno', 'run', '-A', 'npm:vitest', 'run']],
  ['Deno-only tests (deno test)', 'npx', ['deno', 'test', '-A']],
  ['inspector in Chromium (playwright-core)', 'npx', ['vitest', 'run', '--config', 'vitest.browser.config.ts']],
  ['publish check (deno publish --dry-run)', 'npx', ['deno', 'publish', '--dry-run', '--allow-dirty']],
  ['npm package (pack, install, import in Node/Bun/Deno, strict tsc)', 'node', ['scripts/test-package.mjs']],
];

const failed = [];
for (const [name, command, args] of steps) {
  console.log(`\n=== ${name}: ${command} ${args.join(' ')}`);
  const started = Date.now();
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, NO_COLOR: '1' } });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status === 0) {
    console.log(`=== ${name}: ok (${seconds} s)`);
  } else {
    console.log(`=== ${name}: FAILED (exit ${result.status ?? result.signal}, ${seconds} s)`);
    failed.push(name);
  }
}
const passed = steps.length - failed.length;
if (failed.length > 0) console.log(`\nfailed steps: ${failed.join(', ')}`);
// The plain closing line CI reads: one word with a colon, then "N passed, N failed".
console.log(`\nsteps: ${passed} passed, ${failed.length} failed`);
process.exit(failed.length === 0 ? 0 : 1);
