// The reward functions of a run, served from a reward worker process (engine/rewards/worker) so
// RDKit and UME scoring never run on the training process's event loop: `single` is the UME
// reward alone with the run's ume_mode / ume_temperature / ume_model (seed 003's default, lobster's
// temperature); `multi` is a reward config (docs/rewards.md; seed 003's reward_config.json shape is
// translated), or the documented default mix when none is given.

import type { ResolvedGrpoConfig } from '../engine/training/config';
import type { WeightedReward } from '../engine/training/generation';
import { DEFAULT_MULTI_CONFIG, startRewardWorker } from '../engine/rewards';

export interface TrainingRewards {
  rewards: WeightedReward[];
  /** One line per function (and per note of a translated config), for the run's log. */
  describe: string[];
  close(): Promise<void>;
}

export function singleRewardConfig(c: Pick<ResolvedGrpoConfig, 'ume_mode' | 'ume_temperature' | 'ume_model' | 'device'>): Record<string, unknown> {
  const params: Record<string, unknown> = { mode: c.ume_mode, temperature: c.ume_temperature, device: c.device };
  if (c.ume_model) params['model'] = c.ume_model;
  return { aggregation: 'weighted_sum', components: [{ name: 'ume', type: 'ume', weight: 1, params }] };
}

export async function loadTrainingRewards(c: ResolvedGrpoConfig): Promise<TrainingRewards> {
  const source = c.reward_function === 'single' ? singleRewardConfig(c) : (c.reward_config ?? (DEFAULT_MULTI_CONFIG as unknown as Record<string, unknown>));
  const worker = await startRewardWorker(source);
  const weights = c.reward_weights ?? worker.weights;
  if (weights.length !== worker.functions.length) {
    await worker.close();
    throw new Error(`reward_weights has ${weights.length} weights but the reward ${c.reward_function === 'single' ? 'function "single" has one function (ume)' : `config has ${worker.functions.length} functions (${worker.functions.map((f) => f.name).join(', ')})`}; give one weight per function, or none`);
  }
  const what = c.reward_function === 'single' ? `ume (${c.ume_mode} PLL / ${c.ume_temperature})` : (c.reward_config ?? 'the default multi mix (docs/rewards.md)');
  return {
    rewards: worker.functions.map((fn, i) => ({ fn, weight: weights[i]! })),
    describe: [`rewards: ${what}, in a worker process (pid ${worker.child?.pid ?? '?'})`, ...worker.notes, ...worker.functions.map((f, i) => `reward: ${f.name} (weight ${weights[i]})`)],
    close: () => worker.close(),
  };
}
