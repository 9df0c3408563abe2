// Pretrains ume-tiny (our embedded default UME-architecture model) with MLM on the public corpus,
// using our own training engine: one fused ONNX step graph (loss, gradients, clipping, AdamW).
//
//   node --import tsx scripts/ume/build-corpus.ts
//   nice -n 10 node --import tsx scripts/ume/train-ume-tiny.ts [--steps 2200] [--resume] [--max-minutes M] [--stop-at N] [--no-export]
//
// Reproducible: weights from a fixed seed, batch order from (seed, epoch), masks from (seed, epoch,
// batch index) — a run resumed from a checkpoint sees the same batches as an uninterrupted one.
// Logs (train.jsonl, eval.jsonl, summary.json) and checkpoints go to runs/ume-tiny/ (git-ignored);
// the final weights go to server/src/engine/ume/models/ume-tiny/ with their config.json.

import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { checkpointDir, latestCheckpoint, pruneCheckpoints } from '../../server/src/engine/checkpoint/checkpoint';
import { initParams } from '../../server/src/engine/models/params';
import type { TensorData } from '../../server/src/engine/onnx/ir';
import { compile } from '../../server/src/engine/onnx/runtime';
import { MODALITIES } from '../../server/src/engine/seq/types';
import { buildInferenceGraph } from '../../server/src/engine/train/compile-step';
import { adamw } from '../../server/src/engine/train/optimizers/adamw';
import { makeSchedule } from '../../server/src/engine/train/schedule';
import { Trainer } from '../../server/src/engine/train/trainer';
import { umeParamCount } from '../../server/src/engine/ume/config';
import { batchRng, BERT_MASKING, makeBatch, planEpoch, readCorpus, tokenizeCorpus, tokenPools, type Example, type MlmBatch } from './mlm-data';
import { evalOutputs, MLM_BATCH, umeMlm } from './ume-mlm';
import { MAX_LENGTH, umeTinySized } from './ume-tiny-config';
import { exportWeights, parseStorage } from './export-weights';
import { previousPhases, type TrainingPhase } from './training-phases';
import { applyOffsetInit } from './offset-init';
import { warmStart } from './warm-start';


const { values: args } = parseArgs({
  options: {
    corpus: { type: 'string', default: 'data/ume-corpus' },
    out: { type: 'string', default: 'runs/ume-tiny' },
    steps: { type: 'string', default: '2200' },
    'token-budget': { type: 'string', default: '4096' },
    lr: { type: 'string', default: '2e-3' },
    warmup: { type: 'string', default: '150' },
    seed: { type: 'string', default: '42' },
    'eval-every': { type: 'string', default: '200' },
    'eval-per-modality': { type: 'string', default: '300' },
    'save-every': { type: 'string', default: '200' },
    'max-minutes': { type: 'string', default: '0' },
    // Stop after this step while keeping --steps' schedule (0: run to --steps); with --resume it
    // replays a run that was stopped early, e.g. by --max-minutes, at the same step.
    'stop-at': { type: 'string', default: '0' },
    resume: { type: 'boolean', default: false },
    'no-export': { type: 'boolean', default: false },
    // How the exported model.safetensors stores weights (F32 or F16).
    storage: { type: 'string', default: 'F32' },
    threads: { type: 'string', default: '2' },
    // Train on some modalities only (e.g. amino_acid), for experiments on one modality's learning;
    // the held-out evaluation still covers every modality.
    modalities: { type: 'string', default: MODALITIES.join(',') },
    // Another shape than ume-tiny's (LAYERSxHIDDENxHEADSxFFN), for size experiments; a resumed run
    // must use the shape it started with.
    size: { type: 'string', default: '' },
    // Start layer 0's heads on fixed neighbour offsets (offset-init.ts) instead of random.
    'offset-init': { type: 'boolean', default: false },
    // Start from a UME weights file (e.g. the shipped model.safetensors) instead of a random init:
    // a warm start with a fresh optimizer, for continued pretraining on a changed corpus.
    'init-weights': { type: 'string', default: '' },
  },
});
const UME_TINY = umeTinySized(args.size);
const storage = parseStorage(args.storage);

const int = (name: string, v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got "${v}"`);
  return n;
};

const steps = int('steps', args.steps);
const budget = int('token-budget', args['token-budget']);
const seed = int('seed', args.seed);
const evalEvery = int('eval-every', args['eval-every']);
const saveEvery = int('save-every', args['save-every']);
const maxMs = int('max-minutes', args['max-minutes']) * 60_000;
const stopAt = int('stop-at', args['stop-at']) || steps;
const out = args.out;
const ckRoot = join(out, 'checkpoints');

function log(file: string, row: unknown): void {
  appendFileSync(join(out, file), JSON.stringify(row) + '\n');
}

/** A fixed held-out evaluation set: n sequences per modality, masks drawn once from the seed. */
function evalBatches(heldout: readonly Example[], pools: ReturnType<typeof tokenPools>, perModality: number): MlmBatch[] {
  const picked: number[] = [];
  for (const m of MODALITIES) picked.push(...heldout.flatMap((e, i) => (e.modality === m ? [i] : [])).slice(0, perModality));
  const plan = planEpoch(
    picked.map((i) => heldout[i]!),
    budget,
    seed + 1,
    0,
  );
  const sub = picked.map((i) => heldout[i]!);
  return plan.map((b, k) => makeBatch(sub, b, pools, BERT_MASKING, batchRng(seed + 1, 0, k)));
}

type Evaluator = (params: Iterable<[string, TensorData]>) => Promise<Record<string, { loss: number; accuracy: number; n: number }>>;

async function makeEvaluator(batches: MlmBatch[], threads: number): Promise<Evaluator> {
  const m = umeMlm(UME_TINY);
  const model = await compile(buildInferenceGraph(m.spec.params, MLM_BATCH, evalOutputs(m.bert), { name: 'ume-tiny-eval' }), { device: 'cpu', threads });
  return async (params) => {
    const feeds = Object.fromEntries(params);
    const acc: Record<string, { nll: number; correct: number; n: number }> = {};
    for (const b of batches) {
      const r = await model.run({ ...feeds, ...b.feeds });
      const logp = r['logp']!.data as Float32Array;
      const correct = r['correct']!.data as Float32Array;
      b.modalities.forEach((mod, j) => {
        for (const key of [mod, 'all']) {
          const a = (acc[key] ??= { nll: 0, correct: 0, n: 0 });
          a.nll -= logp[j]!;
          a.correct += correct[j]!;
          a.n++;
        }
      });
    }
    return Object.fromEntries(Object.entries(acc).map(([k, a]) => [k, { loss: a.nll / a.n, accuracy: a.correct / a.n, n: a.n }]));
  };
}

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  const t0 = performance.now();
  const trainRows = readCorpus(join(args.corpus, 'train.jsonl'));
  const heldRows = readCorpus(join(args.corpus, 'heldout.jsonl'));
  const only = args.modalities.split(',');
  for (const m of only) if (!(MODALITIES as readonly string[]).includes(m)) throw new Error(`--modalities: unknown modality "${m}"; use ${MODALITIES.join(', ')}`);
  const allTrain = tokenizeCorpus(trainRows, MAX_LENGTH);
  const train = allTrain.filter((e) => only.includes(e.modality));
  const heldout = tokenizeCorpus(heldRows, MAX_LENGTH);
  const pools = tokenPools(allTrain); // every modality: the held-out evaluation masks them all
  const corpusTokens = train.reduce((s, e) => s + e.ids.length, 0);
  console.log(`corpus: ${train.length} train / ${heldout.length} held-out sequences, ${corpusTokens} train tokens (tokenized in ${Math.round(performance.now() - t0)} ms)`);

  const m = umeMlm(UME_TINY);
  const params = initParams(m.specs, seed);
  if (args['offset-init']) applyOffsetInit(params, UME_TINY);
  if (args['init-weights']) console.log(await warmStart(params, args['init-weights']));
  const schedule = makeSchedule({ kind: 'cosine', warmupSteps: int('warmup', args.warmup), totalSteps: steps, minLrRatio: 0.1 }, Number(args.lr));
  const threads = int('threads', args.threads);
  const trainer = await Trainer.create(m.spec, m.loss, params, {
    optimizer: adamw({ beta1: 0.9, beta2: 0.98, eps: 1e-6, weightDecay: 0.01 }),
    maxGradNorm: 1.0,
    schedule,
    decay: m.decay,
    runtime: { device: 'cpu', threads },
  });
  const evaluate = await makeEvaluator(evalBatches(heldout, pools, int('eval-per-modality', args['eval-per-modality'])), threads);

  let epoch = 0;
  let index = 0;
  let earlierPhases: TrainingPhase[] = [];
  let fromStep = 0;
  let tokensSeen = 0;
  let wallMs = 0;
  if (args.resume) {
    const dir = await latestCheckpoint(ckRoot);
    if (!dir) throw new Error(`--resume: no complete checkpoint under ${ckRoot}; start without --resume`);
    const { manifest, warnings } = await trainer.load(dir);
    const d = manifest.data as { epoch: number; index: number; tokensSeen: number; wallMs: number };
    ({ epoch, index, tokensSeen, wallMs } = d);
    for (const w of warnings) console.warn(`warning: ${w}`);
    console.log(`resumed from ${dir} at step ${trainer.step} (epoch ${epoch}, batch ${index})`);
    earlierPhases = previousPhases(join(out, 'summary.json'), trainer.step);
    fromStep = trainer.step;
  } else {
    writeFileSync(join(out, 'train.jsonl'), '');
    writeFileSync(join(out, 'eval.jsonl'), '');
  }
  console.log(`ume-tiny: ${umeParamCount(UME_TINY)} parameters, ${steps} steps, token budget ${budget}, lr ${args.lr}`);

  let plan = planEpoch(train, budget, seed, epoch);
  const started = performance.now() - wallMs;
  const save = async (): Promise<void> => {
    await trainer.save(checkpointDir(ckRoot, trainer.step), { config: { ume: UME_TINY, args }, data: { epoch, index, tokensSeen, wallMs: performance.now() - started } });
    await pruneCheckpoints(ckRoot, 2);
  };
  let lastEval: Record<string, { loss: number; accuracy: number; n: number }> = {};
  const runEval = async (): Promise<void> => {
    const e0 = performance.now();
    lastEval = await evaluate(trainer.params.entries());
    const row = { step: trainer.step, tokensSeen, ms: Math.round(performance.now() - e0), ...lastEval };
    log('eval.jsonl', row);
    console.log(`eval @${trainer.step}: ` + Object.entries(lastEval).map(([k, v]) => `${k} loss ${v.loss.toFixed(3)} acc ${(v.accuracy * 100).toFixed(1)}%`).join(' | '));
  };
  let window = { loss: 0, acc: 0, n: 0, ms: 0 };
  let stoppedEarly = false;
  while (trainer.step < Math.min(steps, stopAt)) {
    if (maxMs > 0 && performance.now() - started > maxMs) {
      stoppedEarly = true;
      console.log(`stopping at step ${trainer.step}: --max-minutes reached`);
      break;
    }
    if (index >= plan.length) {
      epoch++;
      index = 0;
      plan = planEpoch(train, budget, seed, epoch);
    }
    const batch = makeBatch(train, plan[index]!, pools, BERT_MASKING, batchRng(seed, epoch, index));
    index++;
    const s0 = performance.now();
    const r = await trainer.trainStep(batch.feeds);
    const ms = performance.now() - s0;
    tokensSeen += batch.tokens;
    if (r.skipped) console.warn(`step ${trainer.step + 1}: non-finite loss or gradient, update skipped`);
    window = { loss: window.loss + r.loss, acc: window.acc + (r.metrics['accuracy'] ?? 0), n: window.n + 1, ms: window.ms + ms };
    log('train.jsonl', { step: r.step, loss: r.loss, accuracy: r.metrics['accuracy'], gradNorm: r.gradNorm, lr: r.lr, skipped: r.skipped, tokens: batch.tokens, padded: batch.padded, selected: batch.modalities.length, ms: Math.round(ms), epoch });
    if (r.step % 50 === 0 && window.n > 0) {
      const elapsed = (performance.now() - started) / 60_000;
      console.log(`step ${r.step}/${steps} loss ${(window.loss / window.n).toFixed(3)} acc ${((window.acc / window.n) * 100).toFixed(1)}% lr ${r.lr.toExponential(2)} ${Math.round(window.ms / window.n)} ms/step, ${elapsed.toFixed(1)} min, epoch ${epoch}`);
      window = { loss: 0, acc: 0, n: 0, ms: 0 };
    }
    if (evalEvery > 0 && r.step % evalEvery === 0) await runEval();
    if (saveEvery > 0 && r.step % saveEvery === 0) await save();
  }
  await save();
  if (lastEval['all'] === undefined || (evalEvery > 0 && trainer.step % evalEvery !== 0)) await runEval();
  wallMs = performance.now() - started;
  const endedEarly = trainer.step < steps;
  const summary = {
    model: UME_TINY,
    params: umeParamCount(UME_TINY),
    steps: trainer.step,
    plannedSteps: steps,
    stoppedEarly: stoppedEarly || endedEarly,
    skippedSteps: trainer.skippedSteps,
    tokensSeen,
    epochs: epoch + index / plan.length,
    wallMinutes: wallMs / 60_000,
    corpus: { trainSequences: train.length, heldoutSequences: heldout.length, trainTokens: corpusTokens, byModality: Object.fromEntries(MODALITIES.map((mo) => [mo, { train: train.filter((e) => e.modality === mo).length, heldout: heldout.filter((e) => e.modality === mo).length }])) },
    optimizer: { name: 'adamw', lr: Number(args.lr), betas: [0.9, 0.98], eps: 1e-6, weightDecay: 0.01, schedule: schedule.config, maxGradNorm: 1.0 },
    masking: BERT_MASKING,
    tokenBudget: budget,
    seed,
    // A warm start's weights file (--init-weights): the run did not start from the seed's init.
    ...(args['init-weights'] ? { initWeights: args['init-weights'] } : {}),
    heldoutEval: lastEval,
    phases: [...earlierPhases, { fromStep, toStep: trainer.step, plannedSteps: steps, lr: Number(args.lr), stoppedEarly: endedEarly }],
  };
  writeFileSync(join(out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  if (!args['no-export']) console.log(`exported ${await exportWeights(UME_TINY, trainer.params, { ...summary, storage })} and config.json`);
  await trainer.release();
  console.log(`done: ${trainer.step} steps, ${tokensSeen} tokens, ${(wallMs / 60_000).toFixed(1)} min`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});

