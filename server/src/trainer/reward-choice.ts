// The reward functions of a run from its config: `single` is the UME reward with lobster's
// temperature (reward_function "single", seed 003's default); `multi` is a reward config
// (docs/rewards.md), or the documented default mix when none is given.

import type { ResolvedGrpoConfig } from '../engine/training/config';
import type { WeightedReward } from '../engine/training/generation';
import { createUmeReward } from '../engine/rewards';

export interface TrainingRewards {
  rewards: WeightedReward[];
  /** One line per function, for the run's log. */
  describe: string[];
}

export async function loadTrainingRewards(c: ResolvedGrpoConfig): Promise<TrainingRewards> {
  if (c.reward_function === 'single') {
    const fn = await createUmeReward({ mode: c.ume_mode, temperature: c.ume_temperature, device: c.device, ...(c.ume_model ? { model: c.ume_model } : {}) });
    const weights = c.reward_weights ?? [1];
    if (weights.length !== 1) throw new Error(`reward_weights has ${weights.length} weights but reward_function "single" has one function (ume); give one weight or none`);
    return { rewards: [{ fn, weight: weights[0]! }], describe: [`reward: ume (${c.ume_mode} PLL / ${c.ume_temperature}, weight ${weights[0]})`] };
  }
  const lib = (await import('../engine/rewards')) as Record<string, unknown>;
  const load = lib['loadRewardConfig'] as undefined | ((src: string | null, opts: { device: string; umeModel: string | null }) => Promise<{ functions: WeightedReward['fn'][]; weights: number[]; notes?: string[] }>);
  if (!load) throw new Error('reward_function "multi" needs the reward library, which this build does not have yet; use reward_function single');
  const { functions, weights: cfgWeights, notes } = await load(c.reward_config, { device: c.device, umeModel: c.ume_model });
  const weights = c.reward_weights ?? cfgWeights;
  if (weights.length !== functions.length) throw new Error(`reward_weights has ${weights.length} weights but the reward config has ${functions.length} functions (${functions.map((f) => f.name).join(', ')}); give one weight per function`);
  return { rewards: functions.map((fn, i) => ({ fn, weight: weights[i]! })), describe: [...(notes ?? []), ...functions.map((f, i) => `reward: ${f.name} (weight ${weights[i]})`)] };
}
