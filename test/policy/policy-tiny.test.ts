// policy-tiny end to end with real ONNX Runtime sessions: sampling through the KV cache, log-probs
// of given completions, and the train-step graph's log-probs all agree; seeds replay; rows stop.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tensorData, type Value } from '../../server/src/engine/onnx/ir';
import { compile } from '../../server/src/engine/onnx/runtime';
import { mul, neg, reduceSum, div } from '../../server/src/engine/onnx/ops';
import { PolicyTiny, logpBatch, MODALITY_RANGE, policyTinySized, type PolicyTinyConfig } from '../../server/src/engine/policy/tiny';
import type { SampledCompletion } from '../../server/src/engine/policy/types';
import { buildInferenceGraph } from '../../server/src/engine/train/compile-step';
import { adamw } from '../../server/src/engine/train/optimizers/adamw';
import { Rng } from '../../server/src/engine/train/rng';
import { makeSchedule } from '../../server/src/engine/train/schedule';
import { Trainer } from '../../server/src/engine/train/trainer';
import { SPECIAL } from '../../server/src/engine/ume/tokenizer';

const CONFIG: PolicyTinyConfig = { ...policyTinySized('2x64x4x128', 96), initStd: 0.15 };
const PROMPTS = [[2], [1], [3], [2, 54, 54], [1, 30, 42, 41, 33], [3, 1274]];

async function withPolicy(fn: (p: PolicyTiny) => Promise<void>, config = CONFIG, seed = 3): Promise<void> {
  const p = await PolicyTiny.random(config, seed, { threads: 1 });
  try {
    await fn(p);
  } finally {
    await p.release();
  }
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

/** The policy's extra log-prob graph inputs (its SMILES grammar mask) among a graph's batch inputs. */
const extraOf = (p: PolicyTiny, batch: Record<string, Value>): Record<string, Value> => Object.fromEntries(Object.keys(p.logpExtraInputs ?? {}).map((k) => [k, batch[k]!]));

/** The train-step log-probs: policy.buildLogps in a graph whose parameters are inputs. */
async function graphLogps(p: PolicyTiny, samples: SampledCompletion[], temperature: number): Promise<Float32Array[]> {
  const graph = buildInferenceGraph(p.params.specs(), { input_ids: { dtype: 'int64', shape: ['B', 'L'] }, positions: { dtype: 'int64', shape: ['B', 'T'] }, ...p.logpExtraInputs }, (ctx) => {
    const out = p.buildLogps(ctx.graph, ctx.params, { inputIds: ctx.batch['input_ids']!, positions: ctx.batch['positions']!, temperature, extra: extraOf(p, ctx.batch) });
    return { logps: out.logps, entropies: out.entropies };
  });
  const model = await compile(graph, { device: 'cpu', threads: 1 });
  const batch = logpBatch(samples.map((s) => ({ promptIds: s.promptIds, completionIds: s.ids })), CONFIG.maxLen)!;
  const out = await model.run({ ...Object.fromEntries(p.params.entries()), input_ids: batch.inputIds, positions: batch.positions, ...p.logpExtraFeeds(batch.inputIds, batch.positions) });
  await model.release();
  const lp = out['logps']!.data as Float32Array;
  return samples.map((s, b) => lp.slice(b * batch.T, b * batch.T + s.ids.length));
}

test('sample() log-probs equal logprobs() and the train-step graph on the same completions (temperature 1 and 0.7, with warpers)', async () => {
  await withPolicy(async (p) => {
    for (const [temperature, extra] of [[1, {}], [0.7, { topP: 0.9, topK: 50, repetitionPenalty: 1.2 }]] as const) {
      const samples = await p.sample(PROMPTS, { maxNewTokens: 40, temperature, ...extra }, new Rng(5));
      const viaLogprobs = await p.logprobs(samples.map((s) => ({ promptIds: s.promptIds, completionIds: s.ids })), temperature);
      const viaGraph = await graphLogps(p, samples, temperature);
      samples.forEach((s, i) => {
        assert.ok(s.ids.length > 0);
        assert.ok(maxDiff(s.logprobs, viaLogprobs[i]!.logps) < 1e-5, `row ${i} T=${temperature}: sample vs logprobs ${maxDiff(s.logprobs, viaLogprobs[i]!.logps)}`);
        assert.ok(maxDiff(s.logprobs, viaGraph[i]!) < 1e-5, `row ${i} T=${temperature}: sample vs train graph ${maxDiff(s.logprobs, viaGraph[i]!)}`);
        for (const h of viaLogprobs[i]!.entropies) assert.ok(h >= 0 && Number.isFinite(h));
      });
    }
  });
});

test('generation is restricted to the prompt modality + <eos>, and the restricted log-probs are normalised over it', async () => {
  await withPolicy(async (p) => {
    const samples = await p.sample(PROMPTS, { maxNewTokens: 30 }, new Rng(2));
    samples.forEach((s) => {
      const m = s.promptIds[0] === 2 ? 'SMILES' : s.promptIds[0] === 1 ? 'amino_acid' : 'nucleotide';
      const [lo, hi] = MODALITY_RANGE[m];
      for (const id of s.ids) assert.ok(id === SPECIAL.eos || (id >= lo && id <= hi), `${m}: generated id ${id}`);
    });
    // Over a nucleotide prompt, the 9 allowed next tokens' probabilities sum to 1.
    const next = [4, 1272, 1273, 1274, 1275, 1276, 1277, 1278, 1279];
    const lps = await p.logprobs(next.map((id) => ({ promptIds: [3, 1274], completionIds: [id] })), 1);
    const total = lps.reduce((s, r) => s + Math.exp(r.logps[0]!), 0);
    assert.ok(Math.abs(total - 1) < 1e-5, `restricted probabilities sum to ${total}`);
  });
});

test('the same seed gives the same completions; greedy is deterministic whatever the seed', async () => {
  await withPolicy(async (p) => {
    const opts = { maxNewTokens: 25, temperature: 0.9 };
    const a = await p.sample(PROMPTS, opts, new Rng(11));
    const b = await p.sample(PROMPTS, opts, new Rng(11));
    const c = await p.sample(PROMPTS, opts, new Rng(12));
    assert.deepEqual(a.map((s) => s.ids), b.map((s) => s.ids));
    assert.notDeepEqual(a.map((s) => s.ids), c.map((s) => s.ids));
    const rng = new Rng(1);
    const before = rng.state();
    const g1 = await p.sample(PROMPTS, { maxNewTokens: 25, greedy: true }, rng);
    assert.deepEqual(rng.state(), before, 'greedy draws nothing');
    const g2 = await p.sample(PROMPTS, { maxNewTokens: 25, greedy: true, temperature: 0.5 }, new Rng(99));
    assert.deepEqual(g1.map((s) => s.ids), g2.map((s) => s.ids));
    // Each greedy token is the most likely one: no allowed alternative has a higher log-prob.
    const s = g1[0]!;
    const alts = [4, ...Array.from({ length: 40 }, (_, i) => 52 + i)];
    const lp = await p.logprobs(alts.map((id) => ({ promptIds: s.promptIds, completionIds: [id] })), 1);
    for (const r of lp) assert.ok(r.logps[0]! <= s.logprobs[0]! + 1e-6);
  });
});

test('rows stop at <eos> and leave the batch; a row cut at maxNewTokens is flagged and keeps its tag open', async () => {
  // A model that often likes <eos>: its <eos> logit becomes 4x another token's, so it is the most
  // likely token in some contexts and unlikely in others: some rows stop early, others run on.
  await withPolicy(async (p) => {
    const head = p.params.get('lm_head.weight');
    const w = head.data as Float32Array;
    const V = CONFIG.vocabSize;
    for (let r = 0; r < CONFIG.dModel; r++) w[r * V + SPECIAL.eos] = 4 * w[r * V + 60]!;
    const samples = await p.sample(Array.from({ length: 24 }, (_, i) => PROMPTS[i % PROMPTS.length]!), { maxNewTokens: 12 }, new Rng(4));
    const stopped = samples.filter((s) => s.finish === 'stop');
    const cut = samples.filter((s) => s.finish === 'length');
    assert.ok(stopped.length > 0 && cut.length > 0, `${stopped.length} stopped, ${cut.length} cut`);
    for (const s of stopped) {
      assert.equal(s.ids[s.ids.length - 1], SPECIAL.eos);
      assert.equal(s.ids.indexOf(SPECIAL.eos), s.ids.length - 1, 'nothing after <eos>');
      assert.match(s.text, /^<(smiles|protein|dna)>.*<\/\1>$/);
    }
    for (const s of cut) {
      assert.equal(s.ids.length, 12);
      assert.ok(!s.ids.includes(SPECIAL.eos));
      assert.match(s.text, /^<(smiles|protein|dna)>[^<]*$/, 'no closing tag');
    }
  });
});

test('buildLogps trains: a fused train step on -mean(logp) of sampled completions reports their log-probs as its loss', async () => {
  await withPolicy(async (p) => {
    const samples = await p.sample(PROMPTS, { maxNewTokens: 20 }, new Rng(8));
    const batch = logpBatch(samples.map((s) => ({ promptIds: s.promptIds, completionIds: s.ids })), CONFIG.maxLen)!;
    const mask = new Float32Array(samples.length * batch.T);
    samples.forEach((s, b) => mask.fill(1, b * batch.T, b * batch.T + s.ids.length));
    const spec = { params: p.params.specs(), batch: { input_ids: { dtype: 'int64' as const, shape: ['B', 'L'] }, positions: { dtype: 'int64' as const, shape: ['B', 'T'] }, mask: { dtype: 'float32' as const, shape: ['B', 'T'] }, ...p.logpExtraInputs } };
    const trainer = await Trainer.create(
      spec,
      (ctx) => {
        const { logps } = p.buildLogps(ctx.graph, ctx.params, { inputIds: ctx.batch['input_ids']!, positions: ctx.batch['positions']!, temperature: 1, extra: extraOf(p, ctx.batch) });
        const m = ctx.batch['mask']!;
        return { loss: neg(div(reduceSum(mul(logps, m), undefined, false), reduceSum(m, undefined, false))) };
      },
      p.params,
      { optimizer: adamw(), schedule: makeSchedule({ kind: 'constant' }, 1e-3), runtime: { device: 'cpu', threads: 1 } },
    );
    const before = Float32Array.from(p.params.get('layers.0.attn.Wqkv.weight').data as Float32Array);
    const r = await trainer.trainStep({ input_ids: batch.inputIds, positions: batch.positions, mask: tensorData('float32', [samples.length, batch.T], mask), ...p.logpExtraFeeds(batch.inputIds, batch.positions) });
    await trainer.release();
    const all = samples.flatMap((s) => Array.from(s.logprobs));
    const expected = -all.reduce((a, b) => a + b, 0) / all.length;
    assert.ok(Math.abs(r.loss - expected) < 1e-5, `loss ${r.loss} vs ${expected}`);
    assert.ok(!r.skipped && r.gradNorm > 0);
    assert.ok(maxDiff(before, p.params.get('layers.0.attn.Wqkv.weight').data as Float32Array) > 0, 'the update changed the policy in place');
    // The policy samples with the updated parameters at once.
    const after = await p.logprobs([{ promptIds: samples[0]!.promptIds, completionIds: samples[0]!.ids }], 1);
    assert.ok(maxDiff(after[0]!.logps, samples[0]!.logprobs) > 1e-4);
  });
});

test('snapshot() is frozen; save/load round-trips a model folder (F32 exactly, F16 to the nearest half)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'policy-tiny-'));
  try {
    await withPolicy(async (p) => {
      const snap = await p.snapshot();
      const name = 'final_norm.weight';
      (p.params.get(name).data as Float32Array)[0] = 5;
      assert.notEqual((snap.params.get(name).data as Float32Array)[0], 5);
      const sampleSnap = await snap.sample([[2]], { maxNewTokens: 5, greedy: true }, new Rng(1));
      assert.equal(sampleSnap.length, 1);
      await snap.release();
      await p.sample([[2]], { maxNewTokens: 5 }, new Rng(1)); // the shared sessions survive the snapshot's release

      await p.save(join(dir, 'f32'), { storage: 'F32' });
      await p.save(join(dir, 'f16'));
      const f32 = await PolicyTiny.load(join(dir, 'f32'), { threads: 1 });
      const f16 = await PolicyTiny.load(join(dir, 'f16'), { threads: 1 });
      for (const [n, t] of p.exportWeights()) {
        assert.equal(maxDiff(t.data as Float32Array, f32.params.get(n).data as Float32Array), 0, n);
        const rel = maxDiff(t.data as Float32Array, f16.params.get(n).data as Float32Array);
        assert.ok(rel < 2e-3 * Math.max(1, ...Array.from(t.data as Float32Array, Math.abs)), `${n}: F16 error ${rel}`);
      }
      assert.deepEqual(f32.config, CONFIG);
      await f32.release();
      await f16.release();
    });
    await writeFile(join(dir, 'f32', 'config.json'), JSON.stringify({ ...CONFIG, dModel: 65 }));
    await assert.rejects(PolicyTiny.load(join(dir, 'f32')), /dModel 65 is not divisible by nHeads 4/);
    await writeFile(join(dir, 'f32', 'config.json'), JSON.stringify({ ...CONFIG, nLayers: 3 }));
    await assert.rejects(PolicyTiny.load(join(dir, 'f32')), /does not fit the config[\s\S]*missing tensor "layers.2/);
    await assert.rejects(PolicyTiny.load(join(dir, 'nowhere')), /cannot read .*config.json/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('prompt and length limits fail with what to do', async () => {
  await withPolicy(async (p) => {
    await assert.rejects(p.sample([[2]], { maxNewTokens: 96 }, new Rng(1)), /exceeds policy-tiny's 96 positions; use maxNewTokens <= 95/);
    assert.deepEqual(p.tokenizePrompt('Generate a molecule <smiles>CC'), [2, 54, 54]);
    assert.equal(p.decodeCompletion([2, 54, 54], [58, SPECIAL.eos]), '<smiles>CCO</smiles>');
    assert.deepEqual(await p.logprobs([{ promptIds: [2], completionIds: [] }], 1), [{ logps: new Float32Array(0), entropies: new Float32Array(0) }]);
  });
});
