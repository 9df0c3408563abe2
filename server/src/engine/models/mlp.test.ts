import { test } from 'node:test';
import { Graph, type TensorData } from '../onnx/ir';
import { compile } from '../onnx/runtime';
import { Rng } from '../train/rng';
import { assertClose, int64, randomParams } from './forward-check';
import { mlpGraphInputs, mlpLoss, mlpParamSpecs, type MlpConfig } from './mlp';
import { paramInitializers } from './params';
import { refCrossEntropy, refMlpForward } from './reference';

test('MLP logits and cross-entropy equal the TypeScript reference', async () => {
  const c: MlpConfig = { inputSize: 5, hidden: [7, 6], outputSize: 4 };
  const specs = mlpParamSpecs(c);
  const P = randomParams(specs, 2, 0.5);
  const g = new Graph('mlp');
  const { x, labels } = mlpGraphInputs(g, c, { labels: true });
  const out = mlpLoss(c, paramInitializers(g, specs, P), x, labels!);
  g.output(out.logits, 'logits');
  g.output(out.loss, 'loss');
  const model = await compile(g, { device: 'cpu', threads: 1 });
  const rng = new Rng(9);
  const B = 6;
  const xs: TensorData = { dtype: 'float32', shape: [B, 5], data: Float32Array.from({ length: B * 5 }, () => rng.normal()) };
  const ys = [0, 3, 2, -100, 1, 1];
  const res = await model.run({ x: xs, labels: int64([B], ys) });
  await model.release();
  const ref = refMlpForward(c, P, { rows: B, cols: 5, data: Float64Array.from(xs.data as Float32Array) });
  assertClose(res['logits']!.data as Float32Array, ref.data, 1e-4, 'mlp logits');
  assertClose([(res['loss']!.data as Float32Array)[0]!], [refCrossEntropy(ref, ys)], 1e-4, 'mlp loss');
});
