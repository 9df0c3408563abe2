// policy-tiny's two sampling graphs, parameters as inputs (they change at every training step; the
// sampler feeds the ParameterSet's current tensors). Both use gpt.ts's weights exactly as
// fullHidden does (fused QKV [d, 3d] laid out q | k | v, heads inside each; q scaled by 1/sqrt(dh)).
//
// prefill   input_ids, position_ids, attention_mask int64 [N, P]: prompts LEFT-padded to one
//           length P (so every row's next token lands in the same cache slot), positions counted
//           from each row's first real token, mask 0 on padding.
//           -> logits [N, V] of the last position; key_<i> [N, H, dh, P] (keys stored transposed,
//           so a decode step multiplies q by them without a Transpose); value_<i> [N, H, P, dh].
// decode    input_ids, position_ids int64 [N]: one token per row; key_bias float32 [N, S]: 0 on
//           the cache slots a row may attend to, MASK_NEG elsewhere (padding, unwritten slots);
//           past_key_<i> [N, H, dh, S], past_value_<i> [N, H, S, dh]: the whole preallocated cache.
//           -> logits [N, V]; key_<i>, value_<i> [N, H, dh]: the new token's key and value only.
// The decode graph never copies the cache: the new token attends to the cache (masked scores) and
// to itself (one dot product), both inside one softmax, and only its own key and value come out
// for the host to write into the cache slot. Concatenating past and new keys in the graph would
// copy every row's whole cache at every step.

import { Graph, type Value } from '../../onnx/ir';
import { add, concat, constant, gather, matmul, mul, reduceSum, reshape, rmsNorm, slice, softmax, split, squeeze, sub, transpose, unsqueeze } from '../../onnx/ops';
import { causalBias, geluMlp, keyPaddingBias, positionsOf } from '../../models/blocks';
import type { GptConfig } from '../../models/gpt';
import { paramInputs, type ParamSpec } from '../../models/params';
import { embed, layerWeights, lmHead } from './forward';

const headDim = (c: GptConfig): number => {
  if (c.dModel % c.nHeads !== 0) throw new Error(`dModel ${c.dModel} is not divisible by ${c.nHeads} heads`);
  return c.dModel / c.nHeads;
};

export const keyName = (i: number): string => `key_${i}`;
export const valueName = (i: number): string => `value_${i}`;
export const pastKeyName = (i: number): string => `past_key_${i}`;
export const pastValueName = (i: number): string => `past_value_${i}`;

export function buildPrefillGraph(c: GptConfig, specs: readonly ParamSpec[]): Graph {
  const g = new Graph('policy_tiny_prefill');
  const p = paramInputs(g, specs);
  const ids = g.input('input_ids', 'int64', ['N', 'P']);
  const pos = g.input('position_ids', 'int64', ['N', 'P']);
  const mask = g.input('attention_mask', 'int64', ['N', 'P']);
  const H = c.nHeads;
  const dh = headDim(c);
  let h = embed(p, ids, pos);
  const bias = add(causalBias(positionsOf(ids, 1)), keyPaddingBias(mask)); // [N, 1, P, P]
  for (let i = 0; i < c.nLayers; i++) {
    const w = layerWeights(p, i);
    const x = rmsNorm(h, w.attnNorm, c.normEps);
    const qkv = transpose(reshape(matmul(x, w.Wqkv), [0, 0, 3, H, dh]), [2, 0, 3, 1, 4]); // [3, N, H, P, dh]
    const [q0, k, v] = split(qkv, [1, 1, 1], 0).map((t) => squeeze(t, [0])) as [Value, Value, Value];
    const q = mul(q0, 1 / Math.sqrt(dh));
    const kT = transpose(k, [0, 1, 3, 2]); // [N, H, dh, P]
    const scores = add(matmul(q, kT), bias);
    const ctx = matmul(softmax(scores, -1), v); // [N, H, P, dh]
    h = add(h, matmul(reshape(transpose(ctx, [0, 2, 1, 3]), [0, 0, c.dModel]), w.Wo));
    h = add(h, geluMlp(rmsNorm(h, w.mlpNorm, c.normEps), w.Wi, w.WoMlp));
    g.output(kT, keyName(i));
    g.output(v, valueName(i));
  }
  const last = sub(gather(g.op1('Shape', [ids]), constant(g, 'int64', [], [1])), constant(g, 'int64', [], [1]));
  g.output(lmHead(c, p, gather(h, last, 1)), 'logits'); // [N, V]
  return g;
}

export function buildDecodeGraph(c: GptConfig, specs: readonly ParamSpec[]): Graph {
  const g = new Graph('policy_tiny_decode');
  const p = paramInputs(g, specs);
  const ids = g.input('input_ids', 'int64', ['N']);
  const pos = g.input('position_ids', 'int64', ['N']);
  const keyBias = unsqueeze(g.input('key_bias', 'float32', ['N', 'S']), [1, 2]); // [N, 1, 1, S]
  const H = c.nHeads;
  const dh = headDim(c);
  let h = embed(p, ids, pos); // [N, d]
  for (let i = 0; i < c.nLayers; i++) {
    const pastK = g.input(pastKeyName(i), 'float32', ['N', H, dh, 'S']);
    const pastV = g.input(pastValueName(i), 'float32', ['N', H, 'S', dh]);
    const w = layerWeights(p, i);
    const x = rmsNorm(h, w.attnNorm, c.normEps);
    const qkv = reshape(matmul(x, w.Wqkv), [0, 3, H, dh]); // [N, 3, H, dh]
    const [q0, k, v] = split(qkv, [1, 1, 1], 1).map((t) => squeeze(t, [1])) as [Value, Value, Value]; // [N, H, dh]
    const q = mul(q0, 1 / Math.sqrt(dh));
    const past = add(matmul(unsqueeze(q, [2]), pastK), keyBias); // [N, H, 1, S]
    const self = unsqueeze(reduceSum(mul(q, k), [-1], true), [3]); // [N, H, 1, 1]
    const probs = softmax(concat([past, self], -1), -1); // [N, H, 1, S + 1]
    const pPast = slice(probs, [0], [-1], [3]);
    const pSelf = slice(probs, [-1], [Number.MAX_SAFE_INTEGER], [3]);
    const ctx = add(matmul(pPast, pastV), mul(pSelf, unsqueeze(v, [2]))); // [N, H, 1, dh]
    h = add(h, matmul(reshape(ctx, [0, c.dModel]), w.Wo));
    h = add(h, geluMlp(rmsNorm(h, w.mlpNorm, c.normEps), w.Wi, w.WoMlp));
    g.output(k, keyName(i));
    g.output(v, valueName(i));
  }
  g.output(lmHead(c, p, h), 'logits');
  return g;
}
