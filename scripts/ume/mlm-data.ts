// Data for ume-tiny's MLM pretraining: the corpus JSONL tokenized with UME's tokenizer, batches
// bucketed by length and bounded by a token budget (dynamic padding), and BERT-style masking.
//
// Reproducibility without saving RNG streams: an epoch's batch order depends on (seed, epoch) only,
// and a batch's masking on (seed, epoch, batch index) only, so a run resumed at (epoch, index)
// sees exactly the batches and masks the uninterrupted run would have seen.

import { readFileSync } from 'node:fs';
import type { TensorData } from '../../server/src/engine/onnx/ir';
import type { Modality } from '../../server/src/engine/seq/types';
import { Rng } from '../../server/src/engine/train/rng';
import { encode, isSpecial, SPECIAL } from '../../server/src/engine/ume/tokenizer';

export interface CorpusRow {
  modality: Modality;
  text: string;
  source: string;
}

export interface Example {
  modality: Modality;
  ids: number[];
}

export function readCorpus(path: string): CorpusRow[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${path} (${(e as Error).message}); build the corpus first: node --import tsx scripts/ume/build-corpus.ts`, { cause: e });
  }
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      try {
        return JSON.parse(l) as CorpusRow;
      } catch (e) {
        throw new Error(`${path}:${i + 1} is not JSON (${(e as Error).message}); rebuild the corpus`, { cause: e });
      }
    });
}

export function tokenizeCorpus(rows: readonly CorpusRow[], maxLength: number): Example[] {
  return rows.map((r) => ({ modality: r.modality, ids: encode(r.text, r.modality, { maxLength }).ids }));
}

/** Distinct regular token ids seen per modality: the pool for the "random token" 10%. */
export function tokenPools(examples: readonly Example[]): Record<Modality, number[]> {
  const sets: Record<Modality, Set<number>> = { SMILES: new Set(), amino_acid: new Set(), nucleotide: new Set() };
  for (const e of examples) for (const id of e.ids) if (!isSpecial(id)) sets[e.modality].add(id);
  return { SMILES: [...sets.SMILES].sort((a, b) => a - b), amino_acid: [...sets.amino_acid].sort((a, b) => a - b), nucleotide: [...sets.nucleotide].sort((a, b) => a - b) };
}

/**
 * Groups example indices into batches of at most `tokenBudget` padded tokens: examples are shuffled,
 * cut into chunks of `bucketSize`, sorted by length inside a chunk (so batches have similar
 * lengths, little padding), packed, and the batch order is shuffled again.
 */
export function planEpoch(examples: readonly Example[], tokenBudget: number, seed: number, epoch: number, bucketSize = 4096): number[][] {
  const rng = new Rng((seed * 1000003 + epoch * 7919) >>> 0);
  const order = rng.shuffle(examples.map((_, i) => i));
  const batches: number[][] = [];
  for (let s = 0; s < order.length; s += bucketSize) {
    const chunk = order.slice(s, s + bucketSize).sort((a, b) => examples[a]!.ids.length - examples[b]!.ids.length);
    let cur: number[] = [];
    let T = 0;
    for (const i of chunk) {
      const len = Math.max(T, examples[i]!.ids.length);
      if (cur.length > 0 && (cur.length + 1) * len > tokenBudget) {
        batches.push(cur);
        cur = [];
      }
      if (cur.length === 0) T = 0;
      cur.push(i);
      T = Math.max(T, examples[i]!.ids.length);
    }
    if (cur.length) batches.push(cur);
  }
  return rng.shuffle(batches);
}

export interface Masking {
  /** Fraction of non-special tokens selected for prediction. */
  rate: number;
  /** Of the selected: replaced by <mask>, by a random token of the same modality; the rest stay. */
  maskFraction: number;
  randomFraction: number;
}

export const BERT_MASKING: Masking = { rate: 0.2, maskFraction: 0.8, randomFraction: 0.1 };

export interface MlmBatch {
  feeds: Record<string, TensorData>;
  /** Modality of each selected position (same order as `positions`). */
  modalities: Modality[];
  tokens: number;
  padded: number;
}

/** Builds one batch: right padding to its longest example, masking drawn from `rng`. */
export function makeBatch(examples: readonly Example[], indices: readonly number[], pools: Record<Modality, number[]>, m: Masking, rng: Rng): MlmBatch {
  const B = indices.length;
  const T = Math.max(...indices.map((i) => examples[i]!.ids.length));
  const ids = new BigInt64Array(B * T).fill(BigInt(SPECIAL.pad));
  const mask = new BigInt64Array(B * T);
  const positions: number[] = [];
  const targets: number[] = [];
  const modalities: Modality[] = [];
  let tokens = 0;
  indices.forEach((ex, b) => {
    const e = examples[ex]!;
    tokens += e.ids.length;
    const maskable: number[] = [];
    e.ids.forEach((id, t) => {
      ids[b * T + t] = BigInt(id);
      mask[b * T + t] = 1n;
      if (!isSpecial(id) || id === SPECIAL.unk) maskable.push(t);
    });
    if (maskable.length === 0) return;
    let chosen = maskable.filter(() => rng.uniform() < m.rate);
    if (chosen.length === 0) chosen = [maskable[rng.int(maskable.length)]!];
    const pool = pools[e.modality];
    for (const t of chosen) {
      const k = b * T + t;
      positions.push(k);
      targets.push(e.ids[t]!);
      modalities.push(e.modality);
      const r = rng.uniform();
      if (r < m.maskFraction) ids[k] = BigInt(SPECIAL.mask);
      else if (r < m.maskFraction + m.randomFraction && pool.length > 0) ids[k] = BigInt(pool[rng.int(pool.length)]!);
    }
  });
  const int64 = (shape: number[], data: BigInt64Array): TensorData => ({ dtype: 'int64', shape, data });
  return {
    feeds: {
      input_ids: int64([B, T], ids),
      attention_mask: int64([B, T], mask),
      positions: int64([positions.length], BigInt64Array.from(positions, BigInt)),
      targets: int64([targets.length], BigInt64Array.from(targets, BigInt)),
    },
    modalities,
    tokens,
    padded: B * T,
  };
}

/** The masking RNG of batch `index` in `epoch`. */
export function batchRng(seed: number, epoch: number, index: number): Rng {
  return new Rng((seed ^ Math.imul(epoch + 1, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
}
