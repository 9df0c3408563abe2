// Restricted Mode in a real VS Code (code-server with workspace trust on, the folder not trusted):
// the extension runs ("limited" support), but "UME: Start Training Run" is refused with the reason
// and a way to trust the folder, and nothing is written. Screenshot: .test-artifacts/e2e-training-untrusted.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertE2EPrerequisites, artifactsDir } from './harness/paths';
import { ensureVsix } from './harness/vsix';
import { startCodeServer, type CodeServer } from './harness/code-server';
import { launchBrowser, type BrowserSession } from './harness/browser';
import { Workbench } from './harness/workbench';
import { workbenchSettings } from './fixtures';

const t0 = Date.now();
const log = (s: string) => process.stderr.write(`[e2e-untrusted ${((Date.now() - t0) / 1000).toFixed(1)}s] ${s}\n`);

describe('training in Restricted Mode', { timeout: 240_000 }, () => {
  let workspace: string | undefined;
  let server: CodeServer | undefined;
  let browser: BrowserSession | undefined;
  let wb: Workbench;

  before(async () => {
    assertE2EPrerequisites();
    mkdirSync(artifactsDir, { recursive: true });
    const vsix = ensureVsix(log);
    workspace = mkdtempSync(join(tmpdir(), 'ume-e2e-untrusted-ws-'));
    mkdirSync(join(workspace, '.vscode'));
    // A workspace setting a training would read: restricted, so ignored in Restricted Mode.
    writeFileSync(join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'umeStudio.training.maxSteps': 2 }));
    writeFileSync(join(workspace, 'notes.fasta'), '>p\nMKTAYIAKQRQISFVKSHFSRQLEERLGLIEVQ\n');
    const settings = { ...workbenchSettings, 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'always' };
    server = await startCodeServer({ workspace, vsix, settings, workspaceTrust: true });
    browser = await launchBrowser();
    wb = new Workbench(browser.page);
    await wb.open(server.url, 'notes.fasta');
    log('workbench loaded');
  });

  after(async () => {
    if (browser) {
      writeFileSync(join(artifactsDir, 'e2e-untrusted-browser-console.log'), browser.consoleLog().join('\n'));
      await browser.close();
    }
    await server?.stop();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  test('Start Training Run is refused with the reason and a way to trust the folder; nothing is written', async () => {
    // The extension is active in Restricted Mode: its status bar item is there.
    await wb.statusItem('umeStudio.status').waitFor({ timeout: 30_000 });
    const start = Date.now();
    let refused = false;
    while (!refused && Date.now() - start < 40_000) {
      await wb.runCommand('UME: Start Training Run');
      refused = await wb.page
        .locator('.notification-toast', { hasText: /does not train in Restricted Mode/ })
        .first()
        .waitFor({ timeout: 5_000 })
        .then(() => true, () => false);
    }
    assert.ok(refused, `no refusal shown; notifications: ${(await wb.notificationTexts()).join(' | ')}`);
    const toast = wb.page.locator('.notification-toast', { hasText: /does not train in Restricted Mode/ }).first();
    const text = (await toast.innerText()).replace(/\s+/g, ' ');
    assert.match(text, /a training run executes reward configurations and reads the files this workspace's settings name/);
    assert.match(text, /Manage Workspace Trust/);
    await wb.page.screenshot({ path: join(artifactsDir, 'e2e-training-untrusted.png') });
    log(`refused: "${text.slice(0, 200)}"`);
    // No quick pick was opened and no run folder written.
    assert.equal(await wb.page.locator('.quick-input-widget .quick-input-title', { hasText: /Start Training Run \(1\/5\)/ }).isVisible(), false);
    assert.equal(existsSync(join(workspace ?? '', 'runs')), false);
  });
});
