// Random tiny configs of every supported architecture (2 layers, small widths), covering GQA and
// MQA, tied and untied heads, q/k/v (Qwen2) and all-projection (Llama attention_bias/mlp_bias)
// biases, Qwen3's q/k norm, head_dim != hidden/heads, every rope type, F32/F16/BF16 files, a
// sharded index, and GPT-2 files without the "transformer." prefix (as the original gpt2 ships).

import { join } from 'node:path';
import type { MakeCase } from './reference';

const llama = (o: Record<string, unknown>): Record<string, unknown> => ({
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  vocab_size: 97,
  hidden_size: 32,
  intermediate_size: 48,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  max_position_embeddings: 128,
  rms_norm_eps: 1e-6,
  rope_theta: 10000,
  hidden_act: 'silu',
  tie_word_embeddings: false,
  bos_token_id: 1,
  eos_token_id: 2,
  ...o,
});

const gpt2 = (o: Record<string, unknown>): Record<string, unknown> => ({
  architectures: ['GPT2LMHeadModel'],
  model_type: 'gpt2',
  vocab_size: 89,
  n_embd: 32,
  n_layer: 2,
  n_head: 4,
  n_positions: 64,
  layer_norm_epsilon: 1e-5,
  activation_function: 'gelu_new',
  bos_token_id: 0,
  eos_token_id: 0,
  ...o,
});

export const PROMPTS = [[5, 17, 3, 44, 9], [8, 1, 60, 23, 71, 12, 33, 4, 19], [30]];

export function parityCases(root: string): MakeCase[] {
  const c = (name: string, config: Record<string, unknown>, extra: Partial<MakeCase> = {}): MakeCase => ({ name, dir: join(root, name), config, seed: name.length * 7 + 1, prompts: PROMPTS, new_tokens: 6, ...extra });
  return [
    c('llama-gqa-untied', llama({})),
    c('llama-tied-llama3-bf16-sharded', llama({ tie_word_embeddings: true, rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 16 } }), { dtype: 'BF16', shards: 2 }),
    c('smollm-mqa-tied-linear-f16', llama({ num_key_value_heads: 1, tie_word_embeddings: true, rope_scaling: { type: 'linear', factor: 2 } }), { dtype: 'F16' }),
    c('llama-biases', llama({ attention_bias: true, mlp_bias: true, num_key_value_heads: 4 })),
    c('mistral-headdim', llama({ architectures: ['MistralForCausalLM'], model_type: 'mistral', hidden_size: 40, head_dim: 16, sliding_window: 4096, rope_theta: 1e6 })),
    c('qwen2-bias-tied-yarn', llama({ architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', tie_word_embeddings: true, rope_theta: 1e6, use_sliding_window: false, sliding_window: 32, rope_scaling: { type: 'yarn', factor: 4, original_max_position_embeddings: 32 } })),
    c('qwen3-qknorm-dynamic', llama({ architectures: ['Qwen3ForCausalLM'], model_type: 'qwen3', head_dim: 16, rope_theta: 1e6, rope_scaling: { rope_type: 'dynamic', factor: 2 } })),
    c('gpt2-tied-unprefixed', gpt2({}), { unprefixed: true }),
    c('gpt2-untied-f16', gpt2({ tie_word_embeddings: false, n_inner: 80 }), { dtype: 'F16' }),
  ];
}
