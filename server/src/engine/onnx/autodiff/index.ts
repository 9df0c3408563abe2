// Reverse-mode automatic differentiation over the ONNX graph IR: gradient nodes (standard ONNX
// ops only) are appended to the graph that computes the loss, so one graph yields both.
//
//   const loss = ...; const [dW, db] = gradients(loss, [W, b]); g.output(dW, 'grad_W');

import './rules';

export { gradients, type GradientOptions } from './traversal';
export { stopGradient, registerGradient, markNotDifferentiable, registeredGradientOps, notDifferentiableOps, type GradientRule } from './registry';
export { reduceToShape } from './broadcast';
