// A small GPT-style causal LM: token embedding + positions, pre-norm RMSNorm blocks with causal
// multi-head attention and a GELU MLP, a final RMSNorm and an untied LM head.
// Batch and sequence length stay symbolic ('B', 'T'); sequences are never padded to a maximum.

import type { Graph, Value } from '../onnx/ir';
import { add, gather, rmsNorm } from '../onnx/ops';
import { causalBias, keyPaddingBias, linear, maskedCrossEntropy, positionsOf, preNormBlock, blockWeightsAt, blockParamSpecs, sinusoidalPositions, type CrossEntropy } from './blocks';
import { normWeight, param, weight, type ParamSpec, type ParamValues } from './params';

export interface GptConfig {
  vocabSize: number;
  dModel: number;
  nLayers: number;
  nHeads: number;
  /** MLP hidden width (usually 4 * dModel). */
  dFF: number;
  /** 'learned' needs maxLen; 'sinusoidal' works for any length. */
  positions: 'learned' | 'sinusoidal';
  maxLen: number;
  normEps: number;
  /** Std of the normal init of weight matrices (GPT-2: 0.02; small widths learn faster near 1/sqrt(dModel)). */
  initStd: number;
}

export function gptConfig(overrides: Partial<GptConfig> & Pick<GptConfig, 'vocabSize' | 'dModel' | 'nLayers' | 'nHeads'>): GptConfig {
  return { dFF: 4 * overrides.dModel, positions: 'learned', maxLen: 512, normEps: 1e-5, initStd: 0.02, ...overrides };
}

/** Parameter names follow a HF/lobster-like dotted scheme; weights are [in, out]. */
export function gptParamSpecs(c: GptConfig): ParamSpec[] {
  const std = c.initStd;
  // GPT-2's scaled init for the projections that write into the residual stream.
  const residStd = std / Math.sqrt(2 * c.nLayers);
  const specs: ParamSpec[] = [weight('embed.weight', [c.vocabSize, c.dModel], std)];
  if (c.positions === 'learned') specs.push(weight('pos_embed.weight', [c.maxLen, c.dModel], std));
  for (let i = 0; i < c.nLayers; i++) {
    const p = `layers.${i}`;
    specs.push(...blockParamSpecs(p, c.dModel, c.dFF, std, residStd));
  }
  specs.push(normWeight('final_norm.weight', c.dModel), weight('lm_head.weight', [c.dModel, c.vocabSize], std));
  return specs;
}

export interface GptInputs {
  /** int64 [B, T] */
  inputIds: Value;
  /** Optional int64 [B, T], 1 = token, 0 = padding; right padding needs none (causality hides it). */
  attentionMask?: Value;
}

/** Logits [B, T, vocab]. */
export function gptForward(c: GptConfig, p: ParamValues, inputs: GptInputs): Value {
  const { inputIds } = inputs;
  const pos = positionsOf(inputIds, 1);
  let h = gather(param(p, 'embed.weight'), inputIds);
  h = add(h, c.positions === 'learned' ? gather(param(p, 'pos_embed.weight'), pos) : sinusoidalPositions(pos, c.dModel));
  let bias = causalBias(pos);
  if (inputs.attentionMask) bias = add(bias, keyPaddingBias(inputs.attentionMask));
  for (let i = 0; i < c.nLayers; i++) {
    const l = `layers.${i}`;
    h = preNormBlock(h, blockWeightsAt(p, l), c.nHeads, bias, c.normEps);
  }
  return linear(rmsNorm(h, param(p, 'final_norm.weight'), c.normEps), param(p, 'lm_head.weight'));
}

/**
 * Next-token loss. `labels` int64 [B, T] holds the token each position must predict (the input
 * shifted left, see `nextTokenLabels`), IGNORE_INDEX where nothing is predicted.
 */
export function gptLoss(c: GptConfig, p: ParamValues, inputs: GptInputs & { labels: Value }): CrossEntropy & { logits: Value } {
  const logits = gptForward(c, p, inputs);
  return { ...maskedCrossEntropy(logits, inputs.labels), logits };
}

/** The graph inputs a GPT graph takes, with symbolic batch and length. */
export function gptGraphInputs(g: Graph, opts: { attentionMask?: boolean; labels?: boolean } = {}): GptInputs & { labels?: Value } {
  const out: GptInputs & { labels?: Value } = { inputIds: g.input('input_ids', 'int64', ['B', 'T']) };
  if (opts.attentionMask) out.attentionMask = g.input('attention_mask', 'int64', ['B', 'T']);
  if (opts.labels) out.labels = g.input('labels', 'int64', ['B', 'T']);
  return out;
}
