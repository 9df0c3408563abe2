// The GRPO loss as graph code on our ONNX IR, step for step TRL 1.9's GRPOTrainer._compute_loss
// (trl/trainer/grpo_trainer.py): importance weights (token or sequence level), the loss type's
// per-token formula and aggregation (loss-types.ts), the top-entropy token mask, the k3 KL term,
// and the metrics TRL logs. Dtype-generic: float32 in training, float64 for the parity checks.
// Variable names follow TRL's so the two read side by side.

import { isFloat, type Shape, type Value } from '../onnx/ir';
import { add, and, cast, constant, dimOf, div, equal, exp, greater, isNaN, less, max, mul, not, or, reduceMax, reduceMin, reduceSum, scalar, sub, unsqueeze, where } from '../onnx/ops';
import { stopGradient } from '../onnx/autodiff';
import { clipRange, validateGrpoLossSettings, type GrpoLossSettings } from './config';
import { highEntropyMask } from './entropy-mask';
import { AGGREGATIONS, LOSS_TYPE_RULES, rowCount } from './loss-types';

export interface GrpoLossInputs {
  /** [B, T] log-probs of the completion tokens under the policy being trained. */
  logps: Value;
  /** [B, T] log-probs at generation time; absent: logps detached (TRL's num_iterations 1 case). */
  oldLogps?: Value;
  /** [B, T] log-probs under the frozen reference policy; required when beta != 0. */
  refLogps?: Value;
  /** [B, T] completion mask, 1 for completion tokens, 0 for padding. */
  mask: Value;
  /** [B] advantages (computeAdvantages on the host). */
  advantages: Value;
  /** [B, T] per-token entropies; needed for top_entropy_quantile < 1, and logged as `entropy`. */
  entropies?: Value;
  /**
   * Scalar: active completion tokens in the whole generation batch (dapo and cispo divide by it).
   * Absent: this batch's sum(mask), which is right when the batch is the whole generation batch.
   */
  numItemsInBatch?: Value;
}

/** Metric names as TRL logs them; each a scalar of the loss's dtype. */
export type GrpoLossMetric =
  | 'kl'
  | 'entropy'
  | 'clip_ratio/low_mean'
  | 'clip_ratio/low_min'
  | 'clip_ratio/high_mean'
  | 'clip_ratio/high_max'
  | 'clip_ratio/region_mean'
  | 'cispo_clip_ratio';

export interface GrpoLoss {
  /** Scalar loss to differentiate (already divided for gradient accumulation as TRL does). */
  loss: Value;
  /** kl (beta != 0), entropy (entropies given), clip ratios (grpo/bnpo/dr_grpo/dapo), cispo_clip_ratio (cispo). */
  metrics: Partial<Record<GrpoLossMetric, Value>>;
  /** TRL's intermediate tensors, for debugging and tests. */
  intermediates: {
    log_ratio: Value;
    log_importance_weights: Value;
    coef_1: Value;
    coef_2?: Value;
    per_token_kl?: Value;
    entropy_mask?: Value;
    per_token_loss: Value;
  };
}

const fmt = (s: Shape | undefined): string => (s ? `[${s.join(', ')}]` : '[?]');

function checkInputs(x: GrpoLossInputs, s: GrpoLossSettings): void {
  const { logps } = x;
  const dtype = logps.dtype;
  if (!isFloat(dtype)) throw new Error(`buildGrpoLoss: logps is ${dtype}; it must be a float tensor`);
  if (logps.rank !== 2) throw new Error(`buildGrpoLoss: logps must be [B, T], got ${fmt(logps.shape)}`);
  const same = (name: string, v: Value | undefined, rank: number): void => {
    if (!v) return;
    if (v.graph !== logps.graph) throw new Error(`buildGrpoLoss: ${name} belongs to another graph than logps`);
    if (v.dtype !== dtype) throw new Error(`buildGrpoLoss: ${name} is ${v.dtype} but logps is ${dtype}; cast it (ops.cast) so every input has one dtype`);
    if (v.rank !== rank) throw new Error(`buildGrpoLoss: ${name} must have rank ${rank} (${rank === 2 ? '[B, T]' : rank === 1 ? '[B]' : 'a scalar'}), got ${fmt(v.shape)}`);
    for (let i = 0; i < rank; i++) {
      const a = v.shape![i];
      const b = logps.shape![i];
      if (typeof a === 'number' && typeof b === 'number' && a !== b) throw new Error(`buildGrpoLoss: ${name} has shape ${fmt(v.shape)}, which does not match logps ${fmt(logps.shape)} on axis ${i}`);
    }
  };
  same('oldLogps', x.oldLogps, 2);
  same('refLogps', x.refLogps, 2);
  same('mask', x.mask, 2);
  same('entropies', x.entropies, 2);
  same('advantages', x.advantages, 1);
  same('numItemsInBatch', x.numItemsInBatch, 0);
  if (s.beta !== 0 && !x.refLogps) throw new Error(`buildGrpoLoss: beta is ${s.beta}, so the KL term needs refLogps (the reference policy's log-probs); pass them or set beta 0`);
  if (s.top_entropy_quantile < 1 && !x.entropies) throw new Error(`buildGrpoLoss: top_entropy_quantile ${s.top_entropy_quantile} masks tokens by entropy, so it needs entropies; pass them or set top_entropy_quantile 1`);
  const aggregation = LOSS_TYPE_RULES[s.loss_type].aggregation;
  if (aggregation === 'global_tokens' && s.gradient_accumulation_steps > 1 && !x.numItemsInBatch) {
    throw new Error(
      `buildGrpoLoss: loss_type "${s.loss_type}" divides by the active tokens of the whole generation batch, and with gradient_accumulation_steps ` +
        `${s.gradient_accumulation_steps} this batch is only part of it: pass numItemsInBatch (sum of the completion masks over the generation batch)`,
    );
  }
}

/**
 * TRL's metric helpers branch on x.shape[1] == 1: one value per row (sequence level, or a batch
 * whose completions are one token long), used without the mask. Static when the width is known;
 * otherwise both are built and the run-time width picks (both forms are shape-safe).
 */
function byWidth(x: Value, perRow: () => Value, perToken: () => Value): Value {
  const width = x.shape?.[1];
  if (width === 1) return perRow();
  if (typeof width === 'number') return perToken();
  return where(equal(dimOf(x, 1), constant(x.graph, 'int64', [], [1])), perRow(), perToken());
}

/** TRL's global_masked_mean: sum(x * mask) / max(1, sum(mask)), or the mean over rows (see byWidth). */
function globalMaskedMean(x: Value, mask: Value): Value {
  return byWidth(
    x,
    () => div(reduceSum(x, undefined, false), max(rowCount(x), 1)),
    () => div(reduceSum(mul(x, mask), undefined, false), max(reduceSum(mask, undefined, false), 1)),
  );
}

/**
 * TRL's nanmin/nanmax over masked_seq_mean(x): per row sum(x * mask) / sum(mask) (NaN for an empty
 * row, which is skipped), or x's one value per row (see byWidth); NaN when every row is NaN.
 */
function rowExtremum(x: Value, mask: Value, which: 'min' | 'max'): Value {
  const perRow = byWidth(
    x,
    () => reduceSum(x, [1], false),
    () => div(reduceSum(mul(x, mask), [1], false), reduceSum(mask, [1], false)),
  );
  const valid = not(isNaN(perRow));
  const picked = where(valid, perRow, scalar(perRow, which === 'min' ? Infinity : -Infinity));
  const extremum = which === 'min' ? reduceMin(picked, undefined, false) : reduceMax(picked, undefined, false);
  const anyValid = greater(reduceSum(cast(valid, x.dtype), undefined, false), 0);
  return where(anyValid, extremum, scalar(perRow, NaN));
}

/** Gives a graph value a readable name (e.g. grpo.coef_1 in dumps and ORT errors). */
function named(v: Value, name: string): Value {
  if (v.producer) v.name = v.graph.uniqueName(`grpo.${name}`);
  return v;
}

/**
 * Emits the GRPO loss into the graph of `inputs.logps`. The gradient flows into logps only (and
 * through it into whatever computed them): oldLogps, refLogps, the mask, advantages, entropies and
 * the clipped weight of cispo are constants to autodiff.
 */
export function buildGrpoLoss(inputs: GrpoLossInputs, settings: GrpoLossSettings): GrpoLoss {
  const s = validateGrpoLossSettings(settings);
  checkInputs(inputs, s);
  const per_token_logps = inputs.logps;
  const mask = inputs.mask;
  const rule = LOSS_TYPE_RULES[s.loss_type];
  const eps = clipRange(s);

  const entropy_mask = s.top_entropy_quantile < 1 ? named(highEntropyMask(inputs.entropies!, mask, 1 - s.top_entropy_quantile), 'entropy_mask') : undefined;

  // advantages [B] -> [B, 1]
  const advantages = unsqueeze(inputs.advantages, [1]);
  // num_iterations == 1: old_per_token_logps == per_token_logps.detach()
  const old_per_token_logps = inputs.oldLogps ?? stopGradient(per_token_logps);

  const log_ratio = named(sub(per_token_logps, old_per_token_logps), 'log_ratio');
  let log_importance_weights: Value;
  if (s.importance_sampling_level === 'token') log_importance_weights = log_ratio;
  else {
    log_importance_weights = div(reduceSum(mul(log_ratio, mask), [1], true), max(reduceSum(mask, [1], true), 1));
    named(log_importance_weights, 'log_importance_weights');
  }
  const coef_1_raw = named(exp(log_importance_weights), 'coef_1');

  // k3 estimate of KL(policy || reference)
  let per_token_kl: Value | undefined;
  if (s.beta !== 0) {
    const d = sub(inputs.refLogps!, per_token_logps);
    per_token_kl = named(sub(sub(exp(d), d), 1), 'per_token_kl');
  }

  const { per_token_loss: surrogate, coef_1, coef_2 } = rule.perToken({ per_token_logps, coef_1: coef_1_raw, advantages, settings: s });
  if (coef_2) named(coef_2, 'coef_2');
  let per_token_loss = surrogate;
  if (entropy_mask) per_token_loss = mul(per_token_loss, cast(entropy_mask, per_token_loss.dtype));
  if (per_token_kl) per_token_loss = add(per_token_loss, mul(per_token_kl, s.beta));
  named(per_token_loss, 'per_token_loss');

  const num_items_in_batch = inputs.numItemsInBatch;
  const loss = AGGREGATIONS[rule.aggregation]({ per_token_loss, mask, settings: s, ...(num_items_in_batch ? { num_items_in_batch } : {}) });

  // Metrics (TRL's names; one process, so its gathers are identities)
  const metrics: GrpoLoss['metrics'] = {};
  if (per_token_kl) metrics['kl'] = globalMaskedMean(per_token_kl, mask);
  if (inputs.entropies) metrics['entropy'] = globalMaskedMean(stopGradient(inputs.entropies), mask);
  const ratio = stopGradient(coef_1);
  const asFloat = (b: Value): Value => cast(b, per_token_logps.dtype);
  if (rule.clipMetrics === 'ppo') {
    const is_low_clipped = and(less(ratio, 1 - eps.low), less(advantages, 0));
    const is_high_clipped = and(greater(ratio, 1 + eps.high), greater(advantages, 0));
    const is_region_clipped = or(is_low_clipped, is_high_clipped);
    metrics['clip_ratio/low_mean'] = globalMaskedMean(asFloat(is_low_clipped), mask);
    metrics['clip_ratio/high_mean'] = globalMaskedMean(asFloat(is_high_clipped), mask);
    metrics['clip_ratio/region_mean'] = globalMaskedMean(asFloat(is_region_clipped), mask);
    metrics['clip_ratio/low_min'] = rowExtremum(asFloat(is_low_clipped), mask, 'min');
    metrics['clip_ratio/high_max'] = rowExtremum(asFloat(is_high_clipped), mask, 'max');
  } else if (rule.clipMetrics === 'cispo') {
    const is_cispo_clipped = and(greater(ratio, eps.high), greater(advantages, 0));
    metrics['cispo_clip_ratio'] = globalMaskedMean(asFloat(is_cispo_clipped), mask);
  }

  return {
    loss,
    metrics,
    intermediates: {
      log_ratio,
      log_importance_weights,
      coef_1,
      ...(coef_2 ? { coef_2 } : {}),
      ...(per_token_kl ? { per_token_kl } : {}),
      ...(entropy_mask ? { entropy_mask } : {}),
      per_token_loss,
    },
  };
}
