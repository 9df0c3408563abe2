import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ema, emaDebiased } from './ema';

test('debiased EMA equals TensorBoard’s formula step by step', () => {
  const xs = [1, 2, 3, 10, -4, 0.5];
  const w = 0.6;
  let last = 0;
  const want = xs.map((x, i) => {
    last = last * w + (1 - w) * x;
    return last / (1 - w ** (i + 1));
  });
  const got = emaDebiased(xs, w);
  got.forEach((g, i) => assert.ok(Math.abs(g - want[i]!) < 1e-12, `${i}: ${g} vs ${want[i]}`));
  assert.equal(got[0], 1, 'debiasing: the first value is the first point, not (1-w)·x');
});

test('non-finite values are skipped and do not count toward the debiasing', () => {
  const got = emaDebiased([2, NaN, Infinity, 4], 0.5);
  assert.ok(Number.isNaN(got[1]!) && Number.isNaN(got[2]!));
  // As if the series were [2, 4]: last = 0.5*1 + 0.5*4 = 2.5 (after 1 then) -> (0.5*1+2)/(1-0.25)
  assert.ok(Math.abs(got[3]! - (0.5 * 1 + 0.5 * 4) / (1 - 0.25)) < 1e-12);
});

test('weight 0 returns the raw values; a constant stays constant at any weight', () => {
  assert.deepEqual(emaDebiased([3, 1, 4], 0), [3, 1, 4]);
  for (const w of [0.1, 0.6, 0.99]) for (const v of emaDebiased(new Array(50).fill(-7), w)) assert.ok(Math.abs(v + 7) < 1e-9);
  assert.throws(() => new Ema(1), /\[0, 1\)/);
});
