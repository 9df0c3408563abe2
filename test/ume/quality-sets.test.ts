import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../server/src/engine/train/rng';
import { encode } from '../../server/src/engine/ume/tokenizer';
import { auroc, compositionEntropy, gapForAuroc, shuffleEncoding, stdev } from '../../scripts/ume/quality-sets';

test('composition entropy: 0 for one repeated residue, ln k for k residues in equal numbers, and a shuffle keeps it', () => {
  assert.equal(compositionEntropy(encode('AAAAAAAA', 'amino_acid')), 0);
  assert.ok(Math.abs(compositionEntropy(encode('ACDEACDE', 'amino_acid')) - Math.log(4)) < 1e-12);
  const real = encode('MKVLAAGIVGLLLAQSPAHA', 'amino_acid');
  const h = compositionEntropy(real);
  assert.ok(h > 1 && h < Math.log(20));
  assert.ok(Math.abs(compositionEntropy(shuffleEncoding(real, new Rng(5))) - h) < 1e-12);
});

test('stdev is the population standard deviation', () => {
  assert.equal(stdev([2, 4, 4, 4, 5, 5, 7, 9]), 2);
  assert.equal(stdev([3, 3, 3]), 0);
});

test('two normal score sets gapForAuroc(0.9) apart score AUROC ~0.90; half that gap, ~0.74', () => {
  const rng = new Rng(9);
  const sdPos = 0.097;
  const sdNeg = 0.082;
  const gap = gapForAuroc(sdPos, sdNeg);
  assert.ok(Math.abs(gap - 1.2816 * Math.hypot(sdPos, sdNeg)) < 1e-12);
  const draw = (mu: number, sd: number): number[] => Array.from({ length: 4000 }, () => mu + sd * rng.normal());
  const neg = draw(-2.9, sdNeg);
  assert.ok(Math.abs(auroc(draw(-2.9 + gap, sdPos), neg) - 0.9) < 0.015);
  assert.ok(Math.abs(auroc(draw(-2.9 + gap / 2, sdPos), neg) - 0.74) < 0.02);
  assert.throws(() => gapForAuroc(0.1, 0.1, 0.8), /no z for AUROC 0.8/);
});
