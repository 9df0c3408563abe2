// loadRewardConfig: what the trainer, `ume-studio reward` and the reward worker call.
//   const { functions, weights } = await loadRewardConfig('reward.json');
// weighted_sum gives one RewardFunction per component with its weight (TRL's reward_funcs and
// reward_weights; the trainer applies multi_objective_aggregation); the means give one composite
// function with weight 1 whose results carry `components`.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadRDKit } from '../seq/rdkit';
import { loadChemistry } from './chem/molecule';
import { checkRewardConfig, RewardConfigError, type CheckedConfig } from './config';
import { compositeFunction, componentFunction, filterFunction, RewardBuilder } from './composite';
import type { DiversityFilter } from './components/diversity-filter';
import type { Component } from './components/types';
import type { RewardFunction } from './types';
import { isSeed003Config, translateSeed003 } from './seed003';
import type { RewardConfig } from '../../protocol/reward-config';

export interface LoadedReward {
  functions: RewardFunction[];
  /** One per function (TRL's reward_weights). */
  weights: number[];
  config: CheckedConfig;
  /** What a translated seed-003 config's keys became (empty for a native config). */
  notes: string[];
  /** Closes every function (models, workers). */
  close(): Promise<void>;
  /**
   * Empties the diversity filters' memories, so the next score() call is filtered as a fresh run's
   * first batch (the editor scores each hover and each document on its own).
   */
  resetMemory(): void;
}

export interface LoadRewardOptions {
  /** Folder relative paths in params resolve against (default: the config file's, or the cwd). */
  baseDir?: string;
}

/** Reads JSON, with the file and position in the message when it is malformed. */
export function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new RewardConfigError(`cannot read the reward config ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  if (text.trim() === '') throw new RewardConfigError(`the reward config ${path} is empty; see docs/rewards.md for examples`);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new RewardConfigError(`the reward config ${path} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Parses and checks a config (a path or an object), translating the seed-003 shape. */
export function resolveRewardConfig(source: string | RewardConfig | Record<string, unknown>): { config: CheckedConfig; notes: string[]; baseDir: string } {
  const raw = typeof source === 'string' ? readConfigFile(source) : source;
  const name = typeof source === 'string' ? source : 'reward config';
  const baseDir = typeof source === 'string' ? dirname(resolve(source)) : process.cwd();
  if (isSeed003Config(raw)) {
    const t = translateSeed003(raw as Record<string, unknown>);
    return { config: checkRewardConfig(t.config, `${name} (seed-003 shape, translated)`), notes: t.notes, baseDir };
  }
  return { config: checkRewardConfig(raw, name), notes: [], baseDir };
}

export async function loadRewardConfig(source: string | RewardConfig | Record<string, unknown>, options: LoadRewardOptions = {}): Promise<LoadedReward> {
  const r = resolveRewardConfig(source);
  return buildRewardFunctions(r.config, { baseDir: options.baseDir ?? r.baseDir, notes: r.notes });
}

export async function buildRewardFunctions(config: CheckedConfig, o: { baseDir: string; notes?: string[] }): Promise<LoadedReward> {
  const [chem, rdkit] = await Promise.all([loadChemistry(), loadRDKit()]);
  const builder = new RewardBuilder(config, { chem, rdkit, baseDir: o.baseDir });
  const built: Array<{ c: (typeof config.components)[number]; comp: Component }> = [];
  const closeAll = async () => {
    await Promise.all(built.map(({ comp }) => comp.close?.().catch(() => undefined)));
  };
  try {
    for (const c of config.components) {
      if (c.type === 'diversity_filter') continue;
      built.push({ c, comp: await builder.component(c) });
    }
  } catch (e) {
    await closeAll();
    throw e;
  }
  let functions: RewardFunction[];
  let weights: number[];
  const memories: DiversityFilter[] = [];
  if (config.aggregation === 'weighted_sum') {
    functions = [];
    weights = [];
    for (const c of config.components) {
      if (c.type === 'diversity_filter') {
        const f = filterFunction(builder, c);
        memories.push(f.filter);
        functions.push(f);
      }
      else functions.push(componentFunction(builder, c, built.find((b) => b.c === c)!.comp));
      weights.push(c.weight);
    }
  } else {
    const filters: Array<{ c: (typeof config.components)[number]; filter: DiversityFilter }> = [];
    for (const c of config.components) if (c.type === 'diversity_filter') filters.push({ c, filter: filterFunction(builder, c).filter });
    memories.push(...filters.map((f) => f.filter));
    functions = [compositeFunction(builder, built, filters)];
    weights = [1];
  }
  const resetMemory = (): void => memories.forEach((m) => m.reset());
  return { functions, weights, config, notes: o.notes ?? [], close: closeAll, resetMemory };
}
