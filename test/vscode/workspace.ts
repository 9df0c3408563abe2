// The folder the extension-host suite opens: a fresh copy of examples/ (tests edit settings and
// documents; the checkout must stay as it is), with the recorded fixture runs of test/fixtures/runs
// (written by scripts/make-run-fixtures.ts through the trainer's RunWriter) in its runs/ folder,
// the default training output folder, for the dashboard tests.
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './build-suite';

/** Fixture runs copied into WORKSPACE/runs/ (a copy: tests append to grpo-live). */
export const WORKSPACE_RUNS = ['grpo-multi', 'grpo-single', 'grpo-live'] as const;

export function makeWorkspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ume-vscode-suite-'));
  cpSync(join(ROOT, 'examples'), dir, { recursive: true });
  for (const run of WORKSPACE_RUNS) cpSync(join(ROOT, 'test', 'fixtures', 'runs', run), join(dir, 'runs', run), { recursive: true });
  return dir;
}
