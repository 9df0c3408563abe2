// TensorBoard's debiased exponential moving average (REFERENCE §7): last = last*w + (1-w)*x,
// shown = last / (1 - w^n) over the finite values seen so far; a non-finite value is skipped
// (shown as NaN, the curve continues from the last finite one). w = 0: the raw values.

export class Ema {
  private last = 0;
  private n = 0;

  constructor(readonly weight: number) {
    if (!(weight >= 0 && weight < 1)) throw new Error(`smoothing weight must be in [0, 1), got ${weight}`);
  }

  push(x: number): number {
    if (!Number.isFinite(x)) return NaN;
    if (this.weight === 0) return x;
    this.last = this.last * this.weight + (1 - this.weight) * x;
    this.n++;
    return this.last / (1 - Math.pow(this.weight, this.n));
  }
}

export function emaDebiased(values: ArrayLike<number>, weight: number): number[] {
  const e = new Ema(weight);
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = e.push(values[i]!);
  return out;
}
