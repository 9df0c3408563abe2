// A random tiny Qwen2-shaped chat model folder for policy and CLI tests: weights by
// bench/peers/hf_reference.py, the hand-made byte-level BPE tokenizer with its ChatML template
// (tokenizer-fixtures.ts), and a generation_config.json.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bpeTokenizerConfig, byteLevelBpe } from './tokenizer-fixtures';
import { makeModels } from './reference';

export const CHAT_TOKENIZER = byteLevelBpe();
export const CHAT_VOCAB = Object.keys((CHAT_TOKENIZER['model'] as { vocab: object }).vocab).length + (CHAT_TOKENIZER['added_tokens'] as unknown[]).length;
/** <|im_end|>: the last added token (tokenizer-fixtures BPE_SPECIALS), the model's eos. */
export const IM_END = CHAT_VOCAB - 1;

export function makeChatModel(dir: string, generation: Record<string, unknown> = { eos_token_id: [IM_END], do_sample: true, temperature: 0.7 }): void {
  const config = { architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', vocab_size: CHAT_VOCAB, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 256, rms_norm_eps: 1e-6, rope_theta: 1e6, tie_word_embeddings: true, eos_token_id: IM_END };
  makeModels([{ name: 'chat', dir, config, seed: 3, prompts: [[1]], new_tokens: 1 }]);
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(CHAT_TOKENIZER));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(bpeTokenizerConfig()));
  writeFileSync(join(dir, 'generation_config.json'), JSON.stringify(generation));
}
