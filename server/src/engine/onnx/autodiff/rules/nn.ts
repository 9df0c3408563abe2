// Neural-network ops: softmax family and normalizations. Normalization statistics are recomputed
// from the input (in its dtype) unless the forward node already exposes them in that dtype.

import type { Node, Value } from '../../ir';
import { add, exp, mul, reciprocal, reduceMean, reduceSum, sqrt, sub } from '../../ops';
import { reduceToShape } from '../broadcast';
import { registerGradient } from '../registry';
import { floatAttr, intAttr, normAxis, rankOf, trailingAxes } from './util';

// y = softmax(x): dx = y * (dy - sum(dy * y))
registerGradient('Softmax', (node, [dy]) => {
  if (!dy) return [];
  const y = node.outputs[0]!;
  const axis = normAxis(intAttr(node, 'axis', -1), rankOf(y, node));
  return [mul(y, sub(dy, reduceSum(mul(dy, y), [axis], true)))];
});

// y = log_softmax(x): dx = dy - softmax(x) * sum(dy)
registerGradient('LogSoftmax', (node, [dy]) => {
  if (!dy) return [];
  const y = node.outputs[0]!;
  const axis = normAxis(intAttr(node, 'axis', -1), rankOf(y, node));
  return [sub(dy, mul(exp(y), reduceSum(dy, [axis], true)))];
});

function refuseStatGrads(node: Node, grads: ReadonlyArray<Value | undefined>): void {
  if (grads.slice(1).some((d) => d !== undefined)) {
    throw new Error(`autodiff: ${node.op} (node "${node.name}"): gradients through its saved statistics outputs are not supported; use only output 0 in the loss`);
  }
}

/**
 * LayerNormalization(x, scale, bias?) over axes [axis, rank):
 * dx = rstd * (g - mean(g) - xhat * mean(g * xhat)) with g = dy * scale.
 */
registerGradient('LayerNormalization', (node, grads, need) => {
  const dy = grads[0];
  if (!dy) return [];
  refuseStatGrads(node, grads);
  const [x, scale, bias] = node.inputs as [Value, Value, Value | undefined];
  const axes = trailingAxes(intAttr(node, 'axis', -1), rankOf(x, node));
  const eps = floatAttr(node, 'epsilon', 1e-5);
  const [, savedMean, savedRstd] = node.outputs;
  let mean: Value;
  let rstd: Value;
  if (savedMean && savedRstd && savedMean.dtype === x.dtype && savedRstd.dtype === x.dtype) {
    mean = savedMean;
    rstd = savedRstd;
  } else {
    mean = reduceMean(x, axes, true);
    const xc = sub(x, mean);
    rstd = reciprocal(sqrt(add(reduceMean(mul(xc, xc), axes, true), eps)));
  }
  const xhat = mul(sub(x, mean), rstd);
  const gx = mul(dy, scale);
  const dx = need[0] ? mul(rstd, sub(sub(gx, reduceMean(gx, axes, true)), mul(xhat, reduceMean(mul(gx, xhat), axes, true)))) : undefined;
  const dscale = need[1] ? reduceToShape(mul(dy, xhat), scale) : undefined;
  const dbias = bias && need[2] ? reduceToShape(dy, bias) : undefined;
  return [dx, dscale, dbias];
});

/**
 * RMSNormalization(x, scale) over axes [axis, rank): y = x * r * scale, r = 1/sqrt(mean(x^2) + eps);
 * dx = r * (g - xhat * mean(g * xhat)) with g = dy * scale, xhat = x * r.
 */
registerGradient('RMSNormalization', (node, [dy], need) => {
  if (!dy) return [];
  const [x, scale] = node.inputs as [Value, Value];
  const axes = trailingAxes(intAttr(node, 'axis', -1), rankOf(x, node));
  const eps = floatAttr(node, 'epsilon', 1e-5);
  const r = reciprocal(sqrt(add(reduceMean(mul(x, x), axes, true), eps)));
  const xhat = mul(x, r);
  const gx = mul(dy, scale);
  const dx = need[0] ? mul(r, sub(gx, mul(xhat, reduceMean(mul(gx, xhat), axes, true)))) : undefined;
  const dscale = need[1] ? reduceToShape(mul(dy, xhat), scale) : undefined;
  return [dx, dscale];
});
