/**
 * The README's tour is code a newcomer copies: this runs it, and turns its `// true` and
 * `// false` comments into assertions, so the README cannot drift from the library.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as lib from '../mod.ts';

describe('README', () => {
  it('runs the tour as written, and its true/false comments hold', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const tour = /## A short tour\s+```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(tour).toBeDefined();
    const claims: string[] = [];
    const body = tour!
      .split('\n')
      .filter((line) => !line.startsWith('import '))
      .map((line) => line.replace('(ref: number) =>', '(ref) =>')) // the tour's one type annotation
      .map((line) => {
        const claim = /^(.*?);\s*\/\/ (true|false)\b/.exec(line);
        if (claim === null) return line;
        claims.push(claim[1]!.trim());
        return `__claim(${JSON.stringify(claim[1]!.trim())}, (${claim[1]}) === ${claim[2]});`;
      })
      .join('\n');
    const failed: string[] = [];
    // What the tour imports, given to it by name (so its import line cannot name what mod.ts lacks).
    const names = /^import \{([^}]*)\}/m.exec(tour!)![1]!.split(',').map((name) => name.trim()).filter(Boolean);
    const exports = lib as unknown as Record<string, unknown>;
    for (const name of names) expect(exports[name], `the tour imports ${name}`).toBeDefined();
    const run = new Function(...names, '__claim', `${body}\nreturn heap;`);
    const heap = run(...names.map((name) => exports[name]), (text: string, held: boolean) => {
      if (!held) failed.push(text);
    }) as lib.Heap;
    expect(claims.length).toBeGreaterThan(1);
    expect(failed).toEqual([]);
    heap.verify();
  });
});
