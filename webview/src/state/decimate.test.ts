import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IncrementalBuckets, decimateRange, lowerBound, upperBound } from './decimate';

test('below the bucket budget every point is its own bucket', () => {
  const b = new IncrementalBuckets(100);
  for (let i = 0; i < 50; i++) b.push(i, i * i);
  const out = b.buckets();
  assert.equal(out.length, 50);
  assert.deepEqual(out.map((x) => x.y), Array.from({ length: 50 }, (_, i) => i * i));
  assert.ok(out.every((x) => x.min === x.max && x.x0 === x.x1));
});

test('a 10k-point series keeps at most 2x the budget, and a one-point spike survives in the band', () => {
  const b = new IncrementalBuckets(500);
  for (let i = 0; i < 10_000; i++) b.push(i, i === 7321 ? 1000 : Math.sin(i / 100));
  const out = b.buckets();
  assert.ok(out.length <= 1000 && out.length >= 500, `${out.length} buckets`);
  assert.equal(Math.max(...out.map((x) => x.max)), 1000, 'the spike is the max of its bucket');
  const spike = out.find((x) => x.max === 1000)!;
  assert.ok(spike.x0 <= 7321 && spike.x1 >= 7321);
  assert.ok(spike.y < 1000 / 8, 'the line shows the bucket mean, not the spike');
  // Buckets tile the points in order with no gap or overlap.
  for (let i = 1; i < out.length; i++) assert.ok(out[i]!.x0 > out[i - 1]!.x1);
  assert.equal(out[0]!.x0, 0);
  assert.equal(out.at(-1)!.x1, 9999);
  assert.equal(out.reduce((a, x) => a + x.n, 0), 10_000);
});

test('incremental appends give the same buckets as one pass over the same points', () => {
  const a = new IncrementalBuckets(64);
  const ys = Array.from({ length: 3001 }, (_, i) => ((i * 7919) % 101) - 50);
  ys.forEach((y, i) => a.push(i, y));
  const per = a.pointsPerBucket;
  const ref = decimateRange(Array.from({ length: 3001 }, (_, i) => i), ys, 0, 3000, Math.ceil(3001 / per));
  assert.deepEqual(a.buckets().map((b) => [b.x0, b.x1, b.min, b.max]), ref.map((b) => [b.x0, b.x1, b.min, b.max]));
});

test('NaN values are left out of mean, min and max; an all-NaN bucket is NaN', () => {
  const b = new IncrementalBuckets(2);
  for (const y of [1, NaN, 3, NaN, NaN, NaN, NaN, NaN, NaN]) b.push(b.length, y);
  assert.equal(b.pointsPerBucket, 4);
  const out = b.buckets();
  assert.equal(out[0]!.y, 2);
  assert.equal(out[0]!.n, 2);
  assert.ok(Number.isNaN(out.at(-1)!.y));
});

test('decimateRange covers the zoomed span plus one point either side', () => {
  const xs = Array.from({ length: 1000 }, (_, i) => i * 2);
  const ys = xs.map((x) => x);
  const out = decimateRange(xs, ys, 100, 200, 1000);
  assert.equal(out[0]!.x0, 98);
  assert.equal(out.at(-1)!.x1, 202);
  assert.equal(out.length, 53);
  assert.equal(decimateRange(xs, ys, 5000, 6000, 10).length, 1, 'beyond the data: the last point only');
  assert.equal(lowerBound(xs, 3), 2);
  assert.equal(upperBound(xs, 4), 3);
});
