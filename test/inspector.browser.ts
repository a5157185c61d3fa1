/// <reference lib="dom" />
/**
 * The inspector page in a real browser: headless Chromium (Debian's `chromium` package) driven by
 * playwright-core, against a heap whose game loop runs in this process. Run by `npm test` as its
 * own step (`vitest run --config vitest.browser.config.ts`), in Node only.
 *
 * Skipped, with a message, only when /usr/bin/chromium is missing and CI is not set: in CI it
 * must run (.ci/run installs Chromium when it is missing).
 */
import { existsSync } from 'node:fs';
import process from 'node:process';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Heap, type Ref } from '../mod.ts';
import { componentBytes } from '../src/core/component-store.ts';
import { stateOf } from '../src/heap.ts';
import { type Inspector, serveInspector } from '../inspector.ts';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  const why = `${CHROMIUM} is missing (install it as root: apt-get install -y chromium)`;
  if (process.env.CI) throw new Error(`inspector browser tests cannot run in CI: ${why}`);
  console.warn(`inspector browser tests SKIPPED: ${why}`);
}

/** A small game: a pinned world, bullets spawned every frame (1% kept), a query a frame, an optional leak. */
function startGame() {
  const heap = new Heap({ nurserySize: 2048, minHeapObjects: 2048, growthPercent: 20 });
  const Bullet = heap.defineComponent({ vx: 'f32', shooter: 'ref' }, { name: 'Bullet' });
  const Leak = heap.defineComponent({ frame: 'u32' }, { name: 'Leak' });
  const world = heap.alloc(64);
  heap.pin(world);
  // A chain world -> n1 -> n2 -> n3, to ask why n3 is alive.
  const chain: Ref[] = [world];
  for (let k = 0; k < 3; k++) {
    const node = heap.alloc(2);
    heap.set(chain[chain.length - 1]!, k === 0 ? 63 : 1, node);
    chain.push(node);
  }
  const leakHolder = heap.alloc(4096);
  heap.set(world, 62, leakHolder);
  const game = { heap, Bullet, Leak, chain, frame: 0, running: true, leaking: false, leaked: 0 };
  const timer = setInterval(() => {
    if (!game.running) return;
    game.frame++;
    for (let k = 0; k < 300; k++) {
      const bullet = heap.alloc(1);
      heap.add(bullet, Bullet, { vx: k, shooter: world });
      if (k % 100 === 0) heap.set(world, game.frame % 60, bullet); // kept until replaced
    }
    if (game.leaking) {
      const leak = heap.alloc();
      heap.add(leak, Leak, { frame: game.frame });
      heap.set(leakHolder, game.leaked++, leak);
    }
    for (const i of heap.query(Bullet)) Bullet.vx[i]! += 1;
    heap.tick(1);
  }, 16);
  return { ...game, game, stop: () => clearInterval(timer) };
}

describe.skipIf(!haveChromium)('inspector in Chromium', () => {
  let browser: Browser;
  let page: Page;
  let inspector: Inspector;
  let g: ReturnType<typeof startGame>;

  /** Runs (or stops) the game, then waits until the page has shown two samples taken since. */
  async function settle(running: boolean): Promise<void> {
    g.game.running = running;
    const seen = await page.evaluate(() =>
      (globalThis as unknown as { inspector: { frames: number } }).inspector.frames
    );
    await page.waitForFunction(
      (n) => (globalThis as unknown as { inspector: { frames: number } }).inspector.frames >= n + 2,
      seen,
    );
    await page.waitForTimeout(100); // the render after the last frame event
  }

  const frameOnPage = () => page.$eval('#frame', (el) => Number((el as HTMLElement).dataset.value));

  beforeAll(async () => {
    g = startGame();
    inspector = await serveInspector(g.heap, { port: 0, intervalMs: 100 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 1400 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(inspector.url);
    await page.waitForSelector('#status[data-state="live"]');
    await page.waitForFunction(() => Number(document.getElementById('frame')!.dataset.value) > 20);
    expect(errors).toEqual([]);
  });

  afterAll(async () => {
    g?.stop();
    await browser?.close();
    await inspector?.close();
  });

  it('keeps updating while the game runs', async () => {
    const first = await frameOnPage();
    await page.waitForTimeout(1000);
    const second = await frameOnPage();
    expect(second).toBeGreaterThan(first);
    await page.waitForTimeout(500);
    expect(await frameOnPage()).toBeGreaterThan(second);
    expect(await page.$eval('#status', (el) => (el as HTMLElement).dataset.state)).toBe('live');
  });

  it('the charts have drawn: every uPlot canvas holds data and painted pixels', async () => {
    const charts = await page.evaluate(() => {
      type Chart = { data: unknown[][]; ctx: CanvasRenderingContext2D };
      const all = (globalThis as unknown as { inspector: { charts: Record<string, Chart> } }).inspector.charts;
      return Object.entries(all).map(([id, u]) => {
        const { width, height } = u.ctx.canvas;
        const pixels = u.ctx.getImageData(0, 0, width, height).data;
        let painted = 0;
        for (let k = 3; k < pixels.length; k += 4) if (pixels[k] !== 0) painted++;
        return { id, points: u.data[0]!.length, painted, area: width * height };
      });
    });
    expect(charts.map((c) => c.id).sort()).toEqual(['ages', 'dirty', 'members', 'occupancy', 'pauses']);
    for (const c of charts) {
      expect(c.points, c.id).toBeGreaterThan(1);
      expect(c.painted, c.id).toBeGreaterThan(c.area / 100);
    }
    // The pause strip's bars: one series per kind of work, and the budget of tick(1).
    const pauses = await page.evaluate(() => {
      type Chart = { data: (number | null)[][]; series: { label: string }[] };
      const u = (globalThis as unknown as { inspector: { charts: Record<string, Chart> } }).inspector.charts.pauses!;
      return { labels: u.series.map((s) => s.label), budget: u.data[u.data.length - 1]!.filter((b) => b !== null) };
    });
    expect(pauses.labels).toEqual([
      'frame',
      'nothing',
      'minor',
      'major slice',
      'minor + major slice',
      'full',
      'tenure slice',
      'budget',
    ]);
    expect(new Set(pauses.budget)).toEqual(new Set([1]));
  });

  it('the numbers on the page are heap.stats() once the game stops', async () => {
    await settle(false);
    const onPage = await page.$$eval(
      '[data-stat]',
      (els) => els.map((el) => [(el as HTMLElement).dataset.stat!, (el as HTMLElement).dataset.value!]),
    );
    const stats = g.heap.stats() as unknown as Record<string, unknown>;
    expect(onPage.length).toBeGreaterThan(10);
    for (const [key, value] of onPage) expect(value, key).toBe(String(stats[key!]));
    // Shown as text too, formatted.
    expect(await page.$eval('[data-stat="live"]', (el) => el.textContent)).toBe(
      (stats.live as number).toLocaleString('en-US'),
    );
    // Components, and the pause strip's percentiles over the window, from the records.
    const bullets = await page.$eval('[data-members="Bullet"]', (el) => Number((el as HTMLElement).dataset.value));
    expect(bullets).toBe(g.heap.query(g.Bullet).length);
    // Each component's memory, and the index pages by the slot counts they hold, all the pages carved.
    const s = stateOf(g.heap);
    const memory = await page.$eval('[data-bytes="Bullet"]', (el) => Number((el as HTMLElement).dataset.value));
    expect(memory).toBe(componentBytes(s.components.byName.get('Bullet')!, s.top));
    const pages = await page.$$eval(
      '[data-pages]',
      (els) => els.map((el) => Number((el as HTMLElement).dataset.value)),
    );
    expect(pages.reduce((sum, n) => sum + n, 0)).toBe(((s.top - 1) >>> 8) + 1);
    const records = await (await fetch(new URL('/api/records?after=0', inspector.url))).json() as {
      columns: { ms: number[]; budgetMs: (number | null)[] };
    };
    const ms = records.columns.ms.slice(-1200).sort((a, b) => a - b);
    const rank = (p: number) => ms[Math.max(0, Math.ceil(p * ms.length) - 1)];
    const shown = await page.$$eval(
      '[data-pause]',
      (els) => els.map((el) => [(el as HTMLElement).dataset.pause, Number((el as HTMLElement).dataset.value)]),
    );
    const last = {
      ms: records.columns.ms.slice(-1200),
      budget: records.columns.budgetMs.slice(-1200),
    };
    const over = last.ms.filter((t, k) => last.budget[k] !== null && t > last.budget[k]! * 1.1).length;
    expect(Object.fromEntries(shown)).toEqual({ p50: rank(0.5), p99: rank(0.99), max: ms[ms.length - 1], over });
    await settle(true);
  });

  it('"why alive": a handle or #index gives the path from the root', async () => {
    const target = g.chain[3]!;
    const expected = g.heap.whyAlive(target)!.map((step) => String(step.ref));
    expect(expected.length).toBe(4);
    for (const input of [String(target), `#${g.heap.index(target)}`]) {
      await page.fill('#why-input', input);
      await page.click('#why-form button');
      await page.waitForSelector('[data-why="path"]');
      const refs = await page.$$eval('[data-why="path"] li', (els) => els.map((el) => (el as HTMLElement).dataset.ref));
      expect(refs).toEqual(expected);
      expect(await page.$$eval('[data-why="path"] li', (els) => els.map((el) => (el as HTMLElement).dataset.via)))
        .toEqual(['pin', 'slot', 'slot', 'slot']);
      await page.evaluate(() => document.getElementById('why-result')!.replaceChildren());
    }
    // Garbage: alive, but no root reaches it (the game stops, or a minor would free it first).
    g.game.running = false;
    const garbage = g.heap.alloc();
    await page.fill('#why-input', String(garbage));
    await page.click('#why-form button');
    await page.waitForSelector('[data-why="garbage"]');
    // A handle this heap never issued: the server's message, on the page.
    await page.fill('#why-input', '12345678');
    await page.click('#why-form button');
    await page.waitForSelector('[data-why="error"]');
    expect(await page.textContent('[data-why="error"]')).toContain('12345678');
    g.game.running = true;
  });

  it('the diff between two moments finds what leaked, by component', async () => {
    await settle(false);
    await page.click('#mark-a');
    await page.waitForFunction(() => document.getElementById('marks')!.textContent!.startsWith('A: frame'));
    const leakedBefore = g.game.leaked;
    g.game.leaking = true;
    g.game.running = true;
    await page.waitForTimeout(600);
    await settle(false);
    g.game.leaking = false;
    const leaked = g.game.leaked - leakedBefore;
    expect(leaked).toBeGreaterThan(5);
    await page.click('#diff-now');
    await page.waitForSelector('[data-diff-component="Leak"]');
    const value = await page.$eval('[data-diff-component="Leak"]', (el) => Number((el as HTMLElement).dataset.value));
    expect(value).toBe(leaked);
    await settle(true);
  });

  it('left open across a restart of the game: reconnects and starts over', async () => {
    const port = inspector.port;
    await inspector.close();
    await page.waitForFunction(() => document.getElementById('status')!.dataset.state === 'disconnected');
    g.stop();
    g = startGame();
    inspector = await serveInspector(g.heap, { port, intervalMs: 100 });
    await page.waitForSelector('#status[data-state="live"]', { timeout: 10_000 });
    await page.waitForFunction(() => {
      const frame = Number(document.getElementById('frame')!.dataset.value);
      return frame > 0 && frame < 200;
    });
    const screenshot = process.env.INSPECTOR_SCREENSHOT;
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
  });
});
