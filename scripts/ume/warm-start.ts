// Continued pretraining: a training run that starts from the weights of a UME file (e.g. the
// shipped model.safetensors) instead of a random init, with a fresh optimizer. Used to test a
// changed corpus on a trained model without retraining it from scratch.

import type { ParameterSet } from '../../server/src/engine/train/params';
import { loadUmeWeights } from '../../server/src/engine/ume/weights';

/** Overwrites every parameter with the same-named one of a UME weights file of the same shape. */
export async function warmStart(params: ParameterSet, path: string): Promise<string> {
  const loaded = await loadUmeWeights(path);
  for (const [name, t] of params.entries()) {
    if (!loaded.params.has(name)) throw new Error(`--init-weights ${path}: it has no tensor for ${name}; pass a UME model of this run's --size`);
    const w = loaded.params.get(name);
    if (w.shape.join('x') !== t.shape.join('x')) throw new Error(`--init-weights ${path}: ${name} is ${w.shape.join('x')} there and ${t.shape.join('x')} in this run; pass the --size the file was trained with`);
    params.set(name, { dtype: 'float32', shape: [...w.shape], data: Float32Array.from(w.data as Float32Array) });
  }
  return `warm start from ${path}: ${JSON.stringify(loaded.config)}`;
}
