// Where parsers put what they find: occurrences (up to a cap) and file problems, plus the shared
// context every parser needs (line index, extension, plain-token minimum).
import type { LineIndex } from '../positions';
import { SegmentStore } from './segment-store';
import type { SequenceDiagnostic, SequenceOccurrence, Severity } from '../types';

export class Sink {
  readonly occurrences: SequenceOccurrence[] = [];
  readonly problems: SequenceDiagnostic[] = [];
  /** Set once maxSequences occurrences were collected; parsers stop early. */
  full = false;
  /** Packed segments of every occurrence of this document. */
  readonly segments: SegmentStore;

  constructor(
    readonly lines: LineIndex,
    readonly extension: string | undefined,
    readonly minPlainLength: number,
    private readonly maxSequences: number,
  ) {
    this.segments = new SegmentStore(lines);
  }

  add(o: SequenceOccurrence): void {
    if (this.full) return;
    if (this.extension !== undefined) o.hints.extension = this.extension;
    this.occurrences.push(o);
    if (this.occurrences.length >= this.maxSequences) this.full = true;
  }

  problem(code: string, severity: Severity, message: string, start: number, end: number, extra?: Partial<SequenceDiagnostic>): void {
    this.problems.push({ code, severity, message, range: this.lines.rangeOf(start, end), ...extra });
  }
}
