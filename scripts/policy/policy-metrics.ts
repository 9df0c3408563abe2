// The figures policy-tiny's model card reports for generated sequences, as pure functions (the
// evaluation script samples and validates; these count). Definitions follow the usual generative
// chemistry ones (MOSES / GuacaMol):
//   validity    valid / generated (a truncated completion is not valid: its tag never closes)
//   uniqueness  distinct valid / valid
//   novelty     distinct valid not in the training set / distinct valid
//   k-mer diversity   distinct token 3-mers / all token 3-mers, over the valid sequences
// Lengths are in UME tokens of the sequence (without <cls>/<eos>).

export interface LengthStats {
  n: number;
  mean: number;
  sd: number;
  /** 5th, 25th, 50th, 75th, 95th percentiles. */
  q05: number;
  q25: number;
  q50: number;
  q75: number;
  q95: number;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function lengthStats(lengths: readonly number[]): LengthStats {
  const n = lengths.length;
  const sorted = [...lengths].sort((a, b) => a - b);
  const mean = n ? lengths.reduce((a, b) => a + b, 0) / n : NaN;
  const sd = n > 1 ? Math.sqrt(lengths.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { n, mean, sd, q05: percentile(sorted, 5), q25: percentile(sorted, 25), q50: percentile(sorted, 50), q75: percentile(sorted, 75), q95: percentile(sorted, 95) };
}

/** Distinct k-mers of token ids over all k-mers (sequences shorter than k add none). */
export function kmerDiversity(seqs: readonly (readonly number[])[], k = 3): { distinct: number; total: number; ratio: number } {
  const seen = new Set<string>();
  let total = 0;
  for (const s of seqs) {
    for (let i = 0; i + k <= s.length; i++) {
      seen.add(s.slice(i, i + k).join(','));
      total++;
    }
  }
  return { distinct: seen.size, total, ratio: total ? seen.size / total : NaN };
}

export interface SetFigures {
  generated: number;
  valid: number;
  validity: number;
  uniqueness: number;
  novelty: number;
}

/**
 * `keys[i]` identifies sample i's sequence for uniqueness and novelty (canonical SMILES, upper-case
 * sequence) or is null when the sample is not valid; `training` holds the training set's keys.
 */
export function setFigures(keys: readonly (string | null)[], training: ReadonlySet<string>): SetFigures {
  const valid = keys.filter((k): k is string => k !== null);
  const distinct = new Set(valid);
  const novel = [...distinct].filter((k) => !training.has(k)).length;
  return {
    generated: keys.length,
    valid: valid.length,
    validity: keys.length ? valid.length / keys.length : NaN,
    uniqueness: valid.length ? distinct.size / valid.length : NaN,
    novelty: distinct.size ? novel / distinct.size : NaN,
  };
}
