// Turns one completion into the sequences to score, or into the reason it cannot be scored. Every
// refusal carries a kind (for statistics) and a sentence saying what is wrong, so a penalised row
// is never a mystery and never a silent 0.0.

import { defaultSeverity } from '../seq/codes';
import { detectWith } from '../seq/detect/index';
import type { SmilesValidator } from '../seq/rdkit';
import type { DetectionMode, Modality } from '../seq/types';
import { encode, isSpecial, SPECIAL, tokenString, type Encoding } from '../ume/tokenizer';
import { extractTagged } from './extract';

/** Why a row got the penalty (or null). Stable strings: statistics count them. */
export type FailureKind =
  | 'no-tag'
  | 'empty-tag'
  | 'unclosed-tag'
  | 'undetected'
  | 'invalid-smiles'
  | 'unknown-tokens'
  | 'overlong'
  | 'scoring-error'
  | 'non-finite';

export type MultipleTags = 'first' | 'mean' | 'min';
export type Overlong = 'penalty' | 'truncate';

export interface PrepareOptions {
  /** Fallback for completions without any tag pair: off (default), or a detection mode. */
  detection: 'off' | DetectionMode;
  multiple: MultipleTags;
  overlong: Overlong;
  validateSmiles: boolean;
  /** The scorer's max tokens per sequence, cls and eos included. */
  maxLength: number;
}

export interface Candidate {
  modality: Modality;
  /** The sequence as scored (trimmed; line breaks removed for proteins and nucleotides). */
  text: string;
  encoding: Encoding;
  /** How it was found: a tag name, or "detected". */
  source: string;
}

export type Prepared =
  | { ok: true; candidates: Candidate[]; modality: Modality }
  | { ok: false; kind: FailureKind; reason: string; modality: Modality | null };

const fail = (kind: FailureKind, reason: string, modality: Modality | null = null): Prepared => ({ ok: false, kind, reason, modality });

/** Proteins and nucleotides are often line-wrapped; whitespace is never part of them. */
function normalize(content: string, modality: Modality): { text: string } | { reason: string } {
  const trimmed = content.trim();
  if (modality !== 'SMILES') return { text: trimmed.replace(/\s+/g, '') };
  const ws = /\s/.exec(trimmed);
  if (ws) return { reason: `the SMILES contains whitespace at offset ${ws.index} ("${clip(trimmed)}"); a SMILES is one word` };
  return { text: trimmed };
}

function clip(s: string, n = 40): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** Tokens that are not the modality's own (unknown characters, literal <mask>/<eos> ...). */
function foreignTokens(enc: Encoding, text: string): string | undefined {
  const bad: string[] = [];
  for (let t = 1; t < enc.ids.length - 1; t++) {
    const id = enc.ids[t]!;
    if (!isSpecial(id)) continue;
    const [s, e] = enc.offsets[t]!;
    bad.push(id === SPECIAL.unk ? `"${text.slice(s, e)}" at ${s}` : `literal ${tokenString(id)} at ${s}`);
  }
  if (bad.length === 0) return undefined;
  const alphabet = enc.modality === 'amino_acid' ? "UME's amino-acid alphabet (uppercase one-letter codes)" : enc.modality === 'SMILES' ? "UME's SMILES vocabulary" : "UME's nucleotide alphabet (a c g t u n . -)";
  return `${bad.length} token${bad.length === 1 ? '' : 's'} outside ${alphabet}: ${bad.slice(0, 3).join(', ')}${bad.length > 3 ? ', …' : ''}`;
}

function candidate(content: string, modality: Modality, source: string, rdkit: SmilesValidator, o: PrepareOptions): Candidate | Prepared {
  const n = normalize(content, modality);
  if ('reason' in n) return fail('invalid-smiles', n.reason, modality);
  const text = n.text;
  if (modality === 'SMILES' && o.validateSmiles) {
    const v = rdkit.validate(text);
    if (!v.ok) return fail('invalid-smiles', `invalid SMILES "${clip(text)}": ${v.reason ?? 'RDKit rejected it'}`, modality);
  }
  const encoding = encode(text, modality, { maxLength: o.maxLength });
  const foreign = foreignTokens(encoding, text);
  if (foreign) return fail('unknown-tokens', `${source === 'detected' ? 'the untagged completion' : `<${source}> content`} "${clip(text)}" has ${foreign}`, modality);
  if (encoding.truncated && o.overlong === 'penalty') {
    const full = encode(text, modality).ids.length;
    return fail('overlong', `the ${modality} sequence is ${full} tokens with cls and eos, over the scorer's max length ${o.maxLength}; raise maxLength or set overlong: "truncate"`, modality);
  }
  return { modality, text, encoding, source };
}

/** Sequences to score for one completion text, following the tag, multiple-tag and fallback rules. */
export function prepareCompletion(text: string, rdkit: SmilesValidator, o: PrepareOptions): Prepared {
  const { spans, unclosed } = extractTagged(text);
  const filled = spans.filter((s) => s.content.trim() !== '');
  if (filled.length === 0) {
    if (spans.length > 0) return fail('empty-tag', `the <${spans[0]!.tag}> tag is empty`, spans[0]!.modality);
    if (unclosed.length > 0) return fail('unclosed-tag', `<${unclosed[0]}> is never closed (was the completion cut at max_completion_length?)`);
    if (o.detection === 'off') return fail('no-tag', 'no <smiles>, <protein>, <amino_acid>, <dna> or <rna> tag pair (detection fallback is off)');
    return prepareDetected(text, rdkit, { ...o, detection: o.detection });
  }
  // 'first' scores only the first non-empty tag (lobster's rule); 'mean' and 'min' need every
  // tagged sequence valid, so a bad extra sequence cannot hide behind a good one.
  const chosen = o.multiple === 'first' ? filled.slice(0, 1) : filled;
  const candidates: Candidate[] = [];
  for (const s of chosen) {
    const c = candidate(s.content, s.modality, s.tag, rdkit, o);
    if ('ok' in c) return c;
    candidates.push(c);
  }
  return { ok: true, candidates, modality: candidates[0]!.modality };
}

function prepareDetected(text: string, rdkit: SmilesValidator, o: PrepareOptions & { detection: DetectionMode }): Prepared {
  const trimmed = text.trim();
  if (trimmed === '') return fail('no-tag', 'the completion is empty');
  const d = detectWith(rdkit, trimmed, { mode: o.detection });
  if (d.modality === null) {
    const why = d.problems[0]?.message ?? 'no modality fits';
    return fail('undetected', `no tag, and ${o.detection} detection could not tell the modality of "${clip(trimmed)}": ${why}`);
  }
  // Detection names the closest modality even for prose; its error-severity problems say it is not one.
  const error = d.problems.find((p) => (p.severity ?? defaultSeverity(p.code)) === 'error');
  if (error) return fail('undetected', `no tag, and the completion "${clip(trimmed)}" is not a valid ${d.modality} sequence: ${error.message}`, d.modality);
  const c = candidate(trimmed, d.modality, 'detected', rdkit, o);
  return 'ok' in c ? c : { ok: true, candidates: [c], modality: c.modality };
}
