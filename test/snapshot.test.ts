/**
 * Save and restore: a restored heap is identical (same handles, contents, counters) and the same
 * program continues the same way on both; bad bytes throw SnapshotError and never yield a heap.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Component, Heap, HeapError, NULL, type Ref, SnapshotError } from '../mod.ts';
import { asFormat12, forgeHeader, headerOf, resign, withVersion } from './forge.ts';
import { stateOf } from '../src/heap.ts';
import { checksum } from '../src/io/snapshot.ts';
import { fcRuns } from './runs.ts';

type Link = Component<{ ref: 'ref'; weak: 'weakref'; hp: 'f32' }>;

/**
 * A seeded random program over a heap: allocations of every kind, stores, pins, components,
 * minors, majors and incremental slices. Returns a transcript of everything it observed, so two
 * heaps running it can be compared step by step.
 */
function program(heap: Heap, seed: number, steps: number, refs: Ref[]): unknown[] {
  let state = seed >>> 0 || 1;
  const rand = (n: number): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
  const Link = heap.component('Link') as Link;
  const transcript: unknown[] = [];
  const live = () => refs.filter((ref) => heap.isAlive(ref));
  for (let step = 0; step < steps; step++) {
    const objects = live();
    const any = (): Ref => (objects.length === 0 ? NULL : objects[rand(objects.length)]!);
    switch (rand(12)) {
      case 0:
      case 1: {
        const kind = (['strong', 'strong', 'weak', 'ephemeron'] as const)[rand(4)]!;
        const ref = heap.alloc(kind === 'ephemeron' ? 2 * rand(3) : rand(4), kind);
        refs.push(ref);
        transcript.push(['alloc', ref]);
        break;
      }
      case 2:
      case 3: {
        const owner = any();
        if (owner !== NULL && heap.slotCount(owner) > 0) heap.set(owner, rand(heap.slotCount(owner)), any());
        break;
      }
      case 4: {
        const ref = any();
        if (ref !== NULL) transcript.push(['pin', heap.pin(ref)]);
        break;
      }
      case 5: {
        const ref = any();
        if (ref !== NULL) heap.add(ref, Link, { ref: any(), weak: any(), hp: rand(100) });
        break;
      }
      case 6:
        transcript.push(['minor', heap.minor().freed]);
        break;
      case 7:
        transcript.push(['step', heap.step(1 + rand(40))]);
        break;
      case 8:
        if (rand(4) === 0) transcript.push(['collect', heap.collect().freed]);
        break;
      case 9: {
        const ref = any();
        if (ref !== NULL && heap.slotCount(ref) % 2 === 0) heap.resize(ref, rand(3) * 2);
        break;
      }
      default:
        transcript.push(['query', [...heap.query(Link)].sort((a, b) => a - b)]);
    }
  }
  transcript.push(['final', observe(heap, refs)]);
  return transcript;
}

/** Everything observable about a heap, timing aside. */
function observe(heap: Heap, refs: Ref[]): unknown {
  const Link = heap.component('Link') as Link;
  const stats: Record<string, unknown> = { ...heap.stats() };
  for (const key of ['lastPauseMs', 'maxPauseMs', 'totalPauseMs', 'bytes']) delete stats[key];
  return {
    stats,
    objects: refs.map((ref) => {
      if (!heap.isAlive(ref)) return null;
      const slots = Array.from({ length: heap.slotCount(ref) }, (_, k) => heap.get(ref, k));
      const link = heap.has(ref, Link)
        ? [heap.getField(ref, Link, 'ref'), heap.getField(ref, Link, 'weak'), heap.getField(ref, Link, 'hp')]
        : null;
      return [ref, slots, link];
    }),
  };
}

function freshHeap(options = {}): Heap {
  const heap = new Heap({ initialCapacity: 4, nurserySize: 50, ...options });
  heap.defineComponent({ ref: 'ref', weak: 'weakref', hp: 'f32' }, { name: 'Link' });
  return heap;
}

describe('snapshot and restore', () => {
  it('give an identical heap on which the same program continues the same way', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.boolean(),
        (seed, before, after, generational) => {
          const heap = freshHeap({ generational });
          const refs: Ref[] = [];
          program(heap, seed, before, refs);
          heap.verify();
          const bytes = heap.snapshot();
          const copy = Heap.restore(bytes);
          copy.verify();
          expect(observe(copy, refs)).toEqual(observe(heap, refs));
          expect(copy.snapshot()).toEqual(bytes);
          // Both continue with the same program: same handles, same results, same state.
          const continued = program(heap, after, 150, [...refs]);
          expect(program(copy, after, 150, [...refs])).toEqual(continued);
          copy.verify();
          // Loaded into a heap of the same components, whatever it held, it does the same.
          const loaded = freshHeap({ generational: !generational });
          program(loaded, seed ^ 1, 40, []);
          loaded.load(bytes);
          loaded.verify();
          expect(loaded.snapshot()).toEqual(bytes);
          expect(program(loaded, after, 150, [...refs])).toEqual(continued);
          loaded.verify();
        },
      ),
      { numRuns: fcRuns(60) },
    );
  });

  it('save a cycle in progress, at every few units of it, and finish it identically', () => {
    const phases = new Set<string>();
    // The same heap each time, saved after 1 + `units` units of a new cycle (8 apart), until that ends it.
    for (let units = 0;; units += 8) {
      const heap = freshHeap();
      const refs: Ref[] = [];
      program(heap, 7, 200, refs);
      if (heap.phase !== 'idle') { while (!heap.step(10)); }
      heap.step(1);
      if (units > 0 && heap.step(units)) break;
      const phase = heap.phase;
      phases.add(phase);
      const copy = Heap.restore(heap.snapshot());
      expect(copy.phase).toBe(phase);
      while (!heap.step(10));
      while (!copy.step(10));
      expect(observe(copy, refs)).toEqual(observe(heap, refs));
    }
    expect([...phases].sort()).toEqual(['mark', 'sweep']);
  });

  it('ask for finalizers and onRemove hooks back, since functions are not saved', () => {
    const heap = new Heap();
    const Sound = heap.defineComponent({ buffer: 'u32' }, { name: 'Sound', onRemove: () => {} });
    const a = heap.alloc();
    heap.add(heap.alloc(), Sound);
    heap.setFinalizer(a, () => {});
    const bytes = heap.snapshot();
    // Not bad bytes: a usage error, naming what to pass.
    expect(() => Heap.restore(bytes)).toThrow(TypeError);
    expect(() => Heap.restore(bytes, { onRemove: { Sound: () => {} } })).toThrow(
      /1 object had a finalizer, and functions are not saved: give them back with \{ finalizer: \(ref\) => fn \}/,
    );
    expect(() => Heap.restore(bytes, { finalizer: () => () => {} })).toThrow(
      /component 'Sound' had an onRemove hook, and functions are not saved: pass Heap.restore\(bytes, \{ onRemove: \{ 'Sound': fn \} \}\)/,
    );
    expect(() => Heap.restore(bytes, { finalizer: () => 5 as never, onRemove: { Sound: () => {} } })).toThrow(
      /the finalizer given back for object \d+ is 5, not a function/,
    );
    // Both options are functions of what had one (onRemove may be an object by name too);
    // a finalizer given back as undefined is dropped on purpose.
    const byName = Heap.restore(bytes, {
      finalizer: () => undefined,
      onRemove: (name) => name === 'Sound' ? () => {} : undefined,
    });
    byName.collect();
    byName.verify();
    const ran: Ref[] = [];
    const copy = Heap.restore(bytes, { finalizer: () => (ref) => ran.push(ref), onRemove: { Sound: () => {} } });
    copy.collect();
    expect(ran).toEqual([a]);
    expect(copy.query(copy.component('Sound')!).length).toBe(0);
    // Restore makes new component objects (see load). Compared by identity alone: vitest's
    // `not.toBe` also compares the two deeply when they differ, which walked every column of
    // both heaps (40 s).
    expect(copy.component('Sound') === Sound).toBe(false);
  });

  it('check their options before the bytes, naming what is wrong; a hook given back must be a function', () => {
    const heap = new Heap();
    const Sound = heap.defineComponent({ clip: 'u32' }, { name: 'Sound', onRemove: () => {} });
    heap.add(heap.alloc(), Sound);
    const bytes = heap.snapshot();
    // Not a snapshot at all: each options error is thrown first, so none of these reads the bytes.
    const notBytes = new Uint8Array(8);
    const bad: [unknown, RegExp][] = [
      [5, /^restore options must be an object, got 5$/],
      [null, /^restore options must be an object, got null$/],
      [{ onRemove: {}, later: 1 }, /^unknown restore option 'later'$/],
      [{ finalizer: 'f' }, /^restore option finalizer must be a function, got 'f' \(a string\)$/],
      [{ onFinalizerError: 2 }, /^restore option onFinalizerError must be a function, got 2$/],
      [
        { onRemove: 7 },
        /^restore option onRemove must be a function of the component name or an object of hooks by name, got 7$/,
      ],
      [{ onRemove: null }, /^restore option onRemove must be .* got null$/],
      [{ onRemove: { Sound: 'play' } }, /^onRemove hook 'Sound' must be a function, got 'play' \(a string\)$/],
    ];
    for (const [options, message] of bad) {
      expect(() => Heap.restore(notBytes, options as never)).toThrow(TypeError);
      expect(() => Heap.restore(notBytes, options as never)).toThrow(message);
    }
    // A function of the name that gives back no function for a component with a hook, or a hook
    // that is no function.
    expect(() => Heap.restore(bytes, { onRemove: () => undefined })).toThrow(/component 'Sound' had an onRemove hook/);
    expect(() => Heap.restore(bytes, { onRemove: () => 5 as never })).toThrow(
      /^the onRemove hook given back for component 'Sound' is 5, not a function$/,
    );
    // A hook given for a component saved without one is taken: it runs when a member goes.
    const plain = new Heap();
    plain.add(plain.alloc(), plain.defineComponent({ clip: 'u32' }, { name: 'Quiet' }));
    const heard: Ref[] = [];
    const copy = Heap.restore(plain.snapshot(), { onRemove: { Quiet: (ref) => heard.push(ref) } });
    copy.collect();
    expect(heard.length).toBe(1);
  });

  it("give the restored heap the onFinalizerError handler passed, else none: a finalizer's error is thrown", () => {
    const heap = new Heap();
    heap.setFinalizer(heap.alloc(), () => {});
    const bytes = heap.snapshot();
    const failing = () => () => {
      throw new Error('finalizer failed');
    };
    const errors: unknown[] = [];
    const handled = Heap.restore(bytes, { finalizer: failing, onFinalizerError: (error) => errors.push(error) });
    handled.collect();
    expect(errors.map((e) => (e as Error).message)).toEqual(['finalizer failed']);
    handled.verify();
    const unhandled = Heap.restore(bytes, { finalizer: failing });
    let thrown: unknown = null;
    try {
      unhandled.collect();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AggregateError);
    expect((thrown as AggregateError).message).toBe('1 finalizer threw');
    expect((thrown as AggregateError).errors.map((e) => (e as Error).message)).toEqual(['finalizer failed']);
    unhandled.verify();
  });

  it('refuse to save inside scope() or noGc()', () => {
    const heap = new Heap();
    expect(() => heap.scope(() => heap.snapshot())).toThrow(HeapError);
    expect(() => heap.noGc(() => heap.snapshot())).toThrow(/between frames/);
  });
});

describe('bad snapshot bytes', () => {
  const heap = freshHeap();
  program(heap, 99, 300, []);
  const bytes = heap.snapshot();

  it('are named: wrong type, truncation, magic, version, checksum', () => {
    expect(() => Heap.restore('nope' as never)).toThrow(/expected a Uint8Array/);
    expect(() => Heap.restore(bytes.subarray(0, 10))).toThrow(/truncated/);
    expect(() => Heap.restore(bytes.subarray(0, bytes.length - 8))).toThrow(/truncated or padded/);
    const magic = bytes.slice();
    magic[0] = 0;
    expect(() => Heap.restore(magic)).toThrow(/not an ecs-heap snapshot/);
    const version = bytes.slice();
    version[8] = 14;
    expect(() => Heap.restore(version)).toThrow(/format version 14, this library reads versions 7 to 13/);
    version[8] = 6;
    expect(() => Heap.restore(version)).toThrow(/format version 6, this library reads versions 7 to 13/);
    // Relabelled as any other readable format, unsigned: the checksum, which starts from the version,
    // no longer matches (versions 12, 9 and 15 are one flipped bit away from 13).
    for (let other = 7; other <= 12; other++) {
      const relabelled = bytes.slice();
      relabelled[8] = other;
      expect(() => Heap.restore(relabelled)).toThrow(/checksum mismatch/);
    }
    const flipped = bytes.slice();
    flipped[bytes.length - 3]! ^= 1;
    expect(() => Heap.restore(flipped)).toThrow(/checksum mismatch/);
  });

  it("are named when the header's framing or JSON is wrong: its length, its text, its fields", () => {
    const framed = (edit: (b: Uint8Array, view: DataView) => void): Uint8Array => {
      const b = bytes.slice();
      edit(b, new DataView(b.buffer));
      return withVersion(b, 12); // signed again, so the checksum is not what refuses it
    };
    // Exactly the preamble: no header text at all, but long enough to read its length.
    const preamble = bytes.slice(0, 24);
    new DataView(preamble.buffer).setUint32(20, 24, true);
    withVersion(preamble, 12);
    expect(() => Heap.restore(preamble)).toThrow(/^bad snapshot: header length \d+ runs past the end$/);
    const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true);
    // A header running one byte past the end, and one ending exactly at the end (then its text
    // takes in the data, which is no JSON).
    const past = framed((_, view) => view.setUint32(12, bytes.length - 24 + 1, true));
    expect(() => Heap.restore(past)).toThrow(`bad snapshot: header length ${bytes.length - 23} runs past the end`);
    const toEnd = framed((_, view) => view.setUint32(12, bytes.length - 24, true));
    expect(() => Heap.restore(toEnd)).toThrow(/^bad snapshot: header is not valid JSON \(/);
    // A byte that is no UTF-8 inside a string of the header: refused, not read as U+FFFD.
    const text = new TextDecoder().decode(bytes.subarray(24, 24 + length));
    const at = 24 + text.indexOf('"options"') + 1;
    const notUtf8 = framed((b) => (b[at] = 0xff));
    expect(() => Heap.restore(notUtf8)).toThrow(/^bad snapshot: header is not valid JSON \(/);
    // Valid JSON that is not a header.
    for (const json of ['5', 'null', '"x"']) {
      expect(() => Heap.restore(resign(bytes, json))).toThrow(/^bad snapshot: header is not an object$/);
    }
    const header = headerOf(bytes) as unknown as Record<string, unknown>;
    for (const key of ['options', 'scalars', 'pacer', 'components', 'queries', 'finalizers', 'sections']) {
      for (const value of [null, 3, undefined]) {
        const forged = resign(bytes, JSON.stringify({ ...header, [key]: value }));
        expect(() => Heap.restore(forged)).toThrow(`bad snapshot: header field '${key}' is missing`);
      }
    }
    for (const key of ['components', 'queries', 'finalizers', 'sections']) {
      const forged = resign(bytes, JSON.stringify({ ...header, [key]: {} }));
      expect(() => Heap.restore(forged)).toThrow(`bad snapshot: header field '${key}' is not a list`);
    }
    // A component entry that is no object, or has no name.
    for (
      const [entry, message] of [[null, 'is malformed'], [4, 'is malformed'], [{}, 'has name undefined'], [
        { name: 7 },
        'has name 7',
      ]] as const
    ) {
      const components = [...(header.components as unknown[])];
      components[0] = entry;
      const forged = resign(bytes, JSON.stringify({ ...header, components }));
      expect(() => Heap.restore(forged)).toThrow(`bad snapshot: component 0 ${message}`);
    }
  });

  it("are checked with each format's own checksum, whose values never change (old save files stay readable)", () => {
    // 39 bytes: nine words and a tail of three, two words' top bits set; and the same bytes from
    // an odd offset (unaligned: hashed from a copy). Values computed once, with format 12's code.
    const bytes = new Uint8Array(40);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 37 + 11) & 255;
    bytes[3] = 0x80;
    bytes[7] = 0x80;
    const whole = bytes.subarray(0, 39);
    const unaligned = bytes.subarray(1, 39);
    const expected: [number, number, number][] = [
      [7, 0x817a3820, 0x0fc90748],
      [8, 0x817a3820, 0x0fc90748],
      [9, 0xfce121db, 0x2c51d4e5],
      [11, 0xfce121db, 0x2c51d4e5],
      [12, 0x899066c4, 0x96d65987],
      [13, 0xdc7e70c8, 0x7a5785e3],
    ];
    for (const [version, aligned, odd] of expected) {
      expect([version, checksum(whole, version), checksum(unaligned, version)]).toEqual([version, aligned, odd]);
    }
    expect(checksum(whole)).toBe(0xdc7e70c8); // the current format's
  });

  it('are caught when the top bits of two words flip (the checksum before format 9 missed it)', () => {
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const payload = bytes.subarray(24);
    // Every pair of words' top bits, in a stretch of the payload: each pair flipped changes the checksum.
    for (let a = 3; a < 400 && a < payload.length; a += 4) {
      for (let b = a + 4; b < a + 64 && b < payload.length; b += 4) {
        const bad = payload.slice();
        bad[a]! ^= 0x80;
        bad[b]! ^= 0x80;
        expect(checksum(bad)).not.toBe(view.getUint32(16, true));
      }
    }
    // The version 8 checksum, kept for reading old snapshots, does miss it: why the format changed.
    const bad = payload.slice();
    bad[3]! ^= 0x80;
    bad[7]! ^= 0x80;
    expect(checksum(bad, 8)).toBe(checksum(payload, 8));
  });

  it('of format 8 load with their own checksum, and one signed the old way is refused as format 9', () => {
    const v8 = withVersion(asFormat12(bytes), 8);
    const view = new DataView(v8.buffer);
    const restored = Heap.restore(v8);
    restored.verify();
    expect(restored.stats().live).toBe(heap.stats().live);
    view.setUint32(8, 9, true);
    expect(() => Heap.restore(v8)).toThrow(/checksum mismatch/);
  });

  it('never yield a heap: random flips and truncations always throw SnapshotError', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat(bytes.length - 1), bit: fc.nat(7) }), { minLength: 1, maxLength: 4 }),
        fc.nat(bytes.length),
        fc.boolean(),
        (flips, cut, truncate) => {
          const bad = truncate ? bytes.slice(0, cut) : bytes.slice();
          if (!truncate) { for (const { at, bit } of flips) bad[at]! ^= 1 << bit; }
          if (truncate && cut === bytes.length) return;
          // Flips that cancel (the same bit twice) leave the bytes intact: nothing to reject.
          if (!truncate && bad.every((byte, k) => byte === bytes[k])) return;
          expect(() => Heap.restore(bad)).toThrow(SnapshotError);
        },
      ),
      { numRuns: fcRuns(300) },
    );
  });

  it('are checked beyond the checksum: a consistent-looking but hostile header is caught', () => {
    // Re-sign a snapshot whose header lies (a scalar out of range), as an attacker could.
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const jsonLength = view.getUint32(12, true);
    const json = new TextDecoder().decode(bytes.subarray(24, 24 + jsonLength));
    for (
      const [from, to] of [['"markValue":1', '"markValue":7'], ['"markValue":2', '"markValue":7'], [
        '"top":',
        '"top":1e9,"x":',
      ]]
    ) {
      if (!json.includes(from)) continue;
      const hostile = resign(bytes, json.replace(from, to));
      expect(() => Heap.restore(hostile)).toThrow(SnapshotError);
    }
  });
});

describe('the spent stack (format version 8)', () => {
  /**
   * A heap whose index 2 is spent (indexBits 24: 64 small handles an index): churned alone, the
   * rest of its page (core/free-list.ts) kept.
   */
  function churnedHeap(): Heap {
    const heap = new Heap({ indexBits: 24 });
    heap.pin(heap.alloc(0));
    heap.alloc(0);
    for (let k = 3; k < 256; k++) heap.pin(heap.alloc(0));
    heap.minor();
    for (let round = 1; round < 64; round++) {
      heap.alloc(0);
      heap.minor();
    }
    return heap;
  }
  /** A heap whose spent stack holds index 2. */
  function spentHeap(): Heap {
    const heap = churnedHeap();
    heap.alloc(0); // sets index 2 aside
    return heap;
  }
  /** What the heap hands out next: 200 churned allocations. */
  const continuation = (heap: Heap): number[] =>
    Array.from({ length: 200 }, () => {
      const ref = heap.alloc(0);
      heap.minor();
      return ref;
    });

  it('is saved: the restored heap hands out the same handles', () => {
    const heap = spentHeap();
    const bytes = heap.snapshot();
    expect(headerOf(bytes).scalars.spentHead).toBe(2);
    const copy = Heap.restore(bytes);
    copy.verify();
    expect(continuation(copy)).toEqual(continuation(heap));
  });

  it('a version 7 snapshot (no spent stack) is read; its spent indices are set aside as met', () => {
    const heap = churnedHeap();
    // Index 2 is spent and in the free queue, as version 7 left it.
    const header = headerOf(asFormat12(heap.snapshot()));
    expect(header.scalars.spentHead).toBe(0);
    delete header.scalars.spentHead;
    const old = withVersion(resign(asFormat12(heap.snapshot()), header), 7);
    const copy = Heap.restore(old);
    copy.verify();
    expect(continuation(copy)).toEqual(continuation(heap));
    // A version 7 header that names the spent stack is not one version 7 wrote.
    header.scalars.spentHead = 0;
    const forged = withVersion(resign(asFormat12(heap.snapshot()), header), 7);
    expect(() => Heap.restore(forged)).toThrow(/scalar 'spentHead' is not part of format version 7/);
  });
});

describe('hostile headers with a valid checksum', () => {
  const heap = freshHeap();
  program(heap, 5, 250, []);
  heap.step(3);
  const bytes = heap.snapshot();
  const jsonLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(24, 24 + jsonLength)));
  const scalarNames = Object.keys(header.scalars);

  it('either throw SnapshotError or give a heap that verifies and keeps working', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...scalarNames),
        fc.oneof(fc.integer({ min: -3, max: 70 }), fc.constantFrom(2 ** 32, -1, 0.5, 1e300)),
        fc.nat(header.sections.length - 1),
        fc.oneof(fc.constant(undefined), fc.integer({ min: 0, max: 5000 })),
        (name, value, section, capacity) => {
          const lie = structuredClone(header);
          lie.scalars[name] = value;
          if (capacity !== undefined) lie.sections[section].capacity = capacity;
          let copy: Heap;
          try {
            copy = Heap.restore(resign(bytes, JSON.stringify(lie)));
          } catch (error) {
            expect(error).toBeInstanceOf(SnapshotError);
            return;
          }
          copy.verify();
          copy.collect();
          copy.alloc(1);
          copy.verify();
        },
      ),
      { numRuns: fcRuns(300) },
    );
  });
});

describe('bytes at any offset', () => {
  it('restore the same heap from a view at an odd byte offset (a file read into a larger buffer)', () => {
    const heap = freshHeap();
    const refs: Ref[] = [];
    program(heap, 7, 200, refs);
    const bytes = heap.snapshot();
    for (const offset of [1, 2, 3, 4]) {
      const buffer = new Uint8Array(bytes.length + offset);
      buffer.set(bytes, offset);
      const copy = Heap.restore(buffer.subarray(offset), { finalizer: () => undefined });
      copy.verify();
      expect(copy.snapshot()).toEqual(bytes);
    }
  });
});

describe('many components and queries', () => {
  it('restore each column to its own component past the first ten (section names c10, q10, ...)', () => {
    const heap = new Heap();
    const components = Array.from({ length: 12 }, (_, k) => heap.defineComponent({ v: 'f32' }, { name: `C${k}` }));
    const refs: Ref[] = [];
    for (let k = 0; k < 12; k++) {
      const r = heap.alloc();
      heap.pin(r);
      heap.add(r, components[k]!, { v: 10 + k });
      // Every object in the component after its own too: queries of two components each find one.
      heap.add(r, components[(k + 1) % 12]!, { v: 100 + k });
      refs.push(r);
    }
    for (let k = 0; k < 12; k++) heap.query(components[k]!, components[(k + 1) % 12]!);
    const copy = Heap.restore(heap.snapshot());
    copy.verify();
    for (let k = 0; k < 12; k++) {
      const c = copy.component(`C${k}`, { v: 'f32' })!;
      const next = copy.component(`C${(k + 1) % 12}`, { v: 'f32' })!;
      expect(c.v[copy.index(refs[k]!)]).toBe(10 + k);
      expect(next.v[copy.index(refs[k]!)]).toBe(100 + k);
      expect(Array.from(copy.query(c, next))).toEqual([copy.index(refs[k]!)]);
    }
  });
});

describe('older formats', () => {
  it("read what each saved, and start what it did not save from nothing (a member walk, a merge's counts)", () => {
    const heap = new Heap();
    const C = heap.defineComponent({ x: 'f32' }, { name: 'C' });
    const r = heap.alloc(2);
    heap.pin(r);
    heap.add(r, C, { x: 3 });
    // A member walk and a merge of small blocks under way (any place is safe: a walk past a
    // list's end ends it, a merge walks a shortened list from its end).
    const forged = forgeHeader(heap.snapshot(), (h) => {
      Object.assign(h.scalars, {
        memberWalkCycle: 5,
        memberWalkComponent: 1,
        memberWalkCursor: 7,
        mergeSinglesLeft: 1,
        mergePairsLeft: 2,
      });
    });
    const read = (version: number) => {
      const copy = Heap.restore(withVersion(version < 13 ? asFormat12(forged) : forged.slice(), version));
      copy.verify();
      const s = stateOf(copy);
      const fields = [
        s.memberWalkCycle,
        s.memberWalkComponent,
        s.memberWalkCursor,
        s.mergeSinglesLeft,
        s.mergePairsLeft,
      ];
      copy.collect();
      copy.verify();
      expect(copy.component('C', { x: 'f32' })!.x[copy.index(r)]).toBe(3);
      return fields;
    };
    expect(read(13)).toEqual([5, 1, 7, 1, 2]);
    expect(read(12)).toEqual([5, 1, 7, 1, 2]); // one free queue
    expect(read(11)).toEqual([5, 1, 7, 1, 2]); // the same layout, the older checksum
    expect(read(10)).toEqual([5, 1, 7, 0, 0]); // merges ran whole: none under way
    expect(read(9)).toEqual([-1, 0, 0, 0, 0]); // no walk saved: a sweep walks again from the start
  });
});

describe('snapshots of small heaps', () => {
  it('restore a heap whose maxSlots is below the free-block lists first capacity', () => {
    const heap = new Heap({ maxObjects: 4, maxSlots: 8 });
    const a = heap.alloc(1);
    heap.pin(a);
    heap.alloc(2);
    heap.collect();
    const restored = Heap.restore(heap.snapshot());
    expect(restored.stats()).toEqual(heap.stats());
    restored.verify();
  });
});
