// The GRPO training loop: generation rounds, micro-batches, optimizer steps, logging, evaluation,
// checkpoints, exact resume and every way a run can end. Pure engine code: the CLI and the
// language server run it in a child process (process/) and listen to its events.
//
// Step accounting follows TRL: one optimizer step = gradient_accumulation_steps micro-batches of
// per_device_train_batch_size completions; a generation round produces generation_batch_size
// completions (steps_per_generation micro-batches, shuffled, as TRL's shuffle_sequence_dict + split)
// which are used num_iterations times in the same order.
//
// Exact resume: everything random is drawn from Rngs whose states are saved (sampling, shuffling),
// the data order is (epoch, cursor), unused micro-batches of the current round are stored in the
// checkpoint, and metrics.jsonl is cut back to its length at the checkpoint. So a resumed run
// writes the same rows (timing fields aside) and ends with the same weights as an uninterrupted one.

import { createHash } from 'node:crypto';
import { cpus } from 'node:os';
import { join } from 'node:path';
import * as fsp from 'node:fs/promises';
import type { TensorData } from '../onnx/ir';
import type { Policy } from '../policy/types';
import { adamw } from '../train/optimizers/adamw';
import { makeSchedule, type ScheduleConfig } from '../train/schedule';
import { Trainer } from '../train/trainer';
import { Rng, type RngState } from '../train/rng';
import { encodeSafetensors } from '../checkpoint/safetensors';
import { nodeFs, writeFileAtomic } from '../checkpoint/atomic';
import { RunWriter } from '../runs/writer';
import { listRunCheckpoints, loadRunCheckpoint, pruneRunCheckpoints, saveRunCheckpoint } from '../runs/checkpoints';
import { RUN_FILES, RUN_FORMAT, RUN_FORMAT_VERSION, runTensorMetadata, type CheckpointState, type GenerationLog, type MetricsRow, type RunConfigFile, type RunStatus, type RunSummary } from '../../protocol/run-format';
import type { TrainingEvent } from '../../protocol/training-events';
import { RESUME_MUTABLE_KEYS, totalSteps, type ResolvedGrpoConfig } from './config';
import { DataOrder } from './data-order';
import { generationRound, promptInput, type AdvantageFn, type PromptRow, type RoundTimes, type WeightedReward } from './generation';
import { activeTokens, microBatchTensors, withPolicyFeeds } from './micro-batch';
import type { Rollout } from './rollout';
import { completionRows, roundMetrics } from './step-metrics';
import { kmerDiversity } from './diversity';
import { MODALITIES } from '../seq/types';
import { grpoStepModel, stepNeeds } from './step-graph';

const PAD_ID = 6;

export interface TrainingJob {
  config: ResolvedGrpoConfig;
  policy: Policy;
  rewards: WeightedReward[];
  advantages: AdvantageFn;
  train: readonly PromptRow[];
  eval: readonly PromptRow[];
  datasetSource: string;
  /** A checkpoint folder, "latest", or null for a fresh run. */
  resumeFrom: string | null;
  emit: (e: TrainingEvent) => void;
  /** Aborted: stop after the current step, with a checkpoint. */
  stop: AbortSignal;
}

export class TrainingError extends Error {
  override readonly name = 'TrainingError';
  constructor(
    message: string,
    readonly lastCheckpoint: string | null,
  ) {
    super(message);
  }
}

/** The config's hash over the keys a resume must keep (docs/run-format.md). */
export function configHash(c: ResolvedGrpoConfig): string {
  const kept = Object.fromEntries(
    Object.entries(c)
      .filter(([k]) => !(RESUME_MUTABLE_KEYS as readonly string[]).includes(k))
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
  return createHash('sha256').update(JSON.stringify(kept)).digest('hex');
}

function differingKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => !(RESUME_MUTABLE_KEYS as readonly string[]).includes(k) && JSON.stringify(a[k]) !== JSON.stringify(b[k])).sort();
}

interface PendingGeneration {
  /** Micro-batches still to train on, in order. */
  queue: Rollout[][];
  /** The round these micro-batches come from (for its reward metrics). */
  rollouts: Rollout[];
  frac_reward_zero_std: number;
  extra_generations: number;
  times: RoundTimes;
}

function scheduleFor(c: ResolvedGrpoConfig, total: number): ScheduleConfig {
  const warmupSteps = c.warmup_steps > 0 ? c.warmup_steps : Math.ceil(c.warmup_ratio * total);
  switch (c.lr_scheduler_type) {
    case 'constant':
      return { kind: 'constant' };
    case 'constant_with_warmup':
      return { kind: 'constant', warmupSteps };
    case 'linear':
      return { kind: 'linear', warmupSteps, totalSteps: total };
    case 'cosine':
      return { kind: 'cosine', warmupSteps, totalSteps: total };
    case 'cosine_with_min_lr':
      return { kind: 'cosine', warmupSteps, totalSteps: total, minLrRatio: c.min_lr_rate };
  }
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

export async function runTraining(job: TrainingJob): Promise<RunSummary> {
  const c = job.config;
  const runDir = join(c.output_dir, c.run_name);
  const started = Date.now();
  const writer = await RunWriter.open(runDir);
  const emit = (e: TrainingEvent): void => {
    job.emit(e);
    void writer.appendEvent(e).catch(() => undefined);
  };
  const hash = configHash(c);
  const rewardNames = job.rewards.map((r) => r.fn.name);
  const needs = stepNeeds(c);
  const total = totalSteps(c, job.train.length);

  // --- fresh start or resume
  let resumeDir: string | null = null;
  if (job.resumeFrom !== null) {
    resumeDir = job.resumeFrom === 'latest' ? ((await listRunCheckpoints(runDir)).at(-1)?.dir ?? null) : job.resumeFrom;
    if (resumeDir === null) throw new TrainingError(`--resume-from-checkpoint latest: ${runDir} has no complete checkpoint yet; start the run without it`, null);
    const saved = JSON.parse(await fsp.readFile(join(runDir, RUN_FILES.config), 'utf8').catch(() => 'null')) as RunConfigFile | null;
    if (saved) {
      const diff = differingKeys(saved.config, c as unknown as Record<string, unknown>);
      if (diff.length) {
        throw new TrainingError(
          `the settings differ from the checkpoint's run in ${diff.length} key(s): ${diff.map((k) => `${k} (run: ${JSON.stringify(saved.config[k])}, now: ${JSON.stringify((c as unknown as Record<string, unknown>)[k])})`).join('; ')}. Resume with the run's settings, or start a new run`,
          resumeDir,
        );
      }
    }
  } else {
    if (await nodeFs.exists(join(runDir, RUN_FILES.metrics))) {
      throw new TrainingError(`${runDir} already holds a run; resume it with --resume-from-checkpoint latest, or pick another --run-name`, null);
    }
    const info = job.policy.info;
    const modalities: RunConfigFile['dataset']['modalities'] = {};
    for (const r of job.train) if (r.modality) modalities[r.modality] = (modalities[r.modality] ?? 0) + 1;
    await writer.writeConfig({
      format: RUN_FORMAT,
      version: RUN_FORMAT_VERSION,
      run_name: c.run_name,
      created: new Date(started).toISOString(),
      config_hash: hash,
      config: { ...c },
      policy: { name: info.name, architecture: info.architecture, parameters: info.parameters, vocab_size: info.vocabSize },
      rewards: job.rewards.map((r) => ({ name: r.fn.name, weight: r.weight })),
      dataset: { source: job.datasetSource, train_rows: job.train.length, eval_rows: job.eval.length, modalities },
      machine: { platform: `${process.platform}-${process.arch}`, cpus: cpus().length, node: process.version, provider: job.policy.provider?.provider ?? 'cpu' },
    });
  }

  // --- the update machinery
  const { spec, lossFn } = grpoStepModel(job.policy, c);
  const schedule = makeSchedule(scheduleFor(c, total), c.learning_rate);
  const trainer = await Trainer.create(spec, lossFn, job.policy.params, {
    optimizer: adamw({ beta1: c.adam_beta1, beta2: c.adam_beta2, eps: c.adam_epsilon, weightDecay: c.weight_decay }),
    schedule,
    ...(c.max_grad_norm > 0 ? { maxGradNorm: c.max_grad_norm } : {}),
    nanGuard: 'flag',
    runtime: { device: c.device },
  });

  let sampleRng = new Rng(c.seed);
  let shuffleRng = new Rng((c.seed ^ 0x5bd1e995) >>> 0);
  let order = DataOrder.start(job.train.length, c.seed);
  let pending: PendingGeneration | null = null;
  const counters = { num_tokens: 0, total_samples: 0, best_reward: NaN, best_step: 0, last_mean: NaN, last_min: NaN, last_max: NaN, last_std: NaN };
  let step = 0;
  let lastCheckpoint: string | null = null;

  // TRL's reference model is the policy as training began: snapshot it before a resume loads the
  // checkpoint's weights into the policy (a resumed run with beta != 0 must measure KL to the same
  // weights an uninterrupted one does).
  const ref = needs.withRef ? await job.policy.snapshot() : null;

  if (resumeDir !== null) {
    const ck = await loadRunCheckpoint(resumeDir);
    if (ck.state.config_hash !== hash) throw new TrainingError(`${resumeDir} was written with other settings (config hash ${ck.state.config_hash.slice(0, 12)}, now ${hash.slice(0, 12)}); resume with the run's config.json`, resumeDir);
    trainer.restore(ck.policy, ck.optimizer, ck.state.step, ck.state.counters['skipped_steps'] ?? 0);
    sampleRng = Rng.fromState(ck.state.rng['sample'] as RngState);
    shuffleRng = Rng.fromState(ck.state.rng['shuffle'] as RngState);
    order = new DataOrder(job.train.length, ck.state.data);
    pending = ck.state.pending_generation as PendingGeneration | null;
    for (const k of Object.keys(counters) as Array<keyof typeof counters>) counters[k] = ck.state.counters[k] ?? NaN;
    step = ck.state.step;
    lastCheckpoint = resumeDir;
    await writer.rewindTo(step, ck.state.metrics_bytes);
  }

  const status = async (state: RunStatus['state'], message?: string): Promise<void> => {
    await writer.writeStatus({ state, step, total_steps: total, pid: process.pid, updated: new Date().toISOString(), best_reward: finiteOrNull(counters.best_reward), last_checkpoint: lastCheckpoint, ...(message ? { message } : {}) });
  };
  const startStep = step;
  await status('running');
  emit({ type: 'started', run_dir: runDir, time: Date.now(), total_steps: total, resumed_from: resumeDir, config_hash: hash });
  // A fresh run scores the held-out prompts before any update: the baseline the final evaluation is compared with.
  if (resumeDir === null && c.enable_generation_logging && job.eval.length) await evaluate(job, writer, 0, emit, runDir);

  const checkpoint = async (): Promise<void> => {
    const metricsBytes = await writer.metricsBytes();
    const state: CheckpointState = {
      format: RUN_FORMAT,
      version: RUN_FORMAT_VERSION,
      step,
      epoch: order.epochProgress,
      config_hash: hash,
      rng: { sample: sampleRng.state(), shuffle: shuffleRng.state() },
      data: order.snapshot(),
      pending_generation: pending,
      counters: { ...counters, skipped_steps: trainer.skippedSteps },
      metrics_bytes: metricsBytes,
      wall_time: Date.now() - started,
    };
    lastCheckpoint = await saveRunCheckpoint(runDir, { policy: job.policy.params.entries(), optimizer: trainer.state, state });
    await pruneRunCheckpoints(runDir, c.save_total_limit);
    emit({ type: 'checkpoint', run_dir: runDir, time: Date.now(), step, path: lastCheckpoint });
  };

  const promptsPerRound = c.generation_batch_size / c.num_generations;
  const sampling = {
    maxNewTokens: c.max_completion_length,
    temperature: c.temperature,
    topP: c.top_p,
    topK: c.top_k,
    ...(c.min_p !== null ? { minP: c.min_p } : {}),
    repetitionPenalty: c.repetition_penalty,
  };
  const genCtx = { policy: job.policy, ref, rewards: job.rewards, advantages: job.advantages, sampling, numGenerations: c.num_generations, needOldLogps: needs.withOld };

  const nextRound = async (): Promise<PendingGeneration> => {
    const r = await generationRound(
      genCtx,
      {
        take: (n) => order.take(n).map((i) => ({ index: i, row: job.train[i]! })),
        promptsPerRound,
        dynamicSampling: c.dynamic_sampling,
        maxExtraRounds: c.max_dynamic_sampling_rounds,
      },
      sampleRng,
    );
    counters.num_tokens += r.rollouts.reduce((n, x) => n + x.promptIds.length + x.completionIds.length, 0);
    counters.total_samples += r.rollouts.length + r.extraGenerations;
    // TRL: shuffle the generation batch, split it into steps_per_generation micro-batches, use them num_iterations times.
    const shuffled = shuffleRng.shuffle([...r.rollouts]);
    const B = c.per_device_train_batch_size;
    const chunks = Array.from({ length: c.steps_per_generation }, (_, k) => shuffled.slice(k * B, (k + 1) * B));
    const queue: Rollout[][] = [];
    for (let it = 0; it < c.num_iterations; it++) queue.push(...chunks);
    return { queue, rollouts: r.rollouts, frac_reward_zero_std: r.fracRewardZeroStd, extra_generations: r.extraGenerations, times: r.times };
  };

  let stoppedBy: RunSummary['stopped_by'] = c.max_steps > 0 ? 'max_steps' : 'epochs';
  let lastMetrics: MetricsRow | null = null;
  const tokensPerS: number[] = [];
  let loopMs = 0;
  try {
    while (step < total) {
      const t0 = performance.now();
      const micro: Rollout[][] = [];
      let generatedNow: PendingGeneration | null = null;
      let genTimes: RoundTimes | null = null;
      for (let k = 0; k < c.gradient_accumulation_steps; k++) {
        if (!pending || pending.queue.length === 0) {
          pending = await nextRound();
          generatedNow = pending;
          genTimes = pending.times;
        }
        micro.push(pending.queue.shift()!);
      }
      const round = pending!;
      // dapo/cispo: TRL divides each micro-batch's token sum by num_items_in_batch, the active completion
      // tokens of the whole generation batch, and sums the micro-batch gradients; the Trainer averages
      // them, so the count it sees is divided by the accumulation steps.
      const numItems = round.rollouts.reduce((n, r) => n + activeTokens(r, c.mask_truncated_completions), 0) / c.gradient_accumulation_steps;
      const tu = performance.now();
      const result = await trainer.trainStep(
        micro.map((rows) => withPolicyFeeds(job.policy, microBatchTensors(rows, { padId: PAD_ID, maskTruncated: c.mask_truncated_completions, withOld: needs.withOld, withRef: needs.withRef, numItemsInBatch: numItems }))),
      );
      const updateTime = (performance.now() - tu) / 1000;
      if (result.skipped) {
        throw new TrainingError(
          `step ${step + 1}: the loss or the gradient is not finite (loss ${result.loss}, grad norm ${result.gradNorm}); the update was not applied and the run stops. The last good checkpoint is ${lastCheckpoint ?? 'none (no checkpoint was written yet)'}. Lower learning_rate or check the rewards for extreme values`,
          lastCheckpoint,
        );
      }
      step = result.step;
      const stepTime = (performance.now() - t0) / 1000;

      const rm = roundMetrics({ rollouts: round.rollouts, rewardNames, numGenerations: c.num_generations, fracRewardZeroStd: round.frac_reward_zero_std });
      const meanReward = rm['train/mean_reward'] as number;
      counters.last_mean = meanReward;
      counters.last_min = rm['train/min_reward'] as number;
      counters.last_max = rm['train/max_reward'] as number;
      counters.last_std = rm['train/reward_std'] as number;
      if (Number.isFinite(meanReward) && !(meanReward <= counters.best_reward)) {
        counters.best_reward = meanReward;
        counters.best_step = step;
      }
      const graphMetrics: Record<string, number> = { ...result.metrics };
      // One process: the min/max over processes TRL gathers equal the mean.
      if ('clip_ratio/low_mean' in graphMetrics) graphMetrics['clip_ratio/low_min'] = graphMetrics['clip_ratio/low_mean']!;
      if ('clip_ratio/high_mean' in graphMetrics) graphMetrics['clip_ratio/high_max'] = graphMetrics['clip_ratio/high_mean']!;
      const tps = genTimes && genTimes.generation > 0 ? genTimes.generatedTokens / genTimes.generation : NaN;
      if (Number.isFinite(tps)) tokensPerS.push(tps);
      const row: MetricsRow = {
        step,
        epoch: order.epochProgress,
        wall_time: Date.now(),
        loss: result.loss,
        grad_norm: result.gradNorm,
        learning_rate: result.lr,
        num_tokens: counters.num_tokens,
        reward: rm['reward'] as number,
        reward_std: rm['reward_std'] as number,
        frac_reward_zero_std: round.frac_reward_zero_std,
        entropy: graphMetrics['entropy'] ?? NaN,
        step_time: stepTime,
        ...graphMetrics,
        ...rm,
        'step_time/generation': genTimes?.generation ?? 0,
        'step_time/reward': genTimes?.reward ?? 0,
        'step_time/update': updateTime,
        ...Object.fromEntries(Object.entries(genTimes?.rewardByName ?? {}).map(([n, v]) => [`step_time/reward/${n}`, v])),
        ...(Number.isFinite(tps) ? { tokens_per_s: tps } : {}),
        ...(c.dynamic_sampling ? { 'dynamic_sampling/extra_generations': round.extra_generations } : {}),
        'train/total_samples_processed': counters.total_samples,
      };
      const logNow = step % c.logging_steps === 0 || step === total;
      if (logNow) {
        await writer.appendMetrics(row);
        if (generatedNow) await writer.writeCompletions(step, completionRows(step, generatedNow.rollouts, rewardNames, c.num_generations));
      }
      lastMetrics = row;
      // ETA from the steps trained in this process (not its start-up or the step-0 evaluation).
      loopMs += performance.now() - t0;
      const elapsedPerStep = loopMs / Math.max(1, step - startStep);
      emit({ type: 'step', run_dir: runDir, time: Date.now(), step, total_steps: total, reward: finiteOrNull(meanReward), tokens_per_s: Number.isFinite(tps) ? tps : 0, eta_s: ((total - step) * elapsedPerStep) / 1000, metrics: logNow ? row : null });

      if (c.eval_steps !== null && step % c.eval_steps === 0 && step < total) await evaluate(job, writer, step, emit, runDir);
      const staged = c.max_score !== null && step >= c.min_steps && Number.isFinite(meanReward) && meanReward >= c.max_score;
      const stopNow = job.stop.aborted;
      if (step % c.save_steps === 0 || stopNow || staged) await checkpoint();
      await status('running');
      if (staged) {
        stoppedBy = 'max_score';
        break;
      }
      if (stopNow) {
        stoppedBy = 'signal';
        break;
      }
    }
  } catch (e) {
    const msg = (e as Error).message;
    await status('failed', msg).catch(() => undefined);
    emit({ type: 'failed', run_dir: runDir, time: Date.now(), step, message: msg, last_checkpoint: lastCheckpoint });
    await trainer.release();
    await ref?.release();
    if (e instanceof TrainingError) throw e;
    throw new TrainingError(msg, lastCheckpoint);
  }

  if (stoppedBy !== 'signal') {
    if (c.enable_generation_logging) await evaluate(job, writer, step, emit, runDir);
    await fsp.mkdir(join(runDir, RUN_FILES.finalDir), { recursive: true });
    await writeFileAtomic(nodeFs, join(runDir, RUN_FILES.finalDir, RUN_FILES.policyFile), encodeSafetensors(exportEntries(job.policy), runTensorMetadata(step)));
  }
  const summary: RunSummary = {
    'train/final_mean_reward': finiteOrNull(counters.last_mean),
    'train/final_min_reward': finiteOrNull(counters.last_min),
    'train/final_max_reward': finiteOrNull(counters.last_max),
    'train/final_reward_std': finiteOrNull(counters.last_std),
    'train/total_samples_processed': counters.total_samples,
    total_steps: step,
    wall_time_s: (Date.now() - started) / 1000,
    best_reward: finiteOrNull(counters.best_reward),
    best_step: Number.isFinite(counters.best_reward) ? counters.best_step : null,
    stopped_by: stoppedBy,
    mean_tokens_per_s: tokensPerS.length ? tokensPerS.reduce((a, b) => a + b, 0) / tokensPerS.length : null,
    last_checkpoint: lastCheckpoint,
    last_metrics: lastMetrics,
  };
  await writer.writeSummary(summary);
  await status(stoppedBy === 'signal' ? 'stopped' : 'finished');
  emit({ type: 'finished', run_dir: runDir, time: Date.now(), step, summary });
  await trainer.release();
  await ref?.release();
  return summary;
}

const meanOf = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

function exportEntries(policy: Policy): Array<[string, TensorData]> {
  return [...policy.exportWeights()];
}

/** Scores held-out prompts with the current policy (one completion each) and writes a generation log. */
export async function evaluate(job: Pick<TrainingJob, 'config' | 'policy' | 'rewards' | 'eval'>, writer: RunWriter, step: number, emit: (e: TrainingEvent) => void, runDir: string): Promise<GenerationLog> {
  const c = job.config;
  // max_generation_samples completions, cycling through the held-out prompts (a small eval split still gives a steady mean).
  const rows = job.eval.length ? Array.from({ length: c.max_generation_samples }, (_, i) => job.eval[i % job.eval.length]!) : [];
  // Its own stream (seed, step): evaluation never disturbs the training draws, so resume stays exact.
  const rng = new Rng((c.seed * 7919 + step * 104729 + 3) >>> 0);
  const prompts = rows.map((r) => job.policy.tokenizePrompt(promptInput(r), r.modality));
  const samples = rows.length ? await job.policy.sample(prompts, { maxNewTokens: c.max_completion_length, temperature: c.temperature, topP: c.top_p, topK: c.top_k, ...(c.min_p !== null ? { minP: c.min_p } : {}), repetitionPenalty: c.repetition_penalty }, rng) : [];
  const inputs = samples.map((s, i) => ({ prompt: rows[i]!.prompt, completion: s.text, modality: rows[i]!.modality }));
  const per = await Promise.all(job.rewards.map(async (r) => r.fn.score(inputs)));
  const totals = inputs.map((_, i) => {
    const vals = job.rewards.map((r, k) => (per[k]![i]!.value === null ? null : r.weight * per[k]![i]!.value!));
    return vals.every((v) => v === null) ? null : vals.reduce<number>((a, v) => a + (v ?? 0), 0);
  });
  const fin = totals.filter((t): t is number => t !== null);
  const valid = samples.map((s, i) => s.finish === 'stop' && per.every((p) => p[i]!.value !== null && p[i]!.kind === undefined));
  const log: GenerationLog = {
    step,
    timestamp: new Date().toISOString(),
    model: job.policy.info.name,
    num_samples: samples.length,
    mean_reward: fin.length ? fin.reduce((a, b) => a + b, 0) / fin.length : null,
    samples: samples.map((s, i) => ({ prompt: rows[i]!.prompt, generated_text: s.text, reward: totals[i]!, modality: rows[i]!.modality, length: s.ids.length, valid: valid[i]! })),
    metrics: {
      'eval/mean_reward': fin.length ? fin.reduce((a, b) => a + b, 0) / fin.length : NaN,
      'eval/validity': samples.length ? valid.filter(Boolean).length / samples.length : NaN,
      // Penalties are set relative to the batch's worst valid reward, so means that include them do not
      // compare across evaluations; the mean over valid completions does.
      'eval/mean_valid_reward': meanOf(totals.filter((t, i): t is number => t !== null && valid[i]!)),
      'eval/uniqueness': samples.length ? new Set(samples.map((s) => s.text)).size / samples.length : NaN,
      'eval/mean_length': samples.length ? samples.reduce((n, s) => n + s.ids.length, 0) / samples.length : NaN,
      'eval/kmer_diversity': kmerDiversity(samples.map((s) => s.text)),
      ...Object.fromEntries(
        MODALITIES.flatMap((m) => {
          const idx = rows.map((r, i) => (r.modality === m ? i : -1)).filter((i) => i >= 0);
          if (!idx.length) return [];
          const t = idx.map((i) => totals[i]).filter((x): x is number => x !== null);
          return [
            [`eval/validity/${m}`, idx.filter((i) => valid[i]).length / idx.length],
            [`eval/mean_reward/${m}`, t.length ? t.reduce((a, b) => a + b, 0) / t.length : NaN],
            [`eval/uniqueness/${m}`, new Set(idx.map((i) => samples[i]!.text)).size / idx.length],
            [`eval/mean_valid_reward/${m}`, meanOf(idx.filter((i) => valid[i] && totals[i] !== null).map((i) => totals[i]!))],
          ];
        }),
      ),
    },
  };
  if (c.enable_generation_logging) {
    const path = await writer.writeGenerationLog(log, c.generation_log_dir ?? undefined);
    emit({ type: 'eval', run_dir: runDir, time: Date.now(), step, path, mean_reward: log.mean_reward });
  }
  return log;
}
