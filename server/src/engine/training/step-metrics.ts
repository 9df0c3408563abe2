// The host-side metrics of a generation batch, with TRL's and lobster's names (docs/run-format.md).
// The update's metrics (loss, grad_norm, kl, entropy, clip ratios) come from the step graph.

import { histogram, LOBSTER_MODALITY_KEY as LOBSTER_KEY } from '../reward/stats';
import { nanstd } from '../grpo';
import { MODALITIES } from '../seq/types';
import type { CompletionRow } from '../../protocol/run-format';
import type { Rollout } from './rollout';
import { kmerDiversity } from './diversity';

function finite(xs: ReadonlyArray<number | null>): number[] {
  return xs.filter((x): x is number => x !== null && Number.isFinite(x));
}

const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/** Population std (lobster's np.std). */
function stdPopulation(xs: readonly number[]): number {
  if (!xs.length) return NaN;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) * (x - m), 0) / xs.length);
}

export interface RoundMetricsInput {
  rollouts: readonly Rollout[];
  rewardNames: readonly string[];
  numGenerations: number;
  fracRewardZeroStd: number;
}

/** Metrics of the generation batch a step trained on. */
export function roundMetrics(inp: RoundMetricsInput): Record<string, number | { bins: number[]; edges: number[] } | null> {
  const rs = inp.rollouts;
  const out: Record<string, number | { bins: number[]; edges: number[] } | null> = {};
  const totals = rs.map((r) => r.total);
  const fin = finite(totals);
  // TRL: reward and reward_std are the nanmean and nanstd (Bessel) of the weighted totals.
  out['reward'] = mean(fin);
  out['reward_std'] = nanstd(fin);
  out['frac_reward_zero_std'] = inp.fracRewardZeroStd;
  inp.rewardNames.forEach((name, k) => {
    const v = finite(rs.map((r) => r.rewards[k] ?? null));
    out[`rewards/${name}/mean`] = mean(v);
    out[`rewards/${name}/std`] = nanstd(v);
  });
  out['rewards/null_count'] = rs.length - fin.length;

  const lengths = rs.map((r) => r.completionIds.length);
  const term = rs.filter((r) => !r.truncated).map((r) => r.completionIds.length);
  out['completions/mean_length'] = mean(lengths);
  out['completions/min_length'] = Math.min(...lengths);
  out['completions/max_length'] = Math.max(...lengths);
  out['completions/clipped_ratio'] = rs.filter((r) => r.truncated).length / rs.length;
  // TRL logs 0 when no completion terminated.
  out['completions/mean_terminated_length'] = term.length ? mean(term) : 0;
  out['completions/min_terminated_length'] = term.length ? Math.min(...term) : 0;
  out['completions/max_terminated_length'] = term.length ? Math.max(...term) : 0;

  // lobster's names.
  out['train/mean_reward'] = mean(fin);
  out['train/min_reward'] = fin.length ? Math.min(...fin) : NaN;
  out['train/max_reward'] = fin.length ? Math.max(...fin) : NaN;
  out['train/reward_std'] = stdPopulation(fin);
  out['train/batch_size'] = rs.length;
  if (fin.length) out['train/reward_histogram'] = histogramRecord(fin);
  for (const m of MODALITIES) {
    const of = rs.filter((r) => r.modality === m);
    if (!of.length) continue;
    const v = finite(of.map((r) => r.total));
    const k = `train/modality_${LOBSTER_KEY[m]}`;
    out[`${k}/mean_reward`] = mean(v);
    out[`${k}/min_reward`] = v.length ? Math.min(...v) : NaN;
    out[`${k}/max_reward`] = v.length ? Math.max(...v) : NaN;
    out[`${k}/count`] = of.length;
    out[`validity/${m}`] = of.filter((r) => r.valid).length / of.length;
  }
  out['validity'] = rs.filter((r) => r.valid).length / rs.length;
  // The mean reward of valid completions (penalties are relative to the batch, so `reward` mixes scales).
  out['reward_valid_mean'] = mean(finite(rs.filter((r) => r.valid).map((r) => r.total)));
  out['uniqueness'] = new Set(rs.map((r) => r.text)).size / rs.length;
  out['kmer_diversity'] = kmerDiversity(rs.map((r) => r.text));
  return out;
}

function histogramRecord(values: readonly number[]): { bins: number[]; edges: number[] } {
  const h = histogram(values);
  return { bins: [...h.counts], edges: [...h.edges] };
}

/** completions/step_N.jsonl rows of a generation batch. */
export function completionRows(step: number, rollouts: readonly Rollout[], rewardNames: readonly string[], numGenerations: number): CompletionRow[] {
  return rollouts.map((r) => ({
    step,
    index: r.index,
    group: Math.floor(r.index / numGenerations),
    prompt: r.prompt,
    completion: r.text,
    modality: r.modality,
    reward: r.total,
    rewards: Object.fromEntries(rewardNames.map((n, k) => [n, r.rewards[k] ?? null])),
    ...(Object.keys(r.components).length ? { components: r.components } : {}),
    ...(Object.keys(r.reasons).length ? { reasons: r.reasons } : {}),
    advantage: r.advantage,
    length: r.completionIds.length,
    truncated: r.truncated,
    valid: r.valid,
  }));
}
