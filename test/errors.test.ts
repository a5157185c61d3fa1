/**
 * Error paths of every public method, against docs/design.md: "Every method given a stale, NULL,
 * freed, non-integer or foreign handle, an out-of-range slot, or a bad size throws a `HeapError`
 * subclass (or `RangeError` / `TypeError` for plain argument errors) with a message naming the
 * value, and leaves the heap unchanged."
 *
 * "Unchanged" is checked twice: an observable fingerprint (stats without timing, every slot of
 * every tracked object, isAlive of tracked handles, pinned() of tracked tickets, refAt of every
 * index) is equal before and after the failing call, and the heap then behaves exactly like a
 * twin that never saw the bad call (same handles, same collections) — which catches hidden state
 * such as a leaked scope or noGc depth. `verify()` runs after each.
 */
import { describe, expect, it } from 'vitest';
import { statsOf, token } from './naming.ts';
import {
  GcForbiddenError,
  Heap,
  HeapCorruptionError,
  HeapError,
  HeapFullError,
  type HeapOptions,
  type Index,
  NULL,
  type Ref,
  StaleRefError,
  StaleTicketError,
  type Ticket,
} from '../mod.ts';

type ErrorClass = new (message: string) => Error;

/** Passes any value where the API's types want a number: the point of these tests. */
/** A value typed as whatever handle, index or ticket the call expects: these tests pass wrong values on purpose. */
const bad = <T extends number = number>(value: unknown): T => value as T;

const BITS = 16;
const SCALE = 2 ** BITS;

interface Fixture {
  heap: Heap;
  root: Ref;
  child: Ref;
  leaf: Ref;
  reused: Ref;
  floating: Ref;
  /** Freed, and its index now holds `reused`. */
  stale: Ref;
  /** Freed, and its index is still free. */
  freed: Ref;
  rootTicket: Ticket;
  childTicket: Ticket;
  /** Unpinned, and its pin slot now holds `childTicket`. */
  staleTicket: Ticket;
  /** Unpinned, its pin slot free: unpinning it again is a double unpin. */
  unpinnedTicket: Ticket;
  refs: Ref[];
  tickets: Ticket[];
}

/** A small heap in a known state: pinned and unpinned objects, a cycle, stale handles and tickets. */
function fixture(options: HeapOptions = {}): Fixture {
  const heap = new Heap({ indexBits: BITS, initialCapacity: 4, ...options });
  const root = heap.alloc(3); // index 1
  const rootTicket = heap.pin(root);
  const child = heap.alloc(2); // 2
  const stale = heap.alloc(1); // 3
  const gone = heap.alloc(0); // 4
  const leaf = heap.alloc(0); // 5
  const freed = heap.alloc(2); // 6
  heap.set(root, 0, child);
  heap.set(child, 1, root);
  heap.set(root, 2, leaf);
  heap.set(stale, 0, child);
  heap.set(freed, 0, leaf);
  const staleTicket = heap.pin(leaf);
  heap.unpin(staleTicket);
  heap.collect(); // frees 3, 4, 6
  const reused = heap.alloc(1); // index 3, generation 1
  const floating = heap.alloc(2); // index 4, generation 1, unrooted
  heap.set(root, 1, reused);
  heap.set(reused, 0, leaf);
  heap.set(floating, 0, root);
  heap.set(floating, 1, floating);
  const childTicket = heap.pin(child); // reuses staleTicket's pin slot
  const unpinnedTicket = heap.pin(leaf);
  heap.unpin(unpinnedTicket);
  heap.verify();
  return {
    heap,
    root,
    child,
    leaf,
    reused,
    floating,
    stale,
    freed,
    rootTicket,
    childTicket,
    staleTicket,
    unpinnedTicket,
    refs: [root, child, leaf, reused, floating, stale, gone, freed],
    tickets: [rootTicket, childTicket, staleTicket, unpinnedTicket],
  };
}

/** The fixture's handle values: every fixture is built the same way, so they are the same numbers. */
const F = fixture();

/** Everything observable about the fixture's heap, without timing. */
function fingerprint(fx: Fixture): unknown {
  const heap = fx.heap;
  const stats = statsOf(heap);
  const objects = fx.refs.map((ref) => {
    if (!heap.isAlive(ref)) return { ref, alive: false };
    const slots: Ref[] = [];
    for (let k = 0; k < heap.slotCount(ref); k++) slots.push(heap.get(ref, k));
    return { ref, alive: true, index: heap.index(ref), slots };
  });
  const pins = fx.tickets.map((ticket) => heap.pinned(ticket));
  const indices: Ref[] = [];
  for (let i = 0; i <= heap.stats().capacity + 1; i++) indices.push(heap.refAt(i as Index));
  return { stats, objects, pins, indices };
}

/** Runs one operation, recording either its result or the name of the error it threw. */
function attempt<T>(log: unknown[], fn: () => T, fallback: T): T {
  try {
    const result = fn();
    log.push(result ?? 'ok');
    return result;
  } catch (error) {
    log.push((error as Error).name);
    return fallback;
  }
}

/** The same program on two heaps: what they do from here must match exactly. */
function followUp(fx: Fixture): unknown[] {
  const heap = fx.heap;
  const log: unknown[] = [];
  const a = attempt(log, () => heap.alloc(2), NULL);
  const b = attempt(log, () => heap.alloc(1), NULL);
  if (a !== NULL && b !== NULL) attempt(log, () => heap.set(a, 0, b), undefined);
  if (a !== NULL) attempt(log, () => heap.set(fx.root, 1, a), undefined);
  const ticket = b === NULL ? undefined : attempt(log, () => heap.pin(b), undefined);
  attempt(log, () => heap.collect().freed, 0);
  attempt(log, () => heap.alloc(3), NULL);
  attempt(log, () => heap.scope(() => heap.alloc(1)), NULL);
  attempt(log, () => heap.noGc(() => heap.alloc(0)), NULL);
  attempt(log, () => heap.collect().freed, 0);
  if (ticket !== undefined) attempt(log, () => heap.unpin(ticket), undefined);
  attempt(log, () => heap.collect().freed, 0);
  heap.verify();
  log.push(fingerprint(fx));
  return log;
}

interface Rejection {
  /** Builds the heap state the call fails in (run on the twin as well). */
  setup?: (fx: Fixture) => void;
  options?: HeapOptions;
}

/** The call throws `errorClass` (naming `token`, when given) and leaves the heap unchanged. */
function expectRejected(
  call: (fx: Fixture) => unknown,
  errorClass: ErrorClass | ErrorClass[],
  token: string | undefined,
  how: Rejection = {},
): void {
  const fx = fixture(how.options);
  how.setup?.(fx);
  const before = fingerprint(fx);
  let error: unknown;
  try {
    call(fx);
  } catch (caught) {
    error = caught;
  }
  if (Array.isArray(errorClass)) {
    expect(error).toBeInstanceOf(Error);
    expect(errorClass.some((c) => error instanceof c)).toBe(true);
  } else {
    expect(error).toBeInstanceOf(errorClass);
  }
  if (token !== undefined) expect((error as Error).message).toContain(token);
  expect(fingerprint(fx)).toEqual(before);
  fx.heap.verify();
  const twin = fixture(how.options);
  how.setup?.(twin);
  expect(followUp(fx)).toEqual(followUp(twin));
}

/** The call returns `expected` without throwing and leaves the heap unchanged. */
function expectHarmless(call: (fx: Fixture) => unknown, expected: unknown): void {
  const fx = fixture();
  const before = fingerprint(fx);
  expect(call(fx)).toBe(expected);
  expect(fingerprint(fx)).toEqual(before);
  fx.heap.verify();
}

/** An object whose conversion to a primitive throws: the heap must not convert it. */
const hostile = {
  valueOf(): number {
    throw new Error('hostile valueOf');
  },
  toString(): string {
    throw new Error('hostile toString');
  },
};

/** Values that are not live handles of the fixture, with what each is. */
const notHandles: [string, unknown][] = [
  ['NULL', NULL],
  ['-0', -0],
  ['a stale handle (its index reused)', F.stale],
  ['a freed handle (its index free)', F.freed],
  ['a never-allocated index', 100],
  ['the largest index, never allocated', SCALE - 1],
  ['a later generation of a live index', F.root + 3 * SCALE],
  ['a generation past 2^32 - 1', F.root + 2 ** 32 * SCALE],
  ['1.5', 1.5],
  ['a live handle + 0.5', F.root + 0.5],
  ['-1', -1],
  ['a negated live handle', -F.root],
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
  ['2**60', 2 ** 60],
  ['2**53 + 2', 2 ** 53 + 2],
  ['Number.MAX_VALUE', Number.MAX_VALUE],
  ['Number.MIN_VALUE', Number.MIN_VALUE],
  ["the string '1'", '1'],
  ['the empty string', ''],
  ['undefined', undefined],
  ['null', null],
  ['an object', {}],
  ['an array holding a live handle', [F.root]],
  ['an object whose valueOf throws', hostile],
  ['a boxed live handle', new Number(F.root)],
  ['the bigint 1n', 1n],
  ['a bigint of a live handle', BigInt(F.root)],
  ['a symbol', Symbol('h')],
  ['true', true],
  ['a function', () => F.root],
];

describe('handles: every method rejects what is not a live handle, with StaleRefError', () => {
  const methods: [string, (fx: Fixture, x: Ref) => unknown, boolean][] = [
    ['slotCount(x)', (fx, x) => fx.heap.slotCount(x), true],
    ['get(x, 0)', (fx, x) => fx.heap.get(x, 0), true],
    ['set(x, 0, NULL)', (fx, x) => fx.heap.set(x, 0, NULL), true],
    ['set(x, 0, live)', (fx, x) => fx.heap.set(x, 0, fx.leaf), true],
    // As a target, NULL (and -0, which === NULL) is valid: it clears the slot.
    ['set(live, 0, x)', (fx, x) => fx.heap.set(fx.root, 0, x), false],
    ['resize(x, 1)', (fx, x) => fx.heap.resize(x, 1), true],
    ['resize(x, 0)', (fx, x) => fx.heap.resize(x, 0), true],
    ['index(x)', (fx, x) => fx.heap.index(x), true],
    ['pin(x)', (fx, x) => fx.heap.pin(x), true],
    ['whyAlive(x)', (fx, x) => fx.heap.whyAlive(x), true],
    ['destroy(x)', (fx, x) => fx.heap.destroy(x), true],
    ['kindOf(x)', (fx, x) => fx.heap.kindOf(x), true],
  ];
  for (const [name, call, nullIsBad] of methods) {
    describe(name, () => {
      for (const [label, value] of notHandles) {
        if (!nullIsBad && value === NULL) continue;
        it(`rejects ${label}`, () => {
          expectRejected((fx) => call(fx, bad(value)), StaleRefError, token(value));
        });
      }
    });
  }

  it('set(live, 0, NULL) and set(live, 0, -0) clear the slot', () => {
    const fx = fixture();
    fx.heap.set(fx.root, 0, NULL);
    expect(fx.heap.get(fx.root, 0)).toBe(NULL);
    fx.heap.set(fx.root, 2, -0 as Ref);
    expect(fx.heap.get(fx.root, 2)).toBe(NULL);
    fx.heap.verify();
  });

  it('the error is a HeapError, an Error, and carries its class name', () => {
    const fx = fixture();
    let error: unknown;
    try {
      fx.heap.get(fx.stale, 0);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(StaleRefError);
    expect(error).toBeInstanceOf(HeapError);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('StaleRefError');
  });
});

describe('isAlive never throws and changes nothing', () => {
  for (const [label, value] of notHandles) {
    it(`isAlive(${label}) is false`, () => {
      expectHarmless((fx) => fx.heap.isAlive(bad(value)), false);
    });
  }
  for (const name of ['root', 'child', 'leaf', 'reused', 'floating'] as const) {
    it(`isAlive(${name}) is true`, () => {
      expectHarmless((fx) => fx.heap.isAlive(fx[name]), true);
    });
  }
});

/** Slot arguments that are out of range for `root` (3 slots): RangeError for numbers, else TypeError. */
const badSlots: [string, unknown, ErrorClass][] = [
  ['the slot count (3)', 3, RangeError],
  ['4', 4, RangeError],
  ['100', 100, RangeError],
  ['2**32', 2 ** 32, RangeError],
  ['2**32 + 1 (1 modulo 2^32)', 2 ** 32 + 1, RangeError],
  ['2**60', 2 ** 60, RangeError],
  ['-1', -1, RangeError],
  ['-(2**32) + 1', -(2 ** 32) + 1, RangeError],
  ['0.5', 0.5, RangeError],
  ['1.5', 1.5, RangeError],
  ['NaN', NaN, RangeError],
  ['Infinity', Infinity, RangeError],
  ['-Infinity', -Infinity, RangeError],
  ["the string '0'", '0', TypeError],
  ["the string '1'", '1', TypeError],
  ['undefined', undefined, TypeError],
  ['null', null, TypeError],
  ['an object', {}, TypeError],
  ['an object whose valueOf throws', hostile, TypeError],
  ['the bigint 0n', 0n, TypeError],
  ['true', true, TypeError],
  ['a symbol', Symbol('s'), TypeError],
];

describe('slots: get and set reject out-of-range and non-integer slots', () => {
  const methods: [string, (fx: Fixture, slot: number) => unknown][] = [
    ['get(live, x)', (fx, slot) => fx.heap.get(fx.root, slot)],
    ['set(live, x, NULL)', (fx, slot) => fx.heap.set(fx.root, slot, NULL)],
    ['set(live, x, live)', (fx, slot) => fx.heap.set(fx.root, slot, fx.leaf)],
  ];
  for (const [name, call] of methods) {
    describe(name, () => {
      for (const [label, value, errorClass] of badSlots) {
        it(`rejects slot ${label} with ${errorClass.name}`, () => {
          expectRejected((fx) => call(fx, bad(value)), errorClass, token(value));
        });
      }
    });
  }

  it('slot 0 of an object with no slots is out of range', () => {
    expectRejected((fx) => fx.heap.get(fx.leaf, 0), RangeError, '0');
    expectRejected((fx) => fx.heap.set(fx.leaf, 0, NULL), RangeError, '0');
  });

  it('a slot past a shrunk size is out of range', () => {
    expectRejected((fx) => fx.heap.get(fx.root, 2), RangeError, '2', { setup: (fx) => fx.heap.resize(fx.root, 2) });
  });

  it('a bad handle is reported before a bad slot, and a bad slot before a bad target', () => {
    expectRejected((fx) => fx.heap.set(fx.stale, 99, bad('x')), StaleRefError, String(F.stale));
    expectRejected((fx) => fx.heap.set(fx.root, 99, bad('x')), RangeError, '99');
  });
});

/** Slot counts for alloc and resize (default maxSlotsPerObject 2^20). */
const badCounts: [string, unknown, ErrorClass][] = [
  ['-1', -1, RangeError],
  ['0.5', 0.5, RangeError],
  ['2.5', 2.5, RangeError],
  ['NaN', NaN, RangeError],
  ['Infinity', Infinity, RangeError],
  ['-Infinity', -Infinity, RangeError],
  ['maxSlotsPerObject + 1', 2 ** 20 + 1, RangeError],
  ['2**32', 2 ** 32, RangeError],
  ['2**60', 2 ** 60, RangeError],
  ["the string '1'", '1', TypeError],
  ['null', null, TypeError],
  ['an object', {}, TypeError],
  ['an object whose valueOf throws', hostile, TypeError],
  ['the bigint 1n', 1n, TypeError],
  ['true', true, TypeError],
];

describe('slot counts: alloc and resize reject bad sizes', () => {
  for (const [label, value, errorClass] of badCounts) {
    it(`alloc(${label}) throws ${errorClass.name}`, () => {
      expectRejected((fx) => fx.heap.alloc(bad(value)), errorClass, token(value));
    });
    it(`resize(live, ${label}) throws ${errorClass.name}`, () => {
      expectRejected((fx) => fx.heap.resize(fx.root, bad(value)), errorClass, token(value));
    });
  }

  it('resize(live, undefined) throws TypeError (alloc(undefined) is alloc(0))', () => {
    expectRejected((fx) => fx.heap.resize(fx.root, bad(undefined)), TypeError, 'undefined');
    const heap = new Heap();
    expect(heap.slotCount(heap.alloc(bad(undefined)))).toBe(0);
  });

  it('maxSlotsPerObject bounds alloc and resize', () => {
    const options = { maxSlotsPerObject: 4 };
    expectRejected((fx) => fx.heap.alloc(5), RangeError, '5', { options });
    expectRejected((fx) => fx.heap.resize(fx.root, 5), RangeError, '5', { options });
    const heap = new Heap(options);
    heap.resize(heap.alloc(4), 4);
    heap.verify();
  });

  it('alloc rejects an unknown object kind with TypeError', () => {
    for (const kind of ['bogus', 'STRONG', 5, null, {}]) {
      expectRejected((fx) => fx.heap.alloc(1, kind as unknown as 'strong'), TypeError, token(kind));
    }
  });
});

describe('refAt rejects what is not an index', () => {
  const badIndices: [string, unknown, ErrorClass][] = [
    ['-1', -1, RangeError],
    ['1.5', 1.5, RangeError],
    ['NaN', NaN, RangeError],
    ['Infinity', Infinity, RangeError],
    ['-Infinity', -Infinity, RangeError],
    ['2**60', 2 ** 60, RangeError],
    ["the string '1'", '1', TypeError],
    ['undefined', undefined, TypeError],
    ['null', null, TypeError],
    ['an object', {}, TypeError],
    ['the bigint 1n', 1n, TypeError],
  ];
  for (const [label, value, errorClass] of badIndices) {
    it(`refAt(${label}) throws ${errorClass.name}`, () => {
      expectRejected((fx) => fx.heap.refAt(bad(value)), errorClass, token(value));
    });
  }

  it('refAt of a free, never-used or far index is NULL, not an error', () => {
    expectHarmless((fx) => fx.heap.refAt(6 as Index), NULL);
    expectHarmless((fx) => fx.heap.refAt(0 as Index), NULL);
    expectHarmless((fx) => fx.heap.refAt(1000 as Index), NULL);
    expectHarmless((fx) => fx.heap.refAt((2 ** 40) as Index), NULL);
  });
});

/** Values that are not live tickets of the fixture. */
const notTickets: [string, unknown][] = [
  ['a stale ticket (its pin slot reused)', F.staleTicket],
  ['an unpinned ticket (double unpin)', F.unpinnedTicket],
  ['0', 0],
  ['-0', -0],
  ['-1', -1],
  ['1.5', 1.5],
  ['a live ticket + 0.5', F.rootTicket + 0.5],
  ['a later generation of a live ticket', F.rootTicket + SCALE],
  ['a never-issued ticket', 100],
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['2**60', 2 ** 60],
  ["the string '1'", '1'],
  ['undefined', undefined],
  ['null', null],
  ['an object', {}],
  ['an object whose valueOf throws', hostile],
  ['the bigint 1n', 1n],
  ['a symbol', Symbol('t')],
];

describe('tickets: unpin throws StaleTicketError, pinned returns NULL', () => {
  for (const [label, value] of notTickets) {
    it(`unpin(${label}) throws StaleTicketError`, () => {
      expectRejected((fx) => fx.heap.unpin(bad(value)), StaleTicketError, token(value));
    });
    it(`pinned(${label}) is NULL`, () => {
      expectHarmless((fx) => fx.heap.pinned(bad(value)), NULL);
    });
  }

  it('a double unpin made on the spot throws and keeps the other pins', () => {
    const fx = fixture();
    const ticket = fx.heap.pin(fx.leaf);
    fx.heap.unpin(ticket);
    const before = fingerprint(fx);
    expect(() => fx.heap.unpin(ticket)).toThrow(StaleTicketError);
    expect(fingerprint(fx)).toEqual(before);
    expect(fx.heap.pinned(fx.rootTicket)).toBe(fx.root);
    expect(fx.heap.pinned(fx.childTicket)).toBe(fx.child);
    fx.heap.verify();
  });

  it('StaleTicketError is a HeapError', () => {
    const fx = fixture();
    let error: unknown;
    try {
      fx.heap.unpin(fx.staleTicket);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(StaleTicketError);
    expect(error).toBeInstanceOf(HeapError);
    expect((error as Error).name).toBe('StaleTicketError');
  });
});

describe('HeapFullError leaves the heap unchanged', () => {
  it('alloc at maxObjects', () => {
    // The fixture ends with 5 live objects and index 6 free.
    const setup = (fx: Fixture): void => {
      fx.refs.push(fx.heap.alloc(1));
      fx.refs.push(fx.heap.alloc(0));
    };
    expectRejected((fx) => fx.heap.alloc(0), HeapFullError, undefined, { options: { maxObjects: 7 }, setup });
    expectRejected((fx) => fx.heap.alloc(3), HeapFullError, undefined, { options: { maxObjects: 7 }, setup });
  });

  // The fixture's blocks of 4 + 2 + 1 + 2 slots (after its collect) lie in [1, 11), each at an
  // offset from slot 1 that is a multiple of its size: the last 2-slot block leaves slot 8 free.
  const FULL_POOL = { maxSlots: 11 };
  const takeLastSlot = (fx: Fixture): void => {
    fx.refs.push(fx.heap.alloc(1));
  };

  it('alloc when the slot pool is full (maxSlots)', () => {
    const options = FULL_POOL;
    expectRejected((fx) => fx.heap.alloc(1), HeapFullError, undefined, { options, setup: takeLastSlot });
    expectRejected((fx) => fx.heap.alloc(2), HeapFullError, undefined, { options });
    const fx = fixture(options);
    fx.heap.alloc(1); // the free slot 8: fits
    fx.heap.alloc(0); // no slots: fits
    fx.heap.verify();
  });

  it('resize past the slot pool (maxSlots)', () => {
    const options = FULL_POOL;
    expectRejected((fx) => fx.heap.resize(fx.root, 5), HeapFullError, undefined, { options });
    expectRejected((fx) => fx.heap.resize(fx.leaf, 1), HeapFullError, undefined, { options, setup: takeLastSlot });
    const fx = fixture(options);
    fx.heap.resize(fx.root, 4); // same block
    fx.heap.verify();
  });

  it('pin when the pin table is full (2^indexBits - 1 pin slots)', () => {
    const setup = (fx: Fixture): void => {
      for (let k = 0; k < SCALE; k++) {
        try {
          fx.heap.pin(fx.leaf);
        } catch (error) {
          expect(error).toBeInstanceOf(HeapFullError);
          return;
        }
      }
      throw new Error('the pin table never filled');
    };
    expectRejected((fx) => fx.heap.pin(fx.root), HeapFullError, undefined, { setup });
    // Unpinning makes room again.
    const fx = fixture();
    setup(fx);
    expect(fx.heap.stats().pins).toBe(SCALE - 1);
    expect(() => fx.heap.pin(fx.root)).toThrow(`pin table full: ${SCALE - 1} pins are live`);
    fx.heap.unpin(fx.rootTicket);
    expect(fx.heap.pinned(fx.heap.pin(fx.root))).toBe(fx.root);
    fx.heap.verify();
  });

  // Known bug (see the report): when the heap is full during the sweep of a major cycle, alloc
  // and resize finish the sweep (src/heap.ts `#finishSweep`) before deciding they must throw, so
  // a failing call still ends the cycle: phase goes from 'sweep' to 'idle' and majorCollections
  // grows. docs/design.md: "then throws HeapFullError without changing anything".
  const fullInSweep = (fx: Fixture): void => {
    fx.heap.pin(fx.floating); // nothing is garbage: finishing the sweep frees nothing
    while (true) {
      try {
        const ref = fx.heap.alloc(1);
        fx.heap.pin(ref);
        fx.refs.push(ref);
      } catch {
        break;
      }
    }
    // A cycle that finds nothing dead has nothing to sweep: its sweep ends in the slice that enters
    // it (gc/sweep.ts), so no call ever sees the phase read 'sweep'. The call then fails with no
    // cycle left to finish.
    let ended = false;
    for (let k = 0; k < 1000 && !ended; k++) ended = fx.heap.step(1);
    expect([ended, fx.heap.phase]).toEqual([true, 'idle']);
  };
  it('alloc at maxObjects after a cycle that found nothing dead', () => {
    expectRejected((fx) => fx.heap.alloc(0), HeapFullError, undefined, {
      options: { maxObjects: 7 },
      setup: fullInSweep,
    });
  });
  it('resize past maxSlots after a cycle that found nothing dead', () => {
    expectRejected((fx) => fx.heap.resize(fx.root, 5), HeapFullError, undefined, {
      options: FULL_POOL,
      setup: fullInSweep,
    });
  });

  it('HeapFullError is a HeapError', () => {
    const heap = new Heap({ maxObjects: 1 });
    heap.alloc(0);
    let error: unknown;
    try {
      heap.alloc(0);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(HeapFullError);
    expect(error).toBeInstanceOf(HeapError);
    expect((error as Error).name).toBe('HeapFullError');
    expect((error as Error).message).toContain('1');
  });
});

describe('GcForbiddenError', () => {
  it('collect inside noGc throws and changes nothing; collection works afterwards', () => {
    expectRejected((fx) => fx.heap.noGc(() => fx.heap.collect()), GcForbiddenError, 'collect');
  });

  it('inside nested noGc, and inside a scope inside noGc', () => {
    expectRejected(
      (fx) => fx.heap.noGc(() => fx.heap.noGc(() => fx.heap.collect())),
      GcForbiddenError,
      undefined,
    );
    expectRejected((fx) => fx.heap.noGc(() => fx.heap.scope(() => fx.heap.collect())), GcForbiddenError, undefined);
  });

  it('checked inside noGc: the heap is unchanged right after the refused collect', () => {
    const fx = fixture();
    fx.heap.noGc(() => {
      const before = fingerprint(fx);
      let error: unknown;
      try {
        fx.heap.collect();
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(GcForbiddenError);
      expect(error).toBeInstanceOf(HeapError);
      expect(fingerprint(fx)).toEqual(before);
      fx.heap.verify();
    });
    expect(fx.heap.collect().freed).toBe(1); // `floating`
  });
});

describe('minor, step and tick: forbidden inside noGc, and bad budgets', () => {
  for (
    const [name, call] of [
      ['minor()', (fx: Fixture) => fx.heap.minor()],
      ['step()', (fx: Fixture) => fx.heap.step()],
      ['step(1)', (fx: Fixture) => fx.heap.step(1)],
      ['tick()', (fx: Fixture) => fx.heap.tick()],
      ['tick(1000)', (fx: Fixture) => fx.heap.tick(1000)],
    ] as const
  ) {
    it(`${name} inside noGc throws GcForbiddenError and changes nothing`, () => {
      expectRejected((fx) => fx.heap.noGc(() => call(fx)), GcForbiddenError, name.slice(0, name.indexOf('(')));
    });
    it(`${name} inside noGc during a major cycle throws GcForbiddenError and changes nothing`, () => {
      expectRejected((fx) => fx.heap.noGc(() => call(fx)), GcForbiddenError, undefined, {
        setup: (fx) => fx.heap.step(1),
      });
    });
  }

  const badBudgets: [string, unknown, ErrorClass | ErrorClass[]][] = [
    ['0', 0, RangeError],
    ['-1', -1, RangeError],
    ['1.5', 1.5, RangeError],
    ['NaN', NaN, RangeError],
    ['Infinity', Infinity, RangeError],
    ['2**60', 2 ** 60, RangeError],
    ["the string '5'", '5', TypeError],
    ['null', null, TypeError],
    ['an object', {}, TypeError],
    ['the bigint 5n', 5n, TypeError],
  ];
  for (const [label, value, errorClass] of badBudgets) {
    it(`step(${label}) is rejected and changes nothing`, () => {
      expectRejected((fx) => fx.heap.step(bad(value)), errorClass, token(value));
    });
  }

  // tick takes milliseconds, not an integer: fractions are fine, negatives and non-numbers are not.
  const badMs: [string, unknown][] = [
    ['-1', -1],
    ['-0.5', -0.5],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ["the string '1'", '1'],
    ['null', null],
    ['an object', {}],
    ['an object whose valueOf throws', hostile],
    ['the bigint 1n', 1n],
  ];
  for (const [label, value] of badMs) {
    it(`tick(${label}) is rejected and changes nothing`, () => {
      expectRejected((fx) => fx.heap.tick(bad(value)), [RangeError, TypeError], token(value));
    });
  }
});

describe('errors during a major cycle leave the heap unchanged', () => {
  const inMark = (fx: Fixture): void => {
    fx.heap.step(1);
    expect(fx.heap.phase).toBe('mark');
  };
  const inSweep = (fx: Fixture): void => {
    for (let k = 0; k < 1000 && fx.heap.phase !== 'sweep'; k++) fx.heap.step(1);
    expect(fx.heap.phase).toBe('sweep');
  };
  for (const [phase, setup] of [['mark', inMark], ['sweep', inSweep]] as const) {
    describe(`phase ${phase}`, () => {
      it('stale, freed and malformed handles throw StaleRefError', () => {
        for (const value of [F.stale, F.freed, NULL, 1.5, -1, '1', undefined]) {
          expectRejected((fx) => fx.heap.get(bad(value), 0), StaleRefError, token(value), { setup });
          expectRejected(
            (fx) => fx.heap.set(fx.root, 0, bad(value === NULL ? F.stale : value)),
            StaleRefError,
            undefined,
            {
              setup,
            },
          );
        }
      });
      it('bad slots, slot counts and tickets are rejected', () => {
        expectRejected((fx) => fx.heap.get(fx.root, 3), RangeError, '3', { setup });
        expectRejected((fx) => fx.heap.resize(fx.root, -1), RangeError, '-1', { setup });
        expectRejected((fx) => fx.heap.alloc(bad('2')), TypeError, "'2'", { setup });
        expectRejected((fx) => fx.heap.unpin(fx.staleTicket), StaleTicketError, String(F.staleTicket), { setup });
      });
    });
  }

  it('an object found dead by marking reads as dead before the sweep frees it', () => {
    // `floating` is reachable from no root; once marking ends it is dead, whatever the sweep did.
    expectRejected((fx) => fx.heap.get(fx.floating, 0), StaleRefError, String(F.floating), { setup: inSweep });
    expectRejected((fx) => fx.heap.set(fx.root, 0, fx.floating), StaleRefError, String(F.floating), {
      setup: inSweep,
    });
    expectRejected((fx) => fx.heap.pin(fx.floating), StaleRefError, String(F.floating), { setup: inSweep });
  });
});

describe('scope and noGc reject what is not a function', () => {
  for (
    const [label, value] of [['5', 5], ['undefined', undefined], ['null', null], ["'f'", 'f'], ['{}', {}]] as const
  ) {
    it(`scope(${label}) throws TypeError`, () => {
      expectRejected((fx) => fx.heap.scope(value as unknown as () => void), TypeError, token(value));
    });
    it(`noGc(${label}) throws TypeError`, () => {
      expectRejected((fx) => fx.heap.noGc(value as unknown as () => void), TypeError, token(value));
    });
  }
});

describe('options: bad options throw before a heap exists', () => {
  const badOptions: [string, unknown, ErrorClass, string][] = [
    ['indexBits 15', { indexBits: 15 }, RangeError, '15'],
    ['indexBits 25', { indexBits: 25 }, RangeError, '25'],
    ['indexBits 16.5', { indexBits: 16.5 }, RangeError, '16.5'],
    ['indexBits NaN', { indexBits: NaN }, RangeError, 'NaN'],
    ["indexBits '22'", { indexBits: '22' }, TypeError, "'22'"],
    ['generationBits 0', { generationBits: 0 }, RangeError, '0'],
    ['generationBits -1', { generationBits: -1 }, RangeError, '-1'],
    ['generationBits 1.5', { generationBits: 1.5 }, RangeError, '1.5'],
    ['generationBits 32 (indexBits 22 leaves 31)', { generationBits: 32 }, RangeError, '32'],
    ['generationBits 33 (at most 32)', { indexBits: 16, generationBits: 33 }, RangeError, '33'],
    ['generationBits 30 with indexBits 24 (53 - 24 = 29)', { indexBits: 24, generationBits: 30 }, RangeError, '30'],
    ["generationBits '4'", { generationBits: '4' }, TypeError, "'4'"],
    ['maxObjects 0', { maxObjects: 0 }, RangeError, '0'],
    ['maxObjects -1', { maxObjects: -1 }, RangeError, '-1'],
    ['maxObjects 2^22 (indexBits 22)', { maxObjects: 2 ** 22 }, RangeError, String(2 ** 22)],
    ['maxObjects 2^16 (indexBits 16)', { indexBits: 16, maxObjects: 2 ** 16 }, RangeError, String(2 ** 16)],
    ['maxObjects 2.5', { maxObjects: 2.5 }, RangeError, '2.5'],
    ['maxObjects Infinity', { maxObjects: Infinity }, RangeError, 'Infinity'],
    ['maxObjects 10n', { maxObjects: 10n }, TypeError, '10n'],
    ['initialCapacity 0', { initialCapacity: 0 }, RangeError, '0'],
    ['initialCapacity past maxObjects', { maxObjects: 10, initialCapacity: 11 }, RangeError, '11'],
    ['maxSlotsPerObject -1', { maxSlotsPerObject: -1 }, RangeError, '-1'],
    ['maxSlotsPerObject 2^30 + 1', { maxSlotsPerObject: 2 ** 30 + 1 }, RangeError, String(2 ** 30 + 1)],
    ['maxSlots 1', { maxSlots: 1 }, RangeError, '1'],
    ['maxSlots 2^32', { maxSlots: 2 ** 32 }, RangeError, String(2 ** 32)],
    ["generational 'yes'", { generational: 'yes' }, TypeError, "'yes'"],
    ['generational 1', { generational: 1 }, TypeError, '1'],
    ['promoteAfter 0', { promoteAfter: 0 }, RangeError, '0'],
    ['cardSize 3 (not a power of two)', { cardSize: 3 }, RangeError, '3'],
    ['cardSize 0', { cardSize: 0 }, RangeError, '0'],
    ['nurserySize 0', { nurserySize: 0 }, RangeError, '0'],
    ['nurserySize 1.5', { nurserySize: 1.5 }, RangeError, '1.5'],
    ['growthPercent 0', { growthPercent: 0 }, RangeError, '0'],
    ['minHeapObjects -1', { minHeapObjects: -1 }, RangeError, '-1'],
    ['an unknown option', { maxobjects: 10 }, TypeError, 'maxobjects'],
    ['an unknown option beside good ones', { indexBits: 16, frobnicate: true }, TypeError, 'frobnicate'],
    ['null', null, TypeError, 'null'],
    ['a number', 5, TypeError, '5'],
    ['a string', 'big', TypeError, "'big'"],
    ['true', true, TypeError, 'true'],
    ['a bigint', 1n, TypeError, '1n'],
    ['a function', () => ({}), TypeError, 'function'],
  ];
  for (const [label, options, errorClass, name] of badOptions) {
    it(`${label} throws ${errorClass.name} naming ${name}`, () => {
      let error: unknown;
      try {
        new Heap(options as HeapOptions);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(errorClass);
      expect((error as Error).message).toContain(name);
    });
  }
});

describe('error classes', () => {
  it('every heap error is a HeapError and an Error, named after its class', () => {
    for (const ErrorType of [StaleRefError, StaleTicketError, HeapFullError, GcForbiddenError, HeapCorruptionError]) {
      const error = new ErrorType('message');
      expect(error).toBeInstanceOf(HeapError);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe(ErrorType.name);
      expect(error.message).toBe('message');
    }
  });

  it('verify() does not throw HeapCorruptionError on the fixture', () => {
    expect(() => fixture().heap.verify()).not.toThrow();
  });
});
