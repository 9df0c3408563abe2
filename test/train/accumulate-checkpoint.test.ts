// Gradient accumulation equals one big batch; a checkpointed and resumed run equals an uninterrupted one bit for bit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TensorData } from '../../server/src/engine/onnx/ir';
import { checkpointDir, latestCheckpoint } from '../../server/src/engine/checkpoint/checkpoint';
import { adamw } from '../../server/src/engine/train/optimizers/adamw';
import { makeSchedule } from '../../server/src/engine/train/schedule';
import { Rng } from '../../server/src/engine/train/rng';
import { Trainer, type TrainerOptions } from '../../server/src/engine/train/trainer';
import { maxRelativeError } from '../../server/src/engine/train/testing/reference';
import { mlpBatch, mlpLoss, mlpParams, mlpSpec, splitBatch } from './mlp-fixture';

const f32 = (t: TensorData): Float32Array => t.data as Float32Array;
const options = (): TrainerOptions => ({
  optimizer: adamw({ weightDecay: 0.1 }),
  schedule: makeSchedule({ kind: 'cosine', warmupSteps: 2, totalSteps: 8, minLrRatio: 0.1 }, 2e-2),
  maxGradNorm: 1,
  runtime: { device: 'cpu', threads: 1 },
});

test('accumulating 2 micro-batches of 4 equals one batch of 8 (float tolerance), over several steps', async () => {
  const a = mlpParams(1);
  const b = mlpParams(1);
  const whole = await Trainer.create(mlpSpec(a), mlpLoss, a, options());
  const accum = await Trainer.create(mlpSpec(b), mlpLoss, b, options());
  try {
    const rng = new Rng(10);
    let worst = 0;
    for (let k = 0; k < 4; k++) {
      const batch = mlpBatch(rng, 8);
      const r1 = await whole.trainStep(batch);
      const r2 = await accum.trainStep(splitBatch(batch));
      assert.ok(Math.abs(r1.loss - r2.loss) / r1.loss < 1e-6, `loss ${r1.loss} vs ${r2.loss}`);
      assert.ok(Math.abs(r1.gradNorm - r2.gradNorm) / r1.gradNorm < 1e-5, `grad norm ${r1.gradNorm} vs ${r2.gradNorm}`);
      assert.ok(Math.abs(r1.metrics['mean_pred']! - r2.metrics['mean_pred']!) < 1e-6);
      assert.equal(r1.lr, r2.lr);
      assert.equal(r2.step, k + 1);
      // AdamW normalises the update, so tiny gradient differences stay tiny in the parameters.
      for (const name of a.names()) {
        const e = maxRelativeError(f32(b.get(name)), f32(a.get(name)));
        worst = Math.max(worst, e);
        assert.ok(e < 1e-5, `step ${k + 1} ${name}: relative error ${e}`);
      }
    }
    console.log(`accumulation vs whole batch: worst parameter relative error ${worst.toExponential(2)}`);
  } finally {
    await Promise.all([whole.release(), accum.release()]);
  }
});

test('save, load and continue gives parameters bit-identical to an uninterrupted run', async () => {
  const root = await mkdtemp(join(tmpdir(), 'ume-resume-'));
  const config = { model: 'mlp-fixture', seed: 1 };
  try {
    // Uninterrupted: 6 steps, batches drawn from a seeded data RNG.
    const ref = mlpParams(1);
    const straight = await Trainer.create(mlpSpec(ref), mlpLoss, ref, options());
    const data = new Rng(99);
    const losses: number[] = [];
    for (let k = 0; k < 6; k++) losses.push((await straight.trainStep(mlpBatch(data, 8))).loss);
    await straight.release();

    // Interrupted: 3 steps, save (with the data RNG state), then a fresh process-like start.
    const first = mlpParams(1);
    const t1 = await Trainer.create(mlpSpec(first), mlpLoss, first, options());
    const data1 = new Rng(99);
    for (let k = 0; k < 3; k++) await t1.trainStep(mlpBatch(data1, 8));
    await t1.save(checkpointDir(root, t1.step), { config, rng: { data: data1.state() }, data: { batches: 3 } });
    await t1.release();

    const fresh = mlpParams(12345); // different init: everything must come from the checkpoint
    const t2 = await Trainer.create(mlpSpec(fresh), mlpLoss, fresh, options());
    const dir = await latestCheckpoint(root);
    assert.equal(dir, checkpointDir(root, 3));
    const { manifest, warnings } = await t2.load(dir!);
    assert.deepEqual(warnings, []);
    assert.equal(t2.step, 3);
    assert.deepEqual(manifest.config, config);
    assert.equal(manifest.optimizer?.name, 'adamw');
    const data2 = Rng.fromState((manifest.rng as { data: [number, number, number, number] }).data);
    const resumedLosses: number[] = [];
    for (let k = 0; k < 3; k++) resumedLosses.push((await t2.trainStep(mlpBatch(data2, 8))).loss);
    await t2.release();

    assert.deepEqual(resumedLosses, losses.slice(3));
    for (const name of ref.names()) assert.deepEqual(f32(fresh.get(name)), f32(ref.get(name)), `${name} differs after resume`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('loading into a different model lists every mismatch; changed optimizer settings are reported', async () => {
  const root = await mkdtemp(join(tmpdir(), 'ume-resume-'));
  try {
    const ps = mlpParams(1);
    const t = await Trainer.create(mlpSpec(ps), mlpLoss, ps, options());
    await t.trainStep(mlpBatch(new Rng(1), 4));
    await t.save(checkpointDir(root, 1), { config: {} });
    await t.release();

    const other = await Trainer.create(mlpSpec(mlpParams(2)), mlpLoss, mlpParams(2), { ...options(), optimizer: adamw({ beta2: 0.95 }) });
    const { warnings } = await other.load(checkpointDir(root, 1));
    assert.deepEqual(warnings, ['optimizer beta2 was 0.999 in the checkpoint, now 0.95', 'optimizer weightDecay was 0.1 in the checkpoint, now 0.01']);
    await other.release();
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
