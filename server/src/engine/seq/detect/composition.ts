// One pass over a sequence's characters, counting what the modality models need. Everything the
// default detector decides is a function of these counts plus RDKit's verdict and the hints.
import { SMILES_BARE_LETTERS, SMILES_ONLY_CHARS, isPythonSpace } from './alphabets';

export interface Composition {
  /** Count of each letter A..Z, case folded (index 0 = A). */
  letters: Int32Array;
  lowercase: number;
  uppercase: number;
  digits: number;
  /** Whitespace inside the sequence (the caller strips the ends). */
  spaces: number;
  gaps: number;
  stops: number;
  /** Characters only SMILES uses: ()[]=#@+\/%:~$ */
  smilesOnly: number;
  /** Anything else (punctuation, non-ASCII letters, control characters). */
  other: number;
  /** Could this be SMILES at all? Bare (unbracketed) letters are all legal SMILES atoms, no whitespace. */
  smilesLexicallyPossible: boolean;
}

// One scratch buffer, reused: compose runs once per sequence (100k times for a large FASTA) and its
// result is consumed before the next call, so a fresh typed array each time would only feed the GC.
const scratch = new Int32Array(26);

/** Counts for `s`. The returned `letters` array is reused by the next call: read it before then. */
export function compose(s: string): Composition {
  const letters = scratch;
  letters.fill(0);
  let lowercase = 0;
  let uppercase = 0;
  let digits = 0;
  let spaces = 0;
  let gaps = 0;
  let stops = 0;
  let smilesOnly = 0;
  let other = 0;
  let smilesOk = true;
  let inBracket = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) {
      letters[c - 65]!++;
      uppercase++;
    } else if (c >= 97 && c <= 122) {
      letters[c - 97]!++;
      lowercase++;
    } else if (c >= 48 && c <= 57) {
      digits++;
      continue;
    } else if (c === 45 || c === 46) {
      gaps++;
      continue;
    } else if (c === 42) {
      stops++;
      continue;
    } else if (isPythonSpace(c)) {
      spaces++;
      smilesOk = false;
      continue;
    } else {
      const ch = s[i] as string;
      if (SMILES_ONLY_CHARS.has(ch)) {
        smilesOnly++;
        if (c === 91) inBracket = true;
        else if (c === 93) inBracket = false;
      } else {
        other++;
        smilesOk = false;
      }
      continue;
    }
    // A letter: outside brackets it must be an organic-subset atom (l and r only as in Cl, Br).
    if (smilesOk && !inBracket) {
      const ch = s[i] as string;
      if (!SMILES_BARE_LETTERS.has(ch)) smilesOk = false;
      else if (ch === 'l' && s[i - 1] !== 'C') smilesOk = false;
      else if (ch === 'r' && s[i - 1] !== 'B') smilesOk = false;
    }
  }
  return {
    letters,
    lowercase,
    uppercase,
    digits,
    spaces,
    gaps,
    stops,
    smilesOnly,
    other,
    smilesLexicallyPossible: smilesOk && uppercase + lowercase > 0,
  };
}

export function letterCount(c: Composition, letter: string): number {
  return c.letters[letter.toUpperCase().charCodeAt(0) - 65] ?? 0;
}
