// Rewards -> advantages on the host, in float64, exactly as TRL 1.9's
// GRPOTrainer._generate_and_score_completions computes them (trl/trainer/grpo_trainer.py), with the
// nan-aware statistics of trl/trainer/utils.py (nanstd: Bessel-corrected, NaN below 2 values).
//
// A reward of null (the function had no answer for that completion) is NaN. A completion every
// function left NaN is "unscorable": its total stays NaN, it is left out of every mean and std, and
// its advantage is 0.

import type { GrpoLossSettings } from './config';

export type AdvantageSettings = Pick<GrpoLossSettings, 'num_generations' | 'scale_rewards' | 'multi_objective_aggregation'>;

export interface RewardStats {
  /** nanmean over the completions the function scored (NaN when it scored none). */
  mean: number;
  /** nanstd (Bessel) over them (NaN below two). */
  std: number;
}

export interface Advantages {
  /** [B] sum_k w_k r_ik over the functions that scored completion i; NaN when none did (TRL's logged reward). */
  totals: Float64Array;
  /** [B] the advantage of each completion (NaN results are 0, as in TRL). */
  advantages: Float64Array;
  /** [B/num_generations] nanmean and nanstd (Bessel) of `totals` per group. */
  groupMeans: Float64Array;
  groupStds: Float64Array;
  /** [B] the std each advantage was divided by (plus 1e-4), or would be for scale_rewards "none". */
  scales: Float64Array;
  /** [B] true where every function returned null/NaN. */
  unscorable: boolean[];
  /** TRL's frac_reward_zero_std: the share of completions whose `scales` entry is ~0 (|std| <= 1e-8), as the float32 TRL logs. */
  fracRewardZeroStd: number;
  /** TRL's `reward` and `reward_std`: nanmean / nanstd of `totals`. */
  reward: number;
  rewardStd: number;
  /** TRL's rewards/<func>/mean and /std, per function in input order. */
  perFunction: RewardStats[];
}

/** TRL adds this to the std before dividing (GRPO, GDPO). */
export const STD_EPSILON = 1e-4;

// ---- nan-aware statistics (torch.nanmean, torch.nansum, trl.trainer.utils.nanstd)

export function nansum(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) if (!Number.isNaN(xs[i]!)) s += xs[i]!;
  return s;
}

export function nanmean(xs: ArrayLike<number>): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < xs.length; i++) {
    if (Number.isNaN(xs[i]!)) continue;
    s += xs[i]!;
    n++;
  }
  return s / n; // 0/0 = NaN when nothing is left, as torch.nanmean
}

/**
 * sqrt(mean of squared deviations over the non-NaN values * n/(n-1)); NaN when n < 2. TRL's nanstd
 * divides two integer tensors for the Bessel factor, which torch does in float32; so does this, and
 * its figures match TRL's to the last digits (the factor's rounding moves a std by up to ~3e-8).
 */
export function nanstd(xs: ArrayLike<number>): number {
  const mean = nanmean(xs);
  const sq: number[] = [];
  for (let i = 0; i < xs.length; i++) if (!Number.isNaN(xs[i]!)) sq.push((xs[i]! - mean) ** 2);
  const n = sq.length;
  if (n < 2) return NaN;
  return Math.sqrt(nanmean(sq) * Math.fround(n / (n - 1)));
}

/** torch.isclose(std, 0) with its default tolerances (atol 1e-8, rtol 1e-5); false for NaN. */
const isZeroStd = (std: number): boolean => Math.abs(std) <= 1e-8;

const multiples = (n: number, count = 3): string => Array.from({ length: count }, (_, i) => n * (i + 1)).join(', ');

function checkInputs(rewardsPerFunc: ReadonlyArray<ReadonlyArray<number | null>>, weights: readonly number[], numGenerations: number): number {
  if (rewardsPerFunc.length === 0) throw new Error('computeAdvantages: no reward functions given; pass one row of rewards per function ([funcs][B])');
  const B = rewardsPerFunc[0]!.length;
  rewardsPerFunc.forEach((row, k) => {
    if (row.length !== B) throw new Error(`computeAdvantages: reward function ${k} returned ${row.length} rewards but function 0 returned ${B}; every function must score every completion (null where it cannot)`);
    row.forEach((r, i) => {
      if (r !== null && typeof r !== 'number') throw new Error(`computeAdvantages: reward function ${k}, completion ${i}: ${JSON.stringify(r)} is not a number or null`);
      if (r !== null && (r === Infinity || r === -Infinity)) throw new Error(`computeAdvantages: reward function ${k}, completion ${i} is ${r}; rewards must be finite (return null when a completion cannot be scored)`);
    });
  });
  if (B === 0) throw new Error('computeAdvantages: no completions to score');
  if (!Number.isInteger(numGenerations) || numGenerations < 1) throw new Error(`computeAdvantages: num_generations must be a positive integer, got ${numGenerations}`);
  if (B % numGenerations !== 0) {
    throw new Error(`computeAdvantages: ${B} completions are not divisible by num_generations ${numGenerations}: use ${multiples(numGenerations)} completions, or a num_generations that divides ${B}`);
  }
  if (weights.length !== rewardsPerFunc.length) throw new Error(`computeAdvantages: ${weights.length} reward weights for ${rewardsPerFunc.length} reward functions; give one weight per function`);
  weights.forEach((w, k) => {
    if (typeof w !== 'number' || !Number.isFinite(w)) throw new Error(`computeAdvantages: reward weight ${k} is ${JSON.stringify(w)}; weights must be finite numbers`);
  });
  return B;
}

/** Per group of `size` consecutive entries: [nanmean, nanstd] (std 0 when size is 1, as TRL's eval path). */
function groupStats(xs: Float64Array, size: number): { means: Float64Array; stds: Float64Array } {
  const groups = xs.length / size;
  const means = new Float64Array(groups);
  const stds = new Float64Array(groups);
  for (let g = 0; g < groups; g++) {
    const part = xs.subarray(g * size, (g + 1) * size);
    means[g] = nanmean(part);
    stds[g] = size > 1 ? nanstd(part) : 0;
  }
  return { means, stds };
}

/**
 * Advantages from per-function rewards `rewardsPerFunc[k][i]` (function k, completion i; null =
 * no score). Completions come in groups of num_generations consecutive rows (one prompt each).
 * `weights` default to 1 per function (TRL's reward_weights).
 */
export function computeAdvantages(rewardsPerFunc: ReadonlyArray<ReadonlyArray<number | null>>, settings: AdvantageSettings, weights?: readonly number[] | null): Advantages {
  const w = weights ?? rewardsPerFunc.map(() => 1);
  const G = settings.num_generations;
  const B = checkInputs(rewardsPerFunc, w, G);
  const K = rewardsPerFunc.length;
  const r = rewardsPerFunc.map((row) => Float64Array.from(row, (x) => (x === null ? NaN : x)));
  const unscorable = Array.from({ length: B }, (_, i) => r.every((row) => Number.isNaN(row[i]!)));

  // nansum_k w_k r_ik, NaN where unscorable (nansum alone would make those rows 0).
  const weightedSum = (values: Float64Array[]): Float64Array =>
    Float64Array.from({ length: B }, (_, i) => (unscorable[i] ? NaN : nansum(values.map((row, k) => row[i]! * w[k]!))));
  const totals = weightedSum(r);
  const groups = groupStats(totals, G);

  const advantages = new Float64Array(B);
  const scales = new Float64Array(B);
  if (settings.multi_objective_aggregation === 'sum_then_normalize') {
    const batchStd = B > 1 ? nanstd(totals) : 0;
    for (let i = 0; i < B; i++) {
      const g = Math.floor(i / G);
      scales[i] = settings.scale_rewards === 'batch' ? batchStd : groups.stds[g]!;
      const centred = totals[i]! - groups.means[g]!;
      advantages[i] = settings.scale_rewards === 'none' ? centred : centred / (scales[i]! + STD_EPSILON);
    }
  } else {
    // GDPO: each function normalized within its group, the weighted sum normalized over the batch
    // (scale_rewards plays no part, as in TRL).
    const z = r.map((row) => {
      const { means, stds } = groupStats(row, G);
      return row.map((x, i) => (x - means[Math.floor(i / G)]!) / (stds[Math.floor(i / G)]! + STD_EPSILON));
    });
    const summed = weightedSum(z);
    const mean = nanmean(summed);
    const std = B > 1 ? nanstd(summed) : 0;
    for (let i = 0; i < B; i++) {
      scales[i] = std;
      advantages[i] = (summed[i]! - mean) / (std + STD_EPSILON);
    }
  }
  for (let i = 0; i < B; i++) if (Number.isNaN(advantages[i]!)) advantages[i] = 0;

  let zero = 0;
  for (let i = 0; i < B; i++) if (isZeroStd(scales[i]!)) zero++;
  return {
    totals,
    advantages,
    groupMeans: groups.means,
    groupStds: groups.stds,
    scales,
    unscorable,
    // TRL logs is_std_zero.float().mean(): a float32 mean.
    fracRewardZeroStd: Math.fround(zero / B),
    reward: nanmean(totals),
    rewardStd: nanstd(totals),
    perFunction: Array.from({ length: K }, (_, k) => ({ mean: nanmean(r[k]!), std: nanstd(r[k]!) })),
  };
}
