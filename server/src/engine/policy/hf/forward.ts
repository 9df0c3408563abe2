// The pieces of a Hugging Face causal LM as graph code, in plain differentiable ONNX ops, shared by
// every way the model runs (full forward for log-probs and training, prefill, one-token decode), so
// all of them compute the same function. Values carry `lead` leading axes: 2 ([B, L]) for full
// sequences, 1 ([N]) for a decode step.
//
// Conventions followed (transformers' modeling_llama / qwen2 / qwen3 / mistral / gpt2):
// - q, k, v are projected, reshaped to heads [..., heads, head_dim], Qwen3 RMS-normalises each head
//   of q and k, then RoPE rotates them ("rotate half" layout, cos/sin of position * inv_freq).
// - Grouped-query attention: query head h reads key/value head floor(h / (heads / kv_heads)), as
//   repeat_kv does; here by reshaping q to [.., kv_heads, group, ..] so no key is copied.
// - Scores are scaled by head_dim^-0.5 (applied to q).

import type { Value } from '../../onnx/ir';
import { add, cast, concat, constant, gather, gelu, layerNorm, matmul, mul, neg, relu, reshape, rmsNorm, silu, slice, softmax, transpose, unsqueeze } from '../../onnx/ops';
import { param, type ParamValues } from '../../models/params';
import type { HfModelConfig } from './config';
import { gpt2LayerPrefix, llamaLayerPrefix } from './params';
import { loraParamName } from './lora';

/** Adapters added to chosen projections (LoRA): y += scale * (x A^T) B^T. */
export interface Adapters {
  /** Projection names (e.g. model.layers.0.self_attn.q_proj) that have adapters (named by lora.ts loraParamName). */
  targets: ReadonlySet<string>;
  scale: number;
  /** The adapter values, by name. */
  p: ParamValues;
  /** lora_dropout masks [B, L, in] by projection (the update's forward only; see lora.ts). */
  dropout?: Readonly<Record<string, Value>>;
}

/** Where a graph's weights come from: the model's parameters and optional LoRA adapters. */
export interface ModelValues {
  p: ParamValues;
  adapters?: Adapters;
}

const zeros = (n: number): number[] => new Array<number>(n).fill(0);

/** The LoRA update of projection `name` on input x (scale * (dropout(x) A^T) B^T), or null when it has no adapters. */
function loraUpdate(m: ModelValues, x: Value, name: string): Value | null {
  const a = m.adapters;
  if (!a?.targets.has(name)) return null;
  const mask = a.dropout?.[name];
  const low = matmul(mask ? mul(x, mask) : x, transpose(param(a.p, loraParamName(name, 'A')), [1, 0]));
  return mul(matmul(low, transpose(param(a.p, loraParamName(name, 'B')), [1, 0])), a.scale);
}

/** x @ W^T (+ b) for a torch Linear weight [out, in], plus the LoRA update when `name` is a target. */
export function linearProj(m: ModelValues, x: Value, name: string, withBias: boolean): Value {
  let y = matmul(x, transpose(param(m.p, `${name}.weight`), [1, 0]));
  const u = loraUpdate(m, x, name);
  if (u) y = add(y, u);
  return withBias ? add(y, param(m.p, `${name}.bias`)) : y;
}

/**
 * GPT-2's Conv1D: x @ W + b with W [in, out], plus the LoRA update when `name` is a target (peft's
 * fan_in_fan_out: the same A [r, in], B [out, r] as for a Linear, so the same update).
 */
function conv1d(m: ModelValues, x: Value, name: string): Value {
  let y = matmul(x, param(m.p, `${name}.weight`));
  const u = loraUpdate(m, x, name);
  if (u) y = add(y, u);
  return add(y, param(m.p, `${name}.bias`));
}

function norm(c: HfModelConfig, m: ModelValues, x: Value, name: string): Value {
  if (c.norm === 'rms') return rmsNorm(x, param(m.p, `${name}.weight`), c.normEps);
  return layerNorm(x, param(m.p, `${name}.weight`), param(m.p, `${name}.bias`), c.normEps);
}

function activate(c: HfModelConfig, x: Value): Value {
  switch (c.activation) {
    case 'silu':
      return silu(x);
    case 'gelu_tanh':
      return gelu(x, 'tanh');
    case 'gelu':
      return gelu(x, 'none');
    case 'relu':
      return relu(x);
  }
}

/** Token (and, for GPT-2, learned position) embeddings: ids and positions int64 [...lead]. */
export function embed(c: HfModelConfig, m: ModelValues, ids: Value, positions: Value): Value {
  if (c.family === 'gpt2') return add(gather(param(m.p, 'transformer.wte.weight'), ids), gather(param(m.p, 'transformer.wpe.weight'), positions));
  return gather(param(m.p, 'model.embed_tokens.weight'), ids);
}

/** Final norm + LM head (tied heads multiply by the embedding's transpose): [..., d] -> [..., V]. */
export function lmHead(c: HfModelConfig, m: ModelValues, h: Value): Value {
  const x = norm(c, m, h, c.family === 'gpt2' ? 'transformer.ln_f' : 'model.norm');
  const head = c.tied ? (c.family === 'gpt2' ? 'transformer.wte.weight' : 'model.embed_tokens.weight') : 'lm_head.weight';
  return matmul(x, transpose(param(m.p, head), [1, 0]));
}

/** cos and sin [...lead, 1, head_dim] of positions int64 [...lead] (the 1 broadcasts over heads). */
export function rotary(c: HfModelConfig, positions: Value): { cos: Value; sin: Value } | null {
  if (!c.rope) return null;
  const g = positions.graph;
  const half = c.headDim / 2;
  const freqs = mul(unsqueeze(cast(positions, 'float32'), [-1]), constant(g, 'float32', [half], Array.from(c.rope.invFreq)));
  const emb = unsqueeze(concat([freqs, freqs], -1), [-2]);
  const s = c.rope.attentionScaling;
  const cos = g.op1('Cos', [emb]);
  const sin = g.op1('Sin', [emb]);
  return s === 1 ? { cos, sin } : { cos: mul(cos, s), sin: mul(sin, s) };
}

function rotateHalf(x: Value, dh: number): Value {
  const x1 = slice(x, [0], [dh / 2], [-1]);
  const x2 = slice(x, [dh / 2], [dh], [-1]);
  return concat([neg(x2), x1], -1);
}

function applyRotary(x: Value, r: { cos: Value; sin: Value }, dh: number): Value {
  return add(mul(x, r.cos), mul(rotateHalf(x, dh), r.sin));
}

export interface Heads {
  /** [...lead, heads, head_dim], RoPE applied and scaled by head_dim^-0.5. */
  q: Value;
  /** [...lead, kv_heads, head_dim], RoPE applied. */
  k: Value;
  v: Value;
}

/** Layer i's attention input (after its norm) as query, key and value heads. */
export function layerHeads(c: HfModelConfig, m: ModelValues, i: number, x: Value, lead: number, rot: { cos: Value; sin: Value } | null): Heads {
  const dh = c.headDim;
  const heads = (t: Value, n: number): Value => reshape(t, [...zeros(lead), n, dh]);
  let q: Value;
  let k: Value;
  let v: Value;
  if (c.family === 'gpt2') {
    const qkv = conv1d(m, x, `${gpt2LayerPrefix(i)}.attn.c_attn`);
    const d = c.hidden;
    [q, k, v] = [0, 1, 2].map((j) => heads(slice(qkv, [j * d], [(j + 1) * d], [-1]), c.heads)) as [Value, Value, Value];
  } else {
    const p = `${llamaLayerPrefix(i)}.self_attn`;
    q = heads(linearProj(m, x, `${p}.q_proj`, c.qkvBias), c.heads);
    k = heads(linearProj(m, x, `${p}.k_proj`, c.qkvBias), c.kvHeads);
    v = heads(linearProj(m, x, `${p}.v_proj`, c.qkvBias), c.kvHeads);
    if (c.qkNorm) {
      q = rmsNorm(q, param(m.p, `${p}.q_norm.weight`), c.normEps);
      k = rmsNorm(k, param(m.p, `${p}.k_norm.weight`), c.normEps);
    }
  }
  if (rot) {
    q = applyRotary(q, rot, dh);
    k = applyRotary(k, rot, dh);
  }
  return { q: mul(q, 1 / Math.sqrt(dh)), k, v };
}

/** Attention context [...lead, heads*head_dim] -> the residual update of layer i. */
export function attentionOut(c: HfModelConfig, m: ModelValues, i: number, ctx: Value): Value {
  if (c.family === 'gpt2') return conv1d(m, ctx, `${gpt2LayerPrefix(i)}.attn.c_proj`);
  return linearProj(m, ctx, `${llamaLayerPrefix(i)}.self_attn.o_proj`, c.oBias);
}

/** Layer i's MLP on its (normed) input. */
export function mlp(c: HfModelConfig, m: ModelValues, i: number, x: Value): Value {
  if (c.family === 'gpt2') {
    const p = `${gpt2LayerPrefix(i)}.mlp`;
    return conv1d(m, activate(c, conv1d(m, x, `${p}.c_fc`)), `${p}.c_proj`);
  }
  const p = `${llamaLayerPrefix(i)}.mlp`;
  const gate = activate(c, linearProj(m, x, `${p}.gate_proj`, c.mlpBias));
  return linearProj(m, mul(gate, linearProj(m, x, `${p}.up_proj`, c.mlpBias)), `${p}.down_proj`, c.mlpBias);
}

export function attnNorm(c: HfModelConfig, m: ModelValues, i: number, h: Value): Value {
  return norm(c, m, h, c.family === 'gpt2' ? `${gpt2LayerPrefix(i)}.ln_1` : `${llamaLayerPrefix(i)}.input_layernorm`);
}

export function mlpNorm(c: HfModelConfig, m: ModelValues, i: number, h: Value): Value {
  return norm(c, m, h, c.family === 'gpt2' ? `${gpt2LayerPrefix(i)}.ln_2` : `${llamaLayerPrefix(i)}.post_attention_layernorm`);
}

/**
 * Causal self-attention over whole sequences: heads of [B, L, ...], `bias` broadcastable to
 * [B, kv_heads, group, L, L]. Returns the context [B, L, heads*head_dim] and the keys (transposed,
 * [B, kv_heads, head_dim, L]) and values [B, kv_heads, L, head_dim] a KV cache stores.
 */
export function attendSequence(c: HfModelConfig, h: Heads, bias: Value): { ctx: Value; keysT: Value; values: Value } {
  const G = c.heads / c.kvHeads;
  const q = transpose(reshape(h.q, [0, 0, c.kvHeads, G, c.headDim]), [0, 2, 3, 1, 4]); // [B, KV, G, L, dh]
  const keysT = transpose(h.k, [0, 2, 3, 1]); // [B, KV, dh, L]
  const values = transpose(h.v, [0, 2, 1, 3]); // [B, KV, L, dh]
  const scores = add(matmul(q, unsqueeze(keysT, [2])), bias); // [B, KV, G, L, L]
  const ctx = matmul(softmax(scores, -1), unsqueeze(values, [2])); // [B, KV, G, L, dh]
  return { ctx: reshape(transpose(ctx, [0, 3, 1, 2, 4]), [0, 0, c.heads * c.headDim]), keysT, values };
}

/** One residual block on whole sequences; `onKv` receives the layer's cache tensors (prefill). */
export function sequenceLayer(c: HfModelConfig, m: ModelValues, i: number, h: Value, rot: { cos: Value; sin: Value } | null, bias: Value, onKv?: (keysT: Value, values: Value) => void): Value {
  const heads = layerHeads(c, m, i, attnNorm(c, m, i, h), 2, rot);
  const a = attendSequence(c, heads, bias);
  onKv?.(a.keysT, a.values);
  const h1 = add(h, attentionOut(c, m, i, a.ctx));
  return add(h1, mlp(c, m, i, mlpNorm(c, m, i, h1)));
}
