// Seeded SMILES that RDKit accepts by construction, of an exact length: lobster's generator appends
// random atoms, bonds and ring digits to a seed pattern (so most of its strings are not molecules);
// this one joins whole fragments (smiles-fragments.ts) instead: a head, links and a tail, bonded by
// single bonds, never two heteroatoms bonded to each other (no peroxides or N-halogen bonds), and
// padded with carbon-only links to the exact target length. The target length is drawn uniformly
// from the range as lobster does, so the length distribution matches its intent exactly.
//
// Strings that could be read as a protein or DNA (e.g. "CCCNCCSCCC", only letters of those
// alphabets) are redrawn, so every completion is unambiguously a SMILES for any detector.

import type { Rng } from '../train/rng';
import { FILLERS, HEADS, LINKS, TAILS, type Fragment } from './smiles-fragments';

const LONGEST_TAIL = Math.max(...TAILS.map((t) => t.text.length));
/** Draws before giving up on one target length (never reached in practice: ~1.3 draws on average). */
const MAX_ATTEMPTS = 10_000;
/** Chance that a link is a branched carbon carrying a tail, "C(tail)". */
const BRANCH_CHANCE = 0.15;

const PROTEIN_OR_DNA = /^[ACDEFGHIKLMNPQRSTVWY]+$/;

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)]!;
}

function nextLink(rng: Rng): Fragment {
  if (rng.uniform() < BRANCH_CHANCE) {
    const tail = pick(rng, TAILS);
    return { text: `C(${tail.text})`, entryHetero: false, exitHetero: false };
  }
  return pick(rng, LINKS);
}

/** One attempt at a molecule of exactly `length` characters; null when the draw does not fit. */
function attempt(rng: Rng, length: number): string | null {
  const head = pick(rng, HEADS);
  if (head.text.length >= length) return null;
  let text = head.text;
  let exitHetero = head.exitHetero;
  // Links until only room for a tail is left.
  while (length - text.length > LONGEST_TAIL) {
    const link = nextLink(rng);
    if (text.length + link.text.length >= length) continue;
    if (exitHetero && link.entryHetero) continue;
    text += link.text;
    exitHetero = link.exitHetero;
  }
  const room = length - text.length;
  const tail = pick(rng, TAILS);
  let pad = room - tail.text.length;
  if (pad < 0) return null;
  // Carbon fillers up to the exact length (any carbon sits safely between two heteroatoms).
  while (pad > 0) {
    const fits = FILLERS.filter((f) => f.text.length <= pad);
    const filler = pick(rng, fits);
    text += filler.text;
    pad -= filler.text.length;
    exitHetero = false;
  }
  if (exitHetero && tail.entryHetero) return null;
  text += tail.text;
  return PROTEIN_OR_DNA.test(text) ? null : text;
}

/** A SMILES of exactly `length` characters (at least 2) drawn from `rng`. */
export function grammarSmiles(rng: Rng, length: number): string {
  if (!Number.isInteger(length) || length < 2) throw new Error(`grammarSmiles: length must be an integer >= 2, got ${length}`);
  for (let i = 0; i < MAX_ATTEMPTS; i++) {
    const s = attempt(rng, length);
    if (s !== null) return s;
  }
  throw new Error(`grammarSmiles: no molecule of length ${length} after ${MAX_ATTEMPTS} draws; this is a bug in the fragment tables`);
}
