// A tiny GRPO run end to end through `ume-studio train` (child process, policy-tiny, UME reward,
// synthetic prompts): the run folder holds what docs/run-format.md promises, with TRL's and
// lobster's metric names, every logged step's completions, checkpoints, final weights and summary.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TINY, checkpointSteps, flags, metricsRows, readJson, runCli, tempDir } from './harness';

test('a tiny run writes a complete run folder', async () => {
  const out = tempDir('run');
  const r = await runCli(['train', ...flags({ ...TINY, output_dir: out, run_name: 'tiny', eval_steps: 2 }), '--plain']);
  assert.equal(r.code, 0, `train failed:\n${r.stderr}`);
  const dir = join(out, 'tiny');
  const config = readJson<{ config: Record<string, unknown>; config_hash: string; policy: { name: string } }>(join(dir, 'config.json'));
  assert.equal(config.config['num_generations'], 4);
  assert.equal(config.config['loss_type'], 'dapo');
  assert.equal(config.policy.name, 'policy-tiny');
  assert.match(config.config_hash, /^[0-9a-f]{64}$/);

  const rows = metricsRows(dir);
  assert.deepEqual(rows.map((m) => m['step']), [1, 2, 3, 4]);
  for (const key of ['loss', 'grad_norm', 'learning_rate', 'num_tokens', 'reward', 'reward_std', 'rewards/ume/mean', 'rewards/ume/std', 'frac_reward_zero_std', 'entropy', 'clip_ratio/low_mean', 'clip_ratio/region_mean', 'completions/mean_length', 'completions/clipped_ratio', 'completions/mean_terminated_length', 'step_time', 'epoch', 'wall_time', 'train/mean_reward', 'train/min_reward', 'train/max_reward', 'train/reward_std', 'train/reward_histogram', 'uniqueness', 'validity', 'step_time/generation', 'step_time/reward', 'step_time/update']) {
    assert.ok(key in rows[0]!, `metrics row lacks ${key}: ${Object.keys(rows[0]!).join(', ')}`);
  }
  const hist = rows[0]!['train/reward_histogram'] as { bins: number[]; edges: number[] };
  assert.equal(hist.bins.length, 20);
  assert.equal(hist.bins.reduce((a, b) => a + b, 0) <= 8, true);
  assert.ok((rows.at(-1)!['num_tokens'] as number) > (rows[0]!['num_tokens'] as number));
  assert.ok(Object.keys(rows[0]!).some((k) => k.startsWith('train/modality_')));

  for (const step of [1, 2, 3, 4]) {
    const lines = readFileSync(join(dir, 'completions', `step_${step}.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.length, 8);
    assert.deepEqual(Object.keys(lines[0]!).filter((k) => ['prompt', 'completion', 'reward', 'rewards', 'advantage', 'modality', 'length', 'truncated', 'group'].includes(k)).length, 9);
    assert.match(String(lines[0]!['completion']), /^<(smiles|protein|dna)>/);
  }
  assert.deepEqual(checkpointSteps(dir), [2, 4]);
  assert.ok(existsSync(join(dir, 'checkpoints', 'checkpoint_step_2', 'policy.safetensors')));
  assert.ok(existsSync(join(dir, 'checkpoints', 'checkpoint_step_2', 'optimizer.safetensors')));
  assert.ok(existsSync(join(dir, 'final', 'policy.safetensors')));
  assert.ok(existsSync(join(dir, 'generation_logs', 'generation_log_step_2.json')));
  const summary = readJson(join(dir, 'summary.json'));
  assert.equal(summary['total_steps'], 4);
  assert.equal(summary['stopped_by'], 'max_steps');
  assert.equal(summary['train/total_samples_processed'], 32);
  assert.equal(readJson(join(dir, 'status.json'))['state'], 'finished');
  assert.match(r.stdout, /final mean reward/);
  const events = readFileSync(join(dir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { type: string }).type);
  assert.equal(events[0], 'started');
  assert.equal(events.at(-1), 'finished');
});

test('bad settings fail before any work, naming the nearest valid key or the values that work', async () => {
  const out = tempDir('bad');
  let r = await runCli(['train', '--learning-rte', '1e-5', '--output-dir', out]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown option --learning-rte \(did you mean "learning.rate"\?\)/);
  r = await runCli(['train', '--per_device_train_batch_size', '12', '--num_generations', '8', '--output-dir', out]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /not divisible by num_generations 8: use a generation batch of 24, 48, 72/);
  r = await runCli(['train', '--loss_type', 'ppo', '--output-dir', out]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /loss_type "ppo" is not valid.*use one of grpo, bnpo, dr_grpo, dapo, cispo, sapo/);
});

test('an output folder that cannot be written fails with a clear message and writes nothing', async () => {
  const out = tempDir('ro');
  const file = join(out, 'a-file');
  require('node:fs').writeFileSync(file, 'x');
  const r = await runCli(['train', ...flags({ ...TINY, output_dir: join(file, 'runs'), run_name: 'x' }), '--plain']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /the run failed: .*(not a directory|ENOTDIR)/i);
});
