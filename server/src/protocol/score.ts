// Types of `ume/score` (UME pseudo-likelihood scores of the sequences in a document) and of what
// the hover shows. Plain data: the client, the webview and the CLI can import it.

import type { Modality, Range } from '../engine/seq/types';
import type { PllMode } from '../engine/ume/pll';

export interface ScoreParams {
  /** URI of an open document, or a file: URI the server can read. */
  uri: string;
  /** Only sequences overlapping this range (e.g. the visible part of an editor); all when absent. */
  range?: Range;
  /** Per-token log-probs with their document ranges (default true; the CSV export does not need them). */
  tokens?: boolean;
  /** LSP work-done progress token (WorkDoneProgressParams); the server reports "k/n sequences". */
  workDoneToken?: string | number;
}

/** One scored token of a sequence. */
export interface TokenScore {
  /** Where the token stands in the document (escapes and FASTA line breaks accounted for). */
  range: Range;
  /** The token as UME reads it (a residue, a base, or a SMILES token such as "[C@@H]"). */
  token: string;
  /** 1-based character position of the token's first character in the sequence text. */
  position: number;
  /** Natural-log probability of the token under the model (masked: with that token masked). */
  logprob: number;
}

export interface ScoredSequenceRecord {
  range: Range;
  text: string;
  modality: Modality;
  /** Detection confidence, 0..1. */
  confidence: number;
  /** Characters of the sequence text. */
  length: number;
  /** pll / temperature. */
  reward: number;
  /** Mean log-prob over the scored tokens (see engine/ume/pll.ts for what each mode averages). */
  pll: number;
  /** exp(-pll). */
  perplexity: number;
  mode: PllMode;
  model: string;
  temperature: number;
  /** Tokens including <cls_*> and <eos>. */
  n_tokens: number;
  /** True when only the first max-length tokens were scored. */
  truncated: boolean;
  /** The 3 least likely tokens, lowest first. */
  least_likely: TokenScore[];
  /** Every scored token in order; empty when the request asked for `tokens: false`. */
  tokens: TokenScore[];
}

/** A sequence the model cannot score (invalid, unknown modality, unknown tokens) and why. */
export interface UnscoredSequenceRecord {
  range: Range;
  text: string;
  modality: Modality | null;
  reason: string;
}

export interface ScoreResult {
  uri: string;
  /** Version of the open document scored, or null when read from disk. */
  version: number | null;
  model: string;
  mode: PllMode;
  temperature: number;
  /** Execution provider the model runs on (cpu, cuda, webgpu). */
  provider: string;
  sequences: ScoredSequenceRecord[];
  unscored: UnscoredSequenceRecord[];
  /** Detection stopped early (file larger than umeStudio.maxFileSizeMB, see UME004). */
  truncated: boolean;
}
