// The segments of every occurrence found in one document, packed into one growing Int32Array
// (four numbers per segment: offset and length in the occurrence's text, start and end offset in
// the document). A 50 MiB FASTA has ~800k sequence lines; an object with an editor range for each
// cost more time (allocation, GC) and memory than detecting the sequences. Editor ranges are made
// from the packed numbers only when a consumer first reads an occurrence's `segments`: diagnostics
// and quick fixes (only for sequences with problems), hover and scoring ranges.
import type { LineIndex } from '../positions';
import type { Range, SequenceHints, SequenceOccurrence, SourceFormat } from '../types';

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

  /** The occurrence of `text` whose segments were pushed since `mark`. */
  occurrence(text: string, mark: number, format: SourceFormat, hints: SequenceHints): SequenceOccurrence {
    const end = this.used;
    const range = end > mark ? this.lines.rangeOf(this.data[mark + 2] as number, this.data[end - 1] as number) : this.lines.rangeOf(0, 0);
    return new PackedOccurrence(text, range, format, hints, this, mark, end);
  }

  /** Segment objects with editor ranges for the packed segments [from, to). */
  segments(from: number, to: number): Segments {
    const d = this.data;
    const out: Segments = [];
    for (let i = from; i < to; i += 4) {
      out.push({ offset: d[i] as number, length: d[i + 1] as number, range: this.lines.rangeOf(d[i + 2] as number, d[i + 3] as number) });
    }
    return out;
  }
}

/**
 * An occurrence whose `segments` are built from the store on first read. A class with the
 * accessor on its prototype keeps V8's fast object layout (an object literal with a getter goes
 * to dictionary mode: ~350 bytes more per occurrence). `segments` is therefore not an own
 * property: JSON gets it through toJSON; object spread does not copy it (copy it explicitly).
 */
class PackedOccurrence implements SequenceOccurrence {
  #built: Segments | undefined;
  readonly #store: SegmentStore;
  readonly #from: number;
  readonly #to: number;

  constructor(
    readonly text: string,
    readonly range: Range,
    readonly format: SourceFormat,
    readonly hints: SequenceHints,
    store: SegmentStore,
    from: number,
    to: number,
  ) {
    this.#store = store;
    this.#from = from;
    this.#to = to;
  }

  get segments(): Segments {
    return (this.#built ??= this.#store.segments(this.#from, this.#to));
  }

  set segments(value: Segments) {
    this.#built = value;
  }

  toJSON(): SequenceOccurrence {
    return { text: this.text, range: this.range, segments: this.segments, format: this.format, hints: this.hints };
  }
}
