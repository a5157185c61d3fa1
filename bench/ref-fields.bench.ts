/**
 * `ref-fields`: following a `weakref` field over 100k entities, the projectile loop of a game
 * (each projectile's target, then the target's position). Four ways, in one run:
 * - `getField` then `index`: the field looked up by name on every call (issue 14: too slow for a
 *   loop over 100k entities);
 * - `getRef` then `index`: the field resolved once (`heap.refField`);
 * - `refIndex`: the field resolved once, the target read straight as a column index;
 * - the limit: the same loop over the raw columns, with the checks written inline (what no
 *   safe API can beat: a generation compare for the projectile, the read barrier for the target).
 * Targets are scattered: projectile k aims at a random unit, as after minutes of play.
 */
import process from 'node:process';
import { bench, do_not_optimize } from 'mitata';
import { Heap, type Index, type Ref } from '../mod.ts';
import { stateOf } from '../src/heap.ts';
import { DESTROYED_ANY } from '../src/core/state.ts';
import { ratio, sig } from './lib/format.ts';
import { prng } from './lib/graphs.ts';
import { measure, p50 } from './lib/measure.ts';
import { isMain, runStandalone } from './lib/output.ts';
import { type Ctx, report, type SuiteReport } from './lib/report.ts';

const PROJECTILES = 100_000;
const UNITS = 5_000;

export async function refFieldsSuite(ctx: Ctx): Promise<SuiteReport> {
  const heap = new Heap();
  const Position = heap.defineComponent({ x: 'f32', y: 'f32' }, { name: 'Position' });
  const Aim = heap.defineComponent({ target: 'weakref' }, { name: 'Aim' });
  const target = heap.refField(Aim, 'target');
  const rand = prng(7);
  const units: Ref[] = [];
  for (let k = 0; k < UNITS; k++) {
    const unit = heap.alloc(0);
    heap.pin(unit);
    heap.add(unit, Position, { x: k, y: 1 });
    units.push(unit);
  }
  const projectiles: Ref[] = [];
  for (let k = 0; k < PROJECTILES; k++) {
    const p = heap.alloc(0);
    heap.pin(p);
    heap.add(p, Aim, { target: units[Math.floor(rand() * UNITS)]! });
    projectiles.push(p);
  }
  heap.collect();
  const x = Position.x;
  const s = stateOf(heap);
  const aim = s.components.list.find((c) => c.name === 'Aim')!;
  const column = aim.fields[0]!.column;
  const loops: Record<string, () => number> = {
    'getField + index': () => {
      let sum = 0;
      for (let k = 0; k < PROJECTILES; k++) {
        const t = heap.getField(projectiles[k]!, Aim, 'target');
        if (t !== 0) sum += x[heap.index(t)]!;
      }
      return sum;
    },
    'getRef + index': () => {
      let sum = 0;
      for (let k = 0; k < PROJECTILES; k++) {
        const t = heap.getRef(projectiles[k]!, target);
        if (t !== 0) sum += x[heap.index(t)]!;
      }
      return sum;
    },
    refIndex: () => {
      let sum = 0;
      for (let k = 0; k < PROJECTILES; k++) {
        const t: Index = heap.refIndex(projectiles[k]!, target);
        if (t !== 0) sum += x[t]!;
      }
      return sum;
    },
    'limit (raw columns, checks inline)': () => {
      const generation = s.generation;
      const color = s.color;
      const scale = s.codec.indexScale;
      const mask = s.codec.indexMask;
      const liveMask = s.liveMask;
      const position = aim.position;
      let sum = 0;
      for (let k = 0; k < PROJECTILES; k++) {
        const ref = projectiles[k]!;
        const i = ref & mask;
        if ((color[i]! & liveMask) === 0 || i + generation[i]! * scale !== ref) throw new Error('stale');
        if (position[i] === 0) throw new Error('not a member');
        const t = column[i]!;
        if (t !== 0 && (color[t]! & DESTROYED_ANY) === 0) sum += x[t]!;
      }
      return sum;
    },
  };
  const expected = loops['limit (raw columns, checks inline)']!();
  for (const [name, fn] of Object.entries(loops)) {
    if (fn() !== expected) throw new Error(`ref-fields: ${name} read something else`);
  }
  const stats = await measure(ctx, `ref-fields (${ctx.label})`, () => {
    for (const [name, fn] of Object.entries(loops)) bench(name, () => do_not_optimize(fn()));
  });
  const limit = p50(stats, 'limit (raw columns, checks inline)');
  const rows = Object.keys(loops).map((name) => {
    const ns = p50(stats, name);
    return [name, sig(ns / PROJECTILES), ratio(ns / limit)];
  });
  const at = `ref-fields, ${PROJECTILES} projectiles (${ctx.label})`;
  return report('ref-fields', ctx, [{
    tables: [{
      title: `ref-fields: a weakref target and its position per projectile (${ctx.label} ${ctx.runtimeVersion})`,
      columns: ['loop', 'ns per projectile', '/ limit'],
      rows,
    }],
    ratios: [
      {
        name: `${at}: getField + index / getRef + index`,
        value: p50(stats, 'getField + index') / p50(stats, 'getRef + index'),
      },
      { name: `${at}: getField + index / refIndex`, value: p50(stats, 'getField + index') / p50(stats, 'refIndex') },
      { name: `${at}: refIndex / limit`, value: p50(stats, 'refIndex') / limit },
    ],
    notes: [
      `${PROJECTILES} pinned projectiles with an Aim { target: weakref } component, each aiming at one of ${UNITS} ` +
      "units chosen at random; every loop sums the targets' x. mitata medians; the limit reads the columns " +
      'directly with the same checks (projectile live, of its generation and a member; target not destroyed) written inline.',
    ],
    data: { stats: Object.fromEntries(stats) },
  }]);
}

if (isMain(import.meta)) process.exitCode = await runStandalone('ref-fields', refFieldsSuite);
