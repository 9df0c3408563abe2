import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataOrder } from './data-order';

test('every prompt once per epoch, a new order each epoch, same seed same order', () => {
  const a = DataOrder.start(10, 7);
  const e0 = a.take(10);
  const e1 = a.take(10);
  assert.deepEqual([...e0].sort((x, y) => x - y), [...Array(10).keys()]);
  assert.deepEqual([...e1].sort((x, y) => x - y), [...Array(10).keys()]);
  assert.notDeepEqual(e0, e1);
  assert.deepEqual(DataOrder.start(10, 7).take(20), [...e0, ...e1]);
  assert.notDeepEqual(DataOrder.start(10, 8).take(10), e0);
});

test('a restored state continues exactly where the original was', () => {
  const a = DataOrder.start(7, 3);
  a.take(5);
  const saved = a.snapshot();
  const rest = a.take(12);
  const b = new DataOrder(7, saved);
  assert.deepEqual(b.take(12), rest);
  assert.equal(b.epochProgress, a.epochProgress);
});

test('an empty dataset is refused with a message', () => {
  assert.throws(() => DataOrder.start(0, 1), /no prompts/);
});
