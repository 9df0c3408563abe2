// Parameter specs for the reference models: names, shapes and how to initialise each tensor.
// One spec list serves both graph kinds: a training graph declares every parameter as a graph
// input (the optimizer feeds and updates them), an inference graph bakes them in as initializers.

import { numel, type Graph, type TensorData, type Value } from '../onnx/ir';
import { cast, transpose } from '../onnx/ops';
import { init, ParameterSet } from '../train/params';
import { Rng } from '../train/rng';

export type ParamInit =
  | { kind: 'normal'; std: number }
  | { kind: 'zeros' }
  | { kind: 'ones' };

export interface ParamSpec {
  /** Dotted, lobster/HF-like name, e.g. `layers.0.attn.Wqkv.weight`. */
  name: string;
  shape: number[];
  init: ParamInit;
  /** False for norms and biases: AdamW's weight decay skips them (the usual convention). */
  decay: boolean;
}

/** Parameter values inside one graph, by spec name. */
export type ParamValues = Record<string, Value>;

export const weight = (name: string, shape: number[], std: number): ParamSpec => ({ name, shape, init: { kind: 'normal', std }, decay: true });
export const normWeight = (name: string, size: number): ParamSpec => ({ name, shape: [size], init: { kind: 'ones' }, decay: false });
export const bias = (name: string, size: number): ParamSpec => ({ name, shape: [size], init: { kind: 'zeros' }, decay: false });

export function countParams(specs: readonly ParamSpec[]): number {
  return specs.reduce((n, s) => n + numel(s.shape), 0);
}

/** Declares every parameter as a float32 graph input named after its spec (training graphs). */
export function paramInputs(g: Graph, specs: readonly ParamSpec[]): ParamValues {
  const out: ParamValues = {};
  for (const s of specs) out[s.name] = g.input(s.name, 'float32', s.shape);
  return out;
}

/** Bakes parameter data into the graph as initializers (inference graphs); checks names and shapes. */
export function paramInitializers(g: Graph, specs: readonly ParamSpec[], data: ParameterSet): ParamValues {
  const out: ParamValues = {};
  for (const s of specs) {
    const t = data.has(s.name) ? data.get(s.name) : undefined;
    if (!t) throw new Error(`parameter "${s.name}" is missing from the weights; expected float32 [${s.shape.join(', ')}]`);
    if (t.shape.length !== s.shape.length || t.shape.some((d, i) => d !== s.shape[i])) {
      throw new Error(`parameter "${s.name}" has shape [${t.shape.join(', ')}] but the model config needs [${s.shape.join(', ')}]`);
    }
    out[s.name] = g.initializer(s.name, t);
  }
  return out;
}

/**
 * A parameter as a weights file stores it: float32 or float16, and `transposed` when the file's
 * layout is [out, in] (torch's) where ours is [in, out].
 */
export interface StoredParam {
  data: TensorData;
  transposed: boolean;
}

/**
 * Bakes parameters in as the file stores them, widened and transposed by Cast and Transpose nodes
 * on the initializers. ORT folds those into constants when it creates the session (C++, a few ms),
 * so runs see the same float32 weights as paramInitializers gives, and loading skips converting
 * every weight in JavaScript first (70 ms of a 5M-parameter F16 model's start, measured).
 */
export function storedInitializers(g: Graph, specs: readonly ParamSpec[], stored: ReadonlyMap<string, StoredParam>): ParamValues {
  const out: ParamValues = {};
  for (const s of specs) {
    const st = stored.get(s.name);
    if (!st) throw new Error(`parameter "${s.name}" is missing from the weights; expected float32 [${s.shape.join(', ')}]`);
    const shape = st.transposed ? [...st.data.shape].reverse() : st.data.shape;
    if (shape.length !== s.shape.length || shape.some((d, i) => d !== s.shape[i]) || (st.transposed && shape.length !== 2)) {
      throw new Error(`parameter "${s.name}" has shape [${shape.join(', ')}] but the model config needs [${s.shape.join(', ')}]`);
    }
    if (st.data.dtype !== 'float32' && st.data.dtype !== 'float16') throw new Error(`parameter "${s.name}" is stored as ${st.data.dtype}; only float32 and float16 are baked in as stored`);
    const plain = st.data.dtype === 'float32' && !st.transposed;
    let v = g.initializer(plain ? s.name : `${s.name}.stored`, st.data);
    v = cast(v, 'float32');
    if (st.transposed) v = transpose(v, [1, 0]);
    out[s.name] = v;
  }
  return out;
}

/** Where a graph's parameters come from: our float32 layout, or as a weights file stores them. */
export type WeightSource = ParameterSet | ReadonlyMap<string, StoredParam>;

/** The parameters of an inference graph: baked in from `source`, or declared as inputs to feed. */
export function paramValues(g: Graph, specs: readonly ParamSpec[], source: WeightSource, as: 'initializers' | 'inputs' = 'initializers'): ParamValues {
  if (as === 'inputs') return paramInputs(g, specs);
  return source instanceof ParameterSet ? paramInitializers(g, specs, source) : storedInitializers(g, specs, source);
}

/** Looks a parameter up, naming the missing one (model code calls this, never indexes directly). */
export function param(p: ParamValues, name: string): Value {
  const v = p[name];
  if (!v) throw new Error(`model parameter "${name}" was not declared; build the graph from the model's paramSpecs()`);
  return v;
}

/** Initial float32 values for every spec, deterministic in `seed` (draws in spec order). */
export function initParams(specs: readonly ParamSpec[], seed: number | Rng): ParameterSet {
  const rng = typeof seed === 'number' ? new Rng(seed) : seed;
  const ps = new ParameterSet();
  for (const s of specs) {
    if (s.init.kind === 'ones') ps.add(s.name, init.ones(s.shape));
    else if (s.init.kind === 'zeros') ps.add(s.name, init.zeros(s.shape));
    else ps.add(s.name, init.normal(s.shape, rng, s.init.std));
  }
  return ps;
}
