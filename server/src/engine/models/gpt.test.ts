import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph } from '../onnx/ir';
import { compile } from '../onnx/runtime';
import { causalLmBatch } from './batches';
import { assertClose, batchRow, randomParams } from './forward-check';
import { gptConfig, gptGraphInputs, gptLoss, gptParamSpecs, type GptConfig } from './gpt';
import { paramInitializers } from './params';
import { refCrossEntropy, refGptForward } from './reference';

async function check(c: GptConfig, seqs: number[][], withMask: boolean): Promise<void> {
  const specs = gptParamSpecs(c);
  const P = randomParams(specs, 7);
  const g = new Graph('gpt');
  const inputs = gptGraphInputs(g, { attentionMask: withMask, labels: true });
  const out = gptLoss(c, paramInitializers(g, specs, P), { ...inputs, labels: inputs.labels! });
  g.output(out.logits, 'logits');
  g.output(out.loss, 'loss');
  const model = await compile(g, { device: 'cpu', threads: 1 });
  const batch = causalLmBatch(seqs, 0);
  const feeds = withMask ? batch : { input_ids: batch.input_ids, labels: batch.labels };
  const res = await model.run(feeds);
  await model.release();
  const T = batch.input_ids.shape[1]!;
  assert.deepEqual(res['logits']!.shape, [seqs.length, T, c.vocabSize]);
  let total = 0;
  let count = 0;
  seqs.forEach((s, b) => {
    const ids = Array.from({ length: T }, (_, t) => s[t] ?? 0);
    const mask = ids.map((_, t) => (t < s.length ? 1 : 0));
    const ref = refGptForward(c, P, ids, withMask ? mask : undefined);
    const ours = batchRow(res['logits']!, b);
    // Causality hides right padding from real tokens, so those rows match with or without a mask.
    const rows = withMask ? T : s.length;
    assertClose(ours.data.subarray(0, rows * c.vocabSize), ref.data.subarray(0, rows * c.vocabSize), 1e-4, `gpt logits, sequence ${b}`);
    const labels = ids.map((_, t) => (t + 1 < s.length ? s[t + 1]! : -100));
    const n = labels.filter((y) => y !== -100).length;
    total += refCrossEntropy(ref, labels) * n;
    count += n;
  });
  assertClose([(res['loss']!.data as Float32Array)[0]!], [total / count], 1e-4, 'gpt loss');
}

test('GPT logits and next-token loss equal the TypeScript reference (learned positions, ragged batch)', async () => {
  const c = gptConfig({ vocabSize: 11, dModel: 8, nLayers: 2, nHeads: 2, dFF: 12, maxLen: 16 });
  await check(c, [[1, 5, 3, 9, 2, 4], [7, 3, 10], [2, 2, 2, 6, 1]], false);
});

test('GPT with sinusoidal positions and a key padding mask equals the reference', async () => {
  const c = gptConfig({ vocabSize: 9, dModel: 6, nLayers: 1, nHeads: 3, positions: 'sinusoidal' });
  await check(c, [[1, 2, 3, 4], [8, 7]], true);
});

test('the same GPT graph runs any batch size and length (symbolic B, T)', async () => {
  const c = gptConfig({ vocabSize: 7, dModel: 4, nLayers: 1, nHeads: 1, maxLen: 32 });
  const specs = gptParamSpecs(c);
  const g = new Graph('gpt');
  const { inputIds } = gptGraphInputs(g);
  const logits = g.output(gptLoss(c, paramInitializers(g, specs, randomParams(specs, 1)), { inputIds, labels: inputIds }).logits, 'logits');
  assert.deepEqual(logits.shape, ['B', 'T', 7]);
  const model = await compile(g, { device: 'cpu', threads: 1 });
  for (const [B, T] of [[1, 1], [3, 20]] as const) {
    const res = await model.run({ input_ids: causalLmBatch(Array.from({ length: B }, () => Array.from({ length: T }, (_, i) => i % 7)), 0).input_ids });
    assert.deepEqual(res['logits']!.shape, [B, T, 7]);
  }
  await model.release();
});
