// Indexing ops. Their gradients scatter-add dy into zeros shaped like the data.
//
// Gather (embeddings) uses ScatterND with reduction 'add' rather than a one-hot MatMul: for N
// tokens, vocab V and width H, the scatter reads and writes O(N*H) numbers, while the one-hot
// product builds an N*V matrix and costs 2*N*V*H flops (0.67 GFLOP per step at N=2048, V=1280,
// H=256), which is pure waste for a gradient that is mostly zeros.

import type { Value } from '../../ir';
import { attr } from '../../ir';
import { add, cast, less, scalar, transpose, unsqueeze, where } from '../../ops';
import { registerGradient } from '../registry';
import { intAttr, normAxis, rankOf, shapeValue, withShape } from './util';

function zerosLike(x: Value, dtype = x.dtype): Value {
  return withShape(x.graph.op1('Expand', [scalar(x, 0, dtype), shapeValue(x)]), x.shape);
}

registerGradient('Gather', (node, [dy]) => {
  if (!dy) return [];
  const g = dy.graph;
  const [data, indices] = node.inputs as [Value, Value];
  const rank = rankOf(data, node);
  const idxRank = rankOf(indices, node);
  const axis = normAxis(intAttr(node, 'axis', 0), rank);
  // Gather accepts negative indices (counted from the end); make them explicit for ScatterND.
  // ScatterND takes int64 indices only.
  const ids = cast(indices, 'int64');
  const dim = g.op1('Gather', [shapeValue(data), scalar(ids, axis)], { axis: attr.int(0) });
  const idx = where(less(ids, scalar(ids, 0)), add(ids, dim), ids);
  const idxNd = unsqueeze(idx, [-1]);
  if (axis === 0) {
    // updates [idx..., data[1:]...] scattered into rows of data.
    return [g.op1('ScatterND', [zerosLike(data), idxNd, dy], { reduction: attr.string('add') })];
  }
  // Move the gathered axis to the front: data' = data with axis first, dy' = dy with the index
  // axes (positions axis..axis+idxRank-1) first; scatter, then move the axis back.
  const dataPerm = [axis, ...Array.from({ length: rank }, (_, i) => i).filter((i) => i !== axis)];
  const dyRank = rank - 1 + idxRank;
  const idxAxes = Array.from({ length: idxRank }, (_, i) => axis + i);
  const dyPerm = [...idxAxes, ...Array.from({ length: dyRank }, (_, i) => i).filter((i) => !idxAxes.includes(i))];
  const scattered = g.op1('ScatterND', [zerosLike(transpose(data, dataPerm)), idxNd, transpose(dy, dyPerm)], { reduction: attr.string('add') });
  const inverse = new Array<number>(rank);
  dataPerm.forEach((p, i) => (inverse[p] = i));
  return [transpose(scattered, inverse)];
});

registerGradient('GatherElements', (node, [dy]) => {
  if (!dy) return [];
  const [data, indices] = node.inputs as [Value, Value];
  const axis = intAttr(node, 'axis', 0);
  return [dy.graph.op1('ScatterElements', [zerosLike(data), indices, dy], { axis: attr.int(axis), reduction: attr.string('add') })];
});
