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
import { recordList, variableFields } from '../src/core/shapes.ts';

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

describe('variableFields', () => {
  it('gives each typed array of a record a new view of the same memory, and leaves the rest', () => {
    const columns = new Uint32Array([1, 2, 3]);
    const bytes = new Uint8Array(8);
    const list = recordList<object>();
    const record = { columns, bytes, list, count: 3, name: 'x', view: new DataView(new ArrayBuffer(4)) };
    const view = record.view;
    variableFields(record);
    expect(record.columns).not.toBe(columns);
    expect(record.columns).toBeInstanceOf(Uint32Array);
    expect(record.columns.buffer).toBe(columns.buffer);
    expect([...record.columns]).toEqual([1, 2, 3]);
    record.columns[1] = 7;
    expect(columns[1]).toBe(7); // the same memory: a write through either is seen by both
    expect(record.bytes).not.toBe(bytes);
    expect(record.bytes.length).toBe(8);
    expect(record.list).toBe(list);
    expect(record.view).toBe(view);
    expect(record.count).toBe(3);
    expect(record.name).toBe('x');
  });
});

describe('recordList', () => {
  it('is an empty array, ready for records', () => {
    const list = recordList<{ k: number }>();
    expect(Array.isArray(list)).toBe(true);
    expect(list.length).toBe(0);
    list.push({ k: 1 });
    expect(list).toEqual([{ k: 1 }]);
  });
});
