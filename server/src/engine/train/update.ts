// The update half of a training step, shared by the fused step graph and the gradient-accumulation
// apply graph: global grad norm, optional clipping, the optimizer, and the non-finite guard.

import type { Value } from '../onnx/ir';
import { isInf, isNaN, not, or, where } from '../onnx/ops';
import { clipCoefficient, globalNorm } from './clip';
import { decayMatricesOnly, type DecayPredicate, type Optimizer } from './optimizers/types';

export interface UpdateOptions {
  optimizer: Optimizer;
  /** Clip gradients to this global L2 norm (torch semantics); undefined or Infinity disables clipping. */
  maxGradNorm?: number;
  /**
   * What happens when the loss or the gradient norm is NaN/Inf (one bad batch must not poison the run):
   * - 'flag' (default): the graph outputs `skipped`; the host (Trainer) then keeps its current
   *   parameters and state and ignores the step's outputs. Costs nothing per parameter.
   * - 'select' (or true): additionally, the graph itself outputs the parameters and state unchanged
   *   (a Where per tensor; ~3 extra elementwise passes for AdamW) for callers that adopt outputs blindly.
   * - 'off' (or false): no check, no `skipped` output.
   */
  nanGuard?: NanGuard | boolean;
  /** Which parameters get weight decay (default: rank >= 2, i.e. not biases or norm weights). */
  decay?: DecayPredicate;
}

export type NanGuard = 'flag' | 'select' | 'off';

export function nanGuardMode(g: UpdateOptions['nanGuard']): NanGuard {
  if (g === undefined) return 'flag';
  if (g === true) return 'select';
  if (g === false) return 'off';
  if (g !== 'flag' && g !== 'select' && g !== 'off') throw new Error(`nanGuard must be 'flag', 'select' or 'off', got ${JSON.stringify(g)}`);
  return g;
}

export interface UpdateParam {
  name: string;
  value: Value;
  grad: Value;
  state: Record<string, Value>;
}

export interface UpdateResult {
  params: Array<{ name: string; value: Value; state: Record<string, Value> }>;
  gradNorm: Value;
  /** bool scalar: true when the guard kept the old values. Undefined when the guard is off. */
  skipped: Value | undefined;
}

/** Names of the state inputs/outputs, shared by graph builders, runners and checkpoints. */
export const stateName = (param: string, slot: string): string => `${param}.${slot}`;
export const newName = (name: string): string => `${name}.new`;

export function emitUpdate(items: UpdateParam[], lr: Value, step: Value, loss: Value | undefined, options: UpdateOptions): UpdateResult {
  const grads = items.map((i) => i.grad);
  const gradNorm = globalNorm(grads);
  // The clip coefficient goes to the optimizer as a scalar (folded into its own coefficients).
  const gradScale = options.maxGradNorm !== undefined && Number.isFinite(options.maxGradNorm) ? clipCoefficient(gradNorm, options.maxGradNorm) : undefined;
  const decay = options.decay ?? decayMatricesOnly;
  let ok: Value | undefined;
  let skipped: Value | undefined;
  const mode = nanGuardMode(options.nanGuard);
  if (mode !== 'off') {
    // A finite norm implies every gradient is finite; the loss is checked too (it may be NaN with finite grads).
    const bad = [gradNorm, ...(loss ? [loss] : [])].map((v) => or(isNaN(v), isInf(v)));
    skipped = bad.reduce((a, b) => or(a, b));
    if (mode === 'select') ok = not(skipped);
  }
  const guard = (next: Value, old: Value): Value => (ok ? where(ok, next, old) : next);
  const params = items.map((item, i) => {
    const out = options.optimizer.emit({
      name: item.name,
      p: item.value,
      g: grads[i]!,
      gradScale,
      state: item.state,
      lr,
      step,
      decay: decay(item.name, item.value.shape ?? []),
    });
    const state: Record<string, Value> = {};
    for (const slot of options.optimizer.slots) state[slot] = guard(out.state[slot]!, item.state[slot]!);
    return { name: item.name, value: guard(out.p, item.value), state };
  });
  return { params, gradNorm, skipped };
}
