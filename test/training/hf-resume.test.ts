// Exact resume after SIGKILL for a Hugging Face policy: `ume-studio train --policy <tiny Llama folder>`
// (the real trainer child process and reward worker, synthetic instruction prompts through the chat
// template, beta != 0 so the KL reference is part of what must survive) is killed with SIGKILL at a
// random moment after a checkpoint, resumed with --resume-from-checkpoint latest, and must end with
// the uninterrupted run's metrics rows (clock fields aside), completions and final weights, byte for
// byte. Full fine-tuning and LoRA. UME_RESUME_KILLS=N kills N times per run (default 1);
// UME_RESUME_SEED fixes the kill moments (printed on failure).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeLlamaChatModel } from '../hf/chat-model';
import { torchMissing } from '../hf/reference';
import { checkpointSteps, flags, metricsRows, readJson, runCli, sleep, startCli, tempDir, timeless } from './harness';
import { HF_REWARD } from './hf-fixtures';

const skip = torchMissing();
const root = tempDir('hf-resume');
const model = join(root, 'llama-tiny');
const rewardFile = join(root, 'reward.json');
const KILLS = Number(process.env['UME_RESUME_KILLS'] ?? 1);
const SEED = Number(process.env['UME_RESUME_SEED'] ?? Date.now() % 1_000_000);

const SETTINGS = {
  max_steps: 5,
  save_steps: 1,
  eval_steps: 3,
  per_device_train_batch_size: 8,
  num_generations: 4,
  max_completion_length: 16,
  learning_rate: 1e-3,
  max_generation_samples: 4,
  beta: 0.04,
  apply_chat_template: 'true',
  reward_function: 'multi',
  seed: 7,
  device: 'cpu',
};

before(() => {
  if (skip) return;
  makeLlamaChatModel(model);
  writeFileSync(rewardFile, JSON.stringify(HF_REWARD));
});
after(() => rmSync(root, { recursive: true, force: true }));

const args = (name: string, extra: Record<string, string | number>): string[] => ['train', ...flags({ ...SETTINGS, policy: model, reward_config: rewardFile, output_dir: root, run_name: name, ...extra }), '--plain'];

/**
 * Runs `name`, killing it with SIGKILL at a random moment after each new checkpoint, `KILLS` times
 * (each restart resumes from the latest checkpoint), then resumes it to the end. Returns where each
 * kill landed (the latest checkpoint then, and the rows logged by then).
 */
async function killAndResume(name: string, extra: Record<string, string | number>, rand: (n: number) => number): Promise<Array<{ checkpoint: number; rows: number }>> {
  const dir = join(root, name);
  const landed: Array<{ checkpoint: number; rows: number }> = [];
  const kept: Array<Array<Record<string, unknown>>> = [];
  let finished = false;
  for (let attempt = 0; attempt < KILLS + 3 && landed.length < KILLS; attempt++) {
    const since = checkpointSteps(dir).at(-1) ?? 0;
    const run = startCli([...args(name, extra), ...(landed.length ? ['--resume-from-checkpoint', 'latest'] : [])]);
    let ended = false;
    void run.done.then(() => (ended = true));
    // A checkpoint newer than the one resumed from, then a random moment more (up to ~half a step on
    // a quiet machine, where a step of this tiny model takes ~0.3 s: a longer wait let the run finish first).
    while (!ended && (checkpointSteps(dir).at(-1) ?? 0) <= since) await sleep(20);
    if (!ended) await sleep(rand(150));
    const rowsBefore = metricsRows(dir);
    const status = readJson<{ pid: number; state: string }>(join(dir, 'status.json'));
    if (status.state === 'running') {
      try {
        process.kill(status.pid, 'SIGKILL');
      } catch {
        /* it had just finished */
      }
    }
    const r = await run.done;
    if (r.code === 0) {
      finished = true; // ended before the kill
      break;
    }
    const last = checkpointSteps(dir).at(-1)!;
    landed.push({ checkpoint: last, rows: rowsBefore.length });
    kept.push(rowsBefore.filter((row) => (row['step'] as number) <= last).map(timeless));
  }
  if (!finished) {
    const fin = await runCli([...args(name, extra), '--resume-from-checkpoint', 'latest']);
    assert.equal(fin.code, 0, `resume of ${name} failed (seed ${SEED}):\n${fin.stderr}`);
  }
  const rows = metricsRows(dir).map(timeless);
  for (const k of kept) assert.deepEqual(rows.slice(0, k.length), k, `rows logged before a kill were lost or changed (seed ${SEED})`);
  return landed;
}

for (const [mode, extra] of [
  ['full fine-tuning', {}],
  ['LoRA', { use_peft: 'true', lora_r: 4, lora_alpha: 8, lora_target_modules: 'q_proj,v_proj,down_proj' }],
] as const) {
  test(`${mode}: killed with SIGKILL after a checkpoint and resumed, the run ends as an uninterrupted one (rows, completions, final weights byte for byte)`, { skip }, async (t) => {
    let s = SEED + (mode === 'LoRA' ? 1 : 0);
    const rand = (n: number): number => ((s = (s * 1103515245 + 12345) % 2147483648) % n);
    const tag = mode === 'LoRA' ? 'lora' : 'full';
    const straight = join(root, `${tag}-straight`);
    const ref = await runCli(args(`${tag}-straight`, extra));
    assert.equal(ref.code, 0, ref.stderr);
    const landed = await killAndResume(`${tag}-killed`, extra, rand);
    t.diagnostic(`seed ${SEED}; killed at ${JSON.stringify(landed)} (latest checkpoint, metrics rows logged by then)`);
    assert.ok(landed.length >= Math.min(KILLS, 1), `the run finished before it could be killed (seed ${SEED})`);
    const dir = join(root, `${tag}-killed`);
    assert.equal(readJson<{ state: string }>(join(dir, 'status.json')).state, 'finished');
    const rows = metricsRows(dir).map(timeless);
    const want = metricsRows(straight).map(timeless);
    assert.deepEqual(rows.map((r) => r['step']), [1, 2, 3, 4, 5]);
    assert.ok((want[4]!['kl'] as number) > 0, 'the policy moved from the KL reference, so a wrong reference after resume would show');
    assert.deepEqual(rows, want, `metrics rows differ from the uninterrupted run's (kills at ${JSON.stringify(landed)}, seed ${SEED})`);
    for (let step = 1; step <= 5; step++) {
      assert.equal(readFileSync(join(dir, 'completions', `step_${step}.jsonl`), 'utf8'), readFileSync(join(straight, 'completions', `step_${step}.jsonl`), 'utf8'), `completions of step ${step} differ (seed ${SEED})`);
    }
    for (const f of ['final/policy.safetensors', ...(mode === 'LoRA' ? ['adapter_config.json'] : [])]) {
      assert.ok(existsSync(join(dir, f)), `the resumed run has ${f}`);
      assert.ok(readFileSync(join(dir, f)).equals(readFileSync(join(straight, f))), `${f} differs from the uninterrupted run's (kills at ${JSON.stringify(landed)}, seed ${SEED})`);
    }
  });
}
