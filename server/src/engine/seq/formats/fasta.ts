// FASTA: '>' header lines, sequence lines (a record may span many; its occurrence text is their
// concatenation and its segments map each line back), ';' comment lines, blank lines ignored.
// Spaces inside a sequence line are kept in the text so diagnostics can flag and fix them.
import { MappedText, type Piece } from './mapped-text';
import { LineScanner, nextLineStart, trimSpan } from './lines';
import type { Sink } from './sink';
import { findTagged } from './tags';

interface RecordState {
  headerStart: number;
  headerEnd: number;
  header: string | undefined;
  pieces: Piece[];
  text: string[];
  textLength: number;
}

export function parseFasta(text: string, end: number, sink: Sink): void {
  const scanner = new LineScanner(text);
  let rec: RecordState | undefined;
  let preamble: RecordState | undefined; // lines before the first header
  let preambleIsSequence = true;
  let preambleEnd = 0;

  const finish = (r: RecordState): void => {
    // Prose before the first header is only warned about (below), never reported as a sequence.
    if (r === preamble && !preambleIsSequence) return;
    if (r.pieces.length === 0) {
      const name = r.header?.split(/\s/, 1)[0] ?? '';
      sink.problem('UME003', 'warning', `Empty FASTA record${name ? ` "${name}"` : ''}: the header has no sequence lines below it. Add the sequence or delete the header.`, r.headerStart, r.headerEnd);
      return;
    }
    const mapped = new MappedText(r.text.join(''), r.pieces);
    const hints = r.header === undefined ? {} : { fastaHeader: r.header, name: r.header.trim().split(/\s+/, 1)[0] ?? '' };
    if (hints.name === '') delete (hints as { name?: string }).name;
    sink.add(mapped.occurrence(0, mapped.text.length, sink.lines, 'fasta', hints));
  };

  // Cached position of the next '<' (searching from every line would be quadratic).
  let nextLT = -2;
  const hasTagStart = (s: number, e: number): boolean => {
    if (nextLT !== -1 && nextLT < s) nextLT = text.indexOf('<', s);
    return nextLT >= 0 && nextLT < e;
  };

  let ls = 0;
  while (ls < end && !sink.full) {
    const le = scanner.lineEnd(ls, end);
    const [s, e] = trimSpan(text, ls, le);
    const first = text[s];
    if (s === e || first === ';') {
      // blank or comment line
    } else if (first === '>') {
      if (s > ls) sink.problem('UME006', 'warning', 'FASTA header line is indented: ">" should be the first character of the line.', ls, s);
      if (rec) finish(rec);
      rec = { headerStart: s, headerEnd: e, header: text.slice(s + 1, e).trim(), pieces: [], text: [], textLength: 0 };
    } else if (hasTagStart(s, e) && findTagged(MappedText.verbatim(text.slice(s, e), s), sink).length > 0) {
      // a line of tagged text: reported by findTagged
    } else {
      if (!rec) {
        preamble ??= { headerStart: s, headerEnd: e, header: undefined, pieces: [], text: [], textLength: 0 };
        rec = preamble;
        if (!/^[A-Za-z*\-.]+$/.test(text.slice(s, e))) preambleIsSequence = false;
      }
      if (rec === preamble) preambleEnd = e;
      const piece = text.slice(s, e);
      rec.pieces.push({ textOffset: rec.textLength, textLength: piece.length, docOffset: s, docLength: piece.length });
      rec.text.push(piece);
      rec.textLength += piece.length;
    }
    if (le >= end) break;
    ls = nextLineStart(text, le);
  }
  if (preamble) {
    const fix = {
      title: 'Insert a FASTA header before the first sequence line',
      kind: 'insert-fasta-header',
      edits: [{ range: sink.lines.rangeOf(preamble.headerStart, preamble.headerStart), newText: '>sequence_1\n' }],
    };
    sink.problem(
      'UME006',
      'warning',
      preambleIsSequence
        ? 'Sequence text before the first FASTA header: a FASTA record starts with a ">name" line.'
        : 'Text before the first FASTA header is not part of any record and is ignored; start the file with a ">name" line.',
      preamble.headerStart,
      preambleEnd,
      preambleIsSequence ? { fixes: [fix] } : undefined,
    );
  }
  if (rec && !sink.full) finish(rec);
}
