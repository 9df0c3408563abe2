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
