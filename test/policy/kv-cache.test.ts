// policy-tiny's KV-cache decoding (prefill + decode graphs, host cache with rows dropping out and
// growing) against a full recompute of the whole sequence by engine/models' gptForward.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph } from '../../server/src/engine/onnx/ir';
import { compile } from '../../server/src/engine/onnx/runtime';
import { gptForward, gptGraphInputs, gptParamSpecs } from '../../server/src/engine/models/gpt';
import { initParams, paramInputs } from '../../server/src/engine/models/params';
import { causalLmBatch } from '../../server/src/engine/models/batches';
import { PolicyTiny, policyTinySized, POLICY_TINY, type PolicyTinyConfig } from '../../server/src/engine/policy/tiny';
import { KvArena } from '../../server/src/engine/policy/tiny/kv-arena';
import { Rng } from '../../server/src/engine/train/rng';

async function fullLogits(c: PolicyTinyConfig, policy: PolicyTiny, seqs: number[][]): Promise<{ data: Float32Array; T: number }> {
  const g = new Graph('full');
  const specs = gptParamSpecs(c);
  const p = paramInputs(g, specs);
  g.output(gptForward(c, p, gptGraphInputs(g)), 'logits');
  const model = await compile(g, { device: 'cpu', threads: 1 });
  const batch = causalLmBatch(seqs, 6);
  const out = await model.run({ ...Object.fromEntries(policy.params.entries()), input_ids: batch.input_ids });
  await model.release();
  return { data: out['logits']!.data as Float32Array, T: batch.input_ids.shape[1]! };
}

async function check(c: PolicyTinyConfig, seed: number, rows: number, steps: number, expected: number): Promise<number> {
  const policy = await PolicyTiny.create(c, initParams(gptParamSpecs(c), seed), { threads: 1 });
  const rng = new Rng(seed);
  const V = c.vocabSize;
  const prompts = Array.from({ length: rows }, () => [1 + rng.int(3), ...Array.from({ length: rng.int(12) }, () => 25 + rng.int(V - 25))]);
  const seqs = prompts.map((p) => [...p]);
  /** [row, step, logits] of every decoder output. */
  const seen: Array<{ row: number; at: number; logits: Float32Array }> = [];
  const dec = policy.decoder(expected, false, new KvArena());
  let { logits, cache } = await dec.prefill(prompts);
  let active = prompts.map((_, i) => i);
  for (let s = 0; ; s++) {
    active.forEach((r, i) => seen.push({ row: r, at: seqs[r]!.length - 1, logits: logits.slice(i * V, (i + 1) * V) }));
    if (s === steps) break;
    // Rows drop out at random (never all), the others are fed a random token.
    const keep = active.map((_, i) => i).filter(() => rng.uniform() > 0.12);
    if (keep.length === 0) break;
    const tokens = keep.map(() => rng.int(V));
    keep.forEach((k, j) => seqs[active[k]!]!.push(tokens[j]!));
    active = keep.map((k) => active[k]!);
    ({ logits, cache } = await dec.step(cache, tokens, keep));
  }
  const full = await fullLogits(c, policy, seqs);
  let worst = 0;
  for (const { row, at, logits: ours } of seen) {
    const base = (row * full.T + at) * V;
    for (let t = 0; t < V; t++) worst = Math.max(worst, Math.abs(ours[t]! - full.data[base + t]!));
  }
  await policy.release();
  return worst;
}

test('KV-cache decode logits equal a full recompute (random prompts and lengths, rows dropping out, cache growing)', async () => {
  // Weights 7x GPT-2's init std give logits of several units and peaked attention. The difference
  // is float32 rounding (summation order of the batched vs per-row products), so it grows with the
  // logits' scale: ~3e-6 here, ~1.5e-5 at std 0.3 where logits reach 10.
  const small = { ...policyTinySized('2x64x4x128', 64), initStd: 0.15 };
  let worst = 0;
  for (const seed of [1, 2, 3, 4, 5]) worst = Math.max(worst, await check(small, seed, 10, 25, seed % 2 ? 30 : 4));
  assert.ok(worst < 1e-5, `max |decode - recompute| = ${worst}`);
});

test('the shipped shape decodes like a full recompute too', async () => {
  const worst = await check({ ...POLICY_TINY, initStd: 0.05 }, 9, 6, 20, 20);
  assert.ok(worst < 1e-5, `max |decode - recompute| = ${worst}`);
});
