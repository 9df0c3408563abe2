import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kmerDiversity, sequenceContent } from './diversity';

test('k-mer diversity separates repeats from varied sequences', () => {
  assert.equal(sequenceContent('<protein>MKV</protein>'), 'MKV');
  assert.equal(kmerDiversity(['<protein>AAAAAAAAAAAA</protein>']), 1 / 10);
  assert.equal(kmerDiversity(['<dna>ACGTTGCA</dna>']), 1);
  assert.ok(Number.isNaN(kmerDiversity(['<smiles>C</smiles>'])));
  assert.equal(kmerDiversity(['<smiles>CCO</smiles>', '<smiles>CCO</smiles>']), 0.5);
});
