// Conservative test for "this standalone token is a sequence" in free text. False positives in
// prose are worse than misses here (users can always tag or move sequences into a FASTA/SMILES
// file), so a token must be a biological string or parse as SMILES atoms, and not read as English.
import { looksEnglish } from './english';

const BIO_UPPER = /^[A-IK-Z]+(?:-+[A-IK-Z]+)*-*\*?$/; // residues (no J), gaps, a final stop
const NUCLEOTIDE = /^(?:[ACGTUN]+|[acgtun]+|[ACGTUNacgtun]+)$/; // incl. soft-masked DNA
const SMILES_CHARS = /^[A-Za-z0-9()[\]=#@+\-/\\%.:*$~]+$/;
const ORGANIC_ATOM = /Cl|Br|[BCNOPSFI]|[bcnops]/y;

/** Do the letters outside brackets read as SMILES atoms (organic subset, aromatic lowercase)? */
export function smilesAtomCount(token: string): number {
  let atoms = 0;
  let i = 0;
  while (i < token.length) {
    const ch = token[i] as string;
    if (ch === '[') {
      const close = token.indexOf(']', i + 1);
      if (close < 0 || close === i + 1) return -1;
      // A bracket atom must start with an isotope digit or an element letter.
      if (!/^\d*[A-Za-z*]/.test(token.slice(i + 1, close))) return -1;
      atoms++;
      i = close + 1;
      continue;
    }
    if (/[A-Za-z]/.test(ch)) {
      ORGANIC_ATOM.lastIndex = i;
      const m = ORGANIC_ATOM.exec(token);
      if (!m) return -1;
      atoms++;
      i += m[0].length;
      continue;
    }
    if (ch === '*') atoms++;
    i++;
  }
  return atoms;
}

/** A standalone token of free text (already stripped of surrounding punctuation). */
export function looksLikeSequenceToken(token: string, minLength: number): boolean {
  if (token.length < minLength) return false;
  if (NUCLEOTIDE.test(token)) return true;
  if (BIO_UPPER.test(token)) {
    // Carbon chains ("CCCCCCCCO") are SMILES, whatever their letter pairs say.
    if (/^[BCNOPSFI]+$/.test(token) && (token.match(/C/g)?.length ?? 0) * 2 >= token.length) return true;
    return !looksEnglish(token.replace(/[-*]/g, ''));
  }
  if (!SMILES_CHARS.test(token)) return false;
  const atoms = smilesAtomCount(token);
  if (atoms < 2) return false;
  const letters = token.replace(/[^A-Za-z]/g, '');
  if (letters.length === token.length) {
    // Only letters, mixed case (e.g. "CCc1" has digits, "Cocos" does not): rare as SMILES, common as words.
    return !looksEnglish(letters) && /[a-z]/.test(token) && /[A-Z]/.test(token) && token !== token[0] + token.slice(1).toLowerCase();
  }
  // Needs SMILES structure beyond letters: digits (rings), bonds, branches, brackets, charges.
  if (!/[0-9()[\]=#@+\\/%]/.test(token)) return false;
  // "C-C-C" style is fine; dates, versions and ids fail the atom test above.
  return true;
}

/**
 * The whole value of a field or string whose name only suggests free text (completion, text...):
 * shorter values are allowed than for tokens in prose, but they must read unambiguously.
 */
export function looksLikeSequenceValue(value: string, minPlainLength: number): boolean {
  if (value.length === 0 || /\s/.test(value)) return false;
  if (looksLikeSequenceToken(value, minPlainLength)) return true;
  if (value.length < 3) return false;
  // Short values: SMILES with structure or aromatic atoms ("CCO", "c1ccccc1"), or nucleotides.
  if (NUCLEOTIDE.test(value) && value.length >= 6) return true;
  if (!SMILES_CHARS.test(value) || smilesAtomCount(value) < 2) return false;
  if (/[0-9()[\]=#@+\\/%]/.test(value)) return true;
  // Letters only ("CCO", "CCN"): at least two carbons, so "SOS" or "NO" stay words.
  return /^[CNOSPcnops]+$/.test(value) && (value.match(/[Cc]/g)?.length ?? 0) >= 2;
}
