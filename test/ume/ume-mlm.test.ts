import { test } from 'node:test';
import { tensorData } from '../../server/src/engine/onnx/ir';
import { compile } from '../../server/src/engine/onnx/runtime';
import { assertClose } from '../../server/src/engine/models/forward-check';
import { umeConfig } from '../../server/src/engine/ume/config';
import { buildUmeGraph } from '../../server/src/engine/ume/encoder';
import { lobsterTensorSpecs, umeWeightsFromTensors } from '../../server/src/engine/ume/weights';
import { buildInferenceGraph } from '../../server/src/engine/train/compile-step';
import { evalOutputs, MLM_BATCH, umeMlm } from '../../scripts/ume/ume-mlm';
import { randomLobsterTensors } from './reference';

// The training loss reads the last layer's MLP at the selected rows only; it must score exactly
// what the full encoder scores there.
test('MLM training scores (last MLP at selected rows only) equal the full encoder at those rows, 1 and 2 layers', async () => {
  for (const numLayers of [1, 2]) {
    const c = umeConfig({ name: 'ume-test', hiddenSize: 16, numLayers, numHeads: 4, intermediateSize: 40 });
    const w = umeWeightsFromTensors(randomLobsterTensors(lobsterTensorSpecs(c), 5 + numLayers, 0.4), {}, { config: c });
    const m = umeMlm(c);
    const train = await compile(buildInferenceGraph(m.spec.params, MLM_BATCH, evalOutputs(m.bert), { name: 'mlm-eval' }), { device: 'cpu', threads: 1 });
    const full = await compile(buildUmeGraph(c, w.params, { outputs: ['selected_logprob'] }), { device: 'cpu', threads: 1 });
    try {
      const T = 7;
      const ids = [1, 30, 8, 41, 25, 26, 4, 2, 54, 8, 55, 4, 0, 0].map((x, i) => (i >= 12 ? 0 : x));
      const mask = ids.map((_, i) => (i >= 12 ? 0 : 1));
      const positions = [2, 3, 5, 9, 10];
      const feeds = {
        input_ids: tensorData('int64', [2, T], ids),
        attention_mask: tensorData('int64', [2, T], mask),
        positions: tensorData('int64', [positions.length], positions),
        targets: tensorData('int64', [positions.length], [30, 41, 25, 54, 7]),
      };
      const a = (await train.run({ ...feeds, ...Object.fromEntries(w.params.entries()) }))['logp']!.data as Float32Array;
      const b = (await full.run(feeds))['selected_logprob']!.data as Float32Array;
      assertClose(a, b, 1e-5, `training scores vs encoder (${numLayers} layers)`);
    } finally {
      await train.release();
      await full.release();
    }
  }
});
