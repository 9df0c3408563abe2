// Tokens of a sequence that UME's tokenizer cannot read as residues: <unk> (e.g. every residue of a
// lowercase protein) and literal special tokens written in the text. UME scores <unk> like any
// token, and a run of <unk> is easy to predict, so such a sequence would get a good reward it has
// not earned (-10 against -28 for real proteins, measured on ume-tiny): the hover, `ume/score` and
// the CLI give it no reward and say why, as the training reward does.
import type { Modality } from '../modality';
import { isSpecial, SPECIAL, tokenizeInto, tokenString } from './tokenizer';

export interface ForeignToken {
  /** 0-based offset and length in the sequence text. */
  offset: number;
  length: number;
  /** The text as written, or the special token's name for a literal special token. */
  text: string;
  unk: boolean;
}

export interface ForeignTokens {
  /** Residue tokens (cls/eos left out). */
  tokens: number;
  foreign: ForeignToken[];
}

export function foreignTokens(text: string, modality: Modality): ForeignTokens {
  // Streams the tokens (no id/offset arrays for a 5 MB line): counts them, keeps the foreign ones.
  const foreign: ForeignToken[] = [];
  let count = 0;
  tokenizeInto(text, modality, {
    get count() {
      return count;
    },
    push(id, s, e) {
      // The first token is <cls_MODALITY>, not part of the text.
      if (count++ === 0 || !isSpecial(id)) return;
      foreign.push({ offset: s, length: e - s, text: id === SPECIAL.unk ? text.slice(s, e) : tokenString(id), unk: id === SPECIAL.unk });
    },
  });
  return { tokens: count - 1, foreign };
}

function clip(s: string, n = 40): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/**
 * Why the sequence is not scored (positions 1-based, as every human-facing output shows them), or
 * undefined when every token is in UME's vocabulary.
 */
export function foreignTokensReason(text: string, modality: Modality): string | undefined {
  const { tokens, foreign } = foreignTokens(text, modality);
  if (foreign.length === 0) return undefined;
  const shown = foreign.slice(0, 3).map((f) => (f.unk ? `"${f.text}" at ${f.offset + 1}` : `literal ${f.text} at ${f.offset + 1}`));
  const lower = modality === 'amino_acid' && /[a-z]/.test(text) ? '; lowercase residues are <unk> to UME: uppercase the sequence' : '';
  return (
    `${foreign.length} of ${tokens} token${tokens === 1 ? '' : 's'} of "${clip(text)}" ${foreign.length === 1 ? 'is' : 'are'} outside UME's ${modality} vocabulary ` +
    `(${shown.join(', ')}${foreign.length > 3 ? ', …' : ''}), so UME would read ${foreign.length === 1 ? 'it' : 'them'} as <unk> and the reward would mean nothing${lower}`
  );
}
