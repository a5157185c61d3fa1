// The npm package as a user gets it: `npm pack` (which builds dist/ through `prepack`), the
// tarball installed into a scratch project, then imported from node_modules by plain Node, Bun and
// Deno, each doing a real allocation and collection through `ecs-heap` and `ecs-heap/bitecs`,
// and a consumer type-checked by tsc with the strictest flags a user may have and no
// skipLibCheck. publint and arethetypeswrong lint the tarball itself. Run by `npm test`, or alone
// with `npm run test:package`; KEEP_SCRATCH=1 keeps the scratch project for a look.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const scratch = mkdtempSync(join(tmpdir(), 'ecs-heap-package-'));
const env = { ...process.env, NO_COLOR: '1' };

const checks = [];
/** Runs a command; records it as passed or failed; returns its output (stdout not echoed when quiet). */
function run(name, command, args, { cwd = scratch, quiet = false } = {}) {
  console.log(`--- ${name}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8' });
  const output = `${quiet ? '' : result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  if (output !== '') console.log(output);
  const ok = result.status === 0;
  checks.push({ name, ok });
  if (!ok) console.log(`--- ${name}: FAILED (exit ${result.status ?? result.signal ?? result.error})`);
  return { ok, stdout: result.stdout ?? '' };
}
function finish() {
  if (process.env.KEEP_SCRATCH) console.log(`scratch project kept: ${scratch}`);
  else rmSync(scratch, { recursive: true, force: true });
  const failed = checks.filter((c) => !c.ok).map((c) => c.name);
  if (failed.length > 0) console.log(`package checks failed: ${failed.join(', ')}`);
  console.log(`package checks: ${checks.length - failed.length} passed, ${failed.length} failed`);
  process.exit(failed.length === 0 ? 0 : 1);
}

// 1. Pack. `--json` names the tarball; prepack builds dist/ first.
const packed = run('npm pack', 'npm', ['pack', '--json', '--pack-destination', scratch], {
  cwd: root,
  quiet: true,
});
if (!packed.ok) finish();
const pack = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('[')))[0];
const tarball = join(scratch, pack.filename);
const shipped = new Set(pack.files.map((f) => f.path));
const mustShip = [
  'dist/mod.js',
  'dist/mod.d.ts',
  'dist/bitecs.js',
  'dist/bitecs.d.ts',
  'dist/inspector.js',
  'dist/inspector.d.ts',
  'dist/src/inspector/assets/index.html',
  'dist/src/inspector/assets/app.js',
  'docs/design.md',
  'docs/decisions.md',
  'examples/README.md',
  'README.md',
  'LICENSE',
];
const missing = mustShip.filter((path) => !shipped.has(path));
console.log(`--- tarball holds ${shipped.size} files; missing of the required: ${missing.join(', ') || 'none'}`);
checks.push({ name: 'tarball contents', ok: missing.length === 0 });

// 2. Lint the tarball. attw's esm-only profile leaves out node10 (no `exports` support at all)
// and require() from CommonJS under node16: the package is ESM only, and a CommonJS consumer
// loads it with `await import()`, which attw reports as "ESM (dynamic import only)".
run('publint', bin('publint'), ['run', tarball, '--strict']);
run('arethetypeswrong', bin('attw'), [
  tarball,
  '--profile',
  'esm-only',
  '--no-definitely-typed',
  '--no-color',
  '--no-emoji',
]);

// 3. A scratch project that depends on the tarball, as a game would. bitecs is the optional
// peer that ecs-heap/bitecs needs; the repo's npm install already cached it.
const bitecsVersion = JSON.parse(readFileSync(join(root, 'node_modules', 'bitecs', 'package.json'), 'utf8')).version;
writeFileSync(
  join(scratch, 'package.json'),
  JSON.stringify({ name: 'ecs-heap-consumer', private: true, type: 'module' }, null, 2),
);
const installed = run('npm install <tarball>', 'npm', [
  'install',
  '--prefer-offline',
  '--no-audit',
  '--no-fund',
  '--ignore-scripts',
  tarball,
  `bitecs@${bitecsVersion}`,
]);
if (!installed.ok) finish();

// Every entry point the installed package's `exports` names, so a new one is covered as soon as
// it is added there.
const shippedManifest = JSON.parse(readFileSync(join(scratch, 'node_modules', 'ecs-heap', 'package.json'), 'utf8'));
const entries = Object.keys(shippedManifest.exports)
  .filter((key) => key !== './package.json')
  .map((key) => (key === '.' ? 'ecs-heap' : `ecs-heap/${key.slice(2)}`));
console.log(`--- entries: ${entries.join(', ')}`);

// 4. The same plain JavaScript program in each runtime, through node_modules: it checks that every
// entry resolves to the compiled dist/ and loads, then allocates, collects, and runs the bitECS
// bridge.
writeFileSync(
  join(scratch, 'use.mjs'),
  `import { Heap, NULL, StaleRefError } from 'ecs-heap';
import { createCollector } from 'ecs-heap/bitecs';
import { addComponent, addEntity, createWorld, entityExists } from 'bitecs';

function check(held, what) {
  if (!held) throw new Error('package check failed: ' + what);
}
const resolved = import.meta.resolve('ecs-heap');
check(/\\/node_modules\\/ecs-heap\\/dist\\/mod\\.js$/.test(resolved), 'ecs-heap resolves to dist/mod.js, not ' + resolved);
for (const entry of ${JSON.stringify(entries)}) {
  const url = import.meta.resolve(entry);
  check(/\\/node_modules\\/ecs-heap\\/dist\\/[^/]+\\.js$/.test(url), entry + ' resolves into dist/, not ' + url);
  check(Object.keys(await import(entry)).length > 0, entry + ' exports something');
}

const heap = new Heap({ initialCapacity: 8 });
const world = heap.alloc(2);
heap.pin(world);
const kept = heap.alloc(1);
heap.set(world, 0, kept);
const lost = heap.alloc(1);
heap.set(lost, 0, kept);
const info = heap.collect();
check(info.freed === 1 && info.live === 2, 'collect() frees the one unreachable object: ' + JSON.stringify(info));
check(heap.isAlive(kept) && !heap.isAlive(lost), 'isAlive after collect()');
check(heap.get(world, 1) === NULL, 'a fresh slot reads NULL');
let stale = false;
try {
  heap.get(lost, 0);
} catch (error) {
  stale = error instanceof StaleRefError;
}
check(stale, 'a freed handle throws StaleRefError');
heap.verify();

const ecs = createWorld();
const Root = {};
const Child = { eid: new Uint32Array(16) };
const gc = createCollector(ecs, { refs: [Child.eid], roots: [Root] });
const parent = addEntity(ecs);
addComponent(ecs, parent, Root);
const child = addEntity(ecs);
Child.eid[parent] = child;
const orphan = addEntity(ecs);
const removed = gc.collect();
check(removed.freed === 1 && !entityExists(ecs, orphan), 'the bridge removes the orphan: ' + JSON.stringify(removed));
check(entityExists(ecs, parent) && entityExists(ecs, child), 'the bridge keeps what the root reaches');
const { serveInspector } = await import('ecs-heap/inspector');
const inspector = await serveInspector(heap, { port: 0 });
for (const path of ['/', '/assets/app.js', '/assets/uPlot.iife.min.js', '/api/sample']) {
  const response = await fetch(new URL(path, inspector.url));
  check(response.status === 200 && (await response.text()).length > 100, 'the inspector serves ' + path);
}
await inspector.close();
console.log('ok: ' + resolved.slice(resolved.indexOf('/node_modules/')) + ', freed ' + info.freed + ', bridge freed ' + removed.freed);
`,
);
run('plain Node imports the package', process.execPath, ['use.mjs']);
run('Bun imports the package', bin('bun'), ['use.mjs']);
// Deno resolves bare specifiers from node_modules when a package.json is present
// ("manual" node_modules); no network and no npm: specifier needed.
run('Deno imports the package', bin('deno'), [
  'run',
  '--allow-read',
  '--allow-env',
  '--allow-net=127.0.0.1',
  'use.mjs',
]);

// 5. A TypeScript consumer with the strictest settings a user may have, no skipLibCheck (so our
// .d.ts files are checked too) and NodeNext resolution (which rejects `.ts` import paths).
writeFileSync(
  join(scratch, 'tsconfig.json'),
  JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2022'],
        types: [],
        strict: true,
        noUncheckedIndexedAccess: true,
        exactOptionalPropertyTypes: true,
        noPropertyAccessFromIndexSignature: true,
        verbatimModuleSyntax: true,
        noEmit: true,
      },
      files: ['consumer.ts', 'entries.ts'],
    },
    null,
    2,
  ),
);
writeFileSync(
  join(scratch, 'consumer.ts'),
  `import { type CollectionInfo, Heap, type HeapOptions, type HeapStats, NULL, type Ref, StaleRefError } from 'ecs-heap';
import { type CollectorOptions, createCollector } from 'ecs-heap/bitecs';
import { createWorld } from 'bitecs';

const options: HeapOptions = { initialCapacity: 64, generational: true };
const heap = new Heap(options);
const world: Ref = heap.alloc(4);
heap.pin(world);
heap.set(world, 0, heap.alloc(0));
const info: CollectionInfo = heap.collect();
const stats: HeapStats = heap.stats();
export const summary: string = info.kind + ' ' + String(stats.live) + ' ' + String(heap.get(world, 1) === NULL);
export const isStale = (error: unknown): boolean => error instanceof StaleRefError;
// The types are real, not any: a string is no slot count.
// @ts-expect-error slots is a number
heap.alloc('4');

const Target = { eid: new Uint32Array(8) };
const collectorOptions: CollectorOptions = { refs: [Target.eid], roots: [] };
export const gc = createCollector(createWorld(), collectorOptions);
`,
);
// Every entry's declarations, whole.
writeFileSync(
  join(scratch, 'entries.ts'),
  entries.map((entry, i) => `export * as entry${i} from '${entry}';\n`).join(''),
);
run('tsc: NodeNext strict consumer, no skipLibCheck', bin('tsc'), ['-p', 'tsconfig.json']);
run('deno check: the same consumer', bin('deno'), ['check', 'consumer.ts', 'entries.ts']);

finish();
