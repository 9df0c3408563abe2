// The RewardFunction interface: what the GRPO trainer, `ume-studio reward` and the editor call to
// score completions. Batched and async; a function may abstain on a row (null with a reason), and
// an abstention is never turned into 0 or into the best score (lobster's defect: an internal error
// returned PLL 0.0, the best reward). TRL's semantics follow from that: a null is NaN in the
// weighted sum, and a row where every function abstains has no reward and no advantage.
//
// The multi-component library (REINVENT-style components, transforms, diversity filters) builds
// RewardFunctions; the trainer receives a list of them with TRL's `reward_weights` and applies
// `multi_objective_aggregation` itself.

import type { Modality } from '../seq/types';

export interface RewardInput {
  /** The prompt as the dataset gave it (text). */
  prompt: string;
  /** The completion text (policy-tiny: tagged, e.g. "<smiles>CCO</smiles>"). */
  completion: string;
  /** The modality the prompt asked for, when known. */
  modality?: Modality | null;
  /** Dataset columns of the row (e.g. a retrieval target), as TRL passes **kwargs. */
  columns?: Readonly<Record<string, unknown>>;
}

/** One component of a composite reward, as logged per completion. */
export interface ComponentScore {
  /** The component's raw measurement (e.g. QED 0.71, PLL -1.9); null when it could not be measured. */
  raw: number | null;
  /** After its transform (what is weighted); null when raw is null. */
  value: number | null;
  error?: string;
}

export interface RewardResult {
  /** null: this function cannot judge the row (reason says why). */
  value: number | null;
  reason?: string;
  /** Why a row got a penalty rather than a measurement (e.g. "no-tag", "invalid-smiles", "unk-tokens"). */
  kind?: string;
  /** The modality the function judged the completion as. */
  modality?: Modality | null;
  /** Per-component detail for composite rewards (shown in completions/step_N.jsonl and the dashboard). */
  components?: Record<string, ComponentScore>;
}

export interface RewardScoreOptions {
  signal?: AbortSignal;
}

export interface RewardFunction {
  /** Name in logs: metrics `rewards/<name>/mean|std`, completion rows, `step_time/reward/<name>`. */
  readonly name: string;
  /**
   * Scores a batch; must return exactly one result per input, in order (the trainer refuses a
   * wrong-length answer with an error naming the function).
   */
  score(inputs: readonly RewardInput[], options?: RewardScoreOptions): Promise<RewardResult[]>;
  /** Frees workers, models, caches. */
  close?(): Promise<void>;
  /**
   * Seconds each part took in the last score() call, by name (a composite's components; a
   * component function reports itself). The trainer logs them as `step_time/reward/<name>`.
   * Optional: functions without it are timed by the trainer as a whole.
   */
  lastTimings?(): Record<string, number>;
}

/** Checks a function's answer; the error names the function and what was wrong. */
export function checkRewardResults(fn: Pick<RewardFunction, 'name'>, inputs: readonly unknown[], results: unknown): RewardResult[] {
  if (!Array.isArray(results)) throw new Error(`reward function "${fn.name}" returned ${typeof results}, not a list of results; return one result per completion`);
  if (results.length !== inputs.length) {
    throw new Error(`reward function "${fn.name}" returned ${results.length} results for ${inputs.length} completions; return exactly one per completion (null value to abstain)`);
  }
  results.forEach((r: unknown, i) => {
    const v = (r as RewardResult | null)?.value;
    if (r === null || typeof r !== 'object' || !(v === null || typeof v === 'number')) {
      throw new Error(`reward function "${fn.name}" result ${i} is ${JSON.stringify(r)}; expected {value: number | null, reason?}`);
    }
    if (typeof v === 'number' && !Number.isFinite(v)) {
      throw new Error(`reward function "${fn.name}" returned ${v} for completion ${i}; return null with a reason when a completion cannot be scored`);
    }
  });
  return results as RewardResult[];
}
