// Drives VS Code's workbench the way a user does: explorer clicks, the command palette, the
// Problems panel, the code-action (lightbulb) menu. Selectors are VS Code 1.139's DOM classes.
import type { Locator, Page } from 'playwright-core';

export class Workbench {
  constructor(readonly page: Page) {}

  /** Loads the workbench and waits until the explorer shows the workspace's files. */
  async open(url: string, expectFile: string): Promise<void> {
    await this.page.goto(url, { waitUntil: 'domcontentloaded', timeout: 30_000 });
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 30_000 });
    await this.explorerRow(expectFile).waitFor({ timeout: 30_000 });
  }

  explorerRow(name: string): Locator {
    return this.page.locator('.explorer-folders-view .monaco-list-row').filter({
      has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(name)}$`) }),
    });
  }

  /**
   * Opens a file by double-clicking it in the explorer (a pinned editor: a single click opens a
   * preview that the next file replaces, closing the document and clearing its diagnostics),
   * and waits for its editor tab to be active.
   */
  async openFromExplorer(name: string): Promise<void> {
    await this.explorerRow(name).dblclick();
    // Generous: the first editor of a fresh workbench loads Monaco's editor code, which took over 15 s
    // on a CI run while other jobs shared the two cores.
    await this.page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ timeout: 45_000 });
    await this.activeEditor().locator('.view-lines').waitFor({ timeout: 45_000 });
  }

  activeEditor(): Locator {
    return this.page.locator('.editor-group-container.active .monaco-editor').first();
  }

  /** Runs a command from the palette by its title (F1, type, Enter on the matching row). */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ timeout: 10_000 });
    await input.fill(`>${title}`);
    const row = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', {
      has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }),
    });
    await row.first().waitFor({ timeout: 10_000 });
    await row.first().click();
    await input.waitFor({ state: 'hidden', timeout: 10_000 });
  }

  /** Rows of the Problems panel (opening it first). */
  async problems(): Promise<Locator> {
    const panel = this.page.locator('.markers-panel');
    if (!(await panel.isVisible())) await this.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    await panel.waitFor({ timeout: 10_000 });
    return panel.locator('.monaco-list-row');
  }

  /** The accessible labels of every Problems row: file rows and marker rows (message, code, position). */
  async problemTexts(): Promise<string[]> {
    const rows = await this.problems();
    return rows.evaluateAll((els) => els.map((e) => `${e.getAttribute('aria-label') ?? ''} | ${e.textContent ?? ''}`));
  }

  /** Polls until `predicate` holds for the Problems rows' texts; returns them. */
  async waitForProblems(predicate: (texts: string[]) => boolean, timeoutMs: number, what: string): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    let texts: string[] = [];
    while (Date.now() < deadline) {
      texts = await this.problemTexts();
      if (predicate(texts)) return texts;
      await this.page.waitForTimeout(250);
    }
    throw new Error(`Problems panel never showed ${what} within ${timeoutMs} ms. Rows:\n${texts.join('\n') || '(none)'}`);
  }

  /** A status bar entry contributed by an extension, by the id it passed to createStatusBarItem. */
  statusItem(id: string): Locator {
    return this.page.locator(`.statusbar-item[id$=".${id}"]`);
  }

  /**
   * Clicks into the editor line that contains `lineText`, opens the code-action menu (Ctrl+.) and
   * picks the action whose title matches `title`. Returns the title it picked. Retries the menu
   * while the server has not answered yet (the menu then says there are no code actions).
   */
  async applyQuickFixOnLine(lineText: string, title: RegExp, timeoutMs = 20_000): Promise<string> {
    const line = this.activeEditor().locator('.view-lines .view-line', { hasText: lineText });
    const deadline = Date.now() + timeoutMs;
    let seen: string[] = [];
    while (Date.now() < deadline) {
      await line.first().click({ position: { x: 5, y: 5 } });
      await this.page.keyboard.press('Control+Period');
      const menu = this.page.locator('.action-widget:not(.action-list-submenu-panel)').first();
      const rows = menu.locator('.monaco-list-row.action');
      try {
        await rows.first().waitFor({ timeout: 3_000 });
      } catch {
        await this.page.keyboard.press('Escape');
        continue;
      }
      seen = (await rows.allTextContents()).map((s) => s.trim());
      const idx = seen.findIndex((s) => title.test(s));
      if (idx >= 0) {
        const picked = seen[idx] ?? '';
        await rows.nth(idx).click();
        await menu.waitFor({ state: 'hidden', timeout: 5_000 });
        return picked;
      }
      await this.page.keyboard.press('Escape');
      await this.page.waitForTimeout(300);
    }
    throw new Error(`no code action matching ${title} on the line "${lineText}" within ${timeoutMs} ms; menu showed: ${seen.join(' | ') || '(nothing)'}`);
  }

  /** Saves the active editor (Ctrl+S) once it is dirty, and waits until its tab is clean again. */
  async save(): Promise<void> {
    const dirtyTab = this.page.locator('.tabs-container .tab.active.dirty');
    await dirtyTab.waitFor({ timeout: 10_000 });
    await this.activeEditor().locator('.view-lines').click();
    await this.page.keyboard.press('Control+S');
    await dirtyTab.waitFor({ state: 'detached', timeout: 10_000 });
  }

  /**
   * Shows the editor hover at `x` pixels into the line containing `lineText` (click there, then
   * Ctrl+K Ctrl+I, "Show or Focus Hover") and returns the hover's text once it matches `expect`.
   * Retries while it does not: the first hover can come before the language server is ready, or
   * show "Loading..." while the model loads.
   */
  async hoverOnLine(lineText: string, x: number, expect: RegExp, timeoutMs = 30_000): Promise<string> {
    const line = this.activeEditor().locator('.view-lines .view-line', { hasText: lineText }).first();
    const hover = this.page.locator('.monaco-hover:visible');
    const deadline = Date.now() + timeoutMs;
    let seen = '';
    while (Date.now() < deadline) {
      await line.click({ position: { x, y: 5 } });
      await this.page.keyboard.press('Control+K');
      await this.page.keyboard.press('Control+I');
      const wanted = hover.filter({ hasText: expect }).first();
      try {
        await wanted.waitFor({ timeout: 4_000 });
        return (await wanted.innerText()).replace(/\u00a0/g, ' ');
      } catch {
        seen = (await hover.allInnerTexts().catch(() => [])).join('\n---\n');
        await this.page.keyboard.press('Escape');
        await this.page.waitForTimeout(300);
      }
    }
    throw new Error(`no hover matching ${expect} on the line "${lineText}" within ${timeoutMs} ms; last hover showed: ${seen || '(nothing)'}`);
  }

  /** Closes any open hover (Escape) and waits until none is visible. */
  async closeHover(): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.locator('.monaco-hover:visible').first().waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {});
  }

  /**
   * Text decorations an extension set on the active editor (createTextEditorDecorationType gives
   * each type a "ced-..." class; background colours render as overlay boxes behind the text).
   */
  extensionDecorations(): Locator {
    return this.activeEditor().locator('.view-overlays [class*="ced-"]');
  }

  /** The text of the visible notification toasts. */
  notificationTexts(): Promise<string[]> {
    return this.page.locator('.notification-toast .notification-list-item-message').allInnerTexts();
  }

  /** The text of the active editor's rendered lines (the test files fit on one screen). */
  async editorText(): Promise<string> {
    const lines = this.activeEditor().locator('.view-lines .view-line');
    const items = await lines.evaluateAll((els) =>
      els
        .map((e) => ({ top: parseFloat((e as HTMLElement).style.top || '0'), text: (e.textContent ?? '').replace(/\u00a0/g, ' ') }))
        .sort((a, b) => a.top - b.top)
        .map((x) => x.text),
    );
    return items.join('\n');
  }
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
