// The compiled optimizer updates against independent TypeScript implementations of the PyTorch
// formulas, on the same gradients (fed as inputs of the apply graph).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensorData, type TensorData } from '../../onnx/ir';
import { compile } from '../../onnx/runtime';
import { buildApplyStep, gradName } from '../compile-step';
import { init } from '../params';
import { Rng } from '../rng';
import { adamw } from './adamw';
import { sgd } from './sgd';
import type { Optimizer } from './types';
import { maxRelativeError, refAdamW, refSgd } from '../testing/reference';

const f32 = (t: TensorData): Float32Array => t.data as Float32Array;
const scalar64 = (x: number): TensorData => tensorData('float64', [], [x]);

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number, what: string): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) {
    const e = expected[i]!;
    const err = Math.abs(actual[i]! - e) / Math.max(Math.abs(e), 1e-30);
    // Values within float32 resolution of zero cannot carry a relative error: compare absolutely.
    const ok = err <= rel || Math.abs(actual[i]! - e) <= 1e-12;
    assert.ok(ok, `${what}[${i}]: ${actual[i]} vs ${e} (relative error ${err.toExponential(2)} > ${rel})`);
  }
}

interface Case {
  optimizer: Optimizer;
  ref: (name: string, p: Float64Array, g: Float32Array, state: Record<string, Float64Array>, lr: number, t: number, decay: boolean) => void;
}

/** Runs `steps` updates through the compiled apply graph and the reference; returns the worst relative error of parameters. */
async function runAgainstReference(c: Case, steps: number): Promise<number> {
  let worst = 0;
  const rng = new Rng(11);
  const specs = [
    { name: 'w', dtype: 'float32' as const, shape: [6, 5] },
    { name: 'b', dtype: 'float32' as const, shape: [5] },
  ];
  const step = buildApplyStep(specs, { optimizer: c.optimizer });
  const model = await compile(step.graph, { device: 'cpu', threads: 1 });
  try {
    const feeds: Record<string, TensorData> = {};
    const ref: Record<string, Float64Array> = {};
    for (const s of specs) {
      feeds[s.name] = init.normal(s.shape, rng, 0.5);
      ref[s.name] = Float64Array.from(f32(feeds[s.name]!));
      for (const slot of c.optimizer.slots) {
        feeds[`${s.name}.${slot}`] = init.zeros(s.shape);
        ref[`${s.name}.${slot}`] = new Float64Array(f32(feeds[s.name]!).length);
      }
    }
    for (let t = 1; t <= steps; t++) {
      const lr = 1e-2 * (1 + t / 10);
      for (const s of specs) feeds[gradName(s.name)] = init.normal(s.shape, rng, 0.1 * t);
      const out = await model.run({ ...feeds, loss: tensorData('float32', [], [1]), lr: scalar64(lr), step: scalar64(t) });
      assert.equal((out['skipped']!.data as Uint8Array)[0], 0);
      for (const s of specs) {
        // The reference starts each step from exactly the float32 values the graph was fed.
        ref[s.name] = Float64Array.from(f32(feeds[s.name]!));
        for (const slot of c.optimizer.slots) ref[`${s.name}.${slot}`] = Float64Array.from(f32(feeds[`${s.name}.${slot}`]!));
        const state = Object.fromEntries(c.optimizer.slots.map((slot) => [slot, ref[`${s.name}.${slot}`]!]));
        c.ref(s.name, ref[s.name]!, f32(feeds[gradName(s.name)]!), state, lr, t, s.shape.length >= 2);
        assertClose(f32(out[`${s.name}.new`]!), ref[s.name]!, 1e-6, `step ${t} ${s.name}`);
        for (const slot of c.optimizer.slots) assertClose(f32(out[`${s.name}.${slot}.new`]!), ref[`${s.name}.${slot}`]!, 1e-6, `step ${t} ${s.name}.${slot}`);
        // Continue from the graph's own outputs, as the trainer does.
        feeds[s.name] = out[`${s.name}.new`]!;
        for (const slot of c.optimizer.slots) feeds[`${s.name}.${slot}`] = out[`${s.name}.${slot}.new`]!;
        worst = Math.max(worst, maxRelativeError(f32(out[`${s.name}.new`]!), ref[s.name]!));
      }
    }
    return worst;
  } finally {
    await model.release();
  }
}

test('compiled AdamW equals torch.optim.AdamW formulas over 5 steps (1e-6 relative), biases excluded from weight decay', async () => {
  const o = { b1: 0.9, b2: 0.95, eps: 1e-8, wd: 0.1 };
  const worst = await runAgainstReference(
    {
      optimizer: adamw({ beta1: o.b1, beta2: o.b2, eps: o.eps, weightDecay: o.wd }),
      ref: (_n, p, g, s, lr, t, decay) => refAdamW(p, g, s['exp_avg']!, s['exp_avg_sq']!, lr, t, { ...o, wd: decay ? o.wd : 0 }),
    },
    5,
  );
  console.log(`AdamW: worst parameter relative error vs reference ${worst.toExponential(2)}`);
});

test('compiled SGD (momentum, dampening, weight decay) equals torch.optim.SGD formulas', async () => {
  const o = { mom: 0.9, damp: 0.1, nesterov: false, wd: 0.01 };
  await runAgainstReference(
    {
      optimizer: sgd({ momentum: o.mom, dampening: o.damp, weightDecay: o.wd }),
      ref: (_n, p, g, s, lr, t, decay) => refSgd(p, g, s['momentum_buffer']!, lr, t, { ...o, wd: decay ? o.wd : 0 }),
    },
    4,
  );
});

test('compiled SGD with Nesterov momentum and plain SGD', async () => {
  const n = { mom: 0.8, damp: 0, nesterov: true, wd: 0 };
  await runAgainstReference({ optimizer: sgd({ momentum: 0.8, nesterov: true }), ref: (_n, p, g, s, lr, t) => refSgd(p, g, s['momentum_buffer']!, lr, t, n) }, 3);
  const plain = { mom: 0, damp: 0, nesterov: false, wd: 0 };
  await runAgainstReference({ optimizer: sgd(), ref: (_n, p, g, _s, lr, t) => refSgd(p, g, new Float64Array(0), lr, t, plain) }, 2);
});

test('bad optimizer settings are refused', () => {
  assert.throws(() => adamw({ beta1: 1 }), /beta1 must be in \[0, 1\)/);
  assert.throws(() => sgd({ nesterov: true }), /nesterov needs momentum > 0/);
});
