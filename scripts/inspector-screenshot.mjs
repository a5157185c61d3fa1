// The README's screenshot of the inspector: `node scripts/inspector-screenshot.mjs [out.png]`.
// Runs the demo game (examples/inspect.ts) on a free port, opens the page in headless Chromium
// (/usr/bin/chromium), lets ~25 s of frames fill the charts, marks moment A early on, then asks
// "why alive" of a leaked replay entry and compares A with now, and saves the whole page
// (default docs/inspector.png).
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const out = resolve(process.argv[2] ?? join(root, 'docs', 'inspector.png'));
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

const game = spawn(process.execPath, ['--import', 'tsx', 'examples/inspect.ts', '--port', '0'], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise((found, failed) => {
  let text = '';
  game.stdout.on('data', (chunk) => {
    text += chunk;
    const match = /http:\/\/\S+\//.exec(text);
    if (match) found(match[0]);
  });
  game.on('exit', (code) => failed(new Error(`examples/inspect.ts exited (${code}) before printing its address`)));
});
console.log(`game at ${url}`);

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  await page.goto(url);
  await page.waitForSelector('#status[data-state="live"]');
  await sleep(6000);
  await page.click('#mark-a');
  await sleep(20000);
  // A leaked replay entry, among the objects allocated since A that still live.
  const diff = await (await fetch(new URL('/api/diff?from=A', url))).json();
  const leaked = diff.byComponent.find((c) => c.name === 'ReplayEntry')?.sample[0];
  if (leaked !== undefined) {
    await page.fill('#why-input', String(leaked));
    await page.click('#why-form button');
    await page.waitForSelector('[data-why="path"]');
  }
  await page.click('#diff-now');
  await page.waitForSelector('[data-diff="summary"]');
  // The whole page in one viewport, so the sticky header stays at the top of the picture.
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: 1440, height });
  await sleep(800);
  await page.screenshot({ path: out });
  console.log(`saved ${out}`);
} finally {
  await browser.close();
  game.kill('SIGINT');
}
