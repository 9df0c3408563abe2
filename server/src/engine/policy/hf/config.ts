// A Hugging Face config.json read into the one description our graph code needs (HfModelConfig).
// Every field that changes the math is either understood or refused with a message that names the
// field and what is supported, so a model we cannot run exactly never runs approximately.
//
// Two families cover the supported architectures:
//   llama  LlamaForCausalLM (SmolLM too), MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM:
//          RMSNorm pre-norm blocks, RoPE, grouped-query attention, SiLU-gated MLP; Qwen2 adds q/k/v
//          biases, Qwen3 an RMSNorm on every q and k head before RoPE.
//   gpt2   GPT2LMHeadModel: LayerNorm, learned positions, fused Conv1D q|k|v ([in, out] weights),
//          GELU (tanh approximation), head tied to the token embedding.

import { ropeFromConfig, type RopeSpec } from './rope';

export type Family = 'llama' | 'gpt2';
export type Activation = 'silu' | 'gelu_tanh' | 'gelu' | 'relu';

export interface HfModelConfig {
  architecture: string;
  family: Family;
  vocabSize: number;
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  intermediate: number;
  norm: 'rms' | 'layer';
  normEps: number;
  activation: Activation;
  /** Biases on the q, k and v projections (Qwen2; Llama/Qwen3 with attention_bias). */
  qkvBias: boolean;
  /** Bias on the output projection (Llama/Qwen3 attention_bias; GPT-2 always). */
  oBias: boolean;
  /** Biases on the MLP projections (Llama mlp_bias; GPT-2 always). */
  mlpBias: boolean;
  /** Qwen3: RMSNorm over each head of q and k before RoPE. */
  qkNorm: boolean;
  tied: boolean;
  /** Positions the model was built for (GPT-2's learned table has exactly this many). */
  maxPositions: number;
  /** Rotary embeddings (null for learned positions). */
  rope: RopeSpec | null;
  /** Prompt + completion must fit in this many tokens (sliding window, learned positions, dynamic RoPE). */
  maxLength: number;
  /** Std of the normal init of weight matrices (initializer_range). */
  initStd: number;
  bosTokenId: number | null;
  eosTokenIds: number[];
  padTokenId: number | null;
}

export const SUPPORTED_ARCHITECTURES: Readonly<Record<string, Family>> = {
  LlamaForCausalLM: 'llama',
  MistralForCausalLM: 'llama',
  Qwen2ForCausalLM: 'llama',
  Qwen3ForCausalLM: 'llama',
  GPT2LMHeadModel: 'gpt2',
};

const ACTIVATIONS: Readonly<Record<string, Activation>> = { silu: 'silu', swish: 'silu', gelu_new: 'gelu_tanh', gelu_pytorch_tanh: 'gelu_tanh', gelu: 'gelu', relu: 'relu' };

export class HfConfigError extends Error {}

type Json = Record<string, unknown>;

function num(c: Json, key: string, fallback?: number): number {
  const v = c[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new HfConfigError(`config.json: "${key}" must be a number${v === undefined ? ' (missing)' : `, got ${JSON.stringify(v)}`}`);
  return v;
}

function int(c: Json, key: string, fallback?: number): number {
  const v = num(c, key, fallback);
  if (!Number.isInteger(v) || v <= 0) throw new HfConfigError(`config.json: "${key}" must be a positive integer, got ${v}`);
  return v;
}

function bool(c: Json, key: string, fallback: boolean): boolean {
  const v = c[key] ?? fallback;
  if (typeof v !== 'boolean') throw new HfConfigError(`config.json: "${key}" must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

function ids(v: unknown, key: string): number[] {
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  for (const x of list) if (!Number.isInteger(x) || (x as number) < 0) throw new HfConfigError(`config.json: "${key}" must be a token id or a list of ids, got ${JSON.stringify(v)}`);
  return list as number[];
}

function activation(name: unknown, key: string): Activation {
  const a = typeof name === 'string' ? ACTIVATIONS[name] : undefined;
  if (!a) throw new HfConfigError(`config.json: "${key}" is ${JSON.stringify(name)}; supported: ${Object.keys(ACTIVATIONS).join(', ')}`);
  return a;
}

/** Refuses fields whose non-default values change the math in ways we do not implement. */
function refuse(c: Json, checks: ReadonlyArray<[string, (v: unknown) => boolean, string]>): void {
  for (const [key, ok, what] of checks) {
    if (key in c && c[key] !== null && !ok(c[key])) throw new HfConfigError(`config.json: "${key}" = ${JSON.stringify(c[key])} is not supported (${what})`);
  }
}

/** Reads a parsed config.json; `source` names the file in errors. */
export function parseHfConfig(raw: unknown, source = 'config.json'): HfModelConfig {
  try {
    return parse(raw);
  } catch (e) {
    // rope.ts reports with the same "config.json:" prefix.
    if (e instanceof Error && e.message.startsWith('config.json')) throw new HfConfigError(e.message.replace(/^config\.json/, source));
    throw e;
  }
}

function parse(raw: unknown): HfModelConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new HfConfigError('config.json: not a JSON object');
  const c = raw as Json;
  const archs = c['architectures'];
  const supported = Object.keys(SUPPORTED_ARCHITECTURES).join(', ');
  if (!Array.isArray(archs) || archs.length === 0 || typeof archs[0] !== 'string') throw new HfConfigError(`config.json: "architectures" is missing; supported architectures: ${supported}`);
  const architecture = archs[0];
  const family = SUPPORTED_ARCHITECTURES[architecture];
  if (!family) throw new HfConfigError(`config.json: architecture ${architecture} is not supported; supported architectures: ${supported}`);
  const dtype = c['torch_dtype'] ?? c['dtype'];
  if (dtype !== undefined && dtype !== null && !['float32', 'float16', 'bfloat16'].includes(dtype as string)) throw new HfConfigError(`config.json: dtype ${JSON.stringify(dtype)} is not supported (float32, float16, bfloat16; quantized models are not)`);
  if (c['quantization_config']) throw new HfConfigError('config.json: quantized models ("quantization_config") are not supported; use a float32, float16 or bfloat16 checkpoint');
  const common = {
    architecture,
    family,
    initStd: num(c, 'initializer_range', 0.02),
    bosTokenId: ids(c['bos_token_id'], 'bos_token_id')[0] ?? null,
    eosTokenIds: ids(c['eos_token_id'], 'eos_token_id'),
    padTokenId: ids(c['pad_token_id'], 'pad_token_id')[0] ?? null,
  };
  return family === 'gpt2' ? { ...common, ...gpt2(c) } : { ...common, ...llama(c, architecture) };
}

type Shape = Omit<HfModelConfig, 'architecture' | 'family' | 'initStd' | 'bosTokenId' | 'eosTokenIds' | 'padTokenId'>;

function llama(c: Json, architecture: string): Shape {
  const hidden = int(c, 'hidden_size');
  const heads = int(c, 'num_attention_heads');
  const kvHeads = int(c, 'num_key_value_heads', heads);
  if (heads % kvHeads !== 0) throw new HfConfigError(`config.json: num_attention_heads ${heads} is not a multiple of num_key_value_heads ${kvHeads}`);
  const headDim = c['head_dim'] === undefined || c['head_dim'] === null ? hidden / heads : int(c, 'head_dim');
  if (!Number.isInteger(headDim)) throw new HfConfigError(`config.json: hidden_size ${hidden} is not divisible by num_attention_heads ${heads} and no head_dim is given`);
  if (headDim % 2 !== 0) throw new HfConfigError(`config.json: head_dim ${headDim} is odd; rotary embeddings need an even head size`);
  refuse(c, [
    ['partial_rotary_factor', (v) => v === 1, 'rotary embeddings over the whole head only'],
    ['attn_logit_softcapping', () => false, 'no logit soft-capping'],
    ['final_logit_softcapping', () => false, 'no logit soft-capping'],
  ]);
  const qwen2 = architecture === 'Qwen2ForCausalLM';
  const qwen3 = architecture === 'Qwen3ForCausalLM';
  const attentionBias = bool(c, 'attention_bias', false);
  const maxPositions = int(c, 'max_position_embeddings', 2048);
  const rope = ropeFromConfig(c, headDim, maxPositions);
  // Sliding-window attention is exact full attention while a sequence fits inside the window, so
  // sequences are capped at the window instead of implementing the band mask.
  let window = Infinity;
  const sw = c['sliding_window'];
  const usesWindow = architecture === 'MistralForCausalLM' || ((qwen2 || qwen3) && bool(c, 'use_sliding_window', false));
  if (usesWindow && typeof sw === 'number' && sw > 0) window = sw;
  // Positions past max_position_embeddings are outside what the model was trained on (and what
  // dynamic RoPE is exact for here): sequences stop there, as TRL's max lengths would.
  const maxLength = Math.min(window, rope.maxLength, maxPositions);
  return {
    vocabSize: int(c, 'vocab_size'),
    hidden,
    layers: int(c, 'num_hidden_layers'),
    heads,
    kvHeads,
    headDim,
    intermediate: int(c, 'intermediate_size'),
    norm: 'rms',
    normEps: num(c, 'rms_norm_eps', 1e-6),
    activation: activation(c['hidden_act'] ?? 'silu', 'hidden_act'),
    qkvBias: qwen2 || attentionBias,
    oBias: !qwen2 && attentionBias,
    mlpBias: !qwen2 && !qwen3 && bool(c, 'mlp_bias', false),
    qkNorm: qwen3,
    // LlamaConfig, MistralConfig, Qwen2Config and Qwen3Config all default to untied heads.
    tied: bool(c, 'tie_word_embeddings', false),
    maxPositions,
    rope,
    maxLength,
  };
}

function gpt2(c: Json): Shape {
  const hidden = int(c, 'n_embd', 768);
  const heads = int(c, 'n_head', 12);
  if (hidden % heads !== 0) throw new HfConfigError(`config.json: n_embd ${hidden} is not divisible by n_head ${heads}`);
  refuse(c, [
    ['scale_attn_weights', (v) => v === true, 'attention scores scaled by 1/sqrt(head size)'],
    ['scale_attn_by_inverse_layer_idx', (v) => v === false, 'no per-layer score scaling'],
    ['add_cross_attention', (v) => v === false, 'decoder-only models'],
  ]);
  const maxPositions = int(c, 'n_positions', 1024);
  const inner = c['n_inner'];
  return {
    vocabSize: int(c, 'vocab_size', 50257),
    hidden,
    layers: int(c, 'n_layer', 12),
    heads,
    kvHeads: heads,
    headDim: hidden / heads,
    intermediate: inner === undefined || inner === null ? 4 * hidden : int(c, 'n_inner'),
    norm: 'layer',
    normEps: num(c, 'layer_norm_epsilon', 1e-5),
    activation: activation(c['activation_function'] ?? 'gelu_new', 'activation_function'),
    qkvBias: true,
    oBias: true,
    mlpBias: true,
    qkNorm: false,
    tied: bool(c, 'tie_word_embeddings', true),
    maxPositions,
    rope: null,
    maxLength: maxPositions,
  };
}
