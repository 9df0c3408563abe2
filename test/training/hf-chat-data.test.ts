// Conversational prompt datasets (TRL's format: JSONL rows whose `prompt` is a list of
// {role, content} messages) on a Hugging Face folder through `ume-studio train`: the messages go
// through the folder's chat template with the generation prompt, system turn included, instead of
// being flattened into text. Checked from the run's own counters: the prompt tokens the trainer
// consumed equal the hand-written ChatML rendering of each conversation, tokenized, and not the
// flattened text's. A folder without a chat template is refused before any work.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HfTokenizer } from '../../server/src/engine/policy/hf/tokenizer';
import { makeLlamaChatModel } from '../hf/chat-model';
import { torchMissing } from '../hf/reference';
import { bpeTokenizerConfig } from '../hf/tokenizer-fixtures';
import { flags, metricsRows, readJson, runCli, tempDir } from './harness';

const skip = torchMissing();
const root = tempDir('hf-chat');
const model = join(root, 'llama-tiny');
const noTemplate = join(root, 'llama-no-template');
const data = join(root, 'chat.jsonl');
const rewardFile = join(root, 'reward.json');

// Seed-like instructions asking for lobster's tags; two with a system turn, two without (the
// template then adds its default system turn).
const CONVERSATIONS = [
  [{ role: 'system', content: 'You are a chemist.' }, { role: 'user', content: 'Write a small molecule as SMILES inside <smiles></smiles> tags.' }],
  [{ role: 'user', content: 'Generate a protein sequence. You MUST enclose it in <protein></protein> tags.' }],
  [{ role: 'system', content: 'Answer with one sequence.' }, { role: 'user', content: 'Write a DNA sequence in <dna></dna> tags.' }],
  [{ role: 'user', content: 'Give me a SMILES string for ethanol, in <smiles></smiles> tags.' }],
];

/** Qwen2's ChatML, written out by hand (the fixture's template, without going through jinja). */
function chatml(messages: Array<{ role: string; content: string }>): string {
  const sys = messages[0]!.role === 'system' ? '' : '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n';
  return sys + messages.map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`).join('') + '<|im_start|>assistant\n';
}

before(() => {
  if (skip) return;
  makeLlamaChatModel(model);
  mkdirSync(noTemplate);
  for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'generation_config.json']) copyFileSync(join(model, f), join(noTemplate, f));
  const { chat_template: _, ...cfg } = bpeTokenizerConfig();
  writeFileSync(join(noTemplate, 'tokenizer_config.json'), JSON.stringify(cfg));
  writeFileSync(data, CONVERSATIONS.map((prompt) => JSON.stringify({ prompt })).join('\n') + '\n');
  writeFileSync(rewardFile, JSON.stringify({ aggregation: 'weighted_sum', components: [{ name: 'len', type: 'length', params: { target: 12, tolerance: 4 } }] }));
});
after(() => rmSync(root, { recursive: true, force: true }));

// 8 completions a step = 2 of each of the 4 prompts: every step reads every conversation twice.
const SETTINGS = { dataset: data, max_steps: 2, per_device_train_batch_size: 8, num_generations: 2, max_completion_length: 8, learning_rate: 1e-3, max_generation_samples: 4, reward_function: 'multi', reward_config: rewardFile, seed: 3, device: 'cpu', output_dir: root };

test('conversational JSONL prompts reach a Hugging Face policy through its chat template (system turns included), and train', { skip }, async () => {
  const r = await runCli(['train', ...flags({ ...SETTINGS, policy: model, run_name: 'chat' }), '--plain']);
  assert.equal(r.code, 0, `train failed:\n${r.stderr}\n${r.stdout}`);
  const dir = join(root, 'chat');
  const tok = (await HfTokenizer.load(model))!;
  const rendered = CONVERSATIONS.map((c) => tok.encode(chatml(c), false).length);
  const flattened = CONVERSATIONS.map((c) => tok.encode(c.map((m) => m.content).join('\n'), false).length);
  const rows = metricsRows(dir);
  assert.deepEqual(rows.map((x) => x['step']), [1, 2]);
  let before = 0;
  for (const row of rows) {
    const completions = readFileSync(join(dir, 'completions', `step_${row['step']}.jsonl`), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { prompt: string; length: number });
    assert.equal(completions.length, 8);
    const completionTokens = completions.reduce((n, c) => n + c.length, 0);
    // num_tokens counts prompt + completion ids of every rollout (TRL's); each prompt appears twice.
    const promptTokens = (row['num_tokens'] as number) - before - completionTokens;
    before = row['num_tokens'] as number;
    assert.equal(promptTokens, 2 * rendered.reduce((a, b) => a + b, 0), `step ${row['step']}: the prompt tokens are the ChatML renderings'`);
    assert.notEqual(promptTokens, 2 * flattened.reduce((a, b) => a + b, 0), 'not the flattened text\'s');
    // Rewards and logs read the conversation's text: its contents joined.
    assert.deepEqual([...new Set(completions.map((c) => c.prompt))].sort(), CONVERSATIONS.map((c) => c.map((m) => m.content).join('\n')).sort());
    assert.ok(Number.isFinite(row['loss']) && Number.isFinite(row['grad_norm']));
  }
  assert.equal(readJson(join(dir, 'status.json'))['state'], 'finished');
});

test('conversational prompts on a folder without a chat template fail before training, saying what to do', { skip }, async () => {
  const r = await runCli(['train', ...flags({ ...SETTINGS, policy: noTemplate, run_name: 'no-template' }), '--plain']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /gives its prompts as chat messages, which .*llama-no-template cannot read: .*has no chat template .*give the prompt as plain text/);
  assert.deepEqual(metricsRows(join(root, 'no-template')), [], 'no step ran');
});
