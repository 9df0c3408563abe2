// Measures the figures of policy-tiny's model card on the shipped folder (or --model-dir):
// held-out next-token loss (the policy's restricted distribution, through Policy.logprobs), and for
// --n samples per modality (prompt = <cls_MODALITY>, temperature 1, up to the model's length):
// validity (RDKit for SMILES; lobster's alphabets ^[ACDEFGHIKLMNPQRSTVWY]+$ and ^[ACGT]+$ for
// protein and DNA, on what the reward extracts from the tagged text), uniqueness, novelty against
// the training set, length distribution against the data, token 3-mer diversity (also of as many
// training sequences), the share cut at the GRPO quick test's 128 tokens, and generation speed.
//
//   nice -n 5 node --import tsx scripts/policy/eval-policy-tiny.ts      # -> runs/policy-tiny/eval-figures.json
//   node --import tsx scripts/policy/write-policy-card.ts               # -> MODEL_CARD.md from the figures

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { PolicyTiny, CLS_ID } from '../../server/src/engine/policy/tiny';
import type { SampledCompletion } from '../../server/src/engine/policy/types';
import { extractTagged } from '../../server/src/engine/reward/extract';
import { loadRDKit } from '../../server/src/engine/seq/rdkit';
import { MODALITIES, type Modality } from '../../server/src/engine/seq/types';
import { Rng } from '../../server/src/engine/train/rng';
import { FIRST_REGULAR_ID, SPECIAL } from '../../server/src/engine/ume/tokenizer';
import { CORPUS_DIR, loadCorpus, MODEL_DIR, type Example } from './policy-data';
import { kmerDiversity, lengthStats, setFigures } from './policy-metrics';

const { values: args } = parseArgs({
  options: {
    'model-dir': { type: 'string', default: MODEL_DIR },
    corpus: { type: 'string', default: CORPUS_DIR },
    n: { type: 'string', default: '1000' },
    'quick-n': { type: 'string', default: '256' },
    batch: { type: 'string', default: '64' },
    seed: { type: 'string', default: '7' },
    threads: { type: 'string', default: '2' },
    out: { type: 'string', default: 'runs/policy-tiny/eval-figures.json' },
  },
});
const n = Number(args.n);
const quickN = Number(args['quick-n']);
const batch = Number(args.batch);

const ALPHABET: Record<Exclude<Modality, 'SMILES'>, RegExp> = { amino_acid: /^[ACDEFGHIKLMNPQRSTVWY]+$/, nucleotide: /^[ACGT]+$/ };

async function sampleMany(policy: PolicyTiny, m: Modality, count: number, maxNewTokens: number, rng: Rng): Promise<{ samples: SampledCompletion[]; ms: number; tokens: number }> {
  const samples: SampledCompletion[] = [];
  const t0 = performance.now();
  for (let s = 0; s < count; s += batch) {
    const rows = Array.from({ length: Math.min(batch, count - s) }, () => [CLS_ID[m]]);
    samples.push(...(await policy.sample(rows, { maxNewTokens }, rng)));
  }
  return { samples, ms: performance.now() - t0, tokens: samples.reduce((a, x) => a + x.ids.length, 0) };
}

async function main(): Promise<void> {
  const rdkit = await loadRDKit();
  const policy = await PolicyTiny.load(args['model-dir'], { threads: Number(args.threads) });
  const maxNew = policy.config.maxLen - 1;
  const corpus = loadCorpus(args.corpus, policy.config.maxLen);
  const byMod = (xs: readonly Example[], m: Modality) => xs.filter((e) => e.modality === m);
  const key = (m: Modality, text: string): string | null => {
    if (m === 'SMILES') {
      const v = rdkit.validate(text, { canonical: true });
      return v.ok ? (v.canonical ?? text) : null;
    }
    return ALPHABET[m].test(text) ? text : null;
  };
  const figures: Record<string, unknown> = { model: policy.info, config: policy.config, samplesPerModality: n, maxNewTokens: maxNew, temperature: 1, seed: Number(args.seed), modalities: {} };
  const rng = new Rng(Number(args.seed));
  for (const m of MODALITIES) {
    console.log(`${m}: held-out loss...`);
    // A held-out sequence holding <unk> (13 SMILES of the corpus) has probability 0 under the
    // restricted distribution: it is left out and counted.
    const allHeld = byMod(corpus.heldout, m);
    const held = allHeld.filter((e) => e.ids.slice(1, -1).every((id) => id >= FIRST_REGULAR_ID));
    const t0 = performance.now();
    const lps = await policy.logprobs(held.map((e) => ({ promptIds: [e.ids[0]!], completionIds: e.ids.slice(1) })), 1);
    let nll = 0;
    let tokens = 0;
    for (const r of lps) {
      for (const v of r.logps) nll -= v;
      tokens += r.logps.length;
    }
    const heldout = { sequences: held.length, excludedWithUnk: allHeld.length - held.length, tokens, loss: nll / tokens, ms: Math.round(performance.now() - t0) };

    console.log(`${m}: sampling ${n}...`);
    const gen = await sampleMany(policy, m, n, maxNew, rng);
    const texts = gen.samples.map((s) => {
      const spans = extractTagged(s.text).spans;
      return s.finish === 'stop' && spans.length === 1 ? spans[0]!.content : null;
    });
    const keys = texts.map((t) => (t === null || t === '' ? null : key(m, t)));
    const trainKeys = new Set<string>();
    for (const row of corpus.trainRows) {
      if (row.modality !== m) continue;
      const k = m === 'nucleotide' ? row.text.toUpperCase() : m === 'SMILES' ? key(m, row.text) : row.text;
      if (k) trainKeys.add(k);
    }
    const validIds = gen.samples.filter((_, i) => keys[i] !== null).map((s) => s.ids.slice(0, -1));
    const train = byMod(corpus.train, m);
    // Diversity depends on how much text is counted: the data's is taken over as many sequences.
    const dataSample = new Rng(1).shuffle([...train]).slice(0, validIds.length).map((e) => e.ids.slice(1, -1));
    const quick = await sampleMany(policy, m, quickN, 128, rng);
    const invalidExamples = gen.samples.filter((_, i) => keys[i] === null && gen.samples[i]!.finish === 'stop').slice(0, 5).map((s) => s.text);
    (figures['modalities'] as Record<string, unknown>)[m] = {
      heldout,
      ...setFigures(keys, trainKeys),
      truncated: gen.samples.filter((s) => s.finish === 'length').length / gen.samples.length,
      truncatedAt128: quick.samples.filter((s) => s.finish === 'length').length / quick.samples.length,
      length: { generated: lengthStats(gen.samples.filter((s) => s.finish === 'stop').map((s) => s.ids.length - 1)), data: lengthStats(train.map((e) => e.ids.length - 2)) },
      // 3-mers as asked; DNA has only 64 of them, so 6-mers (4096) say more there.
      kmer3: { generated: kmerDiversity(validIds, 3), data: kmerDiversity(dataSample, 3) },
      kmer6: { generated: kmerDiversity(validIds, 6), data: kmerDiversity(dataSample, 6) },
      speed: { ms: Math.round(gen.ms), tokens: gen.tokens, tokensPerSecond: Math.round((gen.tokens / gen.ms) * 1000) },
      examples: gen.samples.filter((_, i) => keys[i] !== null).slice(0, 5).map((s) => s.text),
      invalidExamples,
    };
    console.log(JSON.stringify((figures['modalities'] as Record<string, unknown>)[m]));
  }
  // The GRPO quick test's shape: 64 completions of <= 128 tokens, mixed modalities.
  const mixed = Array.from({ length: 64 }, (_, i) => [[SPECIAL.cls_smiles], [SPECIAL.cls_amino_acid], [SPECIAL.cls_nucleotide]][i % 3]!);
  const times: number[] = [];
  for (let r = 0; r < 4; r++) {
    const t0 = performance.now();
    await policy.sample(mixed, { maxNewTokens: 128 }, rng);
    if (r > 0) times.push(performance.now() - t0);
  }
  figures['generate64x128Ms'] = Math.round(times.sort((a, b) => a - b)[1]!);
  figures['threads'] = Number(args.threads);
  await policy.release();
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, JSON.stringify(figures, null, 2) + '\n');
  console.log(`wrote ${args.out}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
