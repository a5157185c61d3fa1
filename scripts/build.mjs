// `npm run build` (and `npm pack` / `npm publish`, through `prepack`): compiles the npm package
// to JavaScript plus declarations in dist/, from tsconfig.build.json. The TypeScript source stays
// the JSR/Deno entry (mod.ts); npm consumers get plain ES2022 modules, because Node refuses to
// strip types under node_modules and a NodeNext consumer rejects `.ts` import paths.
//
// tsc rewrites the relative `.ts` import paths of the JavaScript it emits to `.js`
// (`rewriteRelativeImportExtensions`), but not those of the declarations it emits. TypeScript
// 5.0+ reads `.ts` paths in a `.d.ts`, older compilers and some editors do not; so this script
// rewrites them to `.js`, which every resolution mode maps to the `.d.ts` beside the `.js`.
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const dist = join(root, 'dist');

rmSync(dist, { recursive: true, force: true }); // no stale module of a renamed file survives
const tsc = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (tsc.status !== 0) {
  console.error(`build: tsc -p tsconfig.build.json failed (exit ${tsc.status ?? tsc.signal})`);
  process.exit(1);
}

// The inspector's page (HTML, browser JavaScript, CSS) is read at run time from beside its module,
// so it goes next to the compiled module as it is.
cpSync(join(root, 'src', 'inspector', 'assets'), join(dist, 'src', 'inspector', 'assets'), { recursive: true });

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else yield path;
  }
}

// A relative specifier ending in .ts, in `from '…'`, `import '…'` or `import('…')`.
const tsSpecifier = /((?:from|import)\s*\(?\s*)(['"])(\.{1,2}\/[^'"]*?)\.ts\2/g;
let declarations = 0;
let rewritten = 0;
for (const path of files(dist)) {
  if (path.endsWith('.js') && /(?:from|import)\s*\(?\s*['"]\.{1,2}\/[^'"]*\.ts['"]/.test(readFileSync(path, 'utf8'))) {
    console.error(`build: ${path} still imports a .ts path; tsc did not rewrite it`);
    process.exit(1);
  }
  if (!path.endsWith('.d.ts')) continue;
  declarations++;
  const text = readFileSync(path, 'utf8');
  const fixed = text.replace(tsSpecifier, (_, head, quote, stem) => {
    rewritten++;
    return `${head}${quote}${stem}.js${quote}`;
  });
  if (fixed !== text) writeFileSync(path, fixed);
}
console.log(`build: dist/ written; ${rewritten} .ts import paths in ${declarations} declaration files now end in .js`);
