// The policy of a run, from the `policy` setting:
// - "policy-tiny": the embedded GPT over UME's vocabulary;
// - a policy-tiny folder (config.json + model.safetensors);
// - a run folder, its final/ folder or one of its checkpoints: the run's base policy with the
//   trained weights (final/policy.safetensors, else the latest checkpoint's), so
//   `--eval-only --policy runs/my-run` scores what a run trained;
// - a Hugging Face model folder (engine/policy/hf): every weight trains, or LoRA adapters with
//   use_peft (lora_r, lora_alpha, lora_target_modules); a run trained from one loads as that folder
//   with the run's weights (full weights, or adapters merged in: engine/policy/hf/trained.ts).
// A LoRA run also gets adapter_config.json (peft's) beside its config.json: with any of its
// policy.safetensors (peft's tensor names) renamed adapter_model.safetensors, peft loads it.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { listRunCheckpoints } from '../engine/runs/checkpoints';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Policy } from '../engine/policy/types';
import { PolicyTiny, type PolicyTinyOptions } from '../engine/policy/tiny';
import { readConfig } from '../engine/policy/tiny/weights';
import { policyTinyDir } from '../engine/policy/tiny/model-dir';
import { decodeSafetensors } from '../engine/checkpoint/safetensors';
import { ParameterSet } from '../engine/train/params';
import type { TensorData } from '../engine/onnx/ir';
import type { ResolvedGrpoConfig } from '../engine/training/config';
import { RUN_FILES, RUN_FORMAT } from '../protocol/run-format';
import { HfPolicy, loadTrainedHfPolicy, type HfPolicyOptions } from '../engine/policy/hf';
import type { LoraOptions } from '../engine/policy/hf/lora';
import { nodeFs, writeFileAtomic } from '../engine/checkpoint/atomic';

/** peft's adapter_config.json, written beside a LoRA run's config.json. */
export const ADAPTER_CONFIG_FILE = 'adapter_config.json';

type Source = { kind: 'tiny-folder'; dir: string } | { kind: 'trained'; base: string; weights: string; loraAlpha: number | null } | { kind: 'hf'; dir: string };

interface RunOrigin {
  /** The run's policy setting, or the absolute folder it resolved to when the setting was a relative path that no longer resolves. */
  policy: string;
  loraAlpha: number | null;
}

function runConfigAt(dir: string): RunOrigin | null {
  const p = join(dir, RUN_FILES.config);
  if (!existsSync(p)) return null;
  try {
    const j = JSON.parse(readFileSync(p, 'utf8')) as { format?: string; config?: { policy?: string; use_peft?: boolean; lora_alpha?: number }; policy?: { name?: string } };
    if (j.format !== RUN_FORMAT || typeof j.config?.policy !== 'string') return null;
    // A relative --policy was resolved against the folder training started in; policy.name keeps the absolute folder.
    const setting = j.config.policy;
    const policy = setting !== 'policy-tiny' && !existsSync(resolve(setting)) && typeof j.policy?.name === 'string' && existsSync(j.policy.name) ? j.policy.name : setting;
    return { policy, loraAlpha: j.config.use_peft && typeof j.config.lora_alpha === 'number' ? j.config.lora_alpha : null };
  } catch {
    return null;
  }
}

async function latestCheckpointWeights(runDir: string): Promise<string | null> {
  const last = (await listRunCheckpoints(runDir)).at(-1);
  return last ? join(last.dir, RUN_FILES.policyFile) : null;
}

export async function policySource(setting: string): Promise<Source> {
  if (setting === 'policy-tiny') return { kind: 'tiny-folder', dir: policyTinyDir() };
  const dir = resolve(setting);
  if (!existsSync(dir)) throw new Error(`policy "${setting}" is neither "policy-tiny" nor an existing folder; give policy-tiny, a run folder, or a Hugging Face model folder (config.json, model.safetensors, tokenizer.json)`);
  if (!statSync(dir).isDirectory()) throw new Error(`policy "${setting}" is a file; give the folder that holds it`);
  // A run folder, its final/ folder, or a checkpoint inside it.
  const run = runConfigAt(dir);
  if (run) {
    const weights = existsSync(join(dir, RUN_FILES.finalDir, RUN_FILES.policyFile)) ? join(dir, RUN_FILES.finalDir, RUN_FILES.policyFile) : await latestCheckpointWeights(dir);
    if (!weights) throw new Error(`run ${setting} has no trained weights yet (no final/ and no complete checkpoint)`);
    return { kind: 'trained', base: run.policy, weights, loraAlpha: run.loraAlpha };
  }
  if (existsSync(join(dir, RUN_FILES.policyFile))) {
    const runDir = existsSync(join(dir, RUN_FILES.stateFile)) ? dirname(dirname(dir)) : dirname(dir);
    const parent = runConfigAt(runDir);
    if (!parent) throw new Error(`${setting} holds ${RUN_FILES.policyFile} but is not inside a run folder (no run config.json at ${runDir}); point --policy at the run folder`);
    return { kind: 'trained', base: parent.policy, weights: join(dir, RUN_FILES.policyFile), loraAlpha: parent.loraAlpha };
  }
  const cfg = join(dir, 'config.json');
  if (existsSync(cfg)) {
    const j = JSON.parse(readFileSync(cfg, 'utf8')) as Record<string, unknown>;
    if ('dModel' in j && 'nLayers' in j) return { kind: 'tiny-folder', dir };
    return { kind: 'hf', dir };
  }
  throw new Error(`${setting} is not a policy folder: it has no config.json (a policy-tiny or Hugging Face folder), no run config.json and no ${RUN_FILES.policyFile}`);
}

async function weightsFrom(path: string): Promise<ParameterSet> {
  const buf = await readFile(path);
  const copy = new Uint8Array(buf.byteLength);
  copy.set(buf);
  const params = new ParameterSet();
  for (const [name, t] of decodeSafetensors(copy, path).tensors) params.add(name, { dtype: t.dtype, shape: t.shape, data: t.data } as TensorData);
  return params;
}

type PolicySettings = Pick<ResolvedGrpoConfig, 'policy' | 'device' | 'use_peft' | 'lora_r' | 'lora_alpha' | 'lora_dropout' | 'lora_target_modules' | 'apply_chat_template' | 'max_prompt_length' | 'max_completion_length' | 'seed'> & Partial<Pick<ResolvedGrpoConfig, 'smiles_grammar'>> & Partial<Pick<ResolvedGrpoConfig, 'output_dir' | 'run_name'>>;

/** The LoRA options of the settings (null without use_peft); what cannot be honoured fails here, before any work. */
export function loraOptionsOf(c: Pick<ResolvedGrpoConfig, 'use_peft' | 'lora_r' | 'lora_alpha' | 'lora_dropout' | 'lora_target_modules' | 'seed'>): LoraOptions | null {
  if (!c.use_peft) return null;
  const t = c.lora_target_modules?.trim();
  const targetModules = !t ? undefined : t === 'all-linear' ? ('all-linear' as const) : t.split(',').map((m) => m.trim()).filter(Boolean);
  return { rank: c.lora_r, alpha: c.lora_alpha, seed: c.seed, dropout: c.lora_dropout, ...(targetModules ? { targetModules } : {}) };
}

/** The HF-only settings a policy-tiny run cannot take, named (so a TRL config's use_peft is not silently ignored). */
function refuseHfSettings(c: PolicySettings, what: string): void {
  if (c.use_peft) throw new Error(`use_peft (LoRA) is for Hugging Face model folders; ${what} trains all its weights. Set use_peft false, or give --policy a Hugging Face folder`);
  if (c.apply_chat_template) throw new Error(`apply_chat_template is for Hugging Face model folders; ${what} reads its prompts with its own rule (docs/policies.md). Set apply_chat_template false`);
}

function refuseTinySettings(c: PolicySettings): void {
  if (c.smiles_grammar) throw new Error('smiles_grammar constrains policy-tiny\'s SMILES tokens; a Hugging Face policy writes text with its own tokenizer. Set smiles_grammar false');
}

/** Writes peft's adapter_config.json into the run folder once (a resume or a refused run leaves the existing one alone). */
async function writeAdapterConfig(c: PolicySettings, policy: HfPolicy): Promise<void> {
  const cfg = policy.adapterConfig();
  if (!cfg || !c.output_dir || !c.run_name) return;
  const runDir = join(c.output_dir, c.run_name);
  const file = join(runDir, ADAPTER_CONFIG_FILE);
  if (existsSync(file)) return;
  await mkdir(runDir, { recursive: true });
  await writeFileAtomic(nodeFs, file, [Buffer.from(JSON.stringify(cfg, null, 2) + '\n')]);
}

/**
 * policy-tiny's options for the run: the SMILES grammar with its completion budget. The sampler
 * gets maxNewTokens = max_completion_length and counts only the completion (the prompt's tokens
 * are the grammar's prefix, outside the budget; decoder.ts, grammarFeeds), so the budget is that
 * number too: the grammar closes every row's branches and rings within the tokens it may still write.
 */
export function tinyOptions(c: Pick<PolicySettings, 'device' | 'max_completion_length' | 'smiles_grammar'>): PolicyTinyOptions {
  const grammar = c.smiles_grammar ?? false;
  return { device: c.device, smilesGrammar: grammar, ...(grammar ? { smilesGrammarBudget: c.max_completion_length } : {}) };
}

export async function loadTrainingPolicy(c: PolicySettings): Promise<Policy> {
  const src = await policySource(c.policy);
  const lora = loraOptionsOf(c);
  const hfOptions: HfPolicyOptions = { device: c.device, chatPrompts: c.apply_chat_template, maxPromptLength: c.max_prompt_length, ...(lora ? { lora } : {}) };
  let policy: HfPolicy;
  switch (src.kind) {
    case 'tiny-folder':
      refuseHfSettings(c, 'policy-tiny');
      return PolicyTiny.load(src.dir, tinyOptions(c));
    case 'trained': {
      const base = await policySource(src.base);
      if (base.kind === 'tiny-folder') {
        refuseHfSettings(c, 'a policy-tiny run');
        return PolicyTiny.create(await readConfig(base.dir), await weightsFrom(src.weights), tinyOptions(c));
      }
      if (base.kind !== 'hf') throw new Error(`the run was trained from ${src.base}, which is itself a run; point --policy at that run's own folder`);
      refuseTinySettings(c);
      policy = await loadTrainedHfPolicy(base.dir, src.weights, { loraAlpha: src.loraAlpha }, hfOptions);
      break;
    }
    case 'hf':
      refuseTinySettings(c);
      policy = await HfPolicy.load(src.dir, hfOptions);
      break;
  }
  try {
    await writeAdapterConfig(c, policy);
  } catch (e) {
    await policy.release();
    throw e;
  }
  return policy;
}
