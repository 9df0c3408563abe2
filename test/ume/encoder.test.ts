import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensorData, type TensorData } from '../../server/src/engine/onnx/ir';
import { compile, type CompiledModel } from '../../server/src/engine/onnx/runtime';
import { assertClose } from '../../server/src/engine/models/forward-check';
import { umeConfig, type UmeConfig } from '../../server/src/engine/ume/config';
import { buildUmeGraph, UME_OUTPUTS } from '../../server/src/engine/ume/encoder';
import { lobsterTensorSpecs, umeWeightsFromTensors } from '../../server/src/engine/ume/weights';
import { randomLobsterTensors, refUmeForward } from './reference';

const TINY: UmeConfig = umeConfig({ name: 'ume-test', hiddenSize: 8, numLayers: 2, numHeads: 2, intermediateSize: 16 });

function feeds(seqs: number[][], scored: Array<[number, number]>) {
  const B = seqs.length;
  const T = Math.max(...seqs.map((s) => s.length));
  const ids = new Array<number>(B * T).fill(6);
  const mask = new Array<number>(B * T).fill(0);
  seqs.forEach((s, b) => s.forEach((id, t) => ((ids[b * T + t] = id), (mask[b * T + t] = 1))));
  return {
    T,
    feeds: {
      input_ids: tensorData('int64', [B, T], ids),
      attention_mask: tensorData('int64', [B, T], mask),
      positions: tensorData('int64', [scored.length], scored.map(([b, t]) => b * T + t)),
      targets: tensorData('int64', [scored.length], scored.map(([b, t]) => seqs[b]![t]!)),
    } as Record<string, TensorData>,
  };
}

async function checkAgainstReference(model: CompiledModel, c: UmeConfig, tensors: Map<string, TensorData>, seqs: number[][]): Promise<void> {
  const scored: Array<[number, number]> = [];
  seqs.forEach((s, b) => s.forEach((_, t) => t % 2 === 1 && scored.push([b, t])));
  const { T, feeds: f } = feeds(seqs, scored);
  const out = await model.run(f);
  const V = c.vocabSize;
  const H = c.hiddenSize;
  const refs = seqs.map((s) => refUmeForward(c, tensors, s));
  seqs.forEach((s, b) => {
    const L = s.length;
    const ref = refs[b]!;
    // Padded rows are computed but meaningless: compare real tokens only.
    assertClose((out['logprobs']!.data as Float32Array).subarray(b * T * V, b * T * V + L * V), ref.logprobs.data, 1e-4, `logprobs of sequence ${b}`);
    assertClose((out['hidden']!.data as Float32Array).subarray(b * T * H, b * T * H + L * H), ref.hidden.data, 1e-4, `hidden of sequence ${b}`);
    const observed = (out['observed_logprob']!.data as Float32Array).subarray(b * T, b * T + L);
    assertClose(observed, s.map((id, t) => ref.logprobs.data[t * V + id]!), 1e-4, `observed log-probs of sequence ${b}`);
    const pooled = new Float64Array(H);
    for (let t = 0; t < L; t++) for (let j = 0; j < H; j++) pooled[j]! += ref.hidden.data[t * H + j]! / L;
    assertClose((out['pooled']!.data as Float32Array).subarray(b * H, (b + 1) * H), pooled, 1e-4, `pooled embedding of sequence ${b}`);
  });
  assert.deepEqual(out['selected_logprob']!.shape, [scored.length]);
  assertClose(out['selected_logprob']!.data as Float32Array, scored.map(([b, t]) => refs[b]!.logprobs.data[t * V + seqs[b]![t]!]!), 1e-4, 'selected log-probs');
}

test('UME encoder graph equals the plain TypeScript reference on lobster-named weights (all outputs, padded batch)', async () => {
  const tensors = randomLobsterTensors(lobsterTensorSpecs(TINY), 7);
  const w = umeWeightsFromTensors(tensors, {}, { config: TINY });
  const model = await compile(buildUmeGraph(TINY, w.params, { outputs: UME_OUTPUTS }), { device: 'cpu', threads: 1 });
  try {
    await checkAgainstReference(model, TINY, tensors, [[1, 30, 42, 41, 25, 26, 4], [2, 54, 54, 58, 4], [3, 1274, 1275, 1276, 1277, 1278, 1279, 1272, 4]]);
    // Symbolic B and T: the same session takes other batch shapes without recompiling.
    await checkAgainstReference(model, TINY, tensors, [[1, 33, 4]]);
    await checkAgainstReference(model, TINY, tensors, [[2, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 4], [1, 40, 4], [3, 1273, 4], [1, 25, 26, 27, 4]]);
  } finally {
    await model.release();
  }
});

test('graph inputs are symbolic (B, T, N) and the weights-as-inputs variant gives the same log-probs', async () => {
  const c = umeConfig({ name: 'ume-test', hiddenSize: 12, numLayers: 1, numHeads: 3, intermediateSize: 20 });
  const tensors = randomLobsterTensors(lobsterTensorSpecs(c), 3);
  const w = umeWeightsFromTensors(tensors, {}, { config: c });
  const g = buildUmeGraph(c, w.params, { outputs: ['selected_logprob'] });
  assert.deepEqual(g.inputs.map((v) => [v.name, v.shape]), [['input_ids', ['B', 'T']], ['attention_mask', ['B', 'T']], ['positions', ['N']], ['targets', ['N']]]);
  const baked = await compile(g, { device: 'cpu', threads: 1 });
  const fed = await compile(buildUmeGraph(c, w.params, { outputs: ['selected_logprob'], weights: 'inputs' }), { device: 'cpu', threads: 1 });
  try {
    const seqs = [[1, 30, 31, 32, 4], [2, 54, 4]];
    const { feeds: f } = feeds(seqs, [[0, 0], [0, 2], [1, 1], [1, 2]]);
    const a = await baked.run(f);
    const b = await fed.run({ ...f, ...Object.fromEntries(w.params.entries()) });
    assertClose(b['selected_logprob']!.data as Float32Array, a['selected_logprob']!.data as Float32Array, 1e-6, 'weights as inputs vs initializers');
    const ref = refUmeForward(c, tensors, seqs[0]!);
    assertClose([(a['selected_logprob']!.data as Float32Array)[1]!], [ref.logprobs.data[2 * c.vocabSize + 31]!], 1e-4, 'selected vs reference');
  } finally {
    await baked.release();
    await fed.release();
  }
});

test('masked_logprob (last layer only at the scored row) equals selected_logprob, 1 and 2 layers, padded rows', async () => {
  for (const numLayers of [1, 2]) {
    const c = umeConfig({ name: 'ume-test', hiddenSize: 8, numLayers, numHeads: 2, intermediateSize: 16 });
    const tensors = randomLobsterTensors(lobsterTensorSpecs(c), 11 + numLayers, 0.5);
    const w = umeWeightsFromTensors(tensors, {}, { config: c });
    const full = await compile(buildUmeGraph(c, w.params, { outputs: ['selected_logprob'] }), { device: 'cpu', threads: 1 });
    const masked = await compile(buildUmeGraph(c, w.params, { outputs: ['masked_logprob'] }), { device: 'cpu', threads: 1 });
    try {
      // One scored position per row, in row order; rows of different lengths (padding) and a <mask>.
      const seqs = [[1, 30, 8, 41, 25, 26, 4], [2, 54, 8, 4], [3, 1274, 1275, 8, 4]];
      const { feeds: f } = feeds(seqs, [[0, 2], [1, 1], [2, 3]]);
      const a = (await full.run(f))['selected_logprob']!.data as Float32Array;
      const b = (await masked.run(f))['masked_logprob']!.data as Float32Array;
      assertClose(b, a, 1e-5, `masked_logprob vs selected_logprob (${numLayers} layers)`);
    } finally {
      await full.release();
      await masked.release();
    }
  }
  assert.throws(() => buildUmeGraph(TINY, umeWeightsFromTensors(randomLobsterTensors(lobsterTensorSpecs(TINY), 1), {}, { config: TINY }).params, { outputs: ['masked_logprob', 'pooled'] }), /cannot share a graph/);
});
