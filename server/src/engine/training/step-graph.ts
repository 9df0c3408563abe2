// The GRPO train step as one model for engine/train's Trainer: the policy's per-token log-probs
// (Policy.buildLogps) feed the loss of engine/grpo; forward, backward, clipping and AdamW then run
// as one ONNX graph (or grads + apply graphs under gradient accumulation).

import type { ModelSpec, LossFn } from '../train/compile-step';
import type { Policy } from '../policy/types';
import { buildGrpoLoss, type GrpoLossSettings } from '../grpo';
import type { ResolvedGrpoConfig } from './config';

export interface StepGraphNeeds {
  /** old_logps is fed (num_iterations > 1 or the generation batch spans optimizer steps). */
  withOld: boolean;
  /** ref_logps is fed (beta != 0). */
  withRef: boolean;
}

/** TRL: old log-probs are needed when a generation batch is used after the policy changed. */
export function stepNeeds(c: ResolvedGrpoConfig): StepGraphNeeds {
  return { withOld: c.num_iterations > 1 || c.steps_per_generation > c.gradient_accumulation_steps, withRef: c.beta !== 0 };
}

export function lossSettings(c: ResolvedGrpoConfig): GrpoLossSettings {
  return {
    loss_type: c.loss_type,
    scale_rewards: c.scale_rewards,
    importance_sampling_level: c.importance_sampling_level,
    epsilon: c.epsilon,
    epsilon_high: c.epsilon_high,
    delta: c.delta,
    beta: c.beta,
    num_generations: c.num_generations,
    max_completion_length: c.max_completion_length,
    top_entropy_quantile: c.top_entropy_quantile,
    sapo_temperature_pos: c.sapo_temperature_pos,
    sapo_temperature_neg: c.sapo_temperature_neg,
    multi_objective_aggregation: c.multi_objective_aggregation,
    // The Trainer averages micro-batch gradients (HF's convention), which is TRL's division by
    // gradient_accumulation_steps; the loss itself is one micro-batch's.
    gradient_accumulation_steps: 1,
  };
}

export function grpoStepModel(policy: Policy, c: ResolvedGrpoConfig): { spec: ModelSpec; lossFn: LossFn } {
  const needs = stepNeeds(c);
  const batch: ModelSpec['batch'] = {
    input_ids: { dtype: 'int64', shape: ['B', 'L'] },
    positions: { dtype: 'int64', shape: ['B', 'T'] },
    completion_mask: { dtype: 'float32', shape: ['B', 'T'] },
    advantages: { dtype: 'float32', shape: ['B'] },
    num_items_in_batch: { dtype: 'float32', shape: [] },
  };
  if (needs.withOld) batch['old_logps'] = { dtype: 'float32', shape: ['B', 'T'] };
  if (needs.withRef) batch['ref_logps'] = { dtype: 'float32', shape: ['B', 'T'] };
  const extraNames = Object.keys(policy.logpExtraInputs ?? {});
  for (const [name, x] of Object.entries(policy.logpExtraInputs ?? {})) batch[name] = { dtype: x.dtype, shape: x.shape };
  const spec: ModelSpec = { params: policy.params.specs(), batch };
  const settings = lossSettings(c);
  const lossFn: LossFn = (ctx) => {
    const extra = Object.fromEntries(extraNames.map((name) => [name, ctx.batch[name]!]));
    const { logps, entropies } = policy.buildLogps(ctx.graph, ctx.params, { inputIds: ctx.batch['input_ids']!, positions: ctx.batch['positions']!, temperature: c.temperature, ...(extraNames.length ? { extra } : {}) });
    return buildGrpoLoss(
      {
        logps,
        entropies,
        mask: ctx.batch['completion_mask']!,
        advantages: ctx.batch['advantages']!,
        numItemsInBatch: ctx.batch['num_items_in_batch']!,
        ...(needs.withOld ? { oldLogps: ctx.batch['old_logps']! } : {}),
        ...(needs.withRef ? { refLogps: ctx.batch['ref_logps']! } : {}),
      },
      settings,
    );
  };
  return { spec, lossFn };
}
