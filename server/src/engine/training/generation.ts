// One generation round of GRPO: draw prompts, sample num_generations completions of each, score
// them with every reward function, and turn the rewards into advantages (TRL's
// `_generate_and_score_completions`). With dynamic sampling (DAPO, beyond TRL), groups whose
// rewards all tie carry no signal: they are dropped and more prompts are generated to refill the
// batch, up to max_dynamic_sampling_rounds extra rounds; a batch still short after that is filled
// with the dropped groups (advantage 0, so they add no gradient) so every step has the same shape.

import type { Modality } from '../seq/types';
import type { Policy, PromptInput, SamplingOptions } from '../policy/types';
import { checkRewardResults, type ComponentScore, type RewardFunction, type RewardInput, type RewardResult } from '../rewards/types';
import type { Rng } from '../train/rng';
import type { Rollout } from './rollout';

export interface PromptRow {
  /** The prompt as text: what rewards, completion logs and generation logs read (a conversation's contents joined by newlines). */
  prompt: string;
  /** A conversational prompt's messages (TRL's conversational format): what the policy tokenizes when present. */
  messages?: ReadonlyArray<{ role: string; content: string }>;
  modality: Modality | null;
  columns?: Readonly<Record<string, unknown>>;
}

/**
 * What the policy tokenizes for a row: its messages when it has them (a Hugging Face policy renders
 * them with its chat template; policy-tiny reads their contents joined), else its text.
 */
export function promptInput(row: PromptRow): PromptInput {
  return row.messages ?? row.prompt;
}

export interface WeightedReward {
  fn: RewardFunction;
  weight: number;
}

/** What advantages.ts computes from per-function rewards (engine/grpo). */
export interface AdvantageResult {
  advantages: number[];
  totals: Array<number | null>;
  /** Share of groups whose rewards all tie. */
  fracRewardZeroStd: number;
  /** Per group: true when its std is ~0 (no signal). */
  zeroStdGroups: boolean[];
}

export type AdvantageFn = (rewards: Array<Array<number | null>>, weights: number[]) => AdvantageResult;

export interface RoundTimes {
  generation: number;
  reward: number;
  rewardByName: Record<string, number>;
  generatedTokens: number;
}

export interface GenerationContext {
  policy: Policy;
  ref: Policy | null;
  rewards: readonly WeightedReward[];
  advantages: AdvantageFn;
  sampling: SamplingOptions;
  numGenerations: number;
  needOldLogps: boolean;
  /** Rows that count as "valid" for the validity metric: a reward said nothing was wrong with it. */
  signal?: AbortSignal;
}

export interface RoundResult {
  rollouts: Rollout[];
  times: RoundTimes;
  extraGenerations: number;
  fracRewardZeroStd: number;
}

const now = (): number => performance.now();

/** Samples and scores `prompts` (each num_generations times), without advantages. */
async function sampleAndScore(ctx: GenerationContext, prompts: ReadonlyArray<{ index: number; row: PromptRow }>, rng: Rng, times: RoundTimes): Promise<Array<Omit<Rollout, 'advantage' | 'index'>>> {
  const G = ctx.numGenerations;
  const promptIds = prompts.map((p) => ctx.policy.tokenizePrompt(promptInput(p.row), p.row.modality));
  const repeated: number[][] = [];
  for (const ids of promptIds) for (let g = 0; g < G; g++) repeated.push(ids);
  let t = now();
  const samples = await ctx.policy.sample(repeated, ctx.sampling, rng, ctx.signal ? { signal: ctx.signal } : {});
  times.generation += (now() - t) / 1000;
  times.generatedTokens += samples.reduce((n, s) => n + s.ids.length, 0);

  const inputs: RewardInput[] = samples.map((s, i) => {
    const p = prompts[Math.floor(i / G)]!.row;
    return { prompt: p.prompt, completion: s.text, modality: p.modality, ...(p.columns ? { columns: p.columns } : {}) };
  });
  t = now();
  const results = await Promise.all(
    ctx.rewards.map(async ({ fn }) => {
      const t0 = now();
      const r = checkRewardResults(fn, inputs, await fn.score(inputs, ctx.signal ? { signal: ctx.signal } : {}));
      times.rewardByName[fn.name] = (times.rewardByName[fn.name] ?? 0) + (now() - t0) / 1000;
      // Composite functions and worker proxies also time each of their components.
      for (const [c, sec] of Object.entries(fn.lastTimings?.() ?? {})) if (c !== fn.name) times.rewardByName[`${fn.name}/${c}`] = (times.rewardByName[`${fn.name}/${c}`] ?? 0) + sec;
      return r;
    }),
  );
  times.reward += (now() - t) / 1000;

  let old: Float32Array[] | null = null;
  let ref: Float32Array[] | null = null;
  const requests = samples.map((s) => ({ promptIds: s.promptIds, completionIds: s.ids }));
  if (ctx.needOldLogps) old = (await ctx.policy.logprobs(requests, ctx.sampling.temperature ?? 1)).map((r) => r.logps);
  if (ctx.ref) ref = (await ctx.ref.logprobs(requests, ctx.sampling.temperature ?? 1)).map((r) => r.logps);

  return samples.map((s, i) => {
    const p = prompts[Math.floor(i / G)]!;
    const per: RewardResult[] = results.map((r) => r[i]!);
    const reasons: Record<string, string> = {};
    const components: Record<string, ComponentScore> = {};
    per.forEach((r, k) => {
      const name = ctx.rewards[k]!.fn.name;
      if (r.reason) reasons[name] = r.reason;
      for (const [c, v] of Object.entries(r.components ?? {})) components[ctx.rewards.length > 1 ? `${name}/${c}` : c] = v;
    });
    return {
      promptIndex: p.index,
      prompt: p.row.prompt,
      modality: p.row.modality,
      promptIds: [...s.promptIds],
      completionIds: [...s.ids],
      text: s.text,
      truncated: s.finish === 'length',
      oldLogps: old ? Array.from(old[i]!) : null,
      refLogps: ref ? Array.from(ref[i]!) : null,
      rewards: per.map((r) => r.value),
      reasons,
      components,
      total: null,
      // A completion is valid when no function penalised or refused it.
      valid: s.finish === 'stop' && per.every((r) => r.value !== null && r.kind === undefined),
    };
  });
}

function withAdvantages(ctx: GenerationContext, rows: Array<Omit<Rollout, 'advantage' | 'index'>>): { rollouts: Rollout[]; adv: AdvantageResult } {
  const perFunction = ctx.rewards.map((_, k) => rows.map((r) => r.rewards[k]!));
  const adv = ctx.advantages(perFunction, ctx.rewards.map((r) => r.weight));
  return { rollouts: rows.map((r, i) => ({ ...r, index: i, total: adv.totals[i]!, advantage: adv.advantages[i]! })), adv };
}

export interface RoundRequest {
  /** Prompts for the batch (generation_batch_size / num_generations of them). */
  take: (n: number) => Array<{ index: number; row: PromptRow }>;
  promptsPerRound: number;
  dynamicSampling: boolean;
  maxExtraRounds: number;
}

export async function generationRound(ctx: GenerationContext, req: RoundRequest, rng: Rng): Promise<RoundResult> {
  const times: RoundTimes = { generation: 0, reward: 0, rewardByName: {}, generatedTokens: 0 };
  const G = ctx.numGenerations;
  const first = await sampleAndScore(ctx, req.take(req.promptsPerRound), rng, times);
  const { rollouts, adv } = withAdvantages(ctx, first);
  if (!req.dynamicSampling || adv.zeroStdGroups.every((z) => !z)) {
    return { rollouts, times, extraGenerations: 0, fracRewardZeroStd: adv.fracRewardZeroStd };
  }
  // Dynamic sampling: keep groups with signal; refill from new prompts.
  const groupsOf = (rows: Array<Omit<Rollout, 'advantage' | 'index'>>): Array<Array<Omit<Rollout, 'advantage' | 'index'>>> =>
    Array.from({ length: rows.length / G }, (_, g) => rows.slice(g * G, (g + 1) * G));
  let kept = groupsOf(first).filter((_, g) => !adv.zeroStdGroups[g]);
  const dropped = groupsOf(first).filter((_, g) => adv.zeroStdGroups[g]);
  let extra = 0;
  for (let round = 0; round < req.maxExtraRounds && kept.length < req.promptsPerRound; round++) {
    const need = req.promptsPerRound - kept.length;
    const more = await sampleAndScore(ctx, req.take(need), rng, times);
    extra += more.length;
    const { adv: a } = withAdvantages(ctx, more);
    groupsOf(more).forEach((grp, g) => (a.zeroStdGroups[g] ? dropped : kept).push(grp));
  }
  kept = [...kept.slice(0, req.promptsPerRound), ...dropped].slice(0, req.promptsPerRound);
  const final = withAdvantages(ctx, kept.flat());
  // The batch's zero-std share as it was generated (what TRL reports), not after refilling.
  return { rollouts: final.rollouts, times, extraGenerations: extra, fracRewardZeroStd: adv.fracRewardZeroStd };
}
