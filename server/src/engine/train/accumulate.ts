// Gradient accumulation over micro-batches, on the host between the grads-only graph and the apply
// graph (compile-step.ts). Loss scaling: every micro-batch loss is that micro-batch's own mean, and
// the accumulated gradient is the MEAN of the micro-batch gradients (sum, then one multiply by 1/k),
// as if each micro loss had been divided by k before backward (HF Trainer's convention). With equal
// micro-batch sizes and a per-example mean loss this equals the gradient of the full batch; with a
// per-token mean over micro-batches of different token counts it is the usual approximation.

import { numel, type TensorData } from '../onnx/ir';
import type { ParamSpec } from './params';

export class GradientAccumulator {
  private readonly sums = new Map<string, Float32Array>();
  private count = 0;
  private lossSum = 0;
  private readonly metricSums = new Map<string, number>();

  constructor(private readonly params: readonly ParamSpec[]) {
    for (const p of params) {
      if (p.dtype !== 'float32') throw new Error(`gradient accumulation supports float32 parameters; "${p.name}" is ${p.dtype}`);
      this.sums.set(p.name, new Float32Array(numel(p.shape)));
    }
  }

  get microBatches(): number {
    return this.count;
  }

  /** Adds one micro-batch's gradients (by parameter name), loss and scalar metrics. */
  add(grads: (name: string) => TensorData, loss: number, metrics: Record<string, number> = {}): void {
    for (const p of this.params) {
      const acc = this.sums.get(p.name)!;
      const g = grads(p.name).data as Float32Array;
      if (g.length !== acc.length) throw new Error(`gradient of "${p.name}" has ${g.length} elements, expected ${acc.length}`);
      if (this.count === 0) acc.set(g);
      else for (let i = 0; i < acc.length; i++) acc[i]! += g[i]!;
    }
    this.lossSum += loss;
    for (const [k, v] of Object.entries(metrics)) this.metricSums.set(k, (this.metricSums.get(k) ?? 0) + v);
    this.count++;
  }

  /** Mean gradients (views of the accumulator's buffers, valid until the next reset), mean loss and metrics. */
  mean(): { grads: Map<string, TensorData>; loss: number; metrics: Record<string, number> } {
    if (this.count === 0) throw new Error('no micro-batches were accumulated');
    const scale = 1 / this.count;
    const grads = new Map<string, TensorData>();
    for (const p of this.params) {
      const acc = this.sums.get(p.name)!;
      if (this.count > 1) for (let i = 0; i < acc.length; i++) acc[i]! *= scale;
      grads.set(p.name, { dtype: 'float32', shape: [...p.shape] as number[], data: acc });
    }
    const metrics = Object.fromEntries([...this.metricSums].map(([k, v]) => [k, v * scale]));
    return { grads, loss: this.lossSum * scale, metrics };
  }

  reset(): void {
    this.count = 0;
    this.lossSum = 0;
    this.metricSums.clear();
  }
}
