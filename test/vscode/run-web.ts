// `npm run test:vscode:web`: the extension-host suite (the same bundle test:vscode runs) inside
// code-server's real Node extension host, through VS Code's smoke-test driver (REFERENCE.md §6,
// test-runner mode): code-server starts with --vscode-option enable-smoke-test-driver, Chromium opens
// the workbench with extensionDevelopmentPath/extensionTestsPath in its payload, and the suite's
// log lines and exit code come back through codeAutomationLog/codeAutomationExit. Prints the
// suite's pass/fail counts; exits with the suite's code. Needs scripts/setup-e2e.sh and chromium.
//
// --vsix: run the suite against the packaged extension instead of the checkout: dist/ume-studio.vsix
// (rebuilt by `npm run package` when older than its inputs) is installed with code-server's
// --install-extension into the fresh extensions folder, and extensionDevelopmentPath points at the
// folder it was unpacked into, so the suite exercises exactly what a user installs. `npm test` runs it
// this way (test/vscode/extension-host.test.ts).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import { chromium } from 'playwright-core';
import { installVsix } from '../e2e/harness/code-server';
import { assertE2EPrerequisites, chromiumPath, codeServerEntry, nodeBin } from '../e2e/harness/paths';
import { ensureVsix } from '../e2e/harness/vsix';
import { buildSuite, ROOT } from './build-suite';
import { makeWorkspace } from './workspace';

const TIMEOUT_MS = Number(process.env.UME_VSCODE_SUITE_TIMEOUT_MS ?? 600_000);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

async function main(): Promise<number> {
  assertE2EPrerequisites();
  const fromVsix = process.argv.includes('--vsix');
  const vsix = fromVsix ? ensureVsix((line) => console.log(`test:vscode:web: ${line}`)) : undefined;
  if (!fromVsix) {
    const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' });
    if (build.status !== 0) return build.status ?? 1;
  }
  const suite = await buildSuite();
  const workspace = makeWorkspace();
  const dirs = mkdtempSync(join(tmpdir(), 'ume-vscode-web-'));
  const config = join(dirs, 'config.yaml');
  writeFileSync(config, 'auth: none\ncert: false\n');
  const port = await freePort();
  const env = { ...process.env, PATH: `${join(nodeBin, '..')}:${process.env.PATH ?? ''}` };
  let extensionPath = ROOT;
  if (vsix) {
    extensionPath = installVsix(vsix, { config, userData: join(dirs, 'user-data'), extensions: join(dirs, 'extensions') }, env).extensionPath;
    console.log(`test:vscode:web: installed ${vsix} into ${extensionPath}`);
  }
  const server = spawn(
    nodeBin,
    [
      codeServerEntry, '--config', config, '--user-data-dir', join(dirs, 'user-data'), '--extensions-dir', join(dirs, 'extensions'),
      '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
      '--disable-getting-started-override', '--reconnection-grace-time', '30', '--vscode-option', 'enable-smoke-test-driver', workspace,
    ],
    { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let serverOut = '';
  server.stdout?.on('data', (b: Buffer) => (serverOut += b.toString()));
  server.stderr?.on('data', (b: Buffer) => (serverOut += b.toString()));
  const stopServer = () => {
    try {
      if (server.pid !== undefined) process.kill(-server.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', stopServer);
  const profile = mkdtempSync(join(tmpdir(), 'ume-vscode-web-chromium-'));
  try {
    for (let i = 0; ; i++) {
      if (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false)) break;
      if (i > 300) throw new Error(`code-server did not start:\n${serverOut}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const lines: string[] = [];
    let exitCode: number | undefined;
    let finished: () => void = () => {};
    const done = new Promise<void>((resolve) => (finished = resolve));
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      // The extension host forwards console calls with their format arguments ('%s (%dms)', ...).
      const line = format(...(Array.isArray(args) ? args : [args]));
      lines.push(line);
      // The workbench's own chatter (chat, agent host) is not the suite's; keep the log readable.
      if (!/^\[(AgentHost|ChatModelSelection)\]/.test(line)) console.log(line);
      void type;
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => {
      exitCode = code;
      finished();
    });
    const remote = (p: string) => `vscode-remote://127.0.0.1:${port}${p}`;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', remote(extensionPath)],
      ['extensionTestsPath', remote(suite)],
    ]);
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise<void>((resolve) => (timer = setTimeout(resolve, TIMEOUT_MS)))]);
    clearTimeout(timer);
    await context.close().catch(() => {});
    const counts = lines.reverse().find((l) => /UME extension-host suite: \d+ passed/.test(l));
    if (exitCode === undefined) {
      console.error(`test:vscode:web: the suite did not finish within ${TIMEOUT_MS} ms${counts ? ` (${counts})` : ''}\ncode-server:\n${serverOut.slice(-3000)}`);
      return 1;
    }
    console.log(`test:vscode:web: ${counts ?? 'the suite printed no counts'}; exit code ${exitCode}`);
    return exitCode;
  } finally {
    stopServer();
    rmSync(profile, { recursive: true, force: true });
    rmSync(dirs, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`test:vscode:web: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
