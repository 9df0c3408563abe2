// Training from the command palette in a real VS Code (code-server 4.139.1 + Debian's Chromium), as
// a user does it: "UME: Start Training Run" with the quick picks (synthetic prompts, the UME reward,
// the workspace's tiny settings, cpu, a run name), the status bar advancing step by step while a
// hover is still answered, "UME: Stop Training Run" (a checkpoint, status "stopped"), the UME Runs
// view, "UME: Resume Training Run" continuing from that checkpoint, and the progress notification's
// Cancel stopping it again; the dashboard panel opening beside the editor with the run's step
// advancing on its page, and again from the runs view. Screenshots go to .test-artifacts/e2e-training-*.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { assertE2EPrerequisites, artifactsDir } from './harness/paths';
import { ensureVsix } from './harness/vsix';
import { startCodeServer, type CodeServer } from './harness/code-server';
import { launchBrowser, type BrowserSession } from './harness/browser';
import { Workbench, escapeRegExp } from './harness/workbench';
import { workbenchSettings } from './fixtures';

const t0 = Date.now();
const log = (s: string) => process.stderr.write(`[e2e-training ${((Date.now() - t0) / 1000).toFixed(1)}s] ${s}\n`);

const RUN = 'e2e-run';
const TOTAL = 400;
const proteinFile = 'protein.fasta';
const protein = 'MKTAYIAKQRQISFVKSHFSRQLEERLGLIEVQAPILSRVGDGTQDNLSGAEKAVQVKVKALPDAQFEVVHSLAKWKRQTLGQHDFSAGEGL';

/** Tiny settings in the workspace: well under a second a step, so the status bar moves while we watch. */
const trainingSettings = {
  'umeStudio.training.maxSteps': TOTAL,
  'umeStudio.training.perDeviceTrainBatchSize': 4,
  'umeStudio.training.numGenerations': 2,
  'umeStudio.training.maxCompletionLength': 16,
  'umeStudio.training.learningRate': 5e-5,
  'umeStudio.training.saveSteps': 5,
  'umeStudio.training.maxGenerationSamples': 2,
  'umeStudio.training.seed': 7,
  'umeStudio.scoring.device': 'cpu',
};

function makeWorkspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ume-e2e-train-ws-'));
  mkdirSync(join(dir, '.vscode'));
  writeFileSync(join(dir, '.vscode', 'settings.json'), JSON.stringify(trainingSettings, null, 2));
  writeFileSync(join(dir, proteinFile), `>example protein\n${protein}\n`);
  return dir;
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(artifactsDir, `e2e-training-${name}.png`) });

/** The quick input's widget once its title matches (the next step of a multi-step command). */
async function quickInput(page: Page, title: RegExp, timeoutMs = 20_000): Promise<void> {
  await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).first().waitFor({ timeout: timeoutMs });
}

/** Clicks the quick-pick row whose label reads `label` (icons aside). */
async function pickRow(page: Page, title: RegExp, label: RegExp): Promise<void> {
  await quickInput(page, title);
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: label }) }).first();
  await row.waitFor({ timeout: 10_000 });
  await row.click();
}

/**
 * F1, the command's title, a click on its row; without waiting for the palette to close (the
 * command opens its own picks). Retries while the row is missing: a command's `when` clause may
 * become true only once the extension has told VS Code its state.
 */
async function runPaletteCommand(page: Page, title: string, timeoutMs = 40_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const started = Date.now();
  let rows: string[] = [];
  while (Date.now() < deadline) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ timeout: 10_000 });
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) });
    try {
      await row.first().waitFor({ timeout: 3_000 });
      if (Date.now() - started > 4_000) log(`"${title}" appeared in the palette after ${Date.now() - started} ms`);
      await row.first().click();
      return;
    } catch {
      rows = await page.locator('.quick-input-widget .quick-input-list .monaco-list-row').allInnerTexts();
      await page.keyboard.press('Escape');
      await page.waitForTimeout(500);
    }
  }
  await shot(page, `palette-${title.replace(/\W+/g, '-')}`);
  throw new Error(`the palette has no "${title}" row within ${timeoutMs} ms; it shows: ${rows.join(' | ') || '(nothing)'}`);
}

/** The dashboard page inside its webview (code-server nests the page in two iframes). */
function dashboardPage(page: Page) {
  return page.frameLocator('iframe.webview.ready').last().frameLocator('iframe#active-frame');
}

/** The step the dashboard's live badge shows ("● live · RUN step N / 400 · …"), waiting until it is at least `min`. */
async function waitForDashboardStep(page: Page, min: number, timeoutMs = 60_000): Promise<{ step: number; text: string }> {
  const badge = dashboardPage(page).locator('[data-role=live]');
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = (await badge.innerText({ timeout: 5_000 }).catch(() => '')).trim();
    const m = new RegExp(`live · ${RUN} step (\\d+) / ${TOTAL}`).exec(text);
    if (m && Number(m[1]) >= min) return { step: Number(m[1]), text };
    await page.waitForTimeout(250);
  }
  throw new Error(`the dashboard's live badge never showed step >= ${min} of ${RUN} within ${timeoutMs} ms; it showed: "${text}"`);
}

function readStatus(dir: string): { state: string; step: number } | null {
  try {
    return JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8')) as { state: string; step: number };
  } catch {
    return null;
  }
}

describe('training from the command palette in a real VS Code', { timeout: 420_000 }, () => {
  let workspace: string | undefined;
  let server: CodeServer | undefined;
  let browser: BrowserSession | undefined;
  let wb: Workbench;
  let runDir = '';
  let stoppedAt = 0;

  before(async () => {
    assertE2EPrerequisites();
    mkdirSync(artifactsDir, { recursive: true });
    rmSync(join(artifactsDir, 'e2e-training-logs'), { recursive: true, force: true });
    const vsix = ensureVsix(log);
    workspace = makeWorkspace();
    runDir = join(workspace, 'runs', RUN);
    server = await startCodeServer({ workspace, vsix, settings: workbenchSettings });
    log(`code-server on port ${server.port}`);
    browser = await launchBrowser();
    wb = new Workbench(browser.page);
    await wb.open(server.url, proteinFile);
    log('workbench loaded');
  });

  after(async () => {
    if (browser) {
      await shot(browser.page, 'last').catch(() => {});
      writeFileSync(join(artifactsDir, 'e2e-training-browser-console.log'), browser.consoleLog().join('\n'));
      await browser.close();
    }
    await server?.stop(join(artifactsDir, 'e2e-training-logs'));
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  /** The training status bar item's text, or '' while it is hidden. */
  const statusText = async (): Promise<string> => {
    const item = wb.statusItem('umeStudio.training');
    return (await item.count()) && (await item.isVisible()) ? ((await item.innerText()).replace(/\s+/g, ' ').trim()) : '';
  };

  async function waitForStep(min: number, what: string, timeoutMs = 120_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let seen = '';
    while (Date.now() < deadline) {
      seen = await statusText();
      const m = /UME (\d+)\/(\d+)/.exec(seen);
      if (m && Number(m[1]) >= min) {
        assert.equal(Number(m[2]), TOTAL, `the status bar shows the total steps (${seen})`);
        return Number(m[1]);
      }
      await wb.page.waitForTimeout(200);
    }
    throw new Error(`the training status bar never showed ${what} within ${timeoutMs} ms; it showed: "${seen}"\n${server?.output().slice(-2000)}`);
  }

  test('Start Training Run: quick picks, then the status bar advances while hovers are answered', async () => {
    await wb.openFromExplorer(proteinFile);
    await runPaletteCommand(wb.page, 'UME: Start Training Run');
    await pickRow(wb.page, /Start Training Run \(1\/5\)/, /Synthetic prompts/);
    await pickRow(wb.page, /Start Training Run \(2\/5\)/, /^Single: the UME reward$/);
    await pickRow(wb.page, /Start Training Run \(3\/5\)/, /^My settings$/);
    await pickRow(wb.page, /Start Training Run \(4\/5\)/, /^cpu$/);
    await quickInput(wb.page, /Start Training Run \(5\/5\)/);
    const input = wb.page.locator('.quick-input-widget .quick-input-box input');
    await input.fill(RUN);
    await shot(wb.page, 'run-name');
    await input.press('Enter');
    log('run started from the palette');

    const first = await waitForStep(1, 'a first step');
    log(`status bar: "${await statusText()}"`);
    assert.match(await statusText(), /UME \d+\/400 · r -?[\d.]+( · ETA \S+)?/);
    await shot(wb.page, 'status-first-step');
    const later = await waitForStep(first + 3, `a step after ${first}`);
    log(`status bar advanced from step ${first} to ${later}`);
    assert.ok(later > first);
    // The progress notification of the run (the start request's work-done progress).
    await wb.page.locator('.notification-toast', { hasText: /UME: training e2e-run/ }).first().waitFor({ timeout: 10_000 });

    // The dashboard opened beside the editor (the editor keeps the focus) and follows the run live.
    await wb.page.locator('.tabs-container .tab', { hasText: `UME Dashboard: ${RUN}` }).first().waitFor({ timeout: 20_000 });
    const seen = await waitForDashboardStep(wb.page, 1);
    const moved = await waitForDashboardStep(wb.page, seen.step + 2);
    log(`dashboard: "${seen.text}" then step ${moved.step}`);
    await shot(wb.page, 'dashboard-live');

    // The language server keeps answering while its child process trains.
    const hover = await wb.hoverOnLine(protein.slice(0, 20), 40, /reward:|scoring failed/, 60_000);
    assert.match(hover, /reward: -?[\d.]+/, hover);
    const during = readStatus(runDir);
    assert.equal(during?.state, 'running', 'the run was training while the hover was answered');
    log(`hover answered at step ${during?.step} of the run`);
    await shot(wb.page, 'hover-while-training');
    await wb.closeHover();
  });

  test('Stop Training Run: a checkpoint, status "stopped", a notification, the runs view', async () => {
    await runPaletteCommand(wb.page, 'UME: Stop Training Run');
    const note = wb.page.locator('.notification-toast', { hasText: /run e2e-run stopped at step \d+ of 400 with a checkpoint/ }).first();
    await note.waitFor({ timeout: 60_000 });
    const text = (await note.innerText()).replace(/\s+/g, ' ');
    stoppedAt = Number(/stopped at step (\d+)/.exec(text)?.[1]);
    log(`stopped: "${text.slice(0, 160)}"`);
    await shot(wb.page, 'stopped-notification');
    const status = readStatus(runDir);
    assert.equal(status?.state, 'stopped');
    assert.equal(status?.step, stoppedAt);
    assert.ok(existsSync(join(runDir, 'checkpoints', `checkpoint_step_${stoppedAt}`, 'state.json')), 'a checkpoint at the step it stopped');
    assert.equal(await statusText(), '', 'the training status bar item is gone');

    // The UME Runs view in the Explorer lists it as stopped.
    const header = wb.page.locator('.pane-header', { hasText: 'UME Runs' }).first();
    await header.waitFor({ timeout: 10_000 });
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    const pane = wb.page.locator('.pane', { has: wb.page.locator('.pane-header', { hasText: 'UME Runs' }) }).first();
    const row = pane.locator('.pane-body .monaco-list-row', { hasText: RUN }).filter({ hasText: /stopped/ }).first();
    await row.waitFor({ timeout: 20_000 });
    const rowText = (await row.innerText()).replace(/\s+/g, ' ');
    assert.match(rowText, new RegExp(`${RUN}\\s*stopped · ${stoppedAt}/400 steps · best -?[\\d.]+`));
    log(`runs view: "${rowText}"`);
    await shot(wb.page, 'runs-view-stopped');
  });

  test('Resume Training Run continues from the checkpoint; the progress notification\'s Cancel stops it again', async () => {
    assert.ok(stoppedAt > 0, 'the run was stopped');
    // Dismiss earlier toasts so that the progress notification's Cancel is the one we click.
    await wb.page.keyboard.press('Escape');
    await runPaletteCommand(wb.page, 'UME: Resume Training Run');
    await pickRow(wb.page, /Resume Training Run/, new RegExp(`^${RUN}$`));
    // With several checkpoints the command asks which; pick the latest.
    const checkpoints = readdirSync(join(runDir, 'checkpoints')).filter((n) => existsSync(join(runDir, 'checkpoints', n, 'state.json')));
    if (checkpoints.length > 1) await pickRow(wb.page, /Resume Training Run/, new RegExp(`^Latest \\(step ${stoppedAt}\\)$`));
    const resumedAt = await waitForStep(stoppedAt + 2, `a step after the checkpoint at ${stoppedAt}`);
    log(`resumed: the status bar shows step ${resumedAt}`);
    await shot(wb.page, 'resumed');

    const progress = wb.page.locator('.notification-toast', { hasText: /UME: resuming e2e-run/ }).first();
    await progress.waitFor({ timeout: 10_000 });
    await progress.hover();
    await progress.locator('.monaco-button, .action-label', { hasText: /^Cancel$/ }).first().click();
    const note = wb.page.locator('.notification-toast', { hasText: /run e2e-run stopped at step \d+ of 400 with a checkpoint/ }).first();
    await note.waitFor({ timeout: 60_000 });
    const second = Number(/stopped at step (\d+)/.exec(await note.innerText())?.[1]);
    assert.ok(second > stoppedAt, `stopped again later (${second} > ${stoppedAt})`);
    await shot(wb.page, 'stopped-again');

    // The run's metrics go on from the checkpoint without a gap or a repeat.
    const steps = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { step: number }).step);
    assert.deepEqual(steps, Array.from({ length: second }, (_, i) => i + 1));
    const events = readFileSync(join(runDir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; resumed_from?: string | null });
    assert.ok(events.some((e) => e.type === 'started' && e.resumed_from?.endsWith(`checkpoint_step_${stoppedAt}`)), 'the second start resumed from the checkpoint');
    assert.equal(readStatus(runDir)?.state, 'stopped');
    log(`stopped again at ${second}; metrics rows 1..${second}`);
  });

  test('UME Runs view: a click opens the dashboard on the run; the context menu offers the run\'s actions and deletes it after a confirmation', async () => {
    // Close the dashboard the run opened, so that the click is what opens it again.
    const tab = wb.page.locator('.tabs-container .tab', { hasText: `UME Dashboard: ${RUN}` }).first();
    await tab.click();
    await runPaletteCommand(wb.page, 'View: Close Editor');
    await tab.waitFor({ state: 'detached', timeout: 10_000 });
    const pane = wb.page.locator('.pane', { has: wb.page.locator('.pane-header', { hasText: 'UME Runs' }) }).first();
    const row = pane.locator('.pane-body .monaco-list-row', { hasText: RUN }).first();
    await row.waitFor({ timeout: 20_000 });
    await row.click();
    await wb.page.locator('.tabs-container .tab.active', { hasText: `UME Dashboard: ${RUN}` }).waitFor({ timeout: 15_000 });
    // The stopped run's page: its figures (steps as far as it went) and no live badge.
    const steps = dashboardPage(wb.page).locator('.figures', { hasText: 'steps' }).first();
    await steps.waitFor({ timeout: 20_000 });
    const figures = (await steps.innerText()).replace(/\s+/g, ' ');
    assert.match(figures, /stopped state/, figures);
    assert.match(figures, new RegExp(`\\d+ / ${TOTAL} steps`), figures);
    log(`dashboard from the runs view: "${figures.slice(0, 200)}"`);
    await shot(wb.page, 'dashboard-from-runs-view');

    // A window reload brings the panel back with its run (the serializer and the page's saved state).
    // Reload through VS Code's own command, as a user does: it shuts the workbench down first, which
    // saves the open editors; a bare page reload can lose that write (it failed so on a CI run).
    await runPaletteCommand(wb.page, 'Developer: Reload Window');
    await wb.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await wb.page.locator('.tabs-container .tab', { hasText: `UME Dashboard: ${RUN}` }).first().waitFor({ timeout: 60_000 });
    const restored = dashboardPage(wb.page).locator('.figures', { hasText: 'steps' }).first();
    await restored.waitFor({ timeout: 60_000 });
    assert.equal((await restored.innerText()).replace(/\s+/g, ' '), figures, 'the restored page shows the same run');
    log('the dashboard came back after a window reload');
    await shot(wb.page, 'dashboard-after-reload');

    await row.click({ button: 'right' });
    const menu = wb.page.locator('.context-view .monaco-menu').first();
    await menu.waitFor({ timeout: 10_000 });
    const items = (await menu.locator('.action-label').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
    log(`context menu: ${items.join(' | ')}`);
    for (const want of ['Open Dashboard', 'Open Run Folder', 'Reveal Checkpoint', 'Resume Training Run', 'Delete Run…']) assert.ok(items.includes(want), `the context menu offers ${want}: ${items.join(' | ')}`);
    await shot(wb.page, 'runs-context-menu');
    await menu.locator('.action-label', { hasText: /^Delete Run…$/ }).click();
    const dialog = wb.page.locator('.monaco-dialog-box').first();
    await dialog.waitFor({ timeout: 10_000 });
    assert.match(await dialog.innerText(), new RegExp(`Delete the run ${RUN}\\?[\\s\\S]*will be deleted`));
    await shot(wb.page, 'delete-confirmation');
    await dialog.locator('.monaco-button', { hasText: /^Delete$/ }).click();
    await row.waitFor({ state: 'detached', timeout: 20_000 });
    assert.equal(existsSync(runDir), false, 'the run folder is gone');
  });
});
