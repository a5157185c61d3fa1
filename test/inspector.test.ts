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
  it('rejects what is not a heap and bad options, naming them', async () => {
    const heap = new Heap();
    await expect(serveInspector({} as Heap)).rejects.toThrow(TypeError);
    await expect(serveInspector(heap, { port: -1 })).rejects.toThrow(/port .*-1/);
    await expect(serveInspector(heap, { port: 1.5 })).rejects.toThrow(RangeError);
    await expect(serveInspector(heap, { port: '80' as unknown as number })).rejects.toThrow(TypeError);
    await expect(serveInspector(heap, { intervalMs: 1 })).rejects.toThrow(/intervalMs/);
    await expect(serveInspector(heap, { history: 2 })).rejects.toThrow(/history/);
    await expect(serveInspector(heap, { host: '' })).rejects.toThrow(/host/);
    await expect(serveInspector(heap, { colour: 1 } as never)).rejects.toThrow(/unknown inspector option 'colour'/);
  });

  it('listens on 127.0.0.1 by default, at the port it reports', async () => {
    const inspector = await serve(new Heap());
    expect(inspector.url).toBe(`http://127.0.0.1:${inspector.port}/`);
    expect(inspector.port).toBeGreaterThan(0);
  });

  it('a port in use: rejects naming the address, and the first inspector keeps working', async () => {
    const heap = new Heap();
    const first = await serve(heap);
    await expect(serveInspector(heap, { port: first.port })).rejects.toThrow(`127.0.0.1:${first.port}`);
    expect((await get(first, '/api/sample')).status).toBe(200);
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
    expect(body.components).toEqual([
      { name: 'Body', members: 1, fields: ['x: f32', 'owner: ref'] },
      { name: 'Tag', members: 1, fields: [] },
    ]);
    expect(body.queries).toEqual([{ terms: 'Body', size: 1 }, { terms: 'Tag, not(Body)', size: 1 }]);
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

  it('keeps at most 4 moments, forgetting the oldest; marking a name again replaces it', async () => {
    const inspector = await serve(new Heap());
    for (let k = 0; k < 6; k++) await get(inspector, `/api/marks?name=m${k}`, 'POST');
    await get(inspector, '/api/marks?name=m3', 'POST');
    const names = (await get(inspector, '/api/marks')).body.marks.map((m: Json) => m.name);
    expect(names).toEqual(['m2', 'm4', 'm5', 'm3']);
  });
});

describe('serveInspector: bad requests get a 4xx with a message, and change nothing', () => {
  const bad: [string, string, number, RegExp][] = [
    ['GET', '/nothing-here', 404, /nothing at/],
    ['POST', '/api/sample', 405, /use GET/],
    ['DELETE', '/api/marks?name=A', 405, /use GET or POST/],
    ['GET', '/api/why-alive', 400, /either 'ref'/],
    ['GET', '/api/why-alive?ref=1&index=1', 400, /either 'ref'/],
    ['GET', '/api/why-alive?ref=abc', 400, /'ref' must be an integer/],
    ['GET', '/api/why-alive?ref=-1', 400, /'ref' must be an integer/],
    ['GET', '/api/why-alive?ref=1.5', 400, /'ref' must be an integer/],
    ['GET', '/api/why-alive?ref=1e3', 400, /'ref' must be an integer/],
    ['GET', '/api/why-alive?ref=99999999999999999999', 400, /'ref' must be an integer/],
    ['GET', '/api/why-alive?ref=1&ref=2', 400, /given 2 times/],
    ['GET', '/api/why-alive?ref=0', 404, /NULL/],
    ['GET', '/api/why-alive?ref=999', 404, /never allocated/],
    ['GET', '/api/why-alive?index=999', 404, /no live object at index 999/],
    ['GET', '/api/pins?limit=x', 400, /'limit'/],
    ['GET', '/api/records?after=-3', 400, /'after'/],
    ['POST', '/api/marks', 400, /'name' is required/],
    ['POST', '/api/marks?name=now', 400, /'now'/],
    ['POST', '/api/marks?name=a%20b', 400, /letters, digits/],
    ['POST', `/api/marks?name=${'x'.repeat(33)}`, 400, /1 to 32/],
    ['GET', '/api/diff', 400, /'from' is required/],
    ['GET', '/api/diff?from=Z', 404, /no moment named 'Z'/],
    ['GET', '/api/diff?from=now&to=Q', 404, /no moment named 'Q'/],
  ];
  for (const [method, path, status, message] of bad) {
    it(`${method} ${path} -> ${status}`, async () => {
      const { heap } = world();
      const inspector = await serve(heap);
      const before = heap.snapshot();
      const response = await get(inspector, path, method);
      expect(response.status).toBe(status);
      expect(response.body.error).toMatch(message);
      expect(heap.snapshot()).toEqual(before);
      expect((await get(inspector, '/api/sample')).status).toBe(200);
    });
  }

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

  it('a Host header that is not a loopback name (DNS rebinding) gets 403', async () => {
    const inspector = await serve(new Heap());
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port: inspector.port, path: '/api/sample', headers: { host: 'evil.example' } },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
    expect((await get(inspector, '/api/sample')).status).toBe(200);
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
