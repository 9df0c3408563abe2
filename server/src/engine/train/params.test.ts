import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParameterSet, init } from './params';
import { Rng } from './rng';

function build(seed: number): ParameterSet {
  const rng = new Rng(seed);
  const ps = new ParameterSet();
  ps.add('w', init.normal([4, 3], rng, 0.02));
  ps.add('b', init.zeros([3]));
  ps.add('g', init.ones([3]));
  ps.add('u', init.uniform([5], rng, -1, 1));
  return ps;
}

test('parameters keep insertion order, count elements and init deterministically', () => {
  const ps = build(5);
  assert.deepEqual(ps.names(), ['w', 'b', 'g', 'u']);
  assert.equal(ps.count(), 12 + 3 + 3 + 5);
  assert.deepEqual(Array.from(ps.get('g').data as Float32Array), [1, 1, 1]);
  assert.deepEqual(ps.get('w').data, build(5).get('w').data);
  assert.notDeepEqual(ps.get('w').data, build(6).get('w').data);
  for (const x of ps.get('u').data as Float32Array) assert.ok(x >= -1 && x < 1);
});

test('clone is deep and set checks shape and dtype', () => {
  const ps = build(1);
  const c = ps.clone();
  (c.get('w').data as Float32Array)[0] = 99;
  assert.notEqual((ps.get('w').data as Float32Array)[0], 99);
  assert.throws(() => ps.set('b', init.zeros([4])), /cannot replace float32\[3\] with float32\[4\]/);
  assert.throws(() => ps.add('w', init.zeros([1])), /already defined/);
  assert.throws(() => ps.get('nope'), /no parameter "nope"/);
});

test('initializers refuse a non-finite std or bound instead of producing NaN weights', () => {
  const rng = new Rng(1);
  assert.throws(() => init.normal([2, 2], rng, Number.NaN), /init\.normal: std is NaN/);
  assert.throws(() => init.uniform([2], rng, 0, Number.POSITIVE_INFINITY), /init\.uniform: hi is Infinity/);
});
