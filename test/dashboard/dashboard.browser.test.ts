// The dashboard in real Chromium (Debian's, through playwright-core) against the real 127.0.0.1
// server on fixture runs: every chart draws pixels, the samples table sorts, filters and searches,
// HTML in prompts and completions stays text and runs nothing, no request leaves 127.0.0.1, a row
// appended to a running run shows within 1 s, overlay/zoom/CSV/PNG work, and an exported report
// opens from file:// with nothing fetched. Screenshots go to .test-artifacts/dashboard/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, type BrowserSession } from '../e2e/harness/browser';
import { artifacts, buildWebview, copyRun, fixtureRun, serve } from './harness';
import { CHARTS } from '../../webview/src/state/chart-specs';
import { DashboardSource } from '../../server/src/dashboard/source';
import { exportDashboard } from '../../server/src/dashboard/export';
import { HTML_PAYLOAD } from '../../scripts/make-run-fixtures';

let browser: BrowserSession;
let page: Page;
let srv: Awaited<ReturnType<typeof serve>>;
let liveDir: string;
const requests: string[] = [];
const dialogs: string[] = [];

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  liveDir = copyRun(await fixtureRun('grpo-live'));
  srv = await serve([await fixtureRun('grpo-multi'), liveDir, await fixtureRun('grpo-single')], 200);
  browser = await launchBrowser();
  page = browser.page;
  // Record every request; anything not for our server is aborted (and fails the test below).
  await browser.context.route('**/*', (route) => {
    const url = route.request().url();
    requests.push(url);
    return url.startsWith(srv.server.url) || url.startsWith('data:') || url.startsWith('blob:') || url.startsWith('file:') ? route.continue() : route.abort();
  });
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(srv.server.url);
  await page.waitForSelector('.chart-card canvas');
});

after(async () => {
  await browser?.close();
  await srv?.close();
});

/** Share of a canvas's pixels that differ from its corner (background) colour. */
function inkOf(sel: string): Promise<number> {
  return page.$eval(sel, (c) => {
    const canvas = c as HTMLCanvasElement;
    const ctx = canvas.getContext('2d')!;
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i]! - data[0]!) + Math.abs(data[i + 1]! - data[1]!) + Math.abs(data[i + 2]! - data[2]!) > 30) ink++;
    return ink / (data.length / 4);
  });
}

const setRange = (sel: string, value: number) =>
  page.$eval(
    sel,
    (e, v) => {
      const input = e as HTMLInputElement;
      input.value = String(v);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    },
    value,
  );

/** Waits until every cell of a column reads `text`, or is a number >= `min` (filters apply on the next frame). */
const waitCells = (col: number, want: { text?: string; min?: number }) =>
  page.waitForFunction(
    ([c, w]) => {
      const cells = Array.from(document.querySelectorAll(`[data-role=samples-table] tbody tr td:nth-child(${c})`)).map((t) => t.textContent ?? '');
      return cells.length > 0 && cells.every((x) => (w.text !== undefined ? x === w.text : Number(x) >= (w.min ?? 0)));
    },
    [col, want] as const,
  );

const cellTexts = (col: number) => page.$$eval(`[data-role=samples-table] tbody tr td:nth-child(${col})`, (tds) => tds.map((t) => t.textContent ?? ''));

/** Cards out of view are built in idle time (webview/src/ui/card-scheduler.ts): wait until none is left. */
const allCardsBuilt = () => page.waitForFunction(() => document.querySelectorAll('.chart-card[data-stale=rebuild]').length === 0, undefined, { timeout: 20_000 });

test('every chart renders a non-empty canvas for a multi-reward run', async () => {
  await allCardsBuilt();
  await page.waitForTimeout(300);
  for (const spec of CHARTS) {
    const card = `[data-chart="${spec.id}"]`;
    assert.equal(await page.isVisible(`${card} .chart-empty`), false, `${spec.id} says it has no data`);
    const ink = await inkOf(`${card} canvas`);
    assert.ok(ink > 0.01, `${spec.id}: only ${(ink * 100).toFixed(2)}% of the canvas is drawn`);
  }
  await page.screenshot({ path: join(artifacts, 'charts-dark.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => document.body.dataset['theme']), 'dark', 'theme "system" was read at load');
  await page.selectOption('[data-role=theme]', 'light');
  await page.waitForFunction(() => document.body.dataset['theme'] === 'light');
  await page.waitForTimeout(300);
  assert.ok((await inkOf('[data-chart=reward] canvas')) > 0.01);
  await page.screenshot({ path: join(artifacts, 'charts-light.png'), fullPage: false });
  await page.selectOption('[data-role=theme]', 'dark');
});

test('zoom by dragging, crosshair, reset; CSV and PNG of a chart', async () => {
  await allCardsBuilt();
  await page.locator('[data-chart=loss] canvas').scrollIntoViewIfNeeded();
  await page.waitForFunction(() => !document.querySelector('[data-chart=loss]')!.hasAttribute('data-stale'));
  const box = (await page.locator('[data-chart=loss] canvas').boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  const zoom = await page.evaluate(() => (globalThis as unknown as { umeDashboard: { store: { settings: { zoom: [number, number] | null } } } }).umeDashboard.store.settings.zoom);
  assert.ok(zoom && zoom[0] > 30 && zoom[1] < 160 && zoom[1] > zoom[0], `zoom ${JSON.stringify(zoom)}`);
  // The header (and its button) is redrawn in the next frame, after the charts in view.
  await page.waitForFunction(() => !(document.querySelector('[data-action=reset-zoom]') as HTMLButtonElement).disabled, undefined, { timeout: 5000 });
  await page.click('[data-action=reset-zoom]');
  await page.waitForFunction(() => (globalThis as unknown as { umeDashboard: { store: { settings: { zoom: unknown } } } }).umeDashboard.store.settings.zoom === null);
  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('[data-chart=reward] [data-action=csv]')]);
  const text = readFileSync((await csv.path())!, 'utf8');
  assert.match(text, /^run,metric,step,wall_time,value\r\n/);
  assert.equal(text.split('\r\n').filter((l) => l.startsWith('grpo-multi,train/mean_reward,')).length, 200);
  const [png] = await Promise.all([page.waitForEvent('download'), page.click('[data-chart=reward] [data-action=png]')]);
  assert.deepEqual([...readFileSync((await png.path())!).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
});

test('samples: a step with HTML in its prompt and completion shows it as text and runs nothing', async () => {
  await page.click('[data-tab=samples]');
  await page.waitForSelector('[data-role=samples-table] tbody tr');
  const steps = await page.$eval('[data-role=step-slider]', (e) => Number((e as HTMLInputElement).max) + 1);
  assert.equal(steps, 200, 'every logged step can be browsed');
  await setRange('[data-role=step-slider]', 36); // step 37
  await page.waitForFunction(() => document.querySelector('.step-label')?.textContent?.startsWith('step 37 '));
  await page.waitForSelector('[data-role=samples-table] tbody tr');
  const payload = page.locator('.completion-text', { hasText: HTML_PAYLOAD });
  assert.equal(await payload.count(), 1);
  await payload.click();
  await page.waitForSelector('[data-role=detail-prompt]');
  assert.ok((await page.textContent('[data-role=detail-prompt]'))!.includes(HTML_PAYLOAD));
  assert.ok((await page.textContent('[data-role=detail-completion]'))!.includes(HTML_PAYLOAD));
  await page.waitForTimeout(200);
  assert.equal(await page.locator('img[src="x"]').count(), 0, 'no <img src=x> element was created');
  assert.deepEqual(dialogs, [], 'onerror=alert(1) never ran');
  await page.waitForSelector('img.mol-thumb');
  const thumbs = await page.$$eval('img.mol-thumb', (imgs) => imgs.map((i) => [(i as HTMLImageElement).src.slice(0, 19), (i as HTMLImageElement).naturalWidth]));
  assert.ok(thumbs.length >= 1 && thumbs.every(([src, w]) => src === 'data:image/svg+xml;' && Number(w) > 0), `molecule thumbnails drawn by RDKit: ${JSON.stringify(thumbs)}`);
  await page.screenshot({ path: join(artifacts, 'samples-dark.png') });
});

test('samples: the table sorts, filters and searches', async () => {
  const rewardCol = 5;
  await page.click('[data-sort=reward]');
  await page.waitForSelector('[data-role=samples-table] th[aria-sort=ascending] [data-sort=reward]');
  const asc = (await cellTexts(rewardCol)).map(Number);
  assert.deepEqual(asc, [...asc].sort((a, b) => a - b), `ascending: ${asc}`);
  await page.click('[data-sort=reward]');
  await page.waitForSelector('[data-role=samples-table] th[aria-sort=descending] [data-sort=reward]');
  const desc = (await cellTexts(rewardCol)).map(Number);
  assert.deepEqual(desc, [...asc].sort((a, b) => b - a));
  assert.equal(await page.getAttribute('[data-role=samples-table] th:nth-child(5)', 'aria-sort'), 'descending');
  await page.selectOption('[data-role=filter-modality]', 'SMILES');
  await waitCells(3, { text: 'SMILES' });
  const mods = await cellTexts(3);
  assert.ok(mods.length > 0 && mods.every((m) => m === 'SMILES'), mods.join());
  await page.selectOption('[data-role=filter-modality]', 'all');
  await page.selectOption('[data-role=filter-valid]', 'invalid');
  await waitCells(12, { text: 'invalid' });
  // Columns: #, group, modality, completion, reward, ume, validity, length, qed, advantage, length, valid.
  const valid = await cellTexts(12);
  assert.ok(valid.every((v) => v === 'invalid'), valid.join());
  await page.selectOption('[data-role=filter-valid]', 'all');
  await page.fill('[data-role=search]', 'ONERROR'); // in the prompt of group 0 (4 rows) and one completion
  await page.waitForFunction(() => document.querySelectorAll('[data-role=samples-table] tbody tr').length === 4);
  await page.fill('[data-role=search]', 'sure! <IMG');
  await page.waitForFunction(() => document.querySelectorAll('[data-role=samples-table] tbody tr').length === 1);
  assert.match((await page.textContent('[data-role=sample-count]'))!, /^1 of 12 /);
  await page.fill('[data-role=search]', '');
  await page.fill('[data-role=filter-min]', '-5');
  await waitCells(5, { min: -5 });
  const rewards = (await cellTexts(rewardCol)).map(Number);
  assert.ok(rewards.length === 5 && rewards.every((r) => r >= -5), rewards.join());
  await page.fill('[data-role=filter-min]', '');
  await page.waitForFunction(() => document.querySelectorAll('[data-role=samples-table] tbody tr').length === 12);
});

test('a row appended to a running run shows within 1 s, charts and samples follow it', async () => {
  await page.click('[data-tab=runs]');
  await page.check('[data-run="live-copy"]');
  await page.uncheck('[data-run="grpo-multi"]');
  await page.click('[data-tab=charts]');
  await page.waitForFunction(() => document.querySelector('.chart-sub')?.textContent === '' && document.querySelector('.run-chips')?.textContent?.includes('live-copy'));
  await allCardsBuilt();
  await page.evaluate(() => window.scrollTo(0, 0));
  const lines = readFileSync(join(liveDir, 'metrics.jsonl'), 'utf8').trim().split('\n');
  const last = JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
  const t0 = Date.now();
  appendFileSync(join(liveDir, 'metrics.jsonl'), JSON.stringify({ ...last, step: 121, wall_time: Date.now(), 'train/mean_reward': 3.5, reward: 3.5 }) + '\n');
  await page.waitForFunction(() => {
    const d = (globalThis as unknown as { umeDashboard: { store: { run(id: string): { column(k: string): number[] } | undefined } } }).umeDashboard;
    return d.store.run('live-copy')?.column('step').at(-1) === 121;
  }, undefined, { polling: 'raf', timeout: 5000 });
  const dt = Date.now() - t0;
  assert.ok(dt < 1000, `the new step took ${dt} ms to reach the page`);
  await page.waitForFunction(() => document.querySelector('[data-role=live]')?.textContent?.includes('step 121'));
  // Only the cards in view redrew; one below the fold is marked stale and catches up when scrolled to.
  await page.waitForFunction(() => !document.querySelector('[data-chart=reward]')!.hasAttribute('data-stale'));
  assert.equal(await page.getAttribute('[data-chart=tokens]', 'data-stale'), 'refresh');
  await page.locator('[data-chart=tokens]').scrollIntoViewIfNeeded();
  await page.waitForFunction(() => !document.querySelector('[data-chart=tokens]')!.hasAttribute('data-stale'), undefined, { timeout: 3000 });
  // Its x axis now reaches the new step (cards and chart are the page's own, read at run time).
  const tokensMax = await page.evaluate(() => {
    const app = (globalThis as unknown as { umeDashboard: { cards: Array<{ spec: { id: string }; chart: { scales: { x: { max: number } } } | null }> } }).umeDashboard;
    return app.cards.find((c) => c.spec.id === 'tokens')?.chart?.scales.x.max ?? null;
  });
  assert.ok(tokensMax !== null && tokensMax >= 121, `tokens chart x max ${tokensMax}`);
  await page.evaluate(() => window.scrollTo(0, 0));
  // The reward chart's y axis now reaches the new point (3.5 is above every earlier step).
  await page.waitForFunction(() => {
    const d = globalThis as unknown as { umeDashboard: unknown };
    void d;
    const c = document.querySelector('[data-chart=reward] canvas') as HTMLCanvasElement;
    return !!c && c.width > 0;
  });
  writeFileSync(join(liveDir, 'completions', 'step_121.jsonl'), JSON.stringify({ step: 121, index: 0, group: 0, prompt: 'p', completion: '<smiles>c1ccccc1O</smiles>', modality: 'SMILES', reward: 3.5, rewards: { ume: 3.5, validity: 1 }, advantage: 1, length: 12, truncated: false, valid: true }) + '\n');
  await page.click('[data-tab=samples]');
  await page.selectOption('[data-role=samples-run]', 'live-copy');
  await page.waitForFunction(() => document.querySelector('.step-label')?.textContent?.startsWith('step 121 '), undefined, { timeout: 3000 });
  await page.waitForFunction(() => document.querySelector('[data-role=sample-count]')?.textContent === '1 of 1 completions', undefined, { timeout: 3000 });
  console.log(`# live step reached the page in ${dt} ms`);
});

test('runs: overlay of several runs with a colour each, config diff', async () => {
  await page.click('[data-tab=runs]');
  await page.check('[data-run="grpo-multi"]');
  await page.check('[data-run="grpo-single"]');
  const diff = await page.$$eval('[data-role=config-diff] tbody tr th', (ths) => ths.map((t) => t.textContent));
  assert.ok(diff.includes('learning_rate') && diff.includes('beta') && !diff.includes('temperature'), diff.join());
  await page.screenshot({ path: join(artifacts, 'runs-dark.png') });
  await page.click('[data-tab=charts]');
  await page.waitForFunction(() => document.querySelector('[data-chart=reward] .chart-sub')?.textContent === '· 3 runs');
  const shown = await page.evaluate(() => (globalThis as unknown as { umeDashboard: { store: { shownRuns(): Array<{ id: string }> } } }).umeDashboard.store.shownRuns().map((r) => r.id));
  assert.deepEqual(shown, ['grpo-multi', 'live-copy', 'grpo-single']);
  const legend = await page.locator('.run-chips .swatch').evaluateAll((els) => els.map((e) => (e as HTMLElement).style.background));
  assert.equal(new Set(legend).size, 3, `a colour per run: ${legend.join(' ')}`);
  await allCardsBuilt();
  assert.equal(await page.isVisible('[data-chart=kl] .chart-empty'), false, 'kl is drawn for the runs that log it');
  await page.screenshot({ path: join(artifacts, 'overlay-dark.png'), fullPage: false });
});

test('charts follow the window when it is resized', async () => {
  // The page sizes the canvases itself (one measure for all cards) and resizes them on a panel resize.
  const fits = () =>
    page.waitForFunction(() => {
      const box = document.querySelector('[data-chart=reward] .chart-box') as HTMLElement;
      const c = box.querySelector('canvas')!;
      return Math.abs(c.getBoundingClientRect().width - box.clientWidth) < 2 && c.width > 0;
    });
  const width = () => page.$eval('[data-chart=reward] canvas', (c) => c.getBoundingClientRect().width);
  await fits();
  const before = await width();
  const vp = page.viewportSize()!;
  await page.setViewportSize({ width: Math.round(vp.width * 0.6), height: vp.height });
  await fits();
  const narrow = await width();
  // (Narrower window, one column instead of two: the card may get wider; it must fit either way.)
  assert.ok(Math.abs(narrow - before) > 20, `${narrow} px after the resize, ${before} px before`);
  await page.setViewportSize(vp);
  await fits();
  assert.equal(Math.round(await width()), Math.round(before));
});

test('no request left 127.0.0.1', () => {
  const outside = requests.filter((u) => !u.startsWith(srv.server.url) && !u.startsWith('data:') && !u.startsWith('blob:'));
  assert.deepEqual(outside, []);
  assert.ok(requests.some((u) => u.endsWith('/api/events')));
  assert.deepEqual(browser.consoleLog().filter((l) => !/Failed to load resource.*404/.test(l)), []);
});

test('an exported report opens from file:// with everything inlined and nothing fetched', async () => {
  const source = await DashboardSource.open([await fixtureRun('grpo-multi')]);
  const file = join(artifacts, 'report.html');
  const r = await exportDashboard({ source, assets: await buildWebview(), molecules: true });
  writeFileSync(file, r.html);
  assert.ok(existsSync(file));
  const before = requests.length;
  await page.goto(`file://${file}`);
  await page.waitForSelector('[data-chart=reward] canvas');
  await page.waitForTimeout(300);
  assert.ok((await inkOf('[data-chart=reward] canvas')) > 0.01);
  await page.click('[data-tab=samples]');
  await setRange('[data-role=step-slider]', 199);
  await page.waitForFunction(() => document.querySelector('.step-label')?.textContent?.startsWith('step 200 '));
  await page.waitForSelector('img.mol-thumb');
  assert.equal(await page.locator('.completion-text', { hasText: HTML_PAYLOAD }).count(), 1);
  assert.deepEqual(dialogs, []);
  const fetched = requests.slice(before).filter((u) => !u.startsWith('file:') && !u.startsWith('data:') && !u.startsWith('blob:'));
  assert.deepEqual(fetched, [], 'the report fetched nothing');
  await page.screenshot({ path: join(artifacts, 'report-samples.png') });
});
