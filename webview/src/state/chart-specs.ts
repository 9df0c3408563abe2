// Which charts the dashboard draws and what each one shows, as data: metric keys (TRL's, lobster's
// and ours, docs/run-format.md), bands, and the short notes on the charts people misread.
// Series whose keys depend on the run (reward functions, modalities) are found from its keys.

export interface SeriesSpec {
  key: string;
  label: string;
  /** Fill between this series and the one before it (a band), drawn without its own line. */
  band?: { lo: string; hi: string; label: string };
  /** Draw mean ± this key's value as a band around the line. */
  std?: string;
  /** Drawn as a stacked area (step time split). */
  stack?: boolean;
}

export interface ChartSpec {
  id: string;
  title: string;
  section: 'Rewards' | 'Optimization' | 'Completions' | 'Speed';
  /** Static series, and series found from the run's keys. */
  series: SeriesSpec[];
  dynamic?: (keys: readonly string[]) => SeriesSpec[];
  /** Custom drawing instead of lines. */
  kind?: 'line' | 'heat' | 'histogram';
  y?: { min?: number; max?: number; percent?: boolean; log?: boolean };
  /** A short explanation shown under the title. */
  note?: string;
}

const modalityLabel = (m: string): string => ({ smiles: 'SMILES', amino_acid: 'protein', nucleotide: 'DNA/RNA', SMILES: 'SMILES' })[m] ?? m;

const match = (keys: readonly string[], re: RegExp, label: (m: RegExpExecArray) => string, extra: (m: RegExpExecArray) => Partial<SeriesSpec> = () => ({})): SeriesSpec[] =>
  keys.flatMap((k) => {
    const m = re.exec(k);
    return m ? [{ key: k, label: label(m), ...extra(m) }] : [];
  });

export const CHARTS: readonly ChartSpec[] = [
  {
    id: 'reward',
    title: 'Reward: mean, min–max and ± std',
    section: 'Rewards',
    series: [{ key: 'train/mean_reward', label: 'mean reward', band: { lo: 'train/min_reward', hi: 'train/max_reward', label: 'min–max' }, std: 'reward_std' }],
  },
  {
    id: 'reward-components',
    title: 'Reward functions (mean of each)',
    section: 'Rewards',
    series: [],
    dynamic: (keys) => match(keys, /^rewards\/(.+)\/mean$/, (m) => m[1]!),
  },
  {
    id: 'modality-reward',
    title: 'Mean reward per modality',
    section: 'Rewards',
    series: [],
    dynamic: (keys) => match(keys, /^train\/modality_(.+)\/mean_reward$/, (m) => modalityLabel(m[1]!)),
  },
  {
    id: 'modality-count',
    title: 'Completions per modality',
    section: 'Rewards',
    series: [],
    dynamic: (keys) => match(keys, /^train\/modality_(.+)\/count$/, (m) => modalityLabel(m[1]!)),
    y: { min: 0 },
  },
  {
    id: 'reward-heat',
    title: 'Reward distribution over steps',
    section: 'Rewards',
    kind: 'heat',
    series: [{ key: 'train/reward_histogram', label: 'share of completions' }],
    note: 'Each column is a step’s 20-bin reward histogram (share of its completions per reward band). Click a column to see that step below.',
  },
  {
    id: 'reward-hist',
    title: 'Reward histogram of one step',
    section: 'Rewards',
    kind: 'histogram',
    series: [{ key: 'train/reward_histogram', label: 'completions' }],
  },
  {
    id: 'zero-std',
    title: 'Groups whose rewards all tie (frac_reward_zero_std)',
    section: 'Rewards',
    series: [{ key: 'frac_reward_zero_std', label: 'frac_reward_zero_std' }],
    y: { min: 0, max: 1, percent: true },
    note: 'Share of prompts whose completions all got the same reward: their advantages are 0, so they teach nothing. High? Raise num_generations or temperature, use a finer-grained reward, or turn on dynamic_sampling.',
  },
  {
    id: 'loss',
    title: 'Loss',
    section: 'Optimization',
    series: [{ key: 'loss', label: 'loss' }],
    note: 'GRPO’s loss is not a measure of progress. With num_iterations 1 the policy ratio is exactly 1 and the group advantages sum to zero, so the loss sits near 0 (plus beta × KL); watch the reward instead.',
  },
  { id: 'kl', title: 'KL to the reference policy', section: 'Optimization', series: [{ key: 'kl', label: 'kl' }], note: 'Logged when beta > 0. A steady climb is normal; sudden jumps mean the policy moved fast (lower learning_rate).' },
  { id: 'entropy', title: 'Entropy of the policy', section: 'Optimization', series: [{ key: 'entropy', label: 'entropy' }] },
  {
    id: 'clip',
    title: 'Clip ratios',
    section: 'Optimization',
    series: [
      { key: 'clip_ratio/low_mean', label: 'low (ratio < 1−ε, A<0)' },
      { key: 'clip_ratio/high_mean', label: 'high (ratio > 1+ε, A>0)' },
      { key: 'clip_ratio/region_mean', label: 'region' },
    ],
    y: { min: 0, percent: true },
    note: 'Share of tokens whose update PPO clipping cut off. 0 with num_iterations 1 (old and new policy are the same); a few % is healthy; far more: lower learning_rate or raise epsilon.',
  },
  { id: 'grad-norm', title: 'Gradient norm (before clipping)', section: 'Optimization', series: [{ key: 'grad_norm', label: 'grad_norm' }] },
  { id: 'lr', title: 'Learning rate', section: 'Optimization', series: [{ key: 'learning_rate', label: 'learning_rate' }] },
  {
    id: 'lengths',
    title: 'Completion length (tokens)',
    section: 'Completions',
    series: [
      { key: 'completions/mean_length', label: 'mean', band: { lo: 'completions/min_length', hi: 'completions/max_length', label: 'min–max' } },
      { key: 'completions/mean_terminated_length', label: 'mean of terminated' },
    ],
  },
  {
    id: 'clipped',
    title: 'Completions cut at max_completion_length (clipped_ratio)',
    section: 'Completions',
    series: [{ key: 'completions/clipped_ratio', label: 'clipped_ratio' }],
    y: { min: 0, max: 1, percent: true },
    note: 'Share of completions that hit max_completion_length without a stop token (no closing tag, so most rewards fail). High? Raise max_completion_length, or set mask_truncated_completions.',
  },
  {
    id: 'validity',
    title: 'Validity and uniqueness',
    section: 'Completions',
    series: [{ key: 'validity', label: 'valid (all)' }, { key: 'uniqueness', label: 'unique' }],
    dynamic: (keys) => match(keys, /^validity\/(.+)$/, (m) => `valid ${modalityLabel(m[1]!)}`),
    y: { min: 0, max: 1, percent: true },
  },
  {
    id: 'step-time',
    title: 'Step time (seconds): generation, reward, update',
    section: 'Speed',
    series: [
      { key: 'step_time/generation', label: 'generation', stack: true },
      { key: 'step_time/reward', label: 'reward', stack: true },
      { key: 'step_time/update', label: 'update', stack: true },
    ],
    y: { min: 0 },
  },
  { id: 'tokens', title: 'Generated tokens per second', section: 'Speed', series: [{ key: 'tokens_per_s', label: 'tokens/s' }], y: { min: 0 } },
];

/** The series a chart shows for runs with these keys (static ones that exist, then dynamic ones). */
export function seriesFor(spec: ChartSpec, keys: readonly string[]): SeriesSpec[] {
  const have = new Set(keys);
  const dyn = spec.dynamic ? spec.dynamic(keys) : [];
  const seen = new Set<string>();
  return [...spec.series.filter((s) => have.has(s.key)), ...dyn].filter((s) => (seen.has(s.key) ? false : (seen.add(s.key), true)));
}
