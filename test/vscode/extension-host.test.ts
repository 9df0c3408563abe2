// Runs the extension-host suite (test/vscode/suite) inside code-server's real extension host, as
// `npm run test:vscode:web` does, so `npm test` (and CI) runs it and shows its pass/fail counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './build-suite';

test('the extension-host suite passes inside code-server', { timeout: 900_000 }, () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'vscode', 'run-web.ts')], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const out = `${r.stdout}\n${r.stderr}`;
  const counts = /UME extension-host suite: (\d+) passed, (\d+) failed, (\d+) pending/.exec(out);
  // The counts go to the test log whatever the outcome (CI prints them).
  console.log(counts ? counts[0] : 'the extension-host suite printed no counts');
  assert.ok(counts, `no counts line; last output:\n${out.slice(-4000)}`);
  assert.equal(Number(counts[2]), 0, `failures:\n${out.slice(-6000)}`);
  assert.ok(Number(counts[1]) >= 8, `only ${counts[1]} tests passed`);
  assert.equal(r.status, 0, out.slice(-3000));
});
