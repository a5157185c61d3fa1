/**
 * bench/deopt.ts reads V8's `--trace-deopt-verbose --trace-opt` transcripts: these lines are in the
 * forms Node 20 and Deno 2.9 print them (addresses shortened). Until session 28 the parser took a
 * deoptimization's position only as a plain path, and V8 names ES modules by `file://` URL (tsx in
 * Node, Deno), so it counted none of src/'s eager or lazy deoptimizations: the suite's "0 in the
 * first frames" was that, not the code.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseCompiles, parseDeopts } from '../bench/deopt.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const srcUrl = (file: string) => pathToFileURL(join(ROOT, file)).href;
const names = new Set(['sweepNursery', 'scanYoung', 'alloc', 'promoteSlice']);

function bailout(fn: string, reason: string, at: string): string[] {
  return [
    `[bailout (kind: deopt-eager, reason: ${reason}): begin. deoptimizing 0x1025 <JSFunction ${fn} (sfi = 0x1025)>, 0x1644 <Code TURBOFAN>, opt id 132, bytecode offset 787, deopt exit 82, FP to SP delta 28]`,
    `            ;;; deoptimize at <${at}:1:3633> inlined at <${srcUrl('src/gc/collector.ts')}:1:90>`,
  ];
}

describe('bench/deopt.ts parseDeopts', () => {
  test('counts a deoptimization in src/ named by a file:// URL or a path, by phase; not one elsewhere', () => {
    const transcript = [
      ...bailout('scanYoung', 'Insufficient type feedback for generic keyed access', srcUrl('src/gc/mark.ts')),
      '=== measured',
      ...bailout('sweepNursery', 'Insufficient type feedback for call', srcUrl('src/gc/sweep.ts')),
      ...bailout('sweepNursery', 'Insufficient type feedback for call', srcUrl('src/gc/sweep.ts')),
      ...bailout('scanYoung', 'wrong map', join(ROOT, 'src/gc/mark.ts')),
      // In the bench's own code, and in a directory whose name only starts with `src`.
      ...bailout('firstFrames', 'Insufficient type feedback for construct', srcUrl('bench/child/gc-paths.ts')),
      ...bailout('helper', 'wrong map', srcUrl('src-old/gc/mark.ts')),
    ].join('\n');
    const deopts = parseDeopts(transcript, names, 'first frames');
    expect(deopts.map((d) => [d.phase, d.fn, d.reason, d.file, d.count])).toEqual([
      ['warm-up', 'scanYoung', 'Insufficient type feedback for generic keyed access', 'src/gc/mark.ts', 1],
      ['measured', 'sweepNursery', 'Insufficient type feedback for call', 'src/gc/sweep.ts', 2],
      ['measured', 'scanYoung', 'wrong map', 'src/gc/mark.ts', 1],
    ]);
  });

  test('takes the marker inside a line (Deno buffers its traces) and dependency deoptimizations by name', () => {
    const transcript = [
      '[marking dependent code 0x0258 <Code TURBOFAN> (0x3f26 <SharedFunctionInfo alloc>) (opt id 36) for deoptimization, reason: code dependencies]',
      '[completed compiling 0x1c5d <JSFunction templ=== measured',
      '[marking dependent code 0x0258 <Code TURBOFAN> (0x3f26 <SharedFunctionInfo alloc>) (opt id 37) for deoptimization, reason: code dependencies]',
      '[marking dependent code 0x0258 <Code TURBOFAN> (0x3f26 <SharedFunctionInfo gameCode>) (opt id 38) for deoptimization, reason: code dependencies]',
    ].join('\n');
    expect(parseDeopts(transcript, names).map((d) => [d.phase, d.kind, d.fn])).toEqual([
      ['warm-up', 'dependency', 'alloc'],
      ['measured', 'dependency', 'alloc'],
    ]);
  });
});

describe('bench/deopt.ts parseCompiles', () => {
  test('sums the compiles of src/ functions after the marker by tier and on-stack replacement', () => {
    const done = (fn: string, target: string, osr: boolean, ms: number) =>
      `[completed compiling 0x1c5d <JSFunction ${fn} (sfi = 0x33aa)> (target ${target})${
        osr ? ' OSR' : ''
      } - took 0.002, ${ms}, 0.043 ms]`;
    const transcript = [
      done('promoteSlice', 'TURBOFAN', false, 9),
      '=== measured',
      done('promoteSlice', 'TURBOFAN_JS', false, 4.25),
      done('promoteSlice', 'TURBOFAN_JS', false, 1.75),
      done('sweepNursery', 'TURBOFAN', true, 3),
      done('sweepNursery', 'MAGLEV', false, 0.5),
      done('firstFrames', 'TURBOFAN', true, 20),
    ].join('\n');
    expect(parseCompiles(transcript, names, 'first frames').map((c) => [c.fn, c.tier, c.osr, c.count, c.ms]))
      .toEqual([
        ['promoteSlice', 'TurboFan', false, 2, 6],
        ['sweepNursery', 'TurboFan', true, 1, 3],
        ['sweepNursery', 'Maglev', false, 1, 0.5],
      ]);
  });
});
