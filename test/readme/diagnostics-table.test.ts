// README.md's Diagnostics table must be what scripts/gen-diagnostics-table.ts generates from the code
// table, so a new or changed code cannot ship undocumented.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderReadme } from '../../scripts/gen-diagnostics-table';
import { DIAGNOSTIC_CODES } from '../../server/src/engine/seq/index';

const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

test('README Diagnostics table is up to date (fix: node --import tsx scripts/gen-diagnostics-table.ts)', () => {
  assert.equal(readme, renderReadme(readme));
});

test('every code appears in the README exactly once as a table row', () => {
  for (const c of DIAGNOSTIC_CODES) {
    assert.equal(readme.split(`\n| ${c.code} |`).length - 1, 1, c.code);
  }
});

test('the generator refuses a README without markers instead of guessing', () => {
  assert.throws(() => renderReadme('# README\n'), /no diagnostics table markers/);
});
