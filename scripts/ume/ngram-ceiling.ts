// What local statistics alone buy on ume-tiny's quality gate: a two-sided context-count model
// (p(token | h tokens left, h right), interpolated down to the unigram, counts from the training
// split) scores the gate's own sets (eval-quality.ts: held-out real vs shuffled, same seed, same
// tokenization) with the same masked-PLL mean. It memorises every (2h+1)-gram of the corpus, so it
// is a ceiling for what a model gets from local order plus near-copies in the training split, not
// a model we would ship (it is miscalibrated on unseen contexts, which flatters the shuffled side).
//
//   node --import tsx scripts/ume/ngram-ceiling.ts [--n 200] [--max-length 256] [--h 1,2,3] [--beta 5] [--modalities SMILES,amino_acid] [--no-header]

import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MODALITIES, type Modality } from '../../server/src/engine/seq/types';
import { encode } from '../../server/src/engine/ume/tokenizer';
import { readCorpus } from './mlm-data';
import { auroc, qualitySets } from './quality-sets';

const { values: args } = parseArgs({
  options: {
    corpus: { type: 'string', default: 'data/ume-corpus' },
    n: { type: 'string', default: '200' },
    'max-length': { type: 'string', default: '256' },
    h: { type: 'string', default: '1,2,3' },
    beta: { type: 'string', default: '5' },
    seed: { type: 'string', default: '7' },
    modalities: { type: 'string', default: MODALITIES.join(',') },
    'no-header': { type: 'boolean', default: false },
  },
});

const maxLength = Number(args['max-length']);
const orders = args.h.split(',').map(Number);
const beta = Number(args.beta);

const key = (ids: readonly number[], i: number, h: number): string => `${ids.slice(Math.max(0, i - h), i).join(',')}|${ids.slice(i + 1, i + 1 + h).join(',')}`;

class ContextCounts {
  private readonly joint = new Map<string, number>();
  private readonly total = new Map<string, number>();
  constructor(readonly maxH: number) {}

  add(ids: readonly number[]): void {
    for (let i = 1; i < ids.length - 1; i++) {
      for (let h = 0; h <= this.maxH; h++) {
        const k = `${h}:${key(ids, i, h)}`;
        this.total.set(k, (this.total.get(k) ?? 0) + 1);
        const j = `${k}>${ids[i]}`;
        this.joint.set(j, (this.joint.get(j) ?? 0) + 1);
      }
    }
  }

  /** Mean over inner tokens of log p(token | context), interpolated from h = 0 up to upTo (<= maxH). */
  meanLogProb(ids: readonly number[], vocab: number, upTo: number): number {
    let sum = 0;
    for (let i = 1; i < ids.length - 1; i++) {
      let p = 1 / vocab;
      for (let h = 0; h <= upTo; h++) {
        const k = `${h}:${key(ids, i, h)}`;
        const n = this.total.get(k);
        if (!n) break;
        const lam = n / (n + beta);
        p = (lam * (this.joint.get(`${k}>${ids[i]}`) ?? 0)) / n + (1 - lam) * p;
      }
      sum += Math.log(p);
    }
    return sum / Math.max(1, ids.length - 2);
  }
}

function main(): void {
  const train = readCorpus(join(args.corpus, 'train.jsonl'));
  const heldout = readCorpus(join(args.corpus, 'heldout.jsonl'));
  if (!args['no-header']) {
    console.log(`| modality | h (context each side) | AUROC real>shuffled | mean log p real | mean log p shuffled |`);
    console.log(`|---|---|---|---|---|`);
  }
  for (const modality of args.modalities.split(',') as Modality[]) {
    if (!MODALITIES.includes(modality)) throw new Error(`--modalities: unknown modality "${modality}"; use ${MODALITIES.join(', ')}`);
    const seqs = train.filter((r) => r.modality === modality).map((r) => encode(r.text, modality, { maxLength }).ids);
    const vocab = new Set(seqs.flat()).size;
    const sets = qualitySets(heldout, modality, Number(args.n), Number(args.seed), maxLength);
    // Counted once up to the largest h; each smaller h reads the same lower-order counts.
    const counts = new ContextCounts(Math.max(...orders));
    for (const ids of seqs) counts.add(ids);
    for (const h of orders) {
      const real = sets.real.map((e) => counts.meanLogProb(e.ids, vocab, h));
      const shuffled = sets.shuffled.map((e) => counts.meanLogProb(e.ids, vocab, h));
      const mean = (xs: number[]): string => (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(3);
      console.log(`| ${modality} | ${h} | ${auroc(real, shuffled).toFixed(3)} | ${mean(real)} | ${mean(shuffled)} |`);
    }
  }
}

main();
