// Random-initialised UME weights written to a temporary .safetensors file, for the scoring stream
// tests: the server loads them through umeStudio.scoring.modelPath like any user model. Their
// scores mean nothing; tests compare the server's numbers with the engine's for the same file.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { umeConfig, type UmeConfig } from '../../server/src/engine/ume/config';
import { lobsterTensorSpecs, saveUmeWeights, umeWeightsFromTensors } from '../../server/src/engine/ume/weights';
import { randomLobsterTensors } from '../ume/reference';

export const SMALL: UmeConfig = umeConfig({ name: 'ume-lsp-test', hiddenSize: 16, numLayers: 2, numHeads: 2, intermediateSize: 32 });

/** Writes random weights for `config` as <dir>/<name>.safetensors and returns the path. */
export async function writeRandomModel(name: string, config: UmeConfig = SMALL, seed = 11): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'ume-lsp-model-'));
  const path = join(dir, `${name}.safetensors`);
  const weights = umeWeightsFromTensors(randomLobsterTensors(lobsterTensorSpecs(config), seed, 0.2), {}, { config });
  await saveUmeWeights(path, config, weights.params);
  return path;
}
