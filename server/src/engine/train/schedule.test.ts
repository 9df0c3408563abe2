import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeSchedule } from './schedule';

test('constant and constant-with-warmup', () => {
  const c = makeSchedule({ kind: 'constant' }, 1e-3);
  assert.equal(c.lrAt(0), 1e-3);
  assert.equal(c.lrAt(1000), 1e-3);
  const w = makeSchedule({ kind: 'constant', warmupSteps: 4 }, 1);
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((s) => w.factor(s)), [0, 0.25, 0.5, 0.75, 1, 1]);
});

test('linear warmup then linear decay matches get_linear_schedule_with_warmup', () => {
  const s = makeSchedule({ kind: 'linear', warmupSteps: 10, totalSteps: 100 }, 2);
  // lambda(step) = step/10 in warmup, then (100 - step) / 90, clamped at 0.
  assert.deepEqual([0, 5, 10, 55, 100, 130].map((x) => s.factor(x)), [0, 0.5, 1, 0.5, 0, 0]);
  assert.equal(s.factor(37), 63 / 90);
  assert.equal(s.lrAt(5), 1);
  // warmup 0: first step is at full rate (max(1, warmup) in the denominator, no division by zero).
  const nw = makeSchedule({ kind: 'linear', warmupSteps: 0, totalSteps: 4 }, 1);
  assert.deepEqual([0, 1, 2, 3, 4].map((x) => nw.factor(x)), [1, 0.75, 0.5, 0.25, 0]);
});

test('cosine decay matches get_cosine_schedule_with_warmup, with and without a min ratio', () => {
  const s = makeSchedule({ kind: 'cosine', warmupSteps: 10, totalSteps: 110 }, 1);
  assert.equal(s.factor(3), 0.3);
  assert.equal(s.factor(10), 1);
  // progress 0.5 -> 0.5 * (1 + cos(pi/2)); progress 0.25 -> 0.5 * (1 + cos(pi/4)).
  assert.equal(s.factor(60), 0.5 * (1 + Math.cos(Math.PI * 0.5)));
  assert.ok(Math.abs(s.factor(60) - 0.5) < 1e-15);
  assert.ok(Math.abs(s.factor(35) - (0.5 + Math.SQRT1_2 / 2)) < 1e-15);
  assert.ok(Math.abs(s.factor(110)) < 1e-15);
  // Past the end with the default half cycle the factor rises again, exactly as transformers does.
  assert.ok(Math.abs(s.factor(135) - (0.5 - Math.SQRT1_2 / 2)) < 1e-15);
  // min_lr_rate: factor * (1 - m) + m (get_cosine_with_min_lr_schedule_with_warmup).
  const m = makeSchedule({ kind: 'cosine', warmupSteps: 0, totalSteps: 100, minLrRatio: 0.1 }, 1e-3);
  assert.equal(m.factor(0), 1);
  assert.ok(Math.abs(m.factor(100) - 0.1) < 1e-15);
  assert.ok(Math.abs(m.factor(50) - 0.55) < 1e-15);
  assert.ok(Math.abs(m.lrAt(50) - 0.55e-3) < 1e-18);
});

test('bad schedule configs are refused with the reason', () => {
  assert.throws(() => makeSchedule({ kind: 'linear', warmupSteps: -1, totalSteps: 10 }, 1), /warmupSteps must be an integer >= 0/);
  assert.throws(() => makeSchedule({ kind: 'cosine', warmupSteps: 0, totalSteps: 0 }, 1), /totalSteps/);
  assert.throws(() => makeSchedule({ kind: 'constant' }, Number.NaN), /learning rate/);
  assert.throws(() => makeSchedule({ kind: 'cosine', warmupSteps: 0, totalSteps: 5, minLrRatio: 2 }, 1), /minLrRatio/);
});
