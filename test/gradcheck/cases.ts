// Gradient-check cases: one or more per registered rule, including broadcasting, symbolic dims,
// 1-D MatMul, Slice with steps and negative indices, repeated Gather indices and ignore_index.

import { attr, type Value } from '../../server/src/engine/onnx/ir';
import * as op from '../../server/src/engine/onnx/ops';
import { awayFromZero, avoiding, distinct, lattice, uniform, type GradCase } from './harness';

const g = (v: Value) => v.graph;
const pos = uniform(0.3, 2);

const unaryCase = (name: string, f: (x: Value) => Value, gen = uniform()): GradCase => ({
  name,
  inputs: { x: { shape: [2, 3, 2], gen } },
  build: ({ x }) => f(x!),
});

function sceLoss(scores: Value, labels: Value, weights: Value | undefined, attrs: Record<string, ReturnType<typeof attr.int | typeof attr.string>>, outputs = 1): Value[] {
  return g(scores).op('SoftmaxCrossEntropyLoss', weights ? [scores, labels, weights] : [scores, labels], attrs, { outputs });
}

/**
 * A tiny pre-norm decoder block end to end: embedding, RMSNorm, 2-head causal attention, tanh-GELU
 * MLP, LM head and a cross-entropy with ignored positions. Every parameter is checked.
 */
function tinyDecoder(x: Record<string, Value>): Value {
  const [B, T, D, H] = [2, 3, 4, 2];
  const gr = g(x['embed']!);
  let h = op.gather(x['embed']!, x['ids']!);
  const a = op.rmsNorm(h, x['norm1']!, 1e-5);
  const qkv = op.matmul(a, x['wqkv']!); // [B, T, 3D]
  const heads = (t: Value) => op.transpose(op.reshape(t, [B, T, H, D / H]), [0, 2, 1, 3]); // [B, H, T, D/H]
  const q = heads(op.slice(qkv, [0], [D], [2]));
  const k = heads(op.slice(qkv, [D], [2 * D], [2]));
  const v = heads(op.slice(qkv, [2 * D], [3 * D], [2]));
  const scores = op.mul(op.matmul(q, op.transpose(k, [0, 1, 3, 2])), 1 / Math.sqrt(D / H));
  const causal = gr.op1('Trilu', [op.expand(op.scalar(scores, 1, 'int64'), [T, T])], { upper: attr.int(0) });
  const masked = op.where(op.cast(causal, 'bool'), scores, -1e9);
  const ctx = op.reshape(op.transpose(op.matmul(op.softmax(masked, -1), v), [0, 2, 1, 3]), [B, T, D]);
  h = op.add(h, op.matmul(ctx, x['wo']!));
  const m = op.rmsNorm(h, x['norm2']!, 1e-5);
  h = op.add(h, op.matmul(op.gelu(op.matmul(m, x['wi']!), 'tanh'), x['wo2']!));
  const logits = op.matmul(h, x['head']!); // [B, T, V]
  const scoresNC = op.transpose(logits, [0, 2, 1]); // [B, V, T] as SoftmaxCrossEntropyLoss wants
  return gr.op('SoftmaxCrossEntropyLoss', [scoresNC, x['labels']!], { reduction: attr.string('mean'), ignore_index: attr.int(-100) })[0]!;
}

export const cases: GradCase[] = [
  // ---- elementwise, unary
  unaryCase('Identity', op.identity),
  unaryCase('Neg', op.neg),
  unaryCase('Exp', op.exp),
  unaryCase('Log', op.log, pos),
  unaryCase('Sqrt', op.sqrt, pos),
  unaryCase('Reciprocal', op.reciprocal, awayFromZero(0.5, 1.5)),
  unaryCase('Abs', op.abs, awayFromZero()),
  unaryCase('Tanh', op.tanh, uniform(-2, 2)),
  unaryCase('Sigmoid', op.sigmoid, uniform(-3, 3)),
  unaryCase('Sin', (x) => g(x).op1('Sin', [x]), uniform(-3, 3)),
  unaryCase('Cos', (x) => g(x).op1('Cos', [x]), uniform(-3, 3)),
  unaryCase('Erf', op.erf, uniform(-2, 2)),
  unaryCase('Relu', op.relu, awayFromZero(0.05, 1)),
  unaryCase('Gelu exact', (x) => op.gelu(x, 'none'), uniform(-3, 3)),
  unaryCase('Gelu tanh', (x) => op.gelu(x, 'tanh'), uniform(-3, 3)),
  unaryCase('SiLU (x * sigmoid x)', op.silu, uniform(-3, 3)),
  unaryCase('fan-out: x*x + exp(x) - x', (x) => op.sub(op.add(op.mul(x, x), op.exp(x)), x)),
  {
    // float32 -> float64 -> float32 is lossless; in float64 the float32 rounding would defeat finite differences.
    name: 'Cast float32 -> float64 -> float32',
    float32Only: true,
    inputs: { x: { shape: [3, 2] } },
    build: ({ x }, dtype) => op.cast(op.mul(op.cast(x!, dtype === 'float64' ? 'float32' : 'float64'), 3), dtype),
  },

  // ---- elementwise, binary with broadcasting
  {
    name: 'Add [B,T,H] + [H] (symbolic B, T)',
    dims: { B: 2, T: 3 },
    inputs: { x: { shape: ['B', 'T', 4] }, b: { shape: [4] } },
    build: ({ x, b }) => op.add(x!, b!),
  },
  {
    name: 'Sub [2,1,4] - [3,4]',
    inputs: { a: { shape: [2, 1, 4] }, b: { shape: [3, 4] } },
    build: ({ a, b }) => op.sub(a!, b!),
  },
  {
    name: 'Mul [B,1,H] * [T,H]',
    dims: { B: 2, T: 3 },
    inputs: { a: { shape: ['B', 1, 4] }, b: { shape: ['T', 4] } },
    build: ({ a, b }) => op.mul(a!, b!),
  },
  {
    name: 'Mul same input twice (x * x)',
    inputs: { x: { shape: [5] } },
    build: ({ x }) => op.mul(x!, x!),
  },
  {
    name: 'Div [3,4] / [4] and scalar / [3,4]',
    inputs: { a: { shape: [3, 4] }, b: { shape: [4], gen: awayFromZero(0.5, 1.5) }, c: { shape: [], gen: uniform(1, 2) } },
    build: ({ a, b, c }) => op.add(op.div(a!, b!), op.div(c!, op.add(op.mul(a!, a!), 1))),
  },
  {
    name: 'Pow: both inputs, [3,4] ^ [4]; constant and int exponents',
    inputs: { a: { shape: [3, 4], gen: pos }, b: { shape: [4], gen: uniform(-1, 2) } },
    build: ({ a, b }) => op.add(op.add(op.pow(a!, b!), op.pow(a!, 3)), g(a!).op1('Pow', [a!, op.constant(g(a!), 'int64', [], [2])])),
  },
  {
    name: 'Sum (variadic, broadcasting)',
    inputs: { a: { shape: [2, 3] }, b: { shape: [3] }, c: { shape: [2, 1] } },
    build: ({ a, b, c }) => op.mul(g(a!).op1('Sum', [a!, b!, c!]), a!),
  },
  {
    name: 'Mean (variadic, broadcasting)',
    inputs: { a: { shape: [2, 3] }, b: { shape: [3] }, c: { shape: [2, 1] } },
    build: ({ a, b, c }) => op.mul(g(a!).op1('Mean', [a!, b!, c!]), a!),
  },
  {
    name: 'Max/Min binary with broadcasting (no ties)',
    inputs: { a: { shape: [3, 4], gen: lattice(0.2, 0) }, b: { shape: [4], gen: lattice(0.2, 0.1) } },
    build: ({ a, b }) => op.add(op.max(a!, b!), op.mul(op.min(a!, b!), 2)),
  },
  {
    name: 'Max variadic (3 inputs)',
    inputs: { a: { shape: [6], gen: lattice(0.3, 0) }, b: { shape: [6], gen: lattice(0.3, 0.1) }, c: { shape: [6], gen: lattice(0.3, 0.2) } },
    build: ({ a, b, c }) => g(a!).op1('Max', [a!, b!, c!]),
  },
  {
    name: 'Clip with constant bounds',
    inputs: { x: { shape: [4, 3], gen: avoiding([-0.5, 0.5]) } },
    build: ({ x }) => op.add(op.clip(x!, -0.5, 0.5), op.clip(x!, undefined, 0.5)),
  },
  {
    name: 'Clip with differentiable bounds',
    inputs: { x: { shape: [12], gen: avoiding([-0.3, 0.4]) }, lo: { shape: [], gen: (n) => new Array<number>(n).fill(-0.3) }, hi: { shape: [], gen: (n) => new Array<number>(n).fill(0.4) } },
    build: ({ x, lo, hi }) => g(x!).op1('Clip', [x!, lo!, hi!]),
  },
  {
    name: 'Where with broadcasting',
    inputs: { m: { shape: [3, 1], int: { low: 0, high: 2 } }, a: { shape: [3, 4] }, b: { shape: [4] } },
    build: ({ m, a, b }) => op.where(op.cast(m!, 'bool'), a!, b!),
  },
  {
    name: 'PPO clipped objective: min(r A, clip(r, 0.8, 1.2) A), r = exp(logp - old)',
    inputs: { logp: { shape: [8], gen: avoiding([Math.log(0.8), Math.log(1.2)], 0.02, -0.5, 0.5) }, old: { shape: [8], gen: () => new Array<number>(8).fill(0), constant: true }, adv: { shape: [8], gen: awayFromZero(0.2, 1), constant: true } },
    build: ({ logp, old, adv }) => {
      const ratio = op.exp(op.sub(logp!, old!));
      return op.neg(op.min(op.mul(ratio, adv!), op.mul(op.clip(ratio, 0.8, 1.2), adv!)));
    },
  },

  // ---- MatMul
  {
    name: 'MatMul [B,T,K] @ [K,N] (flattened weight gradient)',
    inputs: { x: { shape: [2, 3, 4] }, w: { shape: [4, 5] } },
    build: ({ x, w }) => op.matmul(x!, w!),
  },
  {
    name: 'MatMul [B,T,K] @ [K,N] with symbolic B, T',
    dims: { B: 2, T: 3 },
    inputs: { x: { shape: ['B', 'T', 4] }, w: { shape: [4, 3] } },
    build: ({ x, w }) => op.matmul(x!, w!),
  },
  {
    name: 'MatMul broadcast batch [2,1,3,4] @ [5,4,2]',
    inputs: { a: { shape: [2, 1, 3, 4] }, b: { shape: [5, 4, 2] } },
    build: ({ a, b }) => op.matmul(a!, b!),
  },
  {
    name: 'MatMul 1-D: [K] @ [B,K,N], [B,M,K] @ [K], [K] @ [K]',
    inputs: { v: { shape: [4] }, m: { shape: [2, 4, 3] }, a: { shape: [2, 3, 4] }, u: { shape: [4] } },
    build: ({ v, m, a, u }) => op.add(op.add(op.reduceSum(op.matmul(v!, m!), undefined, false), op.reduceSum(op.matmul(a!, u!), undefined, false)), op.matmul(v!, u!)),
  },

  // ---- reductions
  {
    name: 'ReduceSum axes [1] keepdims 0, and over all axes',
    inputs: { x: { shape: [2, 3, 4] } },
    build: ({ x }) => op.add(op.reduceSum(x!, [1], false), op.reduceSum(op.mul(x!, x!), undefined, false)),
  },
  {
    name: 'ReduceMean axes [-1] keepdims 1 and [0, 2] keepdims 0',
    inputs: { x: { shape: [2, 3, 4] } },
    build: ({ x }) => op.add(op.reduceMean(x!, [-1], true), op.unsqueeze(op.reduceMean(op.mul(x!, x!), [0, 2], false), [1])),
  },
  {
    name: 'ReduceMean over symbolic dims (run-time count)',
    dims: { T: 3 },
    inputs: { x: { shape: [2, 'T', 4] } },
    build: ({ x }) => op.reduceMean(x!, [1], false),
  },
  {
    name: 'ReduceMax / ReduceMin (distinct values)',
    inputs: { x: { shape: [3, 5], gen: distinct(0.1) } },
    build: ({ x }) => op.add(op.reduceMax(x!, [1], false), op.reduceMin(x!, [1], false)),
  },

  // ---- shape ops
  {
    name: 'Reshape and Transpose',
    inputs: { x: { shape: [2, 3, 4] } },
    build: ({ x }) => op.transpose(op.reshape(op.exp(x!), [6, 2, 2]), [2, 0, 1]),
  },
  {
    name: 'Transpose default perm (reverse)',
    inputs: { x: { shape: [2, 3, 4] } },
    build: ({ x }) => g(x!).op1('Transpose', [op.mul(x!, x!)]),
  },
  {
    name: 'Concat three inputs on axis 1',
    inputs: { a: { shape: [2, 1, 3] }, b: { shape: [2, 2, 3] }, c: { shape: [2, 3, 3] } },
    build: ({ a, b, c }) => op.concat([a!, op.mul(b!, b!), c!], 1),
  },
  {
    name: 'Concat along a symbolic axis (run-time split sizes)',
    dims: { S: 3 },
    inputs: { a: { shape: [2, 'S'] }, b: { shape: [2, 2] } },
    build: ({ a, b }) => op.reduceSum(op.mul(op.concat([a!, b!], 1), op.concat([a!, b!], 1)), [1], false),
  },
  {
    name: 'Split into unequal pieces on axis 1, each piece used differently',
    inputs: { x: { shape: [2, 6, 3] } },
    build: ({ x }) => {
      const [a, b, c] = op.split(x!, [1, 2, 3], 1);
      return op.concat([op.mul(a!, a!), op.exp(b!), op.mul(c!, 2)], 1);
    },
  },
  {
    name: 'Split with an unused piece (zeros in its place) on a negative axis',
    inputs: { x: { shape: [2, 3, 4] } },
    build: ({ x }) => {
      const [a, , c] = op.split(x!, [1, 1, 2], -1);
      return op.mul(a!, op.reduceSum(op.mul(c!, c!), [-1], true));
    },
  },
  {
    name: 'Split by num_outputs (no sizes input), first axis',
    inputs: { x: { shape: [4, 3] } },
    build: ({ x }) => {
      const [a, b] = g(x!).op('Split', [x!], { axis: attr.int(0), num_outputs: attr.int(2) }, { outputs: 2 });
      return op.mul(a!, op.exp(b!));
    },
  },
  {
    name: 'Unsqueeze / Squeeze (with and without axes)',
    inputs: { x: { shape: [3, 1, 4] } },
    build: ({ x }) => op.add(op.unsqueeze(op.squeeze(x!, [1]), [0, -1]), op.reshape(g(x!).op1('Squeeze', [op.exp(x!)]), [1, 3, 4, 1])),
  },
  {
    name: 'Expand [3,1] -> [2,3,4]',
    inputs: { x: { shape: [3, 1] } },
    build: ({ x }) => op.expand(x!, [2, 3, 4]),
  },
  {
    name: 'Slice step 1, negative start/end (Pad path)',
    inputs: { x: { shape: [4, 6] } },
    build: ({ x }) => op.slice(x!, [1, -4], [3, -1], [0, 1]),
  },
  {
    name: 'Slice step -1 (reverse, Pad path)',
    inputs: { x: { shape: [3, 5] } },
    build: ({ x }) => op.slice(x!, [-2], [-Number.MAX_SAFE_INTEGER], [1], [-1]),
  },
  {
    name: 'Slice steps 2 and -2 (scatter path)',
    inputs: { x: { shape: [5, 7] } },
    build: ({ x }) => op.slice(x!, [0, 6], [5, 0], [0, 1], [2, -2]),
  },
  {
    name: 'Slice of a symbolic batch (next-token shift along T)',
    dims: { B: 2 },
    inputs: { x: { shape: ['B', 5, 3] } },
    build: ({ x }) => op.slice(x!, [0], [-1], [1]),
  },
  {
    name: 'Trilu (lower, k = -1)',
    inputs: { x: { shape: [2, 4, 4] } },
    build: ({ x }) => g(x!).op1('Trilu', [x!, op.constant(g(x!), 'int64', [], [-1])], { upper: attr.int(0) }),
  },

  // ---- indexing
  {
    name: 'Gather axis 0 (embedding, repeated and negative ids)',
    inputs: { table: { shape: [5, 3] }, ids: { shape: [2, 4], int: { low: -5, high: 5, values: [0, 1, 1, 4, -1, 2, 0, 0] } } },
    build: ({ table, ids }) => op.gather(table!, ids!),
  },
  {
    name: 'Gather axis 1 with int32 indices',
    inputs: { x: { shape: [2, 5, 3] }, ids: { shape: [4], int: { low: 0, high: 5, dtype: 'int32', values: [3, 0, 3, -2] } } },
    build: ({ x, ids }) => op.gather(x!, ids!, 1),
  },
  {
    name: 'GatherElements axis 1 (repeated indices)',
    inputs: { x: { shape: [3, 4] }, ids: { shape: [3, 5], int: { low: 0, high: 4 } } },
    build: ({ x, ids }) => op.gatherElements(x!, ids!, 1),
  },

  // ---- normalizations and softmax
  { name: 'Softmax axis -1', inputs: { x: { shape: [2, 3, 4], gen: uniform(-2, 2) } }, build: ({ x }) => op.softmax(x!, -1) },
  { name: 'Softmax axis 1', inputs: { x: { shape: [2, 3, 4], gen: uniform(-2, 2) } }, build: ({ x }) => op.softmax(x!, 1) },
  { name: 'LogSoftmax axis -1', inputs: { x: { shape: [2, 3, 4], gen: uniform(-2, 2) } }, build: ({ x }) => op.logSoftmax(x!, -1) },
  {
    name: 'LayerNormalization with scale and bias',
    inputs: { x: { shape: [2, 3, 5], gen: uniform(-2, 2) }, w: { shape: [5], gen: uniform(0.5, 1.5) }, b: { shape: [5] } },
    build: ({ x, w, b }) => op.layerNorm(x!, w!, b!, 1e-5),
  },
  {
    name: 'LayerNormalization axis 1 over [3, 4], no bias',
    inputs: { x: { shape: [2, 3, 4], gen: uniform(-2, 2) }, w: { shape: [3, 4], gen: uniform(0.5, 1.5) } },
    build: ({ x, w }) => g(x!).op1('LayerNormalization', [x!, w!], { axis: attr.int(1), epsilon: attr.float(1e-5) }),
  },
  {
    name: 'RMSNormalization',
    inputs: { x: { shape: [2, 3, 5], gen: uniform(-2, 2) }, w: { shape: [5], gen: uniform(0.5, 1.5) } },
    build: ({ x, w }) => op.rmsNorm(x!, w!, 1e-5),
  },

  // ---- cross-entropy
  {
    name: 'SoftmaxCrossEntropyLoss mean [N, C]',
    inputs: { s: { shape: [4, 5], gen: uniform(-2, 2) }, y: { shape: [4], int: { low: 0, high: 5 } } },
    build: ({ s, y }) => sceLoss(s!, y!, undefined, { reduction: attr.string('mean') })[0]!,
  },
  {
    name: 'SoftmaxCrossEntropyLoss mean [N, C, d] with ignore_index and class weights',
    inputs: {
      s: { shape: [2, 4, 3], gen: uniform(-2, 2) },
      y: { shape: [2, 3], int: { low: 0, high: 4, values: [1, -100, 3, 0, 0, -100] } },
      w: { shape: [4], gen: uniform(0.5, 2), constant: true },
    },
    build: ({ s, y, w }) => sceLoss(s!, y!, w!, { reduction: attr.string('mean'), ignore_index: attr.int(-100) })[0]!,
  },
  {
    name: 'SoftmaxCrossEntropyLoss sum with ignore_index',
    inputs: { s: { shape: [5, 3], gen: uniform(-2, 2) }, y: { shape: [5], int: { low: 0, high: 3, values: [2, 1, 7, 0, 7] } } },
    build: ({ s, y }) => sceLoss(s!, y!, undefined, { reduction: attr.string('sum'), ignore_index: attr.int(7) })[0]!,
  },
  {
    name: 'SoftmaxCrossEntropyLoss none, plus its log_prob output',
    inputs: { s: { shape: [3, 4], gen: uniform(-2, 2) }, y: { shape: [3], int: { low: 0, high: 4 } } },
    build: ({ s, y }) => {
      const [loss, logp] = sceLoss(s!, y!, undefined, { reduction: attr.string('none') }, 2);
      return op.add(op.unsqueeze(loss!, [1]), op.mul(logp!, 0.5));
    },
  },

  // ---- composition
  {
    name: 'tiny decoder block (embedding, RMSNorm, causal attention, GELU MLP, CE with ignore_index)',
    inputs: {
      ids: { shape: [2, 3], int: { low: 0, high: 6 } },
      labels: { shape: [2, 3], int: { low: 0, high: 6, values: [1, 5, -100, 0, 2, 4] } },
      embed: { shape: [6, 4] },
      norm1: { shape: [4], gen: uniform(0.5, 1.5) },
      wqkv: { shape: [4, 12] },
      wo: { shape: [4, 4] },
      norm2: { shape: [4], gen: uniform(0.5, 1.5) },
      wi: { shape: [4, 8] },
      wo2: { shape: [8, 4] },
      head: { shape: [4, 6] },
    },
    build: (x) => tinyDecoder(x),
  },
];
