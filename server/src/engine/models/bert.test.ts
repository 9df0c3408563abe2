import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph } from '../onnx/ir';
import { compile } from '../onnx/runtime';
import { Rng } from '../train/rng';
import { mlmBatch } from './batches';
import { bertConfig, bertForward, bertGraphInputs, bertLoss, bertParamSpecs, type BertConfig } from './bert';
import { assertClose, batchRow, randomParams } from './forward-check';
import { paramInitializers } from './params';
import { refBertForward, refCrossEntropy } from './reference';

async function check(c: BertConfig, seqs: number[][]): Promise<void> {
  const specs = bertParamSpecs(c);
  const P = randomParams(specs, 11);
  const g = new Graph('bert');
  const inputs = bertGraphInputs(g, { labels: true });
  const out = bertLoss(c, paramInitializers(g, specs, P), { ...inputs, labels: inputs.labels! });
  g.output(out.logits, 'logits');
  g.output(out.loss, 'loss');
  const model = await compile(g, { device: 'cpu', threads: 1 });
  const batch = mlmBatch(seqs, 0, { maskId: 1, rate: 0.3, special: new Set([0, 2]) }, new Rng(3));
  const res = await model.run(batch);
  await model.release();
  const [B, T] = batch.input_ids.shape as [number, number];
  const ids = Array.from(batch.input_ids.data as BigInt64Array, Number);
  const mask = Array.from(batch.attention_mask.data as BigInt64Array, Number);
  const labels = Array.from(batch.labels.data as BigInt64Array, Number);
  let total = 0;
  let count = 0;
  for (let b = 0; b < B; b++) {
    const row = (a: number[]) => a.slice(b * T, (b + 1) * T);
    const ref = refBertForward(c, P, row(ids), row(mask));
    const L = seqs[b]!.length;
    // Padded query rows are computed but meaningless; compare the real tokens.
    assertClose(batchRow(res['logits']!, b).data.subarray(0, L * c.vocabSize), ref.data.subarray(0, L * c.vocabSize), 1e-4, `bert logits, sequence ${b}`);
    const n = row(labels).filter((y) => y !== -100).length;
    total += refCrossEntropy(ref, row(labels)) * n;
    count += n;
  }
  assert.ok(count > 0);
  assertClose([(res['loss']!.data as Float32Array)[0]!], [total / count], 1e-4, 'mlm loss');
}

test('BERT/UME-style encoder logits and masked-LM loss equal the TypeScript reference (padded batch)', async () => {
  const c = bertConfig({ vocabSize: 13, dModel: 8, nLayers: 2, nHeads: 2, dFF: 16 });
  await check(c, [[2, 5, 6, 7, 8, 9, 10, 0], [2, 11, 12, 3], [2, 4, 4, 4, 4, 5]]);
});

test('the halves sinusoid layout matches the reference too', async () => {
  const c = bertConfig({ vocabSize: 10, dModel: 6, nLayers: 1, nHeads: 3, posLayout: 'halves', posTemperature: 100 });
  await check(c, [[2, 3, 4, 5, 6, 7, 8, 9], [2, 9, 8]]);
});

test('padding does not change the encoding of real tokens', async () => {
  const c = bertConfig({ vocabSize: 10, dModel: 8, nLayers: 1, nHeads: 2 });
  const specs = bertParamSpecs(c);
  const g = new Graph('bert');
  const inputs = bertGraphInputs(g);
  g.output(bertForward(c, paramInitializers(g, specs, randomParams(specs, 5)), inputs), 'logits');
  const model = await compile(g, { device: 'cpu', threads: 1 });
  const feeds = (seqs: number[][]) => {
    const { input_ids, attention_mask } = mlmBatch(seqs, 0, { maskId: 1, rate: 0, special: new Set(seqs.flat()) }, new Rng(1));
    return { input_ids, attention_mask };
  };
  const alone = await model.run(feeds([[2, 3, 4]]));
  const padded = await model.run(feeds([[2, 3, 4], [2, 5, 6, 7, 8, 9]]));
  await model.release();
  assertClose((padded['logits']!.data as Float32Array).subarray(0, 3 * 10), alone['logits']!.data as Float32Array, 1e-5, 'padded vs alone');
});
