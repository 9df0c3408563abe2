// The folder the extension-host suite opens: a fresh copy of examples/ (tests edit settings and
// documents; the checkout must stay as it is).
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './build-suite';

export function makeWorkspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ume-vscode-suite-'));
  cpSync(join(ROOT, 'examples'), dir, { recursive: true });
  return dir;
}
