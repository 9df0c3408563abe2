// A small BERT-style MLM encoder with UME's (FlexBERT) layout, so the UME encoder can reuse it:
// token embedding -> RMSNorm -> + fixed sinusoidal positions; pre-norm blocks (RMSNorm,
// bidirectional attention with a key padding mask, plain GELU MLP, no biases); no final norm;
// MLM head dense -> SiLU -> RMSNorm -> Linear with bias. Loss only on masked positions.

import type { Graph, Value } from '../onnx/ir';
import { add, gather, rmsNorm, silu } from '../onnx/ops';
import { keyPaddingBias, linear, maskedCrossEntropy, positionsOf, preNormBlock, blockWeightsAt, blockParamSpecs, sinusoidalPositions, type CrossEntropy } from './blocks';
import { bias, normWeight, param, weight, type ParamSpec, type ParamValues } from './params';

export interface BertConfig {
  vocabSize: number;
  dModel: number;
  nLayers: number;
  nHeads: number;
  dFF: number;
  normEps: number;
  /** Std of the normal init of weight matrices (GPT-2: 0.02; small widths learn faster near 1/sqrt(dModel)). */
  initStd: number;
  /** Sinusoid base and channel layout (UME: temperature 10000). */
  posTemperature: number;
  posLayout: 'interleaved' | 'halves';
}

export function bertConfig(overrides: Partial<BertConfig> & Pick<BertConfig, 'vocabSize' | 'dModel' | 'nLayers' | 'nHeads'>): BertConfig {
  return { dFF: 4 * overrides.dModel, normEps: 1e-5, initStd: 0.02, posTemperature: 10000, posLayout: 'interleaved', ...overrides };
}

/** FlexBERT-like names (lobster's UME prefixes them with `model.`); weights are [in, out]. */
export function bertParamSpecs(c: BertConfig): ParamSpec[] {
  const std = c.initStd;
  const residStd = std / Math.sqrt(2 * c.nLayers);
  const specs: ParamSpec[] = [weight('embeddings.tok_embeddings.weight', [c.vocabSize, c.dModel], std), normWeight('embeddings.norm.weight', c.dModel)];
  for (let i = 0; i < c.nLayers; i++) {
    const p = `encoder.layers.${i}`;
    specs.push(...blockParamSpecs(p, c.dModel, c.dFF, std, residStd));
  }
  specs.push(
    weight('head.dense.weight', [c.dModel, c.dModel], std),
    normWeight('head.norm.weight', c.dModel),
    weight('decoder.weight', [c.dModel, c.vocabSize], std),
    bias('decoder.bias', c.vocabSize),
  );
  return specs;
}

export interface BertInputs {
  /** int64 [B, T] */
  inputIds: Value;
  /** int64 [B, T], 1 = token, 0 = padding (padded keys get no attention). */
  attentionMask: Value;
}

/** Final hidden states [B, T, d] (before the MLM head): what embeddings are pooled from. */
export function bertEncode(c: BertConfig, p: ParamValues, inputs: BertInputs): Value {
  const pos = positionsOf(inputs.inputIds, 1);
  let h = rmsNorm(gather(param(p, 'embeddings.tok_embeddings.weight'), inputs.inputIds), param(p, 'embeddings.norm.weight'), c.normEps);
  h = add(h, sinusoidalPositions(pos, c.dModel, c.posTemperature, c.posLayout));
  const bias = keyPaddingBias(inputs.attentionMask);
  for (let i = 0; i < c.nLayers; i++) {
    const l = `encoder.layers.${i}`;
    h = preNormBlock(h, blockWeightsAt(p, l), c.nHeads, bias, c.normEps);
  }
  return h;
}

/** MLM head on hidden states [..., d] -> logits [..., vocab]; works on any subset of positions. */
export function mlmHead(c: BertConfig, p: ParamValues, hidden: Value): Value {
  const h = rmsNorm(silu(linear(hidden, param(p, 'head.dense.weight'))), param(p, 'head.norm.weight'), c.normEps);
  return linear(h, param(p, 'decoder.weight'), param(p, 'decoder.bias'));
}

/** Logits [B, T, vocab]. */
export function bertForward(c: BertConfig, p: ParamValues, inputs: BertInputs): Value {
  return mlmHead(c, p, bertEncode(c, p, inputs));
}

/** MLM loss: `labels` int64 [B, T] holds the original token at masked positions, IGNORE_INDEX elsewhere. */
export function bertLoss(c: BertConfig, p: ParamValues, inputs: BertInputs & { labels: Value }): CrossEntropy & { logits: Value } {
  const logits = bertForward(c, p, inputs);
  return { ...maskedCrossEntropy(logits, inputs.labels), logits };
}

export function bertGraphInputs(g: Graph, opts: { labels?: boolean } = {}): BertInputs & { labels?: Value } {
  const out: BertInputs & { labels?: Value } = {
    inputIds: g.input('input_ids', 'int64', ['B', 'T']),
    attentionMask: g.input('attention_mask', 'int64', ['B', 'T']),
  };
  if (opts.labels) out.labels = g.input('labels', 'int64', ['B', 'T']);
  return out;
}
