// Shape and layout ops: their gradients move the output gradient back into the input's layout.

import { attr, type Value } from '../../ir';
import { concat, constant, ints, reshape, shapeOf, squeeze, transpose, unsqueeze, zerosLike } from '../../ops';
import { constInts } from '../../shapes';
import { reduceToShape } from '../broadcast';
import { registerGradient } from '../registry';
import { constIntsOf, intAttr, intsAttr, normAxis, rankOf, shapeValue, withShape } from './util';

/** Reshape back to the input's shape (a constant when concrete, Shape(x) otherwise). */
const reshapeLike = (dy: Value, x: Value): Value => withShape(dy.graph.op1('Reshape', [dy, shapeValue(x)]), x.shape);

registerGradient('Reshape', (node, [dy]) => [dy ? reshapeLike(dy, node.inputs[0]!) : undefined]);

registerGradient('Transpose', (node, [dy]) => {
  if (!dy) return [];
  const rank = rankOf(node.inputs[0]!, node);
  const perm = intsAttr(node, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const inverse = new Array<number>(rank);
  perm.forEach((p, i) => (inverse[p] = i));
  return [transpose(dy, inverse)];
});

registerGradient('Unsqueeze', (node, [dy]) => {
  if (!dy) return [];
  const x = node.inputs[0]!;
  const axes = constIntsOf(node.inputs[1], node, 'axes');
  const rank = rankOf(x, node) + axes.length;
  return [squeeze(dy, axes.map((a) => normAxis(a, rank)))];
});

registerGradient('Squeeze', (node, [dy]) => {
  if (!dy) return [];
  const x = node.inputs[0]!;
  // Without axes every 1 was squeezed: reshaping back restores them all.
  if (!node.inputs[1]) return [reshapeLike(dy, x)];
  const rank = rankOf(x, node);
  return [unsqueeze(dy, constIntsOf(node.inputs[1], node, 'axes').map((a) => normAxis(a, rank)))];
});

registerGradient('Expand', (node, [dy]) => [dy ? reduceToShape(dy, node.inputs[0]!) : undefined]);

/** Trilu zeroes a triangle; the gradient is zero there too (the same Trilu applied to dy). */
registerGradient('Trilu', (node, [dy]) => [dy ? dy.graph.op1('Trilu', [dy, node.inputs[1]], node.attrs) : undefined]);

/** Concat: one Split of dy along the axis, sized like the inputs (run-time sizes for symbolic dims). */
registerGradient('Concat', (node, [dy], need) => {
  if (!dy) return [];
  const g = dy.graph;
  const xs = node.inputs as Value[];
  const axis = normAxis(intAttr(node, 'axis', 0), rankOf(xs[0]!, node));
  const dims = xs.map((x) => x.shape![axis]!);
  let sizes: Value;
  if (dims.every((d) => typeof d === 'number')) sizes = ints(g, dims as number[]);
  else {
    const parts = xs.map((x) => g.op1('Gather', [shapeOf(x), ints(g, [axis])], { axis: attr.int(0) }));
    sizes = g.op1('Concat', parts, { axis: attr.int(0) });
  }
  const pieces = g.op('Split', [dy, sizes], { axis: attr.int(axis) }, { outputs: xs.length });
  return xs.map((x, i) => (need[i] ? withShape(pieces[i]!, x.shape) : undefined));
});

/**
 * Split: the pieces' gradients concatenated back along the axis (zeros for pieces nothing
 * downstream uses). One contiguous copy, where slicing with Slice costs a Pad per piece and a Sum.
 */
registerGradient('Split', (node, grads) => {
  if (grads.every((d) => d === undefined)) return [];
  const x = node.inputs[0]!;
  const axis = normAxis(intAttr(node, 'axis', 0), rankOf(x, node));
  const pieces = node.outputs.map((y, i) => grads[i] ?? zerosLike(y));
  return [withShape(concat(pieces, axis), x.shape)];
});

const BIG = Number.MAX_SAFE_INTEGER;

/**
 * Slice(x, starts, ends, axes?, steps?): dx is zeros with dy written at the sliced positions.
 * Unit steps on concrete dims: Pad (reversing dy first for step -1). Anything else (other steps,
 * symbolic dims, run-time starts): slice a tensor of flat positions the same way, then scatter dy
 * into a flat zero vector at those positions; this is exact for every case Slice supports.
 */
registerGradient('Slice', (node, [dy]) => {
  if (!dy) return [];
  const x = node.inputs[0]!;
  return [padSliceGrad(node.inputs, x, dy) ?? scatterSliceGrad(node.inputs, x, dy)];
});

function padSliceGrad(inputs: ReadonlyArray<Value | undefined>, x: Value, dy: Value): Value | undefined {
  const [, startsV, endsV, axesV, stepsV] = inputs;
  const starts = constInts(startsV);
  const ends = constInts(endsV);
  const shape = x.shape;
  if (!starts || !ends || !shape) return undefined;
  const rank = shape.length;
  const axes = axesV ? constInts(axesV) : starts.map((_, i) => i);
  const steps = stepsV ? constInts(stepsV) : starts.map(() => 1);
  if (!axes || !steps) return undefined;
  const pads = new Array<number>(2 * rank).fill(0);
  let grad = dy;
  for (let i = 0; i < axes.length; i++) {
    const ax = normAxis(axes[i]!, rank);
    const d = shape[ax];
    const step = steps[i]!;
    if (typeof d !== 'number' || (step !== 1 && step !== -1)) return undefined;
    const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
    const s0 = starts[i]! < 0 ? starts[i]! + d : starts[i]!;
    const e0 = ends[i]! < 0 ? ends[i]! + d : ends[i]!;
    if (step === 1) {
      const st = clamp(s0, 0, d);
      const len = Math.max(0, clamp(e0, 0, d) - st);
      pads[ax] = st;
      pads[ax + rank] = d - st - len;
    } else {
      // ONNX clamps starts to [0, d-1] and ends to [-1, d-1] for negative steps. The selected
      // indices are st, st-1, ..., en+1; reversed, dy covers en+1..st in ascending order.
      const st = clamp(s0, 0, d - 1);
      const en = clamp(e0, -1, d - 1);
      const len = Math.max(0, st - en);
      pads[ax] = len > 0 ? en + 1 : 0;
      pads[ax + rank] = len > 0 ? d - 1 - st : d;
      if (len > 0) grad = grad.graph.op1('Slice', [grad, ints(grad.graph, [-1]), ints(grad.graph, [-BIG]), ints(grad.graph, [ax]), ints(grad.graph, [-1])]);
    }
  }
  const padded = grad.graph.op1('Pad', [grad, ints(grad.graph, pads), constant(grad.graph, grad.dtype, [], [0])], { mode: attr.string('constant') });
  return withShape(padded, shape);
}

function scatterSliceGrad(inputs: ReadonlyArray<Value | undefined>, x: Value, dy: Value): Value {
  const g = x.graph;
  const size = g.op1('Size', [x]);
  const positions = g.op1('Reshape', [g.op1('Range', [constant(g, 'int64', [], [0]), size, constant(g, 'int64', [], [1])]), shapeValue(x)]);
  const picked = reshape(g.op1('Slice', [positions, ...inputs.slice(1)]), [-1]);
  const zeros = g.op1('Expand', [constant(g, dy.dtype, [1], [0]), reshape(size, [1])]);
  const flat = g.op1('ScatterElements', [zeros, picked, reshape(dy, [-1])], { axis: attr.int(0) });
  return withShape(g.op1('Reshape', [flat, shapeValue(x)]), x.shape);
}
