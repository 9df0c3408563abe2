import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../train/rng';
import { generate } from './generate';
import { tokenLogprob } from './sampling';
import type { StepDecoder } from './types';

/**
 * A bigram language model as a StepDecoder: next-token logits are a fixed function of the last
 * token. Its cache is each row's last token and prompt index, so the test can see exactly which
 * rows the loop asks it to compute.
 */
class BigramDecoder implements StepDecoder<{ last: number[]; who: number[] }> {
  readonly calls: number[][] = [];
  constructor(
    readonly vocabSize: number,
    private readonly table: (prev: number, next: number) => number,
  ) {}
  private logits(last: readonly number[]): Float32Array {
    const V = this.vocabSize;
    const out = new Float32Array(last.length * V);
    last.forEach((p, i) => {
      for (let t = 0; t < V; t++) out[i * V + t] = this.table(p, t);
    });
    return out;
  }
  async prefill(prompts: readonly (readonly number[])[]) {
    const last = prompts.map((p) => p[p.length - 1]!);
    this.calls.push(prompts.map((_, i) => i));
    return { logits: this.logits(last), cache: { last, who: prompts.map((_, i) => i) } };
  }
  async step(cache: { last: number[]; who: number[] }, tokens: readonly number[], keep: readonly number[]) {
    const who = keep.map((k) => cache.who[k]!);
    this.calls.push(who);
    return { logits: this.logits(tokens), cache: { last: [...tokens], who } };
  }
}

// Vocabulary 6; token 0 is the stop id. From token p the most likely next token is p + 1 (mod 6).
const table = (p: number, t: number): number => (t === (p + 1) % 6 ? 3 : 0) + 0.1 * t;

test('greedy runs follow the argmax, stop at the stop id and flag maxNewTokens truncation', async () => {
  const d = new BigramDecoder(6, table);
  const rows = await generate(d, [[3], [5], [1]], { maxNewTokens: 3, greedy: true }, new Rng(1), { stopIds: [0] });
  // 3 -> 4 -> 5 -> 0 (3 tokens, stopped); 5 -> 0 stops at once; 1 -> 2 -> 3 -> 4 is cut at 3 tokens.
  assert.deepEqual(rows.map((r) => r.ids), [[4, 5, 0], [0], [2, 3, 4]]);
  assert.deepEqual(rows.map((r) => r.finish), ['stop', 'stop', 'length']);
  assert.deepEqual(rows.map((r) => r.promptIds), [[3], [5], [1]]);
  // Row 1 finished at the first token: it is not in any step; row 2 is not fed its last token.
  assert.deepEqual(d.calls, [[0, 1, 2], [0, 2], [0, 2]]);
});

test('finished rows drop out of the compute, in order, and results stay in prompt order', async () => {
  const d = new BigramDecoder(6, (p, t) => (t === 0 ? (p === 4 ? 10 : -10) : t === (p % 5) + 1 ? 2 : 0));
  const steps: number[] = [];
  const prompts = [[1], [2], [3], [4], [5]];
  const rows = await generate(d, prompts, { maxNewTokens: 10, greedy: true }, new Rng(1), { stopIds: [0], onStep: (s) => steps.push(s.activeRows) });
  // Each row climbs to 4, then stops: the row starting at 4 stops first, the one at 1 last.
  assert.deepEqual(rows.map((r) => r.ids.length), [4, 3, 2, 1, 5]);
  assert.deepEqual(steps, [5, 4, 3, 2, 1]);
  assert.deepEqual(d.calls.slice(1), [[0, 1, 2, 4], [0, 1, 4], [0, 4], [4]]);
});

test('sampling: per-token log-probs are log_softmax(logits / T) of the chosen token; the same seed gives the same tokens', async () => {
  const opts = { maxNewTokens: 8, temperature: 0.8, topP: 0.9, repetitionPenalty: 1.3 };
  const run = (seed: number) => generate(new BigramDecoder(6, table), [[1], [2], [3], [4]], opts, new Rng(seed), { stopIds: [0] });
  const a = await run(7);
  const b = await run(7);
  const c = await run(8);
  assert.deepEqual(a.map((r) => r.ids), b.map((r) => r.ids));
  assert.notDeepEqual(a.map((r) => r.ids), c.map((r) => r.ids));
  for (const r of a) {
    let prev = r.promptIds[r.promptIds.length - 1]!;
    r.ids.forEach((t, i) => {
      const logits = Array.from({ length: 6 }, (_, k) => table(prev, k));
      assert.ok(Math.abs(r.logprobs[i]! - tokenLogprob(logits, t, 0.8)) < 1e-6);
      prev = t;
    });
  }
});

test('an AbortSignal stops generation between steps', async () => {
  const ac = new AbortController();
  const d = new BigramDecoder(6, () => 0);
  await assert.rejects(
    generate(d, [[1]], { maxNewTokens: 50 }, new Rng(1), { stopIds: [], onStep: (s) => s.step === 2 && ac.abort() , signal: ac.signal }),
    (e: Error) => e.name === 'AbortError',
  );
  assert.equal(d.calls.length, 3, 'prefill and two steps ran, nothing after the abort');
  const done = new AbortController();
  done.abort();
  await assert.rejects(generate(d, [[1]], { maxNewTokens: 5 }, new Rng(1), { stopIds: [], signal: done.signal }), (e: Error) => e.name === 'AbortError');
});

test('bad prompts and options fail before the decoder runs', async () => {
  const d = new BigramDecoder(6, table);
  await assert.rejects(generate(d, [[1], []], { maxNewTokens: 2 }, new Rng(1), { stopIds: [0] }), /prompt 1 has no tokens/);
  await assert.rejects(generate(d, [[9]], { maxNewTokens: 2 }, new Rng(1), { stopIds: [0] }), /token id 9, outside the vocabulary 0..5/);
  await assert.rejects(generate(d, [[1]], { maxNewTokens: 2, topP: 0 }, new Rng(1), { stopIds: [0] }), /topP must be in/);
  assert.equal(d.calls.length, 0);
  assert.deepEqual(await generate(d, [], { maxNewTokens: 2 }, new Rng(1), { stopIds: [0] }), []);
});
