// The GRPO loop in-process (engine/training/grpo-trainer.ts) on a small random policy-tiny with the
// real UME reward: steps run, metrics and files appear, and two runs with the same seed agree.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PolicyTiny, policyTinySized } from '../../server/src/engine/policy/tiny';
import { createUmeReward } from '../../server/src/engine/rewards';
import { resolveConfig } from '../../server/src/engine/training/config';
import { runTraining } from '../../server/src/engine/training/grpo-trainer';
import type { PromptRow } from '../../server/src/engine/training/generation';
import { advantagesFor } from '../../server/src/engine/training/advantages';
import type { TrainingEvent } from '../../server/src/protocol/training-events';
import { metricsRows, tempDir, timeless } from './harness';

const PROMPTS: PromptRow[] = [
  { prompt: 'Generate a molecule in SMILES format: <smiles>', modality: 'SMILES' },
  { prompt: 'Generate a protein sequence: <protein>', modality: 'amino_acid' },
  { prompt: 'Generate a DNA sequence: <dna>', modality: 'nucleotide' },
  { prompt: 'Generate a drug-like molecule: <smiles>', modality: 'SMILES' },
];

async function run(out: string, name: string, extra: Record<string, unknown> = {}): Promise<{ events: TrainingEvent[] }> {
  const c = resolveConfig([{ output_dir: out, run_name: name, max_steps: 3, per_device_train_batch_size: 8, num_generations: 4, max_completion_length: 16, learning_rate: 1e-3, save_steps: 2, max_generation_samples: 2, seed: 3, device: 'cpu', ...extra }]);
  const policy = await PolicyTiny.random(policyTinySized('2x64x2x128', 64), 11);
  const ume = await createUmeReward({ mode: 'unmasked', device: 'cpu' });
  const events: TrainingEvent[] = [];
  try {
    await runTraining({ config: c, policy, rewards: [{ fn: ume, weight: 1 }], advantages: advantagesFor(c), train: PROMPTS, eval: PROMPTS, datasetSource: 'inline', resumeFrom: null, emit: (e) => events.push(e), stop: new AbortController().signal });
  } finally {
    await ume.close?.();
    await policy.release();
  }
  return { events };
}

test('the loop trains, logs and is deterministic for a seed', async () => {
  const out = tempDir('engine');
  const a = await run(out, 'a');
  assert.deepEqual(a.events.filter((e) => e.type === 'step').map((e) => (e as { step: number }).step), [1, 2, 3]);
  assert.equal(a.events.at(-1)!.type, 'finished');
  await run(out, 'b');
  const ra = metricsRows(join(out, 'a')).map(timeless);
  const rb = metricsRows(join(out, 'b')).map(timeless);
  assert.equal(ra.length, 3);
  assert.deepEqual(ra, rb);
  assert.ok(readFileSync(join(out, 'a', 'final', 'policy.safetensors')).equals(readFileSync(join(out, 'b', 'final', 'policy.safetensors'))));
  assert.notEqual(ra[0]!['loss'], undefined);
});

test('num_iterations 2 and gradient accumulation keep old log-probs and still run', async () => {
  const out = tempDir('engine-mu');
  const r = await run(out, 'mu', { num_iterations: 2, gradient_accumulation_steps: 2, per_device_train_batch_size: 4, loss_type: 'grpo', beta: 0.04 });
  assert.equal(r.events.at(-1)!.type, 'finished');
  const rows = metricsRows(join(out, 'mu'));
  assert.equal(rows.length, 3);
  assert.ok(typeof rows[0]!['kl'] === 'number', 'kl is logged when beta != 0');
});
