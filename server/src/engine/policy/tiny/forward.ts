// policy-tiny's forward passes, all built from the GPT of engine/models (gpt.ts parameter names and
// layout, blocks.ts attention/MLP/norms), so the three ways of running it compute the same function:
//   - full recompute (logps.ts: the train-step log-probs and Policy.logprobs), as gptForward;
//   - prefill (kv-graphs.ts): all prompt tokens, left-padded, returning keys and values;
//   - decode (kv-graphs.ts): one token per row against the cached keys and values.

import type { Value } from '../../onnx/ir';
import { add, gather, rmsNorm } from '../../onnx/ops';
import { blockWeightsAt, causalBias, linear, positionsOf, preNormBlock, type BlockWeights } from '../../models/blocks';
import type { GptConfig } from '../../models/gpt';
import { param, type ParamValues } from '../../models/params';

/** Token embedding + learned position embedding: ids and positions of the same shape. */
export function embed(p: ParamValues, ids: Value, positions: Value): Value {
  return add(gather(param(p, 'embed.weight'), ids), gather(param(p, 'pos_embed.weight'), positions));
}

/** Final RMSNorm + LM head: hidden [..., d] -> logits [..., V]. */
export function lmHead(c: GptConfig, p: ParamValues, h: Value): Value {
  return linear(rmsNorm(h, param(p, 'final_norm.weight'), c.normEps), param(p, 'lm_head.weight'));
}

export function layerWeights(p: ParamValues, i: number): BlockWeights {
  return blockWeightsAt(p, `layers.${i}`);
}

/**
 * Hidden states [B, L, d] before the final norm, for unpadded or right-padded ids [B, L] at
 * positions 0..L-1: gptForward without its head (causality hides right padding from real tokens).
 */
export function fullHidden(c: GptConfig, p: ParamValues, inputIds: Value): Value {
  if (c.positions !== 'learned') throw new Error(`policy-tiny uses learned positions; this config has ${c.positions}`);
  const pos = positionsOf(inputIds, 1);
  let h = embed(p, inputIds, pos);
  const bias = causalBias(pos);
  for (let i = 0; i < c.nLayers; i++) h = preNormBlock(h, layerWeights(p, i), c.nHeads, bias, c.normEps);
  return h;
}
