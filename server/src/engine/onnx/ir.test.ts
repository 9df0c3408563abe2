import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph } from './ir';
import { add, matmul, reduceSum, reshape, transpose, onesLike, unsqueeze, concat, slice, gather } from './ops';

test('shape inference follows broadcasting, matmul and reductions with symbolic dims', () => {
  const g = new Graph();
  const x = g.input('x', 'float32', ['B', 'T', 16]);
  const w = g.input('w', 'float32', [16, 32]);
  const b = g.input('b', 'float32', [32]);
  const y = add(matmul(x, w), b);
  assert.deepEqual(y.shape, ['B', 'T', 32]);
  assert.deepEqual(reduceSum(y, [1], false).shape, ['B', 32]);
  assert.deepEqual(reduceSum(y, [-1]).shape, ['B', 'T', 1]);
  assert.deepEqual(transpose(y, [0, 2, 1]).shape, ['B', 32, 'T']);
  assert.deepEqual(reshape(y, [0, 0, 4, 8]).shape, ['B', 'T', 4, 8]);
  assert.deepEqual(unsqueeze(b, [0, 1]).shape, [1, 1, 32]);
  assert.deepEqual(onesLike(y).shape, ['B', 'T', 32]);
  assert.deepEqual(concat([w, w], 1).shape, [16, 64]);
  assert.deepEqual(slice(w, [2], [10], [0]).shape, [8, 32]);
  const ids = g.input('ids', 'int64', ['B', 'T']);
  assert.deepEqual(gather(w, ids).shape, ['B', 'T', 32]);
});

test('incompatible concrete shapes are refused with both shapes named', () => {
  const g = new Graph();
  const a = g.input('a', 'float32', [3, 4]);
  const c = g.input('c', 'float32', [5]);
  assert.throws(() => add(a, c), /cannot broadcast shapes \[3, 4\] and \[5\]/);
});

test('values get unique names and inputs must be unique', () => {
  const g = new Graph();
  g.input('x', 'float32', [2]);
  assert.throws(() => g.input('x', 'float32', [2]), /already used/);
  assert.equal(g.uniqueName('x'), 'x_1');
});

test('Reshape with -1 over several symbolic dims names their product', () => {
  const g = new Graph();
  const x = g.input('x', 'float32', ['B', 'T', 64]);
  assert.deepEqual(reshape(x, [-1, 64]).shape, ['B*T', 64]);
  assert.deepEqual(reshape(x, [-1, 16]).shape, ['4*B*T', 16]);
  assert.deepEqual(reshape(x, [0, -1]).shape, ['B', '64*T']);
  assert.equal(reshape(x, [-1, 48]).shape, undefined); // 64 is not a multiple of 48: unknown, never a guess
});
