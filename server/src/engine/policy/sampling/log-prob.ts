// The log-prob the policy reports for a chosen token: log_softmax(logits / temperature)[token] on
// the model's (restricted) logits, before repetition penalty, top-k, top-p or min-p (TRL's rule,
// see policy/types.ts). Also the entropy of that distribution, for evaluation code.

import { logSumExp } from './softmax';

export function tokenLogprob(logits: ArrayLike<number>, token: number, temperature: number): number {
  const scaled = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) scaled[i] = logits[i]! / temperature;
  return scaled[token]! - logSumExp(scaled);
}

export function entropyOf(logits: ArrayLike<number>, temperature: number): number {
  const scaled = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) scaled[i] = logits[i]! / temperature;
  const lse = logSumExp(scaled);
  let h = 0;
  for (let i = 0; i < scaled.length; i++) {
    if (scaled[i] === -Infinity) continue;
    const lp = scaled[i]! - lse;
    h -= Math.exp(lp) * lp;
  }
  return h;
}
