// CTRL's repetition penalty as HF's RepetitionPenaltyLogitsProcessor applies it: every token that
// occurs in the prompt or the completion so far (each once, however often it occurs) has its logit
// divided by the penalty when positive and multiplied by it when negative, so penalty > 1 always
// makes a seen token less likely. In place.

export function applyRepetitionPenalty(logits: Float64Array, seen: Iterable<number>, penalty: number): void {
  if (penalty === 1) return;
  for (const id of seen) {
    const x = logits[id];
    if (x === undefined) continue;
    logits[id] = x < 0 ? x * penalty : x / penalty;
  }
}
