// The rules table of the GRPO loss: for each loss_type, its per-token formula and its aggregation,
// as TRL 1.9's GRPOTrainer._compute_loss writes them (variable names are TRL's, so the two read
// side by side). The graph plumbing around them (importance weights, KL, entropy mask, metrics)
// is in loss.ts.
//
// Shapes: logps [B, T]; coef_1 [B, T] ('token') or [B, 1] ('sequence'); advantages [B, 1]. A
// per-token loss may come out [B, 1] (sequence level); the aggregations broadcast it over the mask.

import type { Value } from '../onnx/ir';
import { cast, clip, dimOf, div, max, min, mul, neg, reduceMean, reduceSum, scalar, sigmoid, sub, where, greater } from '../onnx/ops';
import { stopGradient } from '../onnx/autodiff';
import { clipRange, type GrpoLossSettings, type LossType } from './config';

export interface PerTokenInputs {
  per_token_logps: Value;
  /** exp(log importance weights): the unclipped ratio. */
  coef_1: Value;
  advantages: Value;
  settings: GrpoLossSettings;
}

export interface PerTokenLoss {
  /** -(the surrogate objective) per token, before the entropy mask and the KL term. */
  per_token_loss: Value;
  /** The ratio the clip metrics read: TRL reassigns coef_1 when delta caps it, and the metrics see that one. */
  coef_1: Value;
  coef_2?: Value;
}

/** How the per-token losses become one number (TRL's branches at the end of _compute_loss). */
export type Aggregation = 'sequence_mean' | 'token_mean' | 'fixed_length' | 'global_tokens';

/** Which clip metrics a loss type logs. */
export type ClipMetrics = 'ppo' | 'cispo' | 'none';

export interface LossTypeRule {
  perToken(x: PerTokenInputs): PerTokenLoss;
  aggregation: Aggregation;
  clipMetrics: ClipMetrics;
}

/** grpo, bnpo, dr_grpo, dapo: PPO's clipped surrogate, with INTELLECT-2's cap when delta is set. */
function clippedSurrogate({ coef_1, advantages, settings }: PerTokenInputs): PerTokenLoss {
  const eps = clipRange(settings);
  const coef_2 = clip(coef_1, 1 - eps.low, 1 + eps.high);
  // Two-sided clipping
  if (settings.delta !== null) coef_1 = clip(coef_1, undefined, settings.delta);
  const per_token_loss1 = mul(coef_1, advantages);
  const per_token_loss2 = mul(coef_2, advantages);
  return { per_token_loss: neg(min(per_token_loss1, per_token_loss2)), coef_1, coef_2 };
}

/** cispo (MiniMax-M1): the clipped weight is a constant factor on the policy-gradient term. */
function cispo({ per_token_logps, coef_1, advantages, settings }: PerTokenInputs): PerTokenLoss {
  const clamped_ratios = stopGradient(clip(coef_1, undefined, clipRange(settings).high));
  return { per_token_loss: mul(mul(neg(clamped_ratios), advantages), per_token_logps), coef_1 };
}

/**
 * sapo: a sigmoid gate instead of the hard clip, temperature by the advantage's sign. TRL's
 * torch.where of two Python floats makes float32 temperatures whatever the loss's dtype; so here.
 */
function sapo({ coef_1, advantages, settings }: PerTokenInputs): PerTokenLoss {
  const tau = (t: number): Value => scalar(advantages, Math.fround(t));
  const temperatures = where(greater(advantages, 0), tau(settings.sapo_temperature_pos), tau(settings.sapo_temperature_neg));
  const soft_coef_1 = div(mul(sigmoid(mul(temperatures, sub(coef_1, 1))), 4), temperatures);
  return { per_token_loss: mul(neg(soft_coef_1), advantages), coef_1 };
}

export const LOSS_TYPE_RULES: Readonly<Record<LossType, LossTypeRule>> = {
  grpo: { perToken: clippedSurrogate, aggregation: 'sequence_mean', clipMetrics: 'ppo' },
  bnpo: { perToken: clippedSurrogate, aggregation: 'token_mean', clipMetrics: 'ppo' },
  dr_grpo: { perToken: clippedSurrogate, aggregation: 'fixed_length', clipMetrics: 'ppo' },
  dapo: { perToken: clippedSurrogate, aggregation: 'global_tokens', clipMetrics: 'ppo' },
  cispo: { perToken: cispo, aggregation: 'global_tokens', clipMetrics: 'cispo' },
  sapo: { perToken: sapo, aggregation: 'sequence_mean', clipMetrics: 'none' },
};

export interface AggregateInputs {
  per_token_loss: Value;
  mask: Value;
  settings: GrpoLossSettings;
  /** Active completion tokens in the whole generation batch (dapo, cispo); default: this batch's. */
  num_items_in_batch?: Value;
}

/** max(x, 1): TRL's .clamp(min=1.0) on token counts. */
const atLeastOne = (x: Value): Value => max(x, 1);

/** The number of rows of x (static when known), in x's dtype. */
export function rowCount(x: Value): Value {
  const d = x.shape?.[0];
  return typeof d === 'number' ? scalar(x, d) : cast(dimOf(x, 0), x.dtype);
}

/**
 * Each aggregation, divided by gradient_accumulation_steps where TRL does (train mode); dapo and
 * cispo divide by the global token count instead, which already spans the accumulated batch.
 */
export const AGGREGATIONS: Readonly<Record<Aggregation, (x: AggregateInputs) => Value>> = {
  // ((per_token_loss * mask).sum(-1) / mask.sum(-1).clamp(min=1.0)).mean() / G
  sequence_mean: ({ per_token_loss, mask, settings }) => {
    const perSeq = div(reduceSum(mul(per_token_loss, mask), [1], false), atLeastOne(reduceSum(mask, [1], false)));
    return div(reduceMean(perSeq, undefined, false), settings.gradient_accumulation_steps);
  },
  // (per_token_loss * mask).sum() / mask.sum().clamp(min=1.0) / G
  token_mean: ({ per_token_loss, mask, settings }) =>
    div(div(reduceSum(mul(per_token_loss, mask), undefined, false), atLeastOne(reduceSum(mask, undefined, false))), settings.gradient_accumulation_steps),
  // (per_token_loss * mask).sum() / (per_token_loss.size(0) * max_completion_length) / G
  fixed_length: ({ per_token_loss, mask, settings }) =>
    div(div(reduceSum(mul(per_token_loss, mask), undefined, false), mul(rowCount(per_token_loss), settings.max_completion_length)), settings.gradient_accumulation_steps),
  // (per_token_loss * mask).sum() / num_items_in_batch.clamp(min=1.0)  (one process)
  global_tokens: ({ per_token_loss, mask, num_items_in_batch }) =>
    div(reduceSum(mul(per_token_loss, mask), undefined, false), atLeastOne(num_items_in_batch ?? reduceSum(mask, undefined, false))),
};
