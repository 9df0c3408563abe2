// Shared helpers for the models' forward tests: build an inference graph from a model function,
// run it in ONNX Runtime and compare with the plain TypeScript reference.

import assert from 'node:assert/strict';
import type { TensorData } from '../onnx/ir';
import { init, ParameterSet } from '../train/params';
import { Rng } from '../train/rng';
import type { ParamSpec } from './params';
import type { Mat } from './reference';

/** Max |a - b| / (1 + |b|) over all elements; asserts it is within `tol`, naming the worst index. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): number {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} values, expected ${expected.length}`);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < actual.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!) / (1 + Math.abs(expected[i]!));
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  assert.ok(worst <= tol, `${what}: error ${worst.toExponential(2)} at index ${at} (ours ${actual[at]}, reference ${expected[at]}) exceeds ${tol}`);
  return worst;
}

/** Row b of a [B, T, V] ORT output as a T x V matrix view. */
export function batchRow(t: TensorData, b: number): Mat {
  const [, T, V] = t.shape as [number, number, number];
  return { rows: T, cols: V, data: Float64Array.from((t.data as Float32Array).subarray(b * T * V, (b + 1) * T * V)) };
}

export function int64(shape: number[], values: number[]): TensorData {
  return { dtype: 'int64', shape, data: BigInt64Array.from(values, (v) => BigInt(v)) };
}

/** Every parameter (norm weights and biases too) drawn N(mean, std): exercises all the math, unlike a real init. */
export function randomParams(specs: readonly ParamSpec[], seed: number, std = 0.3): ParameterSet {
  const rng = new Rng(seed);
  const ps = new ParameterSet();
  for (const s of specs) ps.add(s.name, init.normal(s.shape, rng, std, s.init.kind === 'ones' ? 1 : 0));
  return ps;
}
