// policy-tiny's StepDecoder: the host half of the KV cache around the prefill and decode graphs
// (kv-graphs.ts).
//
// The cache is preallocated per generation: keys [rows, H, dh, S] (transposed) and values
// [rows, H, S, dh] per layer, S = longest prompt + the expected new tokens (grown by copying if a
// caller runs past it). Prompts are left-padded, so at every step all rows write the same slot.
// Rows that finish leave the compute: the rows still generating are packed into the first physical
// slots (a finished row's slot is refilled by moving ONE row from the end, not by shifting all
// later rows), and each run feeds views of the first `rows` slots, never a copy of the cache.
// The cache object is updated in place and returned: a step consumes the cache it is given.
// Its buffers come from a KvArena, reused from one generation to the next (kv-arena.ts).
//
// Restriction: unless `restrict` is off, every logit a row's modality may not generate (vocab.ts)
// is -Infinity in what prefill and step return, so the generation loop samples, and reports
// log-probs, over the restricted distribution, as logps.ts does in the train-step graph. SMILES rows
// also follow the syntax constraint (smiles-grammar.ts) when `smilesGrammar` is on: each row's state
// advances with every token fed; its completion budget (smilesGrammarBudget) starts after the prompt.

import type { TensorData } from '../../onnx/ir';
import type { CompiledModel } from '../../onnx/runtime';
import { MASK_NEG } from '../../models/blocks';
import type { GptConfig } from '../../models/gpt';
import type { ParameterSet } from '../../train/params';
import { SPECIAL } from '../../ume/tokenizer';
import type { StepDecoder } from '../types';
import { KvArena } from './kv-arena';
import { keyName, pastKeyName, pastValueName, valueName } from './kv-graphs';
import { allowedTable, restrictionRow } from './vocab';
import { advance, allowedNext, stateAfter, withBudget, type SmilesGrammarState } from './smiles-grammar';

export interface TinyCache {
  /** Rows still generating, in the generation loop's order. */
  rows: number;
  /** Slots per row (S). */
  capacity: number;
  /** The slot the next token's key and value go to (the same for every row). */
  slot: number;
  /** Physical slot of each row. */
  phys: Int32Array;
  keys: Float32Array[];
  values: Float32Array[];
  /** [physical rows, S]: 0 where a row may attend, MASK_NEG elsewhere. */
  bias: Float32Array;
  /** Per physical row: position of the next token fed (tokens seen so far). */
  positions: Int32Array;
  /** Per physical row: its row of the restriction table. */
  restriction: Int32Array;
  /** Per physical row: its SMILES grammar state (null: not a SMILES row, or the grammar is off). */
  grammar: (SmilesGrammarState | null)[];
}

export interface TinyDecoderModels {
  prefill: CompiledModel;
  decode: CompiledModel;
}

const ALLOWED = allowedTable();

const int64 = (shape: number[], values: ArrayLike<number>): TensorData => ({ dtype: 'int64', shape, data: BigInt64Array.from(Array.from(values), (v) => BigInt(v)) });

export class TinyDecoder implements StepDecoder<TinyCache> {
  readonly vocabSize: number;
  private readonly H: number;
  private readonly dh: number;
  private readonly paramFeeds: Record<string, TensorData>;

  constructor(
    private readonly c: GptConfig,
    private readonly models: TinyDecoderModels,
    params: ParameterSet,
    private readonly opts: { expectedNewTokens: number; restrict?: boolean; smilesGrammar?: boolean; smilesGrammarBudget?: number },
    /** Where cache buffers come from; a shared arena must serve one generation at a time. */
    private readonly arena: KvArena = new KvArena(),
  ) {
    this.vocabSize = c.vocabSize;
    this.H = c.nHeads;
    this.dh = c.dModel / c.nHeads;
    // The parameters as they are now: a training step replacing them later does not affect this
    // decoder's generation.
    this.paramFeeds = Object.fromEntries(params.entries());
  }

  async prefill(prompts: readonly (readonly number[])[]): Promise<{ logits: Float32Array; cache: TinyCache }> {
    const N = prompts.length;
    if (N === 0) throw new Error('prefill needs at least one prompt');
    const P = Math.max(...prompts.map((p) => p.length));
    if (P === 0) throw new Error('every prompt is empty; a prompt needs at least its start token');
    const ids = new Array<number>(N * P).fill(SPECIAL.pad);
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
    const S = P + Math.max(1, this.opts.expectedNewTokens);
    const { H, dh } = this;
    const cache: TinyCache = {
      rows: N,
      capacity: S,
      slot: P,
      phys: Int32Array.from({ length: N }, (_, i) => i),
      keys: [],
      values: [],
      bias: this.arena.take(0, N * S).fill(MASK_NEG),
      positions: Int32Array.from(prompts, (p) => p.length),
      restriction: Int32Array.from(prompts, (p) => restrictionRow(p[0])),
      grammar: prompts.map((p) => (this.opts.restrict !== false && this.opts.smilesGrammar && p[0] === SPECIAL.cls_smiles ? withBudget(stateAfter(p.slice(1)), this.opts.smilesGrammarBudget ?? Infinity) : null)),
    };
    for (let l = 0; l < this.c.nLayers; l++) {
      const kT = out[keyName(l)]!.data as Float32Array; // [N, H, dh, P]
      const v = out[valueName(l)]!.data as Float32Array; // [N, H, P, dh]
      const K = this.arena.take(1 + 2 * l, N * H * dh * S);
      const Vb = this.arena.take(2 + 2 * l, N * H * S * dh);
      // Element loops: short prompts make per-row subarray copies cost more than they move.
      for (let r = 0; r < N * H * dh; r++) for (let t = 0; t < P; t++) K[r * S + t] = kT[r * P + t]!;
      for (let r = 0; r < N * H; r++) for (let i = 0; i < P * dh; i++) Vb[r * S * dh + i] = v[r * P * dh + i]!;
      cache.keys.push(K);
      cache.values.push(Vb);
    }
    prompts.forEach((p, b) => cache.bias.fill(0, b * S + (P - p.length), b * S + P));
    const logits = new Float32Array(out['logits']!.data as Float32Array);
    this.restrict(logits, cache, Int32Array.from({ length: N }, (_, i) => i));
    return { logits, cache };
  }

  async step(cache: TinyCache, tokens: readonly number[], keep: readonly number[]): Promise<{ logits: Float32Array; cache: TinyCache }> {
    if (tokens.length !== keep.length) throw new Error(`step: ${tokens.length} tokens for ${keep.length} kept rows`);
    keep.forEach((k, i) => {
      if (!Number.isInteger(k) || k < 0 || k >= cache.rows || (i > 0 && k <= keep[i - 1]!)) throw new Error(`step: keep must list rows of the previous call (0..${cache.rows - 1}) in increasing order, got [${keep.join(', ')}]`);
    });
    const V = this.vocabSize;
    for (const t of tokens) if (!Number.isInteger(t) || t < 0 || t >= V) throw new Error(`step: token id ${t} is outside the vocabulary 0..${V - 1}`);
    const n = keep.length;
    if (n === 0) return { logits: new Float32Array(0), cache: { ...cache, rows: 0 } };
    this.pack(cache, keep);
    if (cache.slot >= cache.capacity) this.grow(cache, cache.capacity + Math.max(16, cache.capacity >> 1));
    const S = cache.capacity;
    const { H, dh } = this;
    const ids = new Array<number>(n);
    const pos = new Array<number>(n);
    for (let j = 0; j < n; j++) {
      const p = cache.phys[j]!;
      ids[p] = tokens[j]!;
      pos[p] = cache.positions[p]!;
      const g = cache.grammar[p];
      if (g) cache.grammar[p] = advance(g, tokens[j]!);
    }
    const feeds: Record<string, TensorData> = {
      ...this.paramFeeds,
      input_ids: int64([n], ids),
      position_ids: int64([n], pos),
      key_bias: { dtype: 'float32', shape: [n, S], data: cache.bias.subarray(0, n * S) },
    };
    for (let l = 0; l < this.c.nLayers; l++) {
      feeds[pastKeyName(l)] = { dtype: 'float32', shape: [n, H, dh, S], data: cache.keys[l]!.subarray(0, n * H * dh * S) };
      feeds[pastValueName(l)] = { dtype: 'float32', shape: [n, H, S, dh], data: cache.values[l]!.subarray(0, n * H * S * dh) };
    }
    const out = await this.models.decode.run(feeds);
    const s = cache.slot;
    for (let l = 0; l < this.c.nLayers; l++) {
      const k = out[keyName(l)]!.data as Float32Array; // [n, H, dh]
      const v = out[valueName(l)]!.data as Float32Array;
      const K = cache.keys[l]!;
      const Vb = cache.values[l]!;
      for (let r = 0; r < n * H; r++) {
        const src = r * dh;
        const vAt = (r * S + s) * dh;
        for (let c = 0; c < dh; c++) {
          K[(src + c) * S + s] = k[src + c]!;
          Vb[vAt + c] = v[src + c]!;
        }
      }
    }
    for (let p = 0; p < n; p++) {
      cache.bias[p * S + s] = 0;
      cache.positions[p]!++;
    }
    cache.slot++;
    const physLogits = out['logits']!.data as Float32Array;
    const logits = new Float32Array(n * V);
    for (let j = 0; j < n; j++) logits.set(physLogits.subarray(cache.phys[j]! * V, (cache.phys[j]! + 1) * V), j * V);
    this.restrict(logits, cache, cache.phys);
    return { logits, cache };
  }

  /** Sets the logits of ids a row may not generate to -Infinity (rows in logical order). */
  private restrict(logits: Float32Array, cache: TinyCache, phys: Int32Array): void {
    if (this.opts.restrict === false) return;
    const V = this.vocabSize;
    for (let j = 0; j < logits.length / V; j++) {
      const row = cache.restriction[phys[j]!]!;
      if (row === 0) continue;
      const base = row * V;
      for (let t = 0; t < V; t++) if (!ALLOWED[base + t]) logits[j * V + t] = -Infinity;
      const g = cache.grammar[phys[j]!];
      if (g && !g.free) {
        const allowed = allowedNext(g);
        for (let t = 0; t < V; t++) if (!allowed[t]) logits[j * V + t] = -Infinity;
      }
    }
  }

  /** Keeps the listed rows, packed into physical slots 0..keep.length-1. */
  private pack(cache: TinyCache, keep: readonly number[]): void {
    const n = keep.length;
    const phys = Int32Array.from(keep, (k) => cache.phys[k]!);
    const used = new Set(phys);
    const free: number[] = [];
    for (let p = 0; p < n; p++) if (!used.has(p)) free.push(p);
    for (let j = 0; j < n; j++) {
      if (phys[j]! < n) continue;
      const to = free.pop()!;
      this.moveRow(cache, phys[j]!, to);
      phys[j] = to;
    }
    cache.phys = phys;
    cache.rows = n;
  }

  private moveRow(cache: TinyCache, from: number, to: number): void {
    const row = this.H * this.dh * cache.capacity;
    for (const buf of [...cache.keys, ...cache.values]) buf.copyWithin(to * row, from * row, (from + 1) * row);
    const S = cache.capacity;
    cache.bias.copyWithin(to * S, from * S, (from + 1) * S);
    cache.positions[to] = cache.positions[from]!;
    cache.restriction[to] = cache.restriction[from]!;
    cache.grammar[to] = cache.grammar[from] ?? null;
  }

  /** Reallocates every buffer with `S2` slots per row (only when a caller runs past the expected length). */
  private grow(cache: TinyCache, S2: number): void {
    const S = cache.capacity;
    const rowsAlloc = cache.bias.length / S;
    const { H, dh } = this;
    cache.keys = cache.keys.map((K, l) => {
      const out = new Float32Array(rowsAlloc * H * dh * S2);
      for (let r = 0; r < rowsAlloc * H * dh; r++) out.set(K.subarray(r * S, (r + 1) * S), r * S2);
      this.arena.put(1 + 2 * l, out);
      return out;
    });
    cache.values = cache.values.map((Vb, l) => {
      const out = new Float32Array(rowsAlloc * H * S2 * dh);
      for (let r = 0; r < rowsAlloc * H; r++) out.set(Vb.subarray(r * S * dh, (r + 1) * S * dh), r * S2 * dh);
      this.arena.put(2 + 2 * l, out);
      return out;
    });
    const bias = new Float32Array(rowsAlloc * S2).fill(MASK_NEG);
    for (let r = 0; r < rowsAlloc; r++) bias.set(cache.bias.subarray(r * S, (r + 1) * S), r * S2);
    this.arena.put(0, bias);
    cache.bias = bias;
    cache.capacity = S2;
  }
}
