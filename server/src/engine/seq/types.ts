// Shared vocabulary of the sequence engine: where a sequence sits in a document, what it is,
// and what is wrong with it. Pure data; no VS Code or LSP imports (the LSP layer converts).

import type { Modality } from '../modality';

// Modality lives in engine/modality.ts (ume/ needs it too); re-exported for seq's users.
export type { Modality };
export { MODALITIES } from '../modality';

/** Zero-based line and UTF-16 code-unit column, exactly as LSP positions are defined. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** Which file format a sequence was found in. */
export type SourceFormat = 'fasta' | 'smi' | 'csv' | 'tsv' | 'json' | 'jsonl' | 'tagged' | 'plain';

/** Context around a sequence that can hint at its modality. */
export interface SequenceHints {
  /** FASTA header line without the leading '>' (e.g. "sp|P69905|HBA_HUMAN Hemoglobin ..."). */
  fastaHeader?: string;
  /** CSV/TSV column header or JSON key the value came from (lowercased). */
  column?: string;
  /** Tag name for tagged text: smiles | protein | amino_acid | dna | rna. */
  tag?: string;
  /** File extension including the dot, lowercased (".fasta", ".smi", ...). */
  extension?: string;
  /** Name given next to the sequence, e.g. the second field of a .smi line or a FASTA id. */
  name?: string;
}

/**
 * One sequence found in a document. `text` is the sequence as it stands in the document with
 * line breaks of multi-line FASTA records removed; `segments` map it back onto the document.
 */
export interface SequenceOccurrence {
  text: string;
  /** Whole span in the document (for multi-line FASTA, from the first residue to the last). */
  range: Range;
  /**
   * Pieces of `text` as laid out in the document, in order; offsets are into `text`. Parsers make
   * it a getter over packed offsets (formats/segment-store.ts) that builds the objects on first read.
   */
  segments: Array<{ offset: number; length: number; range: Range }>;
  format: SourceFormat;
  hints: SequenceHints;
}

export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** A text edit on the document, as a quick fix proposes it. */
export interface TextEdit {
  range: Range;
  newText: string;
}

export interface QuickFix {
  title: string;
  /** Stable id of the kind of fix (e.g. "canonicalize-smiles"), for tests and telemetry-free logs. */
  kind: string;
  edits: TextEdit[];
  isPreferred?: boolean;
}

/** A problem found in a sequence or in the file around it. */
export interface SequenceDiagnostic {
  /** Stable code from the table in diagnostics/codes.ts (e.g. "UME101"). */
  code: string;
  severity: Severity;
  message: string;
  range: Range;
  fixes?: QuickFix[];
}

export type DetectionMode = 'lobster' | 'default';

export interface DetectionResult {
  /** null when the modality could not be determined. */
  modality: Modality | null;
  /** 0..1; 1 for unambiguous sequences. */
  confidence: number;
  /** Other plausible modalities with their confidences, most likely first. */
  alternatives: Array<{ modality: Modality; confidence: number }>;
  /** Problems with the sequence itself; ranges relative to the sequence text (line 0, character = offset). */
  problems: Array<{ code: string; message: string; offset: number; length: number; severity?: Severity }>;
  /** RDKit's canonical form when the sequence is a valid SMILES (used by the canonicalize fix). */
  canonicalSmiles?: string;
}

/** Everything the engine reports about one sequence in a document. */
export interface SequenceReport {
  occurrence: SequenceOccurrence;
  detection: DetectionResult;
  diagnostics: SequenceDiagnostic[];
}
