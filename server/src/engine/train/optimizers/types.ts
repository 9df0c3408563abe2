// Optimizers are graph emitters: given a parameter, its (clipped) gradient, its state tensors and
// the scalar inputs lr and step, they emit the updated parameter and state as ONNX ops. Scalar
// arithmetic (bias corrections, lr * weight decay) is done in float64 and cast once, as PyTorch
// computes those in Python floats; only the elementwise work runs in the parameter's dtype.

import type { Value } from '../../onnx/ir';

export interface OptimizerEmitInput {
  /** Parameter name (for node naming and diagnostics). */
  name: string;
  p: Value;
  g: Value;
  /** State tensors by slot name (see `slots`), each shaped like p. */
  state: Record<string, Value>;
  /** Learning rate, float64 scalar. */
  lr: Value;
  /** 1-based number of the update being taken, float64 scalar (PyTorch increments before use). */
  step: Value;
  /** False for parameters excluded from weight decay (norms, biases). */
  decay: boolean;
  /**
   * Scalar (g's dtype) the raw gradient is to be multiplied by before use: the global-norm clip
   * coefficient. Passed separately so optimizers can fold it into their scalar coefficients
   * instead of a full pass over every gradient. Undefined: use g as it is.
   */
  gradScale?: Value;
}

export interface OptimizerEmitOutput {
  p: Value;
  state: Record<string, Value>;
}

export interface Optimizer {
  readonly name: string;
  /** Saved in checkpoint manifests; changing them between save and resume is reported. */
  readonly hyperparameters: Record<string, number | boolean>;
  /** Per-parameter state tensors, shaped like the parameter and zero-initialised (e.g. exp_avg). */
  readonly slots: readonly string[];
  emit(input: OptimizerEmitInput): OptimizerEmitOutput;
}

/** Which parameters get weight decay. The default excludes biases and norm weights (rank < 2), as nanoGPT and TRL configs do. */
export type DecayPredicate = (name: string, shape: readonly (number | string)[]) => boolean;

export const decayMatricesOnly: DecayPredicate = (_name, shape) => shape.length >= 2;
export const decayAll: DecayPredicate = () => true;
