import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LruCache } from './lru';

test('LRU evicts the least recently used entry; get refreshes', () => {
  const c = new LruCache<string, number>(2);
  c.set('a', 1);
  c.set('b', 2);
  assert.equal(c.get('a'), 1);
  c.set('c', 3);
  assert.equal(c.get('b'), undefined);
  assert.equal(c.get('a'), 1);
  assert.equal(c.get('c'), 3);
  assert.equal(c.size, 2);
  assert.throws(() => new LruCache(0), /positive integer/);
});

test('LRU with a weight budget evicts the oldest entries until the total fits, and refuses an entry heavier than the budget', () => {
  const c = new LruCache<string, number>(100, { maxWeight: 10, weigh: (_k, v) => v });
  c.set('a', 4);
  c.set('b', 4);
  assert.equal(c.weight, 8);
  c.get('a'); // a is now the most recent
  c.set('c', 4); // 12 > 10: b (least recent) goes
  assert.equal(c.get('b'), undefined);
  assert.equal(c.get('a'), 4);
  assert.equal(c.weight, 8);
  c.set('a', 2); // replacing an entry replaces its weight
  assert.equal(c.weight, 6);
  c.set('huge', 11);
  assert.equal(c.get('huge'), undefined, 'heavier than the whole budget: not kept');
  assert.equal(c.size, 2);
  assert.equal(c.weight, 6);
  c.clear();
  assert.equal(c.weight, 0);
  assert.throws(() => new LruCache(1, { maxWeight: 0, weigh: () => 1 }), /maxWeight must be positive/);
});
