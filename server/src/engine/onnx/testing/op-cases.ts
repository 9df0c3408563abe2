// One case per builder op: how to build it on graph inputs, and the same computation in plain
// TypeScript (ref.ts). The ORT round-trip test runs each in float32 and float64.

import type { Graph, TensorData, Value } from '../ir';
import * as o from '../ops';
import * as r from './ref';
import type { Nd } from './ref';

/** n: normal, p: positive (0.5..2), u: uniform(-0.9, 0.9), b: bool, int:N: int64 in [0, N). */
export type InputKind = 'n' | 'p' | 'u' | 'b' | `int:${number}` | TensorData;

export interface OpCase {
  name: string;
  /** The ONNX op this case exercises (the key of the float64 support table). */
  op: string;
  inputs: Array<[number[], InputKind]>;
  build(xs: Value[], g: Graph): Value;
  ref(xs: Nd[]): Nd;
  /** Looser tolerance for approximated math (erf, tanh-GELU: ORT's float64 kernels use float32-precision constants, ~4e-8 relative); default exact to rounding. */
  approx?: boolean;
}

const c = (name: string, op: string, inputs: OpCase['inputs'], build: OpCase['build'], ref: OpCase['ref'], approx = false): OpCase => ({ name, op, inputs, build, ref, approx });
const un = (op: string, f: (x: Value) => Value, rf: (v: number) => number, kind: InputKind = 'n'): OpCase => c(op, op, [[[2, 3, 4], kind]], ([x]) => f(x!), ([x]) => r.map(x!, rf));
const bin = (op: string, f: (a: Value, b: Value) => Value, rf: (a: number, b: number) => number, kb: InputKind = 'n', ka: InputKind = 'n'): OpCase =>
  c(op, op, [[[2, 3, 4], ka], [[3, 1], kb]], ([a, b]) => f(a!, b!), ([a, b]) => r.zip(rf, a!, b!));

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const geluExact = (v: number) => 0.5 * v * (1 + r.erf(v / Math.SQRT2));
const geluTanh = (v: number) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
const lane = (fn: (v: number[]) => number[]) => (x: Nd) => r.alongAxis(x, -1, fn);

export const OP_CASES: OpCase[] = [
  bin('Add', o.add, (a, b) => a + b),
  bin('Sub', o.sub, (a, b) => a - b),
  bin('Mul', o.mul, (a, b) => a * b),
  bin('Div', o.div, (a, b) => a / b, 'p'),
  bin('Pow', o.pow, (a, b) => a ** b, 'n', 'p'),
  bin('Max', o.max, Math.max),
  bin('Min', o.min, Math.min),
  un('Neg', o.neg, (v) => -v),
  un('Exp', o.exp, Math.exp),
  un('Log', o.log, Math.log, 'p'),
  un('Sqrt', o.sqrt, Math.sqrt, 'p'),
  un('Tanh', o.tanh, Math.tanh),
  un('Sigmoid', o.sigmoid, sigmoid),
  { ...un('Erf', o.erf, r.erf), approx: true },
  { ...un('Gelu', (x) => o.gelu(x), geluExact), approx: true },
  { ...un('Gelu', (x) => o.gelu(x, 'tanh'), geluTanh), name: 'Gelu tanh', approx: true },
  un('Relu', o.relu, (v) => Math.max(v, 0)),
  un('Abs', o.abs, Math.abs),
  un('Reciprocal', o.reciprocal, (v) => 1 / v, 'p'),
  un('Sin', o.sin, Math.sin),
  un('Cos', o.cos, Math.cos),
  un('Floor', o.floor, Math.floor),
  un('Ceil', o.ceil, Math.ceil),
  un('Softplus', o.softplus, (v) => Math.log1p(Math.exp(v))),
  un('Sign', o.sign, Math.sign),
  un('Identity', o.identity, (v) => v),
  un('Clip', (x) => o.clip(x, -0.5, 0.7), (v) => Math.min(Math.max(v, -0.5), 0.7)),
  c('SiLU (Mul+Sigmoid)', 'Sigmoid', [[[2, 5], 'n']], ([x]) => o.silu(x!), ([x]) => r.map(x!, (v) => v * sigmoid(v))),
  c('Softmax', 'Softmax', [[[2, 3, 5], 'n']], ([x]) => o.softmax(x!, -1), ([x]) => lane(r.softmaxLane)(x!)),
  c('Softmax axis 1', 'Softmax', [[[2, 3, 5], 'n']], ([x]) => o.softmax(x!, 1), ([x]) => r.alongAxis(x!, 1, r.softmaxLane)),
  c('LogSoftmax', 'LogSoftmax', [[[2, 3, 5], 'n']], ([x]) => o.logSoftmax(x!, -1), ([x]) => lane(r.logSoftmaxLane)(x!)),
  c('MatMul', 'MatMul', [[[2, 3, 4], 'n'], [[4, 5], 'n']], ([a, b]) => o.matmul(a!, b!), ([a, b]) => r.matmul(a!, b!)),
  c('MatMul broadcast batch', 'MatMul', [[[2, 1, 3, 4], 'n'], [[3, 4, 2], 'n']], ([a, b]) => o.matmul(a!, b!), ([a, b]) => r.matmul(a!, b!)),
  c('RMSNormalization', 'RMSNormalization', [[[2, 3, 8], 'n'], [[8], 'n']], ([x, w]) => o.rmsNorm(x!, w!, 1e-5), ([x, w]) =>
    r.zip((a, b) => a * b, lane((v) => {
      const rms = Math.sqrt(r.sum(v.map((e) => e * e)) / v.length + 1e-5);
      return v.map((e) => e / rms);
    })(x!), w!)),
  c('LayerNormalization', 'LayerNormalization', [[[2, 3, 8], 'n'], [[8], 'n'], [[8], 'n']], ([x, w, b]) => o.layerNorm(x!, w!, b!, 1e-5), ([x, w, b]) =>
    r.zip((a, g, h) => a * g + h, lane((v) => {
      const mean = r.sum(v) / v.length;
      const variance = r.sum(v.map((e) => (e - mean) ** 2)) / v.length;
      return v.map((e) => (e - mean) / Math.sqrt(variance + 1e-5));
    })(x!), w!, b!)),
  c('ReduceSum', 'ReduceSum', [[[2, 3, 4], 'n']], ([x]) => o.reduceSum(x!, [1]), ([x]) => r.reduce(x!, [1], true, r.sum)),
  c('ReduceSum all', 'ReduceSum', [[[2, 3, 4], 'n']], ([x]) => o.reduceSum(x!, undefined, false), ([x]) => r.reduce(x!, [], false, r.sum)),
  c('ReduceMean', 'ReduceMean', [[[2, 3, 4], 'n']], ([x]) => o.reduceMean(x!, [0, 2], false), ([x]) => r.reduce(x!, [0, 2], false, (v) => r.sum(v) / v.length)),
  c('ReduceMax', 'ReduceMax', [[[2, 3, 4], 'n']], ([x]) => o.reduceMax(x!, [-1]), ([x]) => r.reduce(x!, [-1], true, (v) => Math.max(...v))),
  c('ReduceMin', 'ReduceMin', [[[2, 3, 4], 'n']], ([x]) => o.reduceMin(x!, [-1]), ([x]) => r.reduce(x!, [-1], true, (v) => Math.min(...v))),
  c('Reshape', 'Reshape', [[[2, 3, 4], 'n']], ([x]) => o.reshape(x!, [0, -1, 2]), ([x]) => ({ shape: [2, 6, 2], data: x!.data })),
  c('Transpose', 'Transpose', [[[2, 3, 4], 'n']], ([x]) => o.transpose(x!, [2, 0, 1]), ([x]) => r.transpose(x!, [2, 0, 1])),
  c('Concat', 'Concat', [[[2, 3], 'n'], [[2, 2], 'n']], ([a, b]) => o.concat([a!, b!], -1), ([a, b]) => r.concat([a!, b!], -1)),
  c('Slice', 'Slice', [[[4, 6], 'n']], ([x]) => o.slice(x!, [1, -5], [3, 100], [0, 1], [1, 2]), ([x]) => r.select(x!, [2, 3], ([i, j]) => [i! + 1, 1 + 2 * j!])),
  c('Unsqueeze', 'Unsqueeze', [[[2, 3], 'n']], ([x]) => o.unsqueeze(x!, [0, -1]), ([x]) => ({ shape: [1, 2, 3, 1], data: x!.data })),
  c('Squeeze', 'Squeeze', [[[2, 1, 3], 'n']], ([x]) => o.squeeze(x!, [1]), ([x]) => ({ shape: [2, 3], data: x!.data })),
  c('Expand', 'Expand', [[[3, 1], 'n']], ([x]) => o.expand(x!, [2, 3, 4]), ([x]) => r.expand(x!, [2, 3, 4])),
  c('Where', 'Where', [[[2, 3], 'b'], [[2, 3], 'n'], [[3], 'n']], ([m, a, b]) => o.where(m!, a!, b!), ([m, a, b]) => r.zip((k, x, y) => (k ? x : y), m!, a!, b!)),
  c('Gather', 'Gather', [[[5, 3], 'n'], [[2, 4], 'int:5']], ([w, i]) => o.gather(w!, i!), ([w, i]) => r.gather(w!, i!, 0)),
  c('GatherElements', 'GatherElements', [[[2, 3, 5], 'n'], [[2, 3, 1], 'int:5']], ([x, i]) => o.gatherElements(x!, i!, -1), ([x, i]) => r.gatherElements(x!, i!, -1)),
  c('ScatterND add', 'ScatterND', [[[5, 3], 'n'], [[6, 1], 'int:5'], [[6, 3], 'n']], ([d, i, u]) => o.scatterND(d!, i!, u!, 'add'), ([d, i, u]) => r.scatterNDAdd(d!, i!, u!)),
  c('ScatterElements add', 'ScatterElements', [[[2, 5], 'n'], [[2, 4], 'int:5'], [[2, 4], 'n']], ([d, i, u]) => o.scatterElements(d!, i!, u!, 1, 'add'), ([d, i, u]) => r.scatterElementsAdd(d!, i!, u!, 1)),
  c('Cast to int64', 'Cast', [[[2, 3], 'n']], ([x]) => o.cast(o.floor(o.mul(x!, 4)), 'int64'), ([x]) => r.map(x!, (v) => Math.floor(v * 4))),
  c('Trilu upper', 'Trilu', [[[2, 4, 4], 'n']], ([x]) => o.trilu(x!, true, 1), ([x]) => triluRef(x!, true, 1)),
  c('Trilu lower', 'Trilu', [[[3, 5], 'n']], ([x]) => o.trilu(x!, false), ([x]) => triluRef(x!, false, 0)),
  c('Equal', 'Equal', [[[2, 3], 'int:3'], [[3], 'int:3']], ([a, b]) => o.equal(a!, b!), ([a, b]) => r.zip((x, y) => Number(x === y), a!, b!)),
  c('Less', 'Less', [[[2, 3], 'n'], [[3], 'n']], ([a, b]) => o.less(a!, b!), ([a, b]) => r.zip((x, y) => Number(x < y), a!, b!)),
  c('Greater', 'Greater', [[[2, 3], 'n'], [[3], 'n']], ([a, b]) => o.greater(a!, b!), ([a, b]) => r.zip((x, y) => Number(x > y), a!, b!)),
  c('Split', 'Split', [[[2, 7], 'n']], ([x]) => o.split(x!, [3, 4], 1)[1]!, ([x]) => r.select(x!, [2, 4], ([i, j]) => [i!, j! + 3])),
  c('Tile', 'Tile', [[[2, 3], 'n']], ([x]) => o.tile(x!, [2, 1]), ([x]) => r.concat([x!, x!], 0)),
  c('CumSum', 'CumSum', [[[2, 5], 'n']], ([x]) => o.cumsum(x!, 1), ([x]) => r.alongAxis(x!, 1, (v) => v.map((_, i) => r.sum(v.slice(0, i + 1))))),
  c('CumSum exclusive reverse', 'CumSum', [[[2, 5], 'n']], ([x]) => o.cumsum(x!, 1, { exclusive: true, reverse: true }), ([x]) => r.alongAxis(x!, 1, (v) => v.map((_, i) => r.sum(v.slice(i + 1))))),
  c('TopK values', 'TopK', [[[2, 6], 'n']], ([x]) => o.topK(x!, 3).values, ([x]) => topRef(x!, 3)),
  c('ArgMax', 'ArgMax', [[[3, 6], 'n']], ([x]) => o.argMax(x!, 1), ([x]) => r.reduce(x!, [1], false, (v) => v.indexOf(Math.max(...v)))),
  c('OneHot', 'OneHot', [[[2, 3], 'int:4']], ([i]) => o.oneHot(i!, 4, 'float32'), ([i]) => ({ shape: [2, 3, 4], data: i!.data.flatMap((k) => [0, 1, 2, 3].map((j) => Number(j === k))) })),
  c('Range', 'Range', [[[3, 2], 'n']], ([x], g) => o.range(g, 0, o.dimOf(x!, 0)), () => r.nd([3], [0, 1, 2])),
  c('ConstantOfShape', 'ConstantOfShape', [[[3, 2], 'n']], ([x], g) => o.constantOfShape(g, o.shapeOf(x!), 2.5), () => r.nd([3, 2], [2.5, 2.5, 2.5, 2.5, 2.5, 2.5])),
  c('Shape', 'Shape', [[[3, 2], 'n']], ([x]) => o.shapeOf(x!), () => r.nd([2], [3, 2])),
];

function triluRef(x: Nd, upper: boolean, k: number): Nd {
  const [rows, cols] = x.shape.slice(-2) as [number, number];
  return { shape: [...x.shape], data: x.data.map((v, f) => {
    const j = f % cols;
    const i = Math.floor(f / cols) % rows;
    return (upper ? j - i >= k : j - i <= k) ? v : 0;
  }) };
}

function topRef(x: Nd, k: number): Nd {
  const rows = x.data.length / x.shape[x.shape.length - 1]!;
  const n = x.shape[x.shape.length - 1]!;
  const data: number[] = [];
  for (let i = 0; i < rows; i++) data.push(...x.data.slice(i * n, i * n + n).sort((a, b) => b - a).slice(0, k));
  return { shape: [...x.shape.slice(0, -1), k], data };
}
