// Token batches for the reference models, built in TypeScript: right padding to the longest
// sequence in the batch (never to a model maximum), HF-style attention masks and labels.

import type { TensorData } from '../onnx/ir';
import { IGNORE_INDEX } from './blocks';
import type { Rng } from '../train/rng';

// A type alias (not an interface) so a batch is directly usable as a feeds record.
export type TokenBatch = {
  input_ids: TensorData;
  attention_mask: TensorData;
  labels: TensorData;
};

function int64(shape: number[], values: number[]): TensorData {
  return { dtype: 'int64', shape, data: BigInt64Array.from(values, (v) => BigInt(v)) };
}

function padded(seqs: readonly (readonly number[])[], padId: number): { B: number; T: number; ids: number[]; mask: number[] } {
  if (seqs.length === 0) throw new Error('a batch needs at least one sequence');
  const B = seqs.length;
  const T = Math.max(...seqs.map((s) => s.length));
  if (T === 0) throw new Error('every sequence in the batch is empty; give at least one token');
  const ids = new Array<number>(B * T).fill(padId);
  const mask = new Array<number>(B * T).fill(0);
  seqs.forEach((s, b) => s.forEach((t, i) => ((ids[b * T + i] = t), (mask[b * T + i] = 1))));
  return { B, T, ids, mask };
}

/** Causal LM batch: labels[t] = ids[t + 1]; the last real token and padding carry no loss. */
export function causalLmBatch(seqs: readonly (readonly number[])[], padId: number): TokenBatch {
  const { B, T, ids, mask } = padded(seqs, padId);
  const labels = new Array<number>(B * T).fill(IGNORE_INDEX);
  seqs.forEach((s, b) => {
    for (let i = 0; i + 1 < s.length; i++) labels[b * T + i] = s[i + 1]!;
  });
  return { input_ids: int64([B, T], ids), attention_mask: int64([B, T], mask), labels: int64([B, T], labels) };
}

export interface MlmMasking {
  maskId: number;
  /** Fraction of maskable tokens to predict (UME: 0.25). */
  rate: number;
  /** Token ids never masked (CLS/EOS/PAD...). */
  special: ReadonlySet<number>;
  /** BERT 80/10/10 replacement: keep, random, mask. undefined = always `<mask>` (lobster's UME). */
  bert801010?: { vocabLow: number; vocabHigh: number };
}

/** MLM batch: at least one position per sequence is masked (when any is maskable). */
export function mlmBatch(seqs: readonly (readonly number[])[], padId: number, m: MlmMasking, rng: Rng): TokenBatch {
  const { B, T, ids, mask } = padded(seqs, padId);
  const labels = new Array<number>(B * T).fill(IGNORE_INDEX);
  seqs.forEach((s, b) => {
    const maskable = s.flatMap((t, i) => (m.special.has(t) ? [] : [i]));
    if (maskable.length === 0) return;
    let chosen = maskable.filter(() => rng.uniform() < m.rate);
    if (chosen.length === 0) chosen = [maskable[rng.int(maskable.length)]!];
    for (const i of chosen) {
      const k = b * T + i;
      labels[k] = s[i]!;
      const r = m.bert801010 ? rng.uniform() : 0;
      if (r < 0.8) ids[k] = m.maskId;
      else if (r < 0.9) ids[k] = m.bert801010!.vocabLow + rng.int(m.bert801010!.vocabHigh - m.bert801010!.vocabLow);
    }
  });
  return { input_ids: int64([B, T], ids), attention_mask: int64([B, T], mask), labels: int64([B, T], labels) };
}
