// Registers every gradient rule and not-differentiable marker (import for side effects).

import { markNotDifferentiable } from '../registry';
import './elementwise';
import './matmul';
import './reduce';
import './shape';
import './gather';
import './nn';
import './loss';

// Integer-valued or piecewise-constant results: no gradient flows through them.
for (const op of ['Shape', 'Size', 'ArgMax', 'ArgMin', 'Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'Not', 'And', 'Or', 'Xor', 'IsNaN', 'IsInf', 'Sign', 'Floor', 'Ceil', 'Round', 'NonZero', 'OneHot', 'Range', 'ConstantOfShape', 'RandomNormalLike', 'RandomUniformLike', 'Bernoulli']) {
  markNotDifferentiable(op);
}
// Index, shape and axes inputs are integers anyway; these are the float inputs that are constants.
markNotDifferentiable('SoftmaxCrossEntropyLoss', [1, 2]); // labels, class weights
markNotDifferentiable('Where', [0]); // condition
markNotDifferentiable('Gather', [1]);
markNotDifferentiable('GatherElements', [1]);
