// GRPO on a Hugging Face folder through `ume-studio train --policy DIR` (the real trainer child
// process, reward worker, synthetic instruction prompts through the chat template): a random tiny
// Llama-shaped folder (test/hf/chat-model.ts) trains full and with LoRA. Checked: finite losses and
// gradients, weights that move, a complete run folder, tensors saved under HF / peft names that load
// back into us (--policy RUN_DIR, bit for bit) and into the PyTorch reference as transformers / peft
// load them (test/hf/saved_forward.py: same log-probs within 1e-4), an untouched base, and a resume
// from a checkpoint that ends where an uninterrupted run does.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Policy } from '../../server/src/engine/policy/types';
import { HfPolicy } from '../../server/src/engine/policy/hf';
import { resolveConfig } from '../../server/src/engine/training/config';
import { loadTrainingPolicy } from '../../server/src/trainer/policy-choice';
import { IM_END, makeLlamaChatModel, savedForward } from '../hf/chat-model';
import { torchMissing } from '../hf/reference';
import { checkpointSteps, flags, metricsRows, readJson, runCli, tempDir, timeless } from './harness';
import { folderHash, HF_REWARD as REWARD, maxDiff, safetensorsTensors as tensors } from './hf-fixtures';

const skip = torchMissing();
const root = tempDir('hf');
const model = join(root, 'llama-tiny');
const rewardFile = join(root, 'reward.json');

const SETTINGS = {
  max_steps: 3,
  save_steps: 2,
  per_device_train_batch_size: 8,
  num_generations: 4,
  max_completion_length: 16,
  learning_rate: 1e-3,
  // Constant: the resume test stops at max_steps 2 and goes on to 3 (a linear decay would follow max_steps).
  lr_scheduler_type: 'constant',
  max_generation_samples: 4,
  beta: 0.04,
  apply_chat_template: 'true',
  reward_function: 'multi',
  seed: 7,
  device: 'cpu',
};

let modelHash = '';

before(() => {
  if (skip) return;
  makeLlamaChatModel(model);
  writeFileSync(rewardFile, JSON.stringify(REWARD));
  modelHash = folderHash(model);
});
after(() => rmSync(root, { recursive: true, force: true }));

async function train(name: string, extra: Record<string, string | number> = {}, resume = false): Promise<string> {
  const r = await runCli(['train', ...flags({ ...SETTINGS, policy: model, reward_config: rewardFile, output_dir: root, run_name: name, ...extra }), '--plain', ...(resume ? ['--resume-from-checkpoint', 'latest'] : [])]);
  assert.equal(r.code, 0, `train ${name} failed:\n${r.stderr}\n${r.stdout}`);
  return join(root, name);
}

/** The run folder as docs/run-format.md describes it, with finite losses and gradients on every step. */
function checkRunFolder(dir: string): void {
  for (const f of ['config.json', 'metrics.jsonl', 'status.json', 'summary.json', 'events.jsonl', 'final/policy.safetensors', 'generation_logs/generation_log_step_3.json']) assert.ok(existsSync(join(dir, f)), `the run folder lacks ${f}`);
  assert.deepEqual(checkpointSteps(dir), [2]);
  for (const f of ['policy.safetensors', 'optimizer.safetensors', 'state.json']) assert.ok(existsSync(join(dir, 'checkpoints', 'checkpoint_step_2', f)));
  const rows = metricsRows(dir);
  assert.deepEqual(rows.map((r) => r['step']), [1, 2, 3]);
  for (const r of rows) {
    assert.ok(Number.isFinite(r['loss']), `step ${r['step']}: loss ${r['loss']}`);
    assert.ok(Number.isFinite(r['grad_norm']) && (r['grad_norm'] as number) > 0, `step ${r['step']}: grad_norm ${r['grad_norm']}`);
    assert.ok(typeof r['kl'] === 'number', 'beta 0.04 logs kl against the reference');
    assert.ok(typeof r['rewards/len/mean'] === 'number');
  }
  assert.ok(rows.some((r) => (r['frac_reward_zero_std'] as number) < 1), 'some group had reward differences (else nothing trains)');
  assert.equal(rows[0]!['kl'], 0, 'step 1: the policy is still the reference');
  assert.ok((rows[2]!['kl'] as number) > 0, 'step 3: the trained policy has moved from the frozen reference');
  const cfg = readJson<{ policy: { name: string; architecture: string } }>(join(dir, 'config.json'));
  assert.equal(cfg.policy.architecture, 'LlamaForCausalLM');
  assert.equal(cfg.policy.name, model);
  assert.equal(readJson(join(dir, 'status.json'))['state'], 'finished');
  // The prompts reached the model through its ChatML template: completions are of the synthetic instructions.
  const first = JSON.parse(readFileSync(join(dir, 'completions', 'step_1.jsonl'), 'utf8').split('\n')[0]!) as { prompt: string };
  assert.match(first.prompt, /MUST enclose/);
}

/** A few fixed sequences (prompt + completion ids) in the model's vocabulary. */
function sequences(p: HfPolicy): number[][] {
  return [
    [...p.tokenizePrompt('Write a SMILES string for aspirin.'), ...p.tokenizer!.encode('<smiles>CC(=O)Oc1ccccc1C(=O)O</smiles>'), IM_END],
    [...p.tokenizePrompt('Generate a protein sequence'), ...p.tokenizer!.encode(' MKTAYIAKQR'), IM_END],
  ];
}

async function ourLogps(p: Policy, seqs: number[][]): Promise<Array<{ logps: Float32Array; entropies: Float32Array }>> {
  return p.logprobs(seqs.map((s) => ({ promptIds: s.slice(0, 1), completionIds: s.slice(1) })), 1);
}

/** Our reload of the run and the reference's load of the same file agree; both differ from the base. */
async function checkReload(dir: string, adapterConfig: string | null): Promise<HfPolicy> {
  const policy = (await loadTrainingPolicy(resolveConfig([{ policy: dir, device: 'cpu' }]))) as HfPolicy;
  assert.ok(policy instanceof HfPolicy, '--policy RUN_DIR loads the run as a Hugging Face policy');
  const seqs = sequences(policy);
  const ours = await ourLogps(policy, seqs);
  const ref = savedForward({ base: model, weights: join(dir, 'final', 'policy.safetensors'), adapter_config: adapterConfig, sequences: seqs });
  const base = savedForward({ base: model, weights: join(model, 'model.safetensors'), adapter_config: null, sequences: seqs });
  let moved = 0;
  ours.forEach((o, i) => {
    assert.ok(maxDiff(o.logps, ref[i]!.logps) <= 1e-4, `sequence ${i}: log-probs differ from the reference's load by ${maxDiff(o.logps, ref[i]!.logps)}`);
    assert.ok(maxDiff(o.entropies, ref[i]!.entropies) <= 1e-4, `sequence ${i}: entropies differ by ${maxDiff(o.entropies, ref[i]!.entropies)}`);
    moved = Math.max(moved, maxDiff(o.logps, base[i]!.logps));
  });
  assert.ok(moved > 1e-3, `the trained model's log-probs moved from the base's (by ${moved})`);
  return policy;
}

test('full fine-tuning: GRPO steps move every kind of weight; final weights carry HF names, reload bit for bit and load into the reference as transformers would', { skip }, async () => {
  const dir = await train('full');
  checkRunFolder(dir);
  const baseW = tensors(join(model, 'model.safetensors'));
  const final = tensors(join(dir, 'final', 'policy.safetensors'));
  assert.deepEqual([...final.keys()].sort(), [...baseW.keys()].sort(), 'the saved tensors are the folder\'s, by HF name');
  for (const [k, t] of final) {
    assert.deepEqual(t.shape, baseW.get(k)!.shape, k);
    assert.ok((t.data as Float32Array).every(Number.isFinite), `${k} is finite`);
  }
  const changed = [...final.keys()].filter((k) => maxDiff(final.get(k)!.data as Float32Array, baseW.get(k)!.data as Float32Array) > 0);
  for (const k of ['model.embed_tokens.weight', 'lm_head.weight', 'model.layers.0.self_attn.q_proj.weight', 'model.layers.1.mlp.down_proj.weight', 'model.norm.weight']) assert.ok(changed.includes(k), `${k} was trained`);
  assert.deepEqual([...tensors(join(dir, 'checkpoints', 'checkpoint_step_2', 'policy.safetensors')).keys()].sort(), [...baseW.keys()].sort(), 'checkpoints carry HF names too');
  const policy = await checkReload(dir, null);
  try {
    for (const [k, t] of final) assert.equal(maxDiff(policy.params.get(k).data as Float32Array, t.data as Float32Array), 0, `${k} reloads exactly`);
  } finally {
    await policy.release();
  }
  assert.equal(folderHash(model), modelHash, 'the model folder is never written');
});

test('LoRA (use_peft): only adapters train, saved under peft names with adapter_config.json; the base stays as it was; the reference merges them as peft does and agrees', { skip }, async () => {
  const lora = { use_peft: 'true', lora_r: 4, lora_alpha: 8, lora_target_modules: 'q_proj,v_proj,down_proj' };
  const dir = await train('lora', lora);
  checkRunFolder(dir);
  const want = [0, 1].flatMap((i) => ['self_attn.q_proj', 'self_attn.v_proj', 'mlp.down_proj'].flatMap((m) => ['A', 'B'].map((w) => `base_model.model.model.layers.${i}.${m}.lora_${w}.weight`))).sort();
  const final = tensors(join(dir, 'final', 'policy.safetensors'));
  assert.deepEqual([...final.keys()].sort(), want, 'only adapters, under peft\'s names');
  assert.deepEqual([...tensors(join(dir, 'checkpoints', 'checkpoint_step_2', 'policy.safetensors')).keys()].sort(), want);
  assert.deepEqual(final.get('base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight')!.shape, [4, 32]);
  assert.deepEqual(final.get('base_model.model.model.layers.1.mlp.down_proj.lora_B.weight')!.shape, [32, 4]);
  for (const k of want.filter((n) => n.endsWith('lora_B.weight'))) assert.ok(maxDiff(final.get(k)!.data as Float32Array, new Float32Array(final.get(k)!.data.length)) > 0, `${k} moved from its zero init`);
  const ac = readJson(join(dir, 'adapter_config.json'));
  assert.equal(ac['peft_type'], 'LORA');
  assert.equal(ac['r'], 4);
  assert.equal(ac['lora_alpha'], 8);
  assert.deepEqual(ac['target_modules'], ['q_proj', 'v_proj', 'down_proj']);
  assert.equal(ac['base_model_name_or_path'], model);
  assert.equal(folderHash(model), modelHash, 'the base weights are never written');
  const policy = await checkReload(dir, join(dir, 'adapter_config.json'));
  await policy.release();
});

test('resume: a run stopped at its step-2 checkpoint and resumed ends with the uninterrupted run\'s rows and weights, full and LoRA', { skip }, async () => {
  // beta 0 here; resumes with beta != 0 (the KL reference snapshotted before the checkpoint is
  // restored) and after SIGKILL are hf-resume.test.ts's.
  // The LoRA run uses lora_dropout: its masks come from the seed and each micro-batch, so a resume redraws them.
  for (const [name, lora] of [['full', {}], ['lora', { use_peft: 'true', lora_r: 4, lora_alpha: 8, lora_dropout: 0.1 }]] as const) {
    const extra = { ...lora, beta: 0 };
    const straight = await train(`${name}-straight`, extra);
    // Same settings; max_steps may change on resume (docs/run-format.md), so stop at 2, then go on to 3.
    const dir = await train(`${name}-resumed`, { ...extra, max_steps: 2 });
    await train(`${name}-resumed`, { ...extra }, true);
    assert.deepEqual(metricsRows(dir).map(timeless), metricsRows(straight).map(timeless), `${name}: the metrics rows equal the uninterrupted run's`);
    assert.ok(readFileSync(join(dir, 'final', 'policy.safetensors')).equals(readFileSync(join(straight, 'final', 'policy.safetensors'))), `${name}: the final weights equal the uninterrupted run's byte for byte`);
  }
});

test('settings an HF policy cannot honour fail before training, saying what to do', { skip }, async () => {
  let r = await runCli(['train', ...flags({ ...SETTINGS, policy: model, reward_config: rewardFile, output_dir: root, run_name: 'bad-dropout', use_peft: 'true', lora_dropout: 1 }), '--plain']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /lora_dropout must be in \[0, 1\), got 1/);
  r = await runCli(['train', ...flags({ ...SETTINGS, policy: model, reward_config: rewardFile, output_dir: root, run_name: 'bad-target', use_peft: 'true', lora_target_modules: 'q_proj,c_attn' }), '--plain']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /LoRA target module "c_attn" is not a projection of LlamaForCausalLM; choose from q_proj, k_proj/);
  r = await runCli(['train', ...flags({ ...SETTINGS, policy: 'policy-tiny', output_dir: root, run_name: 'bad-tiny', use_peft: 'true', apply_chat_template: 'false', reward_function: 'single' }), '--plain']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /use_peft \(LoRA\) is for Hugging Face model folders; policy-tiny trains all its weights/);
});
