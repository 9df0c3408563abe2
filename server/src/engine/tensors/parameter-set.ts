// ParameterSet: the ordered, named parameters of a model as host tensors (float32 by default).
// The order is the order of graph inputs and of checkpoint entries, so it is part of the contract.
// Neutral (engine/tensors) so checkpoint/ can store it without importing train/, which imports
// checkpoint/; train/params.ts re-exports it with the initializers.

import { numel, type DType, type TensorData } from '../onnx/ir';

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
