// Every setting of a GRPO run: one table of keys (TRL's GRPOConfig / TrainingArguments names where
// TRL has the setting, ours otherwise), their defaults and checks, kept apart from the resolution
// logic below. A resolved config is what config.json stores and what a resume compares.
//
// Defaults are TRL's, except (each with its reason, also in docs/training.md):
// - max_completion_length 128 (TRL 1.9: 256): policy-tiny's completions are UME token sequences; its
//   corpus' SMILES and proteins are well under 128 tokens, and the update cost grows with the length.
// - learning_rate stays TRL's 1e-6 for any policy; the quick-test and production presets set 5e-5,
//   a rate at which a 3M-parameter model moves within tens of steps (1e-6 suits billion-parameter LMs).
// - logging_steps 1 (TRL 10): every step's metrics and completions are kept (the dashboard shows all).
// - save_steps 50 (TRL 500): a CPU run is short; resume should not lose much.
// - bf16 is off: ONNX Runtime on CPU trains in float32.

import { didYouMean } from '../util/nearest-name';

type Kind =
  | { type: 'number'; min?: number; max?: number; integer?: boolean; minExclusive?: boolean; nullable?: boolean }
  | { type: 'string'; values?: readonly string[]; nullable?: boolean }
  | { type: 'boolean' }
  | { type: 'numbers'; nullable?: boolean };

interface KeySpec {
  kind: Kind;
  default: unknown;
  doc: string;
}

const num = (def: number | null, doc: string, k: Omit<Extract<Kind, { type: 'number' }>, 'type'> = {}): KeySpec => ({ kind: { type: 'number', ...k, nullable: k.nullable ?? def === null }, default: def, doc });
const int = (def: number | null, doc: string, min = 0, extra: { nullable?: boolean } = {}): KeySpec => num(def, doc, { integer: true, min, ...extra });
const str = (def: string | null, doc: string, values?: readonly string[]): KeySpec => ({ kind: { type: 'string', ...(values ? { values } : {}), nullable: def === null }, default: def, doc });
const bool = (def: boolean, doc: string): KeySpec => ({ kind: { type: 'boolean' }, default: def, doc });

export const LOSS_TYPES = ['grpo', 'bnpo', 'dr_grpo', 'dapo', 'cispo', 'sapo'] as const;
export const SCALE_REWARDS = ['group', 'batch', 'none'] as const;
export const IS_LEVELS = ['token', 'sequence'] as const;
export const AGGREGATIONS = ['sum_then_normalize', 'normalize_then_sum'] as const;
export const SCHEDULERS = ['linear', 'cosine', 'constant', 'constant_with_warmup', 'cosine_with_min_lr'] as const;
export const DEVICES = ['auto', 'cpu', 'cuda', 'webgpu'] as const;

export const CONFIG_KEYS = {
  // --- where and what
  output_dir: str('runs', 'Folder that holds run folders.'),
  run_name: str(null, 'Name of the run folder (default: grpo-<date>-<time>).'),
  seed: int(42, 'Seed of every random choice: data order, sampling, initialisation.'),
  device: str('auto', 'ONNX Runtime device: auto tries cuda, then webgpu, then cpu.', DEVICES),
  policy: str('policy-tiny', 'The policy: "policy-tiny" (embedded) or a Hugging Face model folder.'),
  dataset: str('synthetic', 'Prompts: "synthetic" (lobster-style, seed 42) or a JSONL file (prompt, optional modality, completion, ...).'),
  eval_dataset: str(null, 'Held-out prompts for evaluation (default: the synthetic validation split, or 5% of a JSONL).'),
  max_samples: int(null, 'Use at most this many training prompts.', 1, { nullable: true }),
  max_prompt_length: int(512, 'Longest prompt in tokens (longer prompts are cut from the left, as TRL does).', 1),
  // --- Hugging Face policies (TRL's ModelConfig / peft's LoraConfig names; docs/policies.md)
  use_peft: bool(false, 'Hugging Face policies: train LoRA adapters (peft) instead of every weight; the base stays frozen and is shared with the KL reference. GPT-2\'s Conv1D layers too (fan_in_fan_out, as peft sets it).'),
  lora_r: int(16, 'LoRA rank (TRL ModelConfig default 16).', 1),
  lora_alpha: num(32, 'LoRA alpha: the adapter update is scaled by lora_alpha / lora_r (TRL default 32).', { min: 0, minExclusive: true }),
  lora_dropout: num(0, 'LoRA dropout (peft\'s lora_dropout; TRL\'s default 0.05): the adapter branch\'s input features are dropped with this probability in the update\'s forward, with masks drawn from the seed and each micro-batch, so resume stays exact. Must be below 1.', { min: 0, max: 1 }),
  lora_target_modules: str(null, 'Projections that get adapters: comma-separated module names or all-linear (every projection but the output head). Llama, Mistral, Qwen: q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj (default q_proj,v_proj); GPT-2: c_attn,c_proj,c_fc (c_proj is both attn.c_proj and mlp.c_proj; default c_attn). peft\'s defaults.'),
  apply_chat_template: bool(false, 'Hugging Face policies: send each text prompt as one user message through the model\'s chat template, with the generation prompt (TRL templates only conversational datasets; text prompts go in as they are).'),
  // --- policy-tiny
  smiles_grammar: bool(false, 'policy-tiny: sample SMILES under a syntax constraint (balanced branches, rings closed before <eos>; engine/policy/tiny/smiles-grammar.ts), in sampling and in every log-prob, so GRPO stays exact.'),
  // --- optimisation (TrainingArguments)
  learning_rate: num(1e-6, 'AdamW learning rate (TRL default 1e-6).', { min: 0 }),
  lr_scheduler_type: str('linear', 'Learning-rate schedule (transformers names).', SCHEDULERS),
  warmup_steps: int(0, 'Linear warmup steps (overrides warmup_ratio when > 0).'),
  warmup_ratio: num(0, 'Warmup as a fraction of the total steps.', { min: 0, max: 1 }),
  min_lr_rate: num(0, 'cosine_with_min_lr: the floor as a fraction of learning_rate.', { min: 0, max: 1 }),
  weight_decay: num(0, 'AdamW decoupled weight decay (on matrices, not norms or biases).', { min: 0 }),
  adam_beta1: num(0.9, 'AdamW beta1.', { min: 0, max: 1 }),
  adam_beta2: num(0.999, 'AdamW beta2.', { min: 0, max: 1 }),
  adam_epsilon: num(1e-8, 'AdamW epsilon.', { min: 0, minExclusive: true }),
  max_grad_norm: num(1.0, 'Clip the global gradient norm to this (0 disables clipping).', { min: 0 }),
  num_train_epochs: num(3, 'Passes over the training prompts (ignored when max_steps > 0).', { min: 0, minExclusive: true }),
  max_steps: int(-1, 'Optimizer steps to run (-1: from num_train_epochs). Also the stage cap of REINVENT-style early stopping.', -1),
  per_device_train_batch_size: int(8, 'Completions per micro-batch (TRL: the train batch size).', 1),
  gradient_accumulation_steps: int(1, 'Micro-batches per optimizer step.', 1),
  logging_steps: int(1, 'Write metrics and completions every this many steps (TRL default 10).', 1),
  save_steps: int(50, 'Checkpoint every this many steps (TRL default 500).', 1),
  save_total_limit: int(null, 'Keep only the newest N checkpoints (default: all).', 1, { nullable: true }),
  eval_steps: int(null, 'Evaluate held-out prompts every this many steps and write a generation log (default: only at the end).', 1, { nullable: true }),
  // --- generation (GRPOConfig)
  num_generations: int(8, 'Completions per prompt (the group); at least 2.', 2),
  generation_batch_size: int(null, 'Completions per generation round (default: per_device_train_batch_size x steps_per_generation).', 1, { nullable: true }),
  steps_per_generation: int(null, 'Micro-batches per generation round (default: gradient_accumulation_steps).', 1, { nullable: true }),
  max_completion_length: int(128, 'Most tokens per completion (TRL 1.9: 256; 128 for policy-tiny, see docs/training.md).', 1),
  temperature: num(1.0, 'Sampling temperature (the log-probs of the loss are taken at it, as TRL does).', { min: 0, minExclusive: true }),
  top_p: num(1.0, 'Nucleus sampling (1.0: off).', { min: 0, max: 1, minExclusive: true }),
  top_k: int(0, 'Keep the k most likely tokens (0: off).'),
  min_p: num(null, 'Drop tokens below min_p x the top probability (null: off).', { min: 0, max: 1 }),
  repetition_penalty: num(1.0, 'HF repetition penalty (1.0: off).', { min: 0, minExclusive: true }),
  // --- GRPO loss
  num_iterations: int(1, 'Updates per generation batch (mu in the GRPO paper).', 1),
  beta: num(0.0, 'KL coefficient against the frozen reference policy (0: no reference, TRL default).', { min: 0 }),
  epsilon: num(0.2, 'Lower clipping range.', { min: 0 }),
  epsilon_high: num(null, 'Upper clipping range (default: epsilon; DAPO uses 0.28).', { min: 0 }),
  delta: num(null, 'Two-sided clipping: cap the importance weight at delta (null: off).', { min: 0, minExclusive: true }),
  loss_type: str('dapo', 'Loss aggregation/formula.', LOSS_TYPES),
  scale_rewards: str('group', 'Divide advantages by the std of the group, the batch, or not at all.', SCALE_REWARDS),
  importance_sampling_level: str('token', 'token (GRPO) or sequence (GSPO) importance weights.', IS_LEVELS),
  mask_truncated_completions: bool(false, 'Leave completions cut at max_completion_length out of the loss.'),
  top_entropy_quantile: num(1.0, 'Train only on the tokens in this top fraction of entropy (1.0: all; 0: only the highest-entropy tokens).', { min: 0, max: 1 }),
  sapo_temperature_pos: num(1.0, 'SAPO temperature for positive advantages.', { min: 0, minExclusive: true }),
  sapo_temperature_neg: num(1.05, 'SAPO temperature for negative advantages.', { min: 0, minExclusive: true }),
  multi_objective_aggregation: str('sum_then_normalize', 'How several reward functions combine (TRL).', AGGREGATIONS),
  reward_weights: { kind: { type: 'numbers', nullable: true }, default: null, doc: 'Weight per reward function (default: 1 each).' } as KeySpec,
  // --- beyond TRL
  dynamic_sampling: bool(false, 'DAPO dynamic sampling: drop groups whose rewards all tie and generate more to refill the batch.'),
  max_dynamic_sampling_rounds: int(3, 'Extra generation rounds dynamic sampling may spend per step before it trains on what it has.', 0),
  max_score: num(null, 'REINVENT staged early stop: stop when the mean reward reaches this (after min_steps).'),
  min_steps: int(0, 'Steps before max_score may stop the run.'),
  // --- rewards
  reward_function: str('single', 'single: the UME reward; multi: a reward config (default mix when none given).', ['single', 'multi']),
  reward_config: str(null, 'A reward config JSON file (docs/rewards.md).'),
  ume_model: str(null, 'UME weights for the reward (default: the embedded ume-tiny).'),
  ume_mode: str('unmasked', 'PLL mode of the UME reward: unmasked is lobster\'s (one pass; ume-tiny is trained for it), masked/sampled cost more.', ['masked', 'unmasked', 'sampled']),
  ume_temperature: num(0.1, 'reward = PLL / ume_temperature (lobster 0.1).', { min: 0, minExclusive: true }),
  // --- logging
  enable_generation_logging: bool(true, 'Write generation_logs/generation_log_step_N.json at each evaluation.'),
  generation_log_dir: str(null, 'Folder of the generation logs (default: RUN/generation_logs).'),
  max_generation_samples: int(32, 'Completions per evaluation, cycling through the held-out prompts.', 1),
} satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof CONFIG_KEYS;

export interface GrpoConfig {
  output_dir: string;
  run_name: string | null;
  seed: number;
  device: (typeof DEVICES)[number];
  policy: string;
  dataset: string;
  eval_dataset: string | null;
  max_samples: number | null;
  max_prompt_length: number;
  use_peft: boolean;
  lora_r: number;
  lora_alpha: number;
  lora_dropout: number;
  lora_target_modules: string | null;
  apply_chat_template: boolean;
  smiles_grammar: boolean;
  learning_rate: number;
  lr_scheduler_type: (typeof SCHEDULERS)[number];
  warmup_steps: number;
  warmup_ratio: number;
  min_lr_rate: number;
  weight_decay: number;
  adam_beta1: number;
  adam_beta2: number;
  adam_epsilon: number;
  max_grad_norm: number;
  num_train_epochs: number;
  max_steps: number;
  per_device_train_batch_size: number;
  gradient_accumulation_steps: number;
  logging_steps: number;
  save_steps: number;
  save_total_limit: number | null;
  eval_steps: number | null;
  num_generations: number;
  generation_batch_size: number | null;
  steps_per_generation: number | null;
  max_completion_length: number;
  temperature: number;
  top_p: number;
  top_k: number;
  min_p: number | null;
  repetition_penalty: number;
  num_iterations: number;
  beta: number;
  epsilon: number;
  epsilon_high: number | null;
  delta: number | null;
  loss_type: (typeof LOSS_TYPES)[number];
  scale_rewards: (typeof SCALE_REWARDS)[number];
  importance_sampling_level: (typeof IS_LEVELS)[number];
  mask_truncated_completions: boolean;
  top_entropy_quantile: number;
  sapo_temperature_pos: number;
  sapo_temperature_neg: number;
  multi_objective_aggregation: (typeof AGGREGATIONS)[number];
  reward_weights: number[] | null;
  dynamic_sampling: boolean;
  max_dynamic_sampling_rounds: number;
  max_score: number | null;
  min_steps: number;
  reward_function: 'single' | 'multi';
  reward_config: string | null;
  ume_model: string | null;
  ume_mode: 'masked' | 'unmasked' | 'sampled';
  ume_temperature: number;
  enable_generation_logging: boolean;
  generation_log_dir: string | null;
  max_generation_samples: number;
}

/** A resolved config: every key set, generation batch and steps per generation derived. */
export type ResolvedGrpoConfig = GrpoConfig & { generation_batch_size: number; steps_per_generation: number; run_name: string };

/** Keys a resume may change without changing the run (where it is written, how it is shown, on which device). */
export const RESUME_MUTABLE_KEYS: readonly ConfigKey[] = ['output_dir', 'run_name', 'device', 'max_steps', 'num_train_epochs', 'eval_steps', 'enable_generation_logging', 'generation_log_dir', 'max_generation_samples', 'save_total_limit'];

export const PRESETS: Record<'quick-test' | 'production', Partial<GrpoConfig>> = {
  // ~4-6 minutes on a 2-core CPU (README): 40 steps of 4 prompts x 8 completions.
  'quick-test': { learning_rate: 5e-5, max_steps: 40, per_device_train_batch_size: 32, num_generations: 8, max_completion_length: 96, save_steps: 10, eval_steps: 20, max_generation_samples: 24, warmup_steps: 0, lr_scheduler_type: 'constant' },
  production: { learning_rate: 5e-5, num_train_epochs: 3, per_device_train_batch_size: 32, num_generations: 8, save_steps: 50, eval_steps: 50, save_total_limit: 3, warmup_ratio: 0.05, beta: 0.04, max_generation_samples: 64 },
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function configDefaults(): GrpoConfig {
  return Object.fromEntries(Object.entries(CONFIG_KEYS).map(([k, s]) => [k, structuredClone(s.default)])) as unknown as GrpoConfig;
}

function checkValue(key: string, spec: KeySpec, v: unknown): string | undefined {
  const k = spec.kind;
  if (v === null) return 'nullable' in k && k.nullable ? undefined : `${key} cannot be null`;
  switch (k.type) {
    case 'boolean':
      return typeof v === 'boolean' ? undefined : `${key} must be true or false, got ${JSON.stringify(v)}`;
    case 'string':
      if (typeof v !== 'string') return `${key} must be a string, got ${JSON.stringify(v)}`;
      if (k.values && !k.values.includes(v)) return `${key} "${v}" is not valid${didYouMean(v, k.values)}: use one of ${k.values.join(', ')}`;
      return undefined;
    case 'numbers':
      return Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x)) ? undefined : `${key} must be a list of numbers, got ${JSON.stringify(v)}`;
    case 'number': {
      if (typeof v !== 'number' || !Number.isFinite(v)) return `${key} must be a finite number, got ${JSON.stringify(v)}`;
      if (k.integer && !Number.isInteger(v)) return `${key} must be an integer, got ${v}`;
      if (k.min !== undefined && (v < k.min || (k.minExclusive && v === k.min))) return `${key} must be ${k.minExclusive ? '>' : '>='} ${k.min}, got ${v}`;
      if (k.max !== undefined && v > k.max) return `${key} must be <= ${k.max}, got ${v}`;
      return undefined;
    }
  }
}

/** Parses a command-line or settings value for `key` (numbers, booleans, null, lists) by the key's kind. */
export function parseValue(key: string, text: string): unknown {
  const spec = (CONFIG_KEYS as Record<string, KeySpec>)[key];
  if (!spec) throw new ConfigError(`unknown setting "${key}"${didYouMean(key, Object.keys(CONFIG_KEYS))}`);
  if (text === 'null' || text === 'none' || text === 'None') return null;
  switch (spec.kind.type) {
    case 'number': {
      const v = Number(text);
      if (text.trim() === '' || Number.isNaN(v)) throw new ConfigError(`${key} must be a number, got "${text}"`);
      return v;
    }
    case 'boolean':
      if (['true', '1', 'yes'].includes(text.toLowerCase())) return true;
      if (['false', '0', 'no'].includes(text.toLowerCase())) return false;
      throw new ConfigError(`${key} must be true or false, got "${text}"`);
    case 'numbers':
      return text.split(',').map((s) => {
        const v = Number(s);
        if (s.trim() === '' || Number.isNaN(v)) throw new ConfigError(`${key} must be comma-separated numbers, got "${text}"`);
        return v;
      });
    default:
      return text;
  }
}

export function isConfigKey(key: string): key is ConfigKey {
  return Object.hasOwn(CONFIG_KEYS, key);
}

/**
 * Layers (defaults < preset < config file < overrides), checks every key and value, derives the
 * generation batch, and checks the settings against each other. Every problem is reported at once.
 */
export function resolveConfig(layers: ReadonlyArray<Record<string, unknown>>, now: Date = new Date()): ResolvedGrpoConfig {
  const problems: string[] = [];
  const merged: Record<string, unknown> = { ...configDefaults() };
  for (const layer of layers) {
    for (const [key, v] of Object.entries(layer)) {
      if (v === undefined) continue;
      if (!isConfigKey(key)) {
        problems.push(`unknown setting "${key}"${didYouMean(key, Object.keys(CONFIG_KEYS))}`);
        continue;
      }
      merged[key] = v;
    }
  }
  for (const [key, spec] of Object.entries(CONFIG_KEYS) as Array<[string, KeySpec]>) {
    const p = checkValue(key, spec, merged[key]);
    if (p) problems.push(p);
  }
  if (problems.length) throw new ConfigError(problems.length === 1 ? problems[0]! : `${problems.length} problems in the training config:\n  - ${problems.join('\n  - ')}`);
  const c = merged as unknown as GrpoConfig;
  derive(c, problems);
  if (problems.length) throw new ConfigError(problems.length === 1 ? problems[0]! : `${problems.length} problems in the training config:\n  - ${problems.join('\n  - ')}`);
  if (c.run_name === null) c.run_name = defaultRunName(now);
  return c as ResolvedGrpoConfig;
}

function multiplesOf(n: number, count = 3): string {
  return Array.from({ length: count }, (_, i) => n * (i + 1)).join(', ');
}

/** TRL's GRPOConfig.__post_init__ rules, with messages that say what would work. */
function derive(c: GrpoConfig, problems: string[]): void {
  const B = c.per_device_train_batch_size;
  if (c.generation_batch_size !== null && c.steps_per_generation !== null) {
    problems.push("generation_batch_size and steps_per_generation cannot both be set: set one (the other follows from per_device_train_batch_size)");
    return;
  }
  if (c.generation_batch_size === null && c.steps_per_generation === null) {
    c.steps_per_generation = c.gradient_accumulation_steps;
    c.generation_batch_size = B * c.steps_per_generation;
  } else if (c.generation_batch_size !== null) {
    if (c.generation_batch_size % B !== 0) {
      problems.push(`generation_batch_size ${c.generation_batch_size} is not divisible by per_device_train_batch_size ${B}: use ${multiplesOf(B)}`);
      return;
    }
    c.steps_per_generation = c.generation_batch_size / B;
  } else {
    c.generation_batch_size = B * c.steps_per_generation!;
  }
  const G = c.num_generations;
  if (c.generation_batch_size % G !== 0) {
    const lcm = (B * G) / gcd(B, G);
    problems.push(
      `generation batch ${c.generation_batch_size} (per_device_train_batch_size ${B} x steps_per_generation ${c.steps_per_generation}) is not divisible by num_generations ${G}: ` +
        `use a generation batch of ${multiplesOf(lcm)} (e.g. per_device_train_batch_size ${lcm}), or num_generations ${divisors(c.generation_batch_size).filter((d) => d >= 2).slice(0, 6).join(', ')}`,
    );
  }
  if (c.epsilon_high !== null && c.epsilon_high < c.epsilon) problems.push(`epsilon_high ${c.epsilon_high} is below epsilon ${c.epsilon}: the upper clip range must be at least the lower one (DAPO uses 0.2 and 0.28)`);
  if (c.reward_function === 'single' && c.reward_config !== null) problems.push('reward_config is set but reward_function is "single" (the UME reward): use reward_function multi to train on a reward config');
  if (c.max_score !== null && c.max_steps < 1 && !(c.num_train_epochs > 0)) problems.push('max_score needs max_steps or num_train_epochs as the stage cap');
  if (c.min_steps > 0 && c.max_steps > 0 && c.min_steps > c.max_steps) problems.push(`min_steps ${c.min_steps} is more than max_steps ${c.max_steps}`);
  if (c.warmup_steps > 0 && c.max_steps > 0 && c.warmup_steps > c.max_steps) problems.push(`warmup_steps ${c.warmup_steps} is more than max_steps ${c.max_steps}`);
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function divisors(n: number): number[] {
  const out: number[] = [];
  for (let d = 1; d <= n; d++) if (n % d === 0) out.push(d);
  return out;
}

function defaultRunName(now: Date): string {
  const p = (x: number) => String(x).padStart(2, '0');
  return `grpo-${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
}

/** Total optimizer steps: max_steps, or the epochs' worth of prompts. */
export function totalSteps(c: ResolvedGrpoConfig, trainPrompts: number): number {
  if (c.max_steps > 0) return c.max_steps;
  const promptsPerGeneration = c.generation_batch_size / c.num_generations;
  const generationsPerEpoch = Math.max(1, Math.floor(trainPrompts / promptsPerGeneration));
  const microPerGeneration = c.steps_per_generation * c.num_iterations;
  return Math.max(1, Math.ceil((generationsPerEpoch * microPerGeneration * c.num_train_epochs) / c.gradient_accumulation_steps));
}

/** The key documentation, for --help, docs/training.md and the editor's settings. */
export function describeKeys(): Array<{ key: ConfigKey; default: unknown; doc: string; values?: readonly string[] }> {
  return (Object.entries(CONFIG_KEYS) as Array<[ConfigKey, KeySpec]>).map(([key, s]) => ({ key, default: s.default, doc: s.doc, ...(s.kind.type === 'string' && s.kind.values ? { values: s.kind.values } : {}) }));
}
