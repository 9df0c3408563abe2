// Every builder op through a real ORT session (serialize -> InferenceSession -> run), compared
// with the plain TypeScript reference on fresh random inputs, in float32 and float64. Also keeps
// runtime/float64-support.ts honest: the float64 failures seen here must equal the table.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph, tensorData, type DType, type TensorData } from './ir';
import { compile } from './runtime';
import { FLOAT64_UNSUPPORTED, FLOAT64_VERIFIED } from './runtime/float64-support';
import { OP_CASES, type InputKind, type OpCase } from './testing/op-cases';
import { nd, type Nd } from './testing/ref';
import { Rng } from '../train/rng';

const seed = Number(process.env['TEST_SEED'] ?? Date.now() % 1e9);

function feedFor(kind: InputKind, shape: number[], dtype: DType, rng: Rng): TensorData {
  if (typeof kind === 'object') return kind;
  const n = shape.reduce((a, b) => a * b, 1);
  if (kind === 'b') return tensorData('bool', shape, Array.from({ length: n }, () => rng.int(2)));
  if (kind.startsWith('int:')) return tensorData('int64', shape, Array.from({ length: n }, () => rng.int(Number(kind.slice(4)))));
  const draw = kind === 'n' ? () => rng.normal() : kind === 'p' ? () => 0.5 + 1.5 * rng.uniform() : () => -0.9 + 1.8 * rng.uniform();
  return tensorData(dtype, shape, Array.from({ length: n }, draw));
}

async function runCase(c: OpCase, dtype: 'float32' | 'float64', rng: Rng): Promise<{ got: Nd; want: Nd } | { unsupported: string }> {
  const g = new Graph(c.name.replace(/\W+/g, '_'));
  const feeds: Record<string, TensorData> = {};
  const xs = c.inputs.map(([shape, kind], i) => {
    const t = feedFor(kind, shape, dtype, rng);
    feeds[`x${i}`] = t;
    return g.input(`x${i}`, t.dtype, shape);
  });
  const y = c.build(xs, g);
  g.output(y, 'y');
  let m;
  try {
    m = await compile(g, { device: 'cpu', threads: 1 });
  } catch (e) {
    const msg = (e as Error).message;
    if (/Could not find an implementation|NOT_IMPLEMENTED/.test(msg)) return { unsupported: msg };
    throw e;
  }
  try {
    const out = (await m.run(feeds))['y']!;
    // The static shape the builder inferred must match what ORT produced.
    if (y.shape && y.shape.every((d) => typeof d === 'number')) assert.deepEqual(out.shape, y.shape, `${c.name}: inferred shape`);
    // The reference sees exactly the values fed (float32-rounded for float32).
    const want = c.ref(c.inputs.map((_, i) => nd(feeds[`x${i}`]!.shape, feeds[`x${i}`]!.data)));
    return { got: nd(out.shape, out.data), want };
  } finally {
    await m.release();
  }
}

function assertClose(got: Nd, want: Nd, rel: number, what: string): void {
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  for (let i = 0; i < want.data.length; i++) {
    const a = got.data[i]!;
    const b = want.data[i]!;
    if (!(Math.abs(a - b) <= rel * (1 + Math.abs(b)))) assert.fail(`${what}: element ${i} is ${a}, reference ${b} (tolerance ${rel}, seed ${seed})`);
  }
}

test(`every builder op matches the TypeScript reference through ORT (seed ${seed})`, async () => {
  const rng = new Rng(seed);
  const f64Missing = new Set<string>();
  const f64Ran = new Set<string>();
  for (const c of OP_CASES) {
    for (const dtype of ['float32', 'float64'] as const) {
      const r = await runCase(c, dtype, rng);
      if ('unsupported' in r) {
        assert.equal(dtype, 'float64', `${c.name} has no float32 kernel: ${r.unsupported}`);
        f64Missing.add(c.op);
        continue;
      }
      if (dtype === 'float64') f64Ran.add(c.op);
      const tol = dtype === 'float32' ? (c.approx ? 2e-5 : 1e-5) : c.approx ? 1e-7 : 1e-12;
      assertClose(r.got, r.want, tol, `${c.name} ${dtype}`);
    }
  }
  assert.deepEqual([...f64Missing].sort(), [...FLOAT64_UNSUPPORTED].sort(), 'runtime/float64-support.ts is out of date with what ORT runs');
  for (const op of FLOAT64_VERIFIED) assert.ok(f64Ran.has(op) && !f64Missing.has(op), `${op} is listed as float64-verified but did not run in float64 here`);
});
