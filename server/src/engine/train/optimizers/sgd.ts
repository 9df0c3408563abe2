// SGD as torch.optim.SGD (maximize=False):
//   d <- g + wd * p
//   buf <- d on the first step, else momentum * buf + (1 - dampening) * d
//   d <- nesterov ? d + momentum * buf : buf
//   p <- p - lr * d

import { cast, equal, mul, add, scalar, sub, where } from '../../onnx/ops';
import type { Optimizer, OptimizerEmitInput, OptimizerEmitOutput } from './types';

export interface SgdOptions {
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

export function sgd(options: SgdOptions = {}): Optimizer {
  const momentum = options.momentum ?? 0;
  const dampening = options.dampening ?? 0;
  const nesterov = options.nesterov ?? false;
  const weightDecay = options.weightDecay ?? 0;
  if (!(momentum >= 0)) throw new Error(`SGD momentum must be >= 0, got ${momentum}`);
  if (!(weightDecay >= 0)) throw new Error(`SGD weightDecay must be >= 0, got ${weightDecay}`);
  if (nesterov && (momentum <= 0 || dampening !== 0)) throw new Error('SGD nesterov needs momentum > 0 and dampening 0 (as in PyTorch)');
  return {
    name: 'sgd',
    hyperparameters: { momentum, dampening, nesterov, weightDecay },
    slots: momentum !== 0 ? ['momentum_buffer'] : [],
    emit({ p, g, state, lr, step, decay, gradScale }: OptimizerEmitInput): OptimizerEmitOutput {
      let d = gradScale ? mul(g, gradScale) : g;
      if (decay && weightDecay !== 0) d = add(g, mul(p, weightDecay));
      const out: Record<string, ReturnType<typeof add>> = {};
      if (momentum !== 0) {
        const buf = state['momentum_buffer']!;
        let next = add(mul(buf, momentum), dampening === 0 ? d : mul(d, 1 - dampening));
        // PyTorch starts the buffer as a copy of d; with dampening 0 the formula already gives d (buf is 0).
        if (dampening !== 0) next = where(equal(step, scalar(step, 1)), d, next);
        out['momentum_buffer'] = next;
        d = nesterov ? add(d, mul(next, momentum)) : next;
      }
      return { p: sub(p, mul(d, cast(lr, p.dtype))), state: out };
    },
  };
}
