// The samples table's logic: which completion rows pass the filters (modality, valid, reward
// range, a search in prompt and completion), in which order, and the sequence inside a completion
// (what is drawn as a molecule or a residue strip).

import type { CompletionRow } from '../../../server/src/protocol/run-format';

export interface SampleFilters {
  /** 'all', a modality, or 'none' (no modality). */
  modality: string;
  valid: 'all' | 'valid' | 'invalid';
  minReward: number | null;
  maxReward: number | null;
  search: string;
}

export const DEFAULT_FILTERS: SampleFilters = { modality: 'all', valid: 'all', minReward: null, maxReward: null, search: '' };

/** Sort keys: a column of the row ('index', 'reward', 'advantage', 'length', 'modality', 'completion', 'valid') or 'rewards.<name>'. */
export interface SampleSort {
  key: string;
  dir: 'asc' | 'desc';
}

export function filterSamples(rows: readonly CompletionRow[], f: SampleFilters): CompletionRow[] {
  const q = f.search.trim().toLowerCase();
  return rows.filter((r) => {
    if (f.modality !== 'all' && (f.modality === 'none' ? r.modality !== null : r.modality !== f.modality)) return false;
    if (f.valid === 'valid' && !r.valid) return false;
    if (f.valid === 'invalid' && r.valid) return false;
    if (f.minReward !== null && !(r.reward !== null && r.reward >= f.minReward)) return false;
    if (f.maxReward !== null && !(r.reward !== null && r.reward <= f.maxReward)) return false;
    if (q && !r.completion.toLowerCase().includes(q) && !r.prompt.toLowerCase().includes(q)) return false;
    return true;
  });
}

function sortValue(r: CompletionRow, key: string): number | string | null {
  if (key.startsWith('rewards.')) return r.rewards[key.slice(8)] ?? null;
  switch (key) {
    case 'index':
      return r.index;
    case 'group':
      return r.group;
    case 'reward':
      return r.reward;
    case 'advantage':
      return r.advantage;
    case 'length':
      return r.length;
    case 'valid':
      return r.valid ? 1 : 0;
    case 'modality':
      return r.modality ?? '';
    case 'completion':
      return r.completion;
    default:
      return null;
  }
}

/** Stable sort; nulls (abstained rewards) last in both directions. */
export function sortSamples(rows: readonly CompletionRow[], s: SampleSort): CompletionRow[] {
  const sign = s.dir === 'asc' ? 1 : -1;
  return rows
    .map((r, i) => ({ r, i, v: sortValue(r, s.key) }))
    .sort((a, b) => {
      if (a.v === null || b.v === null) return a.v === b.v ? a.i - b.i : a.v === null ? 1 : -1;
      const c = typeof a.v === 'number' && typeof b.v === 'number' ? a.v - b.v : String(a.v).localeCompare(String(b.v));
      return c !== 0 ? sign * c : a.i - b.i;
    })
    .map((x) => x.r);
}

const TAGS = ['smiles', 'protein', 'amino_acid', 'dna', 'rna', 'nucleotide'];
const TAGGED = new RegExp(`<(${TAGS.join('|')})>\\s*([^<]*?)\\s*(?:</\\1>|$)`, 'i');

/** The sequence a completion carries: inside its modality tag, or the whole trimmed text when untagged. */
export function extractSequence(completion: string): { tag: string | null; sequence: string } {
  const m = TAGGED.exec(completion);
  if (m) return { tag: m[1]!.toLowerCase(), sequence: m[2]! };
  return { tag: null, sequence: completion.trim() };
}

/** Reward function names across rows, in first-seen order (the table's component columns). */
export function rewardNames(rows: readonly CompletionRow[]): string[] {
  const s = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r.rewards ?? {})) s.add(k);
  return [...s];
}
