// Summing a broadcast gradient back to the shape of the input that was broadcast.
// Static shapes decide which axes to sum whenever they can (a symbolic dim equals only itself);
// when they cannot (e.g. target dim 'B' against gradient dim 4), the axes are found at run time
// from Shape(), which needs the target as a Value.

import { attr, type Dim, type Shape, type Value } from '../ir';
import { constant, reduceSum, reshape, shapeOf, squeeze } from '../ops';

const fmt = (s: Shape | undefined): string => (s ? `[${s.join(', ')}]` : '[?]');

/** Same size for sure: equal numbers, or the same symbolic name. */
export function sameDim(a: Dim | undefined, b: Dim | undefined): boolean {
  return a !== undefined && a === b;
}

export function sameShape(a: Shape | undefined, b: Shape | undefined): boolean {
  return !!a && !!b && a.length === b.length && a.every((d, i) => sameDim(d, b[i]));
}

/**
 * Sums `grad` over the axes along which `target` was broadcast, returning a value of the target's
 * shape. `target` is a Shape, or a Value (which also enables the run-time fallback).
 */
export function reduceToShape(grad: Value, target: Shape | Value): Value {
  const targetShape = Array.isArray(target) ? target : target.shape;
  const gs = grad.shape;
  if (!gs || !targetShape) {
    throw new Error(
      `reduceToShape: cannot sum a gradient of shape ${fmt(gs)} back to ${fmt(targetShape)}: static shapes are unknown. ` +
        'Give the graph inputs concrete or symbolic shapes so shape inference can follow them.',
    );
  }
  if (sameShape(gs, targetShape)) return grad;
  if (targetShape.length > gs.length) {
    throw new Error(`reduceToShape: target ${fmt(targetShape)} has higher rank than the gradient ${fmt(gs)}`);
  }
  const lead = gs.length - targetShape.length;
  const axes: number[] = [];
  for (let i = 0; i < lead; i++) axes.push(i);
  let runtime = false;
  targetShape.forEach((t, j) => {
    const d = gs[lead + j];
    if (sameDim(t, d)) return;
    if (t === 1) axes.push(lead + j);
    else if (typeof t === 'number' && typeof d === 'number') {
      throw new Error(`reduceToShape: gradient ${fmt(gs)} is not a broadcast of ${fmt(targetShape)} (axis ${lead + j}: ${d} vs ${t})`);
    } else runtime = true;
  });
  if (runtime) {
    if (Array.isArray(target)) {
      throw new Error(
        `reduceToShape: cannot prove which axes of ${fmt(gs)} broadcast to ${fmt(targetShape)} (symbolic dims differ); ` +
          'pass the target value instead of its shape to reduce at run time, or use the same dim names',
      );
    }
    return reduceAtRuntime(grad, target, lead);
  }
  const summed = reduceSum(grad, axes, true);
  // keepdims=1 leaves the leading axes as 1s; Squeeze drops them (exact with symbolic dims too).
  return lead === 0 ? summed : squeeze(summed, axes.slice(0, lead));
}

/**
 * Run-time reduction: the target shape, left-padded with 1s to the gradient's rank, has 1s exactly
 * on the axes to sum (summing an axis that is 1 on both sides is harmless).
 */
function reduceAtRuntime(grad: Value, target: Value, lead: number): Value {
  const g = grad.graph;
  let padded = shapeOf(target);
  if (lead > 0) padded = g.op1('Concat', [constant(g, 'int64', [lead], new Array<number>(lead).fill(1)), padded], { axis: attr.int(0) });
  const isOne = g.op1('Equal', [padded, constant(g, 'int64', [], [1])]);
  const axes = reshape(g.op1('NonZero', [isOne]), [-1]);
  const summed = g.op1('ReduceSum', [grad, axes], { keepdims: attr.int(1), noop_with_empty_axes: attr.int(1) });
  const out = g.op1('Reshape', [summed, shapeOf(target)]);
  out.shape = target.shape ? [...target.shape] : undefined;
  return out;
}
