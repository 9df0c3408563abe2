// The sequence set of `npm run bench -- pll`: mixed SMILES (10-60 chars), proteins (50-250 aa) and
// DNA (60-250 nt), a third each. Real sequences from the UME corpus (held-out split first, then the
// training split when a modality runs short) when it has been built; otherwise a stated generator.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Modality } from '../server/src/engine/seq/types';
import { Rng } from '../server/src/engine/train/rng';

export interface BenchSequence {
  text: string;
  modality: Modality;
}

/** Inclusive character-length ranges per modality (the brief's mix). */
export const LENGTHS: Record<Modality, [number, number]> = { SMILES: [10, 60], amino_acid: [50, 250], nucleotide: [60, 250] };

const CORPUS_DIR = 'data/ume-corpus';
const CORPUS_HINT = 'node --import tsx scripts/ume/build-corpus.ts';

function shuffle<T>(xs: T[], rng: Rng): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

function readJsonl(path: string): BenchSequence[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as BenchSequence);
}

const inRange = (s: BenchSequence): boolean => {
  const [lo, hi] = LENGTHS[s.modality] ?? [1, 0];
  return s.text.length >= lo && s.text.length <= hi;
};

// A fallback when the corpus is missing: random residues (throughput does not depend on content).
// SMILES are chains of common fragments, so they tokenize like real ones (mostly 1-2 char tokens).
const FRAGMENTS = ['C', 'C', 'C', 'O', 'N', 'c1ccccc1', 'C(=O)', 'O', 'Cl', 'F', 'C(C)', 'S', 'N(C)', 'C#N', '[nH]'];
function generate(m: Modality, rng: Rng): string {
  const [lo, hi] = LENGTHS[m];
  const n = lo + rng.int(hi - lo + 1);
  if (m === 'amino_acid') return Array.from({ length: n }, () => 'ACDEFGHIKLMNPQRSTVWY'[rng.int(20)]).join('');
  if (m === 'nucleotide') return Array.from({ length: n }, () => 'ACGT'[rng.int(4)]).join('');
  let s = '';
  while (s.length < n) s += FRAGMENTS[rng.int(FRAGMENTS.length)];
  return s.slice(0, Math.max(lo, Math.min(hi, s.length)));
}

/** `n` sequences, a third per modality, shuffled with `seed`; says where they came from. */
export function benchSequences(n: number, seed = 42): { seqs: BenchSequence[]; source: string } {
  const rng = new Rng(seed);
  const modalities: Modality[] = ['SMILES', 'amino_acid', 'nucleotide'];
  const want = (i: number) => Math.floor(n / 3) + (i < n % 3 ? 1 : 0);
  const heldout = join(CORPUS_DIR, 'heldout.jsonl');
  if (!existsSync(heldout)) {
    const seqs = modalities.flatMap((m, i) => Array.from({ length: want(i) }, () => ({ text: generate(m, rng), modality: m })));
    return { seqs: shuffle(seqs, rng), source: `generated (uniform random residues; the corpus is missing: build it with ${CORPUS_HINT})` };
  }
  const train = join(CORPUS_DIR, 'train.jsonl');
  const pools = [readJsonl(heldout), existsSync(train) ? readJsonl(train) : []].map((p) => p.filter(inRange));
  const seqs: BenchSequence[] = [];
  const notes: string[] = [];
  modalities.forEach((m, i) => {
    const fromHeld = shuffle(pools[0]!.filter((s) => s.modality === m), rng).slice(0, want(i));
    const fromTrain = shuffle(pools[1]!.filter((s) => s.modality === m), rng).slice(0, want(i) - fromHeld.length);
    if (fromHeld.length + fromTrain.length < want(i)) throw new Error(`the corpus has only ${fromHeld.length + fromTrain.length} ${m} sequences in ${LENGTHS[m].join('-')} chars; ask for fewer (--n) or rebuild it (${CORPUS_HINT})`);
    if (fromTrain.length) notes.push(`${fromTrain.length} ${m} from train.jsonl`);
    seqs.push(...fromHeld.map((s) => ({ text: s.text, modality: m })), ...fromTrain.map((s) => ({ text: s.text, modality: m })));
  });
  return { seqs: shuffle(seqs, rng), source: `${CORPUS_DIR}/heldout.jsonl${notes.length ? ` (+ ${notes.join(', ')})` : ''}` };
}
