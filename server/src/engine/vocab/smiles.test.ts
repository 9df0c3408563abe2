import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SMILES_ID_RANGE, SMILES_SPLIT, SMILES_VOCABULARY } from './smiles';
import { encode, tokenString } from '../ume/tokenizer';

test('the SMILES vocabulary is exactly the tokens of UME\'s SMILES id range, each one token for the tokenizer', () => {
  const [lo, hi] = SMILES_ID_RANGE;
  assert.equal(SMILES_VOCABULARY.size, hi - lo + 1);
  for (let id = lo; id <= hi; id++) assert.ok(SMILES_VOCABULARY.has(tokenString(id)), `id ${id}`);
  assert.deepEqual(encode('CCO', 'SMILES').ids, [2, 54, 54, 58, 4]);
});

test('the split regex cuts SMILES as UME\'s pre-tokenizer does (bracket atoms, two-letter halogens, %nn)', () => {
  const pieces = (s: string): string[] => [...s.matchAll(new RegExp(SMILES_SPLIT.source, 'g'))].map((m) => m[0]);
  assert.deepEqual(pieces('CCO'), ['C', 'C', 'O']);
  assert.deepEqual(pieces('[C@@H](Cl)Br'), ['[C@@H]', '(', 'Cl', ')', 'Br']);
  assert.deepEqual(pieces('C%12CC%12'), ['C', '%12', 'C', 'C', '%12']);
});
