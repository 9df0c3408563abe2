import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onnx } from 'onnx-proto';
import { attr, Graph, tensorData } from './ir';
import { add, constant, matmul, range, dimOf, constantOfShape, shapeOf, split } from './ops';
import { DEFAULT_IR_VERSION, toModelProto } from './serialize';

test('ModelProto carries IR version, opsets, typed inputs with dim_param and raw little-endian initializers', () => {
  const g = new Graph('m');
  const x = g.input('x', 'float32', ['B', 2]);
  const w = g.initializer('w', tensorData('float32', [2, 2], [1, -2, 3.5, 4]));
  constant(g, 'float64', [], [7]); // interned but unused: not shipped
  g.output(add(matmul(x, w), 1), 'y');
  g.op1('FusedMatMul', [x, w], { alpha: attr.float(1) }, { domain: 'com.microsoft' });
  const m = onnx.ModelProto.decode(toModelProto(g, { producer: 'test' }));
  assert.equal(Number(m.irVersion), DEFAULT_IR_VERSION);
  assert.equal(m.producerName, 'test');
  assert.deepEqual(
    m.opsetImport.map((o) => [o.domain, Number(o.version)]),
    [['', 23], ['com.microsoft', 1]],
  );
  const input = m.graph!.input![0]!;
  assert.equal(input.name, 'x');
  assert.equal(input.type!.tensorType!.elemType, 1);
  assert.deepEqual(input.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue)), ['B', 2]);
  assert.deepEqual(m.graph!.initializer!.map((t) => t.name!.replace(/\d+$/, '#')), ['w', 'const_float32_#']);
  const wt = m.graph!.initializer![0]!;
  assert.deepEqual(wt.dims!.map(Number), [2, 2]);
  assert.deepEqual(Array.from(new Float32Array(new Uint8Array(wt.rawData!).buffer)), [1, -2, 3.5, 4]);
  assert.equal(m.graph!.output![0]!.name, 'y');
});

test('attributes keep their ONNX types, omitted optional inputs become empty names', () => {
  const g = new Graph();
  const x = g.input('x', 'float32', [3]);
  const n = g.op1('Custom', [x, undefined, x], {
    i: attr.int(-3), f: attr.float(0.5), s: attr.string('tanh'), is: attr.ints([1, -1]), fs: attr.floats([0.25]), ss: attr.strings(['a', 'b']),
    t: attr.tensor(tensorData('int64', [2], [5, -6])),
  });
  g.output(n);
  g.op1('Clip', [x, undefined, constant(g, 'float32', [], [1])]);
  const node = onnx.ModelProto.decode(toModelProto(g)).graph!.node!;
  const T = onnx.AttributeProto.AttributeType;
  const a = Object.fromEntries(node[0]!.attribute!.map((x) => [x.name, x]));
  assert.equal(a['i']!.type, T.INT);
  assert.equal(Number(a['i']!.i), -3);
  assert.equal(a['f']!.type, T.FLOAT);
  assert.equal(a['f']!.f, 0.5);
  assert.equal(new TextDecoder().decode(a['s']!.s!), 'tanh');
  assert.deepEqual(a['is']!.ints!.map(Number), [1, -1]);
  assert.deepEqual(a['fs']!.floats, [0.25]);
  assert.deepEqual(a['ss']!.strings!.map((b: Uint8Array) => new TextDecoder().decode(b)), ['a', 'b']);
  assert.equal(a['t']!.t!.dataType, 7);
  assert.deepEqual(Array.from(new BigInt64Array(new Uint8Array(a['t']!.t!.rawData!).buffer)), [5n, -6n]);
  assert.deepEqual(node[0]!.input, ['x', '', 'x']);
  assert.deepEqual(node[1]!.input, ['x', '', 'const_float32_0']);
});

test('shape rules follow Range, ConstantOfShape and Split through symbolic dims', () => {
  const g = new Graph();
  const x = g.input('x', 'float32', ['B', 'T', 8]);
  assert.deepEqual(range(g, 0, dimOf(x, 1)).shape, ['T']);
  assert.deepEqual(range(g, 2, 11, 3).shape, [3]);
  assert.deepEqual(range(g, 0, 1, 0.25, 'float32').shape, [4]);
  assert.deepEqual(constantOfShape(g, shapeOf(x), 0).shape, ['B', 'T', 8]);
  assert.deepEqual(split(x, [3, 5], -1).map((v) => v.shape), [['B', 'T', 3], ['B', 'T', 5]]);
});
