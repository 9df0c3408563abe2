// The three inference graphs of a Hugging Face policy, parameters as graph inputs (a training step
// changes them; every run feeds the ParameterSet's current tensors):
//
// prefill   input_ids, position_ids, attention_mask int64 [N, P]: prompts LEFT-padded to one
//           length P (every row's next token then lands in the same cache slot), positions counted
//           from each row's first real token (HF generate's cumsum(mask) - 1), mask 0 on padding.
//           -> logits [N, V] of the last position; key_<i> [N, KV, dh, P] (transposed, so decode
//           multiplies q by it directly), value_<i> [N, KV, P, dh].
// decode    input_ids, position_ids int64 [N]; key_bias float32 [N, S] (0 where a row may attend,
//           MASK_NEG elsewhere); past_key_<i> [N, KV, dh, S], past_value_<i> [N, KV, S, dh]: the
//           whole preallocated cache, never copied in the graph: the new token attends to the cache
//           and to itself inside one softmax, and only its own key and value come out
//           (key_<i>, value_<i> [N, KV, dh]) for the host to write into the slot.
// full      (forward.ts fullHidden) unpadded or right-padded ids, for log-probs and training.

import { Graph, type Value } from '../../onnx/ir';
import { add, concat, gather, matmul, mul, reduceSum, reshape, slice, softmax, sub, unsqueeze, constant } from '../../onnx/ops';
import { causalBias, keyPaddingBias, positionsOf } from '../../models/blocks';
import { paramInputs, type ParamSpec } from '../../models/params';
import type { HfModelConfig } from './config';
import { attentionOut, attnNorm, embed, layerHeads, lmHead, mlp, mlpNorm, rotary, sequenceLayer, type ModelValues } from './forward';

export const keyName = (i: number): string => `key_${i}`;
export const valueName = (i: number): string => `value_${i}`;
export const pastKeyName = (i: number): string => `past_key_${i}`;
export const pastValueName = (i: number): string => `past_value_${i}`;

/** Hidden states [B, L, d] before the final norm, for ids [B, L] at positions 0..L-1 (causal). */
export function fullHidden(c: HfModelConfig, m: ModelValues, ids: Value): Value {
  const pos = positionsOf(ids, 1); // [L]
  let h = embed(c, m, ids, pos);
  const rot = rotary(c, pos);
  const bias = causalBias(pos); // [L, L] broadcasts over [B, KV, G, L, L]
  for (let i = 0; i < c.layers; i++) h = sequenceLayer(c, m, i, h, rot, bias);
  return h;
}

export function buildPrefillGraph(c: HfModelConfig, specs: readonly ParamSpec[], extra: (g: Graph) => Partial<ModelValues> = () => ({})): Graph {
  const g = new Graph('hf_prefill');
  const m: ModelValues = { p: paramInputs(g, specs), ...extra(g) };
  const ids = g.input('input_ids', 'int64', ['N', 'P']);
  const pos = g.input('position_ids', 'int64', ['N', 'P']);
  const mask = g.input('attention_mask', 'int64', ['N', 'P']);
  let h = embed(c, m, ids, pos);
  const rot = rotary(c, pos);
  const bias = unsqueeze(add(causalBias(positionsOf(ids, 1)), keyPaddingBias(mask)), [1]); // [N, 1, 1, P, P]
  for (let i = 0; i < c.layers; i++) {
    h = sequenceLayer(c, m, i, h, rot, bias, (kT, v) => {
      g.output(kT, keyName(i));
      g.output(v, valueName(i));
    });
  }
  const last = sub(gather(g.op1('Shape', [ids]), constant(g, 'int64', [], [1])), constant(g, 'int64', [], [1]));
  g.output(lmHead(c, m, gather(h, last, 1)), 'logits'); // [N, V]
  return g;
}

export function buildDecodeGraph(c: HfModelConfig, specs: readonly ParamSpec[], extra: (g: Graph) => Partial<ModelValues> = () => ({})): Graph {
  const g = new Graph('hf_decode');
  const m: ModelValues = { p: paramInputs(g, specs), ...extra(g) };
  const ids = g.input('input_ids', 'int64', ['N']);
  const pos = g.input('position_ids', 'int64', ['N']);
  const keyBias = unsqueeze(g.input('key_bias', 'float32', ['N', 'S']), [1, 2]); // [N, 1, 1, S]
  const KV = c.kvHeads;
  const G = c.heads / KV;
  const dh = c.headDim;
  let h = embed(c, m, ids, pos); // [N, d]
  const rot = rotary(c, pos);
  for (let i = 0; i < c.layers; i++) {
    const pastK = g.input(pastKeyName(i), 'float32', ['N', KV, dh, 'S']);
    const pastV = g.input(pastValueName(i), 'float32', ['N', KV, 'S', dh]);
    const { q, k, v } = layerHeads(c, m, i, attnNorm(c, m, i, h), 1, rot); // [N, H, dh], [N, KV, dh]
    const q4 = reshape(q, [0, KV, G, dh]);
    const k4 = unsqueeze(k, [2]); // [N, KV, 1, dh]
    const v4 = unsqueeze(v, [2]);
    const past = add(matmul(q4, pastK), keyBias); // [N, KV, G, S]
    const self = reduceSum(mul(q4, k4), [-1], true); // [N, KV, G, 1]
    const probs = softmax(concat([past, self], -1), -1);
    const pPast = slice(probs, [0], [-1], [3]);
    const pSelf = slice(probs, [-1], [Number.MAX_SAFE_INTEGER], [3]);
    const ctx = add(matmul(pPast, pastV), mul(pSelf, v4)); // [N, KV, G, dh]
    h = add(h, attentionOut(c, m, i, reshape(ctx, [0, c.heads * dh])));
    h = add(h, mlp(c, m, i, mlpNorm(c, m, i, h)));
    g.output(k, keyName(i));
    g.output(v, valueName(i));
  }
  g.output(lmHead(c, m, h), 'logits');
  return g;
}
