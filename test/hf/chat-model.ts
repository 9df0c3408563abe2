// A random tiny Qwen2-shaped chat model folder for policy and CLI tests: weights by
// bench/peers/hf_reference.py, the hand-made byte-level BPE tokenizer with its ChatML template
// (tokenizer-fixtures.ts), and a generation_config.json; Llama- and GPT-2-shaped ones for training tests; and
// the PyTorch reference's forward over tensors a run saved (saved_forward.py).

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSafetensors, encodeSafetensors } from '../../server/src/engine/checkpoint/safetensors';
import type { TensorData } from '../../server/src/engine/onnx/ir';
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

/**
 * A random tiny GPT-2 folder (GPT2LMHeadModel: Conv1D layers, learned positions, tied head) with the
 * same tokenizer and ChatML template and 1024 positions: what GPT-2 training tests train.
 */
export function makeGpt2ChatModel(dir: string): void {
  const cfg = { architectures: ['GPT2LMHeadModel'], model_type: 'gpt2', vocab_size: CHAT_VOCAB, n_embd: 32, n_layer: 2, n_head: 4, n_positions: 1024, layer_norm_epsilon: 1e-5, activation_function: 'gelu_new', bos_token_id: IM_END, eos_token_id: IM_END };
  makeModels([{ name: 'gpt2-chat', dir, config: cfg, seed: 6, prompts: [[1]], new_tokens: 1 }]);
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(CHAT_TOKENIZER));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(bpeTokenizerConfig()));
  writeFileSync(join(dir, 'generation_config.json'), JSON.stringify({ eos_token_id: [IM_END] }));
}

/** lobster's reward tags, as added (not special) tokens of the tagging model's tokenizer. */
export const TAG_TOKENS = ['<smiles>', '</smiles>', '<protein>', '</protein>', '<dna>', '</dna>'];

/**
 * A tiny Llama folder that writes lobster's tags: the chat tokenizer with the six tags as added
 * tokens, and random weights edited so that the next-token distribution is close to a fixed
 * unigram one over `<smiles>`, `</smiles>`, `C`, `O` and <|im_end|> (every token's embedding gets a
 * large constant in hidden dimension 0, which survives the final RMSNorm, and lm_head's column 0
 * turns it into per-token log-probs; the other columns keep their random, context-dependent part).
 * So completions come out tagged and valid (`<smiles>CCO</smiles>`), tagged and broken, or
 * untagged: what the UME reward has to tell apart, where a random model writes no tag at all.
 */
export function makeTaggingLlama(dir: string): void {
  const vocab = CHAT_VOCAB + TAG_TOKENS.length;
  makeLlamaChatModel(dir, { vocab_size: vocab });
  const tok = structuredClone(CHAT_TOKENIZER) as { added_tokens: Array<Record<string, unknown>>; model: { vocab: Record<string, number> } };
  TAG_TOKENS.forEach((content, i) => tok.added_tokens.push({ id: CHAT_VOCAB + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: false }));
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tok));
  const want = new Map<number, number>([
    [CHAT_VOCAB, 0.15],
    [CHAT_VOCAB + 1, 0.12],
    [tok.model.vocab['C']!, 0.3],
    [tok.model.vocab['O']!, 0.12],
    [IM_END, 0.06],
  ]);
  const rest = (1 - [...want.values()].reduce((a, b) => a + b, 0)) / (vocab - want.size);
  const file = join(dir, 'model.safetensors');
  const buf = readFileSync(file);
  const bytes = new Uint8Array(buf.byteLength);
  bytes.set(buf);
  const tensors = new Map([...decodeSafetensors(bytes, file).tensors].map(([k, t]) => [k, { dtype: t.dtype, shape: t.shape, data: Float32Array.from(t.data as Float32Array) } as TensorData]));
  const d = 32;
  const embed = tensors.get('model.embed_tokens.weight')!.data as Float32Array;
  const head = tensors.get('lm_head.weight')!.data as Float32Array;
  const norm = tensors.get('model.norm.weight')!.data as Float32Array;
  // x_0 = 50 dominates the residual stream (the layers add entries of order 1), so RMSNorm maps it
  // to ~sqrt(d) * norm_0; the random columns shrink 10x, a small context-dependent part to train.
  const h0 = Math.sqrt(d) * norm[0]!;
  for (let v = 0; v < vocab; v++) {
    embed[v * d] = 50;
    head[v * d] = Math.log(want.get(v) ?? rest) / h0;
    for (let i = 1; i < d; i++) head[v * d + i] = head[v * d + i]! * 0.1;
  }
  writeFileSync(file, Buffer.concat(encodeSafetensors(tensors, { format: 'pt' })));
}

/** Per-token log-probs and entropies of `sequences` under tensors we saved, loaded by the PyTorch reference as transformers/peft would (saved_forward.py). */
export function savedForward(request: { base: string; weights: string; adapter_config: string | null; sequences: number[][] }): Array<{ logps: number[]; entropies: number[] }> {
  const r = spawnSync(PYTHON, [join(__dirname, 'saved_forward.py')], { input: JSON.stringify(request), encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, OPENBLAS_NUM_THREADS: '1' } });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`saved_forward.py failed (exit ${r.status}):\n${r.stderr}`);
  return (JSON.parse(r.stdout) as { sequences: Array<{ logps: number[]; entropies: number[] }> }).sequences;
}
