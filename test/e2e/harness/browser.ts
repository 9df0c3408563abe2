// Launches Debian's Chromium through playwright-core, headless, with a throw-away profile.
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumPath } from './paths';

export interface BrowserSession {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Console errors and page errors seen so far (for failure messages). */
  consoleLog(): string[];
  close(): Promise<void>;
}

// Flags from REFERENCE.md §6: no sandbox (root in a container), no GPU, nothing that phones home.
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export async function launchBrowser(): Promise<BrowserSession> {
  const profile = mkdtempSync(join(tmpdir(), 'ume-e2e-chromium-'));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: chromiumArgs,
      viewport: { width: 1400, height: 900 },
      timeout: 30_000,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const log: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') log.push(m.text());
    });
    page.on('pageerror', (e) => log.push(String(e)));
    const ctx = context;
    return {
      page,
      context: ctx,
      consoleLog: () => log,
      close: async () => {
        await ctx.close().catch(() => {});
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await context?.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
}
