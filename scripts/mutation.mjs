// `npm run test:mutation [-- GROUP...]`: mutation testing of the collector (src/gc/*.ts, the slot
// pool and free list in src/core, the component store, save games in src/io, the bitECS bridge in
// src/bitecs, the options, handles and lists, the Heap facade in src/heap.ts, the state, columns
// and free causes in src/core, the inspector's server in src/inspector) with StrykerJS, one
// group of files at a time. Each group has its own incremental file under
// reports/stryker-incremental/ (committed), so a rerun retests only the mutants whose code or
// covering tests changed, and a run cut short keeps every finished group. Grouping also keeps the
// instrumented code small: verify() runs after nearly every step of the tests, and it runs
// uninstrumented except in its own group. Ends with the summary of every group
// (scripts/mutation-summary.mjs), which docs/mutation-testing.md quotes.
// Pass --force after the groups to retest everything (after changing a test helper such as
// test/model.ts: Stryker notices changed test files, not changed helpers).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';

const GROUPS = {
  barrier: ['src/gc/barrier.ts'],
  roots: ['src/gc/roots.ts'],
  pacer: ['src/gc/pacer.ts', 'src/gc/tick.ts'],
  collector: ['src/gc/collector.ts', 'src/gc/minor.ts'],
  slots: ['src/core/slots.ts'],
  allocate: ['src/gc/allocate.ts'],
  freeList: ['src/core/free-list.ts'],
  sweep: ['src/gc/sweep.ts'],
  mark: ['src/gc/mark.ts'],
  cards: ['src/gc/cards.ts'],
  weak: ['src/gc/weak.ts'],
  destroy: ['src/gc/destroy.ts'],
  whyAlive: ['src/gc/why-alive.ts'],
  verify: ['src/gc/verify.ts'],
  components: ['src/ecs/components.ts', 'src/core/component-store.ts'],
  io: ['src/io/snapshot.ts', 'src/io/load.ts'],
  bitecs: ['src/bitecs/*.ts'],
  api: ['src/lists.ts', 'src/core/options.ts', 'src/core/handle.ts'],
  facade: ['src/heap.ts'],
  core: ['src/core/state.ts', 'src/core/columns.ts', 'src/core/free-cause.ts', 'src/ecs/schema.ts'],
  inspector: ['src/inspector/*.ts'],
};

// Test files a group needs beyond vitest.mutation.config.ts's list (passed to it as
// MUTATION_EXTRA_TESTS): only the group's own run pays for them, and the other groups' covering
// tests, which their incremental files record, stay as they were.
const EXTRA_TESTS = {
  io: ['test/snapshot.test.ts', 'test/snapshot-hostile.test.ts', 'test/load.test.ts'],
  bitecs: ['test/bitecs*.test.ts'],
  api: ['test/lists.test.ts', 'test/messages.test.ts'],
  facade: [
    'test/messages.test.ts',
    'test/lists.test.ts',
    'test/ref-field.test.ts',
    'test/snapshot.test.ts',
    'test/load.test.ts',
    'test/clear-phase.test.ts',
    'test/facade-edges.test.ts',
  ],
  core: [
    'test/state.test.ts',
    'test/columns.test.ts',
    'test/messages.test.ts',
    'test/facade-edges.test.ts',
    'test/slot-pool-api.test.ts',
  ],
  inspector: ['test/inspector.test.ts'],
};

const args = process.argv.slice(2);
const force = args.includes('--force');
const asked = args.filter((a) => a !== '--force');
for (const name of asked) {
  if (!(name in GROUPS)) throw new Error(`unknown group ${name}; groups: ${Object.keys(GROUPS).join(', ')}`);
}
mkdirSync('reports/stryker-incremental', { recursive: true });
const failed = [];
for (const name of asked.length > 0 ? asked : Object.keys(GROUPS)) {
  console.log(`\n=== mutation group ${name}: ${GROUPS[name].join(', ')}`);
  const result = spawnSync('npx', [
    'stryker',
    'run',
    '--mutate',
    GROUPS[name].join(','),
    '--incrementalFile',
    `reports/stryker-incremental/${name}.json`,
    ...(force ? ['--force'] : []),
  ], { stdio: 'inherit', env: { ...process.env, MUTATION_EXTRA_TESTS: (EXTRA_TESTS[name] ?? []).join(',') } });
  if (result.status !== 0) failed.push(name);
}
const reports = readdirSync('reports/stryker-incremental').filter((f) => f.endsWith('.json')).sort();
spawnSync('node', ['scripts/mutation-summary.mjs', ...reports.map((f) => `reports/stryker-incremental/${f}`)], {
  stdio: 'inherit',
});
if (failed.length > 0) {
  console.log(`groups that failed to run: ${failed.join(', ')}`);
  process.exit(1);
}
