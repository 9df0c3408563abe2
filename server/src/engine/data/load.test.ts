import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatasetError, loadPromptDataset, syntheticDataset } from './index';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'ume-data-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('synthetic: the asked split (train by default), every split attached, maxSamples', async () => {
  const d = syntheticDataset();
  const train = await loadPromptDataset({ kind: 'synthetic' });
  assert.deepEqual(train.rows, d.splits.train);
  assert.equal(train.source, 'synthetic:train (lobster-style, seed 42)');
  assert.deepEqual(train.splits, d.splits);
  const val = await loadPromptDataset({ kind: 'synthetic', split: 'validation' }, { maxSamples: 4 });
  assert.deepEqual(val.rows, d.splits.validation.slice(0, 4));
  const other = await loadPromptDataset({ kind: 'synthetic', split: 'full', seed: 5, perModality: 10 });
  assert.equal(other.rows.length, 30);
  assert.equal(other.source, 'synthetic:full (lobster-style, seed 5, 10 per modality)');
  await assert.rejects(loadPromptDataset({ kind: 'synthetic', split: 'dev' as never }), /unknown synthetic split "dev": use one of train, validation, test, full/);
  await assert.rejects(loadPromptDataset({ kind: 'synthetic' }, { maxSamples: 0 }), /maxSamples must be a positive integer/);
});

test('jsonl: rows and warnings; bad lines are one DatasetError naming all of them', async () => {
  await withDir(async (dir) => {
    const good = join(dir, 'good.jsonl');
    await writeFile(good, '{"prompt": "a <smiles>"}\n{"prompt": "b"}\n{"prompt": "c <dna>"}\n');
    const d = await loadPromptDataset({ kind: 'jsonl', path: good }, { maxSamples: 2 });
    assert.deepEqual(d.rows, [{ prompt: 'a <smiles>', modality: 'SMILES' }, { prompt: 'b', modality: null }]);
    assert.equal(d.source, good);
    assert.deepEqual(d.warnings.map((w) => w.line), [2]);

    const bad = join(dir, 'bad.jsonl');
    await writeFile(bad, '{"prompt": "a"}\n{oops\n{"prompt": 1}\n\n[1]\n');
    const err = await loadPromptDataset({ kind: 'jsonl', path: bad }).then(
      () => assert.fail('should reject'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof DatasetError);
    assert.deepEqual(err.problems.map((p) => p.line), [2, 3, 5]);
    assert.match(err.message, /3 bad lines \(run "ume-studio dataset check .*bad\.jsonl" for the full report\)/);
    assert.match(err.message, /\n {2}line 2: not valid JSON.*\n {2}line 3: .*\n {2}line 5: expected a JSON object/);
  });
});

test('jsonl: empty, missing, directory and non-UTF-8 files get clear errors', async () => {
  await withDir(async (dir) => {
    const empty = join(dir, 'empty.jsonl');
    await writeFile(empty, '');
    await assert.rejects(loadPromptDataset({ kind: 'jsonl', path: empty }), (e: Error) => e instanceof DatasetError && /empty\.jsonl: the file is empty: expected JSON Lines/.test(e.message));
    await assert.rejects(loadPromptDataset({ kind: 'jsonl', path: join(dir, 'nope.jsonl') }), /cannot read dataset .*nope\.jsonl: no such file/);
    await assert.rejects(loadPromptDataset({ kind: 'jsonl', path: dir }), /is a directory: give a JSONL file/);
    const latin1 = join(dir, 'latin1.jsonl');
    await writeFile(latin1, Buffer.from([0x7b, 0x22, 0x70, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d, 0x0a]));
    await assert.rejects(loadPromptDataset({ kind: 'jsonl', path: latin1 }), /is not UTF-8 text/);
  });
});
