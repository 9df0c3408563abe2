// Parameter initializers, and ParameterSet (defined in engine/tensors/parameter-set.ts so that
// checkpoint/ need not import train/) re-exported for the code that imports it from here.

import { allocate, numel, type DType, type TensorData } from '../onnx/ir';
import type { Rng } from './rng';

export { ParameterSet, cloneTensor, type ParamSpec } from '../tensors/parameter-set';

function floatArray(dtype: DType, n: number): Float32Array | Float64Array {
  if (dtype !== 'float32' && dtype !== 'float64') throw new Error(`parameter init supports float32 and float64, got ${dtype}`);
  return allocate(dtype, n) as Float32Array | Float64Array;
}

function finiteOrThrow(what: string, values: Record<string, number>): void {
  for (const [k, v] of Object.entries(values)) {
    if (!Number.isFinite(v)) throw new Error(`${what}: ${k} is ${v}; pass a finite number (is a config field such as initStd missing?)`);
  }
}

/** Initializers. Each draws from the given Rng in element order, so the same seed gives the same weights. */
export const init = {
  zeros(shape: number[], dtype: DType = 'float32'): TensorData {
    return { dtype, shape: [...shape], data: floatArray(dtype, numel(shape)) };
  },
  ones(shape: number[], dtype: DType = 'float32'): TensorData {
    return init.constant(shape, 1, dtype);
  },
  constant(shape: number[], value: number, dtype: DType = 'float32'): TensorData {
    const data = floatArray(dtype, numel(shape));
    data.fill(value);
    return { dtype, shape: [...shape], data };
  },
  normal(shape: number[], rng: Rng, std = 1, mean = 0, dtype: DType = 'float32'): TensorData {
    // A NaN std (e.g. a config field left undefined) would give NaN weights that only show up as
    // every training step being skipped: refuse it here, where the cause is visible.
    finiteOrThrow('init.normal', { std, mean });
    const data = floatArray(dtype, numel(shape));
    for (let i = 0; i < data.length; i++) data[i] = mean + std * rng.normal();
    return { dtype, shape: [...shape], data };
  },
  uniform(shape: number[], rng: Rng, lo: number, hi: number, dtype: DType = 'float32'): TensorData {
    finiteOrThrow('init.uniform', { lo, hi });
    const data = floatArray(dtype, numel(shape));
    for (let i = 0; i < data.length; i++) data[i] = lo + (hi - lo) * rng.uniform();
    return { dtype, shape: [...shape], data };
  },
  /** torch.nn.Linear's default: U(-1/sqrt(fanIn), 1/sqrt(fanIn)); fanIn is shape[0] for our [in, out] weights. */
  linear(shape: number[], rng: Rng, dtype: DType = 'float32'): TensorData {
    const fanIn = shape[0] ?? 1;
    const bound = 1 / Math.sqrt(fanIn);
    return init.uniform(shape, rng, -bound, bound, dtype);
  },
};
