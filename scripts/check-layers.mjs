// The layering rule of docs/architecture.md ("Layers"), checked on every `npm test`: a module may import
// only from its own layer or a lower one, and no import cycle may form. Fails naming each import
// that breaks the rule.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');

/** Lowest first. A file's layer is its folder under src/; src/*.ts files are the facade. */
const LAYERS = ['core', 'ecs', 'gc', 'io', 'facade', 'inspector'];
/** Side entries: each may import the layers listed, nothing else. */
const SIDE = { bitecs: ['core'] };

function layerOf(file) {
  const rel = relative(join(root, 'src'), file).split('/');
  if (rel.length === 1) return 'facade';
  return rel[0];
}

function* sources(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (name.endsWith('.ts')) yield path;
  }
}

const importPattern = /^\s*(import|export)\b(\s+type\b)?[^'"]*?from\s+'(\.[^']+)'|^\s*import\s+'(\.[^']+)'/gm;
const problems = [];
const graph = new Map();
for (const file of sources(join(root, 'src'))) {
  const from = layerOf(file);
  const edges = [];
  for (const match of readFileSync(file, 'utf8').matchAll(importPattern)) {
    const target = resolve(dirname(file), match[3] ?? match[4]);
    // A type-only import is erased before anything runs: it may close a loop within a layer
    // (the facade and warm-up.ts), but never reach up a layer.
    if (match[2] === undefined) edges.push(target);
    const to = layerOf(target);
    const allowed = SIDE[from] ?? LAYERS.slice(0, LAYERS.indexOf(from) + 1);
    if (!LAYERS.includes(from) && SIDE[from] === undefined) {
      problems.push(`${relative(root, file)}: unknown layer '${from}'`);
    } else if (!allowed.includes(to) && to !== from) {
      problems.push(`${relative(root, file)} (${from}) imports ${relative(root, target)} (${to})`);
    }
  }
  graph.set(file, edges);
}

// Cycles between files, found by depth-first search with colors.
const state = new Map();
function visit(file, path) {
  state.set(file, 1);
  for (const next of graph.get(file) ?? []) {
    if (state.get(next) === 1) {
      const cycle = path.slice(path.indexOf(next)).concat(next).map((f) => relative(root, f));
      problems.push(`import cycle: ${cycle.join(' -> ')}`);
    } else if (!state.has(next)) visit(next, path.concat(next));
  }
  state.set(file, 2);
}
for (const file of graph.keys()) if (!state.has(file)) visit(file, [file]);

if (problems.length > 0) {
  console.error(`layering broken (see docs/architecture.md, "Layers"):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`layers ok: ${graph.size} modules, no upward import, no cycle`);
