// The LoRA settings of a run as the policy receives them, and where a run folder's base policy is
// found again when its --policy was a relative path.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configDefaults } from '../engine/training/config';
import { RUN_FILES, RUN_FORMAT } from '../protocol/run-format';
import { loraOptionsOf, policySource, tinyOptions } from './policy-choice';

const base = { ...configDefaults(), seed: 5 };

test('LoRA options: off without use_peft; rank, alpha, seed and target modules and dropout as TRL/peft users write them', () => {
  assert.equal(loraOptionsOf(base), null);
  assert.deepEqual(loraOptionsOf({ ...base, use_peft: true }), { rank: 16, alpha: 32, seed: 5, dropout: 0 });
  assert.deepEqual(loraOptionsOf({ ...base, use_peft: true, lora_r: 4, lora_alpha: 8, lora_target_modules: ' q_proj, v_proj ,down_proj' }), { rank: 4, alpha: 8, seed: 5, dropout: 0, targetModules: ['q_proj', 'v_proj', 'down_proj'] });
  assert.deepEqual(loraOptionsOf({ ...base, use_peft: true, lora_target_modules: 'all-linear' }), { rank: 16, alpha: 32, seed: 5, dropout: 0, targetModules: 'all-linear' });
  assert.deepEqual(loraOptionsOf({ ...base, use_peft: true, lora_dropout: 0.05 }), { rank: 16, alpha: 32, seed: 5, dropout: 0.05 });
});

test('policy-tiny options: the SMILES grammar gets max_completion_length as its budget (the sampler\'s maxNewTokens), none without the grammar', () => {
  assert.deepEqual(tinyOptions({ ...base, smiles_grammar: true, max_completion_length: 96 }), { device: base.device, smilesGrammar: true, smilesGrammarBudget: 96 });
  assert.deepEqual(tinyOptions({ ...base, smiles_grammar: false, max_completion_length: 96 }), { device: base.device, smilesGrammar: false });
});

test('a run whose --policy was a relative path finds its base again through the absolute folder config.json recorded', async () => {
  const root = mkdtempSync(join(tmpdir(), 'policy-choice-'));
  try {
    const model = join(root, 'model');
    mkdirSync(model);
    writeFileSync(join(model, 'config.json'), JSON.stringify({ architectures: ['LlamaForCausalLM'] }));
    const run = join(root, 'run');
    mkdirSync(join(run, RUN_FILES.finalDir), { recursive: true });
    writeFileSync(join(run, RUN_FILES.finalDir, RUN_FILES.policyFile), '');
    writeFileSync(join(run, RUN_FILES.config), JSON.stringify({ format: RUN_FORMAT, config: { policy: 'models/elsewhere-relative', use_peft: true, lora_alpha: 8 }, policy: { name: model } }));
    assert.deepEqual(await policySource(run), { kind: 'trained', base: model, weights: join(run, RUN_FILES.finalDir, RUN_FILES.policyFile), loraAlpha: 8 });
    assert.deepEqual(await policySource(model), { kind: 'hf', dir: model });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
