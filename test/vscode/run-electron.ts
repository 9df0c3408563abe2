// `npm run test:vscode`: the extension-host suite in desktop VS Code through @vscode/test-electron.
// It downloads the pinned VS Code build into .vscode-test/ (network needed: it cannot run on the
// offline CI machine, where `npm run test:vscode:web` runs the same suite inside code-server).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { buildSuite, ROOT } from './build-suite';
import { makeWorkspace } from './workspace';

/** The VS Code release the suite is pinned to (the one code-server 4.139.1 bundles). */
export const VSCODE_VERSION = '1.139.1';

async function main(): Promise<void> {
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
  const extensionTestsPath = await buildSuite();
  const workspace = makeWorkspace();
  try {
    await runTests({
      version: VSCODE_VERSION,
      extensionDevelopmentPath: ROOT,
      extensionTestsPath,
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
    });
  } catch (e) {
    console.error(`test:vscode: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}

void main();
