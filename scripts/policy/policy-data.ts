// policy-tiny's pretraining data: the public corpus ume-tiny was trained on (scripts/ume/build-corpus.ts),
// each sequence as `<cls_MODALITY> tokens <eos>` (UME's tokenizer, at most 256 tokens), batched by
// length under a token budget (scripts/ume/mlm-data.ts planEpoch: the order depends on (seed, epoch)
// only, so a resumed run sees the batches an uninterrupted one would).

import { join } from 'node:path';
import { causalLmBatch, type TokenBatch } from '../../server/src/engine/models/batches';
import { MODALITIES, type Modality } from '../../server/src/engine/seq/types';
import { Rng } from '../../server/src/engine/train/rng';
import { SPECIAL } from '../../server/src/engine/ume/tokenizer';
import { planEpoch, readCorpus, tokenizeCorpus, type CorpusRow, type Example } from '../ume/mlm-data';

export const CORPUS_DIR = 'data/ume-corpus';
export const MODEL_DIR = 'server/src/engine/policy/models/policy-tiny';

export interface PolicyCorpus {
  trainRows: CorpusRow[];
  heldRows: CorpusRow[];
  train: Example[];
  heldout: Example[];
}

export function loadCorpus(dir: string, maxLength: number): PolicyCorpus {
  const trainRows = readCorpus(join(dir, 'train.jsonl'));
  const heldRows = readCorpus(join(dir, 'heldout.jsonl'));
  return { trainRows, heldRows, train: tokenizeCorpus(trainRows, maxLength), heldout: tokenizeCorpus(heldRows, maxLength) };
}

/** Next-token batch (input_ids, labels) of the given examples; attention_mask is left out (right padding). */
export function lmBatch(examples: readonly Example[], indices: readonly number[]): { feeds: { input_ids: TokenBatch['input_ids']; labels: TokenBatch['labels'] }; tokens: number } {
  const b = causalLmBatch(
    indices.map((i) => examples[i]!.ids),
    SPECIAL.pad,
  );
  return { feeds: { input_ids: b.input_ids, labels: b.labels }, tokens: indices.reduce((n, i) => n + examples[i]!.ids.length, 0) };
}

/** Held-out batches per modality (fixed order), for the next-token loss of each. */
export function heldoutPlan(heldout: readonly Example[], budget: number, perModality: number): Record<Modality, { examples: Example[]; batches: number[][] }> {
  const out = {} as Record<Modality, { examples: Example[]; batches: number[][] }>;
  for (const m of MODALITIES) {
    const examples = heldout.filter((e) => e.modality === m).slice(0, perModality);
    out[m] = { examples, batches: planEpoch(examples, budget, 1, 0) };
  }
  return out;
}

export { planEpoch, type Example };

export type Mix = Record<Modality, number>;

/** "SMILES=0.6,amino_acid=0.2,nucleotide=0.2" -> weights (normalised); empty: undefined (natural mix). */
export function parseMix(text: string): Mix | undefined {
  if (!text) return undefined;
  const mix: Mix = { SMILES: 0, amino_acid: 0, nucleotide: 0 };
  for (const part of text.split(',')) {
    const [k, v] = part.split('=');
    if (!k || !(MODALITIES as readonly string[]).includes(k) || !(Number(v) >= 0)) throw new Error(`--mix "${text}": each part must be MODALITY=WEIGHT with MODALITY one of ${MODALITIES.join(', ')}, e.g. SMILES=0.6,amino_acid=0.2,nucleotide=0.2`);
    mix[k as Modality] = Number(v);
  }
  const total = MODALITIES.reduce((s, m) => s + mix[m], 0);
  if (!(total > 0)) throw new Error(`--mix "${text}": the weights sum to 0`);
  for (const m of MODALITIES) mix[m] /= total;
  return mix;
}

/**
 * An epoch of batches (as many as planEpoch gives for the whole set) whose modality is drawn by
 * `mix`: each modality's batches come from its own planEpoch, restarted (next round) when used up.
 * Depends on (seed, epoch) only, so a resumed run sees the same batches.
 */
export function mixedPlan(examples: readonly Example[], budget: number, seed: number, epoch: number, mix: Mix): number[][] {
  const indices = Object.fromEntries(MODALITIES.map((m) => [m, examples.flatMap((e, i) => (e.modality === m ? [i] : []))])) as Record<Modality, number[]>;
  const total = planEpoch(examples, budget, seed, epoch).length;
  const queues = Object.fromEntries(MODALITIES.map((m) => [m, { round: 0, at: 0, batches: [] as number[][] }])) as Record<Modality, { round: number; at: number; batches: number[][] }>;
  const next = (m: Modality): number[] => {
    const q = queues[m];
    if (q.at >= q.batches.length) {
      const sub = indices[m].map((i) => examples[i]!);
      q.batches = planEpoch(sub, budget, seed + 7919 * (MODALITIES.indexOf(m) + 1), epoch * 1000 + q.round++).map((b) => b.map((j) => indices[m][j]!));
      q.at = 0;
    }
    return q.batches[q.at++]!;
  };
  const rng = new Rng((seed * 2654435761 + epoch * 97) >>> 0);
  const out: number[][] = [];
  for (let k = 0; k < total; k++) {
    let u = rng.uniform();
    const m = MODALITIES.find((mod) => (u -= mix[mod]) < 0) ?? MODALITIES[MODALITIES.length - 1]!;
    out.push(next(m));
  }
  return out;
}
