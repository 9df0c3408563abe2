// The sequence a component judges in one RewardInput: the first non-empty tagged sequence of the
// completion (lobster's rule; the tag names the modality), else the whole completion read as the
// modality the prompt asked for, else (untagged: "detect") the modality detection finds. What
// cannot be read is a failure with a kind and a reason, which every component reports as its
// error for the row, never as a score.

import { completionText, extractTagged } from '../reward/extract';
import { defaultSeverity } from '../seq/codes';
import { detectWith } from '../seq/detect/index';
import type { SmilesValidator } from '../seq/rdkit';
import type { Modality } from '../seq/types';
import type { UntaggedPolicy } from '../../protocol/reward-config';
import type { RewardInput } from './types';

export type Extracted =
  | { ok: true; text: string; modality: Modality; source: string }
  | { ok: false; kind: 'no-tag' | 'empty-tag' | 'unclosed-tag' | 'undetected' | 'bad-completion'; reason: string; modality: Modality | null };

function clip(s: string, n = 40): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

function clean(text: string, modality: Modality): string {
  const t = text.trim();
  return modality === 'SMILES' ? t : t.replace(/\s+/g, '');
}

export function extractSequence(input: RewardInput, rdkit: SmilesValidator, untagged: UntaggedPolicy = 'detect'): Extracted {
  let text: string;
  try {
    text = completionText(input.completion);
  } catch (e) {
    return { ok: false, kind: 'bad-completion', reason: (e as Error).message, modality: null };
  }
  const { spans, unclosed } = extractTagged(text);
  const filled = spans.find((s) => s.content.trim() !== '');
  if (filled) return { ok: true, text: clean(filled.content, filled.modality), modality: filled.modality, source: filled.tag };
  if (spans.length > 0) return { ok: false, kind: 'empty-tag', reason: `the <${spans[0]!.tag}> tag is empty`, modality: spans[0]!.modality };
  if (unclosed.length > 0) return { ok: false, kind: 'unclosed-tag', reason: `<${unclosed[0]}> is never closed (was the completion cut at max_completion_length?)`, modality: null };
  if (untagged === 'reject') return { ok: false, kind: 'no-tag', reason: 'no <smiles>, <protein>, <amino_acid>, <dna> or <rna> tag pair (untagged: "reject")', modality: null };
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, kind: 'no-tag', reason: 'the completion is empty', modality: null };
  if (input.modality) return { ok: true, text: clean(trimmed, input.modality), modality: input.modality, source: 'given' };
  const d = detectWith(rdkit, trimmed, { mode: 'default' });
  const error = d.problems.find((p) => (p.severity ?? defaultSeverity(p.code)) === 'error');
  if (d.modality === null || error) {
    return { ok: false, kind: 'undetected', reason: `no tag, and "${clip(trimmed)}" is not a recognisable sequence: ${error?.message ?? d.problems[0]?.message ?? 'no modality fits'}`, modality: d.modality };
  }
  return { ok: true, text: clean(trimmed, d.modality), modality: d.modality, source: 'detected' };
}
