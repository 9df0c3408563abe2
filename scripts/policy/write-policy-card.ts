// Writes policy-tiny's MODEL_CARD.md from measured outputs only: the training run's summary.json,
// eval-policy-tiny.ts's eval-figures.json, the corpus's sources.json and (optional) the last JSON
// line of `npm run bench -- policy-generate` saved to runs/policy-tiny/bench.json.
//
//   node --import tsx scripts/policy/write-policy-card.ts [--run runs/policy-tiny]

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { nodeFs, writeFileAtomic } from '../../server/src/engine/checkpoint/atomic';
import { MODALITIES, type Modality } from '../../server/src/engine/seq/types';
import { CORPUS_DIR, MODEL_DIR } from './policy-data';
import type { LengthStats } from './policy-metrics';

const { values: args } = parseArgs({ options: { run: { type: 'string', default: 'runs/policy-tiny' }, corpus: { type: 'string', default: CORPUS_DIR }, 'model-dir': { type: 'string', default: MODEL_DIR } } });

const read = <T>(path: string): T => {
  if (!existsSync(path)) throw new Error(`${path} is missing; run the step that writes it first (see the header of this script)`);
  return JSON.parse(readFileSync(path, 'utf8')) as T;
};

interface Kmer {
  distinct: number;
  total: number;
  ratio: number;
}
interface ModFigures {
  heldout: { sequences: number; excludedWithUnk: number; tokens: number; loss: number };
  generated: number;
  valid: number;
  validity: number;
  uniqueness: number;
  novelty: number;
  truncated: number;
  truncatedAt128: number;
  length: { generated: LengthStats; data: LengthStats };
  kmer3: { generated: Kmer; data: Kmer };
  kmer6: { generated: Kmer; data: Kmer };
  speed: { ms: number; tokens: number; tokensPerSecond: number };
  examples: string[];
}
interface Figures {
  model: { parameters: number };
  config: { nLayers: number; dModel: number; nHeads: number; dFF: number; maxLen: number; vocabSize: number };
  samplesPerModality: number;
  maxNewTokens: number;
  seed: number;
  threads: number;
  generate64x128Ms: number;
  modalities: Record<Modality, ModFigures>;
}
interface Summary {
  steps: number;
  plannedSteps: number;
  stopReason: string;
  tokensSeen: number;
  epochs: number;
  wallMinutes: number;
  tokenBudget: number;
  seed: number;
  corpus: { trainSequences: number; heldoutSequences: number; trainTokens: number; byModality: Record<Modality, { train: number; heldout: number }> };
  optimizer: { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; maxGradNorm: number; schedule: { warmupSteps: number; totalSteps: number; minLrRatio?: number } };
  heldoutEval: Record<Modality | 'all', { loss: number; tokens: number }>;
  initFrom?: { dir: string; training: { steps: number; tokensSeen: number; heldoutLoss?: number } | null };
  phases: Array<{ fromStep?: number; toStep: number; plannedSteps: number; lr: number; mix?: string | Record<Modality, number>; stopReason: string }>;
}

const mixText = (mix: string | Record<Modality, number> | undefined): string =>
  mix === undefined || typeof mix === 'string' ? 'the corpus mix' : MODALITIES.map((m) => `${NAME[m]} ${Math.round(100 * mix[m])}%`).join(', ') + ' of batches';

/** The release whose weights an --init-from phase started from (its logs are not in runs/ any more). */
const INIT_RELEASE = 'a1e7dc8';
const INIT_DIR = 'runs/policy-tiny-p1-weights';

function phaseCommand(ph: Summary['phases'][number], i: number, warmup: number, sum: Summary): string {
  if (sum.initFrom && i === 0) {
    const lr = ` --lr ${ph.lr}`;
    const mix = ph.mix && typeof ph.mix !== 'string' ? ` --mix ${MODALITIES.map((m) => `${m}=${(ph.mix as Record<Modality, number>)[m].toFixed(2).replace(/0+$/, '').replace(/\.$/, '')}`).join(',')}` : '';
    const from = `mkdir -p ${INIT_DIR} && for f in config.json model.safetensors; do git show ${INIT_RELEASE}:server/src/engine/policy/models/policy-tiny/$f > ${INIT_DIR}/$f; done`;
    return `${from}\nnice -n 5 node --import tsx scripts/policy/train-policy-tiny.ts --init-from ${INIT_DIR}${mix} --steps ${ph.plannedSteps} --warmup ${warmup}${lr} --eval-every 250 --save-every 250 --patience 0 > runs/policy-tiny/train.log`;
  }
  const mix = ph.mix && typeof ph.mix !== 'string' ? ` --mix ${MODALITIES.map((m) => `${m}=${(ph.mix as Record<Modality, number>)[m].toFixed(2).replace(/0+$/, '').replace(/\.$/, '')}`).join(',')}` : '';
  // One after the other (each phase resumes the previous one's last checkpoint).
  return `nice -n 5 node --import tsx scripts/policy/train-policy-tiny.ts${i > 0 ? ' --resume --new-phase' : ''}${mix} --steps ${ph.plannedSteps} --warmup ${warmup} > runs/policy-tiny/train${i ? `-phase${i + 1}` : ''}.log`;
}
interface Sources {
  seed: number;
  heldoutFraction: number;
  sources: Array<{ id: string; modality: Modality; path: string; debianPackage: string; licence: string; kept: number }>;
}

const NAME: Record<Modality, string> = { SMILES: 'SMILES', amino_acid: 'protein', nucleotide: 'DNA' };
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const f = (x: number, d = 1): string => x.toFixed(d);
const int = (x: number): string => Math.round(x).toLocaleString('en-US');
const lens = (s: LengthStats): string => `${f(s.mean)} ± ${f(s.sd)} | ${s.q05} / ${s.q25} / ${s.q50} / ${s.q75} / ${s.q95}`;

function card(fig: Figures, sum: Summary, src: Sources, bench: Record<string, unknown> | undefined, weightsBytes: number): string {
  const c = fig.config;
  const m = fig.modalities;
  const rows = (fn: (x: ModFigures, k: Modality) => string): string => MODALITIES.map((k) => `| ${NAME[k]} | ${fn(m[k], k)} |`).join('\n');
  const o = sum.optimizer;
  return `# policy-tiny — model card

The default policy of UME Studio's GRPO training: a small causal language model over UME's shared
1280-token vocabulary that writes one SMILES, protein or DNA sequence after a start token. It is
trained from scratch by UME Studio's own ONNX training engine on public data from Debian packages,
and it is what \`ume-studio train\` fine-tunes against UME rewards when no other policy is given.

This file is generated by \`scripts/policy/write-policy-card.ts\` from measured outputs
(\`runs/policy-tiny/summary.json\`, \`eval-figures.json\`${bench ? ', `bench.json`' : ''}).

## Architecture

GPT (\`server/src/engine/models/gpt.ts\`): token + learned position embeddings, pre-norm blocks (RMSNorm,
causal multi-head attention with a fused QKV projection, exact-GELU MLP, no biases), final RMSNorm, untied
LM head. Weights are \`[in, out]\`; names as \`gptParamSpecs\` gives them (\`embed.weight\`, \`layers.0.attn.Wqkv.weight\`, ...).

| layers | width | heads | FFN | vocab | parameters | positions | weights |
|---|---|---|---|---|---|---|---|
| ${c.nLayers} | ${c.dModel} | ${c.nHeads} | ${c.dFF} | ${c.vocabSize} | ${int(fig.model.parameters)} | ${c.maxLen} (prompt + completion) | F16 safetensors (${(weightsBytes / 1e6).toFixed(1)} MB) |

**Prompt and completion.** The prompt is \`<cls_smiles>\`, \`<cls_amino_acid>\` or \`<cls_nucleotide>\`, optionally
followed by prefix tokens; \`tokenizePrompt\` reads the modality from its argument, else from the last opening tag
in the prompt text (\`<smiles>\`, \`<protein>\`, \`<dna>\`, ...), else from a single keyword, and a prompt that ends
inside an open tag continues its content (\`engine/policy/tiny/vocab.ts\`). The completion is the sequence's
tokens then \`<eos>\`, returned as lobster's tagged text (\`<smiles>..</smiles>\`, \`<protein>..</protein>\`,
\`<dna>..</dna>\`, DNA upper case, prefix included). A completion cut at the token limit keeps its tag open, so the
reward sees the truncation.

**Restricted vocabulary.** Each row may generate only its modality's ids and \`<eos>\` (SMILES 1220 + 1,
protein 27 + 1, nucleotide 8 + 1). The sampler sets the other logits to -inf and the train-step graph adds -1e9
to them, so sampled, recomputed and trained log-probs are all over the same restricted distribution.

### Why this size

Speed first: the GRPO quick test must finish in under 10 minutes on 2 CPU cores, so one generation round
(~64 completions of <= 128 tokens) must take about a second, and every update runs forward + backward over
those tokens. Decode steps measured during shape selection (64 rows, 129 cache slots, 1 thread, random
weights, on the shared 2-core machine while other jobs ran, so noisy): 4x256x4x1024 (3.9M parameters) 10.7 ms,
3x256x4x1024 9.5 ms, 4x192x4x768 (2.3M) 6.7 ms, 4x128x4x512 4.7 ms. 4x192x4x768 keeps four layers (depth
matters for SMILES syntax) at about two thirds of the wider model's cost.

## Training data

The corpus ume-tiny was trained on, built by \`scripts/ume/build-corpus.ts\` (seed ${src.seed}); held-out split by a
hash of each sequence (${pct(src.heldoutFraction)}), never trained on. Each sequence is one example
\`<cls_MODALITY> tokens <eos>\` (at most ${c.maxLen} tokens: proteins and DNA are stored as windows of at most 254).

| source | modality | Debian package | licence | sequences |
|---|---|---|---|---|
${src.sources.map((s) => `| ${s.id} | ${NAME[s.modality]} | ${s.debianPackage} | ${s.licence} | ${int(s.kept)} |`).join('\n')}

Split used: ${int(sum.corpus.trainSequences)} training sequences (${int(sum.corpus.trainTokens)} tokens), ${int(sum.corpus.heldoutSequences)} held out.

## Training

\`scripts/policy/train-policy-tiny.ts\`: next-token cross-entropy over the full vocabulary, AdamW (lr ${o.lr}, betas
${o.beta1}/${o.beta2}, eps ${o.eps}, weight decay ${o.weightDecay} on matrices), gradient clipping ${o.maxGradNorm}, cosine schedule
with ${o.schedule.warmupSteps} warmup steps to ${o.schedule.minLrRatio ?? 0}x at step ${o.schedule.totalSteps}, length-bucketed batches of at most ${int(sum.tokenBudget)} tokens,
seed ${sum.seed}. ${int(sum.steps + (sum.initFrom?.training?.steps ?? 0))} steps, ${int(sum.tokensSeen + (sum.initFrom?.training?.tokensSeen ?? 0))} tokens in all${sum.initFrom ? `; the last phase took ${f(sum.wallMinutes)} minutes` : `, ${f(sum.wallMinutes)} minutes`} on the shared 2-core CPU (other jobs
running), in ${sum.phases.length + (sum.initFrom ? 1 : 0)} phase${sum.phases.length + (sum.initFrom ? 1 : 0) === 1 ? '' : 's'}:
${sum.initFrom ? `1. the weights released in ${INIT_RELEASE}: ${int(sum.initFrom.training?.steps ?? 0)} steps, ${int(sum.initFrom.training?.tokensSeen ?? 0)} tokens, the corpus mix, held-out loss ${f(sum.initFrom.training?.heldoutLoss ?? NaN, 3)} (its logs are not kept: runs/ is not committed)\n` : ''}${sum.phases.map((ph, i) => `${i + 1 + (sum.initFrom ? 1 : 0)}. ${sum.initFrom && i === 0 ? 'from those weights, a fresh AdamW and ' : ''}steps ${ph.fromStep ?? 0}-${ph.toStep} of a ${ph.plannedSteps}-step cosine at lr ${ph.lr}, ${mixText(ph.mix)} (${ph.stopReason})`).join('\n')}
${sum.initFrom ? '\nThe second phase weights SMILES batches up because the first left SMILES validity low (SMILES are ~12% of the corpus tokens,\nso the first phase saw less than one epoch of them). Step counts and the schedule above are the second phase\'s; the totals include both.\n' : ''}${sum.phases.length > 1 ? '\nThe later phase resumes weights and optimizer state and restarts the schedule where the longer cosine is at that step (a warm restart);\nit weights SMILES batches up because phase 1 left SMILES validity low (SMILES are ~12% of the corpus tokens).\n' : ''}

Held-out next-token loss at the end of training (nats per token, full vocabulary, as trained):
${MODALITIES.map((k) => `${NAME[k]} ${f(sum.heldoutEval[k].loss, 3)}`).join(', ')}; all ${f(sum.heldoutEval.all.loss, 3)}.

## Evaluation

\`scripts/policy/eval-policy-tiny.ts\` on the shipped F16 file: ${fig.samplesPerModality} samples per modality from the bare
start token, temperature 1, up to ${fig.maxNewTokens} new tokens, seed ${fig.seed}. Validity: RDKit parses the SMILES; proteins match
\`^[ACDEFGHIKLMNPQRSTVWY]+$\` and DNA \`^[ACGT]+$\` (lobster's alphabets), read from the tagged text as the reward reads it;
a completion that never emitted \`<eos>\` is not valid. Uniqueness = distinct valid / valid; novelty = distinct valid not
in the training split / distinct valid (SMILES compared as RDKit canonical SMILES).

| modality | held-out loss (restricted) | validity | uniqueness | novelty | no \`<eos>\` by ${fig.maxNewTokens} | no \`<eos>\` by 128 |
|---|---|---|---|---|---|---|
${rows((x) => `${f(x.heldout.loss, 3)} | ${pct(x.validity)} | ${pct(x.uniqueness)} | ${pct(x.novelty)} | ${pct(x.truncated)} | ${pct(x.truncatedAt128)}`)}

Held-out loss here is the policy's own (restricted) distribution, on every held-out sequence${m.SMILES.heldout.excludedWithUnk ? ` except ${m.SMILES.heldout.excludedWithUnk} SMILES holding \`<unk>\`, which it cannot generate` : ''}.
"No \`<eos>\` by 128" is the share of completions the GRPO quick test (max_completion_length 128) would see truncated.

Lengths (tokens, completed samples vs the training split: mean ± sd | 5th / 25th / 50th / 75th / 95th percentile):

| modality | generated | data |
|---|---|---|
${rows((x) => `${lens(x.length.generated)} | ${lens(x.length.data)}`)}

Token k-mer diversity (distinct / all k-mers over the valid samples, and over as many training sequences):

| modality | 3-mers generated | 3-mers data | 6-mers generated | 6-mers data |
|---|---|---|---|---|
${rows((x) => `${f(x.kmer3.generated.ratio, 3)} (${int(x.kmer3.generated.total)}) | ${f(x.kmer3.data.ratio, 3)} | ${f(x.kmer6.generated.ratio, 3)} | ${f(x.kmer6.data.ratio, 3)}`)}

DNA has only 64 distinct 3-mers, so its 3-mer ratio mostly measures how much was counted; the 6-mer column separates
real diversity from repeats.

Examples (first valid samples):

${MODALITIES.map((k) => m[k].examples.slice(0, 3).map((e) => `- \`${e.length > 120 ? e.slice(0, 117) + '...' : e}\``).join('\n')).join('\n')}

## Speed

Sampling through the KV cache (\`engine/policy/tiny/decoder.ts\`; ${fig.threads} threads, shared machine): ${MODALITIES.map((k) => `${NAME[k]} ${int(m[k].speed.tokensPerSecond)} tokens/s`).join(', ')}
in batches of 64 during the evaluation; 64 mixed-modality completions of up to 128 tokens: ${int(fig.generate64x128Ms)} ms (median of 3).
${bench ? `\`npm run bench -- policy-generate\` (${String(bench['rows'])} rows x ${String(bench['length'])} tokens, no stopping, ${String(bench['threads'])} threads): KV cache ${int(Number(bench['kv_tokens_per_s']))} tokens/s (${int(Number(bench['kv_ms']))} ms), recomputing the prefix ${int(Number(bench['recompute_tokens_per_s']))} tokens/s: ${String(bench['ratio'])}x.\n` : ''}
## Limitations

- A tiny model: a starting point for RL, not a generator of drug-like molecules or functional proteins. Its protein
  loss is close to what residue frequencies alone give.
- SMILES validity at temperature 1 is ${pct(m.SMILES.validity)}: most invalid samples are syntax errors (rings opened and never
  closed), not chemistry. Lower temperatures and policy-tiny's optional SMILES grammar (\`smiles_grammar\`,
  docs/training.md, with measured figures) raise it; the grammar removes syntax errors but not the open rings.
- Most training proteins are 254-residue windows, so generated proteins run long; at max_completion_length 128
  most are truncated (table above). GRPO with a length-aware reward, or a longer completion limit, addresses that.
- 0.8% of the training SMILES hold \`<unk>\` (characters outside UME's SMILES vocabulary); the restricted sampler
  never emits \`<unk>\`.

## Rebuild

\`\`\`sh
node --import tsx scripts/ume/build-corpus.ts
mkdir -p runs/policy-tiny
${sum.phases.map((ph, i) => phaseCommand(ph, i, o.schedule.warmupSteps, sum)).join('\n')}
nice -n 5 node --import tsx scripts/policy/eval-policy-tiny.ts
npm run -s bench -- policy-generate | tail -1 > runs/policy-tiny/bench.json
node --import tsx scripts/policy/write-policy-card.ts
\`\`\`
`;
}

async function main(): Promise<void> {
  const fig = read<Figures>(join(args.run, 'eval-figures.json'));
  const sum = read<Summary>(join(args.run, 'summary.json'));
  const src = read<Sources>(join(args.corpus, 'sources.json'));
  const benchPath = join(args.run, 'bench.json');
  const bench = existsSync(benchPath) ? (JSON.parse(readFileSync(benchPath, 'utf8')) as Record<string, unknown>) : undefined;
  const weights = join(args['model-dir'], 'model.safetensors');
  const text = card(fig, sum, src, bench, statSync(weights).size);
  const out = join(args['model-dir'], 'MODEL_CARD.md');
  await writeFileAtomic(nodeFs, out, [Buffer.from(text)]);
  console.log(`wrote ${out}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
