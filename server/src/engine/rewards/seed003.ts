// Seed-003 compatibility (the GRPO CLI users come from: `--reward-function single|multi`,
// `--reward-config config/reward_config.json`). Its reward config is `<name>_weight` keys plus a
// section per name:
//   {"accuracy_weight": 0.4, "length_weight": 0.2, "quality_weight": 0.4,
//    "accuracy": {"correct_keywords": [...]}, "length": {"optimal_length": 150, ...}, "quality": {...}}
// It is translated into a weighted_sum config, with a note for every key saying what it became.
// Names that are component types (ume, validity, length, qed, diversity, ...) keep their meaning;
// the seed's text-reward names map to their sequence counterparts (accuracy -> validity,
// quality -> ume); keyword lists have no meaning for sequences and are dropped, with a note.

import type { RewardComponentConfig, RewardConfig } from '../../protocol/reward-config';
import { REWARD_COMPONENT_TYPES, type RewardComponentType } from '../../protocol/reward-config';

/** `--reward-function multi` without a config: UME + validity + length + diversity (docs/rewards.md). */
export const DEFAULT_MULTI_CONFIG: RewardConfig = {
  aggregation: 'weighted_sum',
  components: [
    // PLL / 1.0 = mean log-prob per token (about -1 to -4): on the scale of the 0-1 terms below.
    { name: 'ume', type: 'ume', weight: 1.0, params: { temperature: 1.0 } },
    { name: 'validity', type: 'validity', weight: 1.0, params: { require_tag: true } },
    // lobster's synthetic-data lengths per modality.
    { name: 'length', type: 'length', weight: 0.5, params: { SMILES: { min: 10, max: 50 }, amino_acid: { min: 20, max: 100 }, nucleotide: { min: 50, max: 200 } } },
    { name: 'diversity', type: 'diversity_filter', weight: 0.5, params: { filter: 'IdenticalMurckoScaffold', sequence_filter: 'IdenticalSequence' } },
  ],
};

/** `--reward-function single`: the UME reward alone, lobster's settings. */
export const DEFAULT_SINGLE_CONFIG: RewardConfig = { aggregation: 'weighted_sum', components: [{ name: 'ume', type: 'ume', weight: 1.0 }] };

const ALIASES: Record<string, RewardComponentType> = { accuracy: 'validity', quality: 'ume', diversity: 'diversity_filter', novelty: 'kmer_novelty', complexity: 'linguistic_complexity', similarity: 'similarity' };

export function isSeed003Config(raw: unknown): boolean {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return false;
  const o = raw as Record<string, unknown>;
  return !('components' in o) && Object.keys(o).some((k) => k.endsWith('_weight'));
}

/** Section keys each type understands, and what they become. */
function translateSection(type: RewardComponentType, name: string, section: Record<string, unknown>, notes: string[]): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(section)) {
    const key = `${name}.${k}`;
    if (type === 'length' && k === 'optimal_length' && typeof v === 'number') {
      params['target'] = v;
      notes.push(`${key} = ${v} -> length params.target (scored by a double sigmoid, tolerance 10%)`);
    } else if (type === 'length' && (k === 'min_length' || k === 'max_length') && typeof v === 'number') {
      params[k === 'min_length' ? 'min' : 'max'] = v;
      notes.push(`${key} -> length params.${k === 'min_length' ? 'min' : 'max'}`);
    } else if (k === `${name}_weight` || k === 'length_weight') {
      notes.push(`${key} dropped: the weight is the top-level ${name}_weight`);
    } else if (type === 'ume' && k === 'temperature' && typeof v === 'number') {
      params['temperature'] = v;
      notes.push(`${key} -> ume params.temperature`);
    } else if (/keywords$/.test(k)) {
      notes.push(`${key} dropped: keyword matching scores text answers, not sequences`);
    } else if (k === 'reward_scale' || k === 'penalty_scale') {
      notes.push(`${key} dropped: scale the component with its weight instead`);
    } else {
      params[k] = v;
      notes.push(`${key} -> ${type} params.${k}`);
    }
  }
  return params;
}

export function translateSeed003(raw: Record<string, unknown>): { config: RewardConfig; notes: string[] } {
  const notes: string[] = [];
  const components: RewardComponentConfig[] = [];
  for (const [k, v] of Object.entries(raw)) {
    if (!k.endsWith('_weight')) continue;
    const name = k.slice(0, -'_weight'.length);
    const type = (REWARD_COMPONENT_TYPES as readonly string[]).includes(name) ? (name as RewardComponentType) : ALIASES[name];
    if (!type) {
      throw new Error(`${k}: "${name}" is neither a component type (${REWARD_COMPONENT_TYPES.join(', ')}) nor a seed-003 name this tool knows (${Object.keys(ALIASES).join(', ')}); write a native config (docs/rewards.md)`);
    }
    if (typeof v !== 'number') throw new Error(`${k} must be a number, got ${JSON.stringify(v)}`);
    const section = raw[name];
    const params = section && typeof section === 'object' && !Array.isArray(section) ? translateSection(type, name, section as Record<string, unknown>, notes) : {};
    if (type === 'validity' && name === 'accuracy') params['require_tag'] = true;
    notes.unshift(`${k} = ${v} -> component "${name}" (type ${type}), weight ${v}${type !== name ? ` (seed "${name}" means ${type} for sequences)` : ''}`);
    components.push({ name, type, weight: v, params });
  }
  for (const k of Object.keys(raw)) {
    if (k.endsWith('_weight')) continue;
    if (!Object.prototype.hasOwnProperty.call(raw, `${k}_weight`)) notes.push(`${k} dropped: no ${k}_weight names it as a component`);
  }
  return { config: { aggregation: 'weighted_sum', components }, notes };
}

/** The config for seed-003's flags: `--reward-function single|multi [--reward-config PATH]`. */
export function seedRewardConfig(rewardFunction: 'single' | 'multi', rewardConfig?: string): RewardConfig | string {
  if (rewardConfig !== undefined) return rewardConfig;
  return rewardFunction === 'multi' ? DEFAULT_MULTI_CONFIG : DEFAULT_SINGLE_CONFIG;
}
