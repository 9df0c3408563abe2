// The segments of every occurrence found in one document, packed into one growing Int32Array
// (four numbers per segment: offset and length in the occurrence's text, start and end offset in
// the document). A 50 MiB FASTA has ~800k sequence lines; an object with an editor range for each
// cost more time (allocation, GC) and memory than detecting the sequences. Editor ranges are made
// from the packed numbers only when a consumer first reads an occurrence's `segments`: diagnostics
// and quick fixes (only for sequences with problems), hover and scoring ranges.
import type { LineIndex } from '../positions';
import type { SequenceHints, SequenceOccurrence, SourceFormat } from '../types';

type Segments = SequenceOccurrence['segments'];

export class SegmentStore {
  private data = new Int32Array(4096);
  private used = 0;

  constructor(readonly lines: LineIndex) {}

  /** Where the next segment goes; pass it to occurrence() after pushing that occurrence's segments. */
  get mark(): number {
    return this.used;
  }

  push(offset: number, length: number, docStart: number, docEnd: number): void {
    if (this.used + 4 > this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    const d = this.data;
    const i = this.used;
    d[i] = offset;
    d[i + 1] = length;
    d[i + 2] = docStart;
    d[i + 3] = docEnd;
    this.used = i + 4;
  }

  /** Document end of the last segment pushed since `mark`, or -1 when there is none. */
  lastDocEnd(mark: number): number {
    return this.used > mark ? (this.data[this.used - 1] as number) : -1;
  }

  /** Grows the last segment by `length` text characters now ending at `docEnd` (contiguous verbatim runs). */
  extendLast(length: number, docEnd: number): void {
    this.data[this.used - 3] = (this.data[this.used - 3] as number) + length;
    this.data[this.used - 1] = docEnd;
  }

  /**
   * The occurrence of `text` whose segments were pushed since `mark`. `segments` is an own
   * enumerable property (a getter), so JSON and object spread see it like plain data.
   */
  occurrence(text: string, mark: number, format: SourceFormat, hints: SequenceHints): SequenceOccurrence {
    const end = this.used;
    const lines = this.lines;
    const range = end > mark ? lines.rangeOf(this.data[mark + 2] as number, this.data[end - 1] as number) : lines.rangeOf(0, 0);
    let segments: Segments | undefined;
    const build = (): Segments => this.segments(mark, end);
    return {
      text,
      range,
      get segments(): Segments {
        return (segments ??= build());
      },
      set segments(value: Segments) {
        segments = value;
      },
      format,
      hints,
    };
  }

  private segments(from: number, to: number): Segments {
    const d = this.data;
    const out: Segments = [];
    for (let i = from; i < to; i += 4) {
      out.push({ offset: d[i] as number, length: d[i + 1] as number, range: this.lines.rangeOf(d[i + 2] as number, d[i + 3] as number) });
    }
    return out;
  }
}
