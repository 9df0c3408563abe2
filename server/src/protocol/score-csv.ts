// The CSV that "UME: Score Document" writes beside a file: one row per scored sequence, RFC 4180
// quoting, 1-based line and character (as the editor's status bar shows them). Pure, so the CLI can
// write the same file.

import type { ScoredSequenceRecord } from './score';

export const SCORE_CSV_COLUMNS = ['line', 'character', 'modality', 'length', 'reward', 'pll', 'perplexity', 'mode', 'model', 'text'] as const;

/** Quotes a field when it holds a comma, quote or line break (quotes doubled). */
export function csvField(v: string | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Fields that a spreadsheet would run as a formula (=, +, -, @ first) are kept as text by a leading
 * apostrophe; numbers are written as numbers, so only the text column can need it.
 */
function safeText(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

export function scoresCsv(records: readonly ScoredSequenceRecord[]): string {
  const rows = records.map((r) =>
    [r.range.start.line + 1, r.range.start.character + 1, r.modality, r.length, r.reward, r.pll, r.perplexity, r.mode, r.model, safeText(r.text)].map(csvField).join(','),
  );
  return `${[SCORE_CSV_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
}

/** "dir/mols.smi" -> "dir/mols.smi.ume-scores.csv" (the full name, so mols.smi and mols.fasta do not collide). */
export function scoresCsvPath(documentPath: string): string {
  return `${documentPath}.ume-scores.csv`;
}
