// The traversal's contract, checked on exact values through ORT: fan-out, stop-gradient, markers,
// tie behaviour, seeds, path pruning, run-time broadcasting reduction and its errors.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph, tensorData, type TensorData, type Value } from '../../server/src/engine/onnx/ir';
import * as op from '../../server/src/engine/onnx/ops';
import { gradients, markNotDifferentiable, reduceToShape, registerGradient, stopGradient } from '../../server/src/engine/onnx/autodiff';
import { compile } from '../../server/src/engine/onnx/runtime';

/** Compiles g with the given outputs and runs it once; returns each output as plain numbers. */
async function run(g: Graph, outputs: Value[], feeds: Record<string, TensorData>): Promise<number[][]> {
  const names = outputs.map((v, i) => g.output(v, `out_${i}`).name);
  const m = await compile(g, { device: 'cpu', threads: 1 });
  try {
    const res = await m.run(feeds);
    return names.map((n) => Array.from(res[n]!.data as Float64Array | Float32Array, Number));
  } finally {
    await m.release();
  }
}

const f64 = (shape: number[], values: number[]) => tensorData('float64', shape, values);
// Softsign and Selu have no ORT CPU float64 kernels; those tests use float32 (values below are exact in it).
const f32 = (shape: number[], values: number[]) => tensorData('float32', shape, values);

test('fan-out: contributions of every consumer are summed', async () => {
  const g = new Graph();
  const x = g.input('x', 'float64', [3]);
  // y = 2x + 3x + x*x  ->  dy/dx = 5 + 2x
  const y = op.reduceSum(op.add(op.add(op.mul(x, 2), op.mul(x, 3)), op.mul(x, x)), undefined, false);
  const [dx] = gradients(y, [x]);
  const [out] = await run(g, [dx!], { x: f64([3], [1, -2, 0.5]) });
  assert.deepEqual(out, [7, 1, 6]);
});

test('stopGradient: identity forward, constant backward', async () => {
  const g = new Graph();
  const x = g.input('x', 'float64', [3]);
  const s = stopGradient(x);
  const loss = op.reduceSum(op.mul(x, s), undefined, false); // d/dx = s = x, not 2x
  const onlyStopped = op.reduceSum(op.exp(s), undefined, false);
  const [dx] = gradients(loss, [x]);
  const [dz] = gradients(onlyStopped, [x]);
  const [l, a, z] = await run(g, [loss, dx!, dz!], { x: f64([3], [1, 2, 3]) });
  assert.deepEqual(l, [14]);
  assert.deepEqual(a, [1, 2, 3]);
  assert.deepEqual(z, [0, 0, 0]);
});

test('a missing rule names the op and node and says what to do; markers and custom rules fix it', async () => {
  const g = new Graph();
  const x = g.input('x', 'float32', [2]);
  const y = g.op1('Softsign', [x]);
  const loss = op.reduceSum(y, undefined, false);
  assert.throws(() => gradients(loss, [x]), (e: Error) => {
    assert.match(e.message, /no gradient rule for op "Softsign" \(node "Softsign_\d+"\)/);
    assert.match(e.message, /registerGradient\('Softsign', rule\)/);
    assert.match(e.message, /stopGradient\(\)|markNotDifferentiable\('Softsign'\)/);
    return true;
  });

  // A rule registered by the user: softsign'(x) = 1 / (1 + |x|)^2.
  registerGradient('Softsign', (node, [dy]) => {
    const d = op.add(op.abs(node.inputs[0]!), 1);
    return [dy ? op.div(dy, op.mul(d, d)) : undefined];
  });
  const [dx] = gradients(loss, [x]);
  const [out] = await run(g, [dx!], { x: f32([2], [1, -3]) });
  assert.deepEqual(out, [0.25, 1 / 16]);
});

test('not-differentiable markers: built-in (Floor, ArgMax, loss weights) and user-declared', async () => {
  const g = new Graph();
  const x = g.input('x', 'float32', [4]);
  const w = g.input('w', 'float32', [4]);
  // Floor is piecewise constant: d/dx [floor(x) * x] = floor(x).
  const a = op.reduceSum(op.mul(g.op1('Floor', [x]), x), undefined, false);
  // ArgMax gives an int index; the gather through it still differentiates x.
  const idx = g.op1('ArgMax', [x], { axis: { type: 'int', value: 0 }, keepdims: { type: 'int', value: 0 } });
  const b = op.gather(x, idx);
  // User-declared: treat Selu as constant.
  markNotDifferentiable('Selu');
  const c = op.reduceSum(g.op1('Selu', [op.mul(x, w)]), undefined, false);
  const loss = op.add(op.add(a, op.mul(b, 10)), c);
  const [dx, dw] = gradients(loss, [x, w]);
  const [gx, gw] = await run(g, [dx!, dw!], { x: f32([4], [1.5, -0.5, 2.25, 0.75]), w: f32([4], [1, 1, 1, 1]) });
  assert.deepEqual(gx, [1, -1, 12, 0]);
  assert.deepEqual(gw, [0, 0, 0, 0]);
});

test('class weights of SoftmaxCrossEntropyLoss are marked constant: their gradient is zeros', async () => {
  const g = new Graph();
  const s = g.input('s', 'float64', [2, 3]);
  const y = g.input('y', 'int64', [2]);
  const cw = g.input('cw', 'float64', [3]);
  const loss = g.op1('SoftmaxCrossEntropyLoss', [s, y, op.mul(cw, 2)], { reduction: { type: 'string', value: 'sum' } });
  const [ds, dcw] = gradients(loss, [s, cw]);
  const [gs, gcw] = await run(g, [ds!, dcw!], { s: f64([2, 3], [0, 0, 0, 0, 0, 0]), y: tensorData('int64', [2], [2, 0]), cw: f64([3], [1, 1, 0.5]) });
  // softmax of zeros is 1/3; weight of class 2 is 1, of class 0 is 2.
  assert.deepEqual(gs!.map((v) => Math.round(v * 1e12) / 1e12), [1 / 3, 1 / 3, -2 / 3, -4 / 3, 2 / 3, 2 / 3].map((v) => Math.round(v * 1e12) / 1e12));
  assert.deepEqual(gcw, [0, 0, 0]);
});

test('ties: Max splits evenly, ReduceMax splits among maxima, Clip bounds are inclusive, Relu(0) gets 0', async () => {
  const g = new Graph();
  const a = g.input('a', 'float64', [3]);
  const b = g.input('b', 'float64', [3]);
  const m = op.reduceSum(op.max(a, b), undefined, false);
  const r = op.reduceMax(a, [0], false);
  const c = op.reduceSum(op.clip(b, 0, 2), undefined, false);
  const z = op.reduceSum(op.relu(op.sub(b, 2)), undefined, false);
  const [dmA, dmB] = gradients(m, [a, b]);
  const [drA] = gradients(r, [a]);
  const [dcB] = gradients(c, [b]);
  const [dzB] = gradients(z, [b]);
  const out = await run(g, [dmA!, dmB!, drA!, dcB!, dzB!], { a: f64([3], [1, 3, 3]), b: f64([3], [1, 0, 2]) });
  assert.deepEqual(out, [
    [0.5, 1, 1],
    [0.5, 0, 0],
    [0, 0.5, 0.5],
    [1, 1, 1],
    [0, 0, 0],
  ]);
});

test('seed: vector-Jacobian product of a non-scalar output; zeros for values the loss ignores', async () => {
  const g = new Graph();
  const x = g.input('x', 'float64', [2, 2]);
  const v = g.input('v', 'float64', [2, 2]);
  const unrelated = g.input('u', 'float64', [3]);
  const y = op.mul(x, x);
  const [dx, du] = gradients(y, [x, unrelated], { seed: v });
  const [gx, gu] = await run(g, [dx!, du!], { x: f64([2, 2], [1, 2, 3, 4]), v: f64([2, 2], [1, 0, -1, 0.5]), u: f64([3], [7, 8, 9]) });
  assert.deepEqual(gx, [2, 0, -6, 4]);
  assert.deepEqual(gu, [0, 0, 0]);
  assert.deepEqual(du!.shape, [3]);
});

test('only nodes between wrt and loss are differentiated (off-path ops need no rule)', () => {
  const g = new Graph();
  const x = g.input('x', 'float64', [3]);
  const c = g.input('c', 'float64', [3]);
  const offPath = g.op1('Mish', [x]); // depends on x but not used by the loss; Mish has no rule
  g.output(offPath, 'side');
  const constBranch = g.op1('Softplus', [c]); // feeds the loss but does not depend on x
  const loss = op.reduceSum(op.add(op.mul(x, x), constBranch), undefined, false);
  const before = g.nodes.length;
  const [dx] = gradients(loss, [x]);
  assert.ok(dx);
  const emitted = g.nodes.slice(before).map((n) => n.op);
  assert.ok(!emitted.includes('Softplus') && !emitted.includes('Mish'), `unexpected gradient nodes: ${emitted.join(', ')}`);
  assert.ok(emitted.length <= 6, `emitted ${emitted.length} nodes: ${emitted.join(', ')}`);
});

test('reduceToShape: static sums, run-time sums for unprovable symbolic dims, clear errors', async () => {
  const g = new Graph();
  const grad = g.input('grad', 'float64', [3, 4]);
  const t = g.input('t', 'float64', ['N', 4]);
  assert.deepEqual(reduceToShape(grad, [4]).shape, [4]);
  assert.deepEqual(reduceToShape(grad, [1, 4]).shape, [1, 4]);
  assert.deepEqual(reduceToShape(grad, [3, 1]).shape, [3, 1]);
  assert.throws(() => reduceToShape(grad, ['N', 4]), /cannot prove which axes.*pass the target value/);
  assert.throws(() => reduceToShape(grad, [2, 4]), /not a broadcast of \[2, 4\]/);
  const scratch = new Graph();
  const unknown = scratch.op1('NoShapeRuleOp', [scratch.input('z', 'float64', [3, 4])]);
  assert.throws(() => reduceToShape(unknown, [4]), /static shapes are unknown/);
  const r = reduceToShape(grad, t);
  assert.deepEqual(r.shape, ['N', 4]);
  const names = [g.output(r, 'r').name];
  const m = await compile(g, { device: 'cpu', threads: 1 });
  try {
    const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    const one = await m.run({ grad: f64([3, 4], values), t: f64([1, 4], [0, 0, 0, 0]) }, names);
    assert.deepEqual(Array.from(one['r']!.data as Float64Array), [15, 18, 21, 24]);
    const three = await m.run({ grad: f64([3, 4], values), t: f64([3, 4], new Array<number>(12).fill(0)) }, names);
    assert.deepEqual(Array.from(three['r']!.data as Float64Array), values);
  } finally {
    await m.release();
  }
});

test('bad requests fail clearly: int wrt, int loss, foreign graph, rule returning a wrong shape', () => {
  const g = new Graph();
  const x = g.input('x', 'float64', [2, 3]);
  const ids = g.input('ids', 'int64', [2]);
  const loss = op.reduceSum(op.mul(x, x), undefined, false);
  assert.throws(() => gradients(loss, [ids]), /cannot differentiate with respect to ids of dtype int64/);
  assert.throws(() => gradients(op.cast(loss, 'int64'), [x]), /must be a float tensor/);
  const other = new Graph().input('y', 'float64', [1]);
  assert.throws(() => gradients(loss, [other]), /belongs to another graph/);
  registerGradient('HardSigmoid', (_node, [dy]) => [dy ? op.reduceSum(dy, [0], true) : undefined]);
  const bad = op.reduceSum(g.op1('HardSigmoid', [x]), undefined, false);
  assert.throws(() => gradients(bad, [x]), /gradient rule for HardSigmoid .* returned .*\[1, 3\] for input 0 \(x: float64\[2, 3\]\): shape differs; this is a bug in the rule/);
});
