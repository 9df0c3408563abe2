// Parameter specs for the reference models: names, shapes and how to initialise each tensor.
// One spec list serves both graph kinds: a training graph declares every parameter as a graph
// input (the optimizer feeds and updates them), an inference graph bakes them in as initializers.

import { numel, type Graph, type Value } from '../onnx/ir';
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
