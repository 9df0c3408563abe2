import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from './rng';

test('same seed gives the same stream; different seeds differ', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const c = new Rng(43);
  const xa = Array.from({ length: 8 }, () => a.nextUint32());
  assert.deepEqual(xa, Array.from({ length: 8 }, () => b.nextUint32()));
  assert.notDeepEqual(xa, Array.from({ length: 8 }, () => c.nextUint32()));
});

test('a saved state resumes the exact stream', () => {
  const r = new Rng(7);
  for (let i = 0; i < 100; i++) r.normal();
  const saved = JSON.parse(JSON.stringify(r.state()));
  const expected = Array.from({ length: 10 }, () => r.uniform());
  const resumed = Rng.fromState(saved);
  assert.deepEqual(Array.from({ length: 10 }, () => resumed.uniform()), expected);
  assert.throws(() => Rng.fromState([1, 2, 3] as never), /four unsigned 32-bit/);
  assert.throws(() => Rng.fromState([0, 0, 0, 0]), /all-zero/);
});

test('uniform and normal have the right moments', () => {
  const r = new Rng(1);
  const n = 200_000;
  let su = 0;
  let sn = 0;
  let sn2 = 0;
  for (let i = 0; i < n; i++) {
    const u = r.uniform();
    assert.ok(u >= 0 && u < 1);
    su += u;
    const z = r.normal();
    sn += z;
    sn2 += z * z;
  }
  assert.ok(Math.abs(su / n - 0.5) < 0.005, `uniform mean ${su / n}`);
  assert.ok(Math.abs(sn / n) < 0.01, `normal mean ${sn / n}`);
  assert.ok(Math.abs(sn2 / n - 1) < 0.015, `normal variance ${sn2 / n}`);
});

test('shuffle is a permutation and int stays in range', () => {
  const r = new Rng(3);
  const xs = r.shuffle(Array.from({ length: 50 }, (_, i) => i));
  assert.deepEqual([...xs].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
  for (let i = 0; i < 1000; i++) {
    const k = r.int(5);
    assert.ok(k >= 0 && k < 5 && Number.isInteger(k));
  }
});
