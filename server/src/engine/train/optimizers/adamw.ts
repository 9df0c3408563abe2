// AdamW exactly as torch.optim.AdamW (amsgrad=False, maximize=False):
//   p <- p * (1 - lr * wd)                       decoupled weight decay, applied first
//   m <- b1 m + (1 - b1) g ;  v <- b2 v + (1 - b2) g^2
//   p <- p - (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)

import type { DType, Value } from '../../onnx/ir';
import { add, cast, div, greater, mul, pow, scalar, sqrt, sub, where } from '../../onnx/ops';
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
  // One set of scalar nodes per (lr, step, clip coefficient, dtype), shared by every parameter.
  const cache = new WeakMap<Value, Map<string, Coefficients>>();
  const coefficients = (lr: Value, step: Value, gradScale: Value | undefined, dt: DType): Coefficients => {
    let byLr = cache.get(lr);
    if (!byLr) cache.set(lr, (byLr = new Map()));
    const key = `${step.id}|${gradScale?.id ?? ''}|${dt}`;
    const hit = byLr.get(key);
    if (hit) return hit;
    const c = (x: Value): Value => cast(x, dt);
    // m1 = b1 m + (1 - b1) coef g ;  v1 = b2 v + (1 - b2) coef^2 g^2
    const coef = gradScale ? cast(gradScale, 'float64') : undefined;
    // p1 = p0 - (lr / bc1) m1 / (sqrt(v1) / sqrt(bc2) + eps), numerator and denominator divided
    // by lr / bc1: p0 - m1 / (sqrt(v1) k1 + k2), k1 = bc1 / (lr sqrt(bc2)), k2 = eps bc1 / lr.
    // lr = 0 (warmup start, schedule end) must leave p0 as is: k1 = 0 and k2 = inf give m1 / inf = 0.
    const bc1 = sub(1, pow(scalar(lr, beta1), step));
    const bc2Sqrt = sqrt(sub(1, pow(scalar(lr, beta2), step)));
    const live = greater(lr, scalar(lr, 0));
    const out: Coefficients = {
      decay: c(sub(1, mul(lr, weightDecay))),
      s1: c(coef ? mul(coef, 1 - beta1) : scalar(lr, 1 - beta1)),
      s2: c(coef ? mul(mul(coef, coef), 1 - beta2) : scalar(lr, 1 - beta2)),
      k1: c(where(live, div(bc1, mul(lr, bc2Sqrt)), scalar(lr, 0))),
      k2: c(where(live, div(mul(bc1, eps), lr), scalar(lr, Infinity))),
    };
    byLr.set(key, out);
    return out;
  };
  return {
    name: 'adamw',
    hyperparameters: { beta1, beta2, eps, weightDecay },
    slots: ['exp_avg', 'exp_avg_sq'],
    emit({ p, g, state, lr, step, decay, gradScale }: OptimizerEmitInput): OptimizerEmitOutput {
      // 13 elementwise passes per parameter: every scalar (clip coefficient, bias corrections,
      // lr) is folded into per-step coefficients, computed once per graph in float64 like
      // PyTorch's Python floats. Rounding differs from torch's op order by ~1 ulp.
      const k = coefficients(lr, step, gradScale, p.dtype);
      const m = state['exp_avg']!;
      const v = state['exp_avg_sq']!;
      const p0 = decay && weightDecay !== 0 ? mul(p, k.decay) : p;
      const m1 = add(mul(m, beta1), mul(g, k.s1));
      const v1 = add(mul(v, beta2), mul(mul(g, g), k.s2));
      const p1 = sub(p0, div(m1, add(mul(sqrt(v1), k.k1), k.k2)));
      return { p: p1, state: { exp_avg: m1, exp_avg_sq: v1 } };
    },
  };
}

interface Coefficients {
  decay: Value;
  s1: Value;
  s2: Value;
  k1: Value;
  k2: Value;
}
