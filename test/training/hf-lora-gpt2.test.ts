// LoRA on GPT-2 through `ume-studio train --policy DIR --use_peft true` (the real trainer child
// process and reward worker): a random tiny GPT2LMHeadModel folder (test/hf/chat-model.ts) trains
// adapters on its Conv1D layers. Checked: only adapters train, under peft's names and shapes for
// Conv1D (lora_A [r, in], lora_B [out, r]) with adapter_config.json's fan_in_fan_out true; the base
// folder is never written; the run reloads through --policy RUN_DIR (adapters merged as
// W + alpha/r (B A)^T) and agrees with the PyTorch reference's peft-style merge; a run stopped at
// its checkpoint and resumed ends where an uninterrupted one does (all-linear, with lora_dropout);
// Llama module names fail before training, naming GPT-2's modules.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HfPolicy } from '../../server/src/engine/policy/hf';
import { resolveConfig } from '../../server/src/engine/training/config';
import { loadTrainingPolicy } from '../../server/src/trainer/policy-choice';
import { IM_END, makeGpt2ChatModel, savedForward } from '../hf/chat-model';
import { torchMissing } from '../hf/reference';
import { checkpointSteps, flags, metricsRows, readJson, runCli, tempDir, timeless } from './harness';
import { folderHash, HF_REWARD, maxDiff, safetensorsTensors as tensors } from './hf-fixtures';

const skip = torchMissing();
const root = tempDir('hf-gpt2');
const model = join(root, 'gpt2-tiny');
const rewardFile = join(root, 'reward.json');

const SETTINGS = {
  max_steps: 3,
  save_steps: 2,
  per_device_train_batch_size: 8,
  num_generations: 4,
  max_completion_length: 16,
  learning_rate: 1e-3,
  lr_scheduler_type: 'constant',
  max_generation_samples: 4,
  beta: 0.04,
  apply_chat_template: 'true',
  reward_function: 'multi',
  seed: 7,
  device: 'cpu',
  use_peft: 'true',
  lora_r: 4,
  lora_alpha: 8,
};

let modelHash = '';

before(() => {
  if (skip) return;
  makeGpt2ChatModel(model);
  writeFileSync(rewardFile, JSON.stringify(HF_REWARD));
  modelHash = folderHash(model);
});
after(() => rmSync(root, { recursive: true, force: true }));

async function train(name: string, extra: Record<string, string | number> = {}, resume = false): Promise<string> {
  const r = await runCli(['train', ...flags({ ...SETTINGS, policy: model, reward_config: rewardFile, output_dir: root, run_name: name, ...extra }), '--plain', ...(resume ? ['--resume-from-checkpoint', 'latest'] : [])]);
  assert.equal(r.code, 0, `train ${name} failed:\n${r.stderr}\n${r.stdout}`);
  return join(root, name);
}

const adapterNames = (paths: string[]): string[] => [0, 1].flatMap((i) => paths.flatMap((m) => ['A', 'B'].map((w) => `base_model.model.transformer.h.${i}.${m}.lora_${w}.weight`))).sort();

test('GPT-2, LoRA on peft\'s default c_attn: only the adapters train, saved under peft\'s Conv1D names and shapes with fan_in_fan_out; the base stays as it was; the reference merges them as peft does and agrees', { skip }, async () => {
  const dir = await train('c-attn');
  const rows = metricsRows(dir);
  assert.deepEqual(rows.map((r) => r['step']), [1, 2, 3]);
  for (const r of rows) {
    assert.ok(Number.isFinite(r['loss']), `step ${r['step']}: loss ${r['loss']}`);
    assert.ok(Number.isFinite(r['grad_norm']) && (r['grad_norm'] as number) > 0, `step ${r['step']}: grad_norm ${r['grad_norm']}`);
  }
  assert.equal(rows[0]!['kl'], 0, 'step 1: the policy is still the reference');
  assert.ok((rows[2]!['kl'] as number) > 0, 'step 3: the adapted policy has moved from the frozen base (the KL reference)');
  assert.equal(readJson<{ policy: { architecture: string } }>(join(dir, 'config.json')).policy.architecture, 'GPT2LMHeadModel');
  const want = adapterNames(['attn.c_attn']);
  const final = tensors(join(dir, 'final', 'policy.safetensors'));
  assert.deepEqual([...final.keys()].sort(), want, 'only c_attn adapters, under peft\'s names');
  assert.deepEqual([...tensors(join(dir, 'checkpoints', 'checkpoint_step_2', 'policy.safetensors')).keys()].sort(), want);
  assert.deepEqual(final.get('base_model.model.transformer.h.0.attn.c_attn.lora_A.weight')!.shape, [4, 32], 'lora_A [r, in]');
  assert.deepEqual(final.get('base_model.model.transformer.h.0.attn.c_attn.lora_B.weight')!.shape, [96, 4], 'lora_B [out, r]: the fused q, k, v');
  for (const k of want.filter((n) => n.endsWith('lora_B.weight'))) assert.ok(maxDiff(final.get(k)!.data as Float32Array, new Float32Array(final.get(k)!.data.length)) > 0, `${k} moved from its zero init`);
  const ac = readJson(join(dir, 'adapter_config.json'));
  assert.equal(ac['peft_type'], 'LORA');
  assert.equal(ac['r'], 4);
  assert.equal(ac['lora_alpha'], 8);
  assert.deepEqual(ac['target_modules'], ['c_attn']);
  assert.equal(ac['fan_in_fan_out'], true, 'peft sets fan_in_fan_out for Conv1D');
  assert.equal(folderHash(model), modelHash, 'the base weights are never written');

  // --policy RUN_DIR merges the adapters (W + alpha/r (B A)^T); the reference merges the saved file as peft would.
  const policy = (await loadTrainingPolicy(resolveConfig([{ policy: dir, device: 'cpu' }]))) as HfPolicy;
  try {
    assert.ok(policy instanceof HfPolicy);
    const seqs = [
      [...policy.tokenizePrompt('Write a SMILES string for aspirin.'), ...policy.tokenizer!.encode('<smiles>CC(=O)Oc1ccccc1C(=O)O</smiles>'), IM_END],
      [...policy.tokenizePrompt('Generate a protein sequence'), ...policy.tokenizer!.encode(' MKTAYIAKQR'), IM_END],
    ];
    const ours = await policy.logprobs(seqs.map((s) => ({ promptIds: s.slice(0, 1), completionIds: s.slice(1) })), 1);
    const ref = savedForward({ base: model, weights: join(dir, 'final', 'policy.safetensors'), adapter_config: join(dir, 'adapter_config.json'), sequences: seqs });
    const base = savedForward({ base: model, weights: join(model, 'model.safetensors'), adapter_config: null, sequences: seqs });
    let moved = 0;
    ours.forEach((o, i) => {
      assert.ok(maxDiff(o.logps, ref[i]!.logps) <= 1e-4, `sequence ${i}: log-probs differ from the reference's peft-style load by ${maxDiff(o.logps, ref[i]!.logps)}`);
      assert.ok(maxDiff(o.entropies, ref[i]!.entropies) <= 1e-4, `sequence ${i}: entropies differ by ${maxDiff(o.entropies, ref[i]!.entropies)}`);
      moved = Math.max(moved, maxDiff(o.logps, base[i]!.logps));
    });
    assert.ok(moved > 1e-3, `the trained model's log-probs moved from the base's (by ${moved})`);
  } finally {
    await policy.release();
  }
});

test('GPT-2, LoRA on all-linear with lora_dropout: c_attn, both c_proj and c_fc train (not the head); a run stopped at its checkpoint and resumed ends with the uninterrupted run\'s rows and weights', { skip }, async () => {
  const extra = { lora_target_modules: 'all-linear', lora_dropout: 0.1, beta: 0 };
  const straight = await train('all-straight', extra);
  const final = tensors(join(straight, 'final', 'policy.safetensors'));
  assert.deepEqual([...final.keys()].sort(), adapterNames(['attn.c_attn', 'attn.c_proj', 'mlp.c_fc', 'mlp.c_proj']));
  assert.deepEqual(final.get('base_model.model.transformer.h.1.mlp.c_fc.lora_B.weight')!.shape, [128, 4]);
  assert.deepEqual(final.get('base_model.model.transformer.h.1.mlp.c_proj.lora_A.weight')!.shape, [4, 128]);
  assert.deepEqual(readJson(join(straight, 'adapter_config.json'))['target_modules'], ['c_attn', 'c_proj', 'c_fc']);
  const dir = await train('all-resumed', { ...extra, max_steps: 2 });
  assert.deepEqual(checkpointSteps(dir), [2]);
  await train('all-resumed', extra, true);
  assert.deepEqual(metricsRows(dir).map(timeless), metricsRows(straight).map(timeless), 'the metrics rows equal the uninterrupted run\'s');
  assert.ok(readFileSync(join(dir, 'final', 'policy.safetensors')).equals(readFileSync(join(straight, 'final', 'policy.safetensors'))), 'the final adapters equal the uninterrupted run\'s byte for byte');
  assert.equal(folderHash(model), modelHash, 'the base weights are never written');
});

test('GPT-2: a Llama target module fails before training, naming GPT-2\'s modules', { skip }, async () => {
  const r = await runCli(['train', ...flags({ ...SETTINGS, policy: model, reward_config: rewardFile, output_dir: root, run_name: 'bad-target', lora_target_modules: 'q_proj,v_proj' }), '--plain']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /LoRA target module "q_proj" is not a projection of GPT2LMHeadModel; choose from c_attn, c_proj, c_fc or "all-linear"/);
  assert.ok(!existsSync(join(root, 'bad-target', 'metrics.jsonl')), 'no step ran');
});
