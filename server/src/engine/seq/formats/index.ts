// Public entry of sequence recognition: finds every sequence in a document with exact LSP ranges
// (zero-based line, UTF-16 code-unit character). Picks the format from the language id or the
// extension, then hands the text to one parser per format; tagged text (<smiles>..</smiles>) is
// found in every format.
//
// BOM: VS Code removes a leading byte-order mark before it gives a document to the language
// server, so editor positions never count it. Callers that read files themselves (the CLI) may pass
// text that still starts with U+FEFF; it is dropped here, so both kinds of caller get the same
// ranges, the ones the editor shows.
import { LineIndex } from '../positions';
import type { SequenceDiagnostic, SequenceOccurrence } from '../types';
import { blankBinaryLines } from './binary';
import { parseDelimited, sniffDelimiter } from './csv';
import { parseFasta } from './fasta';
import { parseJson, parseJsonl } from './json';
import { MappedText } from './mapped-text';
import { findPlainTokens } from './plain';
import { Sink } from './sink';
import { parseSmi } from './smi';
import { findTagged } from './tags';
import { LineScanner, nextLineStart, trimSpan } from './lines';

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

export const DEFAULT_MIN_PLAIN_LENGTH = 8;
export const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;
export const DEFAULT_MAX_SEQUENCES = 200_000;

export type DocumentFormat = 'fasta' | 'smi' | 'csv' | 'tsv' | 'json' | 'jsonl' | 'plain';

const BY_EXTENSION: Record<string, DocumentFormat> = {
  '.fa': 'fasta', '.fasta': 'fasta', '.faa': 'fasta', '.fna': 'fasta', '.ffn': 'fasta', '.fas': 'fasta',
  '.frn': 'fasta', '.fsa': 'fasta', '.mpfa': 'fasta',
  '.smi': 'smi', '.smiles': 'smi', '.ism': 'smi',
  '.csv': 'csv', '.tsv': 'tsv', '.tab': 'tsv',
  '.json': 'json', '.jsonc': 'json',
  '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.jsonlines': 'jsonl',
};

const BY_LANGUAGE: Record<string, DocumentFormat> = {
  fasta: 'fasta', smiles: 'smi', csv: 'csv', tsv: 'tsv', json: 'json', jsonc: 'json',
  jsonl: 'jsonl', jsonlines: 'jsonl', ndjson: 'jsonl',
};

/** The parser a document gets: a specific language id wins, then the extension, then a FASTA sniff. */
export function documentFormat(text: string, options: Pick<FindOptions, 'extension' | 'languageId'>): DocumentFormat {
  const byLanguage = options.languageId ? BY_LANGUAGE[options.languageId.toLowerCase()] : undefined;
  if (byLanguage) return byLanguage;
  const byExtension = options.extension ? BY_EXTENSION[options.extension.toLowerCase()] : undefined;
  if (byExtension) return byExtension;
  return looksLikeFasta(text) ? 'fasta' : 'plain';
}

/** First content line is ">name" and the next one is residues only (a Markdown quote is not). */
function looksLikeFasta(text: string): boolean {
  const scanner = new LineScanner(text);
  const found: string[] = [];
  let ls = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const end = Math.min(text.length, 1 << 16);
  while (ls < end && found.length < 2) {
    const le = scanner.lineEnd(ls, end);
    const [s, e] = trimSpan(text, ls, le);
    if (s < e) found.push(text.slice(s, e));
    if (le >= end) break;
    ls = nextLineStart(text, le);
  }
  return found.length === 2 && /^>\S/.test(found[0] as string) && /^[A-Za-z*-]+$/.test(found[1] as string);
}

/** Code-unit index where the first `maxBytes` UTF-8 bytes of text end (text.length if it fits). */
function byteCut(text: string, maxBytes: number): number {
  if (text.length * 3 <= maxBytes) return text.length;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // Surrogate halves count 2 each: 4 bytes per astral character.
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdfff ? 2 : 3;
    if (bytes > maxBytes) return i;
  }
  return text.length;
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

export function findSequences(input: string, options: FindOptions): FindResult {
  const text0 = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const format = documentFormat(text0, options);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxSequences = options.maxSequences ?? DEFAULT_MAX_SEQUENCES;

  // Size cap: cut at a line boundary (for FASTA at a record boundary) so nothing is half-read.
  let end = byteCut(text0, maxBytes);
  const cutBySize = end < text0.length;
  if (cutBySize) {
    const lineBreak = Math.max(text0.lastIndexOf('\n', end - 1), text0.lastIndexOf('\r', end - 1));
    if (lineBreak > 0) end = lineBreak + 1;
    if (format === 'fasta') {
      const header = text0.lastIndexOf('\n>', end - 1);
      if (header > 0) end = header + 1;
    }
  }

  const binary = blankBinaryLines(text0, end);
  const text = binary.text;
  const lines = new LineIndex(cutBySize ? text.slice(0, end) : text);
  const extension = options.extension?.toLowerCase();
  const sink = new Sink(lines, extension, options.minPlainLength ?? DEFAULT_MIN_PLAIN_LENGTH, maxSequences);

  if (binary.mostlyBinary) {
    sink.problem('UME001', 'warning', 'This file looks binary (many control bytes such as NUL); it was not searched for sequences.', 0, 0);
    return { occurrences: [], fileProblems: sink.problems, truncated: false };
  }
  if (binary.lines > 0 && binary.first) {
    const line = lines.positionAt(binary.first[0]).line + 1;
    sink.problem(
      'UME001',
      'warning',
      `Binary content skipped: ${binary.lines} line${binary.lines === 1 ? '' : 's'} contain control bytes such as NUL (first at line ${line}); the rest of the file was searched.`,
      binary.first[0],
      binary.first[1],
    );
  }

  switch (format) {
    case 'fasta':
      parseFasta(text, end, sink);
      break;
    case 'smi':
      parseSmi(text, end, sink);
      break;
    case 'csv':
      parseDelimited(text, end, sink, sniffDelimiter(text, end), 'csv');
      break;
    case 'tsv':
      parseDelimited(text, end, sink, '\t', 'tsv');
      break;
    case 'json': {
      const stoppedAt = parseJson(text, end, sink, cutBySize);
      if (stoppedAt !== undefined && !sink.full) {
        // After a syntax error the structure is lost; tagged text can still be found.
        const from = lines.lineStart(lines.lineAt(stoppedAt) + 1);
        if (from < end) findTagged(MappedText.verbatim(text.slice(from, end), from), sink);
      }
      break;
    }
    case 'jsonl':
      parseJsonl(text, end, sink);
      break;
    case 'plain': {
      const whole = MappedText.verbatim(end < text.length ? text.slice(0, end) : text, 0);
      const tagged = findTagged(whole, sink);
      findPlainTokens(whole, sink, tagged);
      break;
    }
  }

  const occurrences = sink.occurrences;
  if (format === 'plain') {
    occurrences.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  }

  const truncated = cutBySize || sink.full;
  if (truncated) {
    const setting = options.limitSettingName ? `the "${options.limitSettingName}" setting` : 'the maxBytes/maxSequences limits';
    const stopLine = sink.full && occurrences.length > 0 ? (occurrences[occurrences.length - 1] as SequenceOccurrence).range.end.line + 1 : lines.lineCount;
    const why = cutBySize
      ? `Analysed the first ${formatBytes(utf8Length(text.slice(0, end)))} of ${formatBytes(utf8Length(text0))} (up to line ${lines.positionAt(end).line + (end > 0 ? 0 : 1)})`
      : `Stopped after ${occurrences.length} sequences (at line ${stopLine})`;
    sink.problem('UME004', 'information', `${why}; the rest of the file was not checked. Raise ${setting} to analyse more.`, 0, 0);
  }
  return { occurrences, fileProblems: sink.problems, truncated };
}
