// policy-tiny's pretraining data: the public corpus ume-tiny was trained on (scripts/ume/build-corpus.ts),
// each sequence as `<cls_MODALITY> tokens <eos>` (UME's tokenizer, at most 256 tokens), batched by
// length under a token budget (scripts/ume/mlm-data.ts planEpoch: the order depends on (seed, epoch)
// only, so a resumed run sees the batches an uninterrupted one would).

import { join } from 'node:path';
import { causalLmBatch, type TokenBatch } from '../../server/src/engine/models/batches';
import { MODALITIES, type Modality } from '../../server/src/engine/seq/types';
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
