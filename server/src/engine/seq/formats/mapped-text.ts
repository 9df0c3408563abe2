// A piece of decoded text (a JSON string, a CSV quoted field, the lines of a FASTA record) together
// with where each part of it sits in the document. Parsers decode once; every finder (tags, plain
// tokens, whole values) then cuts occurrences out of the decoded text and gets exact document
// segments back, escapes included.
import type { SegmentStore } from './segment-store';
import type { SequenceHints, SequenceOccurrence, SourceFormat } from '../types';

/** `text[textOffset, textOffset+textLength)` stands at `doc[docOffset, docOffset+docLength)`. */
export interface Piece {
  textOffset: number;
  textLength: number;
  docOffset: number;
  docLength: number;
}

export class MappedText {
  constructor(
    readonly text: string,
    /** In text order; verbatim runs have textLength === docLength, escapes usually do not. */
    readonly pieces: Piece[],
  ) {}

  /** Text that stands verbatim in the document at `docOffset`. */
  static verbatim(text: string, docOffset: number): MappedText {
    return new MappedText(text, [{ textOffset: 0, textLength: text.length, docOffset, docLength: text.length }]);
  }

  /**
   * Index of the first piece that ends after `offset` (pieces are in text order). Occurrences and
   * ranges start from here instead of from the first piece: a 3 MB JSON string with 60k tags and an
   * escape per line took 39 s when every occurrence walked every piece.
   */
  private firstPieceAfter(offset: number): number {
    const pieces = this.pieces;
    let lo = 0;
    let hi = pieces.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const p = pieces[mid] as Piece;
      if (p.textOffset + p.textLength <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** A new MappedText made of text[s, e) for each range, concatenated (e.g. lines of a record). */
  concat(ranges: Array<[number, number]>): MappedText {
    let text = '';
    const pieces: Piece[] = [];
    for (const [s, e] of ranges) {
      for (let k = this.firstPieceAfter(s); k < this.pieces.length; k++) {
        const p = this.pieces[k] as Piece;
        const ps = p.textOffset;
        const pe = p.textOffset + p.textLength;
        if (ps >= e) break;
        if (pe <= s) continue;
        const cs = Math.max(s, ps);
        const ce = Math.min(e, pe);
        const verbatim = p.textLength === p.docLength;
        pieces.push({
          textOffset: text.length + (cs - s),
          textLength: ce - cs,
          docOffset: verbatim ? p.docOffset + (cs - ps) : p.docOffset,
          docLength: verbatim ? ce - cs : p.docLength,
        });
      }
      text += this.text.slice(s, e);
    }
    return new MappedText(text, pieces);
  }

  /** An occurrence for text[start, end), with one segment per piece it touches. */
  occurrence(start: number, end: number, store: SegmentStore, format: SourceFormat, hints: SequenceHints): SequenceOccurrence {
    const mark = store.mark;
    let lastVerbatim = false;
    for (let k = this.firstPieceAfter(start); k < this.pieces.length; k++) {
      const p = this.pieces[k] as Piece;
      const ps = p.textOffset;
      const pe = p.textOffset + p.textLength;
      if (ps >= end) break;
      if (pe <= start) continue;
      const s = Math.max(start, ps);
      const e = Math.min(end, pe);
      const verbatim = p.textLength === p.docLength;
      // An escape is indivisible: any part of it maps to the whole escape.
      const ds = verbatim ? p.docOffset + (s - ps) : p.docOffset;
      const de = verbatim ? p.docOffset + (e - ps) : p.docOffset + p.docLength;
      // Contiguous verbatim runs become one segment (keeps segments few).
      if (verbatim && lastVerbatim && store.lastDocEnd(mark) === ds) store.extendLast(e - s, de);
      else store.push(s - start, e - s, ds, de);
      lastVerbatim = verbatim;
    }
    return store.occurrence(this.text.slice(start, end), mark, format, hints);
  }
}
