// The host side of training: holds parameters and optimizer state as TensorData, runs the compiled
// step graph, swaps the returned tensors into place (no copies beyond what ONNX Runtime returns),
// feeds the schedule's learning rate and counts steps. Micro-batch lists go through gradient
// accumulation (grads graph per micro-batch, host mean, apply graph).

import { allocate, numel, tensorData, type TensorData } from '../onnx/ir';
import { compile, type CompiledModel, type RuntimeOptions } from '../onnx/runtime';
import { loadCheckpoint, saveCheckpoint } from '../checkpoint/checkpoint';
import type { CheckpointFs } from '../checkpoint/atomic';
import type { CheckpointManifest } from '../checkpoint/manifest';
import { GradientAccumulator } from './accumulate';
import { buildApplyStep, buildGradStep, buildTrainStep, gradName, type CompiledStepGraph, type LossFn, type ModelSpec } from './compile-step';
import { ParameterSet } from './params';
import type { Schedule } from './schedule';
import { newName, stateName, type UpdateOptions } from './update';

export type Batch = Record<string, TensorData>;

export interface TrainerOptions extends UpdateOptions {
  schedule: Schedule;
  runtime?: RuntimeOptions;
  /** Also return the raw gradients of each fused step (tests, debugging). */
  debugGradients?: boolean;
}

export interface StepResult {
  /** Completed updates after this call (unchanged when skipped). */
  step: number;
  loss: number;
  /** Global L2 gradient norm before clipping. */
  gradNorm: number;
  lr: number;
  /** True when the NaN/Inf guard kept parameters and state unchanged. */
  skipped: boolean;
  metrics: Record<string, number>;
  /** Raw gradients (only with debugGradients, fused steps). */
  gradients?: Map<string, TensorData>;
}

const num = (t: TensorData | undefined, what: string): number => {
  if (!t) throw new Error(`the step graph did not return "${what}"`);
  if (t.data.length !== 1) throw new Error(`"${what}" must be a scalar, got shape [${t.shape.join(', ')}]`);
  return Number(t.data[0]);
};

export class Trainer {
  /** Optimizer state by "<param>.<slot>". */
  readonly state = new Map<string, TensorData>();
  private completed = 0;
  private skippedCount = 0;
  private fused: CompiledModel | undefined;
  private grads: CompiledModel | undefined;
  private apply: CompiledModel | undefined;
  private accumulator: GradientAccumulator | undefined;
  private stepGraph: CompiledStepGraph | undefined;

  private constructor(
    readonly spec: ModelSpec,
    private readonly lossFn: LossFn,
    readonly params: ParameterSet,
    readonly options: TrainerOptions,
  ) {
    for (const p of spec.params) {
      const have = params.get(p.name);
      if (have.dtype !== p.dtype || have.shape.join() !== p.shape.join()) {
        throw new Error(`parameter "${p.name}" is ${have.dtype}[${have.shape.join(', ')}] but the model declares ${p.dtype}[${p.shape.join(', ')}]`);
      }
      for (const slot of options.optimizer.slots) {
        this.state.set(stateName(p.name, slot), { dtype: p.dtype, shape: [...p.shape] as number[], data: allocate(p.dtype, numel(p.shape as number[])) });
      }
    }
  }

  /** Builds and compiles the fused step graph. `params` is trained in place (its tensors are replaced each step). */
  static async create(spec: ModelSpec, lossFn: LossFn, params: ParameterSet, options: TrainerOptions): Promise<Trainer> {
    const t = new Trainer(spec, lossFn, params, options);
    t.stepGraph = buildTrainStep(spec, lossFn, options);
    t.fused = await compile(t.stepGraph.graph, options.runtime);
    return t;
  }

  /** Completed optimizer updates. */
  get step(): number {
    return this.completed;
  }

  get skippedSteps(): number {
    return this.skippedCount;
  }

  /** The compiled fused step graph (for inspection and benchmarks). */
  get graph(): CompiledStepGraph {
    return this.stepGraph!;
  }

  get provider(): CompiledModel['provider'] {
    return this.fused!.provider;
  }

  private stateFeeds(): Record<string, TensorData> {
    const feeds: Record<string, TensorData> = {};
    for (const [name, t] of this.params.entries()) feeds[name] = t;
    for (const [name, t] of this.state) feeds[name] = t;
    return feeds;
  }

  private scalars(): { lr: number; feeds: Record<string, TensorData> } {
    const lr = this.options.schedule.lrAt(this.completed);
    return { lr, feeds: { lr: tensorData('float64', [], [lr]), step: tensorData('float64', [], [this.completed + 1]) } };
  }

  /** Swaps updated parameters and state into place, unless the guard skipped the update. */
  private adopt(out: Record<string, TensorData>): boolean {
    const skipped = out['skipped'] ? num(out['skipped'], 'skipped') !== 0 : false;
    if (skipped) {
      this.skippedCount++;
      return true;
    }
    for (const p of this.spec.params) {
      this.params.set(p.name, out[newName(p.name)]!);
      for (const slot of this.options.optimizer.slots) {
        const s = stateName(p.name, slot);
        this.state.set(s, out[newName(s)]!);
      }
    }
    this.completed++;
    return false;
  }

  private metricsOf(out: Record<string, TensorData>, names: string[]): Record<string, number> {
    return Object.fromEntries(names.map((m) => [m, num(out[m], m)]));
  }

  /**
   * One optimizer update. A single batch runs the fused graph; an array of micro-batches accumulates
   * their mean gradient first (see accumulate.ts for the loss scaling).
   */
  async trainStep(batch: Batch | Batch[]): Promise<StepResult> {
    if (Array.isArray(batch)) {
      if (batch.length === 0) throw new Error('trainStep: empty list of micro-batches');
      if (batch.length > 1) return this.accumulatedStep(batch);
      batch = batch[0]!;
    }
    const { lr, feeds } = this.scalars();
    const out = await this.fused!.run({ ...this.stateFeeds(), ...batch, ...feeds });
    const g = this.stepGraph!;
    const result: StepResult = {
      step: 0,
      loss: num(out['loss'], 'loss'),
      gradNorm: num(out['grad_norm'], 'grad_norm'),
      lr,
      skipped: false,
      metrics: this.metricsOf(out, g.metricNames),
    };
    if (g.debugGradients) result.gradients = new Map(this.spec.params.map((p) => [p.name, out[gradName(p.name)]!]));
    result.skipped = this.adopt(out);
    result.step = this.completed;
    return result;
  }

  private async accumulatedStep(micro: Batch[]): Promise<StepResult> {
    if (!this.grads) {
      const gs = buildGradStep(this.spec, this.lossFn);
      this.grads = await compile(gs.graph, this.options.runtime);
      this.apply = await compile(buildApplyStep(this.spec.params, this.options).graph, this.options.runtime);
      this.accumulator = new GradientAccumulator(this.spec.params);
    }
    const acc = this.accumulator!;
    acc.reset();
    const metricNames = this.stepGraph!.metricNames;
    const paramFeeds: Record<string, TensorData> = Object.fromEntries(this.params.entries());
    for (const b of micro) {
      const out = await this.grads.run({ ...paramFeeds, ...b });
      acc.add((name) => out[gradName(name)]!, num(out['loss'], 'loss'), this.metricsOf(out, metricNames));
    }
    const mean = acc.mean();
    const { lr, feeds } = this.scalars();
    const gradFeeds = Object.fromEntries([...mean.grads].map(([n, t]) => [gradName(n), t]));
    const out = await this.apply!.run({ ...this.stateFeeds(), ...gradFeeds, loss: tensorData('float32', [], [mean.loss]), ...feeds });
    const skipped = this.adopt(out);
    return { step: this.completed, loss: mean.loss, gradNorm: num(out['grad_norm'], 'grad_norm'), lr, skipped, metrics: mean.metrics };
  }

  /** Saves parameters, optimizer state, step, optimizer settings and schedule (plus caller's config, RNG, data position). */
  async save(dir: string, extra: { config: unknown; rng?: unknown; data?: unknown; extra?: Record<string, unknown> }, fs?: CheckpointFs): Promise<CheckpointManifest> {
    return saveCheckpoint(
      dir,
      {
        step: this.completed,
        config: extra.config,
        params: this.params,
        optimizerState: this.state,
        optimizer: { name: this.options.optimizer.name, hyperparameters: { ...this.options.optimizer.hyperparameters, maxGradNorm: this.options.maxGradNorm ?? null } },
        schedule: { ...this.options.schedule.config, baseLr: this.options.schedule.baseLr },
        rng: extra.rng,
        data: extra.data,
        ...(extra.extra ? { extra: { ...extra.extra, skippedSteps: this.skippedCount } } : { extra: { skippedSteps: this.skippedCount } }),
      },
      fs,
    );
  }

  /**
   * Restores parameters, optimizer state and step from a checkpoint written by save(); names, shapes
   * and dtypes are checked (all mismatches in one error). Returns the manifest (config, RNG, data
   * position) and warnings when optimizer settings differ from the saved ones.
   */
  async load(dir: string, fs?: CheckpointFs): Promise<{ manifest: CheckpointManifest; warnings: string[] }> {
    const expectedState = [...this.state].map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape }));
    const ck = await loadCheckpoint(dir, { expectedParams: this.params, expectedState, ...(fs ? { fs } : {}) });
    for (const [name, t] of ck.params.entries()) this.params.set(name, t);
    for (const [name, t] of ck.optimizerState) this.state.set(name, t);
    this.completed = ck.manifest.step;
    this.skippedCount = Number((ck.manifest.extra as { skippedSteps?: number } | undefined)?.skippedSteps ?? 0);
    const warnings: string[] = [];
    const saved = ck.manifest.optimizer;
    if (saved && saved.name !== this.options.optimizer.name) warnings.push(`checkpoint was trained with optimizer ${saved.name}, resuming with ${this.options.optimizer.name}`);
    else if (saved) {
      for (const [k, v] of Object.entries(this.options.optimizer.hyperparameters)) {
        if (saved.hyperparameters[k] !== v) warnings.push(`optimizer ${k} was ${JSON.stringify(saved.hyperparameters[k])} in the checkpoint, now ${v}`);
      }
    }
    return { manifest: ck.manifest, warnings };
  }

  /**
   * Restores parameters, optimizer state and the update count from tensors a run checkpoint holds
   * (engine/runs/checkpoints.ts). Every name, dtype and shape is checked; all mismatches in one error.
   */
  restore(params: ReadonlyMap<string, TensorData>, state: ReadonlyMap<string, TensorData>, step: number, skipped = 0): void {
    const problems: string[] = [];
    const check = (what: string, want: ReadonlyMap<string, TensorData> | Map<string, TensorData>, have: ReadonlyMap<string, TensorData>): void => {
      for (const [name, t] of want) {
        const h = have.get(name);
        if (!h) problems.push(`${what} "${name}" is missing`);
        else if (h.dtype !== t.dtype || h.shape.join() !== t.shape.join()) problems.push(`${what} "${name}" is ${h.dtype}[${h.shape.join(', ')}], the model has ${t.dtype}[${t.shape.join(', ')}]`);
      }
      for (const name of have.keys()) if (!want.has(name)) problems.push(`${what} "${name}" is not in this model`);
    };
    check('parameter', new Map(this.params.entries()), params);
    check('optimizer state', this.state, state);
    if (!Number.isInteger(step) || step < 0) problems.push(`step must be an integer >= 0, got ${step}`);
    if (problems.length) throw new Error(`the checkpoint does not fit this model:\n  - ${problems.slice(0, 20).join('\n  - ')}${problems.length > 20 ? `\n  ... and ${problems.length - 20} more` : ''}`);
    for (const [name, t] of params) this.params.set(name, t);
    for (const [name, t] of state) this.state.set(name, t);
    this.completed = step;
    this.skippedCount = skipped;
  }

  async release(): Promise<void> {
    await Promise.all([this.fused?.release(), this.grads?.release(), this.apply?.release()]);
  }
}
