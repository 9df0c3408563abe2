// AdamW exactly as torch.optim.AdamW (amsgrad=False, maximize=False):
//   p <- p * (1 - lr * wd)                       decoupled weight decay, applied first
//   m <- b1 m + (1 - b1) g ;  v <- b2 v + (1 - b2) g^2
//   p <- p - (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)

import type { Value } from '../../onnx/ir';
import { add, cast, div, mul, pow, scalar, sqrt, sub } from '../../onnx/ops';
import type { Optimizer, OptimizerEmitInput, OptimizerEmitOutput } from './types';

export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
}

export function adamw(options: AdamWOptions = {}): Optimizer {
  const beta1 = options.beta1 ?? 0.9;
  const beta2 = options.beta2 ?? 0.999;
  const eps = options.eps ?? 1e-8;
  const weightDecay = options.weightDecay ?? 0.01;
  for (const [k, v, lo, hi] of [
    ['beta1', beta1, 0, 1],
    ['beta2', beta2, 0, 1],
  ] as const) {
    if (!(v >= lo && v < hi)) throw new Error(`AdamW ${k} must be in [0, 1), got ${v}`);
  }
  if (!(eps > 0)) throw new Error(`AdamW eps must be > 0, got ${eps}`);
  if (!(weightDecay >= 0)) throw new Error(`AdamW weightDecay must be >= 0, got ${weightDecay}`);
  return {
    name: 'adamw',
    hyperparameters: { beta1, beta2, eps, weightDecay },
    slots: ['exp_avg', 'exp_avg_sq'],
    emit({ p, g, state, lr, step, decay }: OptimizerEmitInput): OptimizerEmitOutput {
      const dt = p.dtype;
      const m = state['exp_avg']!;
      const v = state['exp_avg_sq']!;
      const c = (x: Value): Value => cast(x, dt);
      let p0 = p;
      if (decay && weightDecay !== 0) p0 = mul(p, c(sub(1, mul(lr, weightDecay))));
      const m1 = add(mul(m, beta1), mul(g, 1 - beta1));
      const v1 = add(mul(v, beta2), mul(mul(g, g), 1 - beta2));
      // Scalars in float64: bias corrections as torch computes them from a Python float step.
      const bc1 = sub(1, pow(scalar(lr, beta1), step));
      const bc2Sqrt = sqrt(sub(1, pow(scalar(lr, beta2), step)));
      const stepSize = div(lr, bc1);
      const denom = add(div(sqrt(v1), c(bc2Sqrt)), eps);
      const p1 = sub(p0, mul(div(m1, denom), c(stepSize)));
      return { p: p1, state: { exp_avg: m1, exp_avg_sq: v1 } };
    },
  };
}
