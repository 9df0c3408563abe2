// The per-row choice the generation loop makes at every step, with the work shared between what
// is drawn and what is reported: the reported log-prob needs log_softmax(logits / T) (TRL's rule),
// which is also the distribution drawn from whenever no penalty or warper is on (TRL's defaults:
// top_p 1, top_k 0, no min_p, repetition_penalty 1), so that case computes it once. Scratch
// buffers are reused across rows and steps (this runs once per generated token).

import type { Rng } from '../../train/rng';
import { drawToken } from './draw';
import { argmax } from './greedy';
import { applyMinP } from './min-p';
import type { ResolvedSampling } from './options';
import { applyRepetitionPenalty } from './repetition-penalty';
import { applyTemperature } from './temperature';
import { applyTopK } from './top-k';
import { applyTopP } from './top-p';

export interface Choice {
  token: number;
  /** log_softmax(logits / temperature)[token]. */
  logprob: number;
}

export class RowSampler {
  private scaled: Float64Array;
  private work: Float64Array;
  private readonly plain: boolean;

  constructor(
    private readonly o: ResolvedSampling,
    vocabSize: number,
  ) {
    this.scaled = new Float64Array(vocabSize);
    this.work = new Float64Array(vocabSize);
    this.plain = !o.greedy && o.repetitionPenalty === 1 && o.topK === 0 && o.topP >= 1 && !(o.minP > 0);
  }

  choose(logits: ArrayLike<number>, seen: Iterable<number>, rng: Rng): Choice {
    const o = this.o;
    const V = logits.length;
    if (this.scaled.length !== V) {
      this.scaled = new Float64Array(V);
      this.work = new Float64Array(V);
    }
    const x = this.scaled;
    const T = o.temperature;
    let max = -Infinity;
    for (let i = 0; i < V; i++) {
      const v = logits[i]! / T;
      x[i] = v;
      if (v > max) max = v;
    }
    let sum = 0;
    for (let i = 0; i < V; i++) if (x[i] !== -Infinity) sum += Math.exp(x[i]! - max);
    const lse = max + Math.log(sum);
    if (!Number.isFinite(lse)) throw new Error(`cannot choose a token: the logits are all -Infinity or hold NaN or Infinity (log-sum-exp ${lse}); check the model's outputs`);
    let token: number;
    if (this.plain) token = drawToken(x, rng, lse);
    else {
      const w = this.work;
      for (let i = 0; i < V; i++) w[i] = logits[i]!;
      applyRepetitionPenalty(w, seen, o.repetitionPenalty);
      if (o.greedy) token = argmax(w);
      else {
        applyTemperature(w, T);
        applyTopK(w, o.topK);
        applyTopP(w, o.topP);
        applyMinP(w, o.minP);
        token = drawToken(w, rng);
      }
    }
    return { token, logprob: x[token]! - lse };
  }
}
