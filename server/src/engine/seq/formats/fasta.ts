// FASTA: '>' header lines, sequence lines (a record may span many; its occurrence text is their
// concatenation and its segments map each line back), ';' comment lines, blank lines ignored.
// Spaces inside a sequence line are kept in the text so diagnostics can flag and fix them.
import { MappedText } from './mapped-text';
import { isSpace, LineScanner, nextLineStart } from './lines';
import type { Sink } from './sink';
import { findTagged } from './tags';

interface RecordState {
  headerStart: number;
  headerEnd: number;
  header: string | undefined;
  /** Document [start, end) of each sequence line, flattened: no object per line (a 50 MiB file has ~800k). */
  lines: number[];
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
    if (r.lines.length === 0) {
      const name = r.header?.split(/\s/, 1)[0] ?? '';
      sink.problem('UME003', 'warning', `Empty FASTA record${name ? ` "${name}"` : ''}: the header has no sequence lines below it. Add the sequence or delete the header.`, r.headerStart, r.headerEnd);
      return;
    }
    const store = sink.segments;
    const mark = store.mark;
    let seq = '';
    for (let i = 0; i < r.lines.length; i += 2) {
      const s = r.lines[i] as number;
      const e = r.lines[i + 1] as number;
      store.push(seq.length, e - s, s, e);
      seq += text.slice(s, e);
    }
    const hints = r.header === undefined ? {} : { fastaHeader: r.header, name: r.header.trim().split(/\s+/, 1)[0] ?? '' };
    if (hints.name === '') delete (hints as { name?: string }).name;
    sink.add(store.occurrence(seq, mark, 'fasta', hints));
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
    // trimSpan inlined: a [s, e] pair per line is ~800k short-lived arrays on a 50 MiB file.
    let s = ls;
    let e = le;
    while (s < e && isSpace(text.charCodeAt(s))) s++;
    while (e > s && isSpace(text.charCodeAt(e - 1))) e--;
    const first = text.charCodeAt(s);
    if (s === e || first === 59 /* ; */) {
      // blank or comment line
    } else if (first === 62 /* > */) {
      if (s > ls) sink.problem('UME006', 'warning', 'FASTA header line is indented: ">" should be the first character of the line.', ls, s);
      if (rec) finish(rec);
      rec = { headerStart: s, headerEnd: e, header: text.slice(s + 1, e).trim(), lines: [] };
    } else if (hasTagStart(s, e) && findTagged(MappedText.verbatim(text.slice(s, e), s), sink).length > 0) {
      // a line of tagged text: reported by findTagged
    } else {
      if (!rec) {
        preamble ??= { headerStart: s, headerEnd: e, header: undefined, lines: [] };
        rec = preamble;
        if (!/^[A-Za-z*\-.]+$/.test(text.slice(s, e))) preambleIsSequence = false;
      }
      if (rec === preamble) preambleEnd = e;
      rec.lines.push(s, e);
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
