// `--policy DIR|policy-tiny` as the CLI and the trainer take it: the shipped policy-tiny, a
// policy-tiny folder (its config.json names our GPT architecture), or a Hugging Face model folder
// (config.json with "architectures").

import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PolicyTiny, POLICY_TINY_NAME, policyTinyDir } from '../tiny';
import type { Policy } from '../types';
import { HfPolicy, type HfPolicyOptions } from './policy';

export type PolicyKind = 'policy-tiny' | 'hf';

/** Which loader a folder needs, from its config.json. */
export async function policyKindOf(dir: string): Promise<PolicyKind> {
  const path = join(resolve(dir), 'config.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new Error(`${resolve(dir)} is not a model folder (no config.json); give a Hugging Face model folder or policy-tiny`, { cause: e });
    throw new Error(`${path} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  const c = (raw ?? {}) as Record<string, unknown>;
  if (Array.isArray(c['architectures'])) return 'hf';
  if (typeof c['architecture'] === 'string' && 'dModel' in c) return 'policy-tiny';
  if (c['format'] === 'ume-studio-run') throw new Error(`${resolve(dir)} is a training run folder, not a model folder; score what it trained with \`ume-studio train --eval-only --policy ${dir}\`, or point --policy at its base model`);
  throw new Error(`${path} names no "architectures" (a Hugging Face config) and is not a policy-tiny config`);
}

/** Loads `spec`: "policy-tiny" (the shipped model) or a folder of either kind. */
export async function loadPolicy(spec: string, options: HfPolicyOptions = {}): Promise<Policy> {
  const base = { ...(options.device ? { device: options.device } : {}), ...(options.threads ? { threads: options.threads } : {}) };
  if (spec === POLICY_TINY_NAME) return PolicyTiny.load(policyTinyDir(), base);
  if ((await policyKindOf(spec)) === 'policy-tiny') {
    if (options.lora) throw new Error('LoRA adapters are for Hugging Face models; policy-tiny trains all its weights');
    return PolicyTiny.load(resolve(spec), base);
  }
  return HfPolicy.load(spec, options);
}
