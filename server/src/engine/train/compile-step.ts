// Compiles model code into graphs: the fused training step (forward, backward, clip, optimizer in
// ONE graph), the two halves used for gradient accumulation (grads-only, apply), and an inference
// graph from the same forward code.
//
// Graph interface (names are the contract with Trainer and checkpoints):
//   inputs   <param>                  parameters, in ParameterSet order
//            <param>.<slot>           optimizer state (e.g. w.exp_avg, w.exp_avg_sq)
//            <batch name>             batch tensors as declared in the spec
//            lr, step                 float64 scalars; step is the 1-based number of this update
//   outputs  <param>.new, <param>.<slot>.new, loss, grad_norm (before clipping), skipped (bool,
//            when the NaN guard is on), metrics by name, <param>.grad (raw, when debugGradients)

import { gradients } from '../onnx/autodiff';
import { Graph, type DType, type Shape, type TensorData, type Value } from '../onnx/ir';
import type { ParamSpec } from './params';
import { emitUpdate, newName, stateName, type UpdateOptions } from './update';

export interface InputSpec {
  dtype: DType;
  shape: Shape;
}

export interface ModelSpec {
  params: ParamSpec[];
  batch: Record<string, InputSpec>;
}

export interface ModelContext {
  graph: Graph;
  params: Record<string, Value>;
  batch: Record<string, Value>;
}

export type LossFn = (ctx: ModelContext) => { loss: Value; metrics?: Record<string, Value> };
export type ForwardFn = (ctx: ModelContext) => Record<string, Value>;

export type StepKind = 'step' | 'grads' | 'apply';

export interface CompiledStepGraph {
  kind: StepKind;
  graph: Graph;
  params: ParamSpec[];
  slots: readonly string[];
  batchNames: string[];
  metricNames: string[];
  /** True when the graph has the `skipped` output. */
  guarded: boolean;
  debugGradients: boolean;
}

export const gradName = (param: string): string => `${param}.grad`;

const RESERVED = new Set(['lr', 'step', 'loss', 'grad_norm', 'skipped']);

function checkNames(spec: ModelSpec, metricNames: string[] = []): void {
  const seen = new Set<string>();
  const claim = (name: string, what: string): void => {
    if (RESERVED.has(name)) throw new Error(`${what} "${name}" uses a reserved name (lr, step, loss, grad_norm, skipped); rename it`);
    if (seen.has(name)) throw new Error(`${what} "${name}" collides with another parameter, batch input or metric; names must be unique`);
    seen.add(name);
  };
  for (const p of spec.params) claim(p.name, 'parameter');
  for (const b of Object.keys(spec.batch)) claim(b, 'batch input');
  for (const m of metricNames) claim(m, 'metric');
}

/** Declares parameter and batch inputs and runs the model's loss function. */
function forward(g: Graph, spec: ModelSpec, lossFn: LossFn): { params: Value[]; loss: Value; metrics: Record<string, Value> } {
  const params = spec.params.map((p) => g.input(p.name, p.dtype, p.shape));
  const batch = Object.fromEntries(Object.entries(spec.batch).map(([name, s]) => [name, g.input(name, s.dtype, s.shape)]));
  const out = lossFn({ graph: g, params: Object.fromEntries(spec.params.map((p, i) => [p.name, params[i]!])), batch });
  const loss = out.loss;
  if (loss.graph !== g) throw new Error('the loss function returned a value from another graph; build the loss from ctx.params and ctx.batch');
  if (!loss.shape || loss.shape.length !== 0) {
    throw new Error(`the loss must be a scalar, got ${loss.toString()}; reduce it (e.g. reduceMean(x, undefined, false))`);
  }
  checkNames(spec, Object.keys(out.metrics ?? {}));
  for (const [name, m] of Object.entries(out.metrics ?? {})) {
    if (!m.shape || m.shape.length !== 0) throw new Error(`metric "${name}" must be a scalar, got ${m.toString()}; reduce it in the loss function`);
  }
  return { params, loss, metrics: out.metrics ?? {} };
}

/** graph.output with a name that must come out exactly as asked (the runner looks outputs up by name). */
function output(g: Graph, v: Value, name: string): void {
  // A computed value not yet exposed takes the output's name itself: graph.output would add an
  // Identity (a full copy of the tensor per run; 57 of them for the reference GPT's update).
  if (v.producer && !g.outputs.includes(v) && !g.inputs.includes(v) && g.uniqueName(name) === name) {
    v.name = name;
    g.outputs.push(v);
    return;
  }
  const out = g.output(v, name);
  if (out.name !== name) throw new Error(`output name "${name}" is already used by a value in the graph; rename that value or the parameter`);
}

function scalarsIn(g: Graph): { lr: Value; step: Value } {
  return { lr: g.input('lr', 'float64', []), step: g.input('step', 'float64', []) };
}

function stateInputs(g: Graph, spec: ModelSpec, slots: readonly string[]): Array<Record<string, Value>> {
  return spec.params.map((p) => Object.fromEntries(slots.map((s) => [s, g.input(stateName(p.name, s), p.dtype, p.shape)])));
}

function outputUpdate(g: Graph, result: ReturnType<typeof emitUpdate>, slots: readonly string[]): void {
  for (const p of result.params) {
    output(g, p.value, newName(p.name));
    for (const s of slots) output(g, p.state[s]!, newName(stateName(p.name, s)));
  }
  output(g, result.gradNorm, 'grad_norm');
  if (result.skipped) output(g, result.skipped, 'skipped');
}

export interface TrainStepOptions extends UpdateOptions {
  /** Also output the raw (unclipped) gradients as <param>.grad, for tests and debugging. */
  debugGradients?: boolean;
  name?: string;
}

/** ONE graph: loss, gradients, grad norm, clipping, optimizer update, NaN guard. */
export function buildTrainStep(spec: ModelSpec, lossFn: LossFn, options: TrainStepOptions): CompiledStepGraph {
  const g = new Graph(options.name ?? 'train_step');
  const slots = options.optimizer.slots;
  const { params, loss, metrics } = forward(g, spec, lossFn);
  const state = stateInputs(g, spec, slots);
  const { lr, step } = scalarsIn(g);
  const grads = gradients(loss, params);
  const result = emitUpdate(
    spec.params.map((p, i) => ({ name: p.name, value: params[i]!, grad: grads[i]!, state: state[i]! })),
    lr,
    step,
    loss,
    options,
  );
  output(g, loss, 'loss');
  outputUpdate(g, result, slots);
  for (const [name, v] of Object.entries(metrics)) output(g, v, name);
  if (options.debugGradients) spec.params.forEach((p, i) => output(g, grads[i]!, gradName(p.name)));
  return {
    kind: 'step',
    graph: g,
    params: spec.params,
    slots,
    batchNames: Object.keys(spec.batch),
    metricNames: Object.keys(metrics),
    guarded: result.skipped !== undefined,
    debugGradients: !!options.debugGradients,
  };
}

/** Gradient accumulation, first half: loss, metrics and raw gradients <param>.grad for one micro-batch. */
export function buildGradStep(spec: ModelSpec, lossFn: LossFn, name = 'grad_step'): CompiledStepGraph {
  const g = new Graph(name);
  const { params, loss, metrics } = forward(g, spec, lossFn);
  const grads = gradients(loss, params);
  output(g, loss, 'loss');
  for (const [n, v] of Object.entries(metrics)) output(g, v, n);
  spec.params.forEach((p, i) => output(g, grads[i]!, gradName(p.name)));
  return { kind: 'grads', graph: g, params: spec.params, slots: [], batchNames: Object.keys(spec.batch), metricNames: Object.keys(metrics), guarded: false, debugGradients: true };
}

/**
 * Gradient accumulation, second half (also usable on its own to test optimizers): inputs are the
 * parameters, state, <param>.grad (already averaged), `loss` (float32 scalar, for the NaN guard), lr and step.
 */
export function buildApplyStep(params: ParamSpec[], options: UpdateOptions, name = 'apply_step'): CompiledStepGraph {
  const g = new Graph(name);
  const spec: ModelSpec = { params, batch: {} };
  checkNames(spec);
  const slots = options.optimizer.slots;
  const values = params.map((p) => g.input(p.name, p.dtype, p.shape));
  const state = stateInputs(g, spec, slots);
  const grads = params.map((p) => g.input(gradName(p.name), p.dtype, p.shape));
  const loss = g.input('loss', 'float32', []);
  const { lr, step } = scalarsIn(g);
  const result = emitUpdate(
    params.map((p, i) => ({ name: p.name, value: values[i]!, grad: grads[i]!, state: state[i]! })),
    lr,
    step,
    loss,
    options,
  );
  outputUpdate(g, result, slots);
  return { kind: 'apply', graph: g, params, slots, batchNames: [], metricNames: [], guarded: result.skipped !== undefined, debugGradients: false };
}

export interface InferenceOptions {
  /** Bake these parameter values into the model as initializers (one self-contained file); default: parameters are inputs. */
  bake?: { get(name: string): TensorData | undefined };
  name?: string;
}

/** An inference graph from the same model code: no gradients, no optimizer; outputs are what `fn` returns. */
export function buildInferenceGraph(params: ParamSpec[], inputs: Record<string, InputSpec>, fn: ForwardFn, options: InferenceOptions = {}): Graph {
  const g = new Graph(options.name ?? 'inference');
  checkNames({ params, batch: inputs });
  const pv = params.map((p) => {
    if (!options.bake) return g.input(p.name, p.dtype, p.shape);
    const data = options.bake.get(p.name);
    if (!data) throw new Error(`buildInferenceGraph: no value for parameter "${p.name}" to bake into the model`);
    if (data.dtype !== p.dtype || data.shape.join() !== p.shape.join()) {
      throw new Error(`buildInferenceGraph: parameter "${p.name}" is ${data.dtype}[${data.shape.join(', ')}] but the model declares ${p.dtype}[${p.shape.join(', ')}]`);
    }
    return g.initializer(p.name, data);
  });
  const batch = Object.fromEntries(Object.entries(inputs).map(([n, s]) => [n, g.input(n, s.dtype, s.shape)]));
  const outs = fn({ graph: g, params: Object.fromEntries(params.map((p, i) => [p.name, pv[i]!])), batch });
  for (const [n, v] of Object.entries(outs)) output(g, v, n);
  return g;
}
