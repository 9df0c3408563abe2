// Checks SamplingOptions before any work, with messages that name the valid values, and fills in
// the defaults (TRL's GRPOConfig: temperature 1, top_p 1, top_k 0, min_p off, repetition_penalty 1).

import type { SamplingOptions } from '../types';

export type ResolvedSampling = Required<Omit<SamplingOptions, 'minP'>> & { minP: number };

export function resolveSampling(o: SamplingOptions): ResolvedSampling {
  const problems: string[] = [];
  const num = (name: string, v: number | undefined, def: number, ok: (x: number) => boolean, want: string): number => {
    if (v === undefined) return def;
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) problems.push(`${name} must be ${want}, got ${String(v)}`);
    return v;
  };
  const maxNewTokens = num('maxNewTokens', o.maxNewTokens, NaN, (x) => Number.isInteger(x) && x >= 1, 'an integer >= 1');
  if (o.maxNewTokens === undefined) problems.push('maxNewTokens is required (the most new tokens per completion, e.g. 128)');
  const r: ResolvedSampling = {
    maxNewTokens,
    greedy: o.greedy ?? false,
    temperature: num('temperature', o.temperature, 1, (x) => x > 0, 'a number > 0 (use greedy: true for argmax decoding)'),
    topP: num('topP', o.topP, 1, (x) => x > 0 && x <= 1, 'in (0, 1] (1 = off)'),
    topK: num('topK', o.topK, 0, (x) => Number.isInteger(x) && x >= 0, 'an integer >= 0 (0 = off)'),
    minP: num('minP', o.minP, 0, (x) => x >= 0 && x <= 1, 'in [0, 1] (0 or unset = off)'),
    repetitionPenalty: num('repetitionPenalty', o.repetitionPenalty, 1, (x) => x > 0, 'a number > 0 (1 = off, > 1 discourages repeats)'),
  };
  if (typeof r.greedy !== 'boolean') problems.push(`greedy must be true or false, got ${String(r.greedy)}`);
  if (problems.length) throw new Error(`invalid sampling options:\n  - ${problems.join('\n  - ')}`);
  return r;
}
