// Autodiff through the reference models (symbolic B, T; float32 as the models are built), checked
// by directional finite differences: for a unit direction d, (L(p + eps d) - L(p - eps d)) / 2 eps
// must equal grad . d. Two directions per model: the gradient itself (so the signal is |grad|)
// and a random one. Per-element checks of every rule are in rules.test.ts; this checks that the
// rules compose on real model graphs with symbolic shapes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph, tensorData, type TensorData, type Value } from '../../server/src/engine/onnx/ir';
import { gradients } from '../../server/src/engine/onnx/autodiff';
import { compile } from '../../server/src/engine/onnx/runtime';
import { paramInputs, type ParamSpec } from '../../server/src/engine/models/params';
import { gptConfig, gptGraphInputs, gptLoss, gptParamSpecs } from '../../server/src/engine/models/gpt';
import { bertConfig, bertGraphInputs, bertLoss, bertParamSpecs } from '../../server/src/engine/models/bert';
import { Rng } from '../../server/src/engine/train/rng';

// float32 loss of order 1: round-off / eps ~ 6e-8 / 3e-3 and curvature eps^2 terms stay far below the
// tolerance of 5e-4 * |grad| (observed: ~5e-5 * |grad|).
const EPS = 3e-3;
const RTOL = 5e-4;

async function directionalCheck(g: Graph, specs: ParamSpec[], params: Record<string, Value>, loss: Value, batch: Record<string, TensorData>) {
  const grads = gradients(loss, specs.map((s) => params[s.name]!));
  const lossName = g.output(loss, 'loss').name;
  const gradNames = grads.map((d, i) => g.output(d, `grad_${i}`).name);
  const m = await compile(g, { device: 'cpu', threads: 1 });
  try {
    const r = new Rng(1234);
    const values = specs.map((s) => {
      const n = s.shape.reduce((a, b) => a * b, 1);
      // Larger than the models' init so every weight matters; norm weights around 1.
      return Float32Array.from({ length: n }, () => (s.init.kind === 'ones' ? 0.5 + r.uniform() : 0.3 * (r.uniform() * 2 - 1)));
    });
    const feeds = (shift: Float32Array[] | undefined, scale: number): Record<string, TensorData> => ({
      ...batch,
      ...Object.fromEntries(specs.map((s, i) => [s.name, tensorData('float32', s.shape, shift ? values[i]!.map((v, k) => v + scale * shift[i]![k]!) : values[i]!)])),
    });
    const base = await m.run(feeds(undefined, 0));
    const grad = gradNames.map((n) => Float32Array.from(base[n]!.data as Float32Array));
    const norm = Math.sqrt(grad.reduce((s, gr) => s + gr.reduce((a, v) => a + v * v, 0), 0));
    assert.ok(norm > 1e-3, `gradient norm ${norm} is too small to check`);
    const random = values.map((v) => Float32Array.from(v, () => r.normal()));
    const rnorm = Math.sqrt(random.reduce((s, d) => s + d.reduce((a, v) => a + v * v, 0), 0));
    const results: Array<{ dir: string; ad: number; fd: number }> = [];
    for (const [dir, d] of [['gradient', grad.map((gr) => gr.map((v) => v / norm))], ['random', random.map((x) => x.map((v) => v / rnorm))]] as const) {
      const ad = grad.reduce((s, gr, i) => s + gr.reduce((a, v, k) => a + v * d[i]![k]!, 0), 0);
      const plus = Number((await m.run(feeds(d, EPS), [lossName]))[lossName]!.data[0]);
      const minus = Number((await m.run(feeds(d, -EPS), [lossName]))[lossName]!.data[0]);
      results.push({ dir, ad, fd: (plus - minus) / (2 * EPS) });
    }
    return { norm, results };
  } finally {
    await m.release();
  }
}

const ids = (b: number, t: number, v: number, r: Rng) => tensorData('int64', [b, t], Array.from({ length: b * t }, () => r.int(v)));

test('GPT-style causal LM: gradients of every parameter match directional finite differences', async (t) => {
  const c = gptConfig({ vocabSize: 11, dModel: 8, nLayers: 2, nHeads: 2, maxLen: 16 });
  const specs = gptParamSpecs(c);
  const g = new Graph('gpt_grad');
  const p = paramInputs(g, specs);
  const inputs = gptGraphInputs(g, { labels: true });
  const { loss } = gptLoss(c, p, { inputIds: inputs.inputIds, labels: inputs.labels! });
  const r = new Rng(7);
  const labels = ids(2, 5, 11, r);
  (labels.data as BigInt64Array)[4] = -100n; // the last position predicts nothing
  const { norm, results } = await directionalCheck(g, specs, p, loss, { input_ids: ids(2, 5, 11, r), labels });
  t.diagnostic(`|grad| ${norm.toFixed(4)}; ${results.map((x) => `${x.dir}: autodiff ${x.ad.toFixed(6)} fd ${x.fd.toFixed(6)}`).join('; ')}`);
  for (const x of results) assert.ok(Math.abs(x.ad - x.fd) <= RTOL * norm, `${x.dir} direction: autodiff ${x.ad} vs finite differences ${x.fd}`);
});

test('BERT-style MLM encoder: gradients of every parameter match directional finite differences', async (t) => {
  const c = bertConfig({ vocabSize: 13, dModel: 8, nLayers: 2, nHeads: 2 });
  const specs = bertParamSpecs(c);
  const g = new Graph('bert_grad');
  const p = paramInputs(g, specs);
  const inputs = bertGraphInputs(g, { labels: true });
  const { loss } = bertLoss(c, p, { ...inputs, labels: inputs.labels! });
  const r = new Rng(9);
  const labels = tensorData('int64', [2, 6], [3, -100, 5, -100, -100, 1, -100, 7, -100, 2, -100, -100]);
  const mask = tensorData('int64', [2, 6], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
  const { norm, results } = await directionalCheck(g, specs, p, loss, { input_ids: ids(2, 6, 13, r), attention_mask: mask, labels });
  t.diagnostic(`|grad| ${norm.toFixed(4)}; ${results.map((x) => `${x.dir}: autodiff ${x.ad.toFixed(6)} fd ${x.fd.toFixed(6)}`).join('; ')}`);
  for (const x of results) assert.ok(Math.abs(x.ad - x.fd) <= RTOL * norm, `${x.dir} direction: autodiff ${x.ad} vs finite differences ${x.fd}`);
});
