// A minimal training loop over one compiled step graph (forward + backward + clip + AdamW):
// keeps parameters and optimizer state as host tensors, feeds them with the batch, lr and step,
// and takes the `.new` outputs back. Used by the train-step bench and the learning tests.

import type { TensorData } from '../../server/src/engine/onnx/ir';
import { compile, type CompiledModel, type RuntimeOptions } from '../../server/src/engine/onnx/runtime';
import { buildTrainStep } from '../../server/src/engine/train/compile-step';
import { adamw, type AdamWOptions } from '../../server/src/engine/train/optimizers/adamw';
import type { ParameterSet } from '../../server/src/engine/train/params';
import { init } from '../../server/src/engine/train/params';
import { newName, stateName } from '../../server/src/engine/train/update';
import type { TrainableModel } from '../../server/src/engine/models/training';

export interface StepLoopOptions extends RuntimeOptions {
  adamw?: AdamWOptions;
  maxGradNorm?: number;
}

export interface StepResult {
  loss: number;
  gradNorm: number;
}

export class StepLoop {
  private stepNo = 0;
  private readonly state = new Map<string, TensorData>();
  private constructor(
    private readonly model: CompiledModel,
    private readonly m: TrainableModel,
    readonly params: ParameterSet,
    readonly nodeCount: number,
  ) {
    for (const s of m.spec.params) {
      for (const slot of ['exp_avg', 'exp_avg_sq']) this.state.set(stateName(s.name, slot), init.zeros(s.shape as number[]));
    }
  }

  static async create(m: TrainableModel, params: ParameterSet, options: StepLoopOptions = {}): Promise<StepLoop> {
    const step = buildTrainStep(m.spec, m.loss, { optimizer: adamw(options.adamw), maxGradNorm: options.maxGradNorm ?? 1.0, decay: m.decay, nanGuard: false });
    const model = await compile(step.graph, options);
    return new StepLoop(model, m, params, step.graph.nodes.length);
  }

  async step(batch: Record<string, TensorData>, lr: number): Promise<StepResult> {
    this.stepNo++;
    const feeds: Record<string, TensorData> = { ...batch, lr: scalar64(lr), step: scalar64(this.stepNo) };
    for (const [name, t] of this.params.entries()) feeds[name] = t;
    for (const [name, t] of this.state) feeds[name] = t;
    const out = await this.model.run(feeds);
    for (const name of this.params.names()) this.params.set(name, out[newName(name)]!);
    for (const name of this.state.keys()) this.state.set(name, out[newName(name)]!);
    return { loss: (out['loss']!.data as Float32Array)[0]!, gradNorm: Number(out['grad_norm']!.data[0]) };
  }

  release(): Promise<void> {
    return this.model.release();
  }
}

function scalar64(x: number): TensorData {
  return { dtype: 'float64', shape: [], data: Float64Array.of(x) };
}
