import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../train/rng';
import { applyMinP, applyRepetitionPenalty, applyTemperature, applyTopK, applyTopP, argmax, drawToken, entropyOf, kthLargest, logSumExp, resolveSampling, RowSampler, softmax, tokenLogprob } from './index';

const f64 = (xs: number[]): Float64Array => Float64Array.from(xs);
const kept = (x: Float64Array): number[] => [...x.keys()].filter((i) => x[i] !== -Infinity);

test('temperature divides every logit; -Infinity stays', () => {
  const x = f64([2, -1, -Infinity]);
  applyTemperature(x, 0.5);
  assert.deepEqual([...x], [4, -2, -Infinity]);
});

test("repetition penalty follows HF's rule: positive logits divided, negative multiplied, each seen id once", () => {
  const x = f64([2, -2, 3, 0]);
  applyRepetitionPenalty(x, new Set([0, 1, 3]), 2);
  assert.deepEqual([...x], [1, -4, 3, 0]);
  const y = f64([2, -2]);
  applyRepetitionPenalty(y, [0, 0, 1], 1);
  assert.deepEqual([...y], [2, -2], 'penalty 1 is off');
});

test('top-k keeps the k largest, and every tie at the boundary (as HF)', () => {
  const x = f64([1, 5, 3, 3, 0]);
  applyTopK(x, 2);
  assert.deepEqual(kept(x), [1, 2, 3], 'k=2: 5 and both 3s (tied with the 2nd largest)');
  const y = f64([1, 5, 3]);
  applyTopK(y, 0);
  assert.deepEqual(kept(y), [0, 1, 2], 'k=0 is off');
  const rng = new Rng(4);
  const big = Float64Array.from({ length: 500 }, () => rng.normal());
  const sorted = [...big].sort((a, b) => b - a);
  for (const k of [1, 7, 499]) assert.equal(kthLargest(big, k), sorted[k - 1]);
});

test('top-p keeps the smallest head reaching top_p, at least one token', () => {
  // probabilities 0.5, 0.3, 0.15, 0.05
  const logits = [Math.log(0.5), Math.log(0.3), Math.log(0.15), Math.log(0.05)];
  const x = f64(logits);
  applyTopP(x, 0.79);
  assert.deepEqual(kept(x), [0, 1], '0.5 + 0.3 reaches 0.79');
  const y = f64(logits);
  applyTopP(y, 0.85);
  assert.deepEqual(kept(y), [0, 1, 2], '0.85 needs the third');
  const z = f64(logits);
  applyTopP(z, 0.1);
  assert.deepEqual(kept(z), [0], 'the top token is always kept');
  const w = f64(logits);
  applyTopP(w, 1);
  assert.deepEqual(kept(w), [0, 1, 2, 3], 'top_p 1 is off');
});

test('min-p drops tokens below min_p times the top probability', () => {
  const x = f64([Math.log(0.6), Math.log(0.3), Math.log(0.06), Math.log(0.04)]);
  applyMinP(x, 0.1); // threshold 0.06
  assert.deepEqual(kept(x), [0, 1, 2]);
});

test('greedy is the first maximum; softmax and log-sum-exp ignore -Infinity', () => {
  assert.equal(argmax([1, 3, 3, -Infinity]), 1);
  assert.ok(Math.abs(logSumExp([0, 0, -Infinity]) - Math.log(2)) < 1e-12);
  assert.deepEqual([...softmax([0, 0, -Infinity])], [0.5, 0.5, 0]);
});

test('draws follow the distribution and replay from the same seed', () => {
  const logits = f64([Math.log(0.7), Math.log(0.2), -Infinity, Math.log(0.1)]);
  const counts = [0, 0, 0, 0];
  const rng = new Rng(11);
  const n = 20000;
  const first: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = drawToken(logits, rng);
    counts[t]!++;
    if (i < 50) first.push(t);
  }
  assert.equal(counts[2], 0, 'a -Infinity token is never drawn');
  for (const [i, p] of [[0, 0.7], [1, 0.2], [3, 0.1]] as const) assert.ok(Math.abs(counts[i]! / n - p) < 0.015, `token ${i}: ${counts[i]! / n} vs ${p}`);
  const again = new Rng(11);
  assert.deepEqual(Array.from({ length: 50 }, () => drawToken(logits, again)), first);
  assert.throws(() => drawToken(f64([-Infinity, -Infinity]), new Rng(1)), /probability 0/);
});

test('reported log-probs use logits / temperature, not the warped distribution', () => {
  const logits = [2, 1, 0.5, -1];
  const o = resolveSampling({ maxNewTokens: 4, temperature: 0.7, topK: 1 });
  const s = new RowSampler(o, 4);
  const c = s.choose(logits, [], new Rng(3));
  assert.equal(c.token, 0, 'top-k 1 leaves only the argmax');
  assert.ok(Math.abs(c.logprob - tokenLogprob(logits, 0, 0.7)) < 1e-12);
  assert.ok(c.logprob < -0.1, 'the log-prob is of the unwarped distribution (top-k 1 would give 0)');
  const h = entropyOf([0, 0, -Infinity], 1);
  assert.ok(Math.abs(h - Math.log(2)) < 1e-12);
});

test('the processors run in HF/vLLM order: penalty, temperature, top-k, top-p, min-p', () => {
  // Penalty first: token 0 (logit 2, seen) drops to 1, below token 1 (1.5); greedy picks 1.
  const greedy = new RowSampler(resolveSampling({ maxNewTokens: 1, greedy: true, repetitionPenalty: 2 }), 3);
  assert.equal(greedy.choose([2, 1.5, 0], [0], new Rng(1)).token, 1);
  // min-p after temperature: at T=2 the distribution flattens, so min_p 0.5 keeps tokens it would drop at T=1.
  const tokensAt = (temperature: number): Set<number> => {
    const s = new RowSampler(resolveSampling({ maxNewTokens: 1, temperature, minP: 0.5 }), 3);
    const rng = new Rng(5);
    return new Set(Array.from({ length: 300 }, () => s.choose([2, 1, 0], [], rng).token));
  };
  assert.deepEqual([...tokensAt(1)].sort(), [0]);
  assert.deepEqual([...tokensAt(2)].sort(), [0, 1]);
  // The fast path (no warpers) and the general path draw the same tokens from the same stream.
  const plain = new RowSampler(resolveSampling({ maxNewTokens: 1, temperature: 0.9 }), 5);
  const general = new RowSampler(resolveSampling({ maxNewTokens: 1, temperature: 0.9, topK: 5 }), 5);
  const a = new Rng(9);
  const b = new Rng(9);
  const lg = [0.3, -1, 2, 0.1, 0.7];
  for (let i = 0; i < 200; i++) assert.equal(plain.choose(lg, [], a).token, general.choose(lg, [], b).token);
});

test('bad sampling options fail before any work, naming the valid values', () => {
  assert.throws(() => resolveSampling({ maxNewTokens: 0 }), /maxNewTokens must be an integer >= 1/);
  assert.throws(() => resolveSampling({ maxNewTokens: 4, temperature: 0 }), /temperature must be a number > 0/);
  assert.throws(() => resolveSampling({ maxNewTokens: 4, topP: 1.5, topK: -1 }), /topP must be in \(0, 1\][\s\S]*topK must be an integer >= 0/);
  assert.throws(() => resolveSampling({ maxNewTokens: 4, repetitionPenalty: 0 }), /repetitionPenalty must be a number > 0/);
  assert.deepEqual(resolveSampling({ maxNewTokens: 3 }), { maxNewTokens: 3, greedy: false, temperature: 1, topP: 1, topK: 0, minP: 0, repetitionPenalty: 1 });
});
