import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collateRows, packRows, planRows, residuePositions, sampledPositions } from './pll';
import { encode, SPECIAL } from './tokenizer';

test('residue positions exclude cls, eos and literal specials but keep <unk>', () => {
  const e = encode('MKa<mask>V', 'amino_acid'); // a -> <unk>, <mask> written literally
  assert.deepEqual(e.ids, [1, 43, 38, SPECIAL.unk, SPECIAL.mask, 30, 4]);
  assert.deepEqual(residuePositions(e), [1, 2, 3, 5]);
});

test('sampled positions: k of the residues, ascending, seeded by (seed, ids) only', () => {
  const e = encode('MKTAYIAKQRQISFVKSHFSRQ', 'amino_acid');
  const a = sampledPositions(e, 5, 1);
  assert.equal(a.length, 5);
  assert.deepEqual([...a].sort((x, y) => x - y), a);
  assert.ok(a.every((p) => p >= 1 && p <= e.ids.length - 2));
  assert.equal(new Set(a).size, 5);
  assert.deepEqual(sampledPositions(e, 5, 1), a);
  assert.notDeepEqual(sampledPositions(e, 5, 2), a);
  assert.deepEqual(sampledPositions(e, 99, 1), residuePositions(e));
});

test('planRows: one unmasked row per sequence; one masked row per residue with the original as target', () => {
  const encs = [encode('VYF', 'amino_acid'), encode('CCO', 'SMILES')];
  const un = planRows(encs, { mode: 'unmasked' });
  assert.deepEqual(un.map((r) => r.positions), [[0, 1, 2, 3, 4], [0, 1, 2, 3, 4]]);
  const m = planRows(encs, { mode: 'masked' });
  assert.equal(m.length, 6);
  assert.deepEqual(m[1], { seq: 0, ids: [1, 30, SPECIAL.mask, 41, 4], positions: [2], targets: [42] });
});

test('packRows keeps every batch within the token and attention bounds, longest first', () => {
  const rows = [3, 9, 5, 9, 2, 7, 7, 4].map((n) => ({ ids: new Array<number>(n).fill(25) }));
  const limits = { maxTokens: 20, maxAttention: 400, heads: 2 };
  const batches = packRows(rows, limits);
  assert.equal(batches.flat().length, rows.length);
  for (const b of batches) {
    const T = Math.max(...b.map((r) => r.ids.length));
    if (b.length > 1) {
      assert.ok(b.length * T <= limits.maxTokens);
      assert.ok(b.length * limits.heads * T * T <= limits.maxAttention);
    }
  }
  assert.equal(batches[0]![0]!.ids.length, 9);
  const big = packRows([{ ids: new Array<number>(50).fill(25) }], limits);
  assert.equal(big.length, 1, 'a row larger than the bounds still runs, alone');
});

test('collateRows pads right with <pad> to the longest row and masks padding', () => {
  const b = collateRows([{ ids: [1, 30, 4] }, { ids: [2, 4] }]);
  assert.equal(b.length, 3);
  assert.deepEqual(Array.from(b.inputIds, Number), [1, 30, 4, 2, 4, SPECIAL.pad]);
  assert.deepEqual(Array.from(b.attentionMask, Number), [1, 1, 1, 1, 1, 0]);
});
