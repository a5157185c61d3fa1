/**
 * `verify()` and destroyed objects (gc/destroy.ts): the two lists that hold them until their
 * indices are reclaimed, what a destroyed object may still have, and a major cycle's reclaimable
 * prefixes. As in test/verify.test.ts, each case corrupts the state behind a healthy heap on
 * purpose and expects the message to name the check; the others are states the heap reaches,
 * which must verify.
 */
import { describe, expect, it } from 'vitest';
import { Heap, HeapCorruptionError } from '../mod.ts';
import { stateOf } from '../src/heap.ts';
import { FINALIZABLE, HAS_COMPONENTS, type HeapState, MINOR_FINALIZE } from '../src/core/state.ts';

function expectBroken(heap: Heap, message: RegExp): void {
  expect(() => heap.verify()).toThrow(HeapCorruptionError);
  expect(() => heap.verify()).toThrow(message);
}

interface Fixture {
  heap: Heap;
  s: HeapState;
  /** Named object indices. */
  at: Record<'keep' | 'old' | 'young' | 'plain', number>;
}

/**
 * Between cycles: `old` destroyed while old (the old list), `young` destroyed while young (the
 * young list, and counted young), `plain` a live object with a block of one slot.
 */
function destroyed(): Fixture {
  const heap = new Heap();
  const keep = heap.alloc(1);
  heap.pin(keep);
  const old = heap.alloc(0);
  heap.set(keep, 0, old);
  const plain = heap.alloc(1);
  heap.pin(plain);
  heap.collect();
  const young = heap.alloc(0);
  // (A destroyed object's handle is stale: take the indices first.)
  const at = { keep: heap.index(keep), old: heap.index(old), young: heap.index(young), plain: heap.index(plain) };
  heap.destroy(old);
  heap.destroy(young);
  const s = stateOf(heap);
  expect([s.destroyedOldCount, s.destroyedOld[0], s.destroyedYoungCount, s.destroyedYoung[0]]).toEqual([
    1,
    at.old,
    1,
    at.young,
  ]);
  expect(s.youngDestroyed).toBe(1);
  heap.verify();
  return { heap, s, at };
}

const cases: [name: string, corrupt: (f: Fixture) => void, message: RegExp][] = [
  [
    'a live object listed',
    ({ s, at }) => void (s.destroyedOld[s.destroyedOldCount++] = at.plain),
    /invariant 3 \(destroyed\).*old list entry \d+ is not a destroyed object/,
  ],
  [
    'a destroyed object listed twice',
    ({ s, at }) => void (s.destroyedOld[s.destroyedOldCount++] = at.old),
    /invariant 3 \(destroyed\).*destroyed object \d+ is listed twice/,
  ],
  [
    'a destroyed object in both lists',
    ({ s, at }) => void (s.destroyedOld[s.destroyedOldCount++] = at.young),
    /invariant 3 \(destroyed\).*destroyed object \d+ is listed twice/,
  ],
  [
    'a destroyed object in no list',
    ({ s }) => void (s.destroyedOldCount = 0),
    /invariant 3 \(destroyed\).*destroyed object \d+ is in no list/,
  ],
  [
    'a destroyed object that kept a slot block',
    ({ s, at }) => {
      // The live object's block moves to the destroyed one: the pool and `slotsUsed` still agree.
      s.size[at.old] = s.size[at.plain]!;
      s.base[at.old] = s.base[at.plain]!;
      s.size[at.plain] = 0;
      s.base[at.plain] = 0;
    },
    /invariant 3 \(destroyed\).*destroyed object \d+ still has 1 slots/,
  ],
  [
    'a destroyed object flagged with components',
    ({ s, at }) => void (s.flags[at.old] = s.flags[at.old]! | HAS_COMPONENTS),
    /invariant 3 \(destroyed\).*destroyed object \d+ still has components or a finalizer/,
  ],
  [
    'a destroyed object flagged finalizable',
    ({ s, at }) => void (s.flags[at.old] = s.flags[at.old]! | FINALIZABLE),
    /invariant 3 \(destroyed\).*destroyed object \d+ still has components or a finalizer/,
  ],
  [
    'a destroyed object with a finalizer function',
    ({ s, at }) => void (s.finalizers[at.old] = () => {}),
    /invariant 3 \(destroyed\).*destroyed object \d+ still has components or a finalizer/,
  ],
  [
    'a wrong count of destroyed objects flagged young',
    ({ s }) => void s.youngDestroyed++,
    /invariant 3 \(destroyed\).*2 destroyed objects counted young, recount finds 1/,
  ],
  [
    'a reclaimable prefix longer than the young list',
    ({ s }) => void (s.destroyedYoungAtStart = 2),
    /invariant 3 \(destroyed\).*a cycle may reclaim more destroyed objects than are listed/,
  ],
  [
    'a reclaimable prefix longer than the old list',
    ({ s }) => void (s.destroyedOldAtStart = 2),
    /invariant 3 \(destroyed\).*a cycle may reclaim more destroyed objects than are listed/,
  ],
  [
    // One of each: a sum, not a difference, must be 0.
    'reclaimable prefixes between cycles',
    ({ s }) => {
      s.destroyedYoungAtStart = 1;
      s.destroyedOldAtStart = 1;
    },
    /invariant 3 \(destroyed\).*destroyed objects are marked reclaimable outside a major cycle/,
  ],
  [
    'a count past its list',
    ({ s }) => void (s.destroyedOldCount = s.destroyedOld.length + 1),
    /invariant 3 \(layout\).*'destroyedOld' holds 17 of 16 entries/,
  ],
];

describe('verify(): destroyed objects (invariant 3)', () => {
  for (const [name, corrupt, message] of cases) {
    it(name, () => {
      const f = destroyed();
      corrupt(f);
      expectBroken(f.heap, message);
    });
  }

  it('a destroyed list with no room (destroy would lose the object: an empty list doubles to empty)', () => {
    const heap = new Heap();
    heap.verify();
    stateOf(heap).destroyedYoung = new Uint32Array(0);
    expectBroken(heap, /invariant 3 \(layout\).*'destroyedYoung' holds 0 of 0 entries/);
  });

  it('accepts full lists (16 entries: they grow only when the next one comes)', () => {
    const heap = new Heap();
    const old = Array.from({ length: 16 }, () => heap.alloc(0));
    heap.tenure();
    for (const ref of old) heap.destroy(ref);
    for (let k = 0; k < 16; k++) heap.destroy(heap.alloc(0));
    const s = stateOf(heap);
    expect([s.destroyedOldCount, s.destroyedOld.length, s.destroyedYoungCount, s.destroyedYoung.length]).toEqual([
      16,
      16,
      16,
      16,
    ]);
    heap.verify();
  });

  it('accepts objects whose destroy hooks are running: their slots and components go after the hooks', () => {
    const heap = new Heap();
    const outcomes: unknown[] = [];
    const verify = (): void => {
      try {
        heap.verify();
        outcomes.push('ok');
      } catch (error) {
        outcomes.push(error);
      }
    };
    const C = heap.defineComponent({ to: 'ref' }, { name: 'C', onRemove: verify });
    const inner = heap.alloc(1);
    heap.pin(inner);
    heap.add(inner, C);
    heap.setFinalizer(inner, verify);
    const outer = heap.alloc(2);
    heap.add(outer, C);
    heap.setFinalizer(outer, () => {
      verify();
      heap.destroy(inner); // its hooks run inside this one: both objects are being destroyed
    });
    heap.destroy(outer);
    expect(outcomes).toEqual(['ok', 'ok', 'ok', 'ok']); // outer's finalizer, inner's finalizer and hook, outer's hook
    heap.verify();
  });

  it("checks inside a minor's finalizers too that nothing is marked reclaimable by a major cycle", () => {
    const heap = new Heap();
    const victim = heap.alloc(0);
    heap.tenure();
    heap.destroy(victim); // the old list: a minor leaves it to a major cycle
    let phase = -1;
    let outcome: unknown;
    heap.setFinalizer(heap.alloc(0), () => {
      const s = stateOf(heap);
      phase = s.phase;
      s.destroyedOldAtStart = 1;
      try {
        heap.verify();
      } catch (error) {
        outcome = error;
      }
      s.destroyedOldAtStart = 0;
    });
    heap.minor();
    expect(phase).toBe(MINOR_FINALIZE);
    expect(outcome).toBeInstanceOf(HeapCorruptionError);
    expect(String(outcome)).toMatch(
      /invariant 3 \(destroyed\).*destroyed objects are marked reclaimable outside a major cycle/,
    );
    heap.verify();
  });
});
