// The run folder: what a GRPO run writes under OUTPUT_DIR/RUN_NAME/, read by the dashboard, the
// runs view, `ume-studio dashboard` and resume. Plain data types shared by trainer, server, client
// and webview; docs/run-format.md describes the files and server/src/protocol/run-format.schema.json
// is the JSON schema of each record.
//
// Files only grow by appends (metrics.jsonl, completions/step_N.jsonl are written whole once) so a
// reader can tail them from a byte cursor while the run writes; whole-file JSON (config.json,
// state.json, summary.json, status.json) is replaced atomically (temp + fsync + rename).

import type { Modality } from '../engine/seq/types';

export const RUN_FORMAT = 'ume-studio-run';

/**
 * The metadata of a run's safetensors files (checkpoints and final/). `format` is "pt" because
 * transformers' from_pretrained refuses any other value (it accepts pt/tf/flax/mlx); what wrote the
 * file is in `ume_studio_format`.
 */
export function runTensorMetadata(step: number): Record<string, string> {
  return { format: 'pt', ume_studio_format: RUN_FORMAT, step: String(step) };
}
export const RUN_FORMAT_VERSION = 1;

export const RUN_FILES = {
  config: 'config.json',
  metrics: 'metrics.jsonl',
  status: 'status.json',
  summary: 'summary.json',
  events: 'events.jsonl',
  completionsDir: 'completions',
  generationLogsDir: 'generation_logs',
  checkpointsDir: 'checkpoints',
  finalDir: 'final',
  policyFile: 'policy.safetensors',
  optimizerFile: 'optimizer.safetensors',
  stateFile: 'state.json',
} as const;

export const completionsFile = (step: number): string => `${RUN_FILES.completionsDir}/step_${step}.jsonl`;
export const generationLogFile = (step: number): string => `${RUN_FILES.generationLogsDir}/generation_log_step_${step}.json`;
export const checkpointName = (step: number): string => `checkpoint_step_${step}`;

/** config.json: every resolved setting (TRL names), plus where the run came from. */
export interface RunConfigFile {
  format: typeof RUN_FORMAT;
  version: number;
  run_name: string;
  created: string;
  /** sha256 of the canonical JSON of `config` minus keys that may change on resume (see docs). */
  config_hash: string;
  /** Every resolved training setting; keys are GrpoConfig's (TRL's names). */
  config: Record<string, unknown>;
  policy: { name: string; architecture: string; parameters: number; vocab_size: number };
  rewards: Array<{ name: string; weight: number; description?: string }>;
  dataset: { source: string; train_rows: number; eval_rows: number; modalities: Partial<Record<Modality, number>> };
  machine: { platform: string; cpus: number; node: string; provider: string };
}

/**
 * One line of metrics.jsonl per logging step. TRL's names, lobster's names and ours; every value is
 * a number except histograms. Keys absent when they do not apply (e.g. `kl` when beta = 0).
 */
export interface MetricsRow {
  step: number;
  epoch: number;
  /** Unix ms when the row was written. */
  wall_time: number;
  loss: number;
  grad_norm: number;
  learning_rate: number;
  num_tokens: number;
  reward: number;
  reward_std: number;
  frac_reward_zero_std: number;
  entropy: number;
  step_time: number;
  [name: string]: number | Histogram | null;
}

/** lobster's 20-bin histogram (train/reward_histogram). */
export interface Histogram {
  bins: number[];
  /** bins + 1 edges. */
  edges: number[];
}

/** One line of completions/step_N.jsonl: one completion of that step's generation batch. */
export interface CompletionRow {
  step: number;
  /** Index in the generation batch; group = Math.floor(index / num_generations). */
  index: number;
  group: number;
  prompt: string;
  completion: string;
  modality: Modality | null;
  /** Weighted total (TRL's aggregation), null when every function abstained. */
  reward: number | null;
  /** Per reward function (and per component of composite ones). */
  rewards: Record<string, number | null>;
  components?: Record<string, { raw: number | null; value: number | null; error?: string }>;
  /** Why a function abstained or penalised, by function name. */
  reasons?: Record<string, string>;
  advantage: number;
  /** Completion tokens (stop token included). */
  length: number;
  truncated: boolean;
  valid: boolean;
}

/** generation_logs/generation_log_step_N.json: held-out prompts scored at an eval, seed 003's shape. */
export interface GenerationLog {
  step: number;
  timestamp: string;
  model: string;
  num_samples: number;
  mean_reward: number | null;
  samples: Array<{ prompt: string; generated_text: string; reward: number | null; modality: Modality | null; length: number; valid: boolean }>;
  metrics: Record<string, number>;
}

/** checkpoints/checkpoint_step_N/state.json: everything besides tensors that exact resume needs. */
export interface CheckpointState {
  format: typeof RUN_FORMAT;
  version: number;
  step: number;
  epoch: number;
  config_hash: string;
  /** Rng states by use (sampling, data order, reward seeds). */
  rng: Record<string, [number, number, number, number]>;
  /** Position in the data order: epoch, permutation seed and index of the next prompt. */
  data: { epoch: number; cursor: number; order_seed: number };
  /** A generation batch kept for later steps (steps_per_generation > 1 or num_iterations > 1), else null. */
  pending_generation: unknown | null;
  /** Counters the metrics need (num_tokens, total samples, best reward). */
  counters: Record<string, number>;
  /** Bytes of metrics.jsonl at this checkpoint: resume truncates any rows logged after it. */
  metrics_bytes: number;
  wall_time: number;
}

export type RunState = 'running' | 'finished' | 'failed' | 'stopped';

/** status.json: the run's state for lists and status bars, rewritten atomically. */
export interface RunStatus {
  state: RunState;
  step: number;
  total_steps: number;
  pid: number | null;
  updated: string;
  best_reward: number | null;
  last_checkpoint: string | null;
  message?: string;
}

/** summary.json at the end: lobster's train/final_* and ours. */
export interface RunSummary {
  'train/final_mean_reward': number | null;
  'train/final_min_reward': number | null;
  'train/final_max_reward': number | null;
  'train/final_reward_std': number | null;
  'train/total_samples_processed': number;
  total_steps: number;
  wall_time_s: number;
  best_reward: number | null;
  best_step: number | null;
  stopped_by: 'max_steps' | 'epochs' | 'max_score' | 'signal' | 'nan' | 'error';
  [name: string]: unknown;
}
