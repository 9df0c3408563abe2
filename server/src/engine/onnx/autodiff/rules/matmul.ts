// MatMul: batched with broadcast batch dims, and the 1-D cases (a vector is promoted to a matrix
// by a leading/trailing 1, exactly as numpy and ONNX define it, and demoted again afterwards).

import type { Value } from '../../ir';
import { matmul, mul, reshape, squeeze, transpose, unsqueeze } from '../../ops';
import { reduceToShape } from '../broadcast';
import { registerGradient } from '../registry';
import { rankOf, swapLastTwo, withShape } from './util';

const T = (v: Value): Value => transpose(v, swapLastTwo(v.shape!.length));

registerGradient('MatMul', (node, [dy], need) => {
  if (!dy) return [];
  const a = node.inputs[0]!;
  const b = node.inputs[1]!;
  const ra = rankOf(a, node);
  const rb = rankOf(b, node);

  if (ra === 1 && rb === 1) return [need[0] ? mul(dy, b) : undefined, need[1] ? mul(dy, a) : undefined];

  if (ra === 1) {
    // a [K] acts as [1, K]; y = [..., N] acts as [..., 1, N].
    const dy2 = unsqueeze(dy, [-2]);
    const da = need[0] ? reduceToShape(squeeze(matmul(dy2, T(b)), [-2]), a) : undefined;
    const db = need[1] ? reduceToShape(matmul(unsqueeze(a, [-1]), dy2), b) : undefined;
    return [da, db];
  }
  if (rb === 1) {
    // b [K] acts as [K, 1]; y = [..., M] acts as [..., M, 1].
    const dy2 = unsqueeze(dy, [-1]);
    const da = need[0] ? reduceToShape(matmul(dy2, unsqueeze(b, [0])), a) : undefined;
    const db = need[1] ? reduceToShape(squeeze(matmul(T(a), dy2), [-1]), b) : undefined;
    return [da, db];
  }

  const da = need[0] ? reduceToShape(matmul(dy, T(b)), a) : undefined;
  let db: Value | undefined;
  if (need[1]) {
    const K = a.shape![ra - 1];
    const N = b.shape![rb - 1];
    if (rb === 2 && ra > 2 && typeof K === 'number' && typeof N === 'number') {
      // The common x[B, T, K] @ W[K, N]: one [K, BT] @ [BT, N] product instead of a batched
      // product followed by a sum over the batch.
      // Symbolic batch dims flatten into one dim named by their product (same name on both sides).
      const rows = a.shape!.slice(0, -1).every((d) => typeof d === 'number') ? a.shape!.slice(0, -1).reduce<number>((p, d) => p * (d as number), 1) : a.shape!.slice(0, -1).join('*');
      const a2 = withShape(reshape(a, [-1, K]), [rows, K]);
      const dy2 = withShape(reshape(dy, [-1, N]), [rows, N]);
      db = withShape(matmul(T(a2), dy2), b.shape);
    } else {
      db = reduceToShape(matmul(T(a), dy), b);
    }
  }
  return [da, db];
});
