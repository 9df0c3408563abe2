import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph, tensorData } from './ir';
import { add, matmul, softmax } from './ops';
import { dump, dumpAround } from './dump';

test('dump shows inputs, initializer summary, one line per node with shapes and attributes', () => {
  const g = new Graph('tiny');
  const x = g.input('x', 'float32', ['B', 4]);
  const w = g.initializer('w', tensorData('float32', [4, 3], new Array(12).fill(0.5)));
  const h = add(matmul(x, w), 1);
  g.output(softmax(h, -1), 'p');
  const text = dump(g);
  assert.match(text, /^graph tiny \(opset 23\)$/m);
  assert.match(text, /^ {2}%x: float32\[B, 4\]$/m);
  assert.match(text, /^initializers: 1 tensors, 12 elements \(48 B\)$/m);
  assert.match(text, /= MatMul\(%x, %w\)$/m);
  assert.match(text, /: float32\[B, 3\] = Add\(%matmul_\d+, \{1\}\)$/m);
  assert.match(text, /= Softmax\(%add_\d+\) \{axis=-1\}$/m);
  assert.match(text, /^outputs:\n {2}%p: float32\[B, 3\]$/m);
  const matmulNode = g.nodes[0]!.name;
  assert.match(dumpAround(g, matmulNode)!, /^>> %matmul_\d+: float32\[B, 3\] = MatMul/);
  assert.equal(dumpAround(g, 'nope'), undefined);
});
