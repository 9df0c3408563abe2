// A small MLP regression model built directly with ops.ts (independent of the models package), and
// seeded batches, for the training-step tests.
import { tensorData, type TensorData } from '../../server/src/engine/onnx/ir';
import { add, matmul, mul, reduceMean, sub, tanh } from '../../server/src/engine/onnx/ops';
import type { ForwardFn, LossFn, ModelSpec } from '../../server/src/engine/train/compile-step';
import { ParameterSet, init } from '../../server/src/engine/train/params';
import { Rng } from '../../server/src/engine/train/rng';

export const IN = 4;
export const HIDDEN = 8;
export const OUT = 3;

export function mlpParams(seed: number): ParameterSet {
  const rng = new Rng(seed);
  const ps = new ParameterSet();
  ps.add('w1', init.normal([IN, HIDDEN], rng, 0.5));
  ps.add('b1', init.normal([HIDDEN], rng, 0.1));
  ps.add('w2', init.normal([HIDDEN, OUT], rng, 0.5));
  ps.add('b2', init.zeros([OUT]));
  return ps;
}

export const mlpForward: ForwardFn = ({ params, batch }) => ({
  y: add(matmul(tanh(add(matmul(batch['x']!, params['w1']!), params['b1']!)), params['w2']!), params['b2']!),
});

/** Mean squared error over all outputs, plus the mean absolute prediction as a metric. */
export const mlpLoss: LossFn = (ctx) => {
  const y = mlpForward(ctx)['y']!;
  const d = sub(y, ctx.batch['target']!);
  return { loss: reduceMean(mul(d, d), undefined, false), metrics: { mean_pred: reduceMean(y, undefined, false) } };
};

export function mlpSpec(params: ParameterSet): ModelSpec {
  return {
    params: params.specs(),
    batch: { x: { dtype: 'float32', shape: ['B', IN] }, target: { dtype: 'float32', shape: ['B', OUT] } },
  };
}

/** A batch of `n` examples drawn from `rng`: targets are a fixed smooth function of x. */
export function mlpBatch(rng: Rng, n: number): Record<string, TensorData> {
  const x: number[] = [];
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const xi = Array.from({ length: IN }, () => rng.normal());
    x.push(...xi);
    t.push(Math.sin(xi[0]!) + xi[1]! * 0.5, xi[2]! * xi[3]!, -xi[0]! + 0.1);
  }
  return { x: tensorData('float32', [n, IN], x), target: tensorData('float32', [n, OUT], t) };
}

/** Splits a batch along dim 0 into two halves. */
export function splitBatch(b: Record<string, TensorData>): Array<Record<string, TensorData>> {
  const halves: Array<Record<string, TensorData>> = [{}, {}];
  for (const [name, t] of Object.entries(b)) {
    const n = t.shape[0]!;
    const row = t.data.length / n;
    const h = n / 2;
    halves[0]![name] = { dtype: t.dtype, shape: [h, ...t.shape.slice(1)], data: t.data.slice(0, h * row) };
    halves[1]![name] = { dtype: t.dtype, shape: [n - h, ...t.shape.slice(1)], data: t.data.slice(h * row) };
  }
  return halves;
}
