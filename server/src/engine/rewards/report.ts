// Scores a list of sequences with a loaded reward config and reports each one as
// `ume-studio reward --json` prints it (and the editor shows it): every component's raw and
// transformed value and the total under the config's aggregation, or why there is no total.
// Shared by the CLI and the language server so both say the same thing about the same sequence.

import { aggregate } from './aggregate';
import type { LoadedReward } from './load';
import type { RewardInput, RewardResult, RewardScoreOptions } from './types';
import type { RewardRecordReport } from '../../protocol/reward-config';
import type { Modality } from '../seq/types';

/** A sequence to score: its text as found in the file and the modality detection gave it. */
export interface SequenceToScore {
  id: string;
  text: string;
  modality: Modality | null;
}

/** One record from every function's result for it, the total as the config's aggregation gives it. */
export function toReport(item: SequenceToScore, per: readonly RewardResult[], loaded: Pick<LoadedReward, 'config' | 'weights'>): RewardRecordReport {
  const components: RewardRecordReport['components'] = {};
  for (const r of per) for (const [name, s] of Object.entries(r.components ?? {})) components[name] = { raw: s.raw, value: s.value, ...(s.error ? { error: s.error } : {}) };
  const total = loaded.config.aggregation === 'weighted_sum' ? aggregate('weighted_sum', per.map((r) => r.value), loaded.weights) : (per[0]?.value ?? null);
  const reasons = per.filter((r) => r.value === null && r.reason).map((r) => r.reason!);
  return {
    id: item.id,
    sequence: item.text,
    modality: per.find((r) => r.modality)?.modality ?? item.modality,
    components,
    total,
    ...(total === null ? { reason: reasons.join('; ') || 'no component scored this sequence' } : {}),
  };
}

export interface ScoreSequencesOptions extends RewardScoreOptions {
  /** Sequences per reward call (default 64). */
  batchSize?: number;
  /** Called after each batch with the sequences scored so far. */
  onProgress?: (done: number) => void;
}

/**
 * Scores `items` in order, in batches (a diversity filter sees them in this order, as a run's
 * batches); one report per item.
 */
export async function scoreSequences(loaded: LoadedReward, items: readonly SequenceToScore[], o: ScoreSequencesOptions = {}): Promise<RewardRecordReport[]> {
  const batch = o.batchSize ?? 64;
  const reports: RewardRecordReport[] = [];
  for (let s = 0; s < items.length; s += batch) {
    const chunk = items.slice(s, s + batch);
    const inputs: RewardInput[] = chunk.map((r) => ({ prompt: '', completion: r.text, modality: r.modality }));
    const per = await Promise.all(loaded.functions.map((f) => f.score(inputs, o.signal ? { signal: o.signal } : {})));
    chunk.forEach((item, i) => reports.push(toReport(item, per.map((p) => p[i]!), loaded)));
    o.onProgress?.(reports.length);
  }
  return reports;
}
