// The fused training step (forward + autodiff + clipping + optimizer in one ONNX graph) against
// independent TypeScript computations on the gradients the graph itself reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TensorData } from '../../server/src/engine/onnx/ir';
import { compile } from '../../server/src/engine/onnx/runtime';
import { buildInferenceGraph } from '../../server/src/engine/train/compile-step';
import { adamw } from '../../server/src/engine/train/optimizers/adamw';
import { sgd } from '../../server/src/engine/train/optimizers/sgd';
import { makeSchedule } from '../../server/src/engine/train/schedule';
import { Rng } from '../../server/src/engine/train/rng';
import { Trainer } from '../../server/src/engine/train/trainer';
import { maxRelativeError, refAdamW, refClipCoef, refGlobalNorm, refSgd } from '../../server/src/engine/train/testing/reference';
import { mlpBatch, mlpForward, mlpLoss, mlpParams, mlpSpec } from './mlp-fixture';

const cpu = { device: 'cpu' as const, threads: 1 };
const f32 = (t: TensorData): Float32Array => t.data as Float32Array;

test('fused AdamW step with clipping equals TS clip_grad_norm_ + AdamW on the graph gradients (1e-6 relative)', async () => {
  const ps = mlpParams(1);
  const o = { b1: 0.9, b2: 0.99, eps: 1e-8, wd: 0.05 };
  const maxGradNorm = 0.5;
  const schedule = makeSchedule({ kind: 'linear', warmupSteps: 2, totalSteps: 10 }, 3e-2);
  const t = await Trainer.create(mlpSpec(ps), mlpLoss, ps, {
    optimizer: adamw({ beta1: o.b1, beta2: o.b2, eps: o.eps, weightDecay: o.wd }),
    schedule,
    maxGradNorm,
    debugGradients: true,
    runtime: cpu,
  });
  try {
    const rng = new Rng(5);
    let clipped = 0;
    let worst = 0;
    for (let k = 0; k < 5; k++) {
      const before = new Map(ps.entries().map(([n, x]) => [n, Float64Array.from(f32(x))]));
      const stateBefore = new Map([...t.state].map(([n, x]) => [n, Float64Array.from(f32(x))]));
      const r = await t.trainStep(mlpBatch(rng, 8));
      assert.equal(r.skipped, false);
      assert.equal(r.step, k + 1);
      assert.equal(r.lr, schedule.lrAt(k));
      const grads = r.gradients!;
      const norm = refGlobalNorm([...grads.values()].map(f32));
      assert.ok(Math.abs(r.gradNorm - norm) / norm < 1e-5, `grad_norm ${r.gradNorm} vs ${norm}`);
      const coef = refClipCoef(r.gradNorm, maxGradNorm);
      if (coef < 1) clipped++;
      for (const [name, p] of before) {
        const g = Array.from(f32(grads.get(name)!), (x) => Math.fround(x * coef));
        const m = stateBefore.get(`${name}.exp_avg`)!;
        // exp_avg = b1 m + (1 - b1) g can cancel; its error is bounded relative to the terms' size.
        const mTerms = Array.from(m, (x, i) => o.b1 * Math.abs(x) + (1 - o.b1) * Math.abs(g[i]!));
        const v = stateBefore.get(`${name}.exp_avg_sq`)!;
        const decay = ps.get(name).shape.length >= 2;
        refAdamW(p, g, m, v, r.lr, k + 1, { ...o, wd: decay ? o.wd : 0 });
        const e = maxRelativeError(f32(ps.get(name)), p);
        worst = Math.max(worst, e);
        assert.ok(e <= 1e-6, `step ${k + 1} ${name}: relative error ${e}`);
        const mGot = f32(t.state.get(`${name}.exp_avg`)!);
        for (let i = 0; i < m.length; i++) assert.ok(Math.abs(mGot[i]! - m[i]!) <= 1e-6 * mTerms[i]!, `step ${k + 1} ${name}.exp_avg[${i}]: ${mGot[i]} vs ${m[i]}`);
        assert.ok(maxRelativeError(f32(t.state.get(`${name}.exp_avg_sq`)!), v) <= 1e-6);
      }
    }
    assert.ok(clipped >= 3, `clipping should be active in most steps (was in ${clipped})`);
    console.log(`fused AdamW+clip: worst parameter relative error ${worst.toExponential(2)}`);
  } finally {
    await t.release();
  }
});

test('fused SGD (momentum, weight decay, no clipping) equals TS torch.optim.SGD on the graph gradients', async () => {
  const ps = mlpParams(2);
  const o = { mom: 0.9, damp: 0, nesterov: false, wd: 1e-3 };
  const t = await Trainer.create(mlpSpec(ps), mlpLoss, ps, {
    optimizer: sgd({ momentum: o.mom, weightDecay: o.wd }),
    schedule: makeSchedule({ kind: 'constant' }, 0.05),
    debugGradients: true,
    decay: () => true,
    runtime: cpu,
  });
  try {
    const rng = new Rng(6);
    for (let k = 0; k < 3; k++) {
      const before = new Map(ps.entries().map(([n, x]) => [n, Float64Array.from(f32(x))]));
      const bufs = new Map([...t.state].map(([n, x]) => [n, Float64Array.from(f32(x))]));
      const r = await t.trainStep(mlpBatch(rng, 8));
      for (const [name, p] of before) {
        refSgd(p, f32(r.gradients!.get(name)!), bufs.get(`${name}.momentum_buffer`)!, r.lr, k + 1, o);
        assert.ok(maxRelativeError(f32(ps.get(name)), p) <= 1e-6, `step ${k + 1} ${name}`);
      }
    }
  } finally {
    await t.release();
  }
});

test('NaN guard: a NaN batch is reported, parameters and state stay bit-identical, the step is not counted', async () => {
  const ps = mlpParams(3);
  const t = await Trainer.create(mlpSpec(ps), mlpLoss, ps, { optimizer: adamw(), schedule: makeSchedule({ kind: 'constant' }, 1e-2), maxGradNorm: 1, runtime: cpu });
  try {
    const rng = new Rng(7);
    await t.trainStep(mlpBatch(rng, 4));
    const snapshot = ps.clone();
    const state = new Map([...t.state].map(([n, x]) => [n, f32(x).slice()]));
    const bad = mlpBatch(rng, 4);
    f32(bad['x']!)[2] = Number.NaN;
    const r = await t.trainStep(bad);
    assert.equal(r.skipped, true);
    assert.ok(Number.isNaN(r.loss));
    assert.equal(r.step, 1);
    assert.equal(t.step, 1);
    assert.equal(t.skippedSteps, 1);
    for (const [n, x] of snapshot.entries()) assert.deepEqual(f32(ps.get(n)), f32(x), `${n} changed`);
    for (const [n, x] of state) assert.deepEqual(f32(t.state.get(n)!), x, `${n} changed`);
    // An infinite target gives an infinite loss: also skipped. Then training continues normally.
    const inf = mlpBatch(rng, 4);
    f32(inf['target']!)[0] = Number.POSITIVE_INFINITY;
    assert.equal((await t.trainStep(inf)).skipped, true);
    const ok = await t.trainStep(mlpBatch(rng, 4));
    assert.equal(ok.skipped, false);
    assert.equal(ok.step, 2);
    assert.ok(Number.isFinite(ok.loss));
  } finally {
    await t.release();
  }
});

test('inference graph from the same model code reproduces the training loss', async () => {
  const ps = mlpParams(4);
  const t = await Trainer.create(mlpSpec(ps), mlpLoss, ps, { optimizer: sgd(), schedule: makeSchedule({ kind: 'constant' }, 0), runtime: cpu });
  const inf = await compile(buildInferenceGraph(ps.specs(), { x: mlpSpec(ps).batch['x']! }, mlpForward, { bake: ps.clone() }), cpu);
  try {
    assert.equal(inf.inputNames.join(), 'x');
    const b = mlpBatch(new Rng(8), 5);
    const y = f32((await inf.run({ x: b['x']! }))['y']!);
    const target = f32(b['target']!);
    let mse = 0;
    for (let i = 0; i < y.length; i++) mse += (y[i]! - target[i]!) ** 2;
    mse /= y.length;
    const r = await t.trainStep(b); // lr 0: loss is of the same (unchanged) parameters
    assert.ok(Math.abs(r.loss - mse) / mse < 1e-6, `${r.loss} vs ${mse}`);
  } finally {
    await Promise.all([t.release(), inf.release()]);
  }
});
