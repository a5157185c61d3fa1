/**
 * Component columns never move (docs/decisions.md, "Columns that never move"): a column kept
 * from before any growth, collection or load is the column, so no write through it is lost.
 */
import { describe, expect, it } from 'vitest';
import { Heap, type Ref } from '../mod.ts';

describe('component columns', () => {
  it('stay the same arrays while the heap grows: a column kept from the start loses no write', () => {
    const heap = new Heap({ initialCapacity: 2 });
    const Position = heap.defineComponent({ x: 'f32', v: ['f32', 2] }, { name: 'Position' });
    const x = Position.x; // kept for the whole test, as a game system keeps it
    const v = Position.v;
    const units: Ref[] = [];
    for (let k = 0; k < 5000; k++) {
      const unit = heap.alloc(1); // grows the heap many times
      if (k % 2 === 0) heap.pin(unit); // the odd ones are collected
      heap.add(unit, Position, { v: [k, -k] });
      const i = heap.index(unit);
      x[i] = k; // through the kept column
      units.push(unit);
      if (k % 1000 === 999) heap.collect();
    }
    expect(heap.stats().capacity).toBeGreaterThanOrEqual(2500);
    expect(Position.x).toBe(x);
    expect(Position.v).toBe(v);
    for (const [k, unit] of units.entries()) {
      expect(heap.isAlive(unit)).toBe(k % 2 === 0);
      if (!heap.isAlive(unit)) continue;
      expect(heap.getField(unit, Position, 'x')).toBe(k);
      expect(heap.getField(unit, Position, 'v', 1)).toBe(-k);
    }
    heap.verify();
  });

  it('stay the same arrays across load, holding the loaded values', () => {
    const heap = new Heap({ maxObjects: 1000 });
    const Health = heap.defineComponent({ hp: 'f32' }, { name: 'Health' });
    const hp = Health.hp;
    const a = heap.alloc();
    heap.pin(a);
    heap.add(a, Health, { hp: 10 });
    const bytes = heap.snapshot();
    hp[heap.index(a)] = 3;
    const extra = Array.from({ length: 100 }, () => heap.alloc());
    for (const e of extra) heap.add(e, Health, { hp: 7 });
    heap.load(bytes);
    expect(Health.hp).toBe(hp);
    expect(hp[heap.index(a)]).toBe(10);
    // What the heap used past the saved point reads zero again, as fresh indices should.
    expect(hp.subarray(heap.index(a) + 1, 200).every((value) => value === 0)).toBe(true);
    heap.verify();
  });

  it('cost memory only for the indices in use: stats().bytes counts those', () => {
    const big = new Heap(); // maxObjects 2^22 - 1: each f32 column holds 16 MiB of zero pages
    big.defineComponent({ a: 'f32', b: 'f64', c: ['u8', 16] }, { name: 'Wide' });
    const small = new Heap({ maxObjects: 1024 });
    small.defineComponent({ a: 'f32', b: 'f64', c: ['u8', 16] }, { name: 'Wide' });
    expect(big.stats().bytes).toBe(small.stats().bytes);
    expect(big.stats().bytes).toBeLessThan(200_000);
  });

  it('that would pass 1 GiB at maxObjects are refused, naming the fix', () => {
    const heap = new Heap();
    expect(() => heap.defineComponent({ m: ['f64', 64] }, { name: 'Matrix' })).toThrow(
      /field 'm' of component 'Matrix' needs a column of 2048 MiB for maxObjects 4194303 .*: lower maxObjects, or the array's length/,
    );
    expect(heap.component('Matrix')).toBeUndefined();
    const bounded = new Heap({ maxObjects: 100_000 });
    const Matrix = bounded.defineComponent({ m: ['f64', 64] }, { name: 'Matrix' });
    expect(Matrix.m.length).toBe(100_001 * 64);
  });

  it('survive a snapshot whatever their names (a field may be called members or position)', () => {
    const heap = new Heap({ maxObjects: 100 });
    const Body = heap.defineComponent({ position: ['f32', 3], members: 'u8' }, { name: 'Body' });
    const a = heap.alloc();
    heap.pin(a);
    heap.add(a, Body, { position: [1, 2, 3], members: 4 });
    const copy = Heap.restore(heap.snapshot());
    const CopyBody = copy.component('Body', { position: ['f32', 3], members: 'u8' })!;
    expect(CopyBody.position[copy.index(a) * 3 + 2]).toBe(3);
    expect(copy.getField(a, CopyBody, 'members')).toBe(4);
    expect(CopyBody.position.length).toBe(101 * 3);
    copy.verify();
  });
});
