/**
 * `serveInspector(heap)`: a page on localhost, opened beside the running game, showing the heap
 * live: occupancy, a pause strip against the frame budget, ages and the remembered set, component
 * and query sizes, why an object is alive, and what was allocated between two moments.
 *
 * Costs, and when the heap is read:
 * - Attached, with no page open: one listener on `heap.observe` that stores a record of each
 *   collector call in a ring (a few stores, no allocation). Nothing else runs.
 * - With a page open: a timer every `intervalMs` takes a sample (`stats()` and O(young +
 *   components) reads of the state) and streams it with the new records over Server-Sent Events.
 * - Everything runs on the game's thread, from the event loop (a timer or a request), so it reads
 *   the heap between frames, never in the middle of one; it never collects or changes anything.
 *   The game loop must yield to the event loop between frames (setTimeout, setImmediate, ...), as
 *   any loop that also serves I/O does.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ServerResponse } from 'node:http';
import { describe, type Index, NULL, type Ref } from '../core/handle.ts';
import { checkInteger } from '../core/options.ts';
import { StaleRefError } from '../core/errors.ts';
import { EPHEMERON, type HeapState, WEAK } from '../core/state.ts';
import { Heap, stateOf } from '../heap.ts';
import {
  close,
  HttpError,
  integerParam,
  listen,
  loopbackHost,
  nameParam,
  type Request,
  requireMethod,
  sendBytes,
  sendError,
  sendJson,
} from './http.ts';
import { diffMoments, type Moment, takeMoment } from './moments.ts';
import { CALLS, COLUMNS, Recorder, WORKS } from './recorder.ts';
import { takeSample } from './sample.ts';

export interface InspectorOptions {
  /** The port to listen on. Default 7437; 0 picks any free port (read it from the result). */
  port?: number;
  /** The address to listen on. Default '127.0.0.1': only this machine can connect. */
  host?: string;
  /** Milliseconds between updates of an open page, 50 to 10,000. Default 200 (5 a second). */
  intervalMs?: number;
  /** Collector calls remembered for the charts (and for a page opened later), 16 to 1,000,000. Default 3600 (a minute at 60 fps). */
  history?: number;
}

export interface Inspector {
  /** The page's address, e.g. `http://127.0.0.1:7437/`. */
  readonly url: string;
  readonly port: number;
  /** Stops serving, ends open pages' streams and stops listening to the heap. */
  close(): Promise<void>;
}

export const DEFAULT_PORT = 7437;
const OPTION_NAMES = ['port', 'host', 'intervalMs', 'history'];
/** Moments kept at once (each holds 8 bytes per object index); marking one more forgets the oldest. */
const MAX_MOMENTS = 4;
const LOOPBACK = ['127.0.0.1', 'localhost', '::1'];

interface Client {
  readonly response: ServerResponse;
  /** The last record this page has. */
  lastSeq: number;
}

/** Starts the inspector for `heap`; resolves once it listens. */
export async function serveInspector(heap: Heap, options: InspectorOptions = {}): Promise<Inspector> {
  if (!(heap instanceof Heap)) throw new TypeError(`serveInspector needs a Heap, got ${describe(heap)}`);
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`inspector options must be an object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.includes(key)) {
      throw new TypeError(`unknown inspector option '${key}' (options are ${OPTION_NAMES.join(', ')})`);
    }
  }
  const port = checkInteger('port', options.port ?? DEFAULT_PORT, 0, 65535);
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '') {
    throw new TypeError(`host must be a non-empty string, got ${describe(host)}`);
  }
  const intervalMs = checkInteger('intervalMs', options.intervalMs ?? 200, 50, 10_000);
  const history = checkInteger('history', options.history ?? 3600, 16, 1_000_000);
  const assets = loadAssets();

  const start = performance.now();
  const recorder = new Recorder(history);
  recorder.bytes = heap.stats().bytes;
  /** The first thing that went wrong inside the inspector (never thrown into the game), for the page. */
  let problem: string | null = null;
  // The one thing an inspector does while nobody looks: record each collector call.
  const unsubscribe = heap.observe((report) => {
    try {
      recorder.record(report, stateOf(heap));
    } catch (error) {
      // Never into the game's tick: remember it for the page instead.
      problem ??= `recording a collector report failed: ${(error as Error).message}`;
    }
  });

  const moments = new Map<string, Moment>();
  const clients = new Set<Client>();
  let timer: ReturnType<typeof setInterval> | undefined;
  const now = (): number => performance.now() - start;

  const sample = () => {
    const taken = takeSample(heap, stateOf(heap), recorder.count, now());
    recorder.bytes = taken.stats.bytes;
    return { ...taken, notice: problem };
  };

  /**
   * One update to every open page: a fresh sample and the records each page lacks. A page that
   * has not read what it was sent (over a megabyte waiting) is skipped; it gets the records it
   * missed with a later update, as long as the ring holds them.
   */
  const push = (): void => {
    if (clients.size === 0) return;
    try {
      const current = sample();
      for (const client of clients) {
        if (client.response.writableLength > 1 << 20) continue;
        const records = recorder.since(client.lastSeq);
        client.lastSeq = recorder.count;
        client.response.write(`event: frame\ndata: ${JSON.stringify({ sample: current, records })}\n\n`);
      }
    } catch (error) {
      // From a timer: an exception here would end the game's process. Tell the page instead.
      problem ??= `sampling the heap failed: ${(error as Error).message}`;
    }
  };

  const openStream = (response: ServerResponse): void => {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    const client: Client = { response, lastSeq: 0 };
    clients.add(client);
    const hello = {
      runtime: runtimeName(),
      intervalMs,
      history,
      calls: CALLS,
      works: WORKS,
      columns: COLUMNS,
      promoteAfter: stateOf(heap).promoteAfter,
      marks: [...moments.values()].map(describeMoment),
    };
    response.write(`retry: 1000\nevent: hello\ndata: ${JSON.stringify(hello)}\n\n`);
    const done = (): void => {
      clients.delete(client);
      if (clients.size === 0 && timer !== undefined) {
        clearInterval(timer);
        timer = undefined;
      }
    };
    // The response's close, not the request's: a request closes once its (empty) body is read.
    response.on('close', done);
    response.on('error', done);
    push(); // the backlog at once, not an interval later
    timer ??= setInterval(push, intervalMs);
  };

  const whyAlive = (request: Request): unknown => {
    const hasIndex = request.query.has('index');
    if (hasIndex === request.query.has('ref')) throw new HttpError(400, "give either 'ref' (a handle) or 'index'");
    let ref: Ref;
    if (hasIndex) {
      const index = integerParam(request, 'index', 2 ** 32);
      ref = heap.refAt(index as Index);
      if (ref === NULL) throw new HttpError(404, `no live object at index ${index}`);
    } else {
      ref = integerParam(request, 'ref', Number.MAX_SAFE_INTEGER) as Ref;
    }
    let path;
    try {
      path = heap.whyAlive(ref);
    } catch (error) {
      if (error instanceof StaleRefError) throw new HttpError(404, error.message);
      throw error;
    }
    const s = stateOf(heap);
    return {
      ref,
      index: heap.index(ref),
      path: path?.map((step) => ({ ...step, ...describeObject(heap, s, step.ref) })) ?? null,
    };
  };

  const marks = (request: Request): unknown => {
    requireMethod(request, 'GET', 'POST');
    if (request.method === 'GET') return { marks: [...moments.values()].map(describeMoment) };
    const name = nameParam(request, 'name');
    if (name === 'now') throw new HttpError(400, "'now' names the present moment; choose another name");
    moments.delete(name);
    if (moments.size >= MAX_MOMENTS) moments.delete(moments.keys().next().value!);
    const moment = takeMoment(stateOf(heap), name, recorder.count, now());
    moments.set(name, moment);
    return describeMoment(moment);
  };

  const diff = (request: Request): unknown => {
    const momentNamed = (name: string): Moment => {
      if (name === 'now') return takeMoment(stateOf(heap), 'now', recorder.count, now());
      const moment = moments.get(name);
      if (moment === undefined) {
        throw new HttpError(404, `no moment named '${name}' (marked: ${[...moments.keys()].join(', ') || 'none'})`);
      }
      return moment;
    };
    const from = momentNamed(nameParam(request, 'from'));
    const to = momentNamed(nameParam(request, 'to', 'now'));
    return diffMoments(stateOf(heap), from, to);
  };

  const pins = (request: Request): unknown => {
    const limit = integerParam(request, 'limit', 100_000, 100);
    const all = heap.pins();
    const s = stateOf(heap);
    return {
      count: all.length,
      pins: all.slice(0, limit).map(({ ticket, ref }) => ({ ticket, ref, ...describeObject(heap, s, ref) })),
    };
  };

  const handle = (request: Request, response: ServerResponse): void => {
    if (LOOPBACK.includes(host) && !loopbackHost(request, boundPort)) {
      throw new HttpError(403, 'the inspector answers only requests addressed to 127.0.0.1, localhost or [::1]');
    }
    const asset = assets.get(request.path === '/' ? '/index.html' : request.path);
    if (asset !== undefined) {
      requireMethod(request, 'GET', 'HEAD');
      return sendBytes(response, asset.type, asset.body);
    }
    switch (request.path) {
      case '/api/stream':
        requireMethod(request, 'GET');
        return openStream(response);
      case '/api/sample':
        requireMethod(request, 'GET');
        return sendJson(response, 200, sample());
      case '/api/records':
        requireMethod(request, 'GET');
        return sendJson(response, 200, recorder.since(integerParam(request, 'after', Number.MAX_SAFE_INTEGER, 0)));
      case '/api/why-alive':
        requireMethod(request, 'GET');
        return sendJson(response, 200, whyAlive(request));
      case '/api/pins':
        requireMethod(request, 'GET');
        return sendJson(response, 200, pins(request));
      case '/api/marks':
        return sendJson(response, 200, marks(request));
      case '/api/diff':
        requireMethod(request, 'GET');
        return sendJson(response, 200, diff(request));
      case '/favicon.ico':
        response.writeHead(204).end();
        return;
    }
    sendError(response, new HttpError(404, `nothing at ${request.path}`));
  };

  let boundPort = port;
  let server: Awaited<ReturnType<typeof listen>>['server'];
  try {
    ({ server, port: boundPort } = await listen(host, port, handle, (error) => {
      problem ??= `inspector server error: ${(error as Error).message}`;
    }));
  } catch (error) {
    unsubscribe();
    throw error;
  }
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${boundPort}/`,
    port: boundPort,
    close(): Promise<void> {
      closed ??= (async () => {
        unsubscribe();
        if (timer !== undefined) clearInterval(timer);
        for (const client of clients) client.response.end();
        clients.clear();
        await close(server);
      })();
      return closed;
    },
  };
}

function describeMoment(m: Moment): { name: string; seq: number; time: number; live: number } {
  return { name: m.name, seq: m.seq, time: m.time, live: m.live };
}

/** What the page shows about an object on a path: its index, kind and components. */
function describeObject(heap: Heap, s: HeapState, ref: Ref): { index: number; kind: string; components: string[] } {
  const index = heap.index(ref);
  const flags = s.flags[index]!;
  const kind = (flags & WEAK) !== 0 ? 'weak' : (flags & EPHEMERON) !== 0 ? 'ephemeron' : 'strong';
  const components = s.components.list.filter((c) => c.position[index] !== 0).map((c) => c.name);
  return { index, kind, components };
}

function runtimeName(): string {
  const g = globalThis as { Bun?: { version: string }; Deno?: { version: { deno: string } } };
  if (g.Bun !== undefined) return `Bun ${g.Bun.version}`;
  if (g.Deno !== undefined) return `Deno ${g.Deno.version.deno}`;
  return `Node ${(globalThis as { process?: { versions: { node: string } } }).process?.versions.node}`;
}

/** The page's files and uPlot's, read once; found next to this module and in uPlot's package. */
function loadAssets(): Map<string, { type: string; body: Uint8Array }> {
  const require = createRequire(import.meta.url);
  const own = (name: string) => readFileSync(new URL(`./assets/${name}`, import.meta.url));
  const uplot = (name: string) => readFileSync(require.resolve(`uplot/dist/${name}`));
  const js = 'text/javascript; charset=utf-8';
  const css = 'text/css; charset=utf-8';
  return new Map([
    ['/index.html', { type: 'text/html; charset=utf-8', body: own('index.html') }],
    ['/assets/app.js', { type: js, body: own('app.js') }],
    ['/assets/style.css', { type: css, body: own('style.css') }],
    ['/assets/uPlot.iife.min.js', { type: js, body: uplot('uPlot.iife.min.js') }],
    ['/assets/uPlot.min.css', { type: css, body: uplot('uPlot.min.css') }],
  ]);
}
