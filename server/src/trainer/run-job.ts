// Builds a training job from a request (config layers + resume point) and runs it: resolves the
// config, loads the prompts, the policy and the reward functions, and hands them to the engine's
// loop. Also `--eval-only`. Everything that can be checked is checked before the first step.

import { join } from 'node:path';
import { resolveConfig, type ResolvedGrpoConfig } from '../engine/training/config';
import { runTraining, evaluate } from '../engine/training/grpo-trainer';
import { promptInput, type PromptRow, type WeightedReward } from '../engine/training/generation';
import type { Policy } from '../engine/policy/types';
import { advantagesFor } from '../engine/training/advantages';
import { RunWriter } from '../engine/runs/writer';
import type { TrainingEvent } from '../protocol/training-events';
import type { TrainingRequest } from './launch';
import { loadTrainingPolicy } from './policy-choice';
import { loadTrainingRewards } from './reward-choice';
import { loadTrainingData } from './data-choice';

export async function runJob(req: TrainingRequest, emitRaw: (e: TrainingEvent) => void, stop: AbortSignal): Promise<void> {
  let failedSent = false;
  const emit = (e: TrainingEvent): void => {
    if (e.type === 'failed') failedSent = true;
    emitRaw(e);
  };
  const c = resolveConfig(req.layers);
  const data = await loadTrainingData(c);
  const policy = await loadTrainingPolicy(c);
  try {
    checkConversational(policy, [...data.train, ...data.eval], data.source);
  } catch (e) {
    await policy.release();
    throw e;
  }
  const { rewards, describe, close: closeRewards } = await loadTrainingRewards(c);
  for (const line of describe) emit({ type: 'log', run_dir: join(c.output_dir, c.run_name), time: Date.now(), level: 'info', message: line });
  try {
    if (req.evalOnly) {
      await evalOnly(c, policy, rewards, data.eval, emit);
      return;
    }
    await runTraining({
      config: c,
      policy,
      rewards,
      advantages: advantagesFor(c),
      train: data.train,
      eval: data.eval,
      datasetSource: data.source,
      resumeFrom: req.resumeFrom,
      emit,
      stop,
    });
  } catch (e) {
    // Failures runTraining reported as events are not reported twice.
    if (failedSent && e instanceof Error) Object.assign(e, { reported: true });
    throw e;
  } finally {
    await closeRewards();
    await policy.release();
  }
}

/**
 * Conversational prompts need a policy that reads messages (a Hugging Face folder with a chat
 * template; policy-tiny reads their contents): tried on the first one before any work, so a folder
 * without a template fails here rather than at the first step.
 */
function checkConversational(policy: Policy, rows: readonly PromptRow[], source: string): void {
  const row = rows.find((r) => r.messages);
  if (!row) return;
  try {
    policy.tokenizePrompt(promptInput(row), row.modality);
  } catch (e) {
    throw new Error(`${source} gives its prompts as chat messages, which ${policy.info.name} cannot read: ${(e as Error).message}`, { cause: e });
  }
}

async function evalOnly(c: ResolvedGrpoConfig, policy: Awaited<ReturnType<typeof loadTrainingPolicy>>, rewards: WeightedReward[], rows: readonly PromptRow[], emit: (e: TrainingEvent) => void): Promise<void> {
  const runDir = join(c.output_dir, c.run_name);
  const writer = await RunWriter.open(runDir);
  const log = await evaluate({ config: { ...c, enable_generation_logging: true }, policy, rewards, eval: rows }, writer, 0, emit, runDir);
  const summary = {
    'train/final_mean_reward': log.mean_reward,
    'train/final_min_reward': null,
    'train/final_max_reward': null,
    'train/final_reward_std': null,
    'train/total_samples_processed': log.num_samples,
    total_steps: 0,
    wall_time_s: 0,
    best_reward: log.mean_reward,
    best_step: 0,
    stopped_by: 'max_steps' as const,
    eval_only: true,
    eval_metrics: log.metrics,
  };
  emit({ type: 'finished', run_dir: runDir, time: Date.now(), step: 0, summary });
}
