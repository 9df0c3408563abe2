// The StepDecoder of a Hugging Face policy (policy/types.ts): prefill and decode graphs
// (kv-graphs.ts) around a host KV cache (kv-cache.ts). The shared generation loop (policy/generate.ts)
// drives it; the cache is consumed by each step (updated in place and returned).

import type { TensorData } from '../../onnx/ir';
import type { CompiledModel } from '../../onnx/runtime';
import type { StepDecoder } from '../types';
import { KvArena } from '../tiny/kv-arena';
import type { HfModelConfig } from './config';
import { HostKvCache } from './kv-cache';
import { keyName, pastKeyName, pastValueName, valueName } from './kv-graphs';

export interface HfDecoderModels {
  prefill: CompiledModel;
  decode: CompiledModel;
}

const int64 = (shape: number[], values: ArrayLike<number>): TensorData => ({ dtype: 'int64', shape, data: BigInt64Array.from(Array.from(values), (v) => BigInt(v)) });

export class HfDecoder implements StepDecoder<HostKvCache> {
  readonly vocabSize: number;

  constructor(
    private readonly c: HfModelConfig,
    private readonly models: HfDecoderModels,
    /** Parameter (and adapter) feeds as they are now: later training steps do not affect this generation. */
    private readonly paramFeeds: Record<string, TensorData>,
    private readonly expectedNewTokens: number,
    private readonly arena: KvArena = new KvArena(),
  ) {
    this.vocabSize = c.vocabSize;
  }

  async prefill(prompts: readonly (readonly number[])[]): Promise<{ logits: Float32Array; cache: HostKvCache }> {
    const N = prompts.length;
    if (N === 0) throw new Error('prefill needs at least one prompt');
    const P = Math.max(...prompts.map((p) => p.length));
    if (P === 0) throw new Error('every prompt is empty; a prompt needs at least one token');
    const ids = new Array<number>(N * P).fill(0);
    const pos = new Array<number>(N * P).fill(0);
    const mask = new Array<number>(N * P).fill(0);
    prompts.forEach((p, b) => {
      const pad = P - p.length;
      p.forEach((id, t) => {
        ids[b * P + pad + t] = id;
        pos[b * P + pad + t] = t;
        mask[b * P + pad + t] = 1;
      });
    });
    const out = await this.models.prefill.run({ ...this.paramFeeds, input_ids: int64([N, P], ids), position_ids: int64([N, P], pos), attention_mask: int64([N, P], mask) });
    const keys: Float32Array[] = [];
    const values: Float32Array[] = [];
    for (let l = 0; l < this.c.layers; l++) {
      keys.push(out[keyName(l)]!.data as Float32Array);
      values.push(out[valueName(l)]!.data as Float32Array);
    }
    const cache = new HostKvCache({ layers: this.c.layers, kvHeads: this.c.kvHeads, headDim: this.c.headDim }, prompts.map((p) => p.length), this.expectedNewTokens, keys, values, this.arena);
    return { logits: new Float32Array(out['logits']!.data as Float32Array), cache };
  }

  async step(cache: HostKvCache, tokens: readonly number[], keep: readonly number[]): Promise<{ logits: Float32Array; cache: HostKvCache }> {
    if (tokens.length !== keep.length) throw new Error(`step: ${tokens.length} tokens for ${keep.length} kept rows`);
    const V = this.vocabSize;
    for (const t of tokens) if (!Number.isInteger(t) || t < 0 || t >= V) throw new Error(`step: token id ${t} is outside the vocabulary 0..${V - 1}`);
    cache.keep(keep);
    const n = keep.length;
    if (n === 0) return { logits: new Float32Array(0), cache };
    const ids = new Array<number>(n);
    const pos = new Array<number>(n);
    for (let j = 0; j < n; j++) {
      const p = cache.phys[j]!;
      ids[p] = tokens[j]!;
      pos[p] = cache.positions[p]!;
    }
    const out = await this.models.decode.run({ ...this.paramFeeds, input_ids: int64([n], ids), position_ids: int64([n], pos), ...cache.feeds(pastKeyName, pastValueName) });
    for (let l = 0; l < this.c.layers; l++) cache.write(l, out[keyName(l)]!.data as Float32Array, out[valueName(l)]!.data as Float32Array);
    cache.advance();
    const physLogits = out['logits']!.data as Float32Array;
    const logits = new Float32Array(n * V);
    for (let j = 0; j < n; j++) logits.set(physLogits.subarray(cache.phys[j]! * V, (cache.phys[j]! + 1) * V), j * V);
    return { logits, cache };
  }
}
