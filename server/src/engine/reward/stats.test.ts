import { test } from 'node:test';
import assert from 'node:assert/strict';
import { histogram, lobsterMetrics, rewardStats, summarize, type StatRow } from './stats';

test('summarize: mean, min, max and SAMPLE std (n - 1); empty and single rows', () => {
  // -10, -20, -30: mean -20, squared deviations 100 + 0 + 100 = 200, / (3 - 1) = 100, std 10.
  assert.deepEqual(summarize([-10, -20, -30]), { count: 3, mean: -20, min: -30, max: -10, std: 10 });
  assert.deepEqual(summarize([]), { count: 0, mean: null, min: null, max: null, std: null });
  assert.deepEqual(summarize([4]), { count: 1, mean: 4, min: 4, max: 4, std: 0 });
});

test('histogram: 20 equal bins from min to max, the max in the last bin; one value gets a unit range', () => {
  const h = histogram([0, 1, 2, 10]);
  assert.equal(h.edges.length, 21);
  assert.equal(h.edges[0], 0);
  assert.equal(h.edges[20], 10);
  assert.equal(h.edges[1], 0.5);
  // 0 -> bin 0, 1 -> bin 2, 2 -> bin 4, 10 -> bin 19 (upper edge included).
  const expected = new Array<number>(20).fill(0);
  expected[0] = 1;
  expected[2] = 1;
  expected[4] = 1;
  expected[19] = 1;
  assert.deepEqual(h.counts, expected);
  const one = histogram([3, 3]);
  assert.deepEqual([one.edges[0], one.edges[20]], [2.5, 3.5]);
  assert.equal(one.counts[10], 2);
  assert.deepEqual(histogram([]), { edges: [], counts: new Array<number>(20).fill(0) });
});

// A fixed batch: two scored SMILES, one scored protein, a no-tag penalty, an invalid-SMILES penalty
// and a null row. Penalty -40.
const ROWS: StatRow[] = [
  { reward: -10, modality: 'SMILES', penalized: false },
  { reward: -20, modality: 'SMILES', penalized: false },
  { reward: -30, modality: 'amino_acid', penalized: false },
  { reward: -40, modality: null, penalized: true, kind: 'no-tag' },
  { reward: -40, modality: 'SMILES', penalized: true, kind: 'invalid-smiles' },
  { reward: null, modality: null, penalized: false, kind: 'other-modality' },
];

test('rewardStats on a fixed batch: overall includes penalties, per-modality only scored rows', () => {
  const s = rewardStats(ROWS, -40);
  // overall over -10 -20 -30 -40 -40: mean -28; deviations 18,8,-2,-12,-12 -> squares 324+64+4+144+144 = 680; /4 = 170.
  assert.equal(s.total, 6);
  assert.equal(s.overall.count, 5);
  assert.equal(s.overall.mean, -28);
  assert.equal(s.overall.min, -40);
  assert.equal(s.overall.max, -10);
  assert.equal(s.overall.std, Math.sqrt(170));
  assert.deepEqual(s.scored, { count: 3, mean: -20, min: -30, max: -10, std: 10 });
  // SMILES -10 -20: mean -15, squares 25 + 25 = 50, / 1 -> std sqrt(50).
  assert.deepEqual(s.byModality.SMILES, { count: 2, mean: -15, min: -20, max: -10, std: Math.sqrt(50) });
  assert.deepEqual(s.byModality.amino_acid, { count: 1, mean: -30, min: -30, max: -30, std: 0 });
  assert.equal(s.byModality.nucleotide.count, 0);
  assert.equal(s.penalized, 2);
  assert.equal(s.nulls, 1);
  assert.equal(s.noTag, 1);
  assert.equal(s.invalid, 1);
  assert.deepEqual(s.byKind, { 'no-tag': 1, 'invalid-smiles': 1, 'other-modality': 1 });
  assert.equal(s.penalty, -40);
  assert.deepEqual(s.histogram.counts.reduce((a, b) => a + b, 0), 5);
});

test("lobsterMetrics: lobster's names with the same figures; missing figures are left out, not NaN", () => {
  const m = lobsterMetrics(rewardStats(ROWS, -40));
  assert.equal(m['train/mean_reward'], -28);
  assert.equal(m['train/min_reward'], -40);
  assert.equal(m['train/max_reward'], -10);
  assert.equal(m['train/reward_std'], Math.sqrt(170));
  assert.equal(m['train/batch_size'], 6);
  assert.equal(m['train/modality_smiles/mean_reward'], -15);
  assert.equal(m['train/modality_smiles/count'], 2);
  assert.equal(m['train/modality_amino_acid/min_reward'], -30);
  assert.equal(m['train/modality_nucleotide/count'], 0);
  assert.equal('train/modality_nucleotide/mean_reward' in m, false);
  assert.equal(m['train/no_tag_count'], 1);
  assert.equal(m['train/invalid_count'], 1);
  const h = m['train/reward_histogram'] as { counts: number[]; edges: number[] };
  assert.equal(h.counts.length, 20);
  for (const v of Object.values(m)) if (typeof v === 'number') assert.ok(Number.isFinite(v));
});
