// Reductions (opset 18 form: axes as an optional constant input). The output gradient is brought
// back to keepdims form with Unsqueeze, then broadcast over the reduced axes.

import type { Node, Value } from '../../ir';
import { cast, div, equal, mul, reduceSum, scalar, unsqueeze } from '../../ops';
import { registerGradient } from '../registry';
import { broadcastLike, constIntsOf, intAttr, normAxis, rankOf, withShape } from './util';

/** The normalized reduced axes of a Reduce* node, or undefined when it is a no-op (empty axes + noop flag). */
function reducedAxes(node: Node): number[] | undefined {
  const x = node.inputs[0]!;
  const rank = rankOf(x, node);
  const raw = node.inputs[1] ? constIntsOf(node.inputs[1], node, 'axes') : [];
  if (raw.length === 0) return intAttr(node, 'noop_with_empty_axes', 0) === 1 ? undefined : Array.from({ length: rank }, (_, i) => i);
  return [...new Set(raw.map((a) => normAxis(a, rank)))].sort((p, q) => p - q);
}

/** A reduction output (value or gradient) in keepdims form. */
function keepDims(node: Node, v: Value, axes: number[]): Value {
  return intAttr(node, 'keepdims', 1) === 1 ? v : unsqueeze(v, axes);
}

registerGradient('ReduceSum', (node, [dy]) => {
  if (!dy) return [];
  const x = node.inputs[0]!;
  const axes = reducedAxes(node);
  if (!axes) return [dy];
  return [broadcastLike(keepDims(node, dy, axes), x)];
});

registerGradient('ReduceMean', (node, [dy]) => {
  if (!dy) return [];
  const x = node.inputs[0]!;
  const axes = reducedAxes(node);
  if (!axes) return [dy];
  const dims = axes.map((a) => x.shape![a]!);
  let count: Value;
  if (dims.every((d) => typeof d === 'number')) {
    count = scalar(dy, dims.reduce<number>((p, d) => p * (d as number), 1));
  } else {
    // Symbolic reduced dims: count = Size(x) / Size(y), computed at run time.
    const g = x.graph;
    const size = (v: Value): Value => withShape(g.op1('Size', [v]), []);
    count = div(cast(size(x), dy.dtype), cast(size(node.outputs[0]!), dy.dtype));
  }
  return [broadcastLike(keepDims(node, div(dy, count), axes), x)];
});

/** ReduceMax/ReduceMin: the gradient goes to the extremal elements; ties split it evenly (as torch.amax). */
function extremumRule(node: Node, [dy]: ReadonlyArray<Value | undefined>): Array<Value | undefined> {
  if (!dy) return [];
  const x = node.inputs[0]!;
  const axes = reducedAxes(node);
  if (!axes) return [dy];
  const mask = cast(equal(x, keepDims(node, node.outputs[0]!, axes)), x.dtype);
  const count = reduceSum(mask, axes, true);
  return [mul(mask, div(keepDims(node, dy, axes), count))];
}
registerGradient('ReduceMax', extremumRule);
registerGradient('ReduceMin', extremumRule);
