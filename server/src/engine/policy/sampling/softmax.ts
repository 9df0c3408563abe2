// Softmax and log-sum-exp over a row of logits in float64; -Infinity entries get probability 0.

/** log(sum(exp(x))) with the max subtracted first; -Infinity for an all -Infinity row. */
export function logSumExp(x: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) if (x[i]! > max) max = x[i]!;
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.exp(x[i]! - max);
  return max + Math.log(sum);
}

/** Probabilities of a row (a new array). */
export function softmax(x: ArrayLike<number>): Float64Array {
  const lse = logSumExp(x);
  const p = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) p[i] = Math.exp(x[i]! - lse);
  return p;
}
