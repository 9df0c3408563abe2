// Global-norm gradient clipping as torch.nn.utils.clip_grad_norm_ (norm_type 2, foreach off):
//   total = sqrt(sum_i ||g_i||^2);  coef = min(1, max_norm / (total + 1e-6));  g_i <- g_i * coef
// (the optimizer applies coef, folded into its scalars: see OptimizerEmitInput.gradScale).
// The returned norm is the one BEFORE clipping, as clip_grad_norm_ returns it.

import type { Value } from '../onnx/ir';
import { add, div, min, sqrt } from '../onnx/ops';

/** The global L2 norm of all gradients (a float scalar of the gradients' dtype). */
export function globalNorm(grads: Value[]): Value {
  if (grads.length === 0) throw new Error('globalNorm: no gradients (the model has no trainable parameters)');
  const g = grads[0]!.graph;
  const squares = grads.map((x) => g.op1('ReduceSumSquare', [x], { keepdims: { type: 'int', value: 0 } }));
  const sum = squares.length === 1 ? squares[0]! : g.op1('Sum', squares);
  return sqrt(sum);
}

/** The factor min(1, maxNorm / (norm + 1e-6)) that scales gradients to a global norm of at most maxNorm. */
export function clipCoefficient(norm: Value, maxNorm: number): Value {
  if (!(maxNorm > 0)) throw new Error(`max_grad_norm must be > 0, got ${maxNorm}`);
  return min(div(maxNorm, add(norm, 1e-6)), 1);
}
