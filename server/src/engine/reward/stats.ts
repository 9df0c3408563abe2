// Statistics of one reward call, and the same figures under lobster's metric names so users who
// know lobster's dashboards find them. Overall figures cover every judged row (penalties
// included: that is the reward GRPO sees, and what lobster logged); per-modality figures cover the
// rows UME actually scored (lobster's modality breakdown skipped penalised rows too).
// std is the sample standard deviation (n - 1, as torch.std and TRL's reward_std), 0 below 2 rows.

import { MODALITIES, type Modality } from '../seq/types';
import type { FailureKind } from './prepare';

export interface Summary {
  count: number;
  /** null when count is 0. */
  mean: number | null;
  min: number | null;
  max: number | null;
  std: number | null;
}

export interface Histogram {
  /** bins + 1 ascending edges; the last bin includes its upper edge. */
  edges: number[];
  counts: number[];
}

export interface RewardStats {
  /** Rows in the call. */
  total: number;
  /** Every non-null reward (scored and penalised). */
  overall: Summary;
  /** Rows UME scored. */
  scored: Summary;
  /** Scored rows by modality. */
  byModality: Record<Modality, Summary>;
  /** Rows that got the penalty. */
  penalized: number;
  /** Rows the function returned null for (TRL: "cannot judge"). */
  nulls: number;
  /** Rows without any tag pair (penalised or null). */
  noTag: number;
  /** Penalised rows other than no-tag ones: empty tags, invalid SMILES, unknown tokens, overlong, scorer errors. */
  invalid: number;
  byKind: Partial<Record<FailureKind | 'other-modality', number>>;
  histogram: Histogram;
  /** The penalty reward used in this call (null when no row was penalised). */
  penalty: number | null;
}

export const HISTOGRAM_BINS = 20;

export function summarize(values: readonly number[]): Summary {
  const n = values.length;
  if (n === 0) return { count: 0, mean: null, min: null, max: null, std: null };
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = sum / n;
  let ss = 0;
  for (const v of values) ss += (v - mean) * (v - mean);
  return { count: n, mean, min, max, std: n < 2 ? 0 : Math.sqrt(ss / (n - 1)) };
}

/** Equal-width bins from min to max (a single value gets a unit-wide range around it). */
export function histogram(values: readonly number[], bins = HISTOGRAM_BINS): Histogram {
  const counts = new Array<number>(bins).fill(0);
  if (values.length === 0) return { edges: [], counts };
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const w = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * w));
  for (const v of values) counts[Math.min(bins - 1, Math.floor((v - lo) / w))]!++;
  return { edges, counts };
}

export interface StatRow {
  reward: number | null;
  modality: Modality | null;
  penalized: boolean;
  kind?: FailureKind | 'other-modality';
}

export function rewardStats(rows: readonly StatRow[], penalty: number | null): RewardStats {
  const judged = rows.filter((r) => r.reward !== null).map((r) => r.reward!);
  const scoredRows = rows.filter((r) => r.reward !== null && !r.penalized);
  const byKind: RewardStats['byKind'] = {};
  for (const r of rows) if (r.kind) byKind[r.kind] = (byKind[r.kind] ?? 0) + 1;
  const penalized = rows.filter((r) => r.penalized).length;
  const penalizedNoTag = rows.filter((r) => r.penalized && r.kind === 'no-tag').length;
  return {
    total: rows.length,
    overall: summarize(judged),
    scored: summarize(scoredRows.map((r) => r.reward!)),
    byModality: Object.fromEntries(MODALITIES.map((m) => [m, summarize(scoredRows.filter((r) => r.modality === m).map((r) => r.reward!))])) as Record<Modality, Summary>,
    penalized,
    nulls: rows.length - judged.length,
    noTag: byKind['no-tag'] ?? 0,
    invalid: penalized - penalizedNoTag,
    byKind,
    histogram: histogram(judged),
    penalty: penalized > 0 ? penalty : null,
  };
}

/** lobster's key for each modality in `train/modality_<key>/...`. */
export const LOBSTER_MODALITY_KEY: Record<Modality, string> = { SMILES: 'smiles', amino_acid: 'amino_acid', nucleotide: 'nucleotide' };

export type MetricValue = number | Histogram;

/**
 * lobster's per-step metric names (plus a few of ours, under the same prefix). Figures that do not
 * exist for this call (e.g. the mean of zero rows) are left out rather than logged as NaN.
 */
export function lobsterMetrics(s: RewardStats, prefix = 'train/'): Record<string, MetricValue> {
  const m: Record<string, MetricValue> = {};
  const put = (k: string, v: number | null) => {
    if (v !== null) m[prefix + k] = v;
  };
  put('mean_reward', s.overall.mean);
  put('min_reward', s.overall.min);
  put('max_reward', s.overall.max);
  put('reward_std', s.overall.std);
  put('batch_size', s.total);
  if (s.overall.count > 0) m[`${prefix}reward_histogram`] = s.histogram;
  for (const mod of MODALITIES) {
    const x = s.byModality[mod];
    const k = `modality_${LOBSTER_MODALITY_KEY[mod]}/`;
    put(`${k}mean_reward`, x.mean);
    put(`${k}min_reward`, x.min);
    put(`${k}max_reward`, x.max);
    put(`${k}count`, x.count);
  }
  put('no_tag_count', s.noTag);
  put('invalid_count', s.invalid);
  put('penalized_count', s.penalized);
  put('null_count', s.nulls);
  put('penalty', s.penalty);
  return m;
}
