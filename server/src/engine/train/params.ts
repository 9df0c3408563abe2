// ParameterSet: the ordered, named parameters of a model as host tensors (float32 by default).
// The order is the order of graph inputs and of checkpoint entries, so it is part of the contract.

import { allocate, numel, type DType, type TensorData } from '../onnx/ir';
import type { Rng } from './rng';

export interface ParamSpec {
  name: string;
  dtype: DType;
  shape: number[];
}

export class ParameterSet {
  private readonly map = new Map<string, TensorData>();

  /** Adds a parameter; names must be unique and data must match its shape. */
  add(name: string, data: TensorData): TensorData {
    if (this.map.has(name)) throw new Error(`parameter "${name}" is already defined; give each parameter a unique name`);
    if (data.data.length !== numel(data.shape)) {
      throw new Error(`parameter "${name}": shape [${data.shape.join(', ')}] needs ${numel(data.shape)} values, got ${data.data.length}`);
    }
    this.map.set(name, data);
    return data;
  }

  has(name: string): boolean {
    return this.map.has(name);
  }

  get(name: string): TensorData {
    const t = this.map.get(name);
    if (!t) throw new Error(`no parameter "${name}" (have: ${this.names().slice(0, 20).join(', ')}${this.size > 20 ? ', ...' : ''})`);
    return t;
  }

  /** Replaces a parameter's data (same dtype and shape), e.g. with a tensor a training step returned. */
  set(name: string, data: TensorData): void {
    const old = this.get(name);
    if (old.dtype !== data.dtype || old.shape.length !== data.shape.length || old.shape.some((d, i) => d !== data.shape[i])) {
      throw new Error(`parameter "${name}": cannot replace ${old.dtype}[${old.shape.join(', ')}] with ${data.dtype}[${data.shape.join(', ')}]`);
    }
    this.map.set(name, data);
  }

  names(): string[] {
    return [...this.map.keys()];
  }

  entries(): Array<[string, TensorData]> {
    return [...this.map.entries()];
  }

  specs(): ParamSpec[] {
    return this.entries().map(([name, t]) => ({ name, dtype: t.dtype, shape: [...t.shape] }));
  }

  /** Number of parameters (tensors). */
  get size(): number {
    return this.map.size;
  }

  /** Total number of scalar elements. */
  count(): number {
    let n = 0;
    for (const t of this.map.values()) n += numel(t.shape);
    return n;
  }

  /** A deep copy (new typed arrays). */
  clone(): ParameterSet {
    const out = new ParameterSet();
    for (const [name, t] of this.map) out.add(name, cloneTensor(t));
    return out;
  }
}

export function cloneTensor(t: TensorData): TensorData {
  return { dtype: t.dtype, shape: [...t.shape], data: t.data.slice() };
}

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
