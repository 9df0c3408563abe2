import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderDoc } from '../../scripts/gen-training-keys';

test('docs/training.md lists every training setting as config.ts defines it', () => {
  const path = join(__dirname, '..', '..', 'docs', 'training.md');
  const doc = readFileSync(path, 'utf8');
  assert.equal(renderDoc(doc), doc, 'run: node --import tsx scripts/gen-training-keys.ts');
});
