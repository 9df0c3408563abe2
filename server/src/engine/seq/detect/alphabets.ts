import { SMILES_SPLIT } from '../../vocab/smiles';
// Character sets of the three modalities, and what UME's tokenizers accept. One table per fact,
// shared by both detection modes and by the analysis that builds quick fixes.

/** Python's str.isspace() set, so lobster's `text.strip()` is reproduced exactly (JS trim differs). */
const PY_SPACE = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003,
  0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);
export function isPythonSpace(code: number): boolean {
  return PY_SPACE.has(code);
}

/** Bounds of `text.strip()` (Python) within `text`. */
export function pythonStripBounds(text: string): { start: number; end: number } {
  let start = 0;
  let end = text.length;
  while (start < end && PY_SPACE.has(text.charCodeAt(start))) start++;
  while (end > start && PY_SPACE.has(text.charCodeAt(end - 1))) end--;
  return { start, end };
}

/** Whitespace or an ASCII digit: characters that may be stripped out of a biological sequence. */
export function isSpaceOrDigit(code: number): boolean {
  return (code >= 48 && code <= 57) || PY_SPACE.has(code);
}

// Biological alphabets (uppercase; callers fold case where the modality is case-insensitive).
export const NUCLEOTIDE_BASES = 'ACGTU';
export const NUCLEOTIDE_UNKNOWN = 'N';
/** IUPAC ambiguity codes other than N. */
export const IUPAC_AMBIGUITY = 'RYSWKMBDHV';
export const STANDARD_AMINO_ACIDS = 'ACDEFGHIKLMNPQRSTVWY';
/** X unknown, B Asx, Z Glx, U selenocysteine, O pyrrolysine. */
export const EXTENDED_AMINO_ACIDS = 'XBZUO';
export const GAPS = '-.';
export const STOP = '*';

/** UME's amino-acid vocabulary (case-sensitive; lowercase letters become <unk>). */
export const UME_AMINO_ACID_TOKENS = new Set('.-LAGVSERTIDPKQNFYMHWCXBUZO'.split(''));
/** UME's nucleotide vocabulary; input is lowercased first. */
export const UME_NUCLEOTIDE_TOKENS = new Set('.-acgtnu'.split(''));
/** UME's SMILES pre-tokenizer regex (ume_smiles_tokenizer/tokenizer.json). Text it skips becomes <unk>. */
/** UME's own SMILES split, from the tokenizer's vendored data (one source of truth). */
export const UME_SMILES_SPLIT = SMILES_SPLIT;

/** Characters that only SMILES uses among the three modalities. */
export const SMILES_ONLY_CHARS = new Set('()[]=#@+\\/%:~$'.split(''));
/** Letters allowed outside brackets in SMILES (organic subset, aromatic forms, Cl/Br second letters). */
export const SMILES_BARE_LETTERS = new Set('BCNOPSFIbcnosplr'.split(''));
