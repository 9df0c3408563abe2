// lobster's synthetic GRPO dataset (examples/generate_synthetic_dataset.py), reproduced with the
// defects fixed: per modality N rows of {prompt, completion} (N = 100), completion lengths drawn
// uniformly from lobster's ranges (SMILES 10-50, protein 20-100, DNA 50-200), rows in lobster's
// order (all SMILES, then proteins, then DNA), split 90/5/5 (270/15/15) plus "full".
// Differences from lobster, on purpose:
// - every SMILES is a molecule RDKit accepts (smiles-grammar.ts), of exactly the drawn length;
// - the protein prompt asks for <protein> tags (prompts.ts), which the UME reward accepts;
// - each row also says its modality; completions are unique within a modality;
// - randomness is our seeded Rng (train/rng.ts), not Python's `random`, so the rows differ from
//   lobster's while being byte-for-byte reproducible from the seed in any Node version.
// The split sizes follow Hugging Face's train_test_split(test_size=0.1) then (test_size=0.5):
// ceil(10%) held out, of which ceil(half) is test and the rest validation.

import { MODALITIES, type Modality } from '../modality';
import { Rng } from '../train/rng';
import { SYNTHETIC_LENGTHS, SYNTHETIC_PROMPTS } from './prompts';
import { grammarSmiles } from './smiles-grammar';
import type { PromptDataset, PromptRow, SplitName } from './types';

export const SYNTHETIC_SEED = 42;
export const SYNTHETIC_PER_MODALITY = 100;
/** Smallest rows per modality that leaves every split non-empty (12 rows: 10 / 1 / 1). */
export const MIN_PER_MODALITY = 4;
/** Guard against a typo turning into gigabytes (3 x 1e6 rows is ~0.5 GB of JSONL). */
export const MAX_PER_MODALITY = 1_000_000;

const AMINO_ACIDS = 'ACDEFGHIKLMNPQRSTVWY';
const NUCLEOTIDES = 'ATGC';
/** The split permutation uses its own stream (lobster reseeds 42 for the split, we derive one). */
const SPLIT_STREAM = 0x9e3779b9;

function randomString(rng: Rng, alphabet: string, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[rng.int(alphabet.length)];
  return s;
}

function completion(rng: Rng, modality: Modality): string {
  const [lo, hi] = SYNTHETIC_LENGTHS[modality];
  const length = lo + rng.int(hi - lo + 1);
  if (modality === 'SMILES') return grammarSmiles(rng, length);
  return randomString(rng, modality === 'amino_acid' ? AMINO_ACIDS : NUCLEOTIDES, length);
}

/** Split sizes for n rows, as Hugging Face's two train_test_split calls give them (exact integers). */
export function splitSizes(n: number): Record<Exclude<SplitName, 'full'>, number> {
  const heldOut = Math.ceil(n / 10);
  const test = Math.ceil(heldOut / 2);
  return { train: n - heldOut, validation: heldOut - test, test };
}

function checkCount(name: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`synthetic dataset: ${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

/**
 * The synthetic dataset for a seed: `rows` is the full dataset, `splits` has train, validation,
 * test (shuffled, disjoint) and full (in generation order). Same seed and size, same rows.
 */
export function syntheticDataset(seed = SYNTHETIC_SEED, perModality = SYNTHETIC_PER_MODALITY): PromptDataset & { splits: Readonly<Record<SplitName, readonly PromptRow[]>> } {
  checkCount('seed', seed, 0, 0xffffffff);
  checkCount('rows per modality', perModality, MIN_PER_MODALITY, MAX_PER_MODALITY);
  const rng = new Rng(seed);
  const full: PromptRow[] = [];
  for (const modality of MODALITIES) {
    const seen = new Set<string>();
    while (seen.size < perModality) {
      const c = completion(rng, modality);
      if (seen.has(c)) continue;
      seen.add(c);
      full.push({ prompt: SYNTHETIC_PROMPTS[modality], completion: c, modality });
    }
  }
  const order = new Rng((seed ^ SPLIT_STREAM) >>> 0).shuffle(full.map((_, i) => i));
  const sizes = splitSizes(full.length);
  const take = (from: number, count: number): PromptRow[] => order.slice(from, from + count).map((i) => full[i]!);
  const splits: Record<SplitName, readonly PromptRow[]> = {
    train: take(0, sizes.train),
    validation: take(sizes.train, sizes.validation),
    test: take(sizes.train + sizes.validation, sizes.test),
    full,
  };
  return { rows: full, source: syntheticSource('full', seed, perModality), splits, warnings: [] };
}

export function syntheticSource(split: SplitName, seed: number, perModality: number): string {
  const size = perModality === SYNTHETIC_PER_MODALITY ? '' : `, ${perModality} per modality`;
  return `synthetic:${split} (lobster-style, seed ${seed}${size})`;
}
