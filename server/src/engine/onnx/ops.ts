// The builder API: free functions that read like model code (`matmul(x, w)`, `softmax(x, -1)`).
// Each emits standard ONNX ops into the graph its inputs belong to. Constants are interned per
// graph so repeated scalars (1, 0.5, axes lists) become one initializer each.

import { attr, ONNX_DTYPE, tensorData, type AttrValue, type DType, type Graph, type TensorData, type Value } from './ir';

const constCache = new WeakMap<Graph, Map<string, Value>>();

/** An interned constant initializer. */
export function constant(g: Graph, dtype: DType, shape: number[], values: ArrayLike<number>): Value {
  let cache = constCache.get(g);
  if (!cache) constCache.set(g, (cache = new Map()));
  const key = `${dtype}|${shape.join(',')}|${Array.from(values).join(',')}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const v = g.initializer(`const_${dtype}_${cache.size}`, tensorData(dtype, shape, values));
  cache.set(key, v);
  return v;
}

/** A rank-0 constant with the dtype of `like` (or the given dtype). */
export function scalar(like: Value, value: number, dtype: DType = like.dtype): Value {
  return constant(like.graph, dtype, [], [value]);
}

/** A 1-D int64 constant (axes, shapes, starts/ends). */
export function ints(g: Graph, values: number[]): Value {
  return constant(g, 'int64', [values.length], values);
}

/** Non-constant data as an initializer (weights baked into an inference graph). */
export function initializer(g: Graph, name: string, data: TensorData): Value {
  return g.initializer(name, data);
}

type Operand = Value | number;

/** Lifts a plain number to a scalar constant of the other operand's dtype. */
function lift(a: Operand, b: Operand): [Value, Value] {
  if (typeof a === 'number' && typeof b === 'number') throw new Error('at least one operand must be a graph value');
  const va = typeof a === 'number' ? scalar(b as Value, a) : a;
  const vb = typeof b === 'number' ? scalar(va, b) : b;
  return [va, vb];
}

export const add = (a: Operand, b: Operand): Value => binary('Add', a, b);
export const sub = (a: Operand, b: Operand): Value => binary('Sub', a, b);
export const mul = (a: Operand, b: Operand): Value => binary('Mul', a, b);
export const div = (a: Operand, b: Operand): Value => binary('Div', a, b);
export const pow = (a: Operand, b: Operand): Value => binary('Pow', a, b);
export const max = (a: Operand, b: Operand): Value => binary('Max', a, b);
export const min = (a: Operand, b: Operand): Value => binary('Min', a, b);
export const equal = (a: Operand, b: Operand): Value => binary('Equal', a, b);
export const less = (a: Operand, b: Operand): Value => binary('Less', a, b);
export const greater = (a: Operand, b: Operand): Value => binary('Greater', a, b);
export const greaterOrEqual = (a: Operand, b: Operand): Value => binary('GreaterOrEqual', a, b);
export const lessOrEqual = (a: Operand, b: Operand): Value => binary('LessOrEqual', a, b);
export const and = (a: Value, b: Value): Value => a.graph.op1('And', [a, b]);
export const or = (a: Value, b: Value): Value => a.graph.op1('Or', [a, b]);
export const not = (a: Value): Value => a.graph.op1('Not', [a]);

function binary(op: string, a: Operand, b: Operand): Value {
  const [va, vb] = lift(a, b);
  return va.graph.op1(op, [va, vb]);
}

const unary = (op: string) => (x: Value): Value => x.graph.op1(op, [x]);
export const neg = unary('Neg');
export const exp = unary('Exp');
export const log = unary('Log');
export const sqrt = unary('Sqrt');
export const tanh = unary('Tanh');
export const sigmoid = unary('Sigmoid');
export const erf = unary('Erf');
export const relu = unary('Relu');
export const abs = unary('Abs');
export const reciprocal = unary('Reciprocal');
export const identity = unary('Identity');
export const sign = unary('Sign');
export const isNaN = unary('IsNaN');
export const isInf = unary('IsInf');

/** SiLU as x * sigmoid(x) (ONNX has no SiLU op before opset 24's Swish in contrib). */
export const silu = (x: Value): Value => mul(x, sigmoid(x));

/** GELU (the Gelu op, opset 20); 'none' is the exact erf form. */
export function gelu(x: Value, approximate: 'none' | 'tanh' = 'none'): Value {
  return x.graph.op1('Gelu', [x], { approximate: attr.string(approximate) });
}

export function matmul(a: Value, b: Value): Value {
  return a.graph.op1('MatMul', [a, b]);
}

export function cast(x: Value, to: DType): Value {
  if (x.dtype === to) return x;
  return x.graph.op1('Cast', [x], { to: attr.int(ONNX_DTYPE[to]) });
}

export function softmax(x: Value, axis = -1): Value {
  return x.graph.op1('Softmax', [x], { axis: attr.int(axis) });
}

export function logSoftmax(x: Value, axis = -1): Value {
  return x.graph.op1('LogSoftmax', [x], { axis: attr.int(axis) });
}

function reduce(op: string) {
  return (x: Value, axes: number[] | undefined, keepdims = true): Value => {
    const inputs = axes === undefined ? [x] : [x, ints(x.graph, axes)];
    return x.graph.op1(op, inputs, { keepdims: attr.int(keepdims ? 1 : 0) });
  };
}
/** axes undefined reduces over all axes. */
export const reduceSum = reduce('ReduceSum');
export const reduceMean = reduce('ReduceMean');
export const reduceMax = reduce('ReduceMax');
export const reduceMin = reduce('ReduceMin');

export function reshape(x: Value, shape: number[]): Value {
  return x.graph.op1('Reshape', [x, ints(x.graph, shape)]);
}

export function transpose(x: Value, perm: number[]): Value {
  return x.graph.op1('Transpose', [x], { perm: attr.ints(perm) });
}

export function unsqueeze(x: Value, axes: number[]): Value {
  return x.graph.op1('Unsqueeze', [x, ints(x.graph, axes)]);
}

export function squeeze(x: Value, axes: number[]): Value {
  return x.graph.op1('Squeeze', [x, ints(x.graph, axes)]);
}

export function concat(xs: Value[], axis: number): Value {
  if (xs.length === 0) throw new Error('concat needs at least one input');
  return xs[0]!.graph.op1('Concat', xs, { axis: attr.int(axis) });
}

/** Slice along `axes` with ONNX semantics (ends clamp; use a large number for "to the end"). */
export function slice(x: Value, starts: number[], ends: number[], axes?: number[], steps?: number[]): Value {
  const g = x.graph;
  const inputs: Array<Value | undefined> = [x, ints(g, starts), ints(g, ends)];
  if (axes) inputs.push(ints(g, axes));
  if (steps) inputs.push(ints(g, steps));
  return g.op1('Slice', inputs);
}

export function expand(x: Value, shape: number[] | Value): Value {
  return x.graph.op1('Expand', [x, Array.isArray(shape) ? ints(x.graph, shape) : shape]);
}

export function where(cond: Value, a: Operand, b: Operand): Value {
  const [va, vb] = lift(a, b);
  return cond.graph.op1('Where', [cond, va, vb]);
}

export function gather(data: Value, indices: Value, axis = 0): Value {
  return data.graph.op1('Gather', [data, indices], { axis: attr.int(axis) });
}

export function gatherElements(data: Value, indices: Value, axis: number): Value {
  return data.graph.op1('GatherElements', [data, indices], { axis: attr.int(axis) });
}

export function clip(x: Value, lo?: number, hi?: number): Value {
  const g = x.graph;
  return g.op1('Clip', [x, lo === undefined ? undefined : scalar(x, lo), hi === undefined ? undefined : scalar(x, hi)]);
}

export function shapeOf(x: Value): Value {
  return x.graph.op1('Shape', [x]);
}

/** RMSNorm over the last axis: x / sqrt(mean(x^2) + eps) * weight (RMSNormalization-23). */
export function rmsNorm(x: Value, weight: Value, eps = 1e-5): Value {
  return x.graph.op1('RMSNormalization', [x, weight], { axis: attr.int(-1), epsilon: attr.float(eps) });
}

/** LayerNorm over the last axis (LayerNormalization-17). */
export function layerNorm(x: Value, weight: Value, bias: Value | undefined, eps = 1e-5): Value {
  return x.graph.op1('LayerNormalization', [x, weight, bias], { axis: attr.int(-1), epsilon: attr.float(eps) });
}

/** A ones tensor shaped like `x` (Expand of a scalar over Shape(x)). */
export function onesLike(x: Value): Value {
  return expand(scalar(x, 1), shapeOf(x));
}

export function zerosLike(x: Value): Value {
  return expand(scalar(x, 0), shapeOf(x));
}

// ---- More standard ops (trig, masks, index arithmetic, scatter) for decoders and encoders ----

export const sin = unary('Sin');
export const cos = unary('Cos');
export const floor = unary('Floor');
export const ceil = unary('Ceil');
export const softplus = unary('Softplus');
export const mod = (a: Operand, b: Operand): Value => binary('Mod', a, b);

/** Upper (or lower) triangle of the last two axes, keeping diagonal offset k (Trilu-14). */
export function trilu(x: Value, upper: boolean, k = 0): Value {
  return x.graph.op1('Trilu', [x, k === 0 ? undefined : constant(x.graph, 'int64', [], [k])], { upper: attr.int(upper ? 1 : 0) });
}

/** start, start+delta, ... < limit. `limit` may be a graph value (e.g. a sequence length). */
export function range(g: Graph, start: number, limit: number | Value, delta = 1, dtype: DType = 'int64'): Value {
  const lim = typeof limit === 'number' ? constant(g, dtype, [], [limit]) : limit;
  return g.op1('Range', [constant(g, dtype, [], [start]), lim, constant(g, dtype, [], [delta])]);
}

/** Dimension `axis` of x as an int64 scalar computed at run time (Gather(Shape(x), axis)). */
export function dimOf(x: Value, axis: number): Value {
  return gather(shapeOf(x), constant(x.graph, 'int64', [], [axis]));
}

/** A tensor of `shape` (static list or a Shape-like value) filled with `value`. */
export function constantOfShape(g: Graph, shape: number[] | Value, value: number, dtype: DType = 'float32'): Value {
  const s = Array.isArray(shape) ? ints(g, shape) : shape;
  return g.op1('ConstantOfShape', [s], { value: attr.tensor(tensorData(dtype, [1], [value])) });
}

/** One-hot along a new last axis: `on` at the index, `off` elsewhere; dtype follows `dtype`. */
export function oneHot(indices: Value, depth: number, dtype: DType = 'float32', off = 0, on = 1): Value {
  const g = indices.graph;
  return g.op1('OneHot', [indices, constant(g, 'int64', [], [depth]), constant(g, dtype, [2], [off, on])], { axis: attr.int(-1) });
}

/** ScatterND (data updated at int64 index tuples); 'add' accumulates duplicates (embedding gradients). */
export function scatterND(data: Value, indices: Value, updates: Value, reduction: 'none' | 'add' = 'none'): Value {
  const attrs: Record<string, AttrValue> = reduction === 'none' ? {} : { reduction: attr.string(reduction) };
  return data.graph.op1('ScatterND', [data, indices, updates], attrs);
}

/** ScatterElements along `axis` (the inverse of GatherElements); 'add' accumulates duplicates. */
export function scatterElements(data: Value, indices: Value, updates: Value, axis: number, reduction: 'none' | 'add' = 'none'): Value {
  const attrs: Record<string, AttrValue> = { axis: attr.int(axis) };
  if (reduction !== 'none') attrs['reduction'] = attr.string(reduction);
  return data.graph.op1('ScatterElements', [data, indices, updates], attrs);
}

/** Splits along `axis` into the given sizes (Split-18). */
export function split(x: Value, sizes: number[], axis: number): Value[] {
  return x.graph.op('Split', [x, ints(x.graph, sizes)], { axis: attr.int(axis) }, { outputs: sizes.length });
}

export function tile(x: Value, repeats: number[]): Value {
  return x.graph.op1('Tile', [x, ints(x.graph, repeats)]);
}

/** Running sum along `axis`; `exclusive` starts at 0, `reverse` sums from the end. */
export function cumsum(x: Value, axis: number, options: { exclusive?: boolean; reverse?: boolean } = {}): Value {
  return x.graph.op1('CumSum', [x, constant(x.graph, 'int64', [], [axis])], {
    exclusive: attr.int(options.exclusive ? 1 : 0),
    reverse: attr.int(options.reverse ? 1 : 0),
  });
}

/** The k largest (or smallest) entries along `axis`: values and int64 indices, sorted. */
export function topK(x: Value, k: number, axis = -1, largest = true): { values: Value; indices: Value } {
  const [values, indices] = x.graph.op('TopK', [x, ints(x.graph, [k])], { axis: attr.int(axis), largest: attr.int(largest ? 1 : 0), sorted: attr.int(1) }, { outputs: 2 });
  return { values: values!, indices: indices! };
}

export function argMax(x: Value, axis: number, keepdims = false): Value {
  return x.graph.op1('ArgMax', [x], { axis: attr.int(axis), keepdims: attr.int(keepdims ? 1 : 0) });
}
