import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph, tensorData } from '../ir';
import { add, matmul, reduceSum } from '../ops';
import { toModelProto } from '../serialize';
import { compile, ProviderError } from './index';
import { sessionOptions } from './session-options';

function affine(): Graph {
  const g = new Graph('affine');
  const x = g.input('x', 'float32', ['B', 3]);
  const w = g.initializer('w', tensorData('float32', [3, 2], [1, 2, 3, 4, 5, 6]));
  const y = add(matmul(x, w), 1);
  g.output(y, 'y');
  g.output(reduceSum(y, undefined, false), 'total');
  return g;
}

test('auto lands on cpu here and names why cuda and webgpu were skipped', async () => {
  const m = await compile(affine(), { device: 'auto' });
  try {
    assert.equal(m.provider.provider, 'cpu');
    assert.deepEqual(
      m.provider.skipped.map((s) => s.provider),
      ['cuda', 'webgpu'],
    );
    assert.match(m.provider.skipped[0]!.reason, /shared library|not installed/);
    assert.match(m.provider.skipped[1]!.reason, /adapter/i);
  } finally {
    await m.release();
  }
});

test('explicit cuda and webgpu fail with what failed and what to do', async () => {
  await assert.rejects(compile(affine(), { device: 'cuda' }), (e: unknown) => {
    assert.ok(e instanceof ProviderError);
    assert.match(e.message, /device "cuda" could not start/);
    assert.match(e.message, /ONNXRUNTIME_NODE_INSTALL=cuda12/);
    assert.match(e.message, /"auto" or "cpu"/);
    return true;
  });
  await assert.rejects(compile(affine(), { device: 'webgpu' }), /device "webgpu" could not start: .*adapter.*"auto" or "cpu"/);
  await assert.rejects(compile(affine(), { device: 'tpu' as 'cpu' }), /unknown device "tpu"; use one of: auto, cpu, cuda, webgpu/);
});

test('a symbolic batch dim accepts different sizes across runs', async () => {
  const m = await compile(affine(), { device: 'cpu', threads: 1 });
  try {
    assert.deepEqual(m.inputNames, ['x']);
    assert.deepEqual(m.outputNames, ['y', 'total']);
    for (const B of [1, 4, 7]) {
      const xs = Array.from({ length: B * 3 }, (_, i) => (i % 5) - 2);
      const out = await m.run({ x: tensorData('float32', [B, 3], xs) });
      assert.deepEqual(out['y']!.shape, [B, 2]);
      const expected: number[] = [];
      for (let b = 0; b < B; b++) {
        const r = xs.slice(b * 3, b * 3 + 3);
        expected.push(1 + r[0]! * 1 + r[1]! * 3 + r[2]! * 5, 1 + r[0]! * 2 + r[1]! * 4 + r[2]! * 6);
      }
      assert.deepEqual(Array.from(out['y']!.data as Float32Array), expected);
      assert.equal((out['total']!.data as Float32Array)[0], expected.reduce((a, b) => a + b, 0));
    }
    const only = await m.run({ x: tensorData('float32', [1, 3], [0, 0, 0]) }, ['total']);
    assert.deepEqual(Object.keys(only), ['total']);
  } finally {
    await m.release();
  }
});

test('bad feeds name the input, the expected and the fed shape', async () => {
  const m = await compile(affine(), { device: 'cpu' });
  try {
    await assert.rejects(m.run({}), /missing feed for input "x" \(expected float32\[B, 3\]\)/);
    await assert.rejects(m.run({ x: tensorData('float32', [2, 4], new Array(8).fill(0)) }), /input "x" expects float32\[B, 3\] but was fed float32\[2, 4\]: dim 1 is 4, not 3/);
    await assert.rejects(m.run({ x: tensorData('float64', [2, 3], new Array(6).fill(0)) }), /input "x" expects float32\[B, 3\] but was fed float64\[2, 3\]/);
    await assert.rejects(m.run({ x: tensorData('float32', [6], new Array(6).fill(0)) }), /rank 1 instead of 2/);
    await assert.rejects(m.run({ x: tensorData('float32', [1, 3], [0, 0, 0]), z: tensorData('float32', [1], [0]) }), /feed "z" is not an input of this model; its inputs are: x/);
    await assert.rejects(m.run({ x: tensorData('float32', [1, 3], [0, 0, 0]) }, ['nope']), /"nope" is not an output/);
  } finally {
    await m.release();
  }
});

test('a symbolic dim shared by two inputs must agree', async () => {
  const g = new Graph('pair');
  const a = g.input('a', 'float32', ['N']);
  const b = g.input('b', 'float32', ['N']);
  g.output(add(a, b), 'c');
  const m = await compile(g, { device: 'cpu' });
  try {
    await assert.rejects(m.run({ a: tensorData('float32', [2], [1, 2]), b: tensorData('float32', [3], [1, 2, 3]) }), /dim 0 \(N\) is 3, but N = 2 from "a"/);
  } finally {
    await m.release();
  }
});

test('bytes from toModelProto compile too, with feeds checked from ORT metadata', async () => {
  const m = await compile(toModelProto(affine()), { device: 'cpu' });
  try {
    const out = await m.run({ x: tensorData('float32', [1, 3], [1, 1, 1]) });
    assert.deepEqual(Array.from(out['y']!.data as Float32Array), [10, 13]);
    await assert.rejects(m.run({ x: tensorData('float32', [1, 2], [1, 1]) }), /input "x" expects float32\[B, 3\]/);
  } finally {
    await m.release();
  }
});

test('a model ORT rejects names the node and points to dump()', async () => {
  const g = new Graph('broken');
  const x = g.input('x', 'float32', [2, 3]);
  // MatMul with an int64 operand: a type error ORT reports at load time.
  const w = g.initializer('w', tensorData('int64', [3, 2], [1, 2, 3, 4, 5, 6]));
  g.output(g.op1('MatMul', [x, w]), 'y');
  await assert.rejects(compile(g, { device: 'cpu' }), (e: Error) => {
    assert.match(e.message, /ONNX Runtime rejected the model/);
    assert.match(e.message, /at node MatMul_0:\n>> %matmul_\d+: float32\[2, 2\] = MatMul\(%x, %w\)/);
    assert.match(e.message, /dump\(graph\)/);
    return true;
  });
});

test('runtime/ort.ts is the only module that imports onnxruntime-node', async () => {
  const { readdirSync, readFileSync, statSync } = await import('node:fs');
  const { join, relative } = await import('node:path');
  const root = join(__dirname, '../../../../..');
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      // test/e2e probes the INSTALLED extension's node_modules (a check of the .vsix, not our code).
      if (statSync(p).isDirectory()) {
        if (relative(root, p) !== join('test', 'e2e')) walk(p);
      }
      else if (/\.(ts|mts|js|mjs)$/.test(name) && /(from\s+|import\(|require\()\s*['"]onnxruntime-(node|common|web)['"]/.test(readFileSync(p, 'utf8'))) offenders.push(relative(root, p));
    }
  };
  for (const top of ['server/src', 'client/src', 'webview/src', 'test', 'bench']) {
    try {
      walk(join(root, top));
    } catch {
      // a top-level folder that does not exist yet
    }
  }
  assert.deepEqual(offenders, ['server/src/engine/onnx/runtime/ort.ts']);
});

test('spinning: false turns off intra-op spinning and the model still runs; the default leaves it on', async () => {
  assert.equal(sessionOptions({}).extra, undefined);
  assert.deepEqual(sessionOptions({ spinning: false }).extra, { session: { 'intra_op.allow_spinning': '0' } });
  const m = await compile(affine(), { device: 'cpu', spinning: false });
  try {
    const out = await m.run({ x: tensorData('float32', [1, 3], [1, 0, 0]) });
    assert.deepEqual(Array.from(out['y']!.data as Float32Array), [2, 3]);
  } finally {
    await m.release();
  }
});
