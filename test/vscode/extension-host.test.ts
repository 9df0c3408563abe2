// Runs the extension-host suite (test/vscode/suite) inside code-server's real extension host, as
// `npm run test:vscode:web -- --vsix` does, so `npm test` (and CI) runs it and shows its pass/fail
// counts. It runs against the packaged extension: dist/ume-studio.vsix installed into a fresh
// code-server's extensions folder (what users get), not the checkout; the suite runs once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './build-suite';

test('the extension-host suite passes inside code-server against the installed .vsix', { timeout: 900_000 }, () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'vscode', 'run-web.ts'), '--vsix'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const out = `${r.stdout}\n${r.stderr}`;
  const counts = /UME extension-host suite: (\d+) passed, (\d+) failed, (\d+) pending/.exec(out);
  // The counts go to the test log whatever the outcome (CI prints them).
  console.log(counts ? counts[0] : 'the extension-host suite printed no counts');
  assert.ok(counts, `no counts line; last output:\n${out.slice(-4000)}`);
  // The extension the suite exercised is the one code-server unpacked from the .vsix.
  const installed = /test:vscode:web: installed \S+\.vsix into (\S+)/.exec(out)?.[1];
  const underTest = /UME extension-host suite: extension under test at (\S+)/.exec(out)?.[1];
  assert.ok(installed, `the runner did not install the .vsix:\n${out.slice(0, 3000)}`);
  assert.equal(underTest, installed, 'the suite ran against another copy of the extension than the installed .vsix');
  assert.equal(Number(counts[2]), 0, `failures:\n${out.slice(-6000)}`);
  assert.ok(Number(counts[1]) >= 8, `only ${counts[1]} tests passed`);
  assert.equal(r.status, 0, out.slice(-3000));
});
