// Independent TypeScript implementations of the PyTorch update rules, for tests. They compute in
// float32 like PyTorch on CPU (Math.fround after every operation; scalar coefficients such as bias
// corrections in float64, as torch computes them from Python floats), so a correct graph matches
// them to the last bit or within 1e-6 relative.

const r = Math.fround;

export interface AdamWRefOptions {
  b1: number;
  b2: number;
  eps: number;
  wd: number;
}

/** torch.optim.AdamW (amsgrad off) on one tensor, in place; t is the 1-based step. */
export function refAdamW(p: Float64Array, g: ArrayLike<number>, m: Float64Array, v: Float64Array, lr: number, t: number, o: AdamWRefOptions): void {
  const stepSize = r(lr / (1 - o.b1 ** t));
  const bc2Sqrt = r(Math.sqrt(1 - o.b2 ** t));
  const decay = r(1 - lr * o.wd);
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]!;
    const p0 = o.wd === 0 ? p[i]! : r(p[i]! * decay);
    m[i] = r(r(m[i]! * r(o.b1)) + r(gi * r(1 - o.b1)));
    v[i] = r(r(v[i]! * r(o.b2)) + r(r(gi * gi) * r(1 - o.b2)));
    const denom = r(r(r(Math.sqrt(v[i]!)) / bc2Sqrt) + r(o.eps));
    p[i] = r(p0 - r(r(m[i]! / denom) * stepSize));
  }
}

export interface SgdRefOptions {
  mom: number;
  damp: number;
  nesterov: boolean;
  wd: number;
}

/** torch.optim.SGD on one tensor, in place; t is the 1-based step. */
export function refSgd(p: Float64Array, g: ArrayLike<number>, buf: Float64Array, lr: number, t: number, o: SgdRefOptions): void {
  for (let i = 0; i < p.length; i++) {
    let d = o.wd === 0 ? g[i]! : r(g[i]! + r(p[i]! * r(o.wd)));
    if (o.mom !== 0) {
      buf[i] = t === 1 ? d : r(r(buf[i]! * r(o.mom)) + (o.damp === 0 ? d : r(d * r(1 - o.damp))));
      d = o.nesterov ? r(d + r(buf[i]! * r(o.mom))) : buf[i]!;
    }
    p[i] = r(p[i]! - r(d * r(lr)));
  }
}

/** clip_grad_norm_: the float64 global norm of float32 gradients. */
export function refGlobalNorm(grads: Iterable<ArrayLike<number>>): number {
  let s = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) s += g[i]! * g[i]!;
  return Math.sqrt(s);
}

/** The float32 clip coefficient min(1, max / (norm + 1e-6)) from the graph's float32 norm. */
export function refClipCoef(norm32: number, maxNorm: number): number {
  return Math.min(r(r(maxNorm) / r(norm32 + r(1e-6))), 1);
}

/** Largest elementwise relative error (elements whose expected value is 0 compared absolutely). */
export function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} vs ${expected.length}`);
  let w = 0;
  for (let i = 0; i < actual.length; i++) {
    const e = expected[i]!;
    const d = Math.abs(actual[i]! - e);
    w = Math.max(w, e === 0 ? d : d / Math.abs(e));
  }
  return w;
}
