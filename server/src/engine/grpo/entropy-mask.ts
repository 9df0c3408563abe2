// TRL's get_high_entropy_mask in the graph: the tokens whose entropy is at least the `threshold`
// quantile (torch.quantile, linear interpolation) of the entropies of the masked-in tokens.
//
// TRL takes the quantile in float32 (`entropies[mask.bool()].float()`), so this does too, whatever
// the loss's dtype: a full ascending sort (TopK over every position, padding sent to +inf), then
// rank = q * (n - 1) and torch's two-sided lerp between the neighbours. The comparison is in the
// entropies' own dtype against the float32 threshold, as torch promotes it. No gradient flows
// through the mask.

import type { Value } from '../onnx/ir';
import { add, and, cast, ceil, constant, equal, floor, gather, greaterOrEqual, less, mul, not, reduceSum, reshape, scalar, sub, where } from '../onnx/ops';
import { stopGradient } from '../onnx/autodiff';

/** Number of elements of x as a 1-element int64 tensor (static when the shape is). */
function sizeOf(x: Value): Value {
  const s = x.shape;
  if (s && s.every((d) => typeof d === 'number')) return constant(x.graph, 'int64', [1], [(s as number[]).reduce((a, b) => a * b, 1)]);
  return reshape(x.graph.op1('Size', [x]), [1]);
}

/**
 * torch.quantile(values[valid], q) in float32 for a flat float32 `values` and bool `valid` of the
 * same length; undefined (garbage) when nothing is valid, so callers gate on the count.
 */
export function maskedQuantile(values: Value, valid: Value, q: number): { threshold: Value; count: Value } {
  const g = values.graph;
  const padded = where(valid, values, scalar(values, Infinity));
  // Ascending sort; the valid entries come first.
  const [sorted] = g.op('TopK', [padded, sizeOf(padded)], { axis: { type: 'int', value: -1 }, largest: { type: 'int', value: 0 }, sorted: { type: 'int', value: 1 } }, { outputs: 2 });
  const count = reduceSum(cast(valid, 'float32'), undefined, false);
  const rank = mul(scalar(count, Math.fround(q)), sub(count, 1));
  const below = floor(rank);
  const above = ceil(rank);
  const at = (r: Value): Value => {
    const v = gather(sorted!, cast(r, 'int64'), 0);
    v.shape = [];
    return v;
  };
  const lo = at(below);
  const hi = at(above);
  const weight = sub(rank, below);
  // torch's lerp: start + w (end - start) for w < 0.5, end - (end - start)(1 - w) otherwise.
  const diff = sub(hi, lo);
  const threshold = where(less(weight, 0.5), add(lo, mul(weight, diff)), sub(hi, mul(diff, sub(1, weight))));
  return { threshold, count };
}

/**
 * Bool [B, T]: mask is nonzero and entropies * mask >= the `threshold` quantile (TRL passes
 * 1 - top_entropy_quantile) of the masked-in entropies. All false when the mask is empty.
 */
export function highEntropyMask(entropies: Value, mask: Value, threshold: number): Value {
  const e = stopGradient(entropies);
  const valid = not(equal(mask, 0));
  const local = reshape(cast(e, 'float32'), [-1]);
  const { threshold: t } = maskedQuantile(local, reshape(valid, [-1]), threshold);
  const masked_entropies = mul(e, mask);
  return and(greaterOrEqual(masked_entropies, cast(t, e.dtype)), valid);
}
