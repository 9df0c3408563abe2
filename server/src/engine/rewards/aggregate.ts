// Combining component scores per row. REINVENT's means (reinvent/scoring/aggregators/means.py):
// weights are normalised over the components that are not NaN (here: null) for that row;
// arithmetic: sum_k s_k w_k / sum w; geometric: prod_k max(s_k, 1e-8)^(w_k / max(sum w, 1e-8)).
// TRL's weighted sum (nansum_k w_k r_k) is what the trainer does across reward functions; it is
// here for `ume-studio reward` totals and the composite function. Where REINVENT returns 0
// (arithmetic) or 1 (geometric: an empty nanprod) for a row with no score at all, these return
// null: a row nobody could judge has no reward.

import { REWARD_AGGREGATIONS as AGGREGATIONS, type RewardAggregation as Aggregation } from '../../protocol/reward-config';

export { AGGREGATIONS, type Aggregation };

export function aggregate(kind: Aggregation, values: ReadonlyArray<number | null>, weights: readonly number[]): number | null {
  let sw = 0;
  let n = 0;
  for (let k = 0; k < values.length; k++) {
    if (values[k] === null) continue;
    sw += weights[k]!;
    n++;
  }
  if (n === 0) return null;
  switch (kind) {
    case 'weighted_sum': {
      let s = 0;
      values.forEach((v, k) => {
        if (v !== null) s += weights[k]! * v;
      });
      return s;
    }
    case 'arithmetic_mean': {
      if (sw === 0) return null;
      let s = 0;
      values.forEach((v, k) => {
        if (v !== null) s += v * (weights[k]! / sw);
      });
      return s;
    }
    case 'geometric_mean': {
      const denom = Math.max(sw, 1e-8);
      let logp = 0;
      values.forEach((v, k) => {
        if (v !== null) logp += (weights[k]! / denom) * Math.log(Math.max(v, 1e-8));
      });
      return Math.exp(logp);
    }
  }
}
