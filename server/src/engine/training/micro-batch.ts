// The tensors of one micro-batch of rollouts for the train-step graph.
//   input_ids        int64 [B, L]  prompt + completion, right-padded with <pad> (causal attention
//                                  never looks right, so padding needs no mask)
//   positions        int64 [B, T]  where each completion token's prediction is read: prompt_len-1+t
//   completion_mask  float [B, T]  1 for completion tokens that count in the loss
//   advantages       float [B]
//   old_logps        float [B, T]  (only when the loss needs stored log-probs)
//   ref_logps        float [B, T]  (beta != 0)
//   num_items_in_batch float []    active completion tokens of the whole generation batch (dapo, cispo)

import { tensorData, type TensorData } from '../onnx/ir';
import type { Rollout } from './rollout';
import type { Policy } from '../policy/types';

export interface MicroBatchOptions {
  padId: number;
  maskTruncated: boolean;
  withOld: boolean;
  withRef: boolean;
  numItemsInBatch: number;
}

/** Completion tokens of a rollout that count in the loss (TRL's completion mask, with mask_truncated_completions). */
export function activeTokens(r: Rollout, maskTruncated: boolean): number {
  return maskTruncated && r.truncated ? 0 : r.completionIds.length;
}

export function microBatchTensors(rows: readonly Rollout[], o: MicroBatchOptions): Record<string, TensorData> {
  if (rows.length === 0) throw new Error('an empty micro-batch: the generation batch was split into more micro-batches than it has completions');
  const B = rows.length;
  const L = Math.max(...rows.map((r) => r.promptIds.length + r.completionIds.length));
  const T = Math.max(1, ...rows.map((r) => r.completionIds.length));
  const ids = new Array<number>(B * L).fill(o.padId);
  const pos = new Array<number>(B * T).fill(0);
  const mask = new Array<number>(B * T).fill(0);
  const old = new Array<number>(B * T).fill(0);
  const ref = new Array<number>(B * T).fill(0);
  rows.forEach((r, b) => {
    const P = r.promptIds.length;
    if (P === 0) throw new Error(`rollout ${r.index} has an empty prompt; every prompt needs at least its start token`);
    r.promptIds.forEach((t, i) => (ids[b * L + i] = t));
    r.completionIds.forEach((t, i) => (ids[b * L + P + i] = t));
    const on = activeTokens(r, o.maskTruncated) > 0;
    for (let t = 0; t < T; t++) {
      const inside = t < r.completionIds.length;
      pos[b * T + t] = inside ? P - 1 + t : P - 1;
      mask[b * T + t] = inside && on ? 1 : 0;
      if (inside && o.withOld) old[b * T + t] = r.oldLogps![t]!;
      if (inside && o.withRef) ref[b * T + t] = r.refLogps![t]!;
    }
  });
  const out: Record<string, TensorData> = {
    input_ids: tensorData('int64', [B, L], ids),
    positions: tensorData('int64', [B, T], pos),
    completion_mask: tensorData('float32', [B, T], mask),
    advantages: tensorData('float32', [B], rows.map((r) => r.advantage)),
    num_items_in_batch: tensorData('float32', [], [Math.max(1, o.numItemsInBatch)]),
  };
  if (o.withOld) out['old_logps'] = tensorData('float32', [B, T], old);
  if (o.withRef) out['ref_logps'] = tensorData('float32', [B, T], ref);
  return out;
}

/** A micro-batch's feeds plus what the policy's log-prob graph also reads (Policy.logpExtraFeeds). */
export function withPolicyFeeds(policy: Pick<Policy, 'logpExtraFeeds'>, feeds: Record<string, TensorData>): Record<string, TensorData> {
  return policy.logpExtraFeeds ? { ...feeds, ...policy.logpExtraFeeds(feeds['input_ids']!, feeds['positions']!) } : feeds;
}
