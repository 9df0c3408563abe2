import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensorData, type TensorData } from '../../server/src/engine/onnx/ir';
import { compile } from '../../server/src/engine/onnx/runtime';
import { assertClose } from '../../server/src/engine/models/forward-check';
import { umeConfig } from '../../server/src/engine/ume/config';
import { buildMaskedPllGraph } from '../../server/src/engine/ume/masked-pll-graph';
import { SPECIAL } from '../../server/src/engine/ume/tokenizer';
import { lobsterTensorSpecs, umeWeightsFromTensors } from '../../server/src/engine/ume/weights';
import { randomLobsterTensors, refUmeForward } from './reference';

/** Bases right-padded into [S, T] plus copies (base, position) in the given order. */
function sharedFeeds(bases: number[][], copies: Array<[number, number]>): Record<string, TensorData> {
  const S = bases.length;
  const T = Math.max(...bases.map((s) => s.length));
  const ids = new Array<number>(S * T).fill(SPECIAL.pad);
  const mask = new Array<number>(S * T).fill(0);
  bases.forEach((s, b) => s.forEach((id, t) => ((ids[b * T + t] = id), (mask[b * T + t] = 1))));
  return {
    input_ids: tensorData('int64', [S, T], ids),
    attention_mask: tensorData('int64', [S, T], mask),
    copy_seq: tensorData('int64', [copies.length], copies.map(([b]) => b)),
    copy_pos: tensorData('int64', [copies.length], copies.map(([, t]) => t)),
    targets: tensorData('int64', [copies.length], copies.map(([b, t]) => bases[b]![t]!)),
  };
}

/** The masked PLL log-prob of copy (b, t) from the float64 reference: mask t, run, read the original token. */
function refMasked(c: ReturnType<typeof umeConfig>, tensors: Map<string, TensorData>, base: number[], t: number): number {
  const ids = base.slice();
  ids[t] = SPECIAL.mask;
  return refUmeForward(c, tensors, ids).logprobs.data[t * c.vocabSize + base[t]!]!;
}

// Several bases of different lengths (padding), copies interleaved across bases and out of order,
// and weight scales from mild to sharp attention (std 1.5 puts most of a row's weight on one key,
// where a subtract-the-old-term formulation would lose digits; the prefix/suffix sums do not).
for (const numLayers of [1, 2, 3]) {
  for (const std of [0.5, 1.5]) {
    test(`shared-context masked PLL equals the float64 reference: ${numLayers} layer(s), weight std ${std}`, async () => {
      const c = umeConfig({ name: 'ume-test', hiddenSize: 16, numLayers, numHeads: 4, intermediateSize: 24 });
      const tensors = randomLobsterTensors(lobsterTensorSpecs(c), 100 + numLayers, std);
      const w = umeWeightsFromTensors(tensors, {}, { config: c });
      const model = await compile(buildMaskedPllGraph(c, w.params), { device: 'cpu', threads: 1 });
      try {
        const bases = [
          [1, 30, 42, 41, 25, 26, 27, 28, 4],
          [2, 54, 55, 4],
          [3, 1274, 1275, 1276, 1277, 1278, 4],
        ];
        const copies: Array<[number, number]> = [];
        bases.forEach((s, b) => s.forEach((_, t) => t > 0 && t < s.length - 1 && copies.push([b, t])));
        copies.reverse();
        [copies[0], copies[5]] = [copies[5]!, copies[0]!];
        const out = await model.run(sharedFeeds(bases, copies));
        assert.deepEqual(out['masked_logprob']!.shape, [copies.length]);
        const ref = copies.map(([b, t]) => refMasked(c, tensors, bases[b]!, t));
        assertClose(out['masked_logprob']!.data as Float32Array, ref, 1e-4, `masked log-probs (${numLayers} layers, std ${std})`);
        // The same session takes other shapes (symbolic S, T, N): one base, a subset of positions.
        const one = await model.run(sharedFeeds([bases[1]!], [[0, 2]]));
        assertClose(one['masked_logprob']!.data as Float32Array, [refMasked(c, tensors, bases[1]!, 2)], 1e-4, 'one copy of one base');
      } finally {
        await model.release();
      }
    });
  }
}
