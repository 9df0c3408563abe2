// SoftmaxCrossEntropyLoss(scores [N, C, d...], labels [N, d...], weights? [C]) with reduction
// mean/sum/none and ignore_index. With per-element weight w_i (class weight, 0 if ignored):
//   d scores = (softmax(scores) - onehot(label)) * w_i * c_i
// where c_i is dy_i (none), dy (sum) or dy / sum(w) (mean, the weighted mean ONNX defines).
// The one-hot part is a ScatterElements add of -w_i c_i at the label, so no [N, C] one-hot is built.

import type { Value } from '../../ir';
import { attr } from '../../ir';
import { cast, div, equal, exp, gather, mul, neg, not, reduceSum, scalar, sub, unsqueeze, where } from '../../ops';
import { registerGradient } from '../registry';
import { intAttr, shapeValue, stringAttr, withShape } from './util';

registerGradient('SoftmaxCrossEntropyLoss', (node, [dLoss, dLogProb]) => {
  const [scores, labels, weights] = node.inputs as [Value, Value, Value | undefined];
  const g = scores.graph;
  // Reuse the log_prob output when the node has one (softmax = exp(log_prob)).
  const p = node.outputs[1] ? exp(node.outputs[1]) : g.op1('Softmax', [scores], { axis: attr.int(1) });
  let grad: Value | undefined;
  if (dLoss) {
    const reduction = stringAttr(node, 'reduction', 'mean');
    const ignore = node.attrs['ignore_index'] ? intAttr(node, 'ignore_index', -100) : undefined;
    let safe = labels;
    let w: Value | undefined;
    if (ignore !== undefined) {
      const ignored = equal(labels, scalar(labels, ignore));
      // OneHot-style negative indices would wrap around: ignored labels point at class 0 with weight 0.
      safe = where(ignored, scalar(labels, 0), labels);
      w = cast(not(ignored), scores.dtype);
    }
    if (weights) w = w ? mul(w, gather(weights, safe)) : gather(weights, safe);
    let coef: Value;
    if (reduction === 'none') coef = w ? mul(dLoss, w) : dLoss;
    else if (reduction === 'sum') coef = w ? mul(dLoss, w) : withShape(g.op1('Expand', [dLoss, shapeValue(labels)]), labels.shape);
    else if (reduction === 'mean') {
      if (w) {
        const total = reduceSum(w, undefined, false);
        // All labels ignored: ONNX's loss is then 0/0; give a zero gradient rather than NaN.
        const denom = where(equal(total, scalar(total, 0)), scalar(total, 1), total);
        coef = mul(div(dLoss, denom), w);
      } else {
        const count = cast(withShape(g.op1('Size', [labels]), []), scores.dtype);
        coef = withShape(g.op1('Expand', [div(dLoss, count), shapeValue(labels)]), labels.shape);
      }
    } else throw new Error(`autodiff: SoftmaxCrossEntropyLoss (node "${node.name}") has unknown reduction "${reduction}"`);
    const c = unsqueeze(coef, [1]);
    grad = g.op1('ScatterElements', [mul(p, c), unsqueeze(safe, [1]), neg(c)], { axis: attr.int(1), reduction: attr.string('add') });
    grad = withShape(grad, scores.shape);
  }
  if (dLogProb) {
    // log_prob = LogSoftmax(scores, axis=1)
    const fromLogProb = sub(dLogProb, mul(p, reduceSum(dLogProb, [1], true)));
    grad = grad ? g.op1('Add', [grad, fromLogProb]) : fromLogProb;
  }
  return [grad];
});
