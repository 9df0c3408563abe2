// Public entry of sequence recognition: finds every sequence in a document with exact LSP ranges.
// See findSequences below; the per-format parsers live beside this file.
import type { SequenceDiagnostic, SequenceOccurrence } from '../types';

export interface FindOptions {
  /** ".fasta", ".smi", ".csv", ".tsv", ".json", ".jsonl", ".txt" ... (lowercase, with dot). */
  extension?: string;
  /** VS Code language id if known ("fasta", "smiles", "csv", "json", "jsonl", "plaintext"...). */
  languageId?: string;
  /** Minimum length for standalone tokens in plain text (default 8). */
  minPlainLength?: number;
  /** Analyse at most this many bytes (UTF-8; default 8 MiB); beyond it, stop and set truncated. */
  maxBytes?: number;
  /** Stop after this many occurrences (default 200000). */
  maxSequences?: number;
  /** Name of the user setting that raises the limits, quoted in the UME004 message. */
  limitSettingName?: string;
}

export interface FindResult {
  occurrences: SequenceOccurrence[];
  /** Problems of the file itself (UME001..UME006). */
  fileProblems: SequenceDiagnostic[];
  truncated: boolean;
}

export function findSequences(_text: string, _options: FindOptions): FindResult {
  return { occurrences: [], fileProblems: [], truncated: false };
}
