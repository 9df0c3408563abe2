// Scores tokenized sequences with a UME scorer, one modality per scorer call and at most
// `batchSize` sequences per call (lobster's reward batch), so every forward pass the scorer packs
// holds one modality. A call that throws does not cost the whole batch: its sequences are retried
// one by one, and only those that still fail get a 'scoring-error' with the scorer's message.
// Cancellation (AbortError) is never turned into a score: it propagates.

import { MODALITIES, type Modality } from '../seq/types';
import type { PllMode, PllOptions, PllResult } from '../ume/pll';
import type { Encoding } from '../ume/tokenizer';

/** What the reward needs of a scorer (UmeScorer satisfies it). */
export interface PllScorer {
  readonly name: string;
  readonly maxLength: number;
  pllEncoded(encodings: readonly Encoding[], options: PllOptions): Promise<PllResult[]>;
}

export interface ScoreOptions {
  mode: PllMode;
  /** Sequences per scorer call (default 8). */
  batchSize: number;
  /** sampled mode: positions per sequence and seed. */
  k?: number;
  seed?: number;
  signal?: AbortSignal;
}

export type SequenceScore =
  | { ok: true; pll: number; result: PllResult }
  | { ok: false; kind: 'scoring-error' | 'non-finite'; reason: string; result?: PllResult };

function isAbort(e: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (e instanceof Error && e.name === 'AbortError');
}

function judge(r: PllResult | undefined, scorer: PllScorer): SequenceScore {
  if (!r) return { ok: false, kind: 'scoring-error', reason: `UME scorer "${scorer.name}" returned no result for this sequence` };
  if (r.mean === null || !Number.isFinite(r.mean)) {
    return { ok: false, kind: 'non-finite', reason: `UME scorer "${scorer.name}" gave no finite PLL: ${r.reason ?? `mean log-prob ${String(r.mean)}`}`, result: r };
  }
  return { ok: true, pll: r.mean, result: r };
}

async function scoreChunk(scorer: PllScorer, encs: Encoding[], pllOptions: PllOptions): Promise<SequenceScore[]> {
  try {
    const res = await scorer.pllEncoded(encs, pllOptions);
    return encs.map((_, i) => judge(res[i], scorer));
  } catch (e) {
    if (isAbort(e, pllOptions.signal)) throw e;
    if (encs.length > 1) {
      const out: SequenceScore[] = [];
      for (const enc of encs) out.push(...(await scoreChunk(scorer, [enc], pllOptions)));
      return out;
    }
    const msg = e instanceof Error ? e.message : String(e);
    return [{ ok: false, kind: 'scoring-error', reason: `UME scorer "${scorer.name}" failed: ${msg}` }];
  }
}

export async function scoreEncodings(scorer: PllScorer, encodings: readonly Encoding[], o: ScoreOptions): Promise<SequenceScore[]> {
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${o.batchSize}`);
  const pllOptions: PllOptions = { mode: o.mode, ...(o.k !== undefined ? { k: o.k } : {}), ...(o.seed !== undefined ? { seed: o.seed } : {}), ...(o.signal ? { signal: o.signal } : {}) };
  const out: SequenceScore[] = new Array<SequenceScore>(encodings.length);
  const byModality = new Map<Modality, number[]>(MODALITIES.map((m) => [m, []]));
  encodings.forEach((e, i) => byModality.get(e.modality)!.push(i));
  for (const idx of byModality.values()) {
    for (let s = 0; s < idx.length; s += o.batchSize) {
      const chunk = idx.slice(s, s + o.batchSize);
      const scores = await scoreChunk(scorer, chunk.map((i) => encodings[i]!), pllOptions);
      chunk.forEach((i, j) => (out[i] = scores[j]!));
    }
  }
  return out;
}
