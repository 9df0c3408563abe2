// CSV and TSV with exact field offsets. An own RFC 4180 reader rather than csv-parse: csv-parse
// reports positions in UTF-8 bytes per record and guesses record delimiters from the first line
// (a file mixing CRLF and LF loses its LF breaks), while diagnostics need the UTF-16 offset of
// every field's content and recovery after an unterminated quote. csv.test.ts checks field values
// against csv-parse on well-formed files, so the two readers agree where csv-parse is right.
//
// Sequence columns are those whose header names a sequence (see sequence-names.ts); a quoted
// field's range covers the content inside the quotes, and a doubled quote ("") inside it is
// mapped as one escaped character.
import { MappedText, type Piece } from './mapped-text';
import { LineScanner, nextLineStart, trimSpan } from './lines';
import { looksLikeSequenceValue } from './looks-like-sequence';
import { nameStrength, type NameStrength } from './sequence-names';
import type { Sink } from './sink';
import { findTagged } from './tags';

/** Content of one field: text[start, end) without the quotes; `escapes` are offsets of "" pairs. */
export interface CsvField {
  start: number;
  end: number;
  quoted: boolean;
  escapes: number[];
}

const MAX_QUOTE_PROBLEMS = 100;

export class CsvReader {
  pos = 0;
  /** After an unterminated quote, quoted fields may no longer span lines (limits the damage). */
  private singleLine = false;
  private quoteProblems = 0;
  private readonly lines: LineScanner;

  constructor(
    private readonly text: string,
    private readonly end: number,
    private readonly delimiter: number,
    private readonly sink: Sink,
  ) {
    this.lines = new LineScanner(text);
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Reads one record; returns undefined when it was dropped (unterminated quote, reported). */
  next(): CsvField[] | undefined {
    const { text, end, delimiter } = this;
    const fields: CsvField[] = [];
    let i = this.pos;
    while (true) {
      if (text.charCodeAt(i) === 34) {
        // Quoted field.
        const open = i;
        const escapes: number[] = [];
        const limit = this.singleLine ? this.lines.lineEnd(open, end) : end;
        let j = open + 1;
        let close = -1;
        while (j < limit) {
          const q = text.indexOf('"', j);
          if (q < 0 || q >= limit) break;
          if (q + 1 < limit && text.charCodeAt(q + 1) === 34) {
            escapes.push(q);
            j = q + 2;
            continue;
          }
          close = q;
          break;
        }
        if (close < 0) return this.unterminated(open);
        const after = text.charCodeAt(close + 1);
        const cleanEnd = close + 1 >= end || after === delimiter || after === 10 || after === 13;
        if (!cleanEnd && this.lines.lineEnd(open, end) < close) {
          // A "closing" quote found lines later and followed by more text is really the opening
          // quote of a later field: the quote at `open` is the stray one.
          return this.unterminated(open);
        }
        fields.push({ start: open + 1, end: close, quoted: true, escapes });
        // Anything between the closing quote and the delimiter is tolerated and ignored.
        i = close + 1;
        while (i < end) {
          const c = text.charCodeAt(i);
          if (c === delimiter || c === 10 || c === 13) break;
          i++;
        }
      } else {
        const s = i;
        while (i < end) {
          const c = text.charCodeAt(i);
          if (c === delimiter || c === 10 || c === 13) break;
          i++;
        }
        fields.push({ start: s, end: i, quoted: false, escapes: [] });
      }
      if (i >= end) {
        this.pos = end;
        return fields;
      }
      if (text.charCodeAt(i) === delimiter) {
        i++;
        continue;
      }
      this.pos = nextLineStart(text, i);
      return fields;
    }
  }

  private unterminated(open: number): undefined {
    const le = this.lines.lineEnd(open, this.end);
    if (this.quoteProblems < MAX_QUOTE_PROBLEMS) {
      this.sink.problem(
        'UME002',
        'error',
        'Unterminated quoted field: this opening quote is never closed, so the rest of the file would read as one field. ' +
          'Close it with a quote (write "" for a literal quote); reading resumes on the next line.' +
          (this.quoteProblems === MAX_QUOTE_PROBLEMS - 1 ? ` Further unterminated quotes in this file are not reported.` : ''),
        open,
        Math.max(open + 1, le),
      );
    }
    this.quoteProblems++;
    this.singleLine = true;
    this.pos = le >= this.end ? this.end : nextLineStart(this.text, le);
    return undefined;
  }
}

/** Decoded field content with its document mapping ("" becomes one '"'). */
export function fieldText(text: string, f: CsvField): MappedText {
  if (f.escapes.length === 0) return MappedText.verbatim(text.slice(f.start, f.end), f.start);
  const pieces: Piece[] = [];
  let out = '';
  let at = f.start;
  for (const q of f.escapes) {
    if (q > at) {
      pieces.push({ textOffset: out.length, textLength: q - at, docOffset: at, docLength: q - at });
      out += text.slice(at, q);
    }
    pieces.push({ textOffset: out.length, textLength: 1, docOffset: q, docLength: 2 });
    out += '"';
    at = q + 2;
  }
  if (f.end > at) {
    pieces.push({ textOffset: out.length, textLength: f.end - at, docOffset: at, docLength: f.end - at });
    out += text.slice(at, f.end);
  }
  return new MappedText(out, pieces);
}

/** Picks the delimiter of a .csv file from its first content line (',' unless only ';' or tabs occur). */
export function sniffDelimiter(text: string, end: number): string {
  const scanner = new LineScanner(text);
  let ls = 0;
  while (ls < end) {
    const le = scanner.lineEnd(ls, end);
    const [s, e] = trimSpan(text, ls, le);
    if (s < e && text[s] !== '#') {
      const line = text.slice(s, e);
      const count = (ch: string): number => line.split(ch).length - 1;
      if (count(',') > 0) return ',';
      if (count('\t') > 0) return '\t';
      if (count(';') > 0) return ';';
      return ',';
    }
    if (le >= end) break;
    ls = nextLineStart(text, le);
  }
  return ',';
}

// Columns that name a record ("id", "name", "compound_id", "accession"...): their value is reported
// with each sequence of the row, so results can be tied back to records.
const ID_COLUMN = /^(?:.*[_\s.-])?(?:id|ids|name|names|identifier|accession|title|key)$/i;

/** Index of the row's name column: the first id/name-like header that is not itself a sequence column. */
function idColumn(columns: ReadonlyArray<{ name: string; strength: NameStrength }>): number {
  return columns.findIndex((c) => c.strength === 'none' && ID_COLUMN.test(c.name.replace(/([a-z])([A-Z])/g, '$1_$2')));
}

export function parseDelimited(text: string, end: number, sink: Sink, delimiter: string, format: 'csv' | 'tsv'): void {
  const reader = new CsvReader(text, end, delimiter.charCodeAt(0), sink);
  let columns: Array<{ name: string; strength: NameStrength }> | undefined;
  let idAt = -1;
  while (!reader.done && !sink.full) {
    const fields = reader.next();
    if (!fields) continue;
    const first = fields[0];
    const blank = fields.length === 1 && first !== undefined && trimSpan(text, first.start, first.end)[0] === first.end;
    if (blank) continue;
    if (!columns) {
      if (first && !first.quoted && text[trimSpan(text, first.start, first.end)[0]] === '#') continue; // comment before the header
      columns = fields.map((f) => {
        const name = fieldText(text, f).text.trim();
        return { name: name.toLowerCase(), strength: nameStrength(name) };
      });
      idAt = idColumn(columns);
      continue;
    }
    const idField = idAt >= 0 ? fields[idAt] : undefined;
    const rowName = idField ? fieldText(text, idField).text.trim() : '';
    for (let c = 0; c < fields.length && !sink.full; c++) {
      const f = fields[c] as CsvField;
      const col = columns[c];
      const strength = col?.strength ?? 'none';
      const hasTag = text.slice(f.start, f.end).includes('<');
      if (strength === 'none' && !hasTag) continue;
      const mapped = fieldText(text, f);
      const hints = { ...(col ? { column: col.name } : {}), ...(rowName ? { name: rowName } : {}) };
      if (hasTag && findTagged(mapped, sink, hints).length > 0) continue;
      const [s, e] = trimSpan(mapped.text, 0, mapped.text.length);
      if (s === e) continue;
      if (strength === 'weak' && !looksLikeSequenceValue(mapped.text.slice(s, e), sink.minPlainLength)) continue;
      sink.add(mapped.occurrence(s, e, sink.segments, format, hints));
    }
  }
}
