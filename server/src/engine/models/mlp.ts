// A plain MLP classifier: x [B, in] -> (Linear + GELU) * hidden layers -> Linear -> logits.
// The smallest model that exercises MatMul/Add/Gelu gradients and cross-entropy end to end.

import type { Graph, Value } from '../onnx/ir';
import { gelu } from '../onnx/ops';
import { linear, maskedCrossEntropy, type CrossEntropy } from './blocks';
import { bias, param, weight, type ParamSpec, type ParamValues } from './params';

export interface MlpConfig {
  inputSize: number;
  hidden: number[];
  outputSize: number;
}

export function mlpParamSpecs(c: MlpConfig): ParamSpec[] {
  const widths = [c.inputSize, ...c.hidden, c.outputSize];
  const specs: ParamSpec[] = [];
  for (let i = 0; i + 1 < widths.length; i++) {
    const fanIn = widths[i]!;
    // He-style std for the GELU layers keeps activations O(1) at init.
    specs.push(weight(`layers.${i}.weight`, [fanIn, widths[i + 1]!], Math.sqrt(2 / fanIn)), bias(`layers.${i}.bias`, widths[i + 1]!));
  }
  return specs;
}

/** Logits [B, outputSize]. */
export function mlpForward(c: MlpConfig, p: ParamValues, x: Value): Value {
  let h = x;
  const n = c.hidden.length + 1;
  for (let i = 0; i < n; i++) {
    h = linear(h, param(p, `layers.${i}.weight`), param(p, `layers.${i}.bias`));
    if (i + 1 < n) h = gelu(h);
  }
  return h;
}

/** Cross-entropy against int64 class labels [B] (IGNORE_INDEX skips a row). */
export function mlpLoss(c: MlpConfig, p: ParamValues, x: Value, labels: Value): CrossEntropy & { logits: Value } {
  const logits = mlpForward(c, p, x);
  return { ...maskedCrossEntropy(logits, labels), logits };
}

export function mlpGraphInputs(g: Graph, c: MlpConfig, opts: { labels?: boolean } = {}): { x: Value; labels?: Value } {
  const out: { x: Value; labels?: Value } = { x: g.input('x', 'float32', ['B', c.inputSize]) };
  if (opts.labels) out.labels = g.input('labels', 'int64', ['B']);
  return out;
}
