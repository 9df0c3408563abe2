// A long-lived UME scorer: owns one model's weights and its compiled sessions (one per output set;
// batch and length are symbolic, so a session serves every batch shape), tokenizes with a max
// length, and batches PLL and embedding requests. The language server, CLI and reward function
// keep one per model and call it concurrently; runs go through ORT one at a time (the cores are
// shared anyway) and each request can be cancelled between forward passes.

import type { Modality } from '../modality';
import { compile, type CompiledModel, type Device, type ProviderChoice } from '../onnx/runtime';
import type { TensorData } from '../onnx/ir';
import type { ParameterSet } from '../train/params';
import { umeParamCount, type UmeConfig } from './config';
import { buildUmeGraph, type UmeOutput } from './encoder';
import { buildMaskedPllGraph } from './masked-pll-graph';
import { collateRows, computePll, DEFAULT_LIMITS, packRows, sharedFits, type PackLimits, type PllOptions, type PllResult, type SelectedBatch, type SharedBound, type CopyBatch } from './pll';
import { encode, type Encoding } from './tokenizer';
import { loadUmeWeights, type LoadedUmeWeights, type LoadOptions } from './weights';

export const DEFAULT_MAX_LENGTH = 512;
/** Above this, weights are fed as graph inputs (protobuf cannot hold a model over 2 GB). */
const INLINE_WEIGHT_LIMIT = 1.5e9;

export interface SequenceInput {
  text: string;
  modality: Modality;
}

export interface UmeScorerOptions {
  device?: Device;
  threads?: number;
  /** ORT's intra-op threads spin between runs (default true); see SessionSettings.spinning. */
  spinning?: boolean;
  /** Max tokens per sequence including cls and eos (default 512); longer input is truncated and reported. */
  maxLength?: number;
  /** Forward-pass bounds (tokens, attention scores); defaults suit a few hundred MB of activations. */
  maxTokens?: number;
  maxAttention?: number;
  /**
   * Max elements of the shared-context masked-PLL graph's per-base tensors per pass (S*T*T*hidden);
   * sequences too long for it are scored with explicit copies. 0 turns the shared graph off.
   */
  maxShared?: number;
  /** A name for reports and cache keys (default: the config's name). */
  name?: string;
}

export interface EmbedResult {
  /** Mean of final hidden states over the sequence's tokens (cls and eos included, padding excluded). */
  embedding: Float32Array;
  truncated: boolean;
}

/** True when batch row b has exactly one scored position and it lies in row b (in row order). */
function onePositionPerRow(b: SelectedBatch): boolean {
  if (b.positions.length !== b.batch) return false;
  const T = BigInt(b.length);
  return b.positions.every((p, i) => p >= BigInt(i) * T && p < BigInt(i + 1) * T);
}

export class UmeScorer {
  readonly name: string;
  readonly maxLength: number;
  private readonly sessions = new Map<string, Promise<CompiledModel>>();
  private readonly limits: PackLimits;
  private readonly sharedBound: SharedBound;
  private readonly weightFeeds: Record<string, TensorData> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private released = false;

  constructor(
    readonly weights: LoadedUmeWeights,
    private readonly options: UmeScorerOptions = {},
  ) {
    this.name = options.name ?? weights.config.name;
    this.maxLength = options.maxLength ?? weights.config.maxLength ?? DEFAULT_MAX_LENGTH;
    if (!Number.isInteger(this.maxLength) || this.maxLength < 3) throw new Error(`maxLength must be an integer >= 3 (cls + one token + eos), got ${this.maxLength}`);
    this.limits = {
      maxTokens: options.maxTokens ?? DEFAULT_LIMITS.maxTokens,
      maxAttention: options.maxAttention ?? DEFAULT_LIMITS.maxAttention,
      heads: weights.config.numHeads,
    };
    this.sharedBound = { maxShared: options.maxShared ?? DEFAULT_LIMITS.maxShared, hidden: weights.config.hiddenSize };
    this.weightFeeds = umeParamCount(weights.config) * 4 > INLINE_WEIGHT_LIMIT ? Object.fromEntries(weights.params.entries()) : undefined;
  }

  /** Loads lobster-named safetensors weights and returns a scorer for them. */
  static async fromFile(path: string, options: UmeScorerOptions & LoadOptions = {}): Promise<UmeScorer> {
    return new UmeScorer(await loadUmeWeights(path, options), options);
  }

  /** A scorer for parameters held in memory (our graph's names, e.g. straight from a trainer). */
  static fromParams(config: UmeConfig, params: ParameterSet, options: UmeScorerOptions = {}): UmeScorer {
    return new UmeScorer({ config, params, report: { storedDtypes: ['F32'], renamed: 0, source: 'memory', metadata: {} } }, options);
  }

  get config(): UmeConfig {
    return this.weights.config;
  }

  /**
   * The provider the scoring sessions run on. Compiles the graph a masked hover of a short sequence
   * runs (the default mode), so the first hover does not pay for it; the others (unmasked, explicit
   * masked copies for sequences too long for the shared graph) compile on first use, ~10-20 ms each,
   * rather than lengthening every start.
   */
  async provider(): Promise<ProviderChoice> {
    return (await (sharedFits(1, 3, this.sharedBound) ? this.session('shared') : this.session(['masked_logprob']))).provider;
  }

  /** A compiled graph: encoder outputs, or 'shared' for the shared-context masked PLL graph. */
  private session(outputs: UmeOutput[] | 'shared'): Promise<CompiledModel> {
    if (this.released) throw new Error(`UME scorer "${this.name}" was released; create a new one`);
    const key = outputs === 'shared' ? 'shared-masked-pll' : outputs.join('+');
    let s = this.sessions.get(key);
    if (!s) {
      const weights = this.weightFeeds ? 'inputs' : 'initializers';
      // Weights read from a file go in as stored (ORT widens and transposes them); see storedInitializers.
      const source = this.weightFeeds ? this.weights.params : (this.weights.stored ?? this.weights.params);
      const graph = outputs === 'shared' ? buildMaskedPllGraph(this.config, source, { weights }) : buildUmeGraph(this.config, source, { outputs, weights });
      s = compile(graph, { device: this.options.device ?? 'auto', threads: this.options.threads, spinning: this.options.spinning });
      // A failed compile must not poison the cache: the next call retries.
      s.catch(() => this.sessions.delete(key));
      this.sessions.set(key, s);
    }
    return s;
  }

  /** Runs one batch; runs are serialized so concurrent requests do not oversubscribe the cores. */
  private run(outputs: UmeOutput[] | 'shared', feeds: Record<string, TensorData>): Promise<Record<string, TensorData>> {
    const job = this.queue.then(async () => {
      const model = await this.session(outputs);
      return model.run(this.weightFeeds ? { ...feeds, ...this.weightFeeds } : feeds);
    });
    this.queue = job.catch(() => undefined);
    return job;
  }

  encode(inputs: readonly SequenceInput[]): Encoding[] {
    return inputs.map((x) => encode(x.text, x.modality, { maxLength: this.maxLength }));
  }

  /** Pseudo-log-likelihood of each input (see pll.ts for what each mode averages). */
  async pll(inputs: readonly SequenceInput[], options: PllOptions): Promise<PllResult[]> {
    return this.pllEncoded(this.encode(inputs), options);
  }

  async pllEncoded(encodings: readonly Encoding[], options: PllOptions): Promise<PllResult[]> {
    return computePll(encodings, options, this.limits, (b) => this.runSelected(b), { ...this.sharedBound, run: (c) => this.runCopies(c) });
  }

  /** One explicit batch: masked/sampled rows (one scored position each) or unmasked rows. */
  private async runSelected(b: SelectedBatch): Promise<Float32Array> {
    // masked/sampled rows score one position each: the graph that runs the last layer at that
    // row only. unmasked rows score every position: the full encoder.
    const output = onePositionPerRow(b) ? 'masked_logprob' : 'selected_logprob';
    const out = await this.run([output], {
      input_ids: { dtype: 'int64', shape: [b.batch, b.length], data: b.inputIds },
      attention_mask: { dtype: 'int64', shape: [b.batch, b.length], data: b.attentionMask },
      positions: { dtype: 'int64', shape: [b.positions.length], data: b.positions },
      targets: { dtype: 'int64', shape: [b.targets.length], data: b.targets },
    });
    return out[output]!.data as Float32Array;
  }

  /** One pass of the shared-context masked PLL graph. */
  private async runCopies(c: CopyBatch): Promise<Float32Array> {
    const out = await this.run('shared', {
      input_ids: { dtype: 'int64', shape: [c.bases, c.length], data: c.inputIds },
      attention_mask: { dtype: 'int64', shape: [c.bases, c.length], data: c.attentionMask },
      copy_seq: { dtype: 'int64', shape: [c.copySeq.length], data: c.copySeq },
      copy_pos: { dtype: 'int64', shape: [c.copyPos.length], data: c.copyPos },
      targets: { dtype: 'int64', shape: [c.targets.length], data: c.targets },
    });
    return out['masked_logprob']!.data as Float32Array;
  }

  /** Mean-pooled embeddings (width = hidden size), batched by length. */
  async embed(inputs: readonly SequenceInput[], options: { signal?: AbortSignal } = {}): Promise<EmbedResult[]> {
    const encs = this.encode(inputs);
    const H = this.config.hiddenSize;
    const results: EmbedResult[] = encs.map((e) => ({ embedding: new Float32Array(H), truncated: e.truncated }));
    const rows = encs.map((e, i) => ({ ids: e.ids, i }));
    for (const group of packRows(rows, this.limits)) {
      if (options.signal?.aborted) throw Object.assign(new Error('embedding was cancelled'), { name: 'AbortError' });
      const b = collateRows(group);
      const out = await this.run(['pooled'], {
        input_ids: { dtype: 'int64', shape: [b.batch, b.length], data: b.inputIds },
        attention_mask: { dtype: 'int64', shape: [b.batch, b.length], data: b.attentionMask },
      });
      const pooled = out['pooled']!.data as Float32Array;
      group.forEach((r, k) => results[r.i]!.embedding.set(pooled.subarray(k * H, (k + 1) * H)));
    }
    return results;
  }

  async release(): Promise<void> {
    this.released = true;
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map(async (s) => (await s.catch(() => undefined))?.release()));
  }
}
