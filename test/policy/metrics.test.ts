import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kmerDiversity, lengthStats, setFigures } from '../../scripts/policy/policy-metrics';

test('length statistics: mean, sample sd and nearest-rank percentiles', () => {
  const s = lengthStats([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(s.mean, 5.5);
  assert.ok(Math.abs(s.sd - 3.0276503540974917) < 1e-12);
  assert.deepEqual([s.q05, s.q25, s.q50, s.q75, s.q95], [1, 3, 5, 8, 10]);
  assert.equal(lengthStats([]).n, 0);
});

test('k-mer diversity counts distinct token 3-mers over all 3-mers', () => {
  assert.deepEqual(kmerDiversity([[1, 1, 1, 1, 1]]), { distinct: 1, total: 3, ratio: 1 / 3 }, 'a low-complexity repeat scores low');
  assert.deepEqual(kmerDiversity([[1, 2, 3, 4], [5, 6], [1, 2, 3]]), { distinct: 2, total: 3, ratio: 2 / 3 });
});

test('validity, uniqueness and novelty as MOSES defines them', () => {
  const f = setFigures(['A', 'A', 'B', null, 'C'], new Set(['C']));
  assert.deepEqual(f, { generated: 5, valid: 4, validity: 0.8, uniqueness: 3 / 4, novelty: 2 / 3 });
});
