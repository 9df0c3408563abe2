// Measures candidate ume-tiny sizes before choosing one: masked-PLL latency of a 100-residue protein
// (what a hover costs), and the fused train-step time on real corpus batches.
//   nice -n 10 node --import tsx scripts/ume/measure-size.ts [--sizes 4x256x1024,1x256x16x8192] [--budget 4096]

import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { initParams } from '../../server/src/engine/models/params';
import { makeSchedule } from '../../server/src/engine/train/schedule';
import { adamw } from '../../server/src/engine/train/optimizers/adamw';
import { Trainer } from '../../server/src/engine/train/trainer';
import { umeConfig, umeParamCount } from '../../server/src/engine/ume/config';
import { UmeScorer } from '../../server/src/engine/ume/scorer';
import { batchRng, BERT_MASKING, makeBatch, planEpoch, readCorpus, tokenizeCorpus, tokenPools } from './mlm-data';
import { umeMlm } from './ume-mlm';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '4x256x1024,4x192x768,3x256x1024' }, budget: { type: 'string', default: '4096' }, steps: { type: 'string', default: '6' } } });

const PROTEIN_100 = 'MKTAYIAKQRQISFVKSHFSRQLEERLGLIEVQAPILSRVGDGTQDNLSGAEKAVQVKVKALPDAQFEVVHSLAKWKRQTLGQHDFSAGEGLYTHMKALRPDEDRLSP'.slice(0, 100);

async function main(): Promise<void> {
const rows = readCorpus('data/ume-corpus/train.jsonl').slice(0, 20000);
const examples = tokenizeCorpus(rows, 256);
const pools = tokenPools(examples);
const budget = Number(values.budget);
const plan = planEpoch(examples, budget, 1, 0);

const cpuMs = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

for (const s of values.sizes.split(',')) {
  // LxHxF (heads: one per 64 dims, at least 4) or LxHxHEADSxF as train-ume-tiny.ts --size takes.
  const parts = s.split('x').map(Number);
  const [L, H] = parts as [number, number];
  const F = parts[parts.length - 1]!;
  const heads = parts.length === 4 ? parts[2]! : H / 64 >= 2 ? H / 64 : 4;
  if (parts.length < 3 || parts.length > 4 || parts.some((x) => !Number.isInteger(x) || x <= 0) || H % heads !== 0) throw new Error(`--sizes: "${s}" is not LxHxF or LxHxHEADSxF with hidden divisible by heads`);
  const config = umeConfig({ name: `cand-${s}`, numLayers: L, hiddenSize: H, numHeads: heads, intermediateSize: F });
  const m = umeMlm(config);
  const params = initParams(m.specs, 0);
  // Inference: masked PLL of one 100-residue protein (100 masked copies, batched).
  const scorer = new UmeScorer({ config, params: params.clone(), report: { storedDtypes: ['F32'], renamed: 0, source: 'init', metadata: {} } }, { device: 'cpu' });
  let t0 = performance.now();
  await scorer.pll([{ text: PROTEIN_100, modality: 'amino_acid' }], { mode: 'masked' });
  const first = performance.now() - t0;
  const times: number[] = [];
  // CPU time too: the machine is shared, and CPU ms / threads is what an idle machine would take.
  let c0 = process.cpuUsage();
  for (let i = 0; i < 4; i++) {
    t0 = performance.now();
    await scorer.pll([{ text: PROTEIN_100, modality: 'amino_acid' }], { mode: 'masked' });
    times.push(performance.now() - t0);
  }
  const pllCpu = cpuMs(process.cpuUsage(c0)) / 4;
  await scorer.release();
  // Training: fused step on real batches.
  t0 = performance.now();
  const trainer = await Trainer.create(m.spec, m.loss, params, { optimizer: adamw({ weightDecay: 0.01 }), maxGradNorm: 1, schedule: makeSchedule({ kind: 'constant' }, 1e-3), decay: m.decay, runtime: { device: 'cpu' } });
  const compileMs = performance.now() - t0;
  const stepTimes: number[] = [];
  let tokens = 0;
  let stepCpu = 0;
  for (let i = 0; i < Number(values.steps); i++) {
    const b = makeBatch(examples, plan[i]!, pools, BERT_MASKING, batchRng(1, 0, i));
    tokens += b.tokens;
    t0 = performance.now();
    c0 = process.cpuUsage();
    await trainer.trainStep(b.feeds);
    if (i > 0) stepCpu += cpuMs(process.cpuUsage(c0));
    stepTimes.push(performance.now() - t0);
  }
  await trainer.release();
  console.log(
    JSON.stringify({
      size: s,
      heads,
      params: umeParamCount(config),
      pll100_first_ms: Math.round(first),
      pll100_median_ms: Math.round(median(times)),
      pll100_max_ms: Math.round(Math.max(...times)),
      pll100_cpu_ms: Math.round(pllCpu),
      train_compile_ms: Math.round(compileMs),
      step_median_ms: Math.round(median(stepTimes.slice(1))),
      step_cpu_ms: Math.round(stepCpu / (stepTimes.length - 1)),
      real_tokens_per_step: Math.round(tokens / stepTimes.length),
      token_budget: budget,
    }),
  );
}
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
