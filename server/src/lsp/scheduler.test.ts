import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DebouncedRunner, type RunToken } from './scheduler';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('debounces: only the last schedule within the delay runs', async () => {
  const runs: string[] = [];
  const runner = new DebouncedRunner(async (key) => {
    runs.push(key);
  });
  runner.schedule('a', 30);
  runner.schedule('a', 30);
  runner.schedule('a', 30);
  runner.schedule('b', 10);
  await runner.idle();
  assert.deepEqual(runs.sort(), ['a', 'b']);
});

test('a run superseded while in flight sees its token cancelled, and runs never overlap', async () => {
  const seen: Array<{ id: number; cancelledAtEnd: boolean }> = [];
  let active = 0;
  let maxActive = 0;
  let id = 0;
  const runner = new DebouncedRunner(async (_key, token: RunToken) => {
    const mine = ++id;
    active++;
    maxActive = Math.max(maxActive, active);
    await sleep(40);
    active--;
    seen.push({ id: mine, cancelledAtEnd: token.cancelled });
  });
  runner.schedule('doc', 0);
  await sleep(10); // first run is now in flight
  runner.schedule('doc', 0);
  await runner.idle();
  assert.deepEqual(seen, [
    { id: 1, cancelledAtEnd: true },
    { id: 2, cancelledAtEnd: false },
  ]);
  assert.equal(maxActive, 1);
});

test('cancel drops a pending run and errors are reported, not thrown', async () => {
  const runs: string[] = [];
  const errors: string[] = [];
  const pendings: number[] = [];
  const runner = new DebouncedRunner(
    async (key) => {
      runs.push(key);
      if (key === 'bad') throw new Error('boom');
    },
    (n) => pendings.push(n),
    (key, e) => errors.push(`${key}: ${(e as Error).message}`),
  );
  runner.schedule('x', 20);
  runner.cancel('x');
  runner.schedule('bad', 0);
  await runner.idle();
  assert.deepEqual(runs, ['bad']);
  assert.deepEqual(errors, ['bad: boom']);
  assert.equal(runner.pending(), 0);
  assert.equal(pendings.at(-1), 0);
});
