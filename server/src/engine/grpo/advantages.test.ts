import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeAdvantages, nanmean, nanstd, type AdvantageSettings } from './advantages';

const close = (actual: ArrayLike<number>, expected: number[], tol = 1e-12): void => {
  assert.equal(actual.length, expected.length, `length ${actual.length} vs ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e)) assert.ok(Number.isNaN(a), `[${i}] expected NaN, got ${a}`);
    else assert.ok(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)), `[${i}] expected ${e}, got ${a}`);
  }
};

/** TRL's nanstd: the Bessel factor n/(n-1) comes out of torch as float32 (integer tensors divided). */
const trlStd = (meanSquare: number, n: number): number => Math.sqrt(meanSquare * Math.fround(n / (n - 1)));

const settings = (over: Partial<AdvantageSettings> = {}): AdvantageSettings => ({ num_generations: 4, scale_rewards: 'group', multi_objective_aggregation: 'sum_then_normalize', ...over });

test('nan-aware statistics: Bessel std (its factor in float32, as TRL), NaN below two values', () => {
  assert.equal(nanmean([1, NaN, 3]), 2);
  assert.ok(Number.isNaN(nanmean([NaN, NaN])));
  close([nanstd([1, 2, 3, 4])], [trlStd(1.25, 4)], 0);
  // 4/3 in float32 moves the std by ~2e-8 from the float64 value.
  assert.ok(Math.abs(nanstd([1, 2, 3, 4]) - Math.sqrt(5 / 3)) < 3e-8);
  close([nanstd([1, NaN, 3])], [Math.SQRT2]);
  assert.ok(Number.isNaN(nanstd([5, NaN])));
  assert.ok(Number.isNaN(nanstd([])));
});

test('group scaling: (r - group mean) / (group std + 1e-4)', () => {
  const r = [1, 2, 3, 4, 10, 10, 10, 10];
  const a = computeAdvantages([r], settings());
  const std = trlStd(1.25, 4);
  close(a.advantages, [-1.5, -0.5, 0.5, 1.5].map((d) => d / (std + 1e-4)).concat([0, 0, 0, 0]));
  close(a.groupMeans, [2.5, 10]);
  close(a.groupStds, [std, 0]);
  // The tied group has std 0: half the completions carry no signal.
  assert.equal(a.fracRewardZeroStd, 0.5);
  close([a.reward, a.rewardStd], [(10 + 40) / 8, nanstd(r)]);
});

test('batch scaling divides by the std of the whole batch, centred on the group mean', () => {
  const r = [1, 2, 3, 4, 10, 10, 10, 10];
  const a = computeAdvantages([r], settings({ scale_rewards: 'batch' }));
  const std = nanstd(r);
  close(a.advantages, [-1.5, -0.5, 0.5, 1.5, 0, 0, 0, 0].map((d) => d / (std + 1e-4)));
  close(a.scales, new Array(8).fill(std));
  assert.equal(a.fracRewardZeroStd, 0);
  const tied = computeAdvantages([[3, 3, 3, 3]], settings({ scale_rewards: 'batch' }));
  assert.equal(tied.fracRewardZeroStd, 1);
});

test("scale_rewards none centres only, and still reports zero-std groups as TRL logs them", () => {
  const a = computeAdvantages([[1, 2, 3, 4, 7, 7, 7, 7]], settings({ scale_rewards: 'none' }));
  close(a.advantages, [-1.5, -0.5, 0.5, 1.5, 0, 0, 0, 0]);
  assert.equal(a.fracRewardZeroStd, 0.5);
});

test('null rewards are left out of the group statistics; unscorable completions get advantage 0', () => {
  const a = computeAdvantages([[1, null, 3, 5]], settings());
  const std = Math.sqrt(4); // of 1, 3, 5
  close(a.advantages, [-2 / (std + 1e-4), 0, 0, 2 / (std + 1e-4)]);
  assert.deepEqual(a.unscorable, [false, true, false, false]);
  close(a.totals, [1, NaN, 3, 5]);
  close([a.reward], [3]);
});

test('a group with one scored completion has NaN std, so every advantage in it is 0 (as TRL)', () => {
  const a = computeAdvantages([[null, 4, null, null, 1, 2, 3, 4]], settings());
  close(a.advantages.subarray(0, 4), [0, 0, 0, 0]);
  assert.ok(Number.isNaN(a.groupStds[0]!));
  // NaN std is not "zero std" (torch.isclose(NaN, 0) is false).
  assert.equal(a.fracRewardZeroStd, 0);
  // An all-null group: mean NaN, advantages 0.
  const b = computeAdvantages([[null, null, null, null]], settings());
  close(b.advantages, [0, 0, 0, 0]);
  assert.ok(Number.isNaN(b.reward));
});

test('several functions: weighted nansum, a row is unscorable only when every function is null', () => {
  const f1 = [1, null, 0, 2];
  const f2 = [null, null, 1, 1];
  const a = computeAdvantages([f1, f2], settings(), [1, 0.5]);
  close(a.totals, [1, NaN, 0.5, 2.5]);
  const mean = (1 + 0.5 + 2.5) / 3;
  const std = nanstd([1, 0.5, 2.5]);
  close(a.advantages, [(1 - mean) / (std + 1e-4), 0, (0.5 - mean) / (std + 1e-4), (2.5 - mean) / (std + 1e-4)]);
  close([a.perFunction[0]!.mean, a.perFunction[0]!.std, a.perFunction[1]!.mean, a.perFunction[1]!.std], [1, 1, 1, 0]);
});

test('normalize_then_sum (GDPO): per-function group z-scores, summed, then normalized over the batch', () => {
  const f1 = [1, 2, 3, 4, 5, 5, 6, 6];
  const f2 = [0, 0, 1, null, 2, 4, 6, 8];
  const a = computeAdvantages([f1, f2], settings({ multi_objective_aggregation: 'normalize_then_sum', scale_rewards: 'none' }), [1, 2]);
  const z = (xs: Array<number | null>, g: number): number[] => {
    const part = xs.slice(g * 4, g * 4 + 4).map((x) => (x === null ? NaN : x));
    const m = nanmean(part);
    const s = nanstd(part);
    return part.map((x) => (x - m) / (s + 1e-4));
  };
  const z1 = [...z(f1, 0), ...z(f1, 1)];
  const z2 = [...z(f2, 0), ...z(f2, 1)];
  // nansum: the null of f2 contributes nothing, the row still counts.
  const summed = z1.map((v, i) => v + (Number.isNaN(z2[i]!) ? 0 : 2 * z2[i]!));
  const m = nanmean(summed);
  const s = nanstd(summed);
  close(a.advantages, summed.map((v) => (v - m) / (s + 1e-4)), 1e-10);
  // The logged totals are raw weighted sums, not z-scores.
  close(a.totals, [1, 2, 5, 4, 9, 13, 18, 22]);
});

test('impossible batches fail before any work, saying what would work', () => {
  assert.throws(() => computeAdvantages([[1, 2, 3, 4, 5, 6]], settings()), /6 completions are not divisible by num_generations 4: use 4, 8, 12 completions/);
  assert.throws(() => computeAdvantages([[1, 2, 3, 4], [1, 2]], settings()), /reward function 1 returned 2 rewards but function 0 returned 4/);
  assert.throws(() => computeAdvantages([[1, 2, 3, Infinity]], settings()), /completion 3 is Infinity; rewards must be finite \(return null/);
  assert.throws(() => computeAdvantages([[1, 2, 3, 4]], settings(), [1, 2]), /2 reward weights for 1 reward functions/);
  assert.throws(() => computeAdvantages([], settings()), /no reward functions/);
});

test('num_generations 1 (evaluation) gives zero std and zero advantages', () => {
  const a = computeAdvantages([[1, 5]], settings({ num_generations: 1 }));
  close(a.advantages, [0, 0]);
  assert.equal(a.fracRewardZeroStd, 1);
});
