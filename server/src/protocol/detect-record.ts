// The record the CLI prints (one JSON line per sequence) and the `ume/analyzeDocument` request
// returns. One shape for both so scripts and the editor see the same facts.

import type { Modality, Range, Severity } from '../engine/seq/types';
import type { DocumentAnalysis } from '../engine/seq/index';

export interface DetectRecordDiagnostic {
  code: string;
  severity: Severity;
  message: string;
}

/**
 * One sequence found in a file. File-level problems (e.g. UME004 "file too large, analysis
 * stopped") use the same shape with `text`, `modality` and `confidence` all null, so a JSON Lines
 * consumer needs only one parser: `record.text === null` marks a file-level record.
 */
export interface DetectRecord {
  file: string;
  /**
   * The record the sequence belongs to, as the file names it: the FASTA id (first word of the
   * header), the name after the SMILES on a .smi line, or the row's id/name column in CSV/TSV;
   * null when the file gives none (and for file-level records).
   */
  id: string | null;
  range: Range;
  text: string | null;
  modality: Modality | null;
  confidence: number | null;
  alternatives: Array<{ modality: Modality; confidence: number }>;
  diagnostics: DetectRecordDiagnostic[];
}

function before(a: Range, b: Range): number {
  return a.start.line - b.start.line || a.start.character - b.start.character;
}

/** Flattens an engine analysis into records in document order (file-level records included). */
export function toDetectRecords(file: string, analysis: DocumentAnalysis): DetectRecord[] {
  const records: DetectRecord[] = analysis.reports.map((r) => ({
    file,
    id: r.occurrence.hints.name || null,
    range: r.occurrence.range,
    text: r.occurrence.text,
    modality: r.detection.modality,
    confidence: r.detection.confidence,
    alternatives: r.detection.alternatives.map((a) => ({ modality: a.modality, confidence: a.confidence })),
    diagnostics: r.diagnostics.map((d) => ({ code: d.code, severity: d.severity, message: d.message })),
  }));
  for (const d of analysis.fileDiagnostics) {
    records.push({
      file,
      id: null,
      range: d.range,
      text: null,
      modality: null,
      confidence: null,
      alternatives: [],
      diagnostics: [{ code: d.code, severity: d.severity, message: d.message }],
    });
  }
  // Stable sort: a file-level record at the same position as a sequence comes after it.
  return records.sort((a, b) => before(a.range, b.range));
}

/** Counts per modality plus problems by severity: the summary the CLI and the editor both show. */
export interface DetectSummary {
  sequences: number;
  byModality: Record<Modality | 'undetermined', number>;
  bySeverity: Record<Severity, number>;
}

export function summarize(records: readonly DetectRecord[]): DetectSummary {
  const summary: DetectSummary = {
    sequences: 0,
    byModality: { SMILES: 0, amino_acid: 0, nucleotide: 0, undetermined: 0 },
    bySeverity: { error: 0, warning: 0, information: 0, hint: 0 },
  };
  for (const r of records) {
    if (r.text !== null) {
      summary.sequences++;
      summary.byModality[r.modality ?? 'undetermined']++;
    }
    for (const d of r.diagnostics) summary.bySeverity[d.severity]++;
  }
  return summary;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 || word === 'information' ? '' : 's'}`;

/** "22 sequences (13 SMILES, 6 amino_acid, 3 nucleotide); 3 errors, 2 warnings" - for the CLI and the editor. */
export function describeSummary(s: DetectSummary): string {
  const kinds = Object.entries(s.byModality)
    .filter(([, n]) => n > 0)
    .map(([m, n]) => `${n} ${m}`)
    .join(', ');
  const problems = (['error', 'warning', 'information', 'hint'] as const)
    .filter((k) => s.bySeverity[k] > 0)
    .map((k) => plural(s.bySeverity[k], k))
    .join(', ');
  return `${plural(s.sequences, 'sequence')}${kinds ? ` (${kinds})` : ''}; ${problems || 'no problems'}`;
}
