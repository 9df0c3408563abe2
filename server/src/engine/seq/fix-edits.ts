// Maps offsets in a sequence back onto its document and builds the text edits of quick fixes.
// A sequence's text can differ from what the document holds: multi-line FASTA records lose their
// line breaks, JSON strings lose their escapes. Segments record the layout; an edit touches only
// the document text that belongs to the sequence, so line breaks and surrounding syntax survive.
import type { Position, Range, SequenceOccurrence, TextEdit } from './types';
import { LineIndex } from './positions';

type Segment = SequenceOccurrence['segments'][number];

/** A segment whose document text is exactly its sequence text (no escapes, on one line). */
function isVerbatim(seg: Segment): boolean {
  return seg.range.start.line === seg.range.end.line && seg.range.end.character - seg.range.start.character === seg.length;
}

export class DocumentEditor {
  private lines: LineIndex | undefined;

  constructor(
    private readonly doc: string,
    /** The document is JSON/JSONL: replacement text must be escaped as a JSON string's content. */
    private readonly json: boolean,
  ) {}

  private index(): LineIndex {
    return (this.lines ??= new LineIndex(this.doc));
  }

  /** Document range of `text[offset, offset+length)` of an occurrence. */
  rangeOf(occ: SequenceOccurrence, offset: number, length: number): Range {
    const start = positionOf(occ, offset, false);
    const end = length > 0 ? positionOf(occ, offset + length, true) : start;
    return { start, end };
  }

  /** Edits that rewrite the sequence through `fn`, segment by segment when the layout allows. */
  transform(occ: SequenceOccurrence, fn: (s: string) => string): TextEdit[] {
    if (occ.segments.length > 0 && occ.segments.every(isVerbatim)) {
      const edits: TextEdit[] = [];
      for (const seg of occ.segments) {
        const before = occ.text.slice(seg.offset, seg.offset + seg.length);
        const after = fn(before);
        if (after !== before) edits.push({ range: seg.range, newText: after });
      }
      return edits;
    }
    const after = fn(occ.text);
    return after === occ.text ? [] : [{ range: occ.range, newText: this.encode(after) }];
  }

  /** One edit replacing the whole sequence. */
  replaceWhole(occ: SequenceOccurrence, newText: string): TextEdit[] {
    return newText === occ.text ? [] : [{ range: occ.range, newText: this.encode(newText) }];
  }

  /** Insert <tag> before and </tag> after the sequence. */
  wrap(occ: SequenceOccurrence, tag: string): TextEdit[] {
    return [
      { range: { start: occ.range.start, end: occ.range.start }, newText: `<${tag}>` },
      { range: { start: occ.range.end, end: occ.range.end }, newText: `</${tag}>` },
    ];
  }

  /** Rename the tag pair around the sequence; undefined when the tags cannot be found exactly. */
  retag(occ: SequenceOccurrence, from: string, to: string): TextEdit[] | undefined {
    const lines = this.index();
    const startOff = lines.offsetAt(occ.range.start);
    const endOff = lines.offsetAt(occ.range.end);
    const open = this.doc.lastIndexOf('<', startOff - 1);
    if (open < 0 || !new RegExp(`^<${escapeRe(from)}>\\s*$`, 'i').test(this.doc.slice(open, startOff))) return undefined;
    const close = this.doc.indexOf('</', endOff);
    if (close < 0 || !/^\s*$/.test(this.doc.slice(endOff, close))) return undefined;
    const closeTag = this.doc.slice(close, close + from.length + 3);
    if (closeTag.toLowerCase() !== `</${from.toLowerCase()}>`) return undefined;
    return [
      { range: lines.rangeOf(open + 1, open + 1 + from.length), newText: to },
      { range: lines.rangeOf(close + 2, close + 2 + from.length), newText: to },
    ];
  }

  private encode(s: string): string {
    return this.json ? JSON.stringify(s).slice(1, -1) : s;
  }
}

/** Binary search for the segment holding text index `i` (for an end position, the one ending at i). */
function segmentAt(segs: Segment[], i: number, isEnd: boolean): Segment | undefined {
  let lo = 0;
  let hi = segs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    const s = segs[mid] as Segment;
    if (isEnd ? s.offset < i : s.offset <= i) lo = mid;
    else hi = mid - 1;
  }
  return segs[lo];
}

function positionOf(occ: SequenceOccurrence, i: number, isEnd: boolean): Position {
  const seg = segmentAt(occ.segments, i, isEnd);
  if (!seg) return isEnd ? occ.range.end : occ.range.start;
  const within = Math.max(0, Math.min(i - seg.offset, seg.length));
  if (isVerbatim(seg)) return { line: seg.range.start.line, character: seg.range.start.character + within };
  // Inside an escape or a piece laid out differently: the nearest edge of the piece.
  return isEnd ? seg.range.end : seg.range.start;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
