// The UME encoder as ONNX graphs, built from the shared BERT/FlexBERT blocks (models/bert.ts has
// exactly UME's layout). Inputs are input_ids and attention_mask int64 [B, T] with symbolic B and T,
// so one compiled session serves every batch shape (dynamic padding, never padded to the maximum).
//
// Outputs, chosen per graph so a session computes only what a caller needs:
//   logprobs          float32 [B, T, vocab]  log_softmax over the vocabulary at every position
//   observed_logprob  float32 [B, T]         log-prob of the token actually at each position
//   selected_logprob  float32 [N]            head applied only at `positions` (flat b*T+t indices,
//                                            int64 [N]), log-prob of `targets` (int64 [N]) there
//   masked_logprob    float32 [B]            one scored position per row (masked/sampled PLL):
//                                            `positions` int64 [B] flat b*T+t_b, row b's scored
//                                            position (in row b), `targets` int64 [B]; the LAST
//                                            layer runs only at those rows (see lastLayerAt)
//   pooled            float32 [B, H]         mean of final hidden states over non-pad tokens
//   hidden            float32 [B, T, H]      final hidden states (before the MLM head)

import { Graph, type Value } from '../onnx/ir';
import { add, cast, div, gather, gatherElements, gelu, logSoftmax, matmul, max, mul, reduceSum, reshape, rmsNorm, scalar, slice, softmax, squeeze, transpose, unsqueeze } from '../onnx/ops';
import { bertConfig, bertEncode, bertGraphInputs, bertParamSpecs, mlmHead, type BertConfig, type BertInputs } from '../models/bert';
import { keyPaddingBias } from '../models/blocks';
import { param } from '../models/params';
import { paramValues, type ParamValues, type WeightSource } from '../models/params';
import type { UmeConfig } from './config';

export type UmeOutput = 'logprobs' | 'observed_logprob' | 'selected_logprob' | 'masked_logprob' | 'pooled' | 'hidden';
/** The outputs one graph can combine; `masked_logprob` changes the last layer, so it stands alone. */
export const UME_OUTPUTS: readonly UmeOutput[] = ['logprobs', 'observed_logprob', 'selected_logprob', 'pooled', 'hidden'];

/**
 * lobster's posemb_sincos_1d uses angle = pos / T^(i / (d/2 - 1)) for i < d/2, sines then cosines.
 * The shared block uses angle = pos / T'^(2i / d); both agree when T' = T^(d / (d - 2)).
 */
export function sinusoidTemperatureFor(c: UmeConfig): number {
  return Math.pow(c.posTemperature, c.hiddenSize / (c.hiddenSize - 2));
}

/** The shared BERT block config that computes exactly UME's encoder. */
export function bertConfigOf(c: UmeConfig): BertConfig {
  // Through the factory, so fields the blocks add later (e.g. init settings) get their defaults.
  return bertConfig({
    vocabSize: c.vocabSize,
    dModel: c.hiddenSize,
    nLayers: c.numLayers,
    nHeads: c.numHeads,
    dFF: c.intermediateSize,
    normEps: c.normEps,
    posTemperature: sinusoidTemperatureFor(c),
    posLayout: 'halves',
  });
}

export interface UmeGraphOptions {
  outputs: readonly UmeOutput[];
  /**
   * 'initializers' bakes the weights into the model (fastest; ORT can pre-pack them). 'inputs'
   * declares them as graph inputs fed on every run: needed above protobuf's 2 GB model limit
   * (ume-medium, ume-large), where a self-contained model cannot be serialized.
   */
  weights?: 'initializers' | 'inputs';
}

/** Mean over non-pad positions: sum(h * m) / max(sum(m), 1) -> [B, H]. */
function meanPool(hidden: Value, attentionMask: Value): Value {
  const m = unsqueeze(cast(attentionMask, 'float32'), [-1]); // [B, T, 1]
  const total = reduceSum(mul(hidden, m), [1], false); // [B, H]
  const count = reduceSum(m, [1], false); // [B, 1]
  return div(total, max(count, scalar(count, 1)));
}

/** Log-prob of `targets` (int64, same leading shape) in logprobs [..., V]. */
function pick(logprobs: Value, targets: Value): Value {
  return squeeze(gatherElements(logprobs, unsqueeze(targets, [-1]), -1), [-1]);
}

/**
 * The last encoder layer evaluated only at one row per batch row: hidden rows `rows` [B, H] (row b's
 * scored position) attend over all of row b's keys and values, which come from the full input of
 * the last layer `h` [B, T, H]. Exact: a position's output depends on the other positions only
 * through their keys and values. Masked PLL reads one position per copy, so the last layer's query
 * projection, attention scores, output projection and MLP shrink from T rows to one (a 2-layer
 * model does ~40% less work per pass).
 */
function lastLayerAt(bc: BertConfig, p: ParamValues, inputs: BertInputs, h: Value, rows: Value): Value {
  const l = `encoder.layers.${bc.nLayers - 1}`;
  const H = bc.dModel;
  const heads = bc.nHeads;
  const dh = H / heads;
  const Wqkv = param(p, `${l}.attn.Wqkv.weight`); // [H, 3H]: q | k | v
  const x = rmsNorm(h, param(p, `${l}.attn_norm.weight`), bc.normEps);
  const kv = transpose(reshape(matmul(x, slice(Wqkv, [H], [3 * H], [1])), [0, 0, 2 * heads, dh]), [0, 2, 1, 3]); // [B, 2heads, T, dh]
  const k = slice(kv, [0], [heads], [1]);
  const v = slice(kv, [heads], [2 * heads], [1]);
  const xs = rmsNorm(rows, param(p, `${l}.attn_norm.weight`), bc.normEps);
  const q = mul(reshape(matmul(xs, slice(Wqkv, [0], [H], [1])), [0, heads, 1, dh]), 1 / Math.sqrt(dh)); // [B, heads, 1, dh]
  const scores = add(matmul(q, transpose(k, [0, 1, 3, 2])), keyPaddingBias(inputs.attentionMask)); // [B, heads, 1, T]
  const ctx = reshape(matmul(softmax(scores, -1), v), [0, H]); // [B, H]
  const a = add(rows, matmul(ctx, param(p, `${l}.attn.Wo.weight`)));
  const m = matmul(gelu(matmul(rmsNorm(a, param(p, `${l}.mlp_norm.weight`), bc.normEps), param(p, `${l}.mlp.Wi.weight`))), param(p, `${l}.mlp.Wo.weight`));
  return add(a, m); // [B, H]
}

export function buildUmeGraph(c: UmeConfig, params: WeightSource, options: UmeGraphOptions): Graph {
  if (options.outputs.length === 0) throw new Error(`buildUmeGraph needs at least one output (${UME_OUTPUTS.join(', ')})`);
  const bc = bertConfigOf(c);
  const specs = bertParamSpecs(bc);
  const g = new Graph(`${c.name}-${options.outputs.join('+')}`);
  const inputs = bertGraphInputs(g);
  const p: ParamValues = paramValues(g, specs, params, options.weights);
  const want = new Set(options.outputs);
  if (want.has('masked_logprob')) {
    if (want.size > 1) throw new Error(`masked_logprob skips the last layer's other rows, so it cannot share a graph with ${[...want].filter((o) => o !== 'masked_logprob').join(', ')}`);
    const positions = g.input('positions', 'int64', ['B']);
    const targets = g.input('targets', 'int64', ['B']);
    // All layers but the last on every row; ids are [B, T], so shapes stay symbolic.
    const h = bertEncode({ ...bc, nLayers: bc.nLayers - 1 }, p, inputs);
    const rows = gather(reshape(h, [-1, c.hiddenSize]), positions); // [B, H]
    g.output(pick(logSoftmax(mlmHead(bc, p, lastLayerAt(bc, p, inputs, h, rows)), -1), targets), 'masked_logprob');
    return g;
  }
  const hidden = bertEncode(bc, p, inputs);
  if (want.has('logprobs') || want.has('observed_logprob')) {
    const logp = logSoftmax(mlmHead(bc, p, hidden), -1);
    if (want.has('logprobs')) g.output(logp, 'logprobs');
    if (want.has('observed_logprob')) g.output(pick(logp, inputs.inputIds), 'observed_logprob');
  }
  if (want.has('selected_logprob')) {
    const positions = g.input('positions', 'int64', ['N']);
    const targets = g.input('targets', 'int64', ['N']);
    const flat = reshape(hidden, [-1, c.hiddenSize]); // [B*T, H]
    const rows = gather(flat, positions); // [N, H]: the head runs on these rows only
    g.output(pick(logSoftmax(mlmHead(bc, p, rows), -1), targets), 'selected_logprob');
  }
  if (want.has('pooled')) g.output(meanPool(hidden, inputs.attentionMask), 'pooled');
  if (want.has('hidden')) g.output(hidden, 'hidden');
  return g;
}
