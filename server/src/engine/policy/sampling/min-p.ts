// Min-p as HF's MinPLogitsWarper: drop tokens whose probability is below min_p times the most
// likely token's, always keeping the most likely one. It works on the distribution after
// temperature (HF applies it after TemperatureLogitsWarper). min_p <= 0 is off. In place.

import { softmax } from './softmax';

export function applyMinP(logits: Float64Array, minP: number): void {
  if (!(minP > 0)) return;
  const p = softmax(logits);
  let top = 0;
  for (let i = 0; i < p.length; i++) if (p[i]! > top) top = p[i]!;
  const threshold = minP * top;
  for (let i = 0; i < p.length; i++) if (p[i]! < threshold) logits[i] = -Infinity;
}
