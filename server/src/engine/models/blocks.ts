// Transformer building blocks shared by the reference models (and later the UME encoder).
// Everything is standard ONNX ops with symbolic batch/sequence dims, so the same code yields a
// training graph (autodiff differentiates these ops) and an inference graph.
// Weights are stored [in, out] so every projection is a plain MatMul with no Transpose
// (torch.nn.Linear stores [out, in]; weight loaders transpose once at load time).

import type { Value } from '../onnx/ir';
import {
  add,
  cast,
  concat,
  constant,
  div,
  equal,
  gather,
  gatherElements,
  gelu,
  greater,
  logSoftmax,
  matmul,
  max,
  mul,
  neg,
  not,
  reduceSum,
  reshape,
  rmsNorm,
  scalar,
  shapeOf,
  squeeze,
  softmax,
  split,
  transpose,
  unsqueeze,
  where,
} from '../onnx/ops';
import { normWeight, param, weight, type ParamSpec, type ParamValues } from './params';

/** Large finite negative used for masked attention logits (finite so fully masked rows stay NaN-free). */
export const MASK_NEG = -1e9;

/** HF convention: label positions holding this value carry no loss. */
export const IGNORE_INDEX = -100;

/** x @ W (+ b) with W stored [in, out]. */
export function linear(x: Value, w: Value, b?: Value): Value {
  const y = matmul(x, w);
  return b ? add(y, b) : y;
}

/**
 * Positions 0..n-1 along `axis` of `x` as an int64 vector, built from Shape + Range so it follows
 * the runtime length. Range has no static shape rule (its length is data), so the known symbolic
 * length is attached here by hand.
 */
export function positionsOf(x: Value, axis: number): Value {
  const g = x.graph;
  const n = gather(shapeOf(x), constant(g, 'int64', [], [axis]));
  const pos = g.op1('Range', [constant(g, 'int64', [], [0]), n, constant(g, 'int64', [], [1])]);
  const dim = x.shape?.[axis < 0 ? x.shape.length + axis : axis];
  pos.shape = dim === undefined ? undefined : [dim];
  pos.dtype = 'int64';
  return pos;
}

/** Additive causal bias [T, T]: 0 where key j <= query i, MASK_NEG above the diagonal. */
export function causalBias(pos: Value, dtype: 'float32' = 'float32'): Value {
  const future = greater(unsqueeze(pos, [0]), unsqueeze(pos, [1]));
  return where(future, constant(pos.graph, dtype, [], [MASK_NEG]), constant(pos.graph, dtype, [], [0]));
}

/** Additive key-padding bias [B, 1, 1, T] from an HF-style attention mask [B, T] (1 = token, 0 = pad). */
export function keyPaddingBias(attentionMask: Value): Value {
  const g = attentionMask.graph;
  const isPad = equal(attentionMask, constant(g, attentionMask.dtype, [], [0]));
  const bias = where(isPad, constant(g, 'float32', [], [MASK_NEG]), constant(g, 'float32', [], [0]));
  return unsqueeze(bias, [1, 2]);
}

/**
 * Fixed sinusoidal positions [T, d] (Vaswani et al.): angle = pos / temperature^(2i/d).
 * 'interleaved' puts sin/cos in even/odd channels (the original layout); 'halves' puts all sines
 * first, then all cosines.
 */
export function sinusoidalPositions(pos: Value, d: number, temperature = 10000, layout: 'interleaved' | 'halves' = 'interleaved'): Value {
  if (d % 2 !== 0) throw new Error(`sinusoidal positions need an even width, got ${d}`);
  const g = pos.graph;
  const invFreq = Array.from({ length: d / 2 }, (_, i) => 1 / Math.pow(temperature, (2 * i) / d));
  const angle = mul(unsqueeze(cast(pos, 'float32'), [1]), constant(g, 'float32', [d / 2], invFreq)); // [T, d/2]
  const sin = g.op1('Sin', [angle]);
  const cos = g.op1('Cos', [angle]);
  if (layout === 'halves') return concat([sin, cos], -1);
  return reshape(concat([unsqueeze(sin, [-1]), unsqueeze(cos, [-1])], -1), [0, d]);
}

export interface AttentionWeights {
  /** [d, 3d]: query, key and value projections side by side. */
  Wqkv: Value;
  /** [d, d] */
  Wo: Value;
}

/**
 * Multi-head self-attention on x [B, T, d] with an optional additive bias broadcastable to
 * [B, H, T, T] (causal and/or key padding). One fused QKV MatMul, one Transpose that puts q/k/v
 * outermost ([3, B, H, T, dh]), then a Split on that axis: each piece is one contiguous block, and
 * the backward is one Transpose and one Concat (slicing heads out of [B, 3H, T, dh] instead made
 * ORT push the Transpose through the Slices: 10 Transposes, 3 Pads and a Sum per layer).
 * The 1/sqrt(dh) scale is applied to q (T*dh values) rather than the scores.
 */
export function selfAttention(x: Value, w: AttentionWeights, heads: number, bias?: Value): Value {
  const d = w.Wo.shape?.[0];
  if (typeof d !== 'number' || d % heads !== 0) throw new Error(`attention width ${String(d)} is not divisible by ${heads} heads`);
  const dh = d / heads;
  const qkv = transpose(reshape(matmul(x, w.Wqkv), [0, 0, 3, heads, dh]), [2, 0, 3, 1, 4]); // [3, B, H, T, dh]
  const [q0, k0, v0] = split(qkv, [1, 1, 1], 0).map((t) => squeeze(t, [0])) as [Value, Value, Value]; // [B, H, T, dh]
  const q = mul(q0, 1 / Math.sqrt(dh));
  const k = k0;
  const v = v0;
  let scores = matmul(q, transpose(k, [0, 1, 3, 2])); // [B, H, T, T]
  if (bias) scores = add(scores, bias);
  const ctx = matmul(softmax(scores, -1), v); // [B, H, T, dh]
  return matmul(reshape(transpose(ctx, [0, 2, 1, 3]), [0, 0, d]), w.Wo);
}

/** The plain (non-GLU) transformer MLP: Wo(gelu(Wi x)), exact erf GELU. */
export function geluMlp(x: Value, Wi: Value, Wo: Value): Value {
  return matmul(gelu(matmul(x, Wi)), Wo);
}

/** Pre-norm residual block: x + attn(norm(x)), then + mlp(norm(x)). */
export interface BlockWeights extends AttentionWeights {
  attnNorm: Value;
  mlpNorm: Value;
  Wi: Value;
  WoMlp: Value;
}

/**
 * Parameter specs of one pre-norm block under `prefix` (the names blockWeightsAt reads). `residStd`
 * is GPT-2's scaled init for the two projections that write into the residual stream.
 */
export function blockParamSpecs(prefix: string, dModel: number, dFF: number, std: number, residStd: number): ParamSpec[] {
  return [
    normWeight(`${prefix}.attn_norm.weight`, dModel),
    weight(`${prefix}.attn.Wqkv.weight`, [dModel, 3 * dModel], std),
    weight(`${prefix}.attn.Wo.weight`, [dModel, dModel], residStd),
    normWeight(`${prefix}.mlp_norm.weight`, dModel),
    weight(`${prefix}.mlp.Wi.weight`, [dModel, dFF], std),
    weight(`${prefix}.mlp.Wo.weight`, [dFF, dModel], residStd),
  ];
}

/** The weights of one pre-norm block stored under `prefix` with FlexBERT's names (attn_norm, attn.Wqkv, ...). */
export function blockWeightsAt(p: ParamValues, prefix: string): BlockWeights {
  return {
    attnNorm: param(p, `${prefix}.attn_norm.weight`),
    Wqkv: param(p, `${prefix}.attn.Wqkv.weight`),
    Wo: param(p, `${prefix}.attn.Wo.weight`),
    mlpNorm: param(p, `${prefix}.mlp_norm.weight`),
    Wi: param(p, `${prefix}.mlp.Wi.weight`),
    WoMlp: param(p, `${prefix}.mlp.Wo.weight`),
  };
}

export function preNormBlock(x: Value, w: BlockWeights, heads: number, bias: Value | undefined, eps: number): Value {
  const h = add(x, selfAttention(rmsNorm(x, w.attnNorm, eps), w, heads, bias));
  return add(h, geluMlp(rmsNorm(h, w.mlpNorm, eps), w.Wi, w.WoMlp));
}

export interface CrossEntropy {
  /** Mean negative log-likelihood over counted positions (scalar). */
  loss: Value;
  /** Number of counted positions (float32 scalar), for logging and accumulation. */
  count: Value;
}

/**
 * Mean cross-entropy of logits [..., V] against int64 labels [...] where IGNORE_INDEX marks
 * positions without loss (padding, unmasked MLM tokens, the last GPT position).
 * LogSoftmax + GatherElements keeps to ops every autodiff rule set covers.
 */
export function maskedCrossEntropy(logits: Value, labels: Value): CrossEntropy {
  const g = logits.graph;
  const ignored = equal(labels, constant(g, 'int64', [], [IGNORE_INDEX]));
  const safeLabels = where(ignored, constant(g, 'int64', [], [0]), labels);
  const logp = logSoftmax(logits, -1);
  const picked = squeeze(gatherElements(logp, unsqueeze(safeLabels, [-1]), -1), [-1]);
  const weight = cast(not(ignored), logits.dtype);
  const count = reduceSum(weight, undefined, false);
  const total = reduceSum(mul(picked, weight), undefined, false);
  return { loss: neg(div(total, max(count, scalar(count, 1)))), count };
}
