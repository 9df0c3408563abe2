// Parity of our Hugging Face causal LMs (engine/policy/hf) with an independent PyTorch
// implementation of the same architectures (bench/peers/hf_reference.py, float64 on the stored
// weights), on random tiny folders of every architecture it writes (test/hf/cases.ts):
//   - logits of whole prompts (our full-sequence graph) within 1e-4;
//   - greedy tokens equal, and their per-token log-probs (from sample() over the batched,
//     left-padded prompts, and from logprobs()) within 1e-4;
//   - every decode step's logits equal the reference's within 1e-4 and our own full recompute of
//     the same prefix within 1e-5 (the KV cache changes nothing).
// One Python process writes every folder and computes every reference output.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Graph } from '../../server/src/engine/onnx/ir';
import { compile } from '../../server/src/engine/onnx/runtime';
import { paramInputs } from '../../server/src/engine/models/params';
import { HfPolicy, fullHidden } from '../../server/src/engine/policy/hf';
import { lmHead } from '../../server/src/engine/policy/hf/forward';
import { Rng } from '../../server/src/engine/train/rng';
import { parityCases } from './cases';
import { makeModels, torchMissing, type ReferencePrompt } from './reference';

const skip = torchMissing();
const root = mkdtempSync(join(tmpdir(), 'hf-parity-'));
const cases = parityCases(root);
let refs: ReferencePrompt[][] = [];

before(() => {
  if (!skip) refs = makeModels(cases);
});
after(() => rmSync(root, { recursive: true, force: true }));

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  assert.equal(a.length, b.length, 'lengths differ');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

/** Our full-sequence logits [L, V] of one unpadded sequence. */
async function fullLogits(policy: HfPolicy, ids: readonly number[]): Promise<Float32Array> {
  const g = new Graph('full_logits');
  const p = paramInputs(g, policy.paramSpecs);
  const input = g.input('input_ids', 'int64', [1, 'L']);
  g.output(lmHead(policy.config, { p }, fullHidden(policy.config, { p }, input)), 'logits');
  const m = await compile(g, { device: 'cpu' });
  const out = await m.run({ ...Object.fromEntries(policy.params.entries()), input_ids: { dtype: 'int64', shape: [1, ids.length], data: BigInt64Array.from(ids, BigInt) } });
  await m.release();
  return out['logits']!.data as Float32Array;
}

const worst = { logits: 0, logps: 0, steps: 0, cache: 0 };

for (const [ci, kase] of parityCases(root).entries()) {
  test(`${kase.name}: logits, greedy tokens, log-probs and KV-cache decode match the PyTorch reference`, { skip }, async () => {
    const policy = await HfPolicy.load(cases[ci]!.dir, { threads: 2 });
    try {
      const V = policy.config.vocabSize;
      const ref = refs[ci]!;
      // Logits of whole prompts.
      for (const [pi, prompt] of kase.prompts.entries()) {
        const d = maxDiff(await fullLogits(policy, prompt), ref[pi]!.logits);
        worst.logits = Math.max(worst.logits, d);
        assert.ok(d <= 1e-4, `prompt ${pi}: logits differ by ${d.toExponential(2)}`);
      }
      // Greedy generation over the batch (left padding, rows of different lengths).
      const n = kase.new_tokens!;
      const samples = await policy.sample(kase.prompts, { maxNewTokens: n, greedy: true }, new Rng(1));
      const lps = await policy.logprobs(samples.map((s) => ({ promptIds: s.promptIds, completionIds: s.ids })), 1);
      samples.forEach((s, pi) => {
        const r = ref[pi]!;
        // A reference continuation through one of the stop ids ends our completion there.
        const cut = s.finish === 'stop' ? s.ids.length : n;
        assert.deepEqual(s.ids, r.greedy.slice(0, cut), `prompt ${pi}: greedy tokens differ`);
        const d = Math.max(maxDiff(s.logprobs, r.logps.slice(0, cut)), maxDiff(lps[pi]!.logps, r.logps.slice(0, cut)));
        worst.logps = Math.max(worst.logps, d);
        assert.ok(d <= 1e-4, `prompt ${pi}: log-probs differ by ${d.toExponential(2)}`);
      });
      // Decode steps through the KV cache vs the reference and vs our full recompute.
      const dec = policy.decoder(n);
      let { logits, cache } = await dec.prefill(kase.prompts);
      const rows = kase.prompts.map((p, pi) => ({ pi, seq: [...p] }));
      for (let t = 0; t < n; t++) {
        for (const [j, row] of rows.entries()) {
          const r = ref[row.pi]!;
          const mine = logits.subarray(j * V, (j + 1) * V);
          const dRef = maxDiff(mine, r.step_logits.slice(t * V, (t + 1) * V));
          const full = await fullLogits(policy, row.seq);
          const dFull = maxDiff(mine, full.subarray((row.seq.length - 1) * V, row.seq.length * V));
          worst.steps = Math.max(worst.steps, dRef);
          worst.cache = Math.max(worst.cache, dFull);
          assert.ok(dRef <= 1e-4, `prompt ${row.pi} step ${t}: decode logits differ from the reference by ${dRef.toExponential(2)}`);
          assert.ok(dFull <= 1e-5, `prompt ${row.pi} step ${t}: KV-cache logits differ from a full recompute by ${dFull.toExponential(2)}`);
        }
        if (t === n - 1) break;
        // Row 1 drops out after two steps: the cache packs the rows still generating.
        const keep = rows.map((_, j) => j).filter((j) => !(rows[j]!.pi === 1 && t === 1));
        const tokens = keep.map((j) => ref[rows[j]!.pi]!.greedy[t]!);
        keep.forEach((j, i) => rows[j]!.seq.push(tokens[i]!));
        const next = keep.map((j) => rows[j]!);
        rows.length = 0;
        rows.push(...next);
        ({ logits, cache } = await dec.step(cache, tokens, keep));
      }
    } finally {
      await policy.release();
    }
  });
}

test('parity summary', { skip }, () => {
  console.log(`# hf parity over ${cases.length} configs: max |logits| diff ${worst.logits.toExponential(2)}, log-probs ${worst.logps.toExponential(2)}, decode steps vs reference ${worst.steps.toExponential(2)}, KV cache vs full recompute ${worst.cache.toExponential(2)}`);
});
