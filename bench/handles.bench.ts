/**
 * `handles`: the cost of decoding handles, while they are small integers and after generations
 * have grown past small-integer range.
 *
 * A handle is `index + generation * 2^indexBits`. On a fresh heap (generation 0) handles are
 * small integers (V8 Smis, JSC int32s); once an index has been reused often enough they become
 * doubles: with indexBits 24, generation 128 passes 2^31 and generation 256 passes 2^32. This suite
 * builds two heaps with indexBits 24 and the same 4096 one-slot objects: one fresh, one whose
 * indices were each allocated and collected 300 times first (handles about 5.0e9, past 2^32, where
 * `ref & indexMask` has to truncate a double). It times `isAlive`, `get`, `set` and `index` over the
 * handles held in a plain array (Smi elements vs double elements) and in a `Float64Array` (as a
 * game storing handles in SoA components would), plus the limit: the same decode written inline
 * over typed arrays.
 *
 * Order matters in a JIT: the small-integer runs go first, on code that has seen only small
 * integers; then the double runs; then the small-integer runs again, on code that has now seen
 * both (which is what a long-running game gets). Both small-integer numbers are reported.
 */
import { bench, do_not_optimize, group } from 'mitata';
import { Heap, type Ref } from '../mod.ts';
import { ratio, sig } from './lib/format.ts';
import { measure, p50 } from './lib/measure.ts';
import { paired } from './lib/paired.ts';
import { type Ctx, type Ratio, report, type SuiteReport, type Table } from './lib/report.ts';

const N = 4096;
const INDEX_BITS = 24;
const CYCLES = 300;
// Written as integer literals on purpose: in JSC, `2 ** INDEX_BITS` makes a double-typed constant,
// and the inline-decode loop below ran ~15x slower in Bun with `r & MASK` on it.
const SCALE = 16777216;
const MASK = 16777215;
if (SCALE !== 2 ** INDEX_BITS || MASK !== SCALE - 1) throw new Error('handles: SCALE and MASK must match INDEX_BITS');

interface Fixture {
  heap: Heap;
  refs: Ref[];
  refsF64: Float64Array;
  /** The limit's own copy of what the heap knows: generation and liveness per index. */
  generation: Uint32Array;
  alive: Uint8Array;
}

export function fixture(cycles: number): Fixture {
  // maxObjects N: while a heap may still grow, an index whose handle would pass 2^30 is set aside
  // for a fresh one (core/free-list.ts); at its ceiling it is reused, so the generations climb.
  const heap = new Heap({ indexBits: INDEX_BITS, initialCapacity: N, maxObjects: N });
  for (let c = 0; c < cycles; c++) {
    for (let i = 0; i < N; i++) heap.alloc(1);
    heap.collect();
  }
  const refs: Ref[] = [];
  for (let i = 0; i < N; i++) refs.push(heap.alloc(1));
  for (let i = 0; i < N; i++) {
    heap.set(refs[i]!, 0, refs[(i * 7 + 1) % N]!);
    heap.pin(refs[i]!);
  }
  const generation = new Uint32Array(N + 1);
  const alive = new Uint8Array(N + 1);
  for (const r of refs) {
    const i = heap.index(r);
    generation[i] = Math.floor(r / SCALE);
    alive[i] = 1;
  }
  const expected = cycles === 0 ? 2 ** 31 : 2 ** 32;
  if (cycles === 0 ? refs[N - 1]! >= expected : refs[0]! <= expected) {
    throw new Error(`handles: fixture with ${cycles} cycles made handle ${refs[0]}`);
  }
  return { heap, refs, refsF64: Float64Array.from(refs), generation, alive };
}

type Op = 'isAlive' | 'get' | 'set' | 'index' | 'limit';
type Storage = 'array' | 'Float64Array';
const CASES: [Op, Storage][] = [
  ['isAlive', 'array'],
  ['get', 'array'],
  ['set', 'array'],
  ['index', 'array'],
  ['limit', 'array'],
  ['isAlive', 'Float64Array'],
  ['get', 'Float64Array'],
];

// One top-level function per case, taking the fixture as an argument: no captured variables, so
// every engine compiles them like ordinary library calls.

function isAliveArray(f: Fixture): number {
  const heap = f.heap;
  const refs = f.refs;
  let c = 0;
  for (let k = 0; k < refs.length; k++) if (heap.isAlive(refs[k]!)) c++;
  return c;
}

function getArray(f: Fixture): number {
  const heap = f.heap;
  const refs = f.refs;
  let s = 0;
  for (let k = 0; k < refs.length; k++) s += heap.get(refs[k]!, 0);
  return s;
}

/** Each object's slot 0 set to the next object (all pinned, so the graph stays alive). */
function setArray(f: Fixture): number {
  const heap = f.heap;
  const refs = f.refs;
  let c = 0;
  for (let k = 0; k < refs.length; k++, c++) heap.set(refs[k]!, 0, refs[(k + 1) & (N - 1)]!);
  return c;
}

function indexArray(f: Fixture): number {
  const heap = f.heap;
  const refs = f.refs;
  let s = 0;
  for (let k = 0; k < refs.length; k++) s += heap.index(refs[k]!);
  return s;
}

/** The limit: what `isAlive` computes, written inline over the fixture's own typed arrays. */
function limitArray(f: Fixture): number {
  const refs = f.refs;
  const generation = f.generation;
  const alive = f.alive;
  let c = 0;
  for (let k = 0; k < refs.length; k++) {
    const r = refs[k]!;
    const i = r & MASK;
    if (i !== 0 && i <= N && alive[i] !== 0 && i + generation[i]! * SCALE === r) c++;
  }
  return c;
}

function isAliveF64(f: Fixture): number {
  const heap = f.heap;
  const refs = f.refsF64;
  let c = 0;
  for (let k = 0; k < refs.length; k++) if (heap.isAlive(refs[k] as Ref)) c++;
  return c;
}

function getF64(f: Fixture): number {
  const heap = f.heap;
  const refs = f.refsF64;
  let s = 0;
  for (let k = 0; k < refs.length; k++) s += heap.get(refs[k] as Ref, 0);
  return s;
}

const LOOPS: Record<Storage, Partial<Record<Op, (f: Fixture) => number>>> = {
  array: { isAlive: isAliveArray, get: getArray, set: setArray, index: indexArray, limit: limitArray },
  Float64Array: { isAlive: isAliveF64, get: getF64 },
};

/** The loop for one case: N operations per call, the result kept so no engine can drop the work. */
export function loop(f: Fixture, op: Op, storage: Storage): () => number {
  const fn = LOOPS[storage][op];
  if (fn === undefined) throw new Error(`handles: no loop for ${op} over ${storage}`);
  return () => {
    const result = fn(f);
    do_not_optimize(result);
    return result;
  };
}

type Rep = 'smi' | 'double' | 'smi again';

export async function handlesSuite(ctx: Ctx): Promise<SuiteReport> {
  ctx.log(`[bench] handles: building heaps (one of them through ${CYCLES} alloc/collect cycles)`);
  const small = fixture(0);
  const large = fixture(CYCLES);
  const name = (op: Op, storage: Storage, rep: Rep) => `${op} ${storage} ${rep}`;
  const stats = await measure(ctx, `handles (${ctx.label})`, () => {
    for (const [rep, f] of [['smi', small], ['double', large], ['smi again', small]] as const) {
      group(
        `${
          rep === 'double'
            ? `large handles (~${sig(large.refs[0]!)}, doubles)`
            : 'small handles (1..4096, small integers)'
        }` +
          `${rep === 'smi again' ? ', after the code has seen doubles' : ''}: ${N} operations per iteration`,
        () => {
          for (const [op, storage] of CASES) {
            const fn = loop(f, op, storage);
            if (fn() === 0) throw new Error(`handles: ${op} over ${storage} found nothing`);
            bench(name(op, storage, rep), fn);
          }
        },
      );
    }
  });
  const perOp = (op: Op, storage: Storage, rep: Rep) => p50(stats, name(op, storage, rep)) / N;
  const rows: string[][] = [];
  const derived: Record<string, unknown>[] = [];
  const ratios: Ratio[] = [];
  for (const [op, storage] of CASES) {
    const smi = perOp(op, storage, 'smi');
    const dbl = perOp(op, storage, 'double');
    const again = perOp(op, storage, 'smi again');
    // Paired: small and large handles in turn, on code that has seen both (a long-running game).
    const pair = paired([
      { name: 'smi', fn: loop(small, op, storage) },
      { name: 'double', fn: loop(large, op, storage) },
    ], ctx.quick ? 500 : 1000);
    rows.push([
      op === 'limit' ? 'limit (inline decode)' : op,
      storage,
      sig(smi),
      sig(dbl),
      sig(again),
      ratio(pair.ratios[1]!),
    ]);
    derived.push({
      op,
      storage,
      smiNsPerOp: smi,
      doubleNsPerOp: dbl,
      smiAgainNsPerOp: again,
      doubleOverSmiOfMedians: dbl / smi,
      doubleOverSmiPaired: pair.ratios[1],
      pairedRounds: pair.rounds,
    });
    ratios.push({
      name: `handles (${ctx.label}): ${op} over ${storage}, double / small-integer handles, time, paired`,
      value: pair.ratios[1]!,
    });
  }
  const table: Table = {
    title: `handles: ns per operation, small-integer vs double handles (${ctx.label} ${ctx.runtimeVersion})`,
    columns: ['operation', 'handles in', 'smi ns', 'double ns', 'smi again ns', 'double/smi'],
    rows,
  };
  return report('handles', ctx, [{
    tables: [table],
    ratios,
    notes: [
      `indexBits ${INDEX_BITS}; double handles are at generation ${CYCLES} (about ${
        sig(large.refs[0]!)
      }, past 2^32). ` +
      "smi, double, smi again: mitata medians in that order ('smi again' reruns the small handles after the " +
      'same code has run on doubles). double/smi: paired ratio, small and large handles measured in turn.',
    ],
    data: { stats: Object.fromEntries(stats), perOp: derived, largeHandle: large.refs[0] },
  }]);
}
