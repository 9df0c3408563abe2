// `npm run bench -- dashboard`: the training dashboard in real Chromium (Debian's, playwright-core)
// on synthetic 1k- and 10k-step run folders (scripts/make-run-fixtures.ts: the trainer's RunWriter
// and roundMetrics, seeded), served by the real `ume-studio dashboard` server on 127.0.0.1:
//  - time to first paint (the browser's first-contentful-paint), to the first chart with ink and to
//    the full render (every chart card that has data shows ink on its canvas), from navigation start,
//    fresh browser context each time (nothing cached), median of --repeat;
//  - the peer, in the same run and browser: the same runs drawn the naive way with Chart.js 4
//    (bench/peers/chartjs-naive-page.ts: whole metrics.jsonl fetched, every point to Chart.js, no
//    decimation), same viewport and chart size, timed by the same in-page probe;
//  - bytes per live update: a copy of the 1k run is open in the page, --updates rows are appended
//    one at a time, and the server's own count of each `update` event's bytes is read, with the
//    time from the append to the page's store holding the new step; beside it the JSONL row and
//    what a dashboard that re-fetches the whole history each poll (trackio's way) would send;
//  - redraw per live update: in the page, from an update event's arrival to the frame after the
//    charts redrew, against the naive page pushing the same row to every series and updating
//    every chart (its charts hold every point).
// The last line is one JSON object with the headline numbers.

import * as esbuild from 'esbuild';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildWebview, generatedRun, serve } from '../test/dashboard/harness';
import { LONG_FIXTURE, type FixtureSpec } from '../scripts/make-run-fixtures';
import { CHARTS } from '../webview/src/state/chart-specs';
import { packInit } from '../server/src/dashboard/metrics-pack';
import { fmt, machine, median, parseOptions, type Bench } from './lib/bench';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const VIEWPORT = { width: 1400, height: 900 };

interface RenderTimes {
  firstPaint: number;
  firstChart: number;
  full: number;
  charts: number;
}

/**
 * The in-page probe (an init script, so it runs before the page's own): every 20 ms it looks at
 * the chart cards; a card counts as drawn when its canvas has >1% of pixels away from the
 * background (as the browser tests judge it), or when it says it has no data. Done when all
 * `expected` cards exist and are drawn. Plain JavaScript text: tsx would wrap named functions
 * of a TypeScript function in a helper the page does not have.
 */
function probe(arg: { card: string; empty: string; expected: number }): string {
  return `(() => {
  const arg = ${JSON.stringify(arg)};
  const b = (window.__bench = { firstChart: null, full: null, charts: 0 });
  const inked = new WeakSet();
  function ink(c) {
    if (!c.width || !c.height) return false;
    const ctx = c.getContext('2d');
    if (!ctx) return false;
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 16) if (Math.abs(d[i] - d[0]) + Math.abs(d[i + 1] - d[1]) + Math.abs(d[i + 2] - d[2]) + Math.abs(d[i + 3] - d[3]) > 30) n++;
    return n / (d.length / 16) > 0.01;
  }
  function tick() {
    const cards = Array.from(document.querySelectorAll(arg.card));
    let drawn = 0;
    for (const card of cards) {
      if (inked.has(card)) { drawn++; continue; }
      const empty = card.querySelector(arg.empty);
      const canvas = card.querySelector('canvas');
      if ((empty && !empty.hidden) || (canvas && ink(canvas))) {
        inked.add(card);
        drawn++;
        if (b.firstChart === null) b.firstChart = performance.now();
      }
    }
    b.charts = cards.length;
    if (cards.length >= arg.expected && drawn === cards.length) b.full = performance.now();
    else setTimeout(tick, 20);
  }
  setTimeout(tick, 20);
})();`;
}

async function timeRender(browser: Browser, url: string, card: string, empty: string, expected: number): Promise<RenderTimes> {
  const context = await browser.newContext({ viewport: VIEWPORT, colorScheme: 'dark' });
  try {
    // Nothing may leave 127.0.0.1 (the page loads nothing remote; this makes sure of it).
    await context.route('**/*', (r) => (/^(http:\/\/127\.0\.0\.1:|data:|blob:)/.test(r.request().url()) ? r.continue() : r.abort()));
    const page = await context.newPage();
    await page.addInitScript(probe({ card, empty, expected }));
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { __bench: { full: number | null } }).__bench.full !== null, null, { timeout: 300_000, polling: 100 });
    // The paint entry is recorded when the frame is presented, which can be after the probe's check.
    await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0, null, { timeout: 10_000, polling: 50 }).catch(() => undefined);
    return await page.evaluate(() => {
      const b = (window as unknown as { __bench: { firstChart: number; full: number; charts: number } }).__bench;
      const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN;
      return { firstPaint: fcp, firstChart: b.firstChart, full: b.full, charts: b.charts };
    });
  } finally {
    await context.close();
  }
}

/** The peer page's bundle (Chart.js inside) and the line charts it draws for a run's keys. */
async function peerAssets(): Promise<string> {
  const out = await esbuild.build({ entryPoints: [join(__dirname, 'peers', 'chartjs-naive-page.ts')], bundle: true, platform: 'browser', format: 'iife', target: 'es2022', minify: true, write: false, logLevel: 'warning' });
  return out.outputFiles[0]!.text;
}

function peerSpecs(metricsFile: string): unknown[] {
  const keys = new Set<string>();
  for (const line of readFileSync(metricsFile, 'utf8').split('\n')) if (line.trim()) for (const k of Object.keys(JSON.parse(line) as object)) keys.add(k);
  const list = [...keys];
  return CHARTS.filter((c) => !c.kind || c.kind === 'line')
    .map((c) => ({ id: c.id, title: c.title, series: [...c.series, ...(c.dynamic?.(list) ?? [])].filter((s) => keys.has(s.key)).map((s) => ({ key: s.key, label: s.label, ...(s.band ? { band: { lo: s.band.lo, hi: s.band.hi } } : {}) })) }))
    .filter((c) => c.series.length > 0);
}

/** A plain 127.0.0.1 server for the peer page: its HTML, bundle, chart list and the run's metrics.jsonl. */
async function startPeerServer(script: string, metricsFile: string): Promise<{ url: string; server: Server; charts: number }> {
  const specs = peerSpecs(metricsFile);
  const html = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>naive Chart.js</title><style>body{font:13px sans-serif;background:#1e1e1e;color:#ccc;margin:12px}#grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(460px,1fr));gap:12px}.box{position:relative;height:220px}h3{font-size:13px;margin:4px 0}</style></head><body><div id="grid"></div><script src="/peer.js"></script></body></html>`;
  const metrics = readFileSync(metricsFile);
  const server = createServer((req, res) => {
    const body: Record<string, [string, string | Buffer]> = { '/': ['text/html', html], '/peer.js': ['text/javascript', script], '/specs.json': ['application/json', JSON.stringify(specs)], '/metrics.jsonl': ['application/x-ndjson', metrics] };
    const f = body[req.url ?? ''];
    if (!f) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': f[0], 'cache-control': 'no-store' }).end(f[1]);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server, charts: specs.length };
}

function benchSpec(steps: number): FixtureSpec {
  return { ...LONG_FIXTURE, name: `grpo-bench-${steps}`, steps, written: steps, evalSteps: Math.max(50, steps / 8), saveSteps: Math.max(100, steps / 2) };
}

/**
 * Wraps EventSource (init script) so each `update` event's main-thread cost is recorded: from the
 * event's arrival to the end of the frame after the page's own (its flush runs in the next
 * requestAnimationFrame; ours is queued first, so the inner one runs after the charts drew).
 */
const UPDATE_HOOK = `(() => {
  const ES = window.EventSource;
  window.__updates = [];
  window.EventSource = function (url, opts) {
    const es = new ES(url, opts);
    es.addEventListener('message', (ev) => {
      if (!ev.data.startsWith('{"type":"update"')) return;
      const t0 = performance.now();
      requestAnimationFrame(() => requestAnimationFrame(() => window.__updates.push(performance.now() - t0)));
    });
    return es;
  };
})();`;

interface LiveResult {
  bytes: number[];
  rowBytes: number[];
  /** File append -> the page's store holds the step (ms). */
  latencyMs: number[];
  /** Update event arrival -> charts redrawn (ms, in the page). */
  redrawMs: number[];
  /** The naive page: one row pushed to every series, every chart updated, next frame (ms). */
  naiveRedrawMs: number[];
  fileBytes: number;
}

const nextRow = (last: Record<string, unknown> & { step: number }, i: number): Record<string, unknown> => ({ ...last, step: last.step + i, 'train/mean_reward': (last['train/mean_reward'] as number) + i * 1e-3 });

/** Appends `n` rows to a copy of the run (its metrics and status files) one at a time with our page open, then the same rows to the naive page. */
async function liveUpdates(browser: Browser, runDir: string, n: number, peer: { url: string; charts: number }): Promise<LiveResult> {
  const dir = join(mkdtempSync(join(tmpdir(), 'ume-dash-bench-live-')), 'live');
  mkdirSync(dir);
  for (const f of ['config.json', 'status.json', 'summary.json', 'metrics.jsonl']) cpSync(join(runDir, f), join(dir, f));
  const file = join(dir, 'metrics.jsonl');
  const last = JSON.parse(readFileSync(file, 'utf8').trim().split('\n').at(-1)!) as Record<string, unknown> & { step: number };
  const srv = await serve([dir], 250);
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page: Page = await context.newPage();
    await page.addInitScript(probe({ card: '.chart-card', empty: '.chart-empty', expected: CHARTS.length }));
    await page.addInitScript(UPDATE_HOOK);
    await page.goto(srv.server.url);
    await page.waitForFunction(() => (window as unknown as { __bench: { full: number | null } }).__bench.full !== null, null, { timeout: 300_000, polling: 100 });
    const rowBytes: number[] = [];
    const latencyMs: number[] = [];
    for (let i = 1; i <= n; i++) {
      const row = `${JSON.stringify(nextRow(last, i))}\n`;
      rowBytes.push(Buffer.byteLength(row));
      const t0 = performance.now();
      appendFileSync(file, row);
      // The page's store (window.umeDashboard) holds the step: the update arrived and was applied.
      await page.waitForFunction(
        (want) => {
          const app = (window as unknown as { umeDashboard?: { store: { runs: Map<string, { column(k: string): ArrayLike<number> | undefined }> } } }).umeDashboard;
          const steps = app ? [...app.store.runs.values()][0]?.column('step') : undefined;
          return !!steps && steps[steps.length - 1] === want;
        },
        last.step + i,
        { polling: 'raf', timeout: 10_000 },
      );
      latencyMs.push(performance.now() - t0);
      await page.waitForTimeout(100);
    }
    const redrawMs = await page.evaluate(() => (window as unknown as { __updates: number[] }).__updates);
    const naivePage = await context.newPage();
    await naivePage.addInitScript(probe({ card: '.card', empty: '.none', expected: peer.charts }));
    await naivePage.goto(peer.url);
    await naivePage.waitForFunction(() => (window as unknown as { __bench: { full: number | null } }).__bench.full !== null, null, { timeout: 300_000, polling: 100 });
    const naiveRedrawMs: number[] = [];
    for (let i = 1; i <= n; i++) naiveRedrawMs.push(await naivePage.evaluate((row) => (window as unknown as { __appendRow: (r: unknown) => Promise<number> }).__appendRow(row), nextRow(last, i)));
    return { bytes: [...srv.server.updateBytes], rowBytes, latencyMs, redrawMs, naiveRedrawMs, fileBytes: statSync(file).size };
  } finally {
    await context.close();
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const bench: Bench = {
  description: 'dashboard page in Chromium: first paint / full render for 1k and 10k steps, bytes and redraw time per live update (vs naive Chart.js)',
  async run(args) {
    const o = parseOptions(args, { repeat: 3, updates: 20, steps: '1000,10000', cache: join(tmpdir(), 'ume-dashboard-bench-runs') });
    const sizes = String(o.steps).split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
    const m = machine();
    console.log(`dashboard bench: ${sizes.join(' and ')}-step runs, median of ${o.repeat}; ${m.cpu}, ${m.cores} cores, no GPU (--disable-gpu), node ${m.node}, load ${loadavg()[0]!.toFixed(2)}`);
    mkdirSync(o.cache, { recursive: true });
    const [, peerScript] = await Promise.all([buildWebview(), peerAssets()]);
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
    const results: Record<string, unknown> = {};
    const lives: Record<string, unknown> = {};
    try {
      for (const steps of sizes) {
        const t0 = performance.now();
        const dir = await generatedRun(benchSpec(steps), o.cache);
        const metricsFile = join(dir, 'metrics.jsonl');
        console.log(`\n${steps} steps: ${dir} (${(statSync(metricsFile).size / 1e6).toFixed(1)} MB metrics.jsonl; ready in ${fmt((performance.now() - t0) / 1000)} s)`);
        const srv = await serve([dir], 1000);
        // What the page fetches as its init (packed columns), and the same rows as JSON row batches (as sent before).
        const initBytes = Buffer.byteLength(`data: ${JSON.stringify(packInit(srv.source.init('browser')))}\n\n`);
        const initRowsBytes = Buffer.byteLength(`data: ${JSON.stringify(srv.source.init('browser'))}\n\n`);
        const peer = await startPeerServer(peerScript, metricsFile);
        const ours: RenderTimes[] = [];
        const naive: RenderTimes[] = [];
        let live: LiveResult;
        try {
          // Alternate so load from the other process (training jobs on this machine) falls on both.
          for (let r = 0; r < o.repeat; r++) {
            ours.push(await timeRender(browser, srv.server.url, '.chart-card', '.chart-empty', CHARTS.length));
            naive.push(await timeRender(browser, peer.url, '.card', '.none', peer.charts));
          }
          await srv.close();
          live = await liveUpdates(browser, dir, o.updates, peer);
        } finally {
          await srv.close();
          await new Promise((r) => peer.server.close(r));
        }
        const med = (xs: RenderTimes[], k: keyof RenderTimes) => median(xs.map((x) => x[k]).filter(Number.isFinite));
        const row = {
          initBytes,
          initRowsBytes,
          metricsBytes: statSync(metricsFile).size,
          ours: { firstPaintMs: med(ours, 'firstPaint'), firstChartMs: med(ours, 'firstChart'), fullRenderMs: med(ours, 'full'), charts: ours[0]!.charts },
          naive: { firstPaintMs: med(naive, 'firstPaint'), firstChartMs: med(naive, 'firstChart'), fullRenderMs: med(naive, 'full'), charts: naive[0]!.charts },
        };
        const ratio = row.naive.fullRenderMs / row.ours.fullRenderMs;
        results[`${steps}`] = { ...row, fullRenderRatio: ratio };
        console.log(`${'page'.padEnd(16)} ${'charts'.padStart(6)} ${'first paint ms'.padStart(15)} ${'first chart ms'.padStart(15)} ${'full render ms'.padStart(15)}`);
        for (const [name, x] of [['ours', row.ours], ['naive Chart.js', row.naive]] as const) console.log(`${name.padEnd(16)} ${String(x.charts).padStart(6)} ${fmt(x.firstPaintMs).padStart(15)} ${fmt(x.firstChartMs).padStart(15)} ${fmt(x.fullRenderMs).padStart(15)}`);
        console.log(`full render: naive / ours = ${fmt(ratio, 2)}x; our init (fetched, packed) ${(initBytes / 1e6).toFixed(2)} MB (${(initRowsBytes / 1e6).toFixed(2)} MB as the JSON row batches it was before) for ${(row.metricsBytes / 1e6).toFixed(2)} MB of metrics.jsonl; all runs: ${ours.map((x) => fmt(x.full, 0)).join(', ')} ms vs ${naive.map((x) => fmt(x.full, 0)).join(', ')} ms`);
        const upd = median(live.bytes);
        const l = {
          updates: live.bytes.length,
          rows: o.updates,
          bytesPerUpdate: upd,
          jsonlRowBytes: median(live.rowBytes),
          wholeHistoryBytes: live.fileBytes,
          wholeHistoryRatio: live.fileBytes / upd,
          latencyMsMedian: median(live.latencyMs),
          latencyMsMax: Math.max(...live.latencyMs),
          redrawMsMedian: median(live.redrawMs),
          naiveRedrawMsMedian: median(live.naiveRedrawMs),
          redrawRatio: median(live.naiveRedrawMs) / median(live.redrawMs),
        };
        lives[`${steps}`] = l;
        console.log(
          `live: ${l.updates} update events for ${l.rows} appended rows: median ${upd} bytes per update (min ${Math.min(...live.bytes)}, max ${Math.max(...live.bytes)}); the JSONL row ${l.jsonlRowBytes} bytes; re-sending the whole history per poll ${l.wholeHistoryBytes} bytes (${fmt(l.wholeHistoryRatio, 0)}x); ` +
            `append -> page store median ${fmt(l.latencyMsMedian, 0)} ms (max ${fmt(l.latencyMsMax, 0)}); update -> charts redrawn median ${fmt(l.redrawMsMedian)} ms vs naive push + update of every chart ${fmt(l.naiveRedrawMsMedian)} ms (${fmt(l.redrawRatio, 2)}x)`,
        );
      }
    } finally {
      await browser.close();
    }
    console.log(JSON.stringify({ bench: 'dashboard', machine: m, renders: results, live: lives }));
  },
};
