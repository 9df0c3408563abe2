// The reward config (a JSON file users write; `ume-studio reward --config`, GRPO runs, the editor):
// a list of components, each measured per completion, optionally transformed (REINVENT's
// transforms), then weighted and aggregated. Schema: reward-config.schema.json beside this file;
// every key is described in docs/rewards.md. The engine checks configs in engine/rewards/config.ts
// (unknown keys and names fail with the nearest valid one).

export const REWARD_COMPONENT_TYPES = [
  'ume',
  'validity',
  'length',
  'qed',
  'mw',
  'clogp',
  'tpsa',
  'hbd',
  'hba',
  'rotatable_bonds',
  'rings',
  'aromatic_rings',
  'heavy_atoms',
  'smarts',
  'similarity',
  'sa_score',
  'kmer_novelty',
  'linguistic_complexity',
  'composition',
  'retrieval',
  'diversity_filter',
] as const;
export type RewardComponentType = (typeof REWARD_COMPONENT_TYPES)[number];

export const REWARD_TRANSFORM_TYPES = ['sigmoid', 'reverse_sigmoid', 'double_sigmoid', 'step', 'left_step', 'right_step', 'value_mapping', 'exponential_decay'] as const;
export type RewardTransformType = (typeof REWARD_TRANSFORM_TYPES)[number];

/** weighted_sum: TRL (the trainer sums w_k r_k over the components); the means: REINVENT. */
export const REWARD_AGGREGATIONS = ['weighted_sum', 'arithmetic_mean', 'geometric_mean'] as const;
export type RewardAggregation = (typeof REWARD_AGGREGATIONS)[number];

export interface RewardTransformConfig {
  type: RewardTransformType;
  low?: number;
  high?: number;
  k?: number;
  coef_div?: number;
  coef_si?: number;
  coef_se?: number;
  mapping?: Record<string, number>;
}

export interface RewardComponentConfig {
  /** Unique; logs show `rewards/<name>` and `step_time/reward/<name>`. */
  name: string;
  type: RewardComponentType;
  /** Default 1; >= 0. */
  weight?: number;
  /** Type-specific parameters (docs/rewards.md lists them per type). */
  params?: Record<string, unknown>;
  transform?: RewardTransformConfig;
}

/** How completions without a tag pair are read: detect their modality (default) or refuse them. */
export type UntaggedPolicy = 'detect' | 'reject';

export interface RewardConfig {
  $schema?: string;
  /** Default "weighted_sum". */
  aggregation?: RewardAggregation;
  /** Name of the composite function under the means (default "reward"). */
  name?: string;
  untagged?: UntaggedPolicy;
  components: RewardComponentConfig[];
}

/** What `ume-studio reward --json` prints per record (and the editor shows). */
export interface RewardRecordReport {
  id: string;
  sequence: string;
  modality: string | null;
  components: Record<string, { raw: number | null; value: number | null; error?: string }>;
  total: number | null;
  /** Why the total is null, when it is. */
  reason?: string;
}

/** `ume/scoreWithRewardConfig`: score every sequence of a document with a reward config (the editor's command). */
export interface RewardScoreParams {
  /** URI of an open document, or a file: URI the server can read. */
  uri: string;
  /** The reward config: an absolute file path (the client resolves workspace-relative ones). */
  config: string;
  /**
   * The client's word that the workspace is trusted. A reward config reads files (references, UME
   * weights) and loads models, so the server refuses the request without it.
   */
  trusted: boolean;
  /** LSP work-done progress token; the server reports "k/n sequences". */
  workDoneToken?: string | number;
}

export interface RewardScoreRecord extends RewardRecordReport {
  /** Where the sequence stands in the document (LSP range, 0-based). */
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

export interface RewardScoreResult {
  uri: string;
  /** Version of the open document scored, or null when read from disk. */
  version: number | null;
  /** The config file scored with. */
  config: string;
  aggregation: RewardAggregation;
  /** Component names in the config's order (the table's columns). */
  components: string[];
  /** One per detected sequence, in document order. */
  records: RewardScoreRecord[];
  /** What a translated seed-003 config's keys became (empty for a native config). */
  notes: string[];
  /** True when only the first part of a large file was analysed. */
  truncated: boolean;
}

/** Client -> server: whether the workspace is trusted (sent on start and when trust is granted). */
export interface WorkspaceTrustParams {
  trusted: boolean;
}
