/**
 * The inspector's server, without a browser: its JSON endpoints and event stream agree with the
 * heap, bad requests get a 4xx and leave the server (and the heap) as they were, and it closes
 * cleanly. This suite runs in Node, Bun and Deno like every other (node:http in all three); the
 * page itself is tested in Chromium by test/inspector.browser.ts.
 */
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { Heap, NULL, type Ref } from '../mod.ts';
import { type Inspector, serveInspector } from '../inspector.ts';
import { stateOf } from '../src/heap.ts';
import { classSlots } from '../src/inspector/sample.ts';
import { indexClass, MIXED_CLASS } from '../src/core/state.ts';

const open: Inspector[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((inspector) => inspector.close()));
});

async function serve(heap: Heap, options: Parameters<typeof serveInspector>[1] = {}): Promise<Inspector> {
  const inspector = await serveInspector(heap, { port: 0, ...options });
  open.push(inspector);
  return inspector;
}

// deno-lint-ignore no-explicit-any
type Json = any;

async function get(inspector: Inspector, path: string, method = 'GET'): Promise<{ status: number; body: Json }> {
  const response = await fetch(new URL(path, inspector.url), { method });
  const text = await response.text();
  return {
    status: response.status,
    body: response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text,
  };
}

/** What `promise` rejects with; fails the test when it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(() => null, (error: Error) => error);
  if (outcome === null) throw new Error('expected a rejection, and it resolved');
  return outcome;
}

/** A GET sent with the request line and Host header as given (fetch would normalize both). */
function rawGet(inspector: Inspector, path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: inspector.port, path, headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** An event stream reader: `next(type)` resolves with the data of the next event of that type. */
function stream(inspector: Inspector) {
  const abort = new AbortController();
  const queue: { event: string; data: Json }[] = [];
  const waiting: (() => void)[] = [];
  const done = (async () => {
    const response = await fetch(new URL('/api/stream', inspector.url), { signal: abort.signal });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event !== undefined && data !== undefined) queue.push({ event, data: JSON.parse(data) });
        waiting.splice(0).forEach((wake) => wake());
      }
    }
  })().catch(() => {});
  return {
    async next(type: string): Promise<Json> {
      for (;;) {
        const at = queue.findIndex((e) => e.event === type);
        if (at >= 0) return queue.splice(0, at + 1)[at]!.data;
        await new Promise<void>((wake) => waiting.push(wake));
      }
    },
    close: async () => {
      abort.abort();
      await done;
    },
  };
}

/** A small game world: a pinned root, a chain under it, objects with components. */
function world() {
  const heap = new Heap({ nurserySize: 64, minHeapObjects: 64 });
  const Body = heap.defineComponent({ x: 'f32', owner: 'ref' }, { name: 'Body' });
  const Tag = heap.defineComponent({}, { name: 'Tag' });
  const root = heap.alloc(4);
  const ticket = heap.pin(root);
  const a = heap.alloc(2);
  const b = heap.alloc(1);
  heap.set(root, 1, a);
  heap.set(a, 0, b);
  heap.add(b, Body, { owner: root });
  heap.add(a, Tag);
  return { heap, Body, Tag, root, ticket, a, b };
}

/** A few frames of spawning and ticking. */
function frames(heap: Heap, count: number, spawn = 20): void {
  for (let f = 0; f < count; f++) {
    for (let k = 0; k < spawn; k++) heap.alloc(1);
    heap.tick(1);
  }
}

describe('serveInspector: options', () => {
  it('rejects what is not a heap and bad options, naming them exactly', async () => {
    const heap = new Heap();
    const cases: [unknown, unknown, typeof TypeError, string][] = [
      [{}, {}, TypeError, 'serveInspector needs a Heap, got an object ([object Object])'],
      [heap, null, TypeError, 'inspector options must be an object, got null'],
      [heap, 5, TypeError, 'inspector options must be an object, got 5'],
      [heap, { port: -1 }, RangeError, 'port must be an integer from 0 to 65535, got -1'],
      [heap, { port: 65536 }, RangeError, 'port must be an integer from 0 to 65535, got 65536'],
      [heap, { port: 1.5 }, RangeError, 'port must be an integer from 0 to 65535, got 1.5'],
      [heap, { port: '80' }, TypeError, "port must be an integer, got '80' (a string)"],
      [heap, { intervalMs: 49 }, RangeError, 'intervalMs must be an integer from 50 to 10000, got 49'],
      [heap, { history: 15 }, RangeError, 'history must be an integer from 16 to 1000000, got 15'],
      [heap, { host: '' }, TypeError, "host must be a non-empty string, got '' (a string)"],
      [heap, { host: 5 }, TypeError, 'host must be a non-empty string, got 5'],
      [
        heap,
        { colour: 1 },
        TypeError,
        "unknown inspector option 'colour' (options are port, host, intervalMs, history)",
      ],
    ];
    for (const [target, options, kind, message] of cases) {
      const error = await rejectionOf(serveInspector(target as Heap, options as never));
      expect(error, message).toBeInstanceOf(kind);
      expect(error.message).toBe(message);
    }
  });

  it('listens on 127.0.0.1 by default, at the port it reports', async () => {
    const inspector = await serve(new Heap());
    expect(inspector.url).toBe(`http://127.0.0.1:${inspector.port}/`);
    expect(inspector.port).toBeGreaterThan(0);
  });

  it('a port in use: rejects naming the address, and the first inspector keeps working', async () => {
    const heap = new Heap();
    const first = await serve(heap);
    await expect(serveInspector(heap, { port: first.port })).rejects.toThrow(
      `inspector cannot listen on 127.0.0.1:${first.port}: the port is in use (pass another port, or 0 for any ` +
        'free one)',
    );
    expect((await get(first, '/api/sample')).status).toBe(200);
  });

  it('an address it cannot listen on: rejects naming the address and what the system said', async () => {
    // 203.0.113.1 is a documentation address (TEST-NET-3), no interface of this machine's.
    const error = await rejectionOf(serveInspector(new Heap(), { host: '203.0.113.1', port: 0 }));
    expect(error.message).toMatch(/^inspector cannot listen on 203\.0\.113\.1:0: \S/);
    expect(error.message).not.toContain('the port is in use');
  });
});

describe('serveInspector: the page and its files', () => {
  it('serves the page, its script and style, and uPlot from its package', async () => {
    const inspector = await serve(new Heap());
    const page = await fetch(inspector.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('ecs-heap');
    for (
      const [path, type] of [
        ['/assets/app.js', 'javascript'],
        ['/assets/style.css', 'text/css'],
        ['/assets/uPlot.iife.min.js', 'javascript'],
        ['/assets/uPlot.min.css', 'text/css'],
      ]
    ) {
      const response = await fetch(new URL(path!, inspector.url));
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toContain(type);
      expect((await response.text()).length).toBeGreaterThan(500);
    }
  });
});

describe('classSlots', () => {
  it('names the slot counts of each index class, as indexClass sorts them', () => {
    expect([0, 1, 2, 3, 4, 5, 33].map(classSlots)).toEqual([
      '0',
      '1',
      '2',
      '3-4',
      '5-8',
      '9-16',
      '2147483649-4294967296',
    ]);
    expect(classSlots(MIXED_CLASS)).toBe('any');
    for (const n of [0, 1, 2, 3, 4, 5, 8, 9, 16, 17, 1000]) {
      const [low, high] = classSlots(indexClass(n)).split('-').map(Number);
      expect(n >= low! && n <= (high ?? low)!, `${n} in ${classSlots(indexClass(n))}`).toBe(true);
    }
  });
});

describe('serveInspector: what it reports agrees with the heap', () => {
  it('/api/sample: stats() as they are, free indices, ages, components and queries', async () => {
    const { heap, Body, Tag } = world();
    frames(heap, 10);
    heap.query(Body);
    heap.query(Tag, { not: Body });
    const inspector = await serve(heap);
    const { status, body } = await get(inspector, '/api/sample');
    expect(status).toBe(200);
    expect(body.stats).toEqual(heap.stats());
    const s = heap.stats();
    expect(body.free + s.live + s.retired).toBeLessThanOrEqual(s.capacity);
    expect(body.ages.reduce((a: number, b: number) => a + b, 0)).toBe(s.young);
    // Memory: a tag's positions on its member's page (the 4 KB memory page holding them), its byte
    // a page, its member's entry; Body as much, its `ref` column (4 bytes an index below top) and
    // the 4 KB page of x its member wrote.
    const top = stateOf(heap).top;
    expect(stateOf(heap).components.list.map((c) => c.position.byteLength >= 4096)).toEqual([true, true]);
    const tag = 4096 + ((top >>> 8) + 1) + 4;
    expect(body.components).toEqual([
      { name: 'Body', members: 1, fields: ['x: f32', 'owner: ref'], bytes: tag + 4 * top + 4096 },
      { name: 'Tag', members: 1, fields: [], bytes: tag },
    ]);
    expect(body.queries).toEqual([{ terms: 'Body', size: 1 }, { terms: 'Tag, not(Body)', size: 1 }]);
  });

  it('/api/sample, exactly: free and unused indices, a bar per age, cards, weak and finalizable objects', async () => {
    const heap = new Heap({ initialCapacity: 64, cardSize: 16, promoteAfter: 2 });
    const Wide = heap.defineComponent({ v: ['f32', 3], t: 'u8' }, { name: 'Wide', onRemove: () => {} });
    const holder = heap.alloc(16);
    heap.pin(holder);
    for (let k = 0; k < 10; k++) {
      const o = heap.alloc(0, k < 2 ? 'weak' : 'strong');
      if (k < 6) heap.set(holder, k, o);
    }
    // The holder at index 1 (its slot count's page), the ten at 256-265 (the 0-slot objects' page,
    // core/free-list.ts): `top` 512.
    heap.collect(); // 7 old objects live (2 of them weak), 4 of the ten indices free
    const a = heap.alloc(0, 'ephemeron');
    heap.setFinalizer(a, () => {});
    heap.set(holder, 6, a);
    heap.minor(); // a is young, of age 1
    for (const slot of [7, 8]) heap.set(holder, slot, heap.alloc(0));
    heap.add(heap.get(holder, 7), Wide); // young, with a hooked component
    const inspector = await serve(heap);
    const { body } = await get(inspector, '/api/sample');
    // The columns grew to the two pages (capacity 512, 513 entries with index 0); 511 indices
    // below the top, 10 of them live: 501 free, 1 entry past the top unused.
    expect(heap.stats()).toMatchObject({ live: 10, young: 3, old: 7, capacity: 512, retired: 0 });
    expect([body.free, body.unused]).toEqual([501, 1]);
    expect(body.ages).toEqual([2, 1]); // one bar per age a young object can have: 0 and 1
    expect([body.cards, body.cardSize]).toEqual([Math.ceil(513 / 16), 16]);
    expect([body.weakObjects, body.finalizable, body.scoped]).toEqual([3, 2, 0]);
    // Wide's member is on page 1: 12 bytes an index of v there are 4 KB memory pages 0 and 1, a byte
    // of t there is page 0; its positions there are in memory page 0, the whole array of 513 (2 KB),
    // a byte a page (3), its member's entry.
    expect(body.components).toEqual([
      { name: 'Wide', members: 1, fields: ['v: f32[3]', 't: u8'], bytes: 3 * 4096 + 513 * 4 + 3 + 4 },
    ]);
    // Page 0 was carved for the holder's 16 slots, page 1 for the objects of none.
    expect(body.pages).toEqual([{ slots: '0', pages: 1 }, { slots: '9-16', pages: 1 }]);
    // With promoteAfter 1 every young object is of age 0: one bar.
    expect(
      (await get(await serve(new Heap({ promoteAfter: 1 })), '/api/sample')).body.ages,
    ).toEqual([0]);
  });

  it("/api/sample in a cycle's sweep: members and query sizes leave out the objects found dead, not yet swept", async () => {
    const heap = new Heap({ nurserySize: 64, minHeapObjects: 64 });
    const Body = heap.defineComponent({ x: 'f32' }, { name: 'Body' });
    const Tag = heap.defineComponent({}, { name: 'Tag' });
    const holder = heap.alloc(60);
    heap.pin(holder);
    for (let k = 0; k < 60; k++) {
      const o = heap.alloc(0);
      heap.add(o, Body);
      if (k % 2 === 1) heap.add(o, Tag);
      heap.set(holder, k, o);
    }
    heap.query(Body);
    heap.query(Tag);
    heap.collect(); // old: only a major cycle finds them dead
    for (let k = 0; k < 40; k++) heap.set(holder, k, NULL);
    while (heap.phase !== 'sweep') heap.step(1);
    // The cycle found 40 dead (20 of them tagged); they are still members, not yet swept.
    expect(stateOf(heap).components.list.map((c) => c.memberCount)).not.toEqual([20, 10]);
    const inspector = await serve(heap);
    const { body } = await get(inspector, '/api/sample');
    expect(body.components.map((c: Json) => [c.name, c.members])).toEqual([['Body', 20], ['Tag', 10]]);
    expect(body.queries).toEqual([{ terms: 'Body', size: 20 }, { terms: 'Tag', size: 10 }]);
    expect(heap.phase).toBe('sweep'); // reading changed nothing
  });

  it('/api/records: one record per collector call, as observe reported it', async () => {
    const { heap } = world();
    const inspector = await serve(heap);
    const reports: unknown[] = [];
    heap.observe((report) => reports.push(report));
    frames(heap, 30);
    heap.minor();
    heap.step(100);
    heap.collect();
    const { body } = await get(inspector, '/api/records?after=0');
    expect(body.seq).toBe(1);
    expect(body.columns.ms.length).toBe(reports.length);
    const calls = ['tick', 'step', 'minor', 'collect'];
    const works = ['nothing', 'minor', 'major', 'minor+major', 'full', 'tenure'];
    // deno-lint-ignore no-explicit-any
    reports.forEach((r: any, k) => {
      expect(calls[body.columns.call[k]]).toBe(r.call);
      expect(works[body.columns.work[k]]).toBe(r.work);
      expect(body.columns.ms[k]).toBe(r.ms);
      expect(body.columns.young[k]).toBe(r.young);
      expect(body.columns.old[k]).toBe(r.old);
      expect(body.columns.budgetMs[k]).toBe(r.budgetMs);
      expect(body.phase[k]).toBe(r.phase);
    });
    const after = await get(inspector, `/api/records?after=${reports.length - 2}`);
    expect(after.body.seq).toBe(reports.length - 1);
    expect(after.body.columns.ms).toEqual(body.columns.ms.slice(-2));
  });

  it('/api/records and /api/sample: free indices are those neither live nor retired; a budget in units', async () => {
    // One generation bit: an index retires the second time it is freed.
    const heap = new Heap({ indexBits: 16, generationBits: 1, maxObjects: 4 });
    heap.pin(heap.alloc(0));
    const inspector = await serve(heap);
    heap.alloc(0);
    heap.alloc(0);
    heap.collect(); // indices 2 and 3 free, and 4 (the heap's one page of indices, never used)
    heap.alloc(0);
    heap.alloc(0);
    heap.collect(); // indices 2 and 3 retired: 4 free
    heap.tick({ units: 500 });
    const { columns } = (await get(inspector, '/api/records')).body;
    expect(columns.free).toEqual([3, 1, 1]);
    expect(columns.retired).toEqual([0, 2, 2]);
    expect(columns.budgetUnits).toEqual([null, null, 500]); // NaN, as JSON: no budget in units
    const { body } = await get(inspector, '/api/sample');
    expect([body.free, body.stats.retired, body.stats.live]).toEqual([1, 2, 1]);
  });

  it('/api/records: the remembered set as stats() counts it, remembered slots included', async () => {
    const heap = new Heap({ promoteAfter: 3 });
    const inspector = await serve(heap);
    const olds = Array.from({ length: 3 }, () => heap.alloc(2));
    for (const old of olds) heap.pin(old);
    heap.tenure();
    heap.set(olds[0]!, 0, heap.alloc(0)); // a remembered slot
    heap.set(olds[1]!, 0, heap.alloc(0));
    heap.set(olds[1]!, 1, heap.alloc(0)); // remembered whole: a dirty card and its slot
    heap.pin(heap.alloc(0));
    heap.minor();
    expect(heap.stats()).toMatchObject({ dirtyCards: 3, rememberedSlots: 2 });
    const { body } = await get(inspector, '/api/records?after=0');
    expect(body.columns.dirtyCards.at(-1)).toBe(heap.stats().dirtyCards);
  });

  it('the ring keeps the last `history` records', async () => {
    const heap = new Heap();
    const inspector = await serve(heap, { history: 16 });
    frames(heap, 40, 1);
    const { body } = await get(inspector, '/api/records?after=0');
    expect(body.seq).toBe(25);
    expect(body.columns.ms.length).toBe(16);
  });

  it('/api/stream: hello, the backlog at once, then only new records with each sample', async () => {
    const { heap } = world();
    frames(heap, 5);
    const inspector = await serve(heap, { intervalMs: 50 });
    frames(heap, 5);
    const events = stream(inspector);
    const hello = await events.next('hello');
    expect(hello.intervalMs).toBe(50);
    const first = await events.next('frame');
    expect(first.records.seq).toBe(1);
    expect(first.records.columns.ms.length).toBe(5);
    expect(first.sample.stats).toEqual(heap.stats());
    frames(heap, 3);
    let next = await events.next('frame');
    while (next.records.columns.ms.length === 0) next = await events.next('frame');
    expect(next.records.seq).toBe(6);
    expect(next.records.columns.ms.length).toBe(3);
    expect(next.sample.seq).toBe(8);
    await events.close();
  });
});

describe('serveInspector: why alive, pins, moments', () => {
  it('/api/why-alive by handle or index: the path of heap.whyAlive, with each object described', async () => {
    const { heap, root, ticket, a, b } = world();
    const inspector = await serve(heap);
    const { status, body } = await get(inspector, `/api/why-alive?ref=${b}`);
    expect(status).toBe(200);
    expect(body.ref).toBe(b);
    expect(body.path).toEqual([
      { via: 'pin', ref: root, ticket, index: heap.index(root), kind: 'strong', components: [] },
      { via: 'slot', ref: a, from: root, slot: 1, index: heap.index(a), kind: 'strong', components: ['Tag'] },
      { via: 'slot', ref: b, from: a, slot: 0, index: heap.index(b), kind: 'strong', components: ['Body'] },
    ]);
    expect((await get(inspector, `/api/why-alive?index=${heap.index(b)}`)).body).toEqual(body);
    const garbage = heap.alloc();
    expect((await get(inspector, `/api/why-alive?ref=${garbage}`)).body.path).toBeNull();
  });

  it('/api/pins: every pin with its ticket', async () => {
    const { heap, root, ticket, b } = world();
    const second = heap.pin(b);
    const inspector = await serve(heap);
    const { body } = await get(inspector, '/api/pins');
    expect(body.count).toBe(2);
    expect(body.pins.map((p: Json) => [p.ticket, p.ref])).toEqual([[ticket, root], [second, b]]);
    expect((await get(inspector, '/api/pins?limit=1')).body.pins.length).toBe(1);
    expect((await get(inspector, '/api/pins?limit=100000')).body.pins.length).toBe(2); // the most
    // Each pinned object described by its kind and components.
    const weak = heap.alloc(1, 'weak');
    const pair = heap.alloc(2, 'ephemeron');
    heap.pin(weak);
    heap.pin(pair);
    const described = (await get(inspector, '/api/pins')).body.pins.map((p: Json) => [p.index, p.kind, p.components]);
    expect(described).toEqual([
      [heap.index(root), 'strong', []],
      [heap.index(b), 'strong', ['Body']],
      [heap.index(weak), 'weak', []],
      [heap.index(pair), 'ephemeron', []],
    ]);
  });

  it('/api/marks and /api/diff: what was allocated between two moments and still lives, by component', async () => {
    const { heap, Body, root } = world();
    const inspector = await serve(heap);
    expect((await get(inspector, '/api/marks?name=A', 'POST')).body).toMatchObject({ name: 'A', live: 3 });
    // Between A and B: 5 kept bodies (linked from a pinned holder), 7 garbage objects, and `a` dropped.
    const holder = heap.alloc(5);
    heap.set(root, 2, holder);
    for (let k = 0; k < 5; k++) {
      const body = heap.alloc();
      heap.add(body, Body);
      heap.set(holder, k, body);
    }
    for (let k = 0; k < 7; k++) heap.alloc();
    heap.set(root, 1, NULL);
    await get(inspector, '/api/marks?name=B', 'POST');
    const ab = (await get(inspector, '/api/diff?from=A&to=B')).body;
    expect(ab).toMatchObject({ allocated: 13, stillAlive: 13, freed: 0, withoutComponent: 8 });
    expect(ab.byComponent).toMatchObject([{ name: 'Body', count: 5 }, { name: 'Tag', count: 0, sample: [] }]);
    expect(ab.byComponent[0].sample.length).toBe(3);
    for (const ref of ab.byComponent[0].sample) expect(heap.has(ref, Body)).toBe(true);
    heap.collect(); // frees the 7, and `a` with `b`
    const now = (await get(inspector, '/api/diff?from=A')).body;
    expect(now).toMatchObject({ allocated: 6, stillAlive: 6, freed: 2, withoutComponent: 1 });
    expect(now.to.name).toBe('now');
    // A -> B still counts what B saw, and which of it lives now.
    expect((await get(inspector, '/api/diff?from=A&to=B')).body).toMatchObject({ allocated: 13, stillAlive: 6 });
    for (const ref of now.sample as Ref[]) expect(heap.isAlive(ref)).toBe(true);
    expect((await get(inspector, '/api/marks')).body.marks.map((m: Json) => m.name)).toEqual(['A', 'B']);
  });

  it('/api/diff, exactly: by kind, young, components largest first, a sample spread over what lives', async () => {
    const heap = new Heap({ initialCapacity: 256, promoteAfter: 2 });
    const Tag = heap.defineComponent({}, { name: 'Tag' });
    const Body = heap.defineComponent({ x: 'f32' }, { name: 'Body' });
    const holder = heap.alloc(60);
    heap.pin(holder);
    const inspector = await serve(heap);
    await get(inspector, '/api/marks?name=A', 'POST');
    // 60 objects in allocation order (indices 2-61): 10 weak, 5 ephemerons, 45 strong; Body on the
    // even ones, Tag on every fifth; the first 20 made old by a collection, the other 40 young.
    const made: Ref[] = [];
    for (let k = 0; k < 60; k++) {
      const o = heap.alloc(0, k < 10 ? 'weak' : k < 15 ? 'ephemeron' : 'strong');
      heap.set(holder, k, o);
      if (k % 2 === 0) heap.add(o, Body);
      if (k % 5 === 0) heap.add(o, Tag);
      made.push(o);
      if (k === 19) heap.collect();
    }
    // Body's first member leaves it: its last member takes the place (a swap-remove).
    heap.remove(made[0]!, Body);
    const diff = (await get(inspector, '/api/diff?from=A')).body;
    expect(diff).toMatchObject({
      allocated: 60,
      stillAlive: 60,
      freed: 0,
      young: 40,
      byKind: { strong: 45, weak: 10, ephemeron: 5 },
      // Neither component: the odd ones not a multiple of 5.
      withoutComponent: 30 - 6,
    });
    expect(diff.byComponent).toEqual([
      { name: 'Body', count: 29, sample: [made[58], made[2], made[4]] },
      { name: 'Tag', count: 12, sample: [made[0], made[5], made[10]] },
    ]);
    // 24 handles, every other of the 60 by index (60 / 24 rounded down).
    expect(diff.sample).toEqual(made.filter((_, k) => k % 2 === 0).slice(0, 24));
    // Objects dropped since: freed counts those A saw (none), stillAlive what lives of B's.
    await get(inspector, '/api/marks?name=B', 'POST');
    for (let k = 0; k < 60; k += 3) heap.set(holder, k, NULL);
    heap.collect();
    const ab = (await get(inspector, '/api/diff?from=A&to=B')).body;
    expect([ab.allocated, ab.stillAlive, ab.freed]).toEqual([60, 40, 0]);
    expect((await get(inspector, '/api/diff?from=B')).body).toMatchObject({ allocated: 0, freed: 20 });
  });

  it('/api/diff across reused indices, a cycle under way and a load', async () => {
    // maxObjects 9: one page of indices, which the 0-slot objects share with the holder once it is
    // carved (core/free-list.ts), and which they fill: a freed index is the next one taken.
    const heap = new Heap({ initialCapacity: 9, maxObjects: 9 });
    const holder = heap.alloc(20);
    heap.pin(holder);
    const saved = heap.snapshot(); // the holder alone
    for (let k = 0; k < 6; k++) heap.set(holder, k, heap.alloc(0)); // indices 2-7
    heap.set(holder, 0, NULL);
    heap.set(holder, 1, NULL);
    heap.collect(); // indices 2 and 3 free
    const inspector = await serve(heap);
    await get(inspector, '/api/marks?name=A', 'POST');
    // Four new objects: two in the freed indices, two at new ones.
    const made: Ref[] = [];
    for (let k = 0; k < 4; k++) {
      made.push(heap.alloc(0));
      heap.set(holder, 10 + k, made[k]!);
    }
    const indices: number[] = made.map((ref) => heap.index(ref));
    expect([...indices].sort()).toEqual([2, 3, 8, 9]);
    const atA = (await get(inspector, '/api/diff?from=A')).body;
    expect([atA.allocated, atA.stillAlive, atA.freed]).toEqual([4, 4, 0]);
    await get(inspector, '/api/marks?name=B', 'POST');
    // After B: one of the four freed and its index given to another object (a new generation),
    // another found dead by a cycle that has not swept it yet.
    heap.set(holder, 10 + indices.indexOf(2), NULL);
    heap.minor();
    heap.collect();
    heap.set(holder, 19, heap.alloc(0));
    expect(heap.isAlive(heap.refAt(2 as never))).toBe(true);
    const doomed = made[indices.indexOf(3)]!;
    heap.set(holder, 10 + indices.indexOf(3), NULL);
    while (heap.phase !== 'sweep') heap.step(1);
    expect(heap.isAlive(doomed)).toBe(false);
    const ab = (await get(inspector, '/api/diff?from=A&to=B')).body;
    expect([ab.allocated, ab.stillAlive]).toEqual([4, 2]);
    heap.collect();
    // A save game loaded: everything A had past the holder is gone.
    heap.load(saved);
    const loaded = (await get(inspector, '/api/diff?from=A')).body;
    expect([loaded.allocated, loaded.stillAlive, loaded.freed]).toEqual([0, 0, 4]);
    expect((await get(inspector, '/api/diff?from=A&to=B')).body.stillAlive).toBe(0);
  });

  it('keeps at most 4 moments, forgetting the oldest; marking a name again replaces it', async () => {
    const inspector = await serve(new Heap());
    for (let k = 0; k < 6; k++) await get(inspector, `/api/marks?name=m${k}`, 'POST');
    await get(inspector, '/api/marks?name=m3', 'POST');
    const names = (await get(inspector, '/api/marks')).body.marks.map((m: Json) => m.name);
    expect(names).toEqual(['m2', 'm4', 'm5', 'm3']);
  });
});

describe('serveInspector: bad requests get a 4xx with a message, and change nothing', () => {
  const MAX = Number.MAX_SAFE_INTEGER;
  const bad: [string, string, number, string][] = [
    ['GET', '/nothing-here', 404, 'nothing at /nothing-here'],
    ['POST', '/api/sample', 405, 'POST /api/sample: use GET'],
    ['POST', '/', 405, 'POST /: use GET or HEAD'],
    ['DELETE', '/api/marks?name=A', 405, 'DELETE /api/marks: use GET or POST'],
    ['GET', '/api/why-alive', 400, "give either 'ref' (a handle) or 'index'"],
    ['GET', '/api/why-alive?ref=1&index=1', 400, "give either 'ref' (a handle) or 'index'"],
    ['GET', '/api/why-alive?ref=', 400, "query parameter 'ref' is required"],
    ['GET', '/api/why-alive?ref=abc', 400, `query parameter 'ref' must be an integer from 0 to ${MAX}, got "abc"`],
    ['GET', '/api/why-alive?ref=-1', 400, `query parameter 'ref' must be an integer from 0 to ${MAX}, got "-1"`],
    ['GET', '/api/why-alive?ref=1.5', 400, `query parameter 'ref' must be an integer from 0 to ${MAX}, got "1.5"`],
    ['GET', '/api/why-alive?ref=1e3', 400, `query parameter 'ref' must be an integer from 0 to ${MAX}, got "1e3"`],
    [
      'GET',
      '/api/why-alive?ref=99999999999999999999',
      400,
      `query parameter 'ref' must be an integer from 0 to ${MAX}, got "99999999999999999999"`,
    ],
    ['GET', '/api/why-alive?ref=1&ref=2', 400, "query parameter 'ref' given 2 times"],
    ['GET', '/api/why-alive?ref=0', 404, 'handle 0 is NULL'],
    ['GET', '/api/why-alive?ref=999', 404, 'handle 999 names index 999, which this heap never allocated'],
    ['GET', '/api/why-alive?index=999', 404, 'no live object at index 999'],
    ['GET', '/api/pins?limit=x', 400, `query parameter 'limit' must be an integer from 0 to 100000, got "x"`],
    ['GET', '/api/pins?limit=100001', 400, `query parameter 'limit' must be an integer from 0 to 100000, got "100001"`],
    ['GET', '/api/records?after=-3', 400, `query parameter 'after' must be an integer from 0 to ${MAX}, got "-3"`],
    [
      'GET',
      `/api/records?after=${MAX + 1}`,
      400,
      `query parameter 'after' must be an integer from 0 to ${MAX}, got "${MAX + 1}"`,
    ],
    ['POST', '/api/marks', 400, "query parameter 'name' is required"],
    ['POST', '/api/marks?name=', 400, "query parameter 'name' is required"],
    ['POST', '/api/marks?name=now', 400, "'now' names the present moment; choose another name"],
    [
      'POST',
      '/api/marks?name=a%20b',
      400,
      `query parameter 'name' must be 1 to 32 letters, digits, '-' or '_', got "a b"`,
    ],
    [
      'POST',
      `/api/marks?name=${'x'.repeat(33)}`,
      400,
      `query parameter 'name' must be 1 to 32 letters, digits, '-' or '_', got "${'x'.repeat(33)}"`,
    ],
    // A long name is quoted up to its 64th character.
    [
      'POST',
      `/api/marks?name=${'y'.repeat(70)}`,
      400,
      `query parameter 'name' must be 1 to 32 letters, digits, '-' or '_', got "${'y'.repeat(64)}"`,
    ],
    ['GET', '/api/diff', 400, "query parameter 'from' is required"],
    ['GET', '/api/diff?from=Z', 404, "no moment named 'Z' (marked: none)"],
    ['GET', '/api/diff?from=now&to=Q', 404, "no moment named 'Q' (marked: none)"],
  ];
  for (const [method, path, status, message] of bad) {
    it(`${method} ${path.slice(0, 60)} -> ${status}`, async () => {
      const { heap } = world();
      const inspector = await serve(heap);
      const before = heap.snapshot();
      const response = await get(inspector, path, method);
      expect(response.status).toBe(status);
      expect(response.body).toEqual({ error: message, status });
      expect(heap.snapshot()).toEqual(before);
      expect((await get(inspector, '/api/sample')).status).toBe(200);
    });
  }

  it('a moment not marked: the reply lists those that are', async () => {
    const inspector = await serve(world().heap);
    await get(inspector, '/api/marks?name=A', 'POST');
    await get(inspector, '/api/marks?name=B', 'POST');
    const { status, body } = await get(inspector, '/api/diff?from=Z');
    expect(status).toBe(404);
    expect(body.error).toBe("no moment named 'Z' (marked: A, B)");
  });

  it('a request line no URL can be made of: 400 naming it', async () => {
    const inspector = await serve(new Heap());
    const reply = await rawGet(inspector, '//[', `127.0.0.1:${inspector.port}`);
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body)).toEqual({ error: 'bad request line "//["', status: 400 });
  });

  it('a stale handle: 404 naming it', async () => {
    const { heap } = world();
    const gone = heap.alloc();
    heap.collect();
    const inspector = await serve(heap);
    const { status, body } = await get(inspector, `/api/why-alive?ref=${gone}`);
    expect(status).toBe(404);
    expect(body.error).toContain(String(gone));
    expect(body.error).toContain('stale');
  });

  it('a Host header that is not a loopback name (DNS rebinding) gets 403; loopback names are answered', async () => {
    const inspector = await serve(new Heap());
    const port = inspector.port;
    for (const host of ['evil.example', `evil.example:${port}`, `localhost:${port + 1}`, '127.0.0.1']) {
      const reply = await rawGet(inspector, '/api/sample', host);
      expect(reply.status, host).toBe(403);
      expect(JSON.parse(reply.body)).toEqual({
        error: 'the inspector answers only requests addressed to 127.0.0.1, localhost or [::1]',
        status: 403,
      });
    }
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
      expect((await rawGet(inspector, '/api/sample', host)).status, host).toBe(200);
    }
  });

  it('listening on every interface (0.0.0.0): any Host is answered, and the url names 127.0.0.1', async () => {
    const inspector = await serve(new Heap(), { host: '0.0.0.0' });
    expect(inspector.url).toBe(`http://127.0.0.1:${inspector.port}/`);
    expect((await rawGet(inspector, '/api/sample', `game-pc.lan:${inspector.port}`)).status).toBe(200);
  });

  it('reading never changes the heap: every endpoint, then the same snapshot', async () => {
    const { heap, b } = world();
    frames(heap, 20);
    heap.step(5); // mid-cycle
    const inspector = await serve(heap);
    const before = heap.snapshot();
    const statsBefore = heap.stats();
    await get(inspector, '/api/marks?name=A', 'POST');
    for (
      const path of [
        '/',
        '/api/sample',
        '/api/records?after=0',
        `/api/why-alive?ref=${b}`,
        '/api/pins',
        '/api/diff?from=A',
        '/api/marks',
      ]
    ) {
      expect((await get(inspector, path)).status, path).toBe(200);
    }
    const events = stream(inspector);
    await events.next('frame');
    await events.close();
    expect(heap.snapshot()).toEqual(before);
    expect(heap.stats()).toEqual(statsBefore);
    heap.verify();
  });
});

describe('serveInspector: replies, headers and the notice', () => {
  it('JSON is never cached, files are revalidated, HEAD and the favicon are answered', async () => {
    const inspector = await serve(new Heap());
    const json = await fetch(new URL('/api/sample', inspector.url));
    expect(json.headers.get('cache-control')).toBe('no-store');
    expect(json.headers.get('content-type')).toBe('application/json; charset=utf-8');
    await json.text();
    const page = await fetch(inspector.url);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const pageText = await page.text();
    const head = await fetch(inspector.url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(new TextEncoder().encode(pageText).byteLength));
    expect(await head.text()).toBe('');
    const icon = await fetch(new URL('/favicon.ico', inspector.url));
    expect(icon.status).toBe(204);
    expect(await icon.text()).toBe('');
  });

  it('an empty optional parameter takes its default; the largest values are accepted', async () => {
    const { heap } = world();
    frames(heap, 3);
    const inspector = await serve(heap);
    frames(heap, 2);
    expect((await get(inspector, '/api/records?after=')).body.columns.ms.length).toBe(2);
    expect((await get(inspector, `/api/records?after=${Number.MAX_SAFE_INTEGER}`)).body.columns.ms).toEqual([]);
    await get(inspector, '/api/marks?name=A', 'POST');
    expect((await get(inspector, '/api/diff?from=A&to=')).body.to.name).toBe('now');
  });

  it('the stream: its headers, and a hello naming the runtime, the clock and the moments marked', async () => {
    const before = performance.now();
    const inspector = await serve(new Heap(), { intervalMs: 50 });
    await get(inspector, '/api/marks?name=A', 'POST');
    const abort = new AbortController();
    const response = await fetch(new URL('/api/stream', inspector.url), { signal: abort.signal });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    abort.abort();
    await response.body?.cancel().catch(() => {});
    const events = stream(inspector);
    const hello = await events.next('hello');
    const g = globalThis as { Bun?: { version: string }; Deno?: { version: { deno: string } } };
    const runtime = g.Bun !== undefined
      ? `Bun ${g.Bun.version}`
      : g.Deno !== undefined
      ? `Deno ${g.Deno.version.deno}`
      : `Node ${process.versions.node}`;
    expect(hello.runtime).toBe(runtime);
    expect(hello.marks.map((m: Json) => m.name)).toEqual(['A']);
    // A sample's time is milliseconds since the inspector started.
    const frame = await events.next('frame');
    expect(frame.sample.time).toBeGreaterThanOrEqual(0);
    expect(frame.sample.time).toBeLessThanOrEqual(performance.now() - before);
    await events.close();
  });

  it('listening on localhost: the url names it', async () => {
    const inspector = await serve(new Heap(), { host: 'localhost' });
    expect(inspector.url).toBe(`http://localhost:${inspector.port}/`);
  });

  it('listening on ::1: the url brackets the address', async () => {
    const inspector = await serve(new Heap(), { host: '::1' }).catch((error: Error) => error);
    // A machine without IPv6 cannot listen there: nothing to check.
    if (inspector instanceof Error) return expect(inspector.message).toMatch(/cannot listen on ::1:0/);
    expect(inspector.url).toBe(`http://[::1]:${inspector.port}/`);
    expect((await get(inspector, '/api/sample')).status).toBe(200);
  });

  it('what fails inside it is never thrown into the game: the request gets a 500, the page a notice', async () => {
    const heap = new Heap();
    const inspector = await serve(heap);
    expect((await get(inspector, '/api/why-alive')).status).toBe(400); // a refused request is no failure
    expect((await get(inspector, '/api/sample')).body.notice).toBeNull();
    const stats = heap.stats;
    heap.stats = () => {
      throw new Error('boom');
    };
    try {
      expect(await get(inspector, '/api/sample')).toEqual({ status: 500, body: { error: 'boom', status: 500 } });
    } finally {
      heap.stats = stats;
    }
    expect((await get(inspector, '/api/sample')).body.notice).toBe('inspector server error: boom');
    // From the stream's timer: the first failure is the one kept.
    const streamed = await serve(heap, { intervalMs: 50 });
    const events = stream(streamed);
    await events.next('frame');
    heap.stats = () => {
      throw new Error('bang');
    };
    try {
      await new Promise((resolve) => setTimeout(resolve, 150)); // a few of its intervals
    } finally {
      heap.stats = stats;
    }
    expect((await events.next('frame')).sample.notice).toBe('sampling the heap failed: bang');
    await events.close();
  });
});

describe('serveInspector: close', () => {
  it('ends open streams, stops listening and stops recording; closing twice is fine', async () => {
    const heap = new Heap();
    const inspector = await serveInspector(heap, { port: 0 });
    const events = stream(inspector);
    await events.next('frame');
    await inspector.close();
    await events.close();
    await inspector.close();
    await expect(fetch(inspector.url)).rejects.toThrow();
    frames(heap, 3); // no listener left to call
    heap.verify();
  });
});
