// Modality detection, two modes: 'lobster' (lobster's _detect_modality, exactly) and 'default'
// (case-preserving, RNA, IUPAC, hints, honest confidence). Detection itself is synchronous once
// RDKit is loaded, so callers analysing many sequences load it once and loop.
import type { DetectionMode, DetectionResult, SequenceHints } from '../types';
import { loadRDKit, type SmilesValidator } from '../rdkit';
import { detectLobster } from './lobster';
import { detectDefault } from './default';

export interface DetectOptions {
  mode: DetectionMode;
  hints?: SequenceHints;
  /** UME's SMILES vocabulary, for <unk> bracket atoms (default mode). */
  smilesVocabulary?: ReadonlySet<string>;
  /** Compute canonical SMILES for UME108 and its fix (default mode; default true). */
  canonicalSmiles?: boolean;
}

export function detectWith(rdkit: SmilesValidator, text: string, options: DetectOptions): DetectionResult {
  if (options.mode === 'lobster') return detectLobster(text, rdkit);
  return detectDefault(text, rdkit, {
    ...(options.hints ? { hints: options.hints } : {}),
    ...(options.smilesVocabulary ? { smilesVocabulary: options.smilesVocabulary } : {}),
    ...(options.canonicalSmiles === false ? { canonicalSmiles: false } : {}),
  });
}

/** One-off detection (loads RDKit on first use). */
export async function detectModality(text: string, options: DetectOptions): Promise<DetectionResult> {
  return detectWith(await loadRDKit(), text, options);
}

export { detectLobster } from './lobster';
export { detectDefault, AMBIGUOUS_BELOW } from './default';
export { readHints, TAG_MODALITY, REWARD_TAG } from './hints';
