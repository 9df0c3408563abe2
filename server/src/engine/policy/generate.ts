// The shared batched generation loop over any StepDecoder (policy-tiny's GPT now, HF causal LMs
// later): prefill every prompt once, then one token per row per step through the decoder's KV
// cache. Rows that stop (a stop id) or reach maxNewTokens leave the batch at once: the next step's
// `keep` list omits them, so the decoder computes only rows still generating.
//
// Determinism: rows are visited in prompt order at every step and each sampled token takes exactly
// one Rng draw (greedy takes none), so the same seed, prompts and weights give the same tokens.
// Reported log-probs follow TRL: log_softmax(logits / temperature) at the chosen token, on the
// decoder's logits before repetition penalty, top-k, top-p and min-p (policy/types.ts).

import type { Rng } from '../train/rng';
import { resolveSampling, RowSampler } from './sampling';
import type { FinishReason, SamplingOptions, StepDecoder } from './types';

export interface GeneratedRow {
  promptIds: number[];
  /** Generated ids, the stop id included when finish is 'stop'. */
  ids: number[];
  logprobs: Float32Array;
  finish: FinishReason;
}

export interface GenerateOptions {
  stopIds: readonly number[];
  signal?: AbortSignal;
  /** Called after every step with the number of rows that computed it (progress, tests). */
  onStep?: (info: { step: number; activeRows: number }) => void;
}

/** Generates one completion per prompt; results in prompt order. */
export async function generate<C>(decoder: StepDecoder<C>, prompts: readonly (readonly number[])[], sampling: SamplingOptions, rng: Rng, opts: GenerateOptions): Promise<GeneratedRow[]> {
  const o = resolveSampling(sampling);
  const V = decoder.vocabSize;
  prompts.forEach((p, i) => {
    if (p.length === 0) throw new Error(`prompt ${i} has no tokens; a prompt needs at least its start token`);
    for (const id of p) if (!Number.isInteger(id) || id < 0 || id >= V) throw new Error(`prompt ${i} holds token id ${id}, outside the vocabulary 0..${V - 1}`);
  });
  if (prompts.length === 0) return [];
  const stop = new Set(opts.stopIds);
  const sampler = new RowSampler(o, V);
  opts.signal?.throwIfAborted();

  const rows = prompts.map((p) => ({ promptIds: [...p], ids: [] as number[], logprobs: [] as number[], finish: 'length' as FinishReason, seen: new Set(p) }));
  let { logits, cache } = await decoder.prefill(prompts);
  /** active[i] = prompt index of the decoder's row i. */
  let active = rows.map((_, i) => i);
  for (let step = 0; ; step++) {
    if (logits.length !== active.length * V) throw new Error(`the decoder returned ${logits.length} logits for ${active.length} rows of vocabulary ${V}`);
    const keep: number[] = [];
    const tokens: number[] = [];
    active.forEach((r, i) => {
      const row = rows[r]!;
      const lg = logits.subarray(i * V, (i + 1) * V);
      const { token, logprob } = sampler.choose(lg, row.seen, rng);
      row.ids.push(token);
      row.logprobs.push(logprob);
      row.seen.add(token);
      if (stop.has(token)) row.finish = 'stop';
      else if (row.ids.length < o.maxNewTokens) {
        keep.push(i);
        tokens.push(token);
      }
    });
    opts.onStep?.({ step, activeRows: active.length });
    if (keep.length === 0) break;
    opts.signal?.throwIfAborted();
    active = keep.map((i) => active[i]!);
    ({ logits, cache } = await decoder.step(cache, tokens, keep));
  }
  return rows.map((r) => ({ promptIds: r.promptIds, ids: r.ids, logprobs: Float32Array.from(r.logprobs), finish: r.finish }));
}
