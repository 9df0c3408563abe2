// TRL's advantages (engine/grpo) in the shape a generation round uses.

import { computeAdvantages } from '../grpo';
import type { ResolvedGrpoConfig } from './config';
import type { AdvantageFn } from './generation';

export function advantagesFor(c: Pick<ResolvedGrpoConfig, 'num_generations' | 'scale_rewards' | 'multi_objective_aggregation'>): AdvantageFn {
  return (rewards, weights) => {
    const a = computeAdvantages(rewards, { num_generations: c.num_generations, scale_rewards: c.scale_rewards, multi_objective_aggregation: c.multi_objective_aggregation }, weights);
    return {
      advantages: Array.from(a.advantages),
      totals: Array.from(a.totals, (t) => (Number.isNaN(t) ? null : t)),
      fracRewardZeroStd: a.fracRewardZeroStd,
      // No signal: every reward tied, or too few scored to have a std.
      zeroStdGroups: Array.from(a.groupStds, (s) => !(s > 1e-8)),
    };
  };
}
