// HfPolicy end to end on a random tiny Qwen2-shaped chat folder (chat-model.ts: weights by
// bench/peers/hf_reference.py, a hand-written byte-level BPE tokenizer and ChatML template):
// prompts from text and chat messages, seeded sampling, sample() log-probs = logprobs() =
// the train-step graph (buildLogps), training steps through engine/train (full and LoRA) raising
// a completion's log-prob, a snapshot that training leaves alone, exportWeights loaded back,
// LoRA adapters merged into full weights (also on a tiny GPT-2's Conv1D layers), and the errors a
// bad folder gives.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeSafetensors } from '../../server/src/engine/checkpoint/safetensors';
import { Graph } from '../../server/src/engine/onnx/ir';
import { neg, reduceMean } from '../../server/src/engine/onnx/ops';
import { compile } from '../../server/src/engine/onnx/runtime';
import { paramInputs } from '../../server/src/engine/models/params';
import { HfPolicy, logpBatch } from '../../server/src/engine/policy/hf';
import type { SampledCompletion } from '../../server/src/engine/policy/types';
import { adamw } from '../../server/src/engine/train/optimizers/adamw';
import { Rng } from '../../server/src/engine/train/rng';
import { makeSchedule } from '../../server/src/engine/train/schedule';
import { Trainer } from '../../server/src/engine/train/trainer';
import { CHAT_VOCAB, IM_END, makeChatModel, makeGpt2ChatModel } from './chat-model';
import { torchMissing } from './reference';

const skip = torchMissing();
const root = mkdtempSync(join(tmpdir(), 'hf-policy-'));
const dir = join(root, 'qwen2-tiny');
const vocabSize = CHAT_VOCAB;
const imEnd = IM_END;

before(() => {
  if (!skip) makeChatModel(dir);
});
after(() => rmSync(root, { recursive: true, force: true }));

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

const MESSAGES = [{ role: 'user', content: 'Write a SMILES string for aspirin.' }];

/** Log-probs of the samples through buildLogps in a graph of our own (as the trainer builds it). */
async function graphLogps(p: HfPolicy, samples: SampledCompletion[], temperature: number): Promise<Float32Array[]> {
  const g = new Graph('train_like');
  const params = paramInputs(g, p.paramSpecs);
  const out = p.buildLogps(g, params, { inputIds: g.input('input_ids', 'int64', ['B', 'L']), positions: g.input('positions', 'int64', ['B', 'T']), temperature });
  g.output(out.logps, 'logps');
  const m = await compile(g, { device: 'cpu' });
  const batch = logpBatch(samples.map((s) => ({ promptIds: s.promptIds, completionIds: s.ids })), 256, 0)!;
  const r = await m.run({ ...Object.fromEntries(p.params.entries()), input_ids: batch.inputIds, positions: batch.positions });
  await m.release();
  const lp = r['logps']!.data as Float32Array;
  return samples.map((s, b) => lp.slice(b * batch.T, b * batch.T + s.ids.length));
}

test('prompts: chat messages through the template, text as is; completions decode; stop ids from generation_config and the tokenizer', { skip }, async () => {
  const p = await HfPolicy.load(dir, { threads: 2 });
  try {
    const chat = p.tokenizePrompt(MESSAGES);
    assert.deepEqual(chat, p.tokenizer!.encode(p.tokenizer!.renderChat(MESSAGES, true)));
    assert.ok(p.tokenizer!.renderChat(MESSAGES).endsWith('<|im_start|>assistant\n'));
    assert.deepEqual(p.tokenizePrompt('Hello world'), p.tokenizer!.encode('Hello world', false));
    assert.deepEqual(p.stopIds, [imEnd]);
    const ids = p.tokenizer!.encode(' CCO and more');
    assert.equal(p.decodeCompletion(chat, [...ids, imEnd]), ' CCO and more', 'the stop token is skipped');
    assert.equal(p.info.architecture, 'Qwen2ForCausalLM');
    assert.equal(p.info.vocabSize, vocabSize);
    assert.equal(p.generationDefaults.temperature, 0.7);
  } finally {
    await p.release();
  }
});

test('apply_chat_template sends text prompts as one user message; max_prompt_length keeps the last tokens, as TRL cuts', { skip }, async () => {
  const p = await HfPolicy.load(dir, { threads: 1, chatPrompts: true, maxPromptLength: 7 });
  try {
    const text = 'Write a SMILES string for aspirin.';
    const full = p.tokenizer!.encodeChat([{ role: 'user', content: text }]);
    assert.ok(full.length > 7);
    assert.deepEqual(p.tokenizePrompt(text), full.slice(-7), 'the chat-rendered prompt, cut from the left');
    assert.deepEqual(p.tokenizePrompt(MESSAGES), p.tokenizer!.encodeChat(MESSAGES).slice(-7), 'messages stay messages');
    const snap = await p.snapshot();
    assert.deepEqual(snap.tokenizePrompt(text), full.slice(-7), 'snapshots tokenize the same way');
    await snap.release();
  } finally {
    await p.release();
  }
  const noTemplate = join(root, 'no-template');
  mkdirSync(noTemplate, { recursive: true });
  for (const f of ['config.json', 'model.safetensors', 'tokenizer.json']) copyFileSync(join(dir, f), join(noTemplate, f));
  await assert.rejects(HfPolicy.load(noTemplate, { chatPrompts: true }), /apply_chat_template is on but .* has no chat template.*turn apply_chat_template off/);
});

test('seeded sampling is reproducible; sample() log-probs = logprobs() = the train-step graph (temperature 1 and 0.7, top-k/top-p)', { skip }, async () => {
  const p = await HfPolicy.load(dir, { threads: 2 });
  try {
    const prompts = [p.tokenizePrompt(MESSAGES), p.tokenizePrompt('CC(=O)O'), p.tokenizePrompt([{ role: 'user', content: 'A protein, please.' }])];
    const opts = { maxNewTokens: 20, temperature: 0.9 };
    const a = await p.sample(prompts, opts, new Rng(7));
    const b = await p.sample(prompts, opts, new Rng(7));
    const c = await p.sample(prompts, opts, new Rng(8));
    assert.deepEqual(a.map((s) => s.ids), b.map((s) => s.ids));
    assert.notDeepEqual(a.map((s) => s.ids), c.map((s) => s.ids));
    for (const [temperature, extra] of [[1, {}], [0.7, { topK: 20, topP: 0.9 }]] as const) {
      const samples = await p.sample(prompts, { maxNewTokens: 24, temperature, ...extra }, new Rng(5));
      const viaLogprobs = await p.logprobs(samples.map((s) => ({ promptIds: s.promptIds, completionIds: s.ids })), temperature);
      const viaGraph = await graphLogps(p, samples, temperature);
      samples.forEach((s, i) => {
        assert.equal(s.text, p.decodeCompletion(s.promptIds, s.ids));
        assert.ok(s.finish === 'length' ? s.ids.length === 24 : s.ids.at(-1) === imEnd);
        assert.ok(maxDiff(s.logprobs, viaLogprobs[i]!.logps) < 1e-5, `row ${i} T=${temperature}: sample vs logprobs ${maxDiff(s.logprobs, viaLogprobs[i]!.logps)}`);
        assert.ok(maxDiff(s.logprobs, viaGraph[i]!) < 1e-5, `row ${i} T=${temperature}: sample vs train graph ${maxDiff(s.logprobs, viaGraph[i]!)}`);
        for (const e of viaLogprobs[i]!.entropies) assert.ok(e >= 0 && e <= Math.log(vocabSize) + 1e-4);
      });
    }
  } finally {
    await p.release();
  }
});

/** A few AdamW steps on -mean(log p(completion)); returns the completion's log-prob sum before and after. */
async function trainOn(p: HfPolicy, prompt: number[], completion: number[], steps: number, opts: { debugGradients?: boolean } = {}): Promise<{ before: number; after: number; trainer: Trainer }> {
  const sum = async (): Promise<number> => (await p.logprobs([{ promptIds: prompt, completionIds: completion }], 1))[0]!.logps.reduce((s, x) => s + x, 0);
  const trainer = await Trainer.create(
    { params: p.params.specs(), batch: { input_ids: { dtype: 'int64', shape: ['B', 'L'] }, positions: { dtype: 'int64', shape: ['B', 'T'] } } },
    (ctx) => ({ loss: neg(reduceMean(p.buildLogps(ctx.graph, ctx.params, { inputIds: ctx.batch['input_ids']!, positions: ctx.batch['positions']!, temperature: 1 }).logps, undefined, false)) }),
    p.params,
    { optimizer: adamw({ weightDecay: 0 }), schedule: makeSchedule({ kind: 'constant' }, 1e-2), runtime: { device: 'cpu', threads: 2 }, ...(opts.debugGradients ? { debugGradients: true } : {}) },
  );
  const batch = logpBatch([{ promptIds: prompt, completionIds: completion }], 256, 0)!;
  const before = await sum();
  for (let i = 0; i < steps; i++) await trainer.trainStep({ input_ids: batch.inputIds, positions: batch.positions });
  return { before, after: await sum(), trainer };
}

test('full fine-tuning: train steps raise the completion log-prob; the snapshot taken before is untouched; exportWeights loads back', { skip }, async () => {
  const p = await HfPolicy.load(dir, { threads: 2 });
  try {
    const prompt = p.tokenizePrompt(MESSAGES);
    const completion = [...p.tokenizer!.encode('CC(=O)Oc1ccccc1C(=O)O'), imEnd];
    const ref = await p.snapshot();
    const refBefore = await ref.logprobs([{ promptIds: prompt, completionIds: completion }], 1);
    const { before, after: trained, trainer } = await trainOn(p, prompt, completion, 6);
    await trainer.release();
    assert.ok(trained > before + 1, `log-prob ${before.toFixed(3)} -> ${trained.toFixed(3)}`);
    const refAfter = await ref.logprobs([{ promptIds: prompt, completionIds: completion }], 1);
    assert.deepEqual(refAfter[0]!.logps, refBefore[0]!.logps, 'the snapshot changed with training');
    await ref.release();
    // Export -> a new folder -> load: same log-probs.
    const out = join(root, 'exported');
    mkdirSync(out, { recursive: true });
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json']) copyFileSync(join(dir, f), join(out, f));
    const w = p.exportWeights();
    assert.ok([...w.keys()].every((k) => k.startsWith('model.')), 'HF names');
    writeFileSync(join(out, 'model.safetensors'), Buffer.concat(encodeSafetensors(w)));
    const q = await HfPolicy.load(out, { threads: 2 });
    const a = await p.logprobs([{ promptIds: prompt, completionIds: completion }], 1);
    const b = await q.logprobs([{ promptIds: prompt, completionIds: completion }], 1);
    assert.ok(maxDiff(a[0]!.logps, b[0]!.logps) < 1e-6);
    await q.release();
  } finally {
    await p.release();
  }
});

test('LoRA: fresh adapters leave the model unchanged, training moves only them, the gradient matches finite differences, merged weights reproduce the adapted model', { skip }, async () => {
  const base = await HfPolicy.load(dir, { threads: 2 });
  const p = await HfPolicy.load(dir, { threads: 2, lora: { rank: 4, alpha: 8, targetModules: ['q_proj', 'v_proj', 'down_proj'], seed: 1 } });
  try {
    assert.equal(p.params.size, 2 * 3 * 2, 'A and B for 3 modules x 2 layers');
    assert.ok(p.params.names().every((n) => /^base_model\.model\.model\.layers\.\d\.(self_attn|mlp)\.\w+_proj\.lora_[AB]\.weight$/.test(n)), 'adapters carry peft\'s names');
    const prompt = p.tokenizePrompt(MESSAGES);
    const completion = [...p.tokenizer!.encode('MKTAYIAKQR'), imEnd];
    const req = [{ promptIds: prompt, completionIds: completion }];
    assert.ok(maxDiff((await p.logprobs(req, 1))[0]!.logps, (await base.logprobs(req, 1))[0]!.logps) < 1e-6, 'B = 0: same model');
    const { before, after: trained, trainer } = await trainOn(p, prompt, completion, 6);
    assert.ok(trained > before + 0.5, `log-prob ${before.toFixed(3)} -> ${trained.toFixed(3)}`);
    await trainer.release();
    // Finite differences on one B entry (now nonzero everywhere after training) against autodiff.
    const name = 'base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight';
    const lossAt = async (): Promise<number> => -(await p.logprobs(req, 1))[0]!.logps.reduce((s, x) => s + x, 0) / completion.length;
    const g = await Trainer.create(
      { params: p.params.specs(), batch: { input_ids: { dtype: 'int64', shape: ['B', 'L'] }, positions: { dtype: 'int64', shape: ['B', 'T'] } } },
      (ctx) => ({ loss: neg(reduceMean(p.buildLogps(ctx.graph, ctx.params, { inputIds: ctx.batch['input_ids']!, positions: ctx.batch['positions']!, temperature: 1 }).logps, undefined, false)) }),
      p.params.clone(),
      { optimizer: adamw({ weightDecay: 0 }), schedule: makeSchedule({ kind: 'constant' }, 0), runtime: { device: 'cpu', threads: 2 }, debugGradients: true },
    );
    const batch = logpBatch(req, 256, 0)!;
    const grad = (await g.trainStep({ input_ids: batch.inputIds, positions: batch.positions })).gradients!.get(name)!.data as Float32Array;
    await g.release();
    const t = p.params.get(name);
    const data = t.data as Float32Array;
    for (const i of [0, 5, 17]) {
      const h = 1e-2;
      const x = data[i]!;
      const set = (v: number): void => {
        const d = data.slice();
        d[i] = v;
        p.params.set(name, { ...t, data: d });
      };
      set(x + h);
      const up = await lossAt();
      set(x - h);
      const down = await lossAt();
      set(x);
      const fd = (up - down) / (2 * h);
      assert.ok(Math.abs(fd - grad[i]!) <= 2e-3 + 0.02 * Math.abs(fd), `entry ${i}: finite difference ${fd}, autodiff ${grad[i]}`);
    }
    // Merged weights as a plain model give the adapted model's log-probs.
    const merged = p.mergedWeights();
    const out = join(root, 'merged');
    mkdirSync(out, { recursive: true });
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) copyFileSync(join(dir, f), join(out, f));
    writeFileSync(join(out, 'model.safetensors'), Buffer.concat(encodeSafetensors(merged)));
    const m = await HfPolicy.load(out, { threads: 2 });
    assert.ok(maxDiff((await m.logprobs(req, 1))[0]!.logps, (await p.logprobs(req, 1))[0]!.logps) < 1e-5);
    await m.release();
    // Export: peft names and adapter_config.
    const exported = p.exportWeights();
    assert.ok([...exported.keys()].every((k) => k.startsWith('base_model.model.model.layers.')));
    assert.deepEqual(p.adapterConfig()!['target_modules'], ['q_proj', 'v_proj', 'down_proj']);
    // The snapshot copies only adapters.
    const snap = await p.snapshot();
    assert.equal(snap.params.size, p.params.size);
    assert.ok(maxDiff((await snap.logprobs(req, 1))[0]!.logps, (await p.logprobs(req, 1))[0]!.logps) === 0);
    await snap.release();
  } finally {
    await p.release();
    await base.release();
  }
});

test('LoRA on GPT-2 (Conv1D, peft\'s fan_in_fan_out): fresh adapters leave the model unchanged; with random adapters sampling, logprobs() and merged weights W + alpha/r (B A)^T all give the adapted model; Llama names fail before any weight is read', { skip }, async () => {
  const gdir = join(root, 'gpt2-tiny');
  makeGpt2ChatModel(gdir);
  const base = await HfPolicy.load(gdir, { threads: 2 });
  const p = await HfPolicy.load(gdir, { threads: 2, lora: { rank: 3, alpha: 6, targetModules: 'all-linear', seed: 2 } });
  try {
    assert.deepEqual(p.lora!.targetModules, ['c_attn', 'c_proj', 'c_fc']);
    assert.equal(p.params.size, 2 * 4 * 2, 'A and B on c_attn, attn.c_proj, mlp.c_fc, mlp.c_proj x 2 layers');
    assert.deepEqual(p.params.get('base_model.model.transformer.h.0.mlp.c_proj.lora_A.weight').shape, [3, 128]);
    assert.deepEqual(p.params.get('base_model.model.transformer.h.0.mlp.c_proj.lora_B.weight').shape, [32, 3]);
    const prompt = p.tokenizePrompt(MESSAGES);
    const req = [{ promptIds: prompt, completionIds: [...p.tokenizer!.encode('MKTAYIAKQR'), imEnd] }];
    assert.ok(maxDiff((await p.logprobs(req, 1))[0]!.logps, (await base.logprobs(req, 1))[0]!.logps) < 1e-6, 'B = 0: same model');
    const rng = new Rng(3);
    for (const n of p.params.names()) {
      const t = p.params.get(n);
      p.params.set(n, { ...t, data: Float32Array.from(t.data as Float32Array, () => (rng.uniform() - 0.5) * 0.6) });
    }
    const adapted = (await p.logprobs(req, 1))[0]!.logps;
    assert.ok(maxDiff(adapted, (await base.logprobs(req, 1))[0]!.logps) > 1e-2, 'the adapters change the model');
    // The KV-cache decoder (prefill + decode graphs) carries the adapters too.
    const [smp] = await p.sample([prompt], { maxNewTokens: 12, temperature: 1 }, new Rng(4));
    const again = (await p.logprobs([{ promptIds: prompt, completionIds: smp!.ids }], 1))[0]!.logps;
    assert.ok(maxDiff(smp!.logprobs, again) < 1e-4, `sample() log-probs = logprobs() (${maxDiff(smp!.logprobs, again)})`);
    const out = join(root, 'gpt2-merged');
    mkdirSync(out, { recursive: true });
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) copyFileSync(join(gdir, f), join(out, f));
    writeFileSync(join(out, 'model.safetensors'), Buffer.concat(encodeSafetensors(p.mergedWeights())));
    const m = await HfPolicy.load(out, { threads: 2 });
    assert.ok(maxDiff((await m.logprobs(req, 1))[0]!.logps, adapted) < 1e-5, 'merged weights reproduce the adapted model');
    await m.release();
    assert.equal(p.adapterConfig()!['fan_in_fan_out'], true);
  } finally {
    await p.release();
    await base.release();
  }
  // No weights at all: the bad target is what fails, so it is checked before any weight is read.
  const bare = join(root, 'gpt2-config-only');
  mkdirSync(bare, { recursive: true });
  copyFileSync(join(gdir, 'config.json'), join(bare, 'config.json'));
  await assert.rejects(HfPolicy.load(bare, { lora: { targetModules: ['q_proj'] } }), /LoRA target module "q_proj" is not a projection of GPT2LMHeadModel; choose from c_attn, c_proj, c_fc or "all-linear"/);
  await assert.rejects(HfPolicy.load(dir, { lora: { targetModules: ['c_attn'] } }), /LoRA target module "c_attn" is not a projection of Qwen2ForCausalLM; choose from q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj or "all-linear"/);
});

test('bad folders fail naming what is wrong and what is supported', { skip }, async () => {
  const bad = (name: string): string => {
    const d = join(root, name);
    mkdirSync(d, { recursive: true });
    for (const f of ['config.json', 'model.safetensors']) copyFileSync(join(dir, f), join(d, f));
    return d;
  };
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  const withConfig = (name: string, patch: Record<string, unknown>): string => {
    const d = bad(name);
    writeFileSync(join(d, 'config.json'), JSON.stringify({ ...config, ...patch }));
    return d;
  };
  await assert.rejects(HfPolicy.load(withConfig('gemma', { architectures: ['Gemma2ForCausalLM'] })), /Gemma2ForCausalLM is not supported; supported architectures: LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM, GPT2LMHeadModel/);
  await assert.rejects(HfPolicy.load(withConfig('rope', { rope_scaling: { rope_type: 'longrope', factor: 2 } })), /rope type "longrope" is not supported; supported: default, linear, llama3, yarn, dynamic/);
  await assert.rejects(HfPolicy.load(withConfig('width', { hidden_size: 48 })), /is \[\d+, 32\] but config\.json implies \[\d+, 48\]/);
  await assert.rejects(HfPolicy.load(withConfig('untied', { tie_word_embeddings: false })), /missing from the weights: lm_head\.weight/);
  await assert.rejects(HfPolicy.load(withConfig('qwen3', { architectures: ['Qwen3ForCausalLM'] })), /have no place in a Qwen3ForCausalLM.*q_proj\.bias/);
  const noWeights = bad('noweights');
  unlinkSync(join(noWeights, 'model.safetensors'));
  await assert.rejects(HfPolicy.load(noWeights), /has neither model\.safetensors nor model\.safetensors\.index\.json/);
  const truncated = bad('truncated');
  const bytes = readFileSync(join(truncated, 'model.safetensors'));
  writeFileSync(join(truncated, 'model.safetensors'), bytes.subarray(0, bytes.length - 100));
  await assert.rejects(HfPolicy.load(truncated), /fall outside the file \(truncated download\?\)/);
  await assert.rejects(HfPolicy.load(join(root, 'nope')), /does not exist/);
  const p = await HfPolicy.load(bad('no-tokenizer'), { threads: 1 });
  assert.throws(() => p.tokenizePrompt('hi'), /has no tokenizer\.json/);
  await assert.rejects(p.sample([[1]], { maxNewTokens: 300 }, new Rng(1)), /exceeds this model's 256 positions/);
  await p.release();
});
