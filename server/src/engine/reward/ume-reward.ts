// UmeRewardFunction: reward = PLL / temperature for the tagged sequences in each completion, with
// TRL's calling convention (prompts, completions, dataset columns) -> one reward or null per row.
//
// Defaults, and why:
// - mode 'sampled' (k = 16 residues per sequence, seeded by the sequence's ids, so a sequence
//   always gets the same reward): an unbiased estimate of the true (masked) PLL at a cost bounded
//   by k rows per sequence. Measured at ume-tiny's size on this 2-core CPU, 16 completions (8
//   proteins of 100 aa, 8 SMILES of ~40 chars): unmasked 2.0 s, sampled 7.9 s, masked 41 s, so
//   'masked' would dominate a GRPO step. 'unmasked' (lobster's choice) is cheapest but only means
//   something for models trained with unmasked targets: ours are, real UME weights are not
//   (REFERENCE.md §1), and the default must be right for every model. Sequences of <= k residues
//   are scored exactly as 'masked'. Pick 'masked' when the budget allows, 'unmasked' for lobster parity.
// - several tags: 'first' non-empty tag (lobster's rule; the prompt asks for one sequence and later
//   ones are ignored, never rewarded). 'mean' and 'min' score all of them and require all valid.
// - overlong: 'penalty' (a truncated sequence leaves its tail unjudged, which a policy can fill with
//   anything); 'truncate' scores the first maxLength tokens and flags the row.
// - untagged: penalty (or null with noTag: 'null'); detection of untagged text is opt-in.
// - penalty: 'below-worst' (penalty.ts) so an invalid row never outranks a valid one.
// Every penalised or null row carries `kind` and a `reason`.

import { loadRDKit, type SmilesValidator } from '../seq/rdkit';
import type { DetectionMode, Modality } from '../seq/types';
import { PLL_MODES, type PllMode } from '../ume/pll';
import { completionText, type Completion } from './extract';
import { DEFAULT_PENALTY, penaltyReward, validatePenalty, type PenaltyPolicy } from './penalty';
import { prepareCompletion, type Candidate, type FailureKind, type MultipleTags, type Overlong, type Prepared } from './prepare';
import { scoreEncodings, type PllScorer, type SequenceScore } from './score-sequences';
import { lobsterMetrics, rewardStats, type MetricValue, type RewardStats } from './stats';

export interface UmeRewardOptions {
  /** reward = PLL / temperature (default 0.1, lobster's). */
  temperature?: number;
  /** Sequences per scorer call, one modality each (default 8). */
  batchSize?: number;
  /** PLL mode (default 'sampled', see above). */
  mode?: PllMode;
  /** sampled mode: positions per sequence (default 16) and seed (default 0). */
  k?: number;
  seed?: number;
  /** Untagged completions: 'off' (default) or detect their modality ('default' or 'lobster' rules). */
  detection?: 'off' | DetectionMode;
  multiple?: MultipleTags;
  overlong?: Overlong;
  /** Check tagged SMILES with RDKit before scoring (default true). */
  validateSmiles?: boolean;
  penalty?: PenaltyPolicy;
  /** Untagged rows: 'penalty' (default, lobster) or 'null' (this function abstains; other reward functions decide). */
  noTag?: 'penalty' | 'null';
  /** Judge only these modalities; rows of others get null (for one reward function per modality). */
  modalities?: readonly Modality[];
  /** Name under which TRL-style logs show this function (default "ume"). */
  name?: string;
}

export interface SequenceReward {
  text: string;
  modality: Modality;
  /** Tag it came from, or "detected". */
  source: string;
  pll: number;
  /** Tokens including cls and eos. */
  nTokens: number;
  truncated: boolean;
}

export interface RewardRow {
  /** null: this function cannot judge the row (TRL drops it from this function's weighted sum). */
  reward: number | null;
  /** Mean log-prob behind the reward (null when not scored). */
  pll: number | null;
  modality: Modality | null;
  /** Tokens of the scored sequence(s), cls and eos included (null when not scored). */
  nTokens: number | null;
  penalized: boolean;
  kind?: FailureKind | 'other-modality';
  /** Why the row was penalised or left null. */
  reason?: string;
  /** True when the sequence was cut to the scorer's max length before scoring (overlong: 'truncate'). */
  truncated?: boolean;
  sequences: SequenceReward[];
}

export interface RewardBatch {
  rows: RewardRow[];
  /** rows[i].reward, in order: what a TRL reward function returns. */
  rewards: Array<number | null>;
  stats: RewardStats;
  /** lobster's metric names (train/mean_reward ...) for this call. */
  metrics: Record<string, MetricValue>;
  mode: PllMode;
  model: string;
  temperature: number;
}

/** TRL's reward-function shape: (prompts, completions, dataset columns) -> one value per completion. */
export type RewardFunc = ((prompts: readonly unknown[], completions: readonly Completion[], columns?: Record<string, readonly unknown[]>) => Promise<Array<number | null>>) & { rewardName: string };

type Resolved = Required<Omit<UmeRewardOptions, 'k' | 'seed' | 'modalities'>> & Pick<UmeRewardOptions, 'k' | 'seed' | 'modalities'>;

export class UmeRewardFunction {
  readonly options: Resolved;
  /** The last call's result, for the trainer's logs. */
  last: RewardBatch | undefined;
  /** Completions judged since creation (lobster's train/total_samples_processed). */
  totalSamples = 0;
  private rdkit: SmilesValidator | undefined;

  constructor(
    readonly scorer: PllScorer,
    options: UmeRewardOptions = {},
  ) {
    const o: Resolved = {
      temperature: 0.1,
      batchSize: 8,
      mode: 'sampled',
      detection: 'off',
      multiple: 'first',
      overlong: 'penalty',
      validateSmiles: true,
      penalty: DEFAULT_PENALTY,
      noTag: 'penalty',
      name: 'ume',
      ...stripUndefined(options),
    };
    if (!Number.isFinite(o.temperature) || o.temperature <= 0) throw new Error(`temperature must be a positive number (reward = PLL / temperature), got ${o.temperature}`);
    if (!Number.isInteger(o.batchSize) || o.batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${o.batchSize}`);
    if (!PLL_MODES.includes(o.mode)) throw new Error(`unknown PLL mode "${String(o.mode)}"; use one of ${PLL_MODES.join(', ')}`);
    if (!['off', 'default', 'lobster'].includes(o.detection)) throw new Error(`detection must be "off", "default" or "lobster", got "${String(o.detection)}"`);
    if (!['first', 'mean', 'min'].includes(o.multiple)) throw new Error(`multiple must be "first", "mean" or "min", got "${String(o.multiple)}"`);
    if (!['penalty', 'truncate'].includes(o.overlong)) throw new Error(`overlong must be "penalty" or "truncate", got "${String(o.overlong)}"`);
    validatePenalty(o.penalty);
    this.options = o;
  }

  /** Scores completions; rows come back in input order. Cancellation rejects with AbortError. */
  async score(completions: readonly Completion[], opts: { signal?: AbortSignal } = {}): Promise<RewardBatch> {
    const o = this.options;
    this.rdkit ??= await loadRDKit();
    const rdkit = this.rdkit;
    const prepared: Prepared[] = completions.map((c, i) => {
      let text: string;
      try {
        text = completionText(c);
      } catch (e) {
        throw new TypeError(`completion ${i}: ${(e as Error).message}`, { cause: e });
      }
      return prepareCompletion(text, rdkit, { detection: o.detection, multiple: o.multiple, overlong: o.overlong, validateSmiles: o.validateSmiles, maxLength: this.scorer.maxLength });
    });

    // Flatten every candidate of every judgeable row, score them all, then fold back per row.
    const flat: Array<{ row: number; cand: Candidate }> = [];
    prepared.forEach((p, row) => {
      if (p.ok && this.judges(p.modality)) for (const cand of p.candidates) flat.push({ row, cand });
    });
    const scores = await scoreEncodings(
      this.scorer,
      flat.map((f) => f.cand.encoding),
      { mode: o.mode, batchSize: o.batchSize, ...(o.k !== undefined ? { k: o.k } : {}), ...(o.seed !== undefined ? { seed: o.seed } : {}), ...(opts.signal ? { signal: opts.signal } : {}) },
    );
    const perRow = new Map<number, Array<{ cand: Candidate; score: SequenceScore }>>();
    flat.forEach((f, i) => {
      const list = perRow.get(f.row) ?? [];
      list.push({ cand: f.cand, score: scores[i]! });
      perRow.set(f.row, list);
    });

    const rows = prepared.map((p, i) => this.fold(p, perRow.get(i) ?? []));
    const valid = rows.filter((r) => r.reward !== null && !r.penalized).map((r) => r.reward!);
    const penalty = penaltyReward(o.penalty, valid, o.temperature);
    for (const r of rows) if (r.penalized) r.reward = penalty;

    const stats = rewardStats(rows, penalty);
    this.totalSamples += rows.length;
    const metrics = lobsterMetrics(stats);
    metrics['train/total_samples_processed'] = this.totalSamples;
    const batch: RewardBatch = { rows, rewards: rows.map((r) => r.reward), stats, metrics, mode: o.mode, model: this.scorer.name, temperature: o.temperature };
    this.last = batch;
    return batch;
  }

  private judges(m: Modality | null): boolean {
    return !this.options.modalities || (m !== null && this.options.modalities.includes(m));
  }

  /** One row's result from its preparation and scores; penalised rows get their value later. */
  private fold(p: Prepared, scored: Array<{ cand: Candidate; score: SequenceScore }>): RewardRow {
    const o = this.options;
    const base = { pll: null, nTokens: null, sequences: [] as SequenceReward[] };
    if (!p.ok) {
      if (p.kind === 'no-tag' && o.noTag === 'null') return { ...base, reward: null, modality: null, penalized: false, kind: p.kind, reason: p.reason };
      if (p.modality !== null && !this.judges(p.modality)) return this.otherModality(p.modality);
      return { ...base, reward: null, modality: p.modality, penalized: true, kind: p.kind, reason: p.reason };
    }
    if (!this.judges(p.modality)) return this.otherModality(p.modality);
    const sequences: SequenceReward[] = [];
    for (const { cand, score } of scored) {
      if (!score.ok) return { ...base, reward: null, modality: p.modality, penalized: true, kind: score.kind, reason: score.reason };
      sequences.push({ text: cand.text, modality: cand.modality, source: cand.source, pll: score.pll, nTokens: cand.encoding.ids.length, truncated: cand.encoding.truncated });
    }
    const plls = sequences.map((s) => s.pll);
    const pll = o.multiple === 'min' ? Math.min(...plls) : plls.reduce((a, b) => a + b, 0) / plls.length;
    const truncated = sequences.some((s) => s.truncated);
    return {
      reward: pll / o.temperature,
      pll,
      modality: p.modality,
      nTokens: sequences.reduce((a, s) => a + s.nTokens, 0),
      penalized: false,
      sequences,
      ...(truncated ? { truncated, reason: `scored the first ${this.scorer.maxLength} tokens only (overlong: "truncate")` } : {}),
    };
  }

  private otherModality(m: Modality): RewardRow {
    return { reward: null, pll: null, modality: m, nTokens: null, penalized: false, sequences: [], kind: 'other-modality', reason: `a ${m} sequence; this reward judges only ${this.options.modalities!.join(', ')}` };
  }

  /** This function in TRL's shape; each call's full result stays in `last`. */
  asRewardFunc(): RewardFunc {
    const f = async (_prompts: readonly unknown[], completions: readonly Completion[]) => (await this.score(completions)).rewards;
    return Object.assign(f, { rewardName: this.options.name });
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
