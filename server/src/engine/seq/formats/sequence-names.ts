// Which CSV column headers and JSON keys name a sequence. "Strong" names always hold sequences
// (every non-empty value is reported, so invalid ones get diagnostics); "weak" names such as
// `completion` or `text` hold free text that sometimes is a sequence (reported only when the
// value contains tags or looks like one).

/** Whole names that hold sequences although their last word alone would not say so. */
const STRONG_EXACT = new Set(['amino_acid', 'amino_acids', 'aa_seq', 'aa_sequence', 'aa']);

/** A name whose last word (after `_`, `-`, `.`, space or camelCase; trailing digits ignored) is one of these is strong. */
const STRONG_LAST_WORDS = new Set([
  'smiles', 'smile', 'sequence', 'sequences', 'seq', 'seqs', 'protein', 'proteins', 'dna', 'rna',
  'nucleotide', 'nucleotides', 'peptide', 'peptides', 'molecule', 'molecules', 'mol', 'mols',
  'aa_sequence',
]);

const WEAK = new Set([
  'completion', 'completions', 'text', 'prompt', 'response', 'output', 'outputs', 'answer',
  'generation', 'generated', 'generated_text', 'content', 'target', 'input', 'sample', 'prediction',
  'chosen', 'rejected',
]);

export type NameStrength = 'strong' | 'weak' | 'none';

function words(name: string): string[] {
  return name
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[\s_.\-/:]+/)
    .filter((w) => w.length > 0 && !/^\d+$/.test(w));
}

// JSON files repeat the same few keys on every record: remember the answers.
const memo = new Map<string, NameStrength>();

export function nameStrength(name: string): NameStrength {
  let known = memo.get(name);
  if (known === undefined) {
    known = computeStrength(name);
    if (memo.size > 10_000) memo.clear();
    memo.set(name, known);
  }
  return known;
}

function computeStrength(name: string): NameStrength {
  const lower = name.trim().toLowerCase();
  if (lower.length === 0) return 'none';
  if (STRONG_EXACT.has(lower)) return 'strong';
  if (WEAK.has(lower)) return 'weak';
  const ws = words(name.trim());
  const last = ws[ws.length - 1];
  if (last !== undefined && STRONG_LAST_WORDS.has(last)) return 'strong';
  if (ws.length >= 2 && STRONG_EXACT.has(ws.slice(-2).join('_'))) return 'strong';
  if (last !== undefined && WEAK.has(last)) return 'weak';
  return 'none';
}
