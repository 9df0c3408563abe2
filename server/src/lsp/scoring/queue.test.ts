import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CANCELLED, ScoringQueue } from './queue';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('jobs run one at a time, interactive before bulk', async () => {
  const q = new ScoringQueue();
  const order: string[] = [];
  let running = 0;
  const job = (name: string) => async () => {
    running++;
    assert.equal(running, 1, 'never two jobs at once');
    await tick(5);
    order.push(name);
    running--;
    return name;
  };
  const all = [q.submit(job('b1'), 'bulk'), q.submit(job('b2'), 'bulk'), q.submit(job('i1'), 'interactive')];
  assert.deepEqual(await Promise.all(all), ['b1', 'b2', 'i1']);
  assert.deepEqual(order, ['b1', 'i1', 'b2'], 'the hover got in after the running bulk job');
});

test('a waiting job cancelled by its caller resolves CANCELLED at once and never runs', async () => {
  const q = new ScoringQueue();
  let ran = false;
  const slow = q.submit(() => tick(100).then(() => 'slow'), 'bulk');
  const c = new AbortController();
  const waiting = q.submit(async () => {
    ran = true;
    return 'never';
  }, 'interactive', c.signal);
  const t0 = performance.now();
  c.abort();
  assert.equal(await waiting, CANCELLED);
  assert.ok(performance.now() - t0 < 50, 'did not wait for the running job');
  assert.equal(await slow, 'slow');
  assert.equal(ran, false);
  assert.equal(q.pending, 0);
});

test('a running job sees its signal abort; an AbortError becomes CANCELLED, other errors propagate', async () => {
  const q = new ScoringQueue();
  const c = new AbortController();
  let sawAbort = false;
  const running = q.submit(
    (signal) =>
      new Promise((_, reject) => {
        signal.addEventListener('abort', () => {
          sawAbort = true;
          reject(Object.assign(new Error('stop'), { name: 'AbortError' }));
        });
      }),
    'bulk',
    c.signal,
  );
  await tick(5);
  c.abort();
  assert.equal(await running, CANCELLED);
  assert.equal(sawAbort, true);
  await assert.rejects(q.submit(async () => Promise.reject(new Error('model broke')), 'bulk'), /model broke/);
  assert.equal(await q.submit(async () => 7, 'bulk'), 7, 'the queue keeps working after a failure');
});
