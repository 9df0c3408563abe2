// `npm run bench -- generate`: a Hugging Face policy's batched greedy generation (HfPolicy's
// prefill graph, then one token per row per step through the KV cache) against the PyTorch
// reference of the same architecture with its own KV cache (bench/peers/hf_reference.py, float32,
// torch.no_grad), on the same random Llama-shaped folder, batch, prompt length, new tokens and
// threads, in the same run. Prefill tokens/s = batch * prompt / prefill time; decode tokens/s =
// batch * (new - 1) / time of the decode steps. Last line: one JSON object with the figures.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '../server/src/engine/policy/generate';
import { HfPolicy, type HostKvCache } from '../server/src/engine/policy/hf';
import { KvArena } from '../server/src/engine/policy/tiny/kv-arena';
import type { StepDecoder } from '../server/src/engine/policy/types';
import { Rng } from '../server/src/engine/train/rng';
import { makeModels, runReference, torchMissing } from '../test/hf/reference';
import { machine, median, parseOptions, type Bench } from './lib/bench';

/** Times a decoder's prefill and steps separately. */
class Timed<C> implements StepDecoder<C> {
  prefillMs = 0;
  stepMs = 0;
  constructor(private readonly inner: StepDecoder<C>) {}
  get vocabSize(): number {
    return this.inner.vocabSize;
  }
  async prefill(prompts: readonly (readonly number[])[]): Promise<{ logits: Float32Array; cache: C }> {
    const t0 = performance.now();
    const r = await this.inner.prefill(prompts);
    this.prefillMs += performance.now() - t0;
    return r;
  }
  async step(cache: C, tokens: readonly number[], keep: readonly number[]): Promise<{ logits: Float32Array; cache: C }> {
    const t0 = performance.now();
    const r = await this.inner.step(cache, tokens, keep);
    this.stepMs += performance.now() - t0;
    return r;
  }
}

export const bench: Bench = {
  description: 'HF policy generation tokens/s (prefill, KV-cache decode) vs the PyTorch reference with a KV cache',
  async run(args) {
    const o = parseOptions(args, { hidden: 256, layers: 4, heads: 8, 'kv-heads': 2, intermediate: 704, vocab: 8192, batch: 8, prompt: 32, 'new-tokens': 64, reps: 3, threads: 2, 'no-peer': false });
    const why = torchMissing();
    if (why) throw new Error(`the bench builds its model with the PyTorch reference: ${why}`);
    const root = mkdtempSync(join(tmpdir(), 'bench-generate-'));
    try {
      const dir = join(root, 'llama');
      const config = { architectures: ['LlamaForCausalLM'], model_type: 'llama', vocab_size: o.vocab, hidden_size: o.hidden, intermediate_size: o.intermediate, num_hidden_layers: o.layers, num_attention_heads: o.heads, num_key_value_heads: o['kv-heads'], max_position_embeddings: 2048, rms_norm_eps: 1e-5, rope_theta: 10000, tie_word_embeddings: true };
      makeModels([{ name: 'llama', dir, config, seed: 1, prompts: [[1]], new_tokens: 1 }]);
      // The peer runs first: after ONNX Runtime sessions have run in this process (even released),
      // a PyTorch child measured 30x slower here (ORT's idle intra-op threads keep spinning on the 2 cores).
      let peer: { prefill_s: number; decode_s: number; prefill_tokens_per_s: number; decode_tokens_per_s: number; torch: string } | undefined;
      if (!o['no-peer']) {
        peer = runReference('bench', { dir, batch: o.batch, prompt_len: o.prompt, new_tokens: o['new-tokens'], threads: o.threads, repeats: o.reps }) as typeof peer;
        console.log(`torch  median: prefill ${(peer!.prefill_s * 1000).toFixed(1)} ms, decode ${(peer!.decode_s * 1000).toFixed(0)} ms`);
      }
      const policy = await HfPolicy.load(dir, { threads: o.threads });
      const rng = new Rng(1);
      const prompts = Array.from({ length: o.batch }, () => Array.from({ length: o.prompt }, () => Math.floor(rng.uniform() * o.vocab)));
      const arena = new KvArena();
      const pre: number[] = [];
      const dec: number[] = [];
      for (let r = 0; r < o.reps + 1; r++) {
        const timed = new Timed<HostKvCache>(policy.decoder(o['new-tokens'], arena));
        const rows = await generate(timed, prompts, { maxNewTokens: o['new-tokens'], greedy: true }, new Rng(0), { stopIds: [] });
        if (rows.some((x) => x.ids.length !== o['new-tokens'])) throw new Error('a row stopped early with stopping off');
        if (r > 0) {
          pre.push(timed.prefillMs);
          dec.push(timed.stepMs);
        }
        console.log(`ours   run ${r}${r === 0 ? ' (warm-up)' : ''}: prefill ${timed.prefillMs.toFixed(1)} ms, decode ${timed.stepMs.toFixed(0)} ms`);
      }
      await policy.release();
      const prefillMs = median(pre);
      const decodeMs = median(dec);
      const ours = { prefill_ms: prefillMs, decode_ms: decodeMs, prefill_tokens_per_s: (o.batch * o.prompt * 1000) / prefillMs, decode_tokens_per_s: (o.batch * (o['new-tokens'] - 1) * 1000) / decodeMs };
      console.log(`ours   median: prefill ${prefillMs.toFixed(1)} ms (${ours.prefill_tokens_per_s.toFixed(0)} tokens/s), decode ${decodeMs.toFixed(0)} ms (${ours.decode_tokens_per_s.toFixed(0)} tokens/s)`);
      const result = {
        bench: 'generate',
        model: `Llama ${o.layers} layers, hidden ${o.hidden}, ${o.heads} heads / ${o['kv-heads']} kv, ffn ${o.intermediate}, vocab ${o.vocab} (random, tied)`,
        batch: o.batch,
        prompt: o.prompt,
        new_tokens: o['new-tokens'],
        threads: o.threads,
        ours_prefill_tokens_per_s: Math.round(ours.prefill_tokens_per_s),
        ours_decode_tokens_per_s: Math.round(ours.decode_tokens_per_s),
        ...(peer
          ? {
              torch_prefill_tokens_per_s: Math.round(peer.prefill_tokens_per_s),
              torch_decode_tokens_per_s: Math.round(peer.decode_tokens_per_s),
              prefill_ratio: Number((ours.prefill_tokens_per_s / peer.prefill_tokens_per_s).toFixed(2)),
              decode_ratio: Number((ours.decode_tokens_per_s / peer.decode_tokens_per_s).toFixed(2)),
              torch: peer.torch,
            }
          : {}),
        machine: machine(),
      };
      console.log(JSON.stringify(result));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
};
