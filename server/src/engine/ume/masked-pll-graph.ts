// Masked pseudo-log-likelihood as ONE graph over the original sequences ("bases") plus a list of
// copies (base, masked position), instead of one explicit forward pass per masked copy.
//
// Why: masked PLL of an L-token sequence runs L copies that differ from the base in ONE token. The
// explicit way (encoder.ts `masked_logprob`) recomputes everything per copy. Two parts of that are
// shared work and are computed here once per base, exactly (no approximation, only a different
// summation order):
//
// 1. First layer, attention. In copy i only key/value i changed (to the <mask> token's), so for a
//    query row j != i the softmax numerator and denominator are the base's sums over t != i plus the
//    one new term. The sums over t != i are prefix + suffix sums (two exclusive CumSums over t),
//    computed for every (i, j) at once per base: T^2 x H values, no subtraction, so no cancellation
//    even when row j attended almost only to i. Row j = i (the masked query itself) is one
//    attention row per copy. The projections q, k, v are computed once per base and once for the
//    <mask> token at every position (shared by all bases).
// 2. Last layer. Only the masked row's output is read, so its keys and values are folded into the
//    query: scores_t = norm(x_t) . (Wk_h q_h) and context_h = (sum_t p_t norm(x_t)) Wv_h, which
//    skips the key/value projection of every position of every copy.
//
// What is left per copy is the first layer's output projection and MLP over T positions (and any
// middle layers in full). The per-base tensors are S x T^2 x H floats, so callers bound S*T^2*H
// per pass (pll.ts `maxShared`); above that (long sequences on wide models) the explicit graph is
// used instead. For 2-layer ume-tiny one pass over a 100-residue protein's copies went 50.7 -> 27.8 ms
// (docs/benchmarks.md, `## pll`); for a 1-layer model only the masked rows are computed at all.
//
// Inputs: input_ids, attention_mask int64 [S, T] (bases, right-padded); copy_seq, copy_pos, targets
// int64 [N] (copy n masks position copy_pos[n] of base copy_seq[n] and reads targets[n] there).
// Output: masked_logprob float32 [N].

import { Graph, type Value } from '../onnx/ir';
import { add, cast, constant, cumsum, dimOf, div, equal, exp, gather, gatherElements, gelu, logSoftmax, matmul, max, mul, range, reduceMax, reduceSum, reshape, rmsNorm, slice, softmax, split, squeeze, sub, transpose, unsqueeze, where } from '../onnx/ops';
import { bertParamSpecs, mlmHead, type BertConfig } from '../models/bert';
import { MASK_NEG, positionsOf, preNormBlock, blockWeightsAt, keyPaddingBias, sinusoidalPositions, type BlockWeights } from '../models/blocks';
import { param, paramValues, type ParamValues, type WeightSource } from '../models/params';
import type { UmeConfig } from './config';
import { bertConfigOf } from './encoder';
import { SPECIAL } from './tokenizer';

export interface MaskedPllGraphOptions {
  /** As in buildUmeGraph: weights baked in (default) or fed as inputs (models over 2 GB). */
  weights?: 'initializers' | 'inputs';
}

/** [..., A, B, ...] flattened over its first two axes, given that axis 2 has the same length as axis 1 (T). */
function flattenBaseAndPosition(x: Value, rest: number[]): Value {
  return reshape(x, [-1, 0, ...rest]);
}

interface Layer0 {
  /** Per-copy first-layer input [N, T, H] (the base's embeddings with <mask> at the copy's position); only with allRows. */
  x0?: Value;
  /** Attention context per copy [N, T, heads, dh], before the output projection; only with allRows. */
  ctx?: Value;
  /** The masked row's attention context [N, heads, dh] (row j = i). */
  ctxRow: Value;
  /** The masked row's first-layer input [N, H]. */
  x0Row: Value;
}

/**
 * First-layer attention for every copy from per-base sums (see the file comment); `keyBias` is the
 * bases' key-padding bias [S, 1, 1, T]. With `allRows` false (1-layer models) only the masked rows.
 */
function firstLayerAttention(bc: BertConfig, w: BlockWeights, x0: Value, xm: Value, keyBias: Value, copy: CopyIndex, allRows: boolean): Layer0 {
  const H = bc.dModel;
  const nh = bc.nHeads;
  const dh = H / nh;
  const scale = 1 / Math.sqrt(dh);
  // Base projections: [3, S, nh, T, dh] -> q, k, v [S, nh, T, dh].
  const qkv = transpose(reshape(matmul(rmsNorm(x0, w.attnNorm, bc.normEps), w.Wqkv), [0, 0, 3, nh, dh]), [2, 0, 3, 1, 4]);
  const [q0, k, v] = split(qkv, [1, 1, 1], 0).map((t) => squeeze(t, [0])) as [Value, Value, Value];
  const q = mul(q0, scale);
  // <mask> at every position (the same for all bases): [3, nh, T, dh] -> qm, km, vm [nh, T, dh].
  const qkvm = transpose(reshape(matmul(rmsNorm(xm, w.attnNorm, bc.normEps), w.Wqkv), [0, 3, nh, dh]), [1, 2, 0, 3]);
  const [qm0, km, vm] = split(qkvm, [1, 1, 1], 0).map((t) => squeeze(t, [0])) as [Value, Value, Value];
  const qm = mul(qm0, scale);

  // Row j = i: the <mask> query over the base keys, with key i replaced by the <mask> key.
  const qmK = transpose(matmul(unsqueeze(qm, [0]), transpose(k, [0, 1, 3, 2])), [0, 2, 3, 1]); // [S, T(i), T(t), nh]
  const rowScores = gather(flattenBaseAndPosition(qmK, [nh]), copy.flat); // [N, T(t), nh]
  const selfScore = unsqueeze(gather(transpose(reduceSum(mul(qm, km), [2], false), [1, 0]), copy.pos), [1]); // [N, 1, nh]
  const isI3 = unsqueeze(copy.isI, [-1]); // [N, T, 1]
  const p = softmax(add(where(isI3, selfScore, rowScores), copy.keyBias3), 1); // [N, T(t), nh]
  const vBase = transpose(v, [0, 2, 1, 3]); // [S, T, nh, dh]
  const vC = gather(vBase, copy.seq); // [N, T, nh, dh]
  const vI = gather(reshape(vBase, [-1, nh, dh]), copy.flat); // [N, nh, dh]
  const vmC = unsqueeze(gather(transpose(vm, [1, 0, 2]), copy.pos), [1]); // [N, 1, nh, dh]
  const pI = reduceSum(mul(p, cast(isI3, 'float32')), [1], false); // [N, nh]
  const ctxRow = add(reduceSum(mul(unsqueeze(p, [-1]), vC), [1], false), mul(unsqueeze(pI, [-1]), sub(squeeze(vmC, [1]), vI))); // [N, nh, dh]
  const xmC = gather(xm, copy.pos); // [N, H]
  // A 1-layer model reads only the masked rows: the other rows' attention is not needed.
  if (!allRows) return { ctxRow, x0Row: xmC };

  // Base attention weights, unnormalised: w[s, h, j, t] = exp(score - rowmax) (padding keys -> 0).
  const scores = add(matmul(q, transpose(k, [0, 1, 3, 2])), keyBias); // [S, nh, T(j), T(t)]
  const rowMax = reduceMax(scores, [3], true); // [S, nh, T, 1]
  const wts = transpose(exp(sub(scores, rowMax)), [0, 3, 2, 1]); // [S, T(t), T(j), nh]
  const vt = unsqueeze(vBase, [2]); // [S, T(t), 1, nh, dh]
  const terms = mul(unsqueeze(wts, [-1]), vt); // [S, T(t), T(j), nh, dh]
  // Sums over t != i for every i: exclusive prefix + exclusive suffix along t (now the i axis).
  const numExcl = add(cumsum(terms, 1, { exclusive: true }), cumsum(terms, 1, { exclusive: true, reverse: true })); // [S, T(i), T(j), nh, dh]
  const denExcl = add(cumsum(wts, 1, { exclusive: true }), cumsum(wts, 1, { exclusive: true, reverse: true })); // [S, T(i), T(j), nh]
  const num = gather(flattenBaseAndPosition(numExcl, [nh, dh]), copy.flat); // [N, T(j), nh, dh]
  const den = gather(flattenBaseAndPosition(denExcl, [nh]), copy.flat); // [N, T(j), nh]
  const maxC = gather(transpose(squeeze(rowMax, [3]), [0, 2, 1]), copy.seq); // [N, T(j), nh]
  // Score of each query row j against copy i's <mask> key: q_j . km_i.
  const qkMask = transpose(matmul(q, unsqueeze(transpose(km, [0, 2, 1]), [0])), [0, 3, 2, 1]); // [S, T(i), T(j), nh]
  const sNew = gather(flattenBaseAndPosition(qkMask, [nh]), copy.flat); // [N, T(j), nh]
  // Rescale to the larger of the old row max and the new score so exp never overflows.
  const top = max(maxC, sNew);
  const cOld = exp(sub(maxC, top));
  const cNew = exp(sub(sNew, top));
  const ctx = div(add(mul(unsqueeze(cOld, [-1]), num), mul(unsqueeze(cNew, [-1]), vmC)), unsqueeze(add(mul(cOld, den), cNew), [-1])); // [N, T, nh, dh]

  const x0C = where(isI3, unsqueeze(xmC, [1]), gather(x0, copy.seq)); // [N, T, H]
  return { x0: x0C, ctx: where(unsqueeze(isI3, [-1]), unsqueeze(ctxRow, [1]), ctx), ctxRow, x0Row: xmC };
}

interface CopyIndex {
  seq: Value;
  pos: Value;
  /** seq * T + pos: a copy's row in tensors flattened over (base, position). */
  flat: Value;
  /** [N, T] bool, true at the copy's masked position. */
  isI: Value;
  /** The copy's key-padding bias as [N, T, 1]. */
  keyBias3: Value;
}

function mlp(bc: BertConfig, w: BlockWeights, x: Value): Value {
  return add(x, matmul(gelu(matmul(rmsNorm(x, w.mlpNorm, bc.normEps), w.Wi)), w.WoMlp));
}

/**
 * The last layer at one row per copy with keys and values folded into the query (see the file
 * comment): `h` [N, T, H] is the layer's input, `rows` [N, H] its masked rows.
 */
function lastLayerFolded(bc: BertConfig, w: BlockWeights, h: Value, rows: Value, copy: CopyIndex): Value {
  const H = bc.dModel;
  const nh = bc.nHeads;
  const dh = H / nh;
  const x = rmsNorm(h, w.attnNorm, bc.normEps); // [N, T, H]
  const q = mul(reshape(matmul(rmsNorm(rows, w.attnNorm, bc.normEps), slice(w.Wqkv, [0], [H], [1])), [0, nh, 1, dh]), 1 / Math.sqrt(dh)); // [N, nh, 1, dh]
  const wkHeads = transpose(reshape(slice(w.Wqkv, [H], [2 * H], [1]), [H, nh, dh]), [1, 2, 0]); // [nh, dh, H]
  const wvHeads = transpose(reshape(slice(w.Wqkv, [2 * H], [3 * H], [1]), [H, nh, dh]), [1, 0, 2]); // [nh, H, dh]
  const r = transpose(reshape(matmul(q, wkHeads), [0, nh, H]), [0, 2, 1]); // [N, H, nh]: Wk_h q_h
  const p = softmax(add(matmul(x, r), copy.keyBias3), 1); // [N, T, nh]
  const z = unsqueeze(matmul(transpose(p, [0, 2, 1]), x), [2]); // [N, nh, 1, H]: sum_t p_t x_t
  const ctx = reshape(matmul(z, wvHeads), [0, H]); // [N, H]
  return mlp(bc, w, add(rows, matmul(ctx, w.Wo)));
}

export function buildMaskedPllGraph(c: UmeConfig, params: WeightSource, options: MaskedPllGraphOptions = {}): Graph {
  const bc = bertConfigOf(c);
  const specs = bertParamSpecs(bc);
  const g = new Graph(`${c.name}-masked-pll-shared`);
  const ids = g.input('input_ids', 'int64', ['S', 'T']);
  const attentionMask = g.input('attention_mask', 'int64', ['S', 'T']);
  const seq = g.input('copy_seq', 'int64', ['N']);
  const pos = g.input('copy_pos', 'int64', ['N']);
  const targets = g.input('targets', 'int64', ['N']);
  const p: ParamValues = paramValues(g, specs, params, options.weights);
  const H = bc.dModel;

  // Embeddings of the bases and of <mask> at every position.
  const positions = positionsOf(ids, 1); // [T]
  const pe = sinusoidalPositions(positions, H, bc.posTemperature, bc.posLayout); // [T, H]
  const emb = param(p, 'embeddings.tok_embeddings.weight');
  const embNorm = param(p, 'embeddings.norm.weight');
  const x0 = add(rmsNorm(gather(emb, ids), embNorm, bc.normEps), pe); // [S, T, H]
  const xm = add(rmsNorm(gather(emb, constant(g, 'int64', [1], [SPECIAL.mask])), embNorm, bc.normEps), pe); // [T, H]

  const T = dimOf(ids, 1);
  const isPadC = equal(gather(attentionMask, seq), constant(g, 'int64', [], [0])); // [N, T]
  const biasC = where(isPadC, constant(g, 'float32', [], [MASK_NEG]), constant(g, 'float32', [], [0]));
  const copy: CopyIndex = {
    seq,
    pos,
    flat: add(mul(seq, T), pos),
    isI: equal(unsqueeze(positions, [0]), unsqueeze(pos, [1])),
    keyBias3: unsqueeze(biasC, [-1]),
  };

  const w0 = blockWeightsAt(p, 'encoder.layers.0');
  const l0 = firstLayerAttention(bc, w0, x0, xm, keyPaddingBias(attentionMask), copy, bc.nLayers > 1);
  let out: Value;
  if (bc.nLayers === 1) {
    // The only layer is also the last: its masked row is all that is read.
    out = mlp(bc, w0, add(l0.x0Row, matmul(reshape(l0.ctxRow, [0, H]), w0.Wo)));
  } else {
    let h = mlp(bc, w0, add(l0.x0!, matmul(reshape(l0.ctx!, [0, 0, H]), w0.Wo))); // [N, T, H]
    // Middle layers (none in 2-layer models) run in full on every copy, with the [N, 1, 1, T] bias.
    const keyBias4 = bc.nLayers > 2 ? unsqueeze(biasC, [1, 2]) : undefined;
    for (let i = 1; i < bc.nLayers - 1; i++) h = preNormBlock(h, blockWeightsAt(p, `encoder.layers.${i}`), bc.nHeads, keyBias4, bc.normEps);
    const N = dimOf(pos, 0);
    const rowIndex = add(mul(range(g, 0, N), T), pos); // n * T + pos_n
    const rows = gather(reshape(h, [-1, H]), rowIndex); // [N, H]
    out = lastLayerFolded(bc, blockWeightsAt(p, `encoder.layers.${bc.nLayers - 1}`), h, rows, copy);
  }
  const logp = logSoftmax(mlmHead(bc, p, out), -1); // [N, vocab]
  g.output(squeeze(gatherElements(logp, unsqueeze(targets, [-1]), -1), [-1]), 'masked_logprob');
  return g;
}
