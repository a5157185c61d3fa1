/**
 * The heap's records keep one hidden class whatever the heap holds and whatever ran before
 * (core/shapes.ts): number fields that will hold doubles start as doubles, and lists of records
 * start with object elements. Checked in V8 (Node, and Deno when it runs the suite), where a second
 * class deoptimizes the collector's compiled code in a game's first frames; JavaScriptCore (Bun)
 * has no such classes to compare, so the check does not run there. The checks run in a fresh
 * process (test/shapes-child.ts): in this one, earlier tests have made heaps already.
 */
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url);
const g = globalThis as { Bun?: unknown; Deno?: { execPath(): string } };

function command(): [string, string[]] {
  const file = 'test/shapes-child.ts';
  if (g.Deno !== undefined) return [g.Deno.execPath(), ['run', '-A', '--v8-flags=--allow-natives-syntax', file]];
  return [process.execPath, ['--allow-natives-syntax', '--import', 'tsx', file]];
}

function runChild(): Promise<{ code: number; stdout: string; stderr: string }> {
  const [program, args] = command();
  return new Promise((resolve) => {
    execFile(
      program,
      args,
      { cwd: root, timeout: 90_000, env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe.skipIf(g.Bun !== undefined)('hidden classes (V8)', () => {
  it('are the same for heaps with and without components, before and after collections ran', async () => {
    const { code, stdout, stderr } = await runChild();
    if (code !== 0) expect({ code, stderr: stderr.slice(-2000) }).toBe(null);
    const checks = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, boolean>;
    // Every check, by name, so a failure says which record took a second class.
    expect(Object.keys(checks).length).toBeGreaterThanOrEqual(12);
    expect(Object.entries(checks).filter(([, same]) => !same).map(([name]) => name)).toEqual([]);
  }, 120_000);
});
