// Ranking metrics at K with binary relevance (the seed-004 recommendation rewards):
// ranks are 1-based positions of the relevant items in the ranking.
// - Hit@K = 1 when any relevant item is in the top K;
// - MRR@K = 1 / (rank of the first relevant item) when it is in the top K, else 0;
// - NDCG@K = DCG@K / IDCG@K, DCG = sum over relevant items ranked <= K of 1 / log2(rank + 1),
//   IDCG = the DCG of a ranking with every relevant item first (min(#relevant, K) of them).

export function hitAtK(ranks: readonly number[], k: number): number {
  return ranks.some((r) => r <= k) ? 1 : 0;
}

export function mrrAtK(ranks: readonly number[], k: number): number {
  const first = Math.min(...ranks);
  return first <= k ? 1 / first : 0;
}

export function ndcgAtK(ranks: readonly number[], k: number): number {
  let dcg = 0;
  for (const r of ranks) if (r <= k) dcg += 1 / Math.log2(r + 1);
  let idcg = 0;
  for (let i = 1; i <= Math.min(ranks.length, k); i++) idcg += 1 / Math.log2(i + 1);
  return idcg === 0 ? 0 : dcg / idcg;
}

/** 1-based ranks of `relevant` indices when items are sorted by score, highest first (ties: lower index first). */
export function ranksOf(scores: ArrayLike<number>, relevant: readonly number[]): number[] {
  return relevant.map((t) => {
    const s = scores[t]!;
    let rank = 1;
    for (let i = 0; i < scores.length; i++) {
      const v = scores[i]!;
      if (v > s || (v === s && i < t)) rank++;
    }
    return rank;
  });
}
