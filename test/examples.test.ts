/**
 * Every program in examples/ runs: each is started as a child process of the runtime running this
 * suite (Node through tsx, Bun, or Deno), must exit 0, and must print what it shows. A new file in
 * examples/ is picked up by itself; one that is not a program belongs in a subfolder.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const examples = new URL('../examples/', import.meta.url);
const root = new URL('../', import.meta.url);

/** Arguments that keep a long-running example short: the inspector stops after a few frames. */
const ARGS: Record<string, string[]> = {
  'inspect.ts': ['--frames', '5', '--port', '0'],
  'game-loop.ts': ['40'],
};

/** The command that runs a TypeScript file in the runtime running this suite. */
function command(file: string): [string, string[]] {
  const g = globalThis as { Bun?: unknown; Deno?: { execPath(): string } };
  if (g.Deno !== undefined) return [g.Deno.execPath(), ['run', '-A', file]];
  if (g.Bun !== undefined) return [process.execPath, [file]];
  return [process.execPath, ['--import', 'tsx', file]];
}

function run(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const [program, prefix] = command(file);
  return new Promise((resolve) => {
    execFile(
      program,
      [...prefix, ...args],
      { cwd: root, timeout: 90_000, maxBuffer: 16 << 20, env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('examples', () => {
  const files = readdirSync(examples, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name !== 'README.md')
    .map((entry) => entry.name);

  it('holds only programs (and its README) at its top level', () => {
    expect(files.filter((name) => !name.endsWith('.ts') || name.endsWith('.d.ts'))).toEqual([]);
    expect(files.length).toBeGreaterThanOrEqual(8);
  });

  for (const name of files) {
    it(`${name} runs, exits 0 and prints what it shows`, async () => {
      const { code, stdout, stderr } = await run(`examples/${name}`, ARGS[name] ?? []);
      if (code !== 0) expect({ name, code, stderr: stderr.slice(-2000) }).toBe(null);
      expect(stdout.trim().split('\n').length).toBeGreaterThanOrEqual(2);
      // The demo splits its longest pause into waiting for a CPU and the collector's own part.
      if (name === 'demo.ts') expect(stdout).toMatch(/of the max: waiting for a CPU +(n\/a|\d+\.\d\d)/);
      if (name === 'demo.ts') expect(stdout).toMatch(/max less the wait for a CPU +(n\/a|\d+\.\d\d)/);
    }, 120_000);
  }
});
