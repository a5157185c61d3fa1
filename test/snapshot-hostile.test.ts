/**
 * Hostile snapshots: headers edited and re-signed with a valid checksum (issue 9, items 2 and 3).
 * Restore must either refuse them with a `SnapshotError` naming the bad value, or give a heap that
 * verifies and keeps every reachable object through collections, allocations and pins; and it must
 * never allocate more than a bounded slack over the bytes it was given.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Component, Heap, type Index, type Ref, SnapshotError } from '../mod.ts';
import { stateOf } from '../src/heap.ts';
import { decodeHeader, restoreBudget } from '../src/io/snapshot.ts';
import { NOT_STRONG } from '../src/core/state.ts';
import { assemble, type ForgedHeader, forgeHeader, headerOf, resign, sectionData, sectionOf } from './forge.ts';

type Link = Component<{ to: 'ref'; seen: 'weakref'; hp: 'f32' }>;
const restoreOptions = { finalizer: () => () => {}, onRemove: { Hooked: () => {} } };

/** A heap with pins, every object kind, components, a query and a finalizer; at `phase`. */
function sample(phase: 'idle' | 'mark' | 'sweep' = 'idle', generational = true): Heap {
  const heap = new Heap({ initialCapacity: 8, indexBits: 16, cardSize: 2, generational });
  const Link = heap.defineComponent({ to: 'ref', seen: 'weakref', hp: 'f32' }, { name: 'Link' }) as Link;
  heap.defineComponent({}, { name: 'Hooked', onRemove: () => {} });
  const Hooked = heap.component('Hooked')!;
  const root = heap.alloc(4);
  // At index 2, old after the collect below: unpinned for the sweep phase, so that sweep has a dead
  // object near the bottom to walk down to (it ends at the lowest dead index: gc/sweep.ts).
  const low = heap.pin(heap.alloc(0));
  heap.pin(root);
  const objects: Ref[] = [root];
  for (let k = 0; k < 40; k++) {
    const others = objects.filter((o) => heap.isAlive(o));
    const other = (n: number): Ref => others[n % others.length]!;
    const kind = k % 7 === 3 ? 'weak' : k % 7 === 5 ? 'ephemeron' : 'strong';
    const o = heap.alloc(kind === 'strong' ? k % 4 : 2, kind);
    const owner = other(k * 5);
    // Most new objects are linked in (some replace an edge, making garbage); some are garbage at once.
    if (k % 3 !== 0 && heap.slotCount(owner) > 0) heap.set(owner, k % heap.slotCount(owner), o);
    if (kind !== 'strong') heap.set(o, 0, other(k));
    if (k % 4 === 1) heap.add(o, Link, { to: other(k + 1), seen: o, hp: k });
    if (k % 10 === 6) heap.add(o, Hooked);
    if (k % 9 === 2) heap.setFinalizer(o, () => {});
    if (k === 20) heap.collect();
    objects.push(o);
  }
  const ticket = heap.pin(root);
  heap.unpin(ticket); // a pin slot on the free list
  heap.query(Link);
  heap.minor();
  if (phase === 'mark') heap.step(3);
  if (phase === 'sweep') {
    heap.unpin(low);
    while (heap.phase !== 'sweep') heap.step(5);
  }
  expect(heap.phase).toBe(phase);
  heap.verify();
  return heap;
}

/** Restore that must fail with a `SnapshotError` whose message matches `message`. */
function expectRefused(bytes: Uint8Array, message: RegExp): void {
  let error: unknown;
  try {
    Heap.restore(bytes, restoreOptions);
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(SnapshotError);
  expect((error as Error).message).toMatch(message);
}

/** How much `fn` grew the process's ArrayBuffer memory (0 where the runtime does not report it). */
function arrayBufferGrowth(fn: () => void): number {
  const read = (): number => (globalThis.process?.memoryUsage?.().arrayBuffers ?? 0);
  const before = read();
  fn();
  return read() - before;
}

/** Handles of the objects reachable from pins through strong slots and `ref` fields (a subset of the live ones). */
function reachable(heap: Heap): Ref[] {
  const s = stateOf(heap);
  const seen = new Uint8Array(s.columnLength);
  const stack: number[] = [];
  const push = (i: number): void => {
    if (i !== 0 && seen[i] === 0) {
      seen[i] = 1;
      stack.push(i);
    }
  };
  for (let p = 1; p < s.pinTop; p++) push(s.pinTarget[p]!);
  while (stack.length > 0) {
    const i = stack.pop()!;
    if ((s.flags[i]! & NOT_STRONG) === 0) {
      for (let k = 0; k < s.size[i]!; k++) push(s.slots[s.base[i]! + k]!);
    }
    for (const c of s.components.withStrongRefs) {
      if (c.position[i] === 0) continue;
      for (const f of c.strongRefs) for (let k = 0; k < f.length; k++) push(f.column[i * f.length + k]!);
    }
  }
  const refs: Ref[] = [];
  for (let i = 1; i < s.top; i++) if (seen[i]) refs.push(heap.refAt(i as Index));
  return refs;
}

/**
 * Runs every kind of collection, allocation and pin on a restored heap, checking after each that
 * it verifies and that every object reachable at the start (or pinned since) is still alive.
 */
function exercise(heap: Heap): void {
  heap.verify();
  const kept = reachable(heap);
  expect(kept.every((ref) => ref !== 0)).toBe(true);
  const check = (what: string): void => {
    heap.verify();
    const lost = kept.filter((ref) => !heap.isAlive(ref));
    if (lost.length > 0) throw new Error(`${what} freed reachable objects ${lost.join(', ')}`);
  };
  heap.minor();
  check('minor()');
  let slices = 0;
  while (!heap.step(7)) {
    if (++slices > 100_000) throw new Error('an incremental cycle never ended');
  }
  check('step() loop');
  for (let k = 0; k < 20; k++) {
    const o = heap.alloc(2);
    expect(heap.isAlive(o)).toBe(true);
    if (k % 4 === 0) {
      heap.pin(o);
      kept.push(o);
    }
    if (k % 4 === 1) {
      heap.set(kept[kept.length - 1]!, 0, o);
      kept.push(o);
    }
  }
  heap.scope(() => {
    const scoped = heap.alloc(1);
    heap.collect();
    expect(heap.isAlive(scoped)).toBe(true);
  });
  check('collect() in a scope');
  heap.minor();
  heap.step(1);
  check('minor() and a slice');
  heap.collect();
  check('collect()');
}

/**
 * Forged bytes either give a heap, planned and built within the restore budget, that verifies and
 * keeps working (`exercise`), or are refused with `SnapshotError` (and nothing else).
 */
function restoredWithinBudgetOrRefused(forged: Uint8Array): void {
  let copy: Heap;
  try {
    expect(decodeHeader(forged).plan.bytes).toBeLessThanOrEqual(restoreBudget(forged.length));
    copy = Heap.restore(forged, restoreOptions);
  } catch (error) {
    if (!(error instanceof SnapshotError)) throw error;
    return;
  }
  expect(copy.stats().bytes).toBeLessThanOrEqual(restoreBudget(forged.length));
  exercise(copy);
}

describe('re-signed snapshots with shrunk capacities or scalars out of range are refused (issue 9.2)', () => {
  const bytes = sample().snapshot();

  it('a header column shorter than columnLength (alloc() would return NaN)', () => {
    for (const name of ['color', 'generation', 'size', 'base', 'next', 'flags']) {
      const forged = forgeHeader(bytes, (h) => (sectionOf(h, name).capacity = sectionOf(h, name).used));
      expectRefused(forged, new RegExp(`section '${name}' has capacity \\d+, expected \\d+`));
    }
  });

  it('a pin column shorter than the others (pin() would return NaN)', () => {
    const forged = forgeHeader(
      bytes,
      (h) => (sectionOf(h, 'pinGeneration').capacity = sectionOf(h, 'pinGeneration').used),
    );
    expectRefused(forged, /pin table.*pinGeneration/);
  });

  it('a scope stack of capacity 0 (an object in an open scope would be freed)', () => {
    expectRefused(forgeHeader(bytes, (h) => (sectionOf(h, 'scopeStack').capacity = 0)), /'scopeStack' has capacity 0/);
  });

  it('a mark stack of capacity 0 (collect() would never return)', () => {
    expectRefused(forgeHeader(bytes, (h) => (sectionOf(h, 'markStack').capacity = 0)), /'markStack' has capacity 0/);
  });

  it('lists, cards and component columns of the wrong capacity', () => {
    for (const name of ['weakObjects', 'youngWeak', 'finalizeQueue', 'dirtyCards', 'c0.members', 'q0.dense']) {
      expectRefused(
        forgeHeader(bytes, (h) => (sectionOf(h, name).capacity = 0)),
        new RegExp(`'${name}' has capacity 0`),
      );
    }
    for (const name of ['cards', 'c0.f.to', 'c0.f.hp', 'c0.position', 'q0.position', 'freeBlocks']) {
      const forged = forgeHeader(bytes, (h) => (sectionOf(h, name).capacity = Number(sectionOf(h, name).capacity) + 1));
      expectRefused(forged, new RegExp(`'${name.replaceAll('.', '\\.')}' has capacity \\d+, expected`));
    }
  });

  it('pinFreeHead past pinTop (a pinned object would be freed)', () => {
    const forged = forgeHeader(bytes, (h) => (h.scalars.pinFreeHead = Number(h.scalars.pinTop) + 2));
    expectRefused(forged, /scalar 'pinFreeHead' is \d+, expected an integer from 0 to \d+/);
  });

  it('a pin free list naming a pin slot in use', () => {
    const forged = forgeHeader(bytes, (h) => (h.scalars.pinFreeHead = 1));
    expectRefused(forged, /pin free list/);
  });

  it('scalars below their lower bound', () => {
    for (const [name, value] of [['top', 0], ['slotTop', 0], ['pinTop', 0], ['columnLength', 1], ['markValue', 0]]) {
      const forged = forgeHeader(bytes, (h) => (h.scalars[name as string] = value));
      expectRefused(forged, new RegExp(`scalar '${name}' is ${value}, expected an integer from`));
    }
    expectRefused(forgeHeader(bytes, (h) => (h.scalars.lastPauseMs = -1)), /scalar 'lastPauseMs' is -1/);
    expectRefused(forgeHeader(bytes, (h) => (h.pacer.nextMajorAt = 0)), /'nextMajorAt' is 0/);
  });

  it('a plan below minHeapObjects only as low as half the room the retired indices leave', () => {
    // maxObjects 1,000 under the default minHeapObjects (8,192): the pacer plans at half the room
    // (gc/pacer.ts), and such a heap's save restores; lower than half the room it cannot have planned.
    const small = new Heap({ maxObjects: 1000, generationBits: 1 });
    for (let round = 0; round < 2; round++) {
      for (let k = 0; k < 200; k++) small.alloc(0);
      small.collect();
    }
    expect(small.stats()).toMatchObject({ retired: 200, nextMajorAt: 400 });
    const saved = small.snapshot();
    expect(Heap.restore(saved).stats()).toEqual(small.stats());
    expectRefused(
      forgeHeader(saved, (h) => (h.pacer.nextMajorAt = 399)),
      /^bad snapshot: pacer 'nextMajorAt' is 399, expected an integer from 400 to \d+$/,
    );
  });

  it('scalars one past their upper bound, each named with the range it must lie in', () => {
    const scalars = headerOf(bytes).scalars as Record<string, number>;
    const top = scalars.top!;
    const slotTop = scalars.slotTop!;
    const pinTop = scalars.pinTop!;
    // Written out here, not read from the rules: what any heap can reach (a list's count or a
    // list head is an index in use, below top; slots below slotTop; pin slots below pinTop).
    const bounds: [string, number][] = [
      ...['spentHead', 'live', 'retired', 'markTop', 'nurseryHead', 'promoteHead', 'young']
        .map((name): [string, number] => [name, top - 1]),
      ...['youngFinalizableCount', 'doomed', 'sweepCursor', 'weakCount', 'finalizableCount', 'finalizeTop']
        .map((name): [string, number] => [name, top - 1]),
      ['destroyedYoungCount', top - 1],
      ['destroyedOldCount', top - 1],
      ['rememberedSlotCount', 2 * (top - 1)],
      ['top', scalars.columnLength!],
      ...['slotsUsed', 'freeSingleCount', 'freePairCount', 'mergeSinglesLeft', 'mergePairsLeft']
        .map((name): [string, number] => [name, slotTop - 1]),
      ['lazyFrees', scalars.freeSingleCount! + scalars.freePairCount!],
      ['pinFreeHead', pinTop - 1],
      ['pinsLive', pinTop - 1],
      ['pinTop', 2 ** 16], // indexBits 16: the pin table holds at most every index
      ['markValue', 2],
      ['scopeTop', 0],
      ['scopeDepth', 0],
      ['noGcDepth', 0],
      ['rememberedSlotsStale', 1],
      ['rememberedWeakCount', 0],
      ['phase', 7], // CLEAR, the last phase
      ['barrierWhite', 255],
      ['deadColors', 255],
      ['weakCursor', scalars.weakCount!],
      ['weakKept', scalars.weakCursor!],
      ['finalizeNext', scalars.finalizeTop!],
      ['youngDestroyed', scalars.young!],
      ['destroyedYoungAtStart', scalars.destroyedYoungCount!],
      ['destroyedOldAtStart', scalars.destroyedOldCount!],
      ['freeClasses', 2 ** 32 - 1],
      ['freeCause', 2 ** 32 - 1],
      ...['marked', 'cycleFreed', 'allocations', 'workDone', 'majorCollections', 'minorCollections']
        .map((name): [string, number] => [name, Number.MAX_SAFE_INTEGER]),
    ];
    for (const [name, high] of bounds) {
      const forged = forgeHeader(bytes, (h) => (h.scalars[name] = high + 1));
      expectRefused(
        forged,
        new RegExp(`^bad snapshot: scalar '${name}' is ${high + 1}, expected an integer from -?\\d+ to ${high}$`),
      );
    }
    for (const name of ['lastPauseMs', 'maxPauseMs', 'totalPauseMs']) {
      for (const value of ['1e400', '-1']) {
        // (JSON has no Infinity: 1e400 parses as one.)
        const json = JSON.stringify(headerOf(bytes)).replace(
          `"${name}":${JSON.stringify(scalars[name])}`,
          `"${name}":${value}`,
        );
        expect(json).toContain(`"${name}":${value}`);
        expectRefused(
          resign(bytes, json),
          new RegExp(`^bad snapshot: scalar '${name}' is .*, expected a number from 0 to`),
        );
      }
    }
  });

  it('scalars of the wrong kind, unknown or restating another option, each named', () => {
    const options = headerOf(bytes).options as Record<string, number>;
    const refused: [(h: ForgedHeader) => void, RegExp][] = [
      [(h) => (h.scalars.top = '5' as never), /^bad snapshot: scalar 'top' is "5", expected an integer from 1 to/],
      [(h) => (h.scalars.top = 1.5), /^bad snapshot: scalar 'top' is 1.5, expected an integer from 1 to/],
      [(h) => (h.scalars.bogus = 0), /^bad snapshot: scalar 'bogus' is not part of this format$/],
      [(h) => delete h.scalars.young, /^bad snapshot: scalar 'young' is undefined, expected an integer/],
      [
        (h) => (h.scalars.phase = 5),
        /^bad snapshot: scalar 'phase' is 5, a minor's finalizers, which are never saved$/,
      ],
      [
        (h) => (h.scalars.maxObjects = options.maxObjects! - 1),
        new RegExp(
          `^bad snapshot: scalar 'maxObjects' is ${
            options.maxObjects! - 1
          }, expected an integer from ${options.maxObjects} to ${options.maxObjects}$`,
        ),
      ],
      [
        (h) => (h.scalars.columnLength = options.maxObjects! + 2),
        new RegExp(
          `^bad snapshot: scalar 'columnLength' is \\d+, expected an integer from 2 to ${options.maxObjects! + 1}$`,
        ),
      ],
      [(h) => (h.options.maxObjects = 0), /^bad snapshot: its options are invalid \(maxObjects/],
    ];
    for (const [edit, message] of refused) expectRefused(forgeHeader(bytes, edit), message);
  });

  it('section entries that are not the layout the header implies, each named', () => {
    const last = headerOf(bytes).sections.length - 1;
    const refused: [(h: ForgedHeader) => void, RegExp][] = [
      [(h) => (h.sections[2] = null as never), /^bad snapshot: section entry 2 is not an object$/],
      [(h) => (h.sections[2] = 5 as never), /^bad snapshot: section entry 2 is not an object$/],
      [
        (h) => (sectionOf(h, 'pinTarget').capacity = (sectionOf(h, 'pinTarget').capacity as number) + 1),
        /^bad snapshot: the pin table's sections 'pinTarget', 'pinGeneration' and 'pinNext' have capacities \d+, (\d+), \1$/,
      ],
      [(h) => (h.sections[2]!.name = 'base'), /^bad snapshot: section 2 is "base", expected 'size'$/],
      [(h) => (h.sections[2]!.type = 'u16'), /^bad snapshot: section 'size' has type "u16", expected u32$/],
      [
        (h) => (sectionOf(h, 'pinNext').capacity = (sectionOf(h, 'pinNext').capacity as number) + 1),
        /^bad snapshot: the pin table's sections 'pinTarget', 'pinGeneration' and 'pinNext' have capacities (\d+), \1, \d+$/,
      ],
      [
        (h) => h.sections.pop(),
        new RegExp(`^bad snapshot: it has ${last} sections, a heap of these .* has ${last + 1}$`),
      ],
    ];
    for (const [edit, message] of refused) expectRefused(forgeHeader(bytes, edit), message);
    // The last section's data cut short, or followed by more: framing agrees (signed by `assemble`),
    // the sections do not.
    const header = headerOf(bytes);
    const data = sectionData(bytes);
    const lastName = header.sections[last]!.name;
    const lastData = data.get(lastName)!;
    expect(lastData.length).toBeGreaterThan(8);
    const cut = assemble(bytes, header, new Map(data).set(lastName, lastData.subarray(0, lastData.length - 8)));
    const named = lastName.replace('.', '\\.');
    expectRefused(cut, new RegExp(`^bad snapshot: section '${named}' \\(\\d+ bytes\\) runs past the end$`));
    const longer = new Uint8Array(lastData.length + 8);
    longer.set(lastData);
    const padded = assemble(bytes, header, new Map(data).set(lastName, longer));
    expectRefused(padded, /^bad snapshot: 8 bytes follow the last section$/);
  });

  it('component, query, pacer, capacity and finalizer entries out of shape or range, each named', () => {
    const h = headerOf(bytes);
    const top = (h.scalars as Record<string, number>).top!;
    const link = (edit: (c: Record<string, unknown>) => void) => (x: ForgedHeader) => edit(x.components[0]!);
    const query = (edit: (q: Record<string, unknown>) => void) => (x: ForgedHeader) => edit(x.queries[0]!);
    const refused: [(h: ForgedHeader) => void, RegExp][] = [
      [link((c) => (c.schema = null)), /^bad snapshot: component 'Link' has schema null$/],
      [link((c) => (c.schema = ['f32'])), /^bad snapshot: component 'Link' has schema \["f32"\]$/],
      [link((c) => (c.schema = 5)), /^bad snapshot: component 'Link' has schema 5$/],
      [link((c) => (c.schema = { hp: 'f33' })), /^bad snapshot: field 'Link.hp' has type "f33"$/],
      [link((c) => (c.schema = { hp: { type: 'f32' } })), /^bad snapshot: field 'Link.hp' has type \{"type":"f32"\}$/],
      ...[0, 1.5, 2 ** 20].map((n): [(h: ForgedHeader) => void, RegExp] => [
        link((c) => (c.schema = { hp: ['f32', n] })),
        new RegExp(`^bad snapshot: field 'Link.hp' has length ${n}, expected 1 to \\d+$`),
      ]),
      ...[-1, 1.5, '3', top].map((n): [(h: ForgedHeader) => void, RegExp] => [
        link((c) => (c.memberCount = n)),
        new RegExp(`^bad snapshot: component 'Link' counts ${JSON.stringify(n)} members, expected 0 to ${top - 1}$`),
      ]),
      [
        link((c) => (c.written = top)),
        new RegExp(`^bad snapshot: component 'Link' counts ${top} list entries written, expected \\d+ to ${top - 1}$`),
      ],
      [link((c) => (c.written = '1')), /^bad snapshot: component 'Link' counts "1" list entries written/],
      [(x) => (x.queries[0] = null as never), /^bad snapshot: a query counts undefined objects, expected 0 to/],
      ...[-1, '2', 1.5, top].map((n): [(h: ForgedHeader) => void, RegExp] => [
        query((q) => (q.count = n)),
        new RegExp(`^bad snapshot: a query counts ${JSON.stringify(n)} objects, expected 0 to ${top - 1}$`),
      ]),
      [query((q) => (q.written = top)), /^bad snapshot: a query counts \d+ list entries written, expected/],
      [query((q) => (q.all = 'x')), /^bad snapshot: a query entry is malformed$/],
      [query((q) => (q.none = null)), /^bad snapshot: a query entry is malformed$/],
      [query((q) => (q.all = [99])), /^bad snapshot: a query names component 99$/],
      [query((q) => (q.all = ['0'])), /^bad snapshot: a query names component "0"$/],
      [query((q) => (q.all = [])), /^bad snapshot: a query names no component$/],
      [(x) => (x.pacer.msPerUnit = 0), /^bad snapshot: pacer 'msPerUnit' is 0, expected a number between 0 and 1$/],
      [(x) => (x.pacer.msPerUnit = 1), /^bad snapshot: pacer 'msPerUnit' is 1, expected a number between 0 and 1$/],
      [(x) => (x.pacer.msPerUnit = '0.1'), /^bad snapshot: pacer 'msPerUnit' is "0.1", expected a number/],
      [
        (x) => (x.pacer.youngSurvival = 1.5),
        /^bad snapshot: pacer 'youngSurvival' is 1.5, expected a number from 0 to 1$/,
      ],
      [(x) => (x.pacer.youngSurvival = -0.5), /^bad snapshot: pacer 'youngSurvival' is -0.5, expected a number from 0/],
      [(x) => (x.pacer.youngSurvival = '1'), /^bad snapshot: pacer 'youngSurvival' is "1", expected a number from 0/],
      [
        (x) => (x.pacer.foldedYoung = -1),
        /^bad snapshot: pacer 'foldedYoung' is -1, expected an integer from 0 to \d+$/,
      ],
      [(x) => (x.pacer.debt = '0'), /^bad snapshot: pacer 'debt' is "0", expected an integer from 0 to/],
      [(x) => (x.pacer.debt = 0.5), /^bad snapshot: pacer 'debt' is 0.5, expected an integer from 0 to/],
      [
        (x) => (x.pacer.nextMajorAt = 2 ** 17),
        // maxObjects 2^16 - 1 (indexBits 16) grown by growthPercent 100: 131,070 at most.
        /^bad snapshot: pacer 'nextMajorAt' is 131072, expected an integer from \d+ to 131070$/,
      ],
      [
        (x) => (sectionOf(x, 'markStack').capacity = '8'),
        /^bad snapshot: section 'markStack' has capacity "8", expected an integer/,
      ],
      [
        (x) => (sectionOf(x, 'markStack').capacity = 8.5),
        /^bad snapshot: section 'markStack' has capacity 8.5, expected an integer/,
      ],
      [
        (x) => (sectionOf(x, 'color').capacity = (sectionOf(x, 'color').capacity as number) + 1),
        /^bad snapshot: section 'color' has capacity \d+, expected \d+ \(1 per index, columnLength \d+\)$/,
      ],
      [
        (x) => (sectionOf(x, 'cards').capacity = (sectionOf(x, 'cards').capacity as number) + 1),
        /^bad snapshot: section 'cards' has capacity \d+, expected \d+$/,
      ],
      ...[1.5, 0, top, '1'].map((n): [(h: ForgedHeader) => void, RegExp] => [
        (x) => (x.finalizers[0] = n),
        new RegExp(`^bad snapshot: finalizer entry ${JSON.stringify(n)} names no object with a finalizer$`),
      ]),
      [(x) => x.finalizers.push(x.finalizers[0]), /^bad snapshot: finalizer entry \d+ is listed twice$/],
    ];
    expect(h.finalizers.length).toBe(1);
    for (const [edit, message] of refused) expectRefused(forgeHeader(bytes, edit), message);
    // An index in use without a finalizer: the root, which has none.
    const noFinalizer = forgeHeader(bytes, (x) => (x.finalizers[0] = 1));
    expectRefused(noFinalizer, /^bad snapshot: finalizer entry 1 names no object with a finalizer$/);
  });

  it('the early-promotion state out of range, and a save from before it (no such fields) reads as unmeasured', () => {
    expectRefused(
      forgeHeader(bytes, (h) => (h.pacer.earlyRun = 99)),
      /pacer 'earlyRun' is 99, expected an integer from 0 to 9/,
    );
    expectRefused(forgeHeader(bytes, (h) => (h.pacer.earlyRun = 1.5)), /pacer 'earlyRun' is 1.5/);
    expectRefused(
      forgeHeader(bytes, (h) => (h.pacer.agedSurvival = 2)),
      /pacer 'agedSurvival' is 2, expected a number from 0 to 1/,
    );
    expectRefused(
      forgeHeader(bytes, (h) => (h.pacer.agedMeasured = 'yes')),
      /pacer 'agedMeasured' is "yes", expected true or false/,
    );
    const old = forgeHeader(bytes, (h) => {
      delete h.pacer.agedSurvival;
      delete h.pacer.agedMeasured;
      delete h.pacer.earlyRun;
      delete h.pacer.foldedYoung;
      delete h.pacer.survivalMeasured;
    });
    const copy = Heap.restore(old, restoreOptions);
    expect(stateOf(copy).pacer).toMatchObject({
      agedSurvival: 0,
      agedMeasured: false,
      earlyRun: 0,
      foldedYoung: 0,
      survivalMeasured: false,
    });
    copy.verify();
  });

  it('a live object left white in an idle heap (the next cycle would take it as marked, and free what it reaches)', () => {
    // Found by the near-valid property below: verify() did not check that idle objects hold the mark value.
    const heap = new Heap({ indexBits: 16 });
    const root = heap.alloc(1);
    heap.pin(root);
    const child = heap.alloc(0);
    heap.set(root, 0, child);
    heap.collect();
    const data = sectionData(heap.snapshot());
    const header = headerOf(heap.snapshot());
    data.get('color')![heap.index(root)] = 3 - Number(header.scalars.markValue);
    expectRefused(assemble(heap.snapshot(), header, data), /idle heap has color/);
  });

  it('a free list of large blocks that loops is refused, not walked forever', () => {
    // A restore counts the slots of the listed free blocks of 4 slots and more (`freeLargeSlots`,
    // not saved) before it verifies; a block linked to itself must end that walk.
    const heap = new Heap();
    const dropped = heap.alloc(16);
    heap.pin(heap.alloc(16)); // above it: the dropped block is listed, not given back to the top
    heap.collect();
    expect(heap.isAlive(dropped)).toBe(false);
    const state = stateOf(heap);
    const block = state.freeBlocks[4]!;
    expect(block).toBeGreaterThan(0);
    const data = sectionData(heap.snapshot());
    const slots = new DataView(data.get('slots')!.buffer);
    // Word 0 of a listed block links to the next one: (start + 1) / 2 above FREE_LINKED.
    slots.setUint32(block * 4, 0x8000_0000 + (block + 1) / 2, true);
    expectRefused(assemble(heap.snapshot(), headerOf(heap.snapshot()), data), /inconsistent/);
  });

  it('counters past what the bytes hold: top or a used length the data does not back', () => {
    expectRefused(
      forgeHeader(bytes, (h) => (h.scalars.top = Number(h.scalars.top) + 1)),
      /section 'color' holds \d+ elements, the header's counts say \d+/,
    );
    expectRefused(
      forgeHeader(bytes, (h) => (h.scalars.youngWeakCount = Number(h.scalars.youngWeakCount) + 1)),
      /section 'youngWeak' holds \d+ elements, the header's counts say \d+/,
    );
  });
});

describe('memory bombs: restore allocates at most a bounded slack over the bytes it gets (issue 9.3)', () => {
  it('the budget is 8 bytes of arrays a byte of snapshot, plus 64 MiB', () => {
    expect(restoreBudget(0)).toBe(64 * 2 ** 20);
    expect(restoreBudget(10_000_000)).toBe(80_000_000 + 64 * 2 ** 20);
  });

  it('a small header claiming 2^24 objects of initial capacity allocates nothing of the sort', () => {
    const heap = new Heap({ indexBits: 24, initialCapacity: 4 });
    heap.pin(heap.alloc(1));
    const forged = forgeHeader(heap.snapshot(), (h) => (h.options.initialCapacity = 2 ** 24 - 1));
    let copy: Heap | undefined;
    const grown = arrayBufferGrowth(() => (copy = Heap.restore(forged)));
    expect(grown).toBeLessThanOrEqual(restoreBudget(forged.length));
    expect(copy!.stats().bytes).toBeLessThanOrEqual(restoreBudget(forged.length));
    // The option is kept as a record of what the heap was made with.
    expect(headerOf(copy!.snapshot()).options.initialCapacity).toBe(2 ** 24 - 1);
    exercise(copy!);
  });

  it('a header claiming columns of 2^24 entries (data and all) restores them at the size their contents need', () => {
    const heap = new Heap({ indexBits: 24, initialCapacity: 8, cardSize: 4096 });
    const a = heap.alloc(1);
    heap.pin(a);
    heap.set(a, 0, heap.alloc(1)); // of a's slot count: both in the first page of indices
    const bytes = heap.snapshot();
    const header = headerOf(bytes);
    const data = sectionData(bytes);
    const columnLength = 2 ** 24;
    const old = header.scalars.columnLength;
    header.scalars.columnLength = columnLength;
    for (const s of header.sections) if (s.capacity === old) s.capacity = columnLength;
    sectionOf(header, 'pageClass').capacity = (columnLength >>> 8) + 1;
    const cards = new Uint8Array(columnLength / 4096);
    cards.set(data.get('cards')!);
    data.set('cards', cards);
    sectionOf(header, 'cards').capacity = sectionOf(header, 'cards').used = cards.length;
    sectionOf(header, 'dirtyCards').capacity = cards.length;
    const forged = assemble(bytes, header, data);
    let copy: Heap | undefined;
    const grown = arrayBufferGrowth(() => (copy = Heap.restore(forged)));
    expect(grown).toBeLessThanOrEqual(restoreBudget(forged.length));
    expect(copy!.stats().capacity).toBeLessThanOrEqual(256); // the first page's indices
    expect(copy!.get(a, 0)).toBe(heap.get(a, 0));
    exercise(copy!);
  });

  it('an over-budget claim of capacity is not allocated: the restored heap is as large as its contents', () => {
    const heap = sample();
    const bytes = heap.snapshot();
    const forged = forgeHeader(bytes, (h) => {
      h.options.maxSlots = 2 ** 32 - 1;
      h.scalars.maxSlots = 2 ** 32 - 1;
      sectionOf(h, 'slots').capacity = 2 ** 32 - 1;
    });
    expect(decodeHeader(forged).plan.bytes).toBeLessThanOrEqual(restoreBudget(forged.length));
    let copy: Heap | undefined;
    const grown = arrayBufferGrowth(() => (copy = Heap.restore(forged, restoreOptions)));
    expect(grown).toBeLessThanOrEqual(restoreBudget(forged.length));
    expect(copy!.stats().slotsCapacity).toBeLessThan(2 ** 20);
    for (const ref of reachable(heap)) expect(copy!.isAlive(ref)).toBe(true);
    exercise(copy!);
  });

  it('ten components of 1024-element f64 fields declared without their data ask for nothing', () => {
    const heap = new Heap({ indexBits: 20, initialCapacity: 2 ** 18 });
    const bytes = heap.snapshot();
    const forged = forgeHeader(bytes, (h) => {
      for (let k = 0; k < 10; k++) {
        h.components.push({ name: `Bomb${k}`, schema: { a: ['f64', 1024] }, onRemove: false, memberCount: 0 });
      }
    });
    const grown = arrayBufferGrowth(() => expectRefused(forged, /sections/));
    expect(grown).toBeLessThanOrEqual(restoreBudget(forged.length));
  });

  it('a capacity of 2^32 is a SnapshotError naming it, never a RangeError', () => {
    const bytes = sample().snapshot();
    for (const name of ['weakObjects', 'markStack', 'pinTarget', 'color', 'c0.f.hp', 'slots']) {
      expectRefused(forgeHeader(bytes, (h) => (sectionOf(h, name).capacity = 2 ** 32)), /4294967296/);
    }
  });

  it('a legitimately preallocated heap past the budget restores with the capacity its contents need', () => {
    const heap = new Heap({ initialCapacity: 2 ** 22 - 1, cardSize: 64 });
    const refs = [heap.alloc(3), heap.alloc(0)];
    heap.pin(refs[0]!);
    heap.set(refs[0]!, 2, refs[1]!);
    const bytes = heap.snapshot();
    // Its columns' allocation (counted whole here: stats().bytes counts only the part objects reached).
    expect((heap.stats().capacity + 1) * heap.stats().bytesPerObject).toBeGreaterThan(restoreBudget(bytes.length));
    const copy = Heap.restore(bytes);
    expect(copy.stats().bytes).toBeLessThanOrEqual(restoreBudget(bytes.length));
    expect(copy.stats().capacity).toBeLessThan(heap.stats().capacity);
    expect(copy.get(refs[0]!, 2)).toBe(refs[1]);
    // Identical otherwise: the same handles come next.
    expect(copy.alloc(1)).toBe(heap.alloc(1));
    exercise(copy);
  });

  it('a trimmed restore keeps component columns at their full length: they never move, so objects made later fit', () => {
    const heap = new Heap({ initialCapacity: 2 ** 22 - 1, cardSize: 64 });
    heap.defineComponent({ hp: 'f32', bag: ['u8', 3], owner: 'ref' }, { name: 'Unit' });
    const first = heap.alloc(0);
    heap.pin(first);
    heap.add(first, heap.component('Unit')!, { hp: 5 });
    const bytes = heap.snapshot();
    const copy = Heap.restore(bytes);
    expect(copy.stats().capacity).toBeLessThan(heap.stats().capacity); // trimmed
    const Unit = copy.component('Unit', { hp: 'f32', bag: ['u8', 3], owner: 'ref' })!;
    const columns = [Unit.hp, Unit.bag];
    // Objects past the trimmed capacity: the heap grows, the component's numeric columns do not.
    const made: Ref[] = [];
    for (let k = 0; k < 3000; k++) {
      const r = copy.alloc(0);
      copy.pin(r);
      copy.add(r, Unit, { hp: k, owner: first });
      Unit.bag[copy.index(r) * 3 + 2] = k & 255;
      made.push(r);
    }
    expect(Unit.hp).toBe(columns[0]);
    expect(Unit.bag).toBe(columns[1]);
    for (const [k, r] of made.entries()) {
      const i = copy.index(r);
      expect([Unit.hp[i], Unit.bag[i * 3 + 2], copy.getField(r, Unit, 'owner')]).toEqual([k, k & 255, first]);
    }
    expect(Unit.hp[copy.index(first)]).toBe(5);
    copy.verify();
  });

  it('a snapshot within the budget is restored with every capacity as saved', () => {
    const heap = sample('mark');
    const bytes = heap.snapshot();
    expect(decodeHeader(bytes).plan.trimmed).toBe(false);
    expect(Heap.restore(bytes, restoreOptions).snapshot()).toEqual(bytes);
  });
});

describe("a list's entries written (what stats().bytes counts of member and query lists)", () => {
  /** A heap whose component lost members after holding more, with a query over it. */
  function shrunk(): { heap: Heap; bytes: Uint8Array } {
    const heap = new Heap({ initialCapacity: 64, indexBits: 16 });
    const Tag = heap.defineComponent({}, { name: 'Tag' });
    const refs: Ref[] = [];
    for (let k = 0; k < 40; k++) {
      refs.push(heap.alloc(0));
      heap.add(refs[k]!, Tag);
      heap.pin(refs[k]!);
    }
    heap.query(Tag);
    for (let k = 0; k < 30; k++) heap.remove(refs[k]!, Tag);
    return { heap, bytes: heap.snapshot() };
  }

  it('is saved, so a restored heap counts the same bytes; a save without it counts what it holds', () => {
    const { heap, bytes } = shrunk();
    const header = headerOf(bytes);
    expect(header.components[0]).toMatchObject({ memberCount: 10, written: 40 });
    expect(header.queries[0]).toMatchObject({ count: 10, written: 40 });
    expect(Heap.restore(bytes).stats()).toEqual(heap.stats());
    const older = forgeHeader(bytes, (h) => {
      delete h.components[0]!.written;
      delete h.queries[0]!.written;
    });
    const restored = Heap.restore(older);
    restored.verify();
    // Two lists, 30 entries each counted no more.
    expect(restored.stats().bytes).toBe(heap.stats().bytes - 2 * 30 * 4);
  });

  it('is refused below the count, at or past top, or when no integer, naming it', () => {
    const { bytes } = shrunk();
    for (const bad of [9, 1e6, 12.5, 'x', null]) {
      expect(() => Heap.restore(forgeHeader(bytes, (h) => void (h.components[0]!.written = bad as number)))).toThrow(
        new RegExp(`component 'Tag' counts ${JSON.stringify(bad)} list entries written, expected 10 to \\d+`),
      );
      expect(() => Heap.restore(forgeHeader(bytes, (h) => void (h.queries[0]!.written = bad as number)))).toThrow(
        new RegExp(`a query counts ${JSON.stringify(bad)} list entries written, expected 10 to \\d+`),
      );
    }
  });
});

describe('any header edit, re-signed: SnapshotError, or a heap that verifies and loses nothing reachable', () => {
  const bases = [sample('idle'), sample('mark'), sample('sweep'), sample('idle', false)].map((h) => h.snapshot());
  const headers = bases.map(headerOf);

  /** Every editable number in a header, as a path: [group, key] or ['sections', index, field]. */
  const paths = (h: ForgedHeader): (string | number)[][] => [
    ...Object.keys(h.scalars).map((k) => ['scalars', k]),
    ...Object.keys(h.options).map((k) => ['options', k]),
    ...Object.keys(h.pacer).map((k) => ['pacer', k]),
    ...h.sections.flatMap((_, k) => [['sections', k, 'capacity'], ['sections', k, 'used']]),
    ...h.components.flatMap((_, k) => [['components', k, 'memberCount'], ['components', k, 'written']]),
    ...h.queries.flatMap((_, k) => [['queries', k, 'count'], ['queries', k, 'written']]),
  ];

  const value = fc.oneof(
    fc.constantFrom(-1, 0, 1, 2, 3, 0.5, 255, 256, 2 ** 16, 2 ** 24, 2 ** 31, 2 ** 32, 2 ** 53, 1e300, null, 'x', true),
    fc.integer({ min: -2, max: 600 }),
    fc.record({ scale: fc.constantFrom(0, 0.5, 2, 16), shift: fc.integer({ min: -3, max: 3 }) }),
  );

  it('holds for random edits of capacities, scalars, options and counts', () => {
    fc.assert(
      fc.property(
        fc.nat(bases.length - 1),
        fc.array(fc.record({ at: fc.nat(), to: value }), { minLength: 1, maxLength: 3 }),
        (which, edits) => {
          const bytes = bases[which]!;
          const header = structuredClone(headers[which]!);
          const all = paths(header);
          for (const { at, to } of edits) {
            const path = all[at % all.length]!;
            let holder = header as unknown as Record<string | number, unknown>;
            for (const key of path.slice(0, -1)) holder = holder[key] as Record<string | number, unknown>;
            const key = path[path.length - 1]!;
            // Relative edits: near the original value, or a multiple of it.
            holder[key] = typeof to === 'object' && to !== null
              ? Math.round(Number(holder[key]) * to.scale) + to.shift
              : to;
          }
          const forged = forgeHeader(bytes, (h) => Object.assign(h, header));
          restoredWithinBudgetOrRefused(forged);
        },
      ),
      { numRuns: 300 },
    );
  });

  /** Section names whose capacity is a saved, growable one (the pin columns move together). */
  const LISTS = /^(slots|markStack|scopeStack|weakObjects|finalizable|finalizeQueue|c\d+\.members|q\d+\.dense)$/;

  const nearValidEdit = fc.oneof(
    fc.record({ kind: fc.constant('list'), at: fc.nat(), scale: fc.constantFrom(1, 2, 3, 64), shift: fc.nat(5) }),
    fc.record({ kind: fc.constant('pins'), scale: fc.constantFrom(1, 2, 1024), shift: fc.nat(3) }),
    fc.record({ kind: fc.constant('columns'), length: fc.integer({ min: 0, max: 2 ** 16 }) }),
    fc.record({
      kind: fc.constant('counter'),
      name: fc.constantFrom(
        'majorCollections',
        'minorCollections',
        'allocations',
        'marked',
        'cycleFreed',
        'lastPauseMs',
        'maxPauseMs',
        'totalPauseMs',
      ),
      value: fc.oneof(fc.nat(10 ** 6), fc.double({ min: 0, max: 1e6, noNaN: true })),
    }),
    fc.record({
      kind: fc.constant('option'),
      name: fc.constantFrom('nurserySize', 'growthPercent', 'minHeapObjects', 'initialCapacity'),
      value: fc.integer({ min: 0, max: 70_000 }),
    }),
    fc.record({
      kind: fc.constant('pacer'),
      name: fc.constantFrom('nextMajorAt', 'allocationsAtLastTick'),
      value: fc.nat(70_000),
    }),
    fc.record({
      kind: fc.constant('word'),
      at: fc.nat(),
      index: fc.nat(),
      value: fc.oneof(fc.constantFrom(0, 1, 2, 3, 255, 2 ** 32 - 1), fc.nat(80), fc.integer({ min: -2, max: 2 })),
    }),
  );
  type NearValidEdit = typeof nearValidEdit extends fc.Arbitrary<infer T> ? T : never;

  /** Applies an edit meant to keep the snapshot plausible; many still describe an inconsistent heap. */
  function applyEdit(header: ForgedHeader, data: Map<string, Uint8Array>, edit: NearValidEdit): void {
    const sections = header.sections;
    switch (edit.kind) {
      case 'list': {
        const lists = sections.filter((s) => LISTS.test(s.name));
        const s = lists[edit.at % lists.length]!;
        s.capacity = Math.max(Number(s.used), 1) * edit.scale + edit.shift;
        break;
      }
      case 'pins': {
        const capacity = Number(sectionOf(header, 'pinTarget').used) * edit.scale + edit.shift;
        for (const name of ['pinTarget', 'pinGeneration', 'pinNext']) sectionOf(header, name).capacity = capacity;
        break;
      }
      case 'columns': {
        const old = Number(header.scalars.columnLength);
        const length = Math.max(Number(header.scalars.top), 2, edit.length);
        const cardSize = Number(header.options.cardSize);
        header.scalars.columnLength = length;
        for (const s of sections) {
          if (/^(color|generation|size|base|next|flags)$|\.position$|^c\d+\.(?!members)/.test(s.name)) {
            s.capacity = (Number(s.capacity) / old) * length;
          }
        }
        const cards = new Uint8Array(Math.ceil(length / cardSize));
        cards.set(data.get('cards')!.subarray(0, cards.length));
        data.set('cards', cards);
        sectionOf(header, 'cards').capacity = sectionOf(header, 'cards').used = cards.length;
        sectionOf(header, 'dirtyCards').capacity = cards.length;
        break;
      }
      case 'counter':
        header.scalars[edit.name] = edit.value;
        break;
      case 'option':
        header.options[edit.name] = edit.value;
        break;
      case 'pacer':
        header.pacer[edit.name] = edit.value;
        break;
      case 'word': {
        const used = sections.filter((s) => Number(s.used) > 0);
        const s = used[edit.at % used.length]!;
        const bytes = data.get(s.name)!;
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        const width = bytes.length / Number(s.used);
        const at = (edit.index % Number(s.used)) * width;
        const old = width === 1 ? view.getUint8(at) : width === 2 ? view.getUint16(at, true) : view.getUint32(at, true);
        // -2..2 are small steps from the value there; the rest are values.
        const value = (edit.value >= -2 && edit.value <= 2 && edit.value !== 0 ? old + edit.value : edit.value) >>> 0;
        if (width === 1) view.setUint8(at, value & 0xff);
        else if (width === 2) view.setUint16(at, value & 0xffff, true);
        else view.setUint32(at, value, true);
        break;
      }
    }
  }

  it('holds for near-valid edits: list capacities, column lengths, counters, options and single words of data', () => {
    fc.assert(
      fc.property(
        fc.nat(bases.length - 1),
        fc.array(nearValidEdit, { minLength: 1, maxLength: 3 }),
        (which, edits) => {
          const bytes = bases[which]!;
          const header = headerOf(bytes);
          const data = sectionData(bytes);
          for (const edit of edits) applyEdit(header, data, edit);
          const forged = assemble(bytes, header, data);
          restoredWithinBudgetOrRefused(forged);
        },
      ),
      { numRuns: 500 },
    );
  });
});
