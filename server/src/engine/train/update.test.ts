import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensorData, type TensorData } from '../onnx/ir';
import { compile } from '../onnx/runtime';
import { buildApplyStep, gradName } from './compile-step';
import { sgd } from './optimizers/sgd';
import { adamw } from './optimizers/adamw';
import { init, type ParamSpec } from './params';
import { Rng } from './rng';
import type { UpdateOptions } from './update';
import { refClipCoef, refGlobalNorm } from './testing/reference';

const specs: ParamSpec[] = [
  { name: 'w', dtype: 'float32', shape: [3, 4] },
  { name: 'b', dtype: 'float32', shape: [4] },
];
const f32 = (t: TensorData): Float32Array => t.data as Float32Array;

async function applyOnce(options: UpdateOptions, grads: Record<string, TensorData>, loss = 1, lr = 0.1): Promise<{ feeds: Record<string, TensorData>; out: Record<string, TensorData> }> {
  const rng = new Rng(1);
  const m = await compile(buildApplyStep(specs, options).graph, { device: 'cpu', threads: 1 });
  try {
    const feeds: Record<string, TensorData> = { loss: tensorData('float32', [], [loss]), lr: tensorData('float64', [], [lr]), step: tensorData('float64', [], [1]) };
    for (const s of specs) {
      feeds[s.name] = init.normal(s.shape, rng);
      for (const slot of options.optimizer.slots) {
        const t = init.normal(s.shape, rng, 0.01);
        // A second moment is never negative (its sqrt would be NaN).
        if (slot === 'exp_avg_sq') (t.data as Float32Array).forEach((x, i, a) => (a[i] = Math.abs(x)));
        feeds[`${s.name}.${slot}`] = t;
      }
      feeds[gradName(s.name)] = grads[s.name]!;
    }
    return { feeds, out: await m.run(feeds) };
  } finally {
    await m.release();
  }
}

function grads(seed: number, scale: number): Record<string, TensorData> {
  const rng = new Rng(seed);
  return Object.fromEntries(specs.map((s) => [s.name, init.normal(s.shape, rng, scale)]));
}

test("'select' guard: a NaN gradient outputs parameters and state unchanged and flags the step", async () => {
  const g = grads(2, 1);
  f32(g['b']!)[1] = Number.NaN;
  const { feeds, out } = await applyOnce({ optimizer: adamw(), maxGradNorm: 1, nanGuard: 'select' }, g);
  assert.equal(f32(out['skipped']!)[0], 1);
  assert.ok(Number.isNaN(f32(out['grad_norm']!)[0]!));
  for (const s of specs) {
    assert.deepEqual(f32(out[`${s.name}.new`]!), f32(feeds[s.name]!));
    assert.deepEqual(f32(out[`${s.name}.exp_avg.new`]!), f32(feeds[`${s.name}.exp_avg`]!));
    assert.deepEqual(f32(out[`${s.name}.exp_avg_sq.new`]!), f32(feeds[`${s.name}.exp_avg_sq`]!));
  }
  // A NaN loss with finite gradients is also caught.
  const r2 = await applyOnce({ optimizer: adamw(), nanGuard: 'select' }, grads(2, 1), Number.NaN);
  assert.equal(f32(r2.out['skipped']!)[0], 1);
  assert.deepEqual(f32(r2.out['w.new']!), f32(r2.feeds['w']!));
});

test("'flag' (default) only flags; 'off' has no skipped output; finite steps are not flagged", async () => {
  const g = grads(3, 1);
  f32(g['w']!)[0] = Number.POSITIVE_INFINITY;
  assert.equal(f32((await applyOnce({ optimizer: sgd() }, g)).out['skipped']!)[0], 1);
  assert.equal(f32((await applyOnce({ optimizer: sgd() }, grads(3, 1))).out['skipped']!)[0], 0);
  assert.equal((await applyOnce({ optimizer: sgd(), nanGuard: 'off' }, grads(3, 1))).out['skipped'], undefined);
  assert.throws(() => buildApplyStep(specs, { optimizer: sgd(), nanGuard: 'maybe' as 'off' }), /nanGuard must be/);
});

test('clipping: grad_norm is the pre-clip global norm and the update uses min(1, max/(norm+1e-6)) scaled gradients', async () => {
  for (const [scale, maxNorm] of [
    [1, 0.5],
    [1e-3, 10],
  ] as const) {
    const g = grads(4, scale);
    const { feeds, out } = await applyOnce({ optimizer: sgd(), maxGradNorm: maxNorm }, g);
    const norm = refGlobalNorm(specs.map((s) => f32(g[s.name]!)));
    const got = f32(out['grad_norm']!)[0]!;
    assert.ok(Math.abs(got - norm) / norm < 1e-6, `${got} vs ${norm}`);
    const coef = refClipCoef(got, maxNorm);
    assert.equal(coef < 1, scale === 1);
    // Plain SGD, lr 0.1: p' = p - lr * (g * coef), in float32.
    for (const s of specs) {
      const p = f32(feeds[s.name]!);
      const gg = f32(g[s.name]!);
      const expected = p.map((x, i) => Math.fround(x - Math.fround(Math.fround(gg[i]! * coef) * Math.fround(0.1))));
      assert.deepEqual(f32(out[`${s.name}.new`]!), expected);
    }
  }
});

test('AdamW at lr 0 (warmup start, schedule end) leaves parameters bit-identical and still updates its moments', async () => {
  const { feeds, out } = await applyOnce({ optimizer: adamw({ weightDecay: 0.1 }), maxGradNorm: 1 }, grads(4, 3), 1, 0);
  for (const s of specs) {
    assert.deepEqual(f32(out[`${s.name}.new`]!), f32(feeds[s.name]!), `${s.name} moved at lr 0`);
    assert.notDeepEqual(f32(out[`${s.name}.exp_avg.new`]!), f32(feeds[`${s.name}.exp_avg`]!));
    assert.ok(f32(out[`${s.name}.new`]!).every(Number.isFinite));
  }
});
