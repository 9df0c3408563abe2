// A Hugging Face model folder on disk: config.json (required), generation_config.json (optional:
// stop ids and default sampling), weights (weights.ts) and tokenizer (tokenizer.ts).

import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseHfConfig, type HfModelConfig } from './config';

export const CONFIG_FILE = 'config.json';
export const GENERATION_CONFIG_FILE = 'generation_config.json';

/** generation_config.json fields a policy uses. */
export interface GenerationDefaults {
  eosTokenIds: number[];
  doSample: boolean | null;
  temperature: number | null;
  topP: number | null;
  topK: number | null;
  repetitionPenalty: number | null;
  maxNewTokens: number | null;
}

async function readJsonFile(path: string, required: boolean): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if (!required && (e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new Error(`${path} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
}

/** Checks that `dir` is a folder with a config.json and reads it. */
export async function readModelConfig(dir: string): Promise<HfModelConfig> {
  const abs = resolve(dir);
  const st = await stat(abs).catch(() => null);
  if (!st) throw new Error(`model folder ${abs} does not exist`);
  if (!st.isDirectory()) throw new Error(`${abs} is a file; point at the model folder that holds config.json and the safetensors weights`);
  return parseHfConfig(await readJsonFile(join(abs, CONFIG_FILE), true), join(abs, CONFIG_FILE));
}

const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export async function readGenerationDefaults(dir: string): Promise<GenerationDefaults> {
  const raw = ((await readJsonFile(join(dir, GENERATION_CONFIG_FILE), false)) ?? {}) as Record<string, unknown>;
  const eos = raw['eos_token_id'];
  const eosTokenIds = (Array.isArray(eos) ? eos : eos === undefined || eos === null ? [] : [eos]).filter((x): x is number => Number.isInteger(x) && (x as number) >= 0);
  return {
    eosTokenIds,
    doSample: typeof raw['do_sample'] === 'boolean' ? raw['do_sample'] : null,
    temperature: numOrNull(raw['temperature']),
    topP: numOrNull(raw['top_p']),
    topK: numOrNull(raw['top_k']),
    repetitionPenalty: numOrNull(raw['repetition_penalty']),
    maxNewTokens: numOrNull(raw['max_new_tokens']),
  };
}
