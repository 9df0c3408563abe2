// Pretrains policy-tiny (a GPT over UME's vocabulary, engine/policy/tiny) with next-token loss on
// the public corpus ume-tiny used, with our own training engine (one fused ONNX step: loss,
// gradients, clipping, AdamW).
//
//   node --import tsx scripts/ume/build-corpus.ts          # data/ume-corpus (Debian packages)
//   nohup nice -n 5 node --import tsx scripts/policy/train-policy-tiny.ts [--steps 2500] [--max-minutes 38] > runs/policy-tiny/train.log &
//   ... --resume                                            # continue from runs/policy-tiny/checkpoints
//
// Reproducible: weights from a fixed seed, batch order from (seed, epoch), so a resumed run sees the
// batches an uninterrupted one would. Logs (train.jsonl, eval.jsonl, summary.json) and checkpoints go
// to --out (git-ignored runs/); the final weights (F16) and config.json go to the model folder.
// Early stop: after --patience evaluations without a held-out improvement of --min-delta nats.

import { appendFileSync, mkdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { checkpointDir, latestCheckpoint, pruneCheckpoints } from '../../server/src/engine/checkpoint/checkpoint';
import { gptLoss } from '../../server/src/engine/models/gpt';
import { countParams, initParams } from '../../server/src/engine/models/params';
import { gptTrainable } from '../../server/src/engine/models/training';
import { compile } from '../../server/src/engine/onnx/runtime';
import { policyTinySized, readWeights, savePolicyFolder } from '../../server/src/engine/policy/tiny';
import { MODALITIES, type Modality } from '../../server/src/engine/seq/types';
import { buildInferenceGraph } from '../../server/src/engine/train/compile-step';
import { adamw } from '../../server/src/engine/train/optimizers/adamw';
import type { ParameterSet } from '../../server/src/engine/train/params';
import { makeSchedule } from '../../server/src/engine/train/schedule';
import { Trainer } from '../../server/src/engine/train/trainer';
import { CORPUS_DIR, heldoutPlan, lmBatch, loadCorpus, mixedPlan, MODEL_DIR, parseMix, planEpoch } from './policy-data';

const { values: args } = parseArgs({
  options: {
    corpus: { type: 'string', default: CORPUS_DIR },
    out: { type: 'string', default: 'runs/policy-tiny' },
    'model-dir': { type: 'string', default: MODEL_DIR },
    size: { type: 'string', default: '' },
    steps: { type: 'string', default: '2500' },
    'token-budget': { type: 'string', default: '8192' },
    lr: { type: 'string', default: '2e-3' },
    warmup: { type: 'string', default: '150' },
    seed: { type: 'string', default: '42' },
    'eval-every': { type: 'string', default: '250' },
    'eval-per-modality': { type: 'string', default: '400' },
    'save-every': { type: 'string', default: '250' },
    'max-minutes': { type: 'string', default: '0' },
    patience: { type: 'string', default: '3' },
    'min-delta': { type: 'string', default: '0.003' },
    threads: { type: 'string', default: '2' },
    resume: { type: 'boolean', default: false },
    // With --resume: keep weights, optimizer state and step, but start a new data plan (e.g. another
    // --mix) and reset the plateau watch; the schedule follows --steps (a longer one is a warm restart).
    'new-phase': { type: 'boolean', default: false },
    // Batch modality weights, e.g. SMILES=0.6,amino_acid=0.2,nucleotide=0.2 (default: the corpus's own mix).
    mix: { type: 'string', default: '' },
    // Start from a policy folder's weights (e.g. the shipped policy-tiny) with a fresh optimizer and
    // schedule: a further phase when the earlier phase's checkpoints are gone (runs/ is not committed).
    'init-from': { type: 'string', default: '' },
    'no-export': { type: 'boolean', default: false },
  },
});

const num = (name: string): number => {
  const v = Number(args[name as keyof typeof args]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} must be a non-negative number, got "${String(args[name as keyof typeof args])}"`);
  return v;
};

const config = policyTinySized(args.size || undefined);
const steps = num('steps');
const budget = num('token-budget');
const seed = num('seed');
const evalEvery = num('eval-every');
const saveEvery = num('save-every');
const maxMs = num('max-minutes') * 60_000;
const patience = num('patience');
const minDelta = num('min-delta');
const threads = num('threads');
const mix = parseMix(args.mix);
const out = args.out;
const ckRoot = join(out, 'checkpoints');
const log = (file: string, row: unknown): void => appendFileSync(join(out, file), JSON.stringify(row) + '\n');

type EvalResult = Record<Modality | 'all', { loss: number; tokens: number }>;

async function makeEvaluator(plan: ReturnType<typeof heldoutPlan>): Promise<(params: ParameterSet) => Promise<EvalResult>> {
  const t = gptTrainable(config);
  const graph = buildInferenceGraph(t.spec.params, t.spec.batch, (ctx) => {
    const r = gptLoss(config, ctx.params, { inputIds: ctx.batch['input_ids']!, labels: ctx.batch['labels']! });
    return { loss: r.loss, count: r.count };
  });
  const model = await compile(graph, { device: 'cpu', threads });
  return async (params) => {
    const feeds = Object.fromEntries(params.entries());
    const res = {} as EvalResult;
    let nll = 0;
    let n = 0;
    for (const m of MODALITIES) {
      let mNll = 0;
      let mN = 0;
      for (const b of plan[m].batches) {
        const r = await model.run({ ...feeds, ...lmBatch(plan[m].examples, b).feeds });
        const count = Number(r['count']!.data[0]);
        mNll += Number(r['loss']!.data[0]) * count;
        mN += count;
      }
      res[m] = { loss: mNll / mN, tokens: mN };
      nll += mNll;
      n += mN;
    }
    res.all = { loss: nll / n, tokens: n };
    return res;
  };
}

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  const t0 = performance.now();
  const corpus = loadCorpus(args.corpus, config.maxLen);
  const { train, heldout } = corpus;
  const trainTokens = train.reduce((s, e) => s + e.ids.length, 0);
  console.log(`corpus: ${train.length} train / ${heldout.length} held-out sequences, ${trainTokens} train tokens (${Math.round(performance.now() - t0)} ms)`);
  const model = gptTrainable(config);
  if (args['init-from'] && args.resume) throw new Error('--init-from starts a new phase from a policy folder; --resume continues a checkpoint: pass one of them');
  const initFrom = args['init-from'] ? { dir: args['init-from'], training: (JSON.parse(readFileSync(join(args['init-from'], 'config.json'), 'utf8')) as { training?: unknown }).training ?? null } : null;
  const params = initFrom ? await readWeights(initFrom.dir, config) : initParams(model.specs, seed);
  const prior = { steps: Number((initFrom?.training as { steps?: number } | null)?.steps ?? 0), tokensSeen: Number((initFrom?.training as { tokensSeen?: number } | null)?.tokensSeen ?? 0) };
  if (initFrom) console.log(`weights from ${initFrom.dir} (${JSON.stringify(initFrom.training)}), fresh optimizer and schedule`);
  const schedule = makeSchedule({ kind: 'cosine', warmupSteps: num('warmup'), totalSteps: steps, minLrRatio: 0.1 }, Number(args.lr));
  const optimizer = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 };
  const trainer = await Trainer.create(model.spec, model.loss, params, { optimizer: adamw(optimizer), maxGradNorm: 1.0, schedule, decay: model.decay, runtime: { device: 'cpu', threads } });
  const evaluate = await makeEvaluator(heldoutPlan(heldout, budget, num('eval-per-modality')));

  let epoch = 0;
  let index = 0;
  let tokensSeen = 0;
  let wallMs = 0;
  let best = Infinity;
  let sinceBest = 0;
  let fromStep = 0;
  if (args.resume) {
    const dir = await latestCheckpoint(ckRoot);
    if (!dir) throw new Error(`--resume: no complete checkpoint under ${ckRoot}; start without --resume`);
    const { manifest, warnings } = await trainer.load(dir);
    const d = manifest.data as { epoch: number; index: number; tokensSeen: number; wallMs: number; best: number | null; sinceBest: number; mix?: unknown };
    ({ tokensSeen, wallMs } = d);
    if (args['new-phase']) console.log(`new phase from step ${trainer.step}: fresh data plan${mix ? ` (mix ${args.mix})` : ''}, schedule over ${steps} steps`);
    else {
      if (JSON.stringify(d.mix ?? null) !== JSON.stringify(mix ?? null)) throw new Error(`--resume: the checkpoint was trained with mix ${JSON.stringify(d.mix ?? null)}, not ${JSON.stringify(mix ?? null)}; pass the same --mix, or --new-phase`);
      ({ epoch, index, sinceBest } = d);
      best = d.best ?? Infinity;
    }
    for (const w of warnings) console.warn(`warning: ${w}`);
    console.log(`resumed from ${dir} at step ${trainer.step} (epoch ${epoch}, batch ${index})`);
    fromStep = trainer.step;
  } else {
    writeFileSync(join(out, 'train.jsonl'), '');
    writeFileSync(join(out, 'eval.jsonl'), '');
  }
  console.log(`${config.name}: ${countParams(model.specs)} parameters (${config.nLayers} layers, width ${config.dModel}, ${config.nHeads} heads, FFN ${config.dFF}), ${steps} steps, token budget ${budget}, lr ${args.lr}`);

  const planFor = (e: number): number[][] => (mix ? mixedPlan(train, budget, seed, e, mix) : planEpoch(train, budget, seed, e));
  let plan = planFor(epoch);
  const started = performance.now() - wallMs;
  const save = async (): Promise<void> => {
    await trainer.save(checkpointDir(ckRoot, trainer.step), { config: { policy: config, args }, data: { epoch, index, tokensSeen, wallMs: performance.now() - started, best: Number.isFinite(best) ? best : null, sinceBest, mix: mix ?? null } });
    await pruneCheckpoints(ckRoot, 2);
  };
  let lastEval: EvalResult | undefined;
  const runEval = async (): Promise<void> => {
    const e0 = performance.now();
    lastEval = await evaluate(trainer.params);
    log('eval.jsonl', { step: trainer.step, tokensSeen, ms: Math.round(performance.now() - e0), ...lastEval });
    console.log(`eval @${trainer.step}: ` + Object.entries(lastEval).map(([k, v]) => `${k} ${v.loss.toFixed(4)}`).join(' | '));
    if (lastEval.all.loss < best - minDelta) {
      best = lastEval.all.loss;
      sinceBest = 0;
    } else sinceBest++;
  };
  let stopReason = 'steps';
  let window = { loss: 0, n: 0, ms: 0 };
  while (trainer.step < steps) {
    if (maxMs > 0 && performance.now() - started > maxMs) {
      stopReason = 'max-minutes';
      break;
    }
    if (patience > 0 && sinceBest >= patience) {
      stopReason = `plateau (${patience} evaluations without a ${minDelta}-nat improvement)`;
      break;
    }
    if (index >= plan.length) {
      epoch++;
      index = 0;
      plan = planFor(epoch);
    }
    const batch = lmBatch(train, plan[index]!);
    index++;
    const s0 = performance.now();
    const r = await trainer.trainStep(batch.feeds);
    const ms = performance.now() - s0;
    tokensSeen += batch.tokens;
    if (r.skipped) console.warn(`step ${trainer.step + 1}: non-finite loss or gradient, update skipped`);
    window = { loss: window.loss + r.loss, n: window.n + 1, ms: window.ms + ms };
    log('train.jsonl', { step: r.step, loss: r.loss, gradNorm: r.gradNorm, lr: r.lr, skipped: r.skipped, tokens: batch.tokens, ms: Math.round(ms), epoch });
    if (r.step % 50 === 0 && window.n > 0) {
      console.log(`step ${r.step}/${steps} loss ${(window.loss / window.n).toFixed(4)} lr ${r.lr.toExponential(2)} ${Math.round(window.ms / window.n)} ms/step, ${((performance.now() - started) / 60_000).toFixed(1)} min, epoch ${epoch} (${((index / plan.length) * 100).toFixed(0)}%)`);
      window = { loss: 0, n: 0, ms: 0 };
    }
    if (evalEvery > 0 && r.step % evalEvery === 0) await runEval();
    if (saveEvery > 0 && r.step % saveEvery === 0) await save();
  }
  console.log(`stopping at step ${trainer.step}: ${stopReason}`);
  if (!lastEval || trainer.step % evalEvery !== 0) await runEval();
  await save();
  wallMs = performance.now() - started;
  const summaryPath = join(out, 'summary.json');
  const earlier = existsSync(summaryPath) && args.resume ? (JSON.parse(readFileSync(summaryPath, 'utf8')) as { phases?: unknown[] }).phases ?? [] : [];
  const summary = {
    model: config,
    parameters: countParams(model.specs),
    steps: trainer.step,
    plannedSteps: steps,
    stopReason,
    skippedSteps: trainer.skippedSteps,
    tokensSeen,
    epochs: epoch + index / plan.length,
    wallMinutes: wallMs / 60_000,
    corpus: {
      dir: args.corpus,
      trainSequences: train.length,
      heldoutSequences: heldout.length,
      trainTokens,
      byModality: Object.fromEntries(MODALITIES.map((m) => [m, { train: train.filter((e) => e.modality === m).length, heldout: heldout.filter((e) => e.modality === m).length }])),
    },
    optimizer: { name: 'adamw', lr: Number(args.lr), ...optimizer, schedule: schedule.config, maxGradNorm: 1.0 },
    tokenBudget: budget,
    seed,
    heldoutEval: lastEval,
    ...(initFrom ? { initFrom } : {}),
    phases: [...earlier, { fromStep, toStep: trainer.step, plannedSteps: steps, lr: Number(args.lr), mix: mix ?? 'corpus', stopReason }],
  };
  writeFileSync(summaryPath, JSON.stringify(summary, null, 2) + '\n');
  if (!args['no-export']) {
    await savePolicyFolder(args['model-dir'], config, trainer.params, {
      storage: 'F16',
      metadata: { steps: String(trainer.step), tokens_seen: String(tokensSeen), trained_by: 'scripts/policy/train-policy-tiny.ts' },
      // Totals over every phase: an --init-from phase adds to the steps and tokens of the folder it started from.
      extra: { training: { steps: trainer.step + prior.steps, tokensSeen: tokensSeen + prior.tokensSeen, phases: [...(initFrom ? [initFrom.training] : []), { steps: trainer.step, tokensSeen, mix: mix ?? 'corpus' }], heldoutLoss: lastEval?.all.loss, script: 'scripts/policy/train-policy-tiny.ts' } },
    });
    console.log(`exported ${args['model-dir']}/model.safetensors (F16) and config.json`);
  }
  await trainer.release();
  console.log(`done: ${trainer.step} steps, ${tokensSeen} tokens, ${(wallMs / 60_000).toFixed(1)} min`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
