// Gradient rules of elementwise ops (broadcasting binary ops sum back with reduceToShape).

import { isFloat, type Node, type Value } from '../../ir';
import { add, cast, pow, div, equal, erf, exp, greater, greaterOrEqual, less, lessOrEqual, log, mul, neg, scalar, sign, sub, tanh, where, and } from '../../ops';
import { reduceToShape } from '../broadcast';
import { registerGradient } from '../registry';
import { stringAttr } from './util';

const x0 = (n: Node): Value => n.inputs[0]!;
const x1 = (n: Node): Value => n.inputs[1]!;
const y0 = (n: Node): Value => n.outputs[0]!;

/** Registers a unary rule dx = f(node, dy). */
function unary(op: string, f: (node: Node, dy: Value) => Value): void {
  registerGradient(op, (node, [dy]) => [dy ? f(node, dy) : undefined]);
}

unary('Identity', (_n, dy) => dy);
unary('Neg', (_n, dy) => neg(dy));
unary('Exp', (n, dy) => mul(dy, y0(n)));
unary('Log', (n, dy) => div(dy, x0(n)));
unary('Sqrt', (n, dy) => div(mul(dy, 0.5), y0(n)));
unary('Reciprocal', (n, dy) => neg(mul(dy, mul(y0(n), y0(n)))));
unary('Abs', (n, dy) => mul(dy, sign(x0(n))));
unary('Tanh', (n, dy) => mul(dy, sub(1, mul(y0(n), y0(n)))));
unary('Sigmoid', (n, dy) => mul(dy, mul(y0(n), sub(1, y0(n)))));
unary('Sin', (n, dy) => mul(dy, x0(n).graph.op1('Cos', [x0(n)])));
unary('Cos', (n, dy) => neg(mul(dy, x0(n).graph.op1('Sin', [x0(n)]))));
// d/dx erf(x) = 2/sqrt(pi) * exp(-x^2)
unary('Erf', (n, dy) => mul(dy, mul(exp(neg(mul(x0(n), x0(n)))), 2 / Math.sqrt(Math.PI))));
// Relu: gradient 0 at x = 0 (as PyTorch).
unary('Relu', (n, dy) => where(greater(x0(n), 0), dy, 0));
// Cast between float types passes the gradient through (cast back); casts to ints have no float output.
unary('Cast', (n, dy) => cast(dy, x0(n).dtype));

unary('Gelu', (n, dy) => {
  const x = x0(n);
  if (stringAttr(n, 'approximate', 'none') === 'tanh') {
    // y = 0.5 x (1 + t), t = tanh(u), u = c (x + a x^3): dy/dx = 0.5 (1 + t) + 0.5 x (1 - t^2) c (1 + 3 a x^2)
    const c = Math.sqrt(2 / Math.PI);
    const a = 0.044715;
    const x2 = mul(x, x);
    const t = tanh(mul(add(x, mul(mul(x2, x), a)), c));
    const du = mul(add(mul(x2, 3 * a), 1), c);
    const d = add(mul(add(t, 1), 0.5), mul(mul(mul(x, 0.5), sub(1, mul(t, t))), du));
    return mul(dy, d);
  }
  // Exact: dy/dx = Phi(x) + x phi(x) = 0.5 (1 + erf(x / sqrt 2)) + x exp(-x^2/2) / sqrt(2 pi)
  const cdf = mul(add(erf(mul(x, Math.SQRT1_2)), 1), 0.5);
  const pdf = mul(exp(mul(mul(x, x), -0.5)), 1 / Math.sqrt(2 * Math.PI));
  return mul(dy, add(cdf, mul(x, pdf)));
});

registerGradient('Add', (n, [dy], need) => (dy ? [need[0] ? reduceToShape(dy, x0(n)) : undefined, need[1] ? reduceToShape(dy, x1(n)) : undefined] : []));
registerGradient('Sub', (n, [dy], need) => (dy ? [need[0] ? reduceToShape(dy, x0(n)) : undefined, need[1] ? reduceToShape(neg(dy), x1(n)) : undefined] : []));
registerGradient('Mul', (n, [dy], need) => {
  if (!dy) return [];
  const [a, b] = [x0(n), x1(n)];
  return [need[0] ? reduceToShape(mul(dy, b), a) : undefined, need[1] ? reduceToShape(mul(dy, a), b) : undefined];
});
registerGradient('Div', (n, [dy], need) => {
  if (!dy) return [];
  const [a, b] = [x0(n), x1(n)];
  const da = div(dy, b);
  // d(a/b)/db = -a/b^2 = -(dy/b) * y
  return [need[0] ? reduceToShape(da, a) : undefined, need[1] ? reduceToShape(neg(mul(da, y0(n))), b) : undefined];
});
registerGradient('Pow', (n, [dy], need) => {
  if (!dy) return [];
  const [a, b] = [x0(n), x1(n)];
  const bf = cast(b, a.dtype); // the exponent may be an int tensor
  const da = need[0] ? reduceToShape(mul(dy, mul(bf, pow(a, sub(bf, 1)))), a) : undefined;
  // d(a^b)/db = a^b ln a, defined as 0 where a <= 0 (the real power is only differentiable in b for a > 0).
  const db = need[1] && isFloat(b.dtype) ? reduceToShape(cast(where(greater(a, 0), mul(dy, mul(y0(n), log(a))), 0), b.dtype), b) : undefined;
  return [da, db];
});

/** Sum and Mean (variadic, broadcasting). */
registerGradient('Sum', (n, [dy], need) => (dy ? n.inputs.map((x, i) => (need[i] ? reduceToShape(dy, x!) : undefined)) : []));
registerGradient('Mean', (n, [dy], need) => {
  if (!dy) return [];
  const d = div(dy, n.inputs.length);
  return n.inputs.map((x, i) => (need[i] ? reduceToShape(d, x!) : undefined));
});

/**
 * Max/Min (variadic): the gradient goes to the inputs equal to the result; ties split it evenly
 * (as torch.maximum/minimum do), so the total is preserved.
 */
function extremumRule(node: Node, [dy]: ReadonlyArray<Value | undefined>, need: readonly boolean[]): Array<Value | undefined> {
  if (!dy) return [];
  const y = y0(node);
  if (node.inputs.length === 1) return [dy];
  const masks = node.inputs.map((x) => cast(equal(x!, y), y.dtype));
  const count = masks.length === 2 ? add(masks[0]!, masks[1]!) : y.graph.op1('Sum', masks);
  const share = div(dy, count);
  return node.inputs.map((x, i) => (need[i] ? reduceToShape(mul(share, masks[i]!), x!) : undefined));
}
registerGradient('Max', extremumRule);
registerGradient('Min', extremumRule);

/**
 * Clip(x, min?, max?): x gets the gradient where min <= x <= max (inclusive, as torch.clamp);
 * min gets it where x < min, max where x > max (summed, since they are scalars).
 */
registerGradient('Clip', (n, [dy], need) => {
  if (!dy) return [];
  const [x, lo, hi] = n.inputs;
  let inside: Value | undefined;
  if (lo) inside = greaterOrEqual(x!, lo);
  if (hi) inside = inside ? and(inside, lessOrEqual(x!, hi)) : lessOrEqual(x!, hi);
  const dx = need[0] ? (inside ? where(inside, dy, 0) : dy) : undefined;
  const dlo = lo && need[1] ? reduceToShape(where(less(x!, lo), dy, 0), lo) : undefined;
  const dhi = hi && need[2] ? reduceToShape(where(greater(x!, hi), dy, 0), hi) : undefined;
  return [dx, dlo, dhi];
});

registerGradient('Where', (n, [dy], need) => {
  if (!dy) return [];
  const [c, a, b] = n.inputs;
  const zero = scalar(dy, 0);
  return [undefined, need[1] ? reduceToShape(where(c!, dy, zero), a!) : undefined, need[2] ? reduceToShape(where(c!, zero, dy), b!) : undefined];
});
