// Gradients of our Hugging Face train-step graph (Policy.buildLogps differentiated by our autodiff,
// run by engine/train's Trainer, full fine-tuning) against torch autograd through the independent
// PyTorch reference (grad_reference.py, float64), for every architecture of test/hf/cases.ts:
// loss = -mean log p(completion) - 0.1 * mean entropy at temperature 0.8, every weight's gradient.
// parity.test.ts checks the forward; this checks what training does with it (RMSNorm, RoPE, GQA,
// Qwen3's q/k norm, biases, tied heads, GPT-2's Conv1D and learned positions).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mul, neg, reduceMean, sub } from '../../server/src/engine/onnx/ops';
import { HfPolicy, hfParamSpecs, logpBatch } from '../../server/src/engine/policy/hf';
import { adamw } from '../../server/src/engine/train/optimizers/adamw';
import { makeSchedule } from '../../server/src/engine/train/schedule';
import { Trainer } from '../../server/src/engine/train/trainer';
import { Rng } from '../../server/src/engine/train/rng';
import { parityCases } from './cases';
import { makeModels, PYTHON, torchMissing } from './reference';

const skip = torchMissing();
const root = mkdtempSync(join(tmpdir(), 'hf-grad-'));
// F32 folders only: the gradients are compared, not the file rounding parity.test.ts covers.
const cases = parityCases(root).map((c) => ({ ...c, dtype: 'F32' as const, shards: 1 }));
const TEMPERATURE = 0.8;
const ENTROPY_COEF = 0.1;
const PROMPT = [5, 17, 3, 44, 9, 12];
const COMPLETION = [30, 8, 1, 60, 23, 2, 71, 33];
const IDS = [...PROMPT, ...COMPLETION];

interface RefGrads {
  loss: number;
  grads: Record<string, number[]>;
}
let refs: RefGrads[] = [];

before(() => {
  if (skip) return;
  makeModels(cases);
  const r = spawnSync(PYTHON, [join(__dirname, 'grad_reference.py')], {
    input: JSON.stringify({ cases: cases.map((c) => ({ dir: c.dir, ids: IDS, prompt_len: PROMPT.length, temperature: TEMPERATURE, entropy_coef: ENTROPY_COEF })) }),
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1' },
  });
  if (r.status !== 0) throw new Error(`grad_reference.py failed (exit ${r.status}):\n${r.stderr}`);
  refs = JSON.parse(r.stdout) as RefGrads[];
});
after(() => rmSync(root, { recursive: true, force: true }));

let worst = 0;
/** The same over GPT-2's LoRA cases (Conv1D adapters) alone. */
let worstConv1d = 0;

/** max |ours - theirs| / max |theirs| (floored at 1e-3, so near-zero gradients compare absolutely). */
function relDiff(ours: Float32Array, theirs: readonly number[]): number {
  assert.equal(ours.length, theirs.length);
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < ours.length; i++) {
    scale = Math.max(scale, Math.abs(theirs[i]!));
    diff = Math.max(diff, Math.abs(ours[i]! - theirs[i]!));
  }
  return diff / Math.max(scale, 1e-3);
}

for (const [ci, kase] of cases.entries()) {
  test(`${kase.name}: every weight's gradient equals torch autograd through the reference`, { skip }, async () => {
    const p = await HfPolicy.load(kase.dir, { threads: 1 });
    const trainer = await Trainer.create(
      { params: p.params.specs(), batch: { input_ids: { dtype: 'int64', shape: ['B', 'L'] }, positions: { dtype: 'int64', shape: ['B', 'T'] } } },
      (ctx) => {
        const out = p.buildLogps(ctx.graph, ctx.params, { inputIds: ctx.batch['input_ids']!, positions: ctx.batch['positions']!, temperature: TEMPERATURE });
        return { loss: sub(neg(reduceMean(out.logps, undefined, false)), mul(reduceMean(out.entropies, undefined, false), ENTROPY_COEF)) };
      },
      p.params.clone(),
      { optimizer: adamw({ weightDecay: 0 }), schedule: makeSchedule({ kind: 'constant' }, 0), runtime: { device: 'cpu', threads: 1 }, debugGradients: true },
    );
    try {
      const batch = logpBatch([{ promptIds: PROMPT, completionIds: COMPLETION }], 256, 0)!;
      const step = await trainer.trainStep({ input_ids: batch.inputIds, positions: batch.positions });
      const ref = refs[ci]!;
      assert.ok(Math.abs(step.loss - ref.loss) <= 1e-5 * Math.max(1, Math.abs(ref.loss)), `loss ${step.loss} vs reference ${ref.loss}`);
      const names = p.params.names();
      assert.deepEqual([...names].sort(), Object.keys(ref.grads).sort(), 'the same parameters on both sides');
      for (const name of names) {
        const ours = step.gradients!.get(name)!.data as Float32Array;
        const theirs = ref.grads[name]!;
        assert.equal(ours.length, theirs.length, name);
        const rel = relDiff(ours, theirs);
        worst = Math.max(worst, rel);
        assert.ok(rel <= 1e-4, `${name}: gradients differ by ${rel.toExponential(2)} of the largest`);
      }
    } finally {
      await trainer.release();
      await p.release();
    }
  });
}

// LoRA: adapters on chosen projections, A and B both random (a fresh B = 0 would leave A's gradient 0).
// With lora_dropout, the masks the trainer would feed (logpExtraFeeds) go to the reference too,
// which applies them to the adapter branch's input as peft's lora Linear does. GPT-2's Conv1D
// layers ([in, out] weights, peft's fan_in_fan_out) against x W + b + alpha/r (x * mask) A^T B^T;
// its default target is c_attn (peft's), and c_proj names both attn.c_proj and mlp.c_proj.
const LORA_CASES: Array<{ name: string; dropout: number; targets?: string[]; projections: number }> = [
  { name: 'llama-gqa-untied', dropout: 0, projections: 7 },
  { name: 'qwen3-qknorm-dynamic', dropout: 0, projections: 7 },
  { name: 'llama-biases', dropout: 0, projections: 7 },
  { name: 'llama-gqa-untied', dropout: 0.3, projections: 7 },
  { name: 'qwen3-qknorm-dynamic', dropout: 0.05, projections: 7 },
  { name: 'gpt2-tied-unprefixed', dropout: 0, targets: [], projections: 1 },
  { name: 'gpt2-untied-f16', dropout: 0, projections: 4 },
  { name: 'gpt2-untied-f16', dropout: 0.3, projections: 4 },
  { name: 'gpt2-tied-unprefixed', dropout: 0.1, targets: ['c_proj', 'c_fc'], projections: 3 },
];
for (const { name, dropout, targets, projections } of LORA_CASES) {
  const on = !targets ? 'all-linear' : targets.length ? targets.join(',') : 'the default targets';
  const conv1d = name.startsWith('gpt2');
  const formula = dropout ? (conv1d ? 'x W + b + alpha/r (x * mask) A^T B^T' : 'x W^T + alpha/r (x * mask) A^T B^T') : conv1d ? 'W + alpha/r (B A)^T' : 'W + alpha/r B A';
  test(`${name}, LoRA on ${on}${dropout ? `, lora_dropout ${dropout}` : ''}: every adapter's gradient equals torch autograd through the reference's ${formula}`, { skip }, async () => {
    const kase = cases.find((c) => c.name === name)!;
    const targetModules = !targets ? ('all-linear' as const) : targets.length ? targets : undefined;
    const p = await HfPolicy.load(kase.dir, { threads: 1, lora: { rank: 2, alpha: 3, seed: 4, dropout, ...(targetModules ? { targetModules } : {}) } });
    if (conv1d) {
      // peft's names and shapes for Conv1D: lora_A [r, in], lora_B [out, r] (d = 32; 3d for the fused q, k, v).
      const a = 'base_model.model.transformer.h.1.attn.c_attn.lora_A.weight';
      if (targetModules !== undefined && targetModules !== 'all-linear') assert.ok(!p.params.names().includes(a), 'c_attn has no adapter when not targeted');
      else {
        assert.deepEqual(p.params.get(a).shape, [2, 32]);
        assert.deepEqual(p.params.get('base_model.model.transformer.h.1.attn.c_attn.lora_B.weight').shape, [96, 2]);
      }
      if (targetModules === undefined) assert.deepEqual(p.lora!.targetModules, ['c_attn'], "peft's default for gpt2");
      assert.equal(p.adapterConfig()!['fan_in_fan_out'], true);
    }
    const rng = new Rng(9);
    for (const n of p.params.names()) {
      const t = p.params.get(n);
      p.params.set(n, { ...t, data: Float32Array.from(t.data as Float32Array, () => (rng.uniform() - 0.5) * 0.4) });
    }
    const adapters = Object.fromEntries(p.params.names().map((n) => [n, { shape: p.params.get(n).shape, data: Array.from(p.params.get(n).data as Float32Array) }]));
    const batch = logpBatch([{ promptIds: PROMPT, completionIds: COMPLETION }], 256, 0)!;
    const feeds = p.logpExtraFeeds(batch.inputIds, batch.positions);
    const masks = Object.entries(feeds).filter(([k]) => k.startsWith('lora_dropout_mask.'));
    assert.equal(masks.length, dropout ? 2 * projections : 0, 'a mask per adapted projection with dropout, none without');
    if (dropout) {
      const all = masks.flatMap(([, t]) => Array.from(t.data as Float32Array));
      const zeroShare = all.filter((v) => v === 0).length / all.length;
      assert.ok(Math.abs(zeroShare - dropout) < 0.05, `about ${dropout} of the features are dropped (${zeroShare.toFixed(3)})`);
      assert.ok(all.every((v) => v === 0 || Math.abs(v - 1 / (1 - dropout)) < 1e-6), 'kept features are scaled by 1 / (1 - p)');
      const again = p.logpExtraFeeds(batch.inputIds, batch.positions);
      for (const [k, t] of masks) assert.deepEqual(again[k]!.data, t.data, `${k}: the same micro-batch draws the same mask`);
    }
    const dropoutMasks = Object.fromEntries(masks.map(([k, t]) => [k.slice('lora_dropout_mask.'.length), { shape: t.shape, data: Array.from(t.data as Float32Array) }]));
    const ref = (JSON.parse(
      spawnSync(PYTHON, [join(__dirname, 'grad_reference.py')], { input: JSON.stringify({ cases: [{ dir: kase.dir, ids: IDS, prompt_len: PROMPT.length, temperature: TEMPERATURE, entropy_coef: ENTROPY_COEF, adapters, scale: p.lora!.scale, dropout_masks: dropoutMasks }] }), encoding: 'utf8', maxBuffer: 1 << 28 }).stdout,
    ) as RefGrads[])[0]!;
    // As the GRPO trainer builds it (engine/training/step-graph.ts): the frozen base weights are
    // the graph inputs the policy declares (logpExtraInputs), fed every step (logpExtraFeeds).
    const extra = p.logpExtraInputs!;
    assert.deepEqual(Object.keys(extra).sort(), [...hfParamSpecs(p.config).map((x) => x.name), ...masks.map(([k]) => k)].sort(), 'every base weight (and dropout mask) is an input');
    const trainer = await Trainer.create(
      { params: p.params.specs(), batch: { input_ids: { dtype: 'int64', shape: ['B', 'L'] }, positions: { dtype: 'int64', shape: ['B', 'T'] }, ...extra } },
      (ctx) => {
        const out = p.buildLogps(ctx.graph, ctx.params, { inputIds: ctx.batch['input_ids']!, positions: ctx.batch['positions']!, temperature: TEMPERATURE, extra: Object.fromEntries(Object.keys(extra).map((n) => [n, ctx.batch[n]!])) });
        return { loss: sub(neg(reduceMean(out.logps, undefined, false)), mul(reduceMean(out.entropies, undefined, false), ENTROPY_COEF)) };
      },
      p.params.clone(),
      { optimizer: adamw({ weightDecay: 0 }), schedule: makeSchedule({ kind: 'constant' }, 0), runtime: { device: 'cpu', threads: 1 }, debugGradients: true },
    );
    try {
      const step = await trainer.trainStep({ input_ids: batch.inputIds, positions: batch.positions, ...feeds });
      assert.ok(Math.abs(step.loss - ref.loss) <= 1e-5 * Math.max(1, Math.abs(ref.loss)), `loss ${step.loss} vs reference ${ref.loss}`);
      assert.deepEqual([...p.params.names()].sort(), Object.keys(ref.grads).sort());
      assert.equal(p.params.size, 2 * projections * 2, `A and B on ${projections} projections x 2 layers`);
      for (const n of p.params.names()) {
        const rel = relDiff(step.gradients!.get(n)!.data as Float32Array, ref.grads[n]!);
        worst = Math.max(worst, rel);
        if (conv1d) worstConv1d = Math.max(worstConv1d, rel);
        assert.ok(rel <= 1e-4, `${n}: gradients differ by ${rel.toExponential(2)} of the largest`);
      }
    } finally {
      await trainer.release();
      await p.release();
    }
  });
}

test('gradient parity summary', { skip }, () => {
  console.log(`# hf gradient parity over ${cases.length} configs (full) and ${LORA_CASES.length} (LoRA): worst max|diff| / max|grad| per weight ${worst.toExponential(2)} (GPT-2 LoRA alone ${worstConv1d.toExponential(2)})`);
});
