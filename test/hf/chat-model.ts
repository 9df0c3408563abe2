// A random tiny Qwen2-shaped chat model folder for policy and CLI tests: weights by
// bench/peers/hf_reference.py, the hand-made byte-level BPE tokenizer with its ChatML template
// (tokenizer-fixtures.ts), and a generation_config.json; a Llama-shaped one for training tests; and
// the PyTorch reference's forward over tensors a run saved (saved_forward.py).

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bpeTokenizerConfig, byteLevelBpe } from './tokenizer-fixtures';
import { makeModels, PYTHON } from './reference';

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

/**
 * A random tiny Llama-shaped folder with the same tokenizer and ChatML template, long enough
 * (1024 positions) for the synthetic dataset's instruction prompts: what training tests train.
 */
export function makeLlamaChatModel(dir: string, config: Record<string, unknown> = {}): void {
  const cfg = { architectures: ['LlamaForCausalLM'], model_type: 'llama', vocab_size: CHAT_VOCAB, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 1024, rms_norm_eps: 1e-6, rope_theta: 10000, tie_word_embeddings: false, eos_token_id: IM_END, ...config };
  makeModels([{ name: 'llama-chat', dir, config: cfg, seed: 5, prompts: [[1]], new_tokens: 1 }]);
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(CHAT_TOKENIZER));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(bpeTokenizerConfig()));
  writeFileSync(join(dir, 'generation_config.json'), JSON.stringify({ eos_token_id: [IM_END] }));
}

/** Per-token log-probs and entropies of `sequences` under tensors we saved, loaded by the PyTorch reference as transformers/peft would (saved_forward.py). */
export function savedForward(request: { base: string; weights: string; adapter_config: string | null; sequences: number[][] }): Array<{ logps: number[]; entropies: number[] }> {
  const r = spawnSync(PYTHON, [join(__dirname, 'saved_forward.py')], { input: JSON.stringify(request), encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, OPENBLAS_NUM_THREADS: '1' } });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`saved_forward.py failed (exit ${r.status}):\n${r.stderr}`);
  return (JSON.parse(r.stdout) as { sequences: Array<{ logps: number[]; entropies: number[] }> }).sequences;
}
