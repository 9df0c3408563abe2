// The settings that shape the GRPO loss and advantages, with TRL 1.9's names and defaults
// (trl/trainer/grpo_config.py at tag v1.9.0), and a checker whose messages name the valid values.
// The trainer's full run config (engine/training/config.ts) carries the same keys and passes them
// here; this file is what the loss code and `ume-studio grpo-loss` read.

import { didYouMean } from '../util/nearest-name';

export const LOSS_TYPES = ['grpo', 'bnpo', 'dr_grpo', 'dapo', 'cispo', 'sapo'] as const;
export const SCALE_REWARDS = ['group', 'batch', 'none'] as const;
export const IMPORTANCE_SAMPLING_LEVELS = ['token', 'sequence'] as const;
export const MULTI_OBJECTIVE_AGGREGATIONS = ['sum_then_normalize', 'normalize_then_sum'] as const;

export type LossType = (typeof LOSS_TYPES)[number];
export type ScaleRewards = (typeof SCALE_REWARDS)[number];
export type ImportanceSamplingLevel = (typeof IMPORTANCE_SAMPLING_LEVELS)[number];
export type MultiObjectiveAggregation = (typeof MULTI_OBJECTIVE_AGGREGATIONS)[number];

export interface GrpoLossSettings {
  /** Per-token formula and aggregation (loss-types.ts). */
  loss_type: LossType;
  /** Divide advantages by the std of the group, of the whole generation batch, or not at all. */
  scale_rewards: ScaleRewards;
  /** 'token': one importance weight per token; 'sequence' (GSPO): exp(mean log-ratio) per completion. */
  importance_sampling_level: ImportanceSamplingLevel;
  /** Lower clip range: weights below 1 - epsilon are clipped. */
  epsilon: number;
  /** Upper clip range (null: epsilon). For cispo it is the cap itself (ScaleRL's eps_max, 5.0 recommended). */
  epsilon_high: number | null;
  /** Two-sided clipping (INTELLECT-2): the unclipped weight is capped at delta. null: off. */
  delta: number | null;
  /** Coefficient of the k3 KL estimate to the reference policy (0: no reference). */
  beta: number;
  /** Completions per prompt (the group). */
  num_generations: number;
  /** dr_grpo divides by B * max_completion_length. */
  max_completion_length: number;
  /** Keep only the top fraction of tokens by entropy in the policy term (1.0: all tokens). */
  top_entropy_quantile: number;
  sapo_temperature_pos: number;
  sapo_temperature_neg: number;
  multi_objective_aggregation: MultiObjectiveAggregation;
  /** grpo, bnpo, dr_grpo and sapo divide each micro-batch's loss by it (dapo/cispo use the token count). */
  gradient_accumulation_steps: number;
}

/**
 * TRL 1.9.0's GRPOConfig defaults. max_completion_length is 256 in the v1.9.0 release; TRL's main
 * branch changed it to 512 after the release (huggingface/trl#6264). gradient_accumulation_steps is
 * transformers' TrainingArguments default.
 */
export const GRPO_LOSS_DEFAULTS: Readonly<GrpoLossSettings> = Object.freeze({
  loss_type: 'dapo',
  scale_rewards: 'group',
  importance_sampling_level: 'token',
  epsilon: 0.2,
  epsilon_high: null,
  delta: null,
  beta: 0.0,
  num_generations: 8,
  max_completion_length: 256,
  top_entropy_quantile: 1.0,
  sapo_temperature_pos: 1.0,
  sapo_temperature_neg: 1.05,
  multi_objective_aggregation: 'sum_then_normalize',
  gradient_accumulation_steps: 1,
});

export const GRPO_LOSS_KEYS = Object.keys(GRPO_LOSS_DEFAULTS) as ReadonlyArray<keyof GrpoLossSettings>;

export class GrpoSettingsError extends Error {
  override readonly name = 'GrpoSettingsError';
  constructor(readonly problems: readonly string[]) {
    super(problems.length === 1 ? problems[0]! : `${problems.length} problems in the GRPO loss settings:\n  - ${problems.join('\n  - ')}`);
  }
}

type Check = (v: unknown) => string | undefined;

const show = (v: unknown): string => (typeof v === 'string' ? `"${v}"` : typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v)));

function choice(values: readonly string[], note = ''): Check {
  return (v) => {
    if (typeof v === 'string' && values.includes(v)) return undefined;
    const hint = typeof v === 'string' ? didYouMean(v, values) : '';
    return `is ${show(v)}${hint}: use one of ${values.join(', ')}${note}`;
  };
}

function number(opts: { min?: number; max?: number; minExclusive?: boolean; integer?: boolean; nullable?: boolean }): Check {
  return (v) => {
    if (v === null && opts.nullable) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) return `must be a finite number${opts.nullable ? ' or null' : ''}, got ${show(v)}`;
    if (opts.integer && !Number.isInteger(v)) return `must be an integer, got ${v}`;
    if (opts.min !== undefined && (v < opts.min || (opts.minExclusive && v === opts.min))) return `must be ${opts.minExclusive ? '>' : '>='} ${opts.min}, got ${v}`;
    if (opts.max !== undefined && v > opts.max) return `must be <= ${opts.max}, got ${v}`;
    return undefined;
  };
}

/** One check per key (kept apart from the resolution below). */
const CHECKS: Record<keyof GrpoLossSettings, Check> = {
  loss_type: choice(LOSS_TYPES, " (TRL's luspo and vespo are not implemented)"),
  scale_rewards: choice(SCALE_REWARDS, ' (true and false mean group and none, as in TRL)'),
  importance_sampling_level: choice(IMPORTANCE_SAMPLING_LEVELS),
  epsilon: number({ min: 0 }),
  epsilon_high: number({ min: 0, nullable: true }),
  delta: number({ min: 0, minExclusive: true, nullable: true }),
  beta: number({ min: 0 }),
  num_generations: number({ min: 2, integer: true }),
  max_completion_length: number({ min: 1, integer: true }),
  top_entropy_quantile: number({ min: 0, max: 1 }),
  sapo_temperature_pos: number({ min: 0, minExclusive: true }),
  sapo_temperature_neg: number({ min: 0, minExclusive: true }),
  multi_objective_aggregation: choice(MULTI_OBJECTIVE_AGGREGATIONS),
  gradient_accumulation_steps: number({ min: 1, integer: true }),
};

const isKey = (k: string): k is keyof GrpoLossSettings => Object.hasOwn(GRPO_LOSS_DEFAULTS, k);

/**
 * Defaults overlaid with `given`, every value checked. Unknown keys are refused with the nearest
 * valid name unless `ignoreUnknown` (a caller passing a whole run config). TRL's boolean
 * scale_rewards (true -> group, false -> none) is accepted. All problems are reported at once.
 */
export function resolveGrpoLossSettings(given: Readonly<Record<string, unknown>> = {}, options: { ignoreUnknown?: boolean } = {}): GrpoLossSettings {
  const problems: string[] = [];
  const merged: Record<string, unknown> = { ...GRPO_LOSS_DEFAULTS };
  for (const [key, raw] of Object.entries(given)) {
    if (raw === undefined) continue;
    if (!isKey(key)) {
      if (!options.ignoreUnknown) problems.push(`unknown setting "${key}"${didYouMean(key, GRPO_LOSS_KEYS)}; the loss settings are ${GRPO_LOSS_KEYS.join(', ')}`);
      continue;
    }
    merged[key] = key === 'scale_rewards' && typeof raw === 'boolean' ? (raw ? 'group' : 'none') : raw;
  }
  for (const key of GRPO_LOSS_KEYS) {
    const p = CHECKS[key](merged[key]);
    if (p) problems.push(`${key} ${p}`);
  }
  if (problems.length) throw new GrpoSettingsError(problems);
  return merged as unknown as GrpoLossSettings;
}

/** Checks a complete settings object (e.g. built in code); throws GrpoSettingsError. */
export function validateGrpoLossSettings(settings: GrpoLossSettings): GrpoLossSettings {
  const extra = Object.keys(settings).filter((k) => !isKey(k));
  const missing = GRPO_LOSS_KEYS.filter((k) => !Object.hasOwn(settings, k));
  const problems = [
    ...missing.map((k) => `${k} is missing (TRL's default is ${show(GRPO_LOSS_DEFAULTS[k])})`),
    ...extra.map((k) => `unknown setting "${k}"${didYouMean(k, GRPO_LOSS_KEYS)}`),
  ];
  if (problems.length) throw new GrpoSettingsError(problems);
  return resolveGrpoLossSettings(settings as unknown as Record<string, unknown>);
}

/** The clip ranges TRL derives: epsilon_low = epsilon, epsilon_high = epsilon_high ?? epsilon. */
export function clipRange(s: Pick<GrpoLossSettings, 'epsilon' | 'epsilon_high'>): { low: number; high: number } {
  return { low: s.epsilon, high: s.epsilon_high ?? s.epsilon };
}

/** TRL's warnings for settings that run but are probably not what was meant (and one of ours). */
export function grpoLossWarnings(s: GrpoLossSettings): string[] {
  const out: string[] = [];
  if (s.importance_sampling_level === 'sequence' && ['bnpo', 'dr_grpo', 'dapo', 'cispo'].includes(s.loss_type)) {
    out.push(
      `importance_sampling_level "sequence" with loss_type "${s.loss_type}" sums per-token contributions, which weights each sequence by its ` +
        'completion length instead of optimizing the per-sequence objective; GSPO uses loss_type "grpo" (TRL warns the same)',
    );
  }
  if (s.loss_type === 'cispo' && s.epsilon_high === null) {
    out.push(`loss_type "cispo" caps the importance weight at epsilon_high, which defaults to epsilon (${s.epsilon}); ScaleRL recommends epsilon_high 5.0`);
  }
  if (s.delta !== null && (s.loss_type === 'cispo' || s.loss_type === 'sapo')) {
    out.push(`delta has no effect with loss_type "${s.loss_type}" (only the clipped losses grpo, bnpo, dr_grpo and dapo use it)`);
  } else if (s.delta !== null && s.delta <= 1 + clipRange(s).high) {
    out.push(`delta ${s.delta} is not above 1 + epsilon_high (${1 + clipRange(s).high}); TRL recommends delta > 1 + epsilon`);
  }
  return out;
}
