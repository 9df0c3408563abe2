import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkpointDir, latestCheckpoint, listCheckpoints, loadCheckpoint, pruneCheckpoints, saveCheckpoint } from './checkpoint';
import { nodeFs, type CheckpointFs } from './atomic';
import { CheckpointMismatchError } from './verify';
import { ParameterSet } from '../tensors/parameter-set';
import { init } from '../train/params';
import { Rng } from '../train/rng';

async function tempRoot(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'ume-ckpt-'));
}

function params(seed = 1): ParameterSet {
  const rng = new Rng(seed);
  const ps = new ParameterSet();
  ps.add('w1', init.normal([4, 8], rng, 0.1));
  ps.add('b1', init.zeros([8]));
  ps.add('w2', init.normal([8, 2], rng, 0.1));
  return ps;
}

/** An fs whose writes fail with ENOSPC once `budget` bytes have been written in total. */
function fullDiskAfter(budget: number): CheckpointFs {
  let written = 0;
  return {
    ...nodeFs,
    async openForWrite(path) {
      const f = await nodeFs.openForWrite(path);
      return {
        async write(chunk) {
          if (written + chunk.byteLength > budget) {
            const e = new Error('ENOSPC: no space left on device, write') as NodeJS.ErrnoException;
            e.code = 'ENOSPC';
            throw e;
          }
          written += chunk.byteLength;
          await f.write(chunk);
        },
        sync: () => f.sync(),
        close: () => f.close(),
      };
    },
  };
}

test('save then load returns identical tensors, state and manifest fields', async () => {
  const root = await tempRoot();
  try {
    const ps = params();
    const rng = new Rng(9);
    rng.normal();
    const state: Array<[string, ReturnType<typeof init.zeros>]> = ps.entries().map(([n, t]) => [`${n}.exp_avg`, init.constant(t.shape, 0.5)]);
    const dir = checkpointDir(root, 3);
    await saveCheckpoint(dir, {
      step: 3,
      config: { layers: 2 },
      params: ps,
      optimizerState: state,
      optimizer: { name: 'adamw', hyperparameters: { beta1: 0.9 } },
      schedule: { kind: 'constant' },
      rng: rng.state(),
      data: { epoch: 0, index: 24 },
    });
    assert.deepEqual((await readdir(dir)).sort(), ['manifest.json', 'model.safetensors', 'optimizer.safetensors']);
    const loaded = await loadCheckpoint(dir, { expectedParams: ps, expectedState: state.map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape })) });
    assert.deepEqual(loaded.params.names(), ps.names());
    for (const [n, t] of ps.entries()) assert.deepEqual(loaded.params.get(n).data, t.data);
    assert.deepEqual(loaded.optimizerState.get('w2.exp_avg')!.data, state[2]![1].data);
    assert.equal(loaded.manifest.step, 3);
    assert.deepEqual(loaded.manifest.config, { layers: 2 });
    assert.deepEqual(loaded.manifest.data, { epoch: 0, index: 24 });
    assert.deepEqual(Rng.fromState(loaded.manifest.rng as never).uniform(), rng.uniform());
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('a mismatching checkpoint lists every problem in one error', async () => {
  const root = await tempRoot();
  try {
    const dir = checkpointDir(root, 1);
    const saved = new ParameterSet();
    saved.add('w1', init.zeros([4, 16]));
    saved.add('w2', init.zeros([8, 2], 'float64'));
    saved.add('extra', init.zeros([5]));
    await saveCheckpoint(dir, { step: 1, config: {}, params: saved });
    await assert.rejects(loadCheckpoint(dir, { expectedParams: params() }), (e: unknown) => {
      assert.ok(e instanceof CheckpointMismatchError);
      assert.deepEqual(e.problems, [
        'parameter "w1": shape [4, 16] in the checkpoint vs [4, 8] expected',
        'missing parameter "b1" (expected float32[8])',
        'parameter "w2": dtype float64 in the checkpoint vs float32 expected',
        'unexpected parameter "extra" (float32[5]) is not in the model',
      ]);
      assert.match(e.message, /does not match the model \(4 problems\)/);
      return true;
    });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('a full disk during save surfaces ENOSPC clearly, leaves no partial files and the previous checkpoint intact', async () => {
  const root = await tempRoot();
  try {
    const ps = params();
    await saveCheckpoint(checkpointDir(root, 1), { step: 1, config: {}, params: ps, optimizerState: [['w1.m', init.ones([4, 8])]] });
    const ps2 = params(2);
    // Fail at several points: inside the model file, inside the optimizer file, inside the manifest.
    for (const budget of [100, 300, 600]) {
      const dir2 = checkpointDir(root, 2);
      await assert.rejects(
        saveCheckpoint(dir2, { step: 2, config: {}, params: ps2, optimizerState: [['w1.m', init.ones([4, 8])]] }, fullDiskAfter(budget)),
        /no space left on the device while writing .*free disk space.*previous checkpoint is intact/,
      );
      const left = await readdir(dir2);
      assert.ok(!left.includes('manifest.json'), `budget ${budget}: manifest must not exist`);
      assert.deepEqual(left.filter((f) => f.includes('.tmp-')), [], `budget ${budget}: temp files left: ${left.join(', ')}`);
      assert.equal(await latestCheckpoint(root), checkpointDir(root, 1));
      await assert.rejects(loadCheckpoint(dir2), /not a complete checkpoint/);
    }
    const again = await loadCheckpoint(checkpointDir(root, 1), { expectedParams: ps });
    assert.deepEqual(again.params.get('w2').data, ps.get('w2').data);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('listing skips incomplete directories, latest picks the highest step, prune keeps the newest', async () => {
  const root = await tempRoot();
  try {
    for (const s of [5, 10, 20]) await saveCheckpoint(checkpointDir(root, s), { step: s, config: {}, params: params() });
    await mkdir(checkpointDir(root, 30));
    await writeFile(join(checkpointDir(root, 30), 'model.safetensors'), 'partial');
    assert.deepEqual((await listCheckpoints(root)).map((c) => c.step), [5, 10, 20]);
    assert.equal(await latestCheckpoint(root), checkpointDir(root, 20));
    assert.deepEqual(await pruneCheckpoints(root, 2), [checkpointDir(root, 5)]);
    assert.deepEqual((await listCheckpoints(root)).map((c) => c.step), [10, 20]);
    // A tensor file that does not match the manifest's recorded size is reported as damaged.
    await writeFile(join(checkpointDir(root, 20), 'model.safetensors'), 'short');
    await assert.rejects(loadCheckpoint(checkpointDir(root, 20)), /has 5 bytes but the manifest records \d+: the checkpoint is damaged/);
    assert.equal(await latestCheckpoint(join(root, 'none')), undefined);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
