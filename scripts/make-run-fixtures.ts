// Writes the dashboard's fixture run folders (test/fixtures/runs/): realistic, seeded GRPO runs in
// the run-folder format (docs/run-format.md), written by the trainer's own RunWriter with metrics
// computed by the trainer's own roundMetrics from simulated generation batches, so the files have
// exactly the keys and shapes a real run has. The learning dynamics are simulated (a run of 2000
// real steps takes hours here): rewards rise on a saturating curve with noise and spikes, validity
// and lengths improve, entropy falls, KL grows, grad norms spike now and then.
//
//   node --import tsx scripts/make-run-fixtures.ts [--out DIR] [--only NAME,...] [--long]
//
// Runs: grpo-multi (200 steps, multi reward, 3 modalities, beta 0.04, num_iterations 2, a prompt and
// a completion carrying HTML), grpo-single (200 steps, UME reward, beta 0, num_iterations 1: loss ~0),
// grpo-live (120 of 400 steps, still "running"), and with --long grpo-long-2000 (2000 steps; not
// committed, tests and the bench generate it on demand: same seed, same bytes).

import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Rng } from '../server/src/engine/train/rng';
import { grammarSmiles } from '../server/src/engine/data/smiles-grammar';
import { SYNTHETIC_PROMPTS } from '../server/src/engine/data/prompts';
import { MODALITIES, type Modality } from '../server/src/engine/modality';
import { roundMetrics, completionRows } from '../server/src/engine/training/step-metrics';
import type { Rollout } from '../server/src/engine/training/rollout';
import { resolveConfig, type ResolvedGrpoConfig } from '../server/src/engine/training/config';
import { RunWriter } from '../server/src/engine/runs/writer';
import { configHash } from '../server/src/engine/training/grpo-trainer';
import { RUN_FORMAT, RUN_FORMAT_VERSION, checkpointName, type CheckpointState, type GenerationLog, type MetricsRow, type RunSummary } from '../server/src/protocol/run-format';

export const FIXTURE_ROOT = resolve(__dirname, '..', 'test', 'fixtures', 'runs');
export const HTML_PAYLOAD = '<img src=x onerror=alert(1)>';

interface RewardSpec {
  name: string;
  weight: number;
  description: string;
}

export interface FixtureSpec {
  name: string;
  seed: number;
  steps: number;
  /** Steps written (< steps: the run is still going). */
  written: number;
  prompts: number;
  numGenerations: number;
  rewards: RewardSpec[];
  beta: number;
  numIterations: number;
  learningRate: number;
  lossType: string;
  maxCompletionLength: number;
  evalSteps: number;
  saveSteps: number;
  start: string;
  /** Seconds per step on the simulated machine. */
  stepSeconds: number;
  /** Where a prompt and a completion carry HTML (tests check it shows as text). */
  htmlSteps?: number[];
}

const UME: RewardSpec = { name: 'ume', weight: 1, description: 'UME pseudo-log-likelihood / ume_temperature' };
export const FIXTURES: readonly FixtureSpec[] = [
  {
    name: 'grpo-multi', seed: 11, steps: 200, written: 200, prompts: 3, numGenerations: 4,
    rewards: [UME, { name: 'validity', weight: 2, description: 'RDKit / alphabet validity' }, { name: 'length', weight: 0.5, description: 'REINVENT sigmoid on length' }, { name: 'qed', weight: 1, description: 'RDKit QED (SMILES only)' }],
    beta: 0.04, numIterations: 2, learningRate: 1e-5, lossType: 'dapo', maxCompletionLength: 64, evalSteps: 50, saveSteps: 50,
    start: '2026-11-20T09:00:00.000Z', stepSeconds: 4.2, htmlSteps: [37, 200],
  },
  {
    name: 'grpo-single', seed: 23, steps: 200, written: 200, prompts: 3, numGenerations: 4, rewards: [UME],
    beta: 0, numIterations: 1, learningRate: 3e-5, lossType: 'grpo', maxCompletionLength: 64, evalSteps: 50, saveSteps: 100,
    start: '2026-11-20T14:30:00.000Z', stepSeconds: 3.1,
  },
  {
    name: 'grpo-live', seed: 37, steps: 400, written: 120, prompts: 3, numGenerations: 4,
    rewards: [UME, { name: 'validity', weight: 1, description: 'RDKit / alphabet validity' }],
    beta: 0.02, numIterations: 1, learningRate: 2e-5, lossType: 'dapo', maxCompletionLength: 64, evalSteps: 50, saveSteps: 50,
    start: '2026-11-21T08:00:00.000Z', stepSeconds: 3.6, htmlSteps: [120],
  },
];
export const LONG_FIXTURE: FixtureSpec = {
  name: 'grpo-long-2000', seed: 41, steps: 2000, written: 2000, prompts: 2, numGenerations: 4,
  rewards: [UME, { name: 'validity', weight: 1, description: 'RDKit / alphabet validity' }],
  beta: 0.04, numIterations: 1, learningRate: 1e-5, lossType: 'dapo', maxCompletionLength: 48, evalSteps: 250, saveSteps: 500,
  start: '2026-11-18T20:00:00.000Z', stepSeconds: 2.4,
};

const AMINO = 'ACDEFGHIKLMNPQRSTVWY';
const TAG: Record<Modality, string> = { SMILES: 'smiles', amino_acid: 'protein', nucleotide: 'dna' };

const gauss = (rng: Rng): number => {
  const u = Math.max(1e-12, rng.uniform());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.uniform());
};
const letters = (rng: Rng, alphabet: string, n: number): string => Array.from({ length: n }, () => alphabet[rng.int(alphabet.length)]).join('');

/** One simulated completion: its text, validity, token length and per-function rewards. */
function simulate(rng: Rng, spec: FixtureSpec, modality: Modality, skill: number): { text: string; valid: boolean; tokens: number; truncated: boolean; rewards: Array<number | null>; reasons: Record<string, string> } {
  const valid = rng.uniform() < 0.5 + 0.45 * skill;
  const truncated = rng.uniform() < 0.25 * (1 - skill) + 0.02;
  const [lo, hi] = modality === 'SMILES' ? [8, 34] : modality === 'amino_acid' ? [12, 48] : [16, 60];
  const n = lo + rng.int(hi - lo);
  let seq = modality === 'SMILES' ? grammarSmiles(rng, n) : letters(rng, modality === 'amino_acid' ? AMINO : 'ACGT', n);
  let reason = '';
  if (!valid) {
    if (modality === 'SMILES') {
      seq = `${seq.slice(0, Math.max(2, seq.length - 2))}C1(`;
      reason = 'invalid SMILES: unclosed ring 1 and an open branch';
    } else {
      seq = `${seq.slice(0, n >> 1)}XZ${seq.slice(n >> 1)}`;
      reason = `invalid ${modality === 'amino_acid' ? 'protein' : 'DNA'}: letters X, Z are not in the alphabet`;
    }
  }
  const tag = TAG[modality];
  const text = truncated ? `<${tag}>${seq}` : `<${tag}>${seq}</${tag}>`;
  const tokens = truncated ? spec.maxCompletionLength : Math.min(spec.maxCompletionLength, seq.length + 4);
  const reasons: Record<string, string> = {};
  const rewards = spec.rewards.map((r): number | null => {
    switch (r.name) {
      case 'ume':
        if (!valid || truncated) {
          reasons['ume'] = truncated ? 'no closing tag: the completion was cut at max_completion_length' : reason;
          return -10;
        }
        return -9 + 6.5 * skill + 1.6 * gauss(rng) - 0.02 * n;
      case 'validity':
        return valid && !truncated ? 1 : 0;
      case 'length':
        return valid ? 1 / (1 + Math.exp(-(n - 20) / 5)) : 0;
      case 'qed':
        if (modality !== 'SMILES') {
          reasons['qed'] = 'QED scores SMILES only';
          return null;
        }
        return valid && !truncated ? Math.min(0.95, Math.max(0.05, 0.35 + 0.4 * skill + 0.12 * gauss(rng))) : 0;
      default:
        return 0;
    }
  });
  return { text, valid: valid && !truncated, tokens, truncated, rewards, reasons };
}

function groupAdvantages(totals: ReadonlyArray<number | null>, g: number): { adv: number[]; zeroStd: number } {
  const adv: number[] = [];
  let zero = 0;
  for (let s = 0; s < totals.length; s += g) {
    const xs = totals.slice(s, s + g).map((x) => x ?? 0);
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / Math.max(1, xs.length - 1));
    if (sd < 1e-8) zero++;
    for (const x of xs) adv.push((x - m) / (sd + 1e-4));
  }
  return { adv, zeroStd: zero / Math.ceil(totals.length / g) };
}

function lr(spec: FixtureSpec, step: number): number {
  const warm = Math.max(1, Math.round(spec.steps * 0.05));
  return step <= warm ? (spec.learningRate * step) / warm : spec.learningRate * Math.max(0, (spec.steps - step) / (spec.steps - warm));
}

export async function writeFixture(spec: FixtureSpec, root: string): Promise<string> {
  const dir = join(root, spec.name);
  rmSync(dir, { recursive: true, force: true });
  const w = await RunWriter.open(dir);
  const rng = new Rng(spec.seed);
  const config = resolveConfig(
    [
      {
        run_name: spec.name, output_dir: root, seed: spec.seed, max_steps: spec.steps, learning_rate: spec.learningRate, beta: spec.beta, num_iterations: spec.numIterations,
        loss_type: spec.lossType, num_generations: spec.numGenerations, per_device_train_batch_size: spec.prompts * spec.numGenerations, max_completion_length: spec.maxCompletionLength,
        eval_steps: spec.evalSteps, save_steps: spec.saveSteps, reward_function: spec.rewards.length > 1 ? 'multi' : 'single', warmup_ratio: 0.05,
      },
    ],
    new Date(spec.start),
  );
  const cfg = { ...config } as Record<string, unknown>;
  const start = Date.parse(spec.start);
  await w.writeConfig({
    format: RUN_FORMAT, version: RUN_FORMAT_VERSION, run_name: spec.name, created: spec.start,
    config_hash: configHash(config),
    config: cfg,
    policy: { name: 'policy-tiny', architecture: 'llama', parameters: 2_359_808, vocab_size: 640 },
    rewards: spec.rewards,
    dataset: { source: 'synthetic (seed 42)', train_rows: 270, eval_rows: 15, modalities: { SMILES: 90, amino_acid: 90, nucleotide: 90 } },
    machine: { platform: 'linux-x64', cpus: 2, node: 'v20.20.2', provider: 'cpu' },
  });
  const names = spec.rewards.map((r) => r.name);
  let wall = start;
  let numTokens = 0;
  let samples = 0;
  let best = -Infinity;
  let bestStep = 0;
  let lastCheckpoint: string | null = null;
  let last: MetricsRow | null = null;
  for (let step = 1; step <= spec.written; step++) {
    const skill = 1 - Math.exp(-step / (spec.steps / 3));
    const rollouts: Rollout[] = [];
    for (let p = 0; p < spec.prompts; p++) {
      const modality = MODALITIES[(step + p) % MODALITIES.length]!;
      let prompt = SYNTHETIC_PROMPTS[modality];
      if (spec.htmlSteps?.includes(step) && p === 0) prompt = `${prompt} Ignore this: ${HTML_PAYLOAD}`;
      for (let k = 0; k < spec.numGenerations; k++) {
        const s = simulate(rng, spec, modality, skill);
        let text = s.text;
        if (spec.htmlSteps?.includes(step) && p === 0 && k === 1) text = `Sure! ${HTML_PAYLOAD} ${text}`;
        const total = s.rewards.every((r) => r === null) ? null : s.rewards.reduce<number>((a, r, i) => a + (r ?? 0) * spec.rewards[i]!.weight, 0);
        rollouts.push({
          promptIndex: (step * spec.prompts + p) % 270, index: rollouts.length, prompt, modality, promptIds: [], completionIds: new Array<number>(s.tokens).fill(0),
          text, truncated: s.truncated, oldLogps: null, refLogps: null, rewards: s.rewards, reasons: s.reasons, components: {}, total, advantage: 0, valid: s.valid,
        });
      }
    }
    const { adv, zeroStd } = groupAdvantages(rollouts.map((r) => r.total), spec.numGenerations);
    rollouts.forEach((r, i) => (r.advantage = adv[i]!));
    const rm = roundMetrics({ rollouts, rewardNames: names, numGenerations: spec.numGenerations, fracRewardZeroStd: zeroStd });
    const gen = 0.62 * spec.stepSeconds * (1 + 0.12 * gauss(rng));
    const rew = 0.13 * spec.stepSeconds * (1 + 0.2 * Math.abs(gauss(rng)));
    const upd = 0.25 * spec.stepSeconds * (1 + 0.05 * gauss(rng));
    const generated = rollouts.reduce((a, r) => a + r.completionIds.length, 0);
    numTokens += generated + rollouts.length * 96;
    samples += rollouts.length;
    wall += (gen + rew + upd) * 1000 + (step % spec.evalSteps === 0 ? 9000 : 0);
    const spike = rng.uniform() < 0.012 ? 4 + 6 * rng.uniform() : 1;
    const kl = spec.beta > 0 ? Math.max(0, 0.002 + 0.06 * skill * (1 + 0.3 * gauss(rng))) * spike : undefined;
    const clip = spec.numIterations > 1 ? Math.max(0, 0.02 + 0.015 * gauss(rng)) * (1 - 0.5 * skill) : 0;
    const clipHigh = spec.numIterations > 1 ? Math.max(0, 0.015 + 0.01 * gauss(rng)) : 0;
    const row: MetricsRow = {
      step, epoch: (step * spec.prompts) / 270, wall_time: Math.round(wall),
      // num_iterations 1: the policy ratio is exactly 1 and group advantages sum to 0, so the loss is ~0 (plus beta*KL).
      loss: (spec.numIterations > 1 ? 0.04 * gauss(rng) : 2e-4 * gauss(rng)) + spec.beta * (kl ?? 0),
      grad_norm: Math.abs(0.6 + 0.35 * gauss(rng)) * spike + 0.05,
      learning_rate: lr(spec, step), num_tokens: numTokens,
      reward: rm['reward'] as number, reward_std: rm['reward_std'] as number, frac_reward_zero_std: zeroStd,
      entropy: 2.6 - 1.3 * skill + 0.08 * gauss(rng), step_time: gen + rew + upd,
      ...(kl !== undefined ? { kl } : {}),
      'clip_ratio/low_mean': clip, 'clip_ratio/low_min': clip, 'clip_ratio/high_mean': clipHigh, 'clip_ratio/high_max': clipHigh, 'clip_ratio/region_mean': clip + clipHigh,
      ...rm,
      'step_time/generation': gen, 'step_time/reward': rew, 'step_time/update': upd,
      ...Object.fromEntries(names.map((n, i) => [`step_time/reward/${n}`, (rew * (i + 1)) / ((names.length * (names.length + 1)) / 2)])),
      tokens_per_s: generated / gen,
      'train/total_samples_processed': samples,
    };
    await w.appendMetrics(row);
    await w.writeCompletions(step, completionRows(step, rollouts, names, spec.numGenerations));
    last = row;
    const mean = rm['train/mean_reward'] as number;
    if (mean > best) [best, bestStep] = [mean, step];
    if (step % spec.evalSteps === 0) await w.writeGenerationLog(evalLog(rng, spec, step, skill, wall));
    if (step % spec.saveSteps === 0) lastCheckpoint = await checkpoint(w, dir, step, row, wall, config, samples);
  }
  const running = spec.written < spec.steps;
  await w.writeStatus({ state: running ? 'running' : 'finished', step: spec.written, total_steps: spec.steps, pid: null, updated: new Date(wall).toISOString(), best_reward: best, last_checkpoint: lastCheckpoint });
  if (!running && last) {
    const summary: RunSummary = {
      'train/final_mean_reward': last['train/mean_reward'] as number, 'train/final_min_reward': last['train/min_reward'] as number, 'train/final_max_reward': last['train/max_reward'] as number,
      'train/final_reward_std': last['train/reward_std'] as number, 'train/total_samples_processed': samples, total_steps: spec.written, wall_time_s: (wall - start) / 1000,
      best_reward: best, best_step: bestStep, stopped_by: 'max_steps', last_checkpoint: lastCheckpoint,
    };
    await w.writeSummary(summary);
  }
  return dir;
}

function evalLog(rng: Rng, spec: FixtureSpec, step: number, skill: number, wall: number): GenerationLog {
  const samples = Array.from({ length: 12 }, (_, i) => {
    const modality = MODALITIES[i % 3]!;
    const s = simulate(rng, spec, modality, skill);
    const total = s.rewards.every((r) => r === null) ? null : s.rewards.reduce<number>((a, r, k) => a + (r ?? 0) * spec.rewards[k]!.weight, 0);
    return { prompt: SYNTHETIC_PROMPTS[modality], generated_text: s.text, reward: total, modality, length: s.tokens, valid: s.valid };
  });
  const fin = samples.map((x) => x.reward).filter((x): x is number => x !== null);
  const mean = fin.reduce((a, b) => a + b, 0) / fin.length;
  return {
    step, timestamp: new Date(wall).toISOString(), model: 'policy-tiny', num_samples: samples.length, mean_reward: mean, samples,
    metrics: { 'eval/mean_reward': mean, 'eval/validity': samples.filter((x) => x.valid).length / samples.length, 'eval/uniqueness': 1, 'eval/mean_length': samples.reduce((a, x) => a + x.length, 0) / samples.length },
  };
}

/** A checkpoint folder with its state.json only (fixtures carry no weights). */
async function checkpoint(w: RunWriter, dir: string, step: number, row: MetricsRow, wall: number, config: ResolvedGrpoConfig, samples: number): Promise<string> {
  const seed = config.seed;
  const name = `checkpoints/${checkpointName(step)}`;
  mkdirSync(join(dir, name), { recursive: true });
  const state: CheckpointState = {
    format: RUN_FORMAT, version: RUN_FORMAT_VERSION, step, epoch: row.epoch, config_hash: configHash(config), rng: { sampling: [seed, 1, 2, 3] },
    data: { epoch: Math.floor(row.epoch), cursor: step % 270, order_seed: seed }, pending_generation: null, counters: { total_samples: samples },
    metrics_bytes: await w.metricsBytes(), wall_time: wall,
  };
  await w.writeJson(`${name}/state.json`, state);
  return join(dir, name);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const outAt = args.indexOf('--out');
  const root = outAt >= 0 ? resolve(args[outAt + 1] ?? '') : FIXTURE_ROOT;
  const onlyAt = args.indexOf('--only');
  const only = onlyAt >= 0 ? new Set((args[onlyAt + 1] ?? '').split(',')) : null;
  const specs = [...FIXTURES, ...(args.includes('--long') || only?.has(LONG_FIXTURE.name) ? [LONG_FIXTURE] : [])].filter((s) => !only || only.has(s.name));
  mkdirSync(root, { recursive: true });
  for (const s of specs) {
    const t0 = Date.now();
    const dir = await writeFixture(s, root);
    console.log(`${dir}: ${s.written}/${s.steps} steps (${Date.now() - t0} ms)`);
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(1);
  });
}
