// The reward given to rows that cannot be scored. lobster used a fixed -5.0, i.e. a PLL of -0.5 at
// T 0.1, which OUTRANKS every valid sequence whose mean log-prob is below -0.5 (most of them): the
// policy learns that emitting garbage beats emitting a mediocre molecule. Two policies here:
//
// - 'below-worst' (default): the penalty sits `marginPll / T` below the worst VALID reward of the
//   same call, so an invalid row always ranks last, whatever the model's log-prob scale. It stays
//   next to the valid rewards instead of far below them, so GRPO's (r - mean) / std is not
//   dominated by one huge gap that squashes the differences between valid rows. With no valid row
//   in the call the penalty is `fallbackPll / T` (default -ln 1280: a uniform guess over UME's
//   vocabulary); a group of only-invalid rows gets zero advantage in GRPO whatever the value.
// - 'fixed': reward = pll / T for a fixed PLL (lobster's -5.0 at T 0.1 is { kind: 'fixed', pll: -0.5 }).
//   Reproducible across batches, but it can outrank valid rows; use it only to compare with lobster.

export type PenaltyPolicy =
  | { kind: 'below-worst'; /** Gap under the worst valid reward, in PLL units (x 1/T in reward). */ marginPll: number; /** PLL used when no row is valid. */ fallbackPll: number }
  | { kind: 'fixed'; pll: number };

export const DEFAULT_PENALTY: PenaltyPolicy = { kind: 'below-worst', marginPll: 0.5, fallbackPll: -Math.log(1280) };

export function validatePenalty(p: PenaltyPolicy): void {
  const bad = (what: string, v: number) => new Error(`penalty ${what} must be a finite number, got ${v}`);
  if (p.kind === 'fixed') {
    if (!Number.isFinite(p.pll)) throw bad('pll', p.pll);
    return;
  }
  if (p.kind !== 'below-worst') throw new Error(`unknown penalty kind "${String((p as { kind: unknown }).kind)}"; use "below-worst" or "fixed"`);
  if (!Number.isFinite(p.marginPll) || p.marginPll <= 0) throw new Error(`penalty marginPll must be a positive number (a gap below the worst valid PLL), got ${p.marginPll}`);
  if (!Number.isFinite(p.fallbackPll)) throw bad('fallbackPll', p.fallbackPll);
}

/** The penalty reward for one call, given the rewards of its valid rows. */
export function penaltyReward(p: PenaltyPolicy, validRewards: readonly number[], temperature: number): number {
  if (p.kind === 'fixed') return p.pll / temperature;
  if (validRewards.length === 0) return p.fallbackPll / temperature;
  let worst = Infinity;
  for (const r of validRewards) if (r < worst) worst = r;
  return worst - p.marginPll / temperature;
}
