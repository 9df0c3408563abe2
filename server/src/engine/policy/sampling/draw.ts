// One categorical draw from processed logits with the caller's seeded Rng: one uniform number per
// draw, inverted through the cumulative distribution in token-id order. The same Rng state and the
// same logits give the same token on every machine (float64 arithmetic on the host).

import type { Rng } from '../../train/rng';
import { logSumExp } from './softmax';

/** `lse` is the logits' log-sum-exp when the caller has it already. */
export function drawToken(logits: Float64Array, rng: Rng, lse = logSumExp(logits)): number {
  if (lse === -Infinity || Number.isNaN(lse)) throw new Error(`cannot sample: every token has probability 0 or the logits hold NaN (log-sum-exp ${lse}); check the model's outputs and the sampling settings`);
  const u = rng.uniform();
  let cum = 0;
  let last = -1;
  for (let i = 0; i < logits.length; i++) {
    const x = logits[i]!;
    if (x === -Infinity) continue;
    cum += Math.exp(x - lse);
    last = i;
    if (u < cum) return i;
  }
  // Rounding can leave the total a hair under 1: the draw then belongs to the last possible token.
  return last;
}
