// Compiling a graph (or ONNX bytes) into a runnable model on an execution provider.
// This folder is the only place that touches onnxruntime-node (through ./ort).

import { Graph, type TensorData } from '../ir';
import { toModelProto } from '../serialize';
import { modelRejected, runFailed } from './errors';
import { checkFeeds, type InputSpec } from './feeds';
import { type OrtSession } from './ort';
import { checkDevice, createSession, ProviderError, type Device, type ProviderChoice } from './providers';
import { sessionOptions, type OptimizationLevel } from './session-options';
import { dtypeFromOrt, fromOrtTensor, toOrtTensor } from './tensors';

export type { Device, Provider, ProviderChoice } from './providers';
export { DEVICES, DEVICE_PROVIDERS, ProviderError } from './providers';
export { defaultThreads, type OptimizationLevel } from './session-options';

export interface RuntimeOptions {
  device?: Device;
  threads?: number;
  optimization?: OptimizationLevel;
  /** See SessionSettings.spinning. */
  spinning?: boolean;
}

export interface CompiledModel {
  readonly provider: ProviderChoice;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Runs the model; outputs wrap ORT's buffers (no copy). Fetches all outputs unless names are given. */
  run(feeds: Record<string, TensorData>, outputNames?: string[]): Promise<Record<string, TensorData>>;
  release(): Promise<void>;
}

export async function compile(model: Graph | Uint8Array, options: RuntimeOptions = {}): Promise<CompiledModel> {
  const device = checkDevice(options.device ?? 'auto');
  const graph = model instanceof Uint8Array ? undefined : model;
  if (graph && graph.outputs.length === 0) throw new Error(`graph "${graph.name}" has no outputs; mark results with graph.output(value)`);
  const bytes = graph ? toModelProto(graph) : (model as Uint8Array);
  let attempt;
  try {
    attempt = await createSession(bytes, device, sessionOptions({ ...options, optimization: options.optimization ?? defaultOptimization(graph) }));
  } catch (err) {
    if (err instanceof ProviderError) throw err;
    throw modelRejected(err, graph);
  }
  return new OrtModel(attempt.session, attempt.choice, graph);
}

/**
 * Starts ONNX Runtime in this thread with a one-node CPU session. The first session a process
 * creates pays ~40 ms of one-off set-up whatever the model (measured: a 20 MB model's session took
 * 87 ms first, 45 ms after this), so a thread that will load a model soon calls this while it
 * would otherwise be idle.
 */
export async function startRuntime(): Promise<void> {
  const g = new Graph('start-runtime');
  g.output(g.op1('Identity', [g.input('x', 'float32', [1])]), 'y');
  await (await compile(g, { device: 'cpu', threads: 1 })).release();
}

/**
 * 'all', except for float64 graphs: ORT's extended fusions rewrite float64 subgraphs into contrib
 * ops that only have float32 kernels (x * Sigmoid(x) -> com.microsoft.QuickGelu fails to load in
 * 1.30), so float64 graphs (gradient checks, references) get 'basic', which only folds constants
 * and removes redundant nodes. Speed does not matter for them.
 */
function defaultOptimization(graph: Graph | undefined): OptimizationLevel {
  if (!graph) return 'all';
  const f64 = graph.inputs.some((v) => v.dtype === 'float64') || [...graph.initializers.keys()].some((v) => v.dtype === 'float64') || graph.nodes.some((n) => n.outputs.some((v) => v.dtype === 'float64'));
  return f64 ? 'basic' : 'all';
}

class OrtModel implements CompiledModel {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  private readonly specs: InputSpec[];
  private released = false;

  constructor(
    private readonly session: OrtSession,
    readonly provider: ProviderChoice,
    private readonly graph: Graph | undefined,
  ) {
    this.inputNames = session.inputNames;
    this.outputNames = session.outputNames;
    this.specs = graph
      ? graph.inputs.map((v) => ({ name: v.name, dtype: v.dtype, shape: v.shape }))
      : session.inputMetadata.map((m) => ({
          name: m.name,
          dtype: m.isTensor ? dtypeFromOrt(m.type) : undefined,
          // ORT reports "unknown shape" as [], indistinguishable from a scalar: only trust ranked shapes.
          shape: m.isTensor && m.shape.length > 0 ? [...m.shape] : undefined,
        }));
  }

  async run(feeds: Record<string, TensorData>, outputNames?: string[]): Promise<Record<string, TensorData>> {
    if (this.released) throw new Error('run() after release(): compile the model again');
    checkFeeds(this.specs, feeds);
    for (const name of outputNames ?? []) {
      if (!this.outputNames.includes(name)) throw new Error(`"${name}" is not an output of this model; its outputs are: ${this.outputNames.join(', ')}`);
    }
    const ortFeeds = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, toOrtTensor(t)]));
    let results;
    try {
      results = outputNames ? await this.session.run(ortFeeds, outputNames) : await this.session.run(ortFeeds);
    } catch (err) {
      throw runFailed(err, this.graph);
    }
    const out: Record<string, TensorData> = {};
    for (const [name, t] of Object.entries(results)) out[name] = fromOrtTensor(t, name);
    return out;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.session.release();
  }
}
