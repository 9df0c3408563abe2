// Nucleus (top-p) sampling as HF's TopPLogitsWarper: sort ascending, take the cumulative
// probability, remove every token whose cumulative mass (itself and all less likely ones) is
// <= 1 - top_p, always keeping the most likely token. The kept set is the smallest head of the
// distribution whose mass reaches top_p. Equal logits are ordered by token id (lower id counts as
// more likely), so the result does not depend on a sort's stability. top_p >= 1 is off. In place.

import { softmax } from './softmax';

export function applyTopP(logits: Float64Array, topP: number): void {
  if (topP >= 1) return;
  const p = softmax(logits);
  // Only tokens with probability > 0 take part; the others are already out (-Infinity or underflow).
  const order: number[] = [];
  for (let i = 0; i < logits.length; i++) if (p[i]! > 0) order.push(i);
  order.sort((a, b) => logits[a]! - logits[b]! || b - a); // ascending; ties: higher id first (less likely)
  const cut = 1 - topP;
  let cum = 0;
  for (let r = 0; r < order.length - 1; r++) {
    const i = order[r]!;
    cum += p[i]!;
    if (cum > cut) break;
    logits[i] = -Infinity;
  }
}
