// The lobster guide's pipeline on a small local model: `ume-studio train --policy DIR
// --reward-function single` (the UME reward alone, lobster's temperature 0.1 and penalty for
// untagged completions) on the synthetic instruction prompts asking for tagged SMILES / protein /
// DNA, sent through the model's chat template as an Instruct model needs them. The model is the
// tests' tiny Llama with the tags as tokens and a bias towards writing them (test/hf/chat-model.ts
// makeTaggingLlama): a purely random one writes no tag, every completion gets the same penalty and
// GRPO has nothing to learn from. Checked: every reward is a number or null as docs/rewards.md
// says (null only with the reason UME abstains), valid sequences are scored above the penalty the
// rest get, metrics rows and evaluations are written, and the weights move.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeTaggingLlama } from '../hf/chat-model';
import { torchMissing } from '../hf/reference';
import { flags, metricsRows, readJson, runCli, tempDir } from './harness';

const skip = torchMissing();
const root = tempDir('hf-lobster');
const model = join(root, 'llama-tagging');

before(() => {
  if (!skip) makeTaggingLlama(model);
});
after(() => rmSync(root, { recursive: true, force: true }));

interface CompletionRow {
  completion: string;
  rewards: { ume: number | null };
  reasons?: { ume?: string };
  valid: boolean;
}

const SETTINGS = {
  policy: model,
  reward_function: 'single',
  apply_chat_template: 'true',
  max_steps: 3,
  save_steps: 3,
  per_device_train_batch_size: 8,
  num_generations: 4,
  max_completion_length: 16,
  learning_rate: 1e-3,
  beta: 0.04,
  max_generation_samples: 4,
  seed: 11,
  device: 'cpu',
  output_dir: root,
};

function tensorBytes(file: string): Buffer {
  const buf = readFileSync(file);
  const headerLen = Number(buf.readBigUInt64LE(0));
  return buf.subarray(8 + headerLen);
}

test('lobster pipeline: train --reward-function single on tagged-sequence instructions scores, logs and trains a tiny Llama', { skip }, async () => {
  const r = await runCli(['train', ...flags({ ...SETTINGS, run_name: 'lobster' }), '--plain']);
  assert.equal(r.code, 0, `train failed:\n${r.stderr}\n${r.stdout}`);
  const dir = join(root, 'lobster');
  const rows = metricsRows(dir);
  assert.deepEqual(rows.map((x) => x['step']), [1, 2, 3]);
  for (const row of rows) {
    assert.ok(Number.isFinite(row['loss']) && Number.isFinite(row['grad_norm']), `step ${row['step']}: loss ${row['loss']}, grad_norm ${row['grad_norm']}`);
    assert.equal(typeof row['rewards/ume/mean'], 'number');
  }
  assert.ok(rows.some((x) => (x['frac_reward_zero_std'] as number) < 1), 'some group had reward differences');

  const completions: CompletionRow[] = [1, 2, 3].flatMap((s) => readFileSync(join(dir, 'completions', `step_${s}.jsonl`), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as CompletionRow));
  assert.equal(completions.length, 24);
  let scored = 0;
  let penalised = 0;
  for (const c of completions) {
    const v = c.rewards.ume;
    if (v === null) {
      assert.match(c.reasons?.ume ?? '', /abstains/, `a null reward says why: ${JSON.stringify(c)}`);
      continue;
    }
    assert.ok(Number.isFinite(v), `reward ${v}`);
    if (c.valid) scored++;
    else penalised++;
  }
  assert.ok(scored > 0 && penalised > 0, `both scored (${scored}) and penalised (${penalised}) completions`);
  // Penalised completions (no tag, unclosed or empty tags, invalid SMILES) sit below every scored one of their batch.
  for (const s of [1, 2, 3]) {
    const batch = completions.slice((s - 1) * 8, s * 8).filter((c) => c.rewards.ume !== null);
    const penalties = batch.filter((c) => !c.valid).map((c) => c.rewards.ume!);
    const valid = batch.filter((c) => c.valid).map((c) => c.rewards.ume!);
    if (penalties.length && valid.length) assert.ok(Math.max(...penalties) < Math.min(...valid), `step ${s}: penalties ${penalties} below scores ${valid}`);
  }

  for (const f of ['config.json', 'summary.json', 'final/policy.safetensors', 'generation_logs/generation_log_step_0.json', 'generation_logs/generation_log_step_3.json', 'checkpoints/checkpoint_step_3/state.json']) assert.ok(existsSync(join(dir, f)), `the run folder has ${f}`);
  assert.equal(readJson(join(dir, 'status.json'))['state'], 'finished');
  const log = readJson<{ samples: Array<{ reward: number | null }> }>(join(dir, 'generation_logs', 'generation_log_step_3.json'));
  assert.equal(log.samples.length, 4);
  for (const s of log.samples) assert.ok(s.reward === null || Number.isFinite(s.reward));
  assert.ok(!tensorBytes(join(dir, 'final', 'policy.safetensors')).equals(tensorBytes(join(model, 'model.safetensors'))), 'the weights moved');
});
